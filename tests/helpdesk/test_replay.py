"""`manage.py replay`: the contract in DESIGN.md, and the shared evaluation sample in full."""

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from escalation.handoff import PACKAGE_KEYS
from helpdesk.models import Conversation, Customer, KnowledgeArticle, Message

# The shared evaluation sample lives beside the repository (../shared), as in CI.
SAMPLE = Path(
    os.environ.get("EVAL_SAMPLE")
    or Path(__file__).resolve().parents[3] / "shared" / "eval" / "triggers-sample.jsonl"
)


def replay(
    path: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> list[dict]:
    out = io.StringIO()
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("replay", path, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


# The project's own conversations of each kind (never tuned on the shared sample's lines).
OWN = Path(__file__).resolve().parent / "replay_conversations.jsonl"


def misses_in(path: Path) -> tuple[list[tuple[Any, ...]], dict[str, dict[str, Any]]]:
    expected = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    results = {result["id"]: result for result in replay(str(path))}
    misses = []
    for item in expected:
        want, got = item["expect"], results[item["id"]]
        at = want.get("at") if want["trigger"] else None
        if (got["trigger"], got["at_message"]) != (want["trigger"], at):
            misses.append((item["id"], got["trigger"], got["at_message"], want))
    assert len(results) == len(expected)
    return misses, results


@pytest.mark.django_db
def test_our_own_conversations_get_the_expected_decision() -> None:
    misses, _ = misses_in(OWN)
    assert misses == []


@pytest.mark.django_db
def test_the_shared_sample_gets_the_expected_decision_on_every_line() -> None:
    if not SAMPLE.exists():
        message = f"the shared evaluation sample is not at {SAMPLE} (set EVAL_SAMPLE)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    misses, results = misses_in(SAMPLE)
    assert misses == []
    # With no knowledge base of its own, replay used the demo store's, inside its rollback.
    assert not KnowledgeArticle.objects.exists()
    assert not Customer.objects.exists()
    assert any(result["replies"] and not result["escalated"] for result in results.values())


@pytest.mark.django_db
def test_output_shape_and_that_the_database_is_left_as_it_was(
    tmp_path: Path, knowledge_base: list[KnowledgeArticle]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(
            {
                "id": "a",
                "customer": {"language": "es", "tier": "vip", "extra": 1},
                "messages": ["¿Dónde está mi pedido?", "Quiero hablar con una persona"],
                "unknown": True,
            }
        )
        + "\n\n"
        + json.dumps({"id": "b", "messages": ["Where is my order?"]})
        + "\n"
    )
    before = (
        Customer.objects.count(),
        Conversation.objects.count(),
        Message.objects.count(),
        KnowledgeArticle.objects.count(),
    )
    first, second = replay(str(source))
    assert first["id"] == "a"
    assert (first["escalated"], first["trigger"], first["at_message"]) == (
        True,
        "explicit_request",
        1,
    )
    assert first["triggers"][0] == "explicit_request"
    assert len(first["replies"]) == 2
    assert first["replies"][-1].startswith("Quiero ponerte en contacto")  # Spanish customer
    analyses = second.pop("analyses")
    assert second == {
        "id": "b",
        "escalated": False,
        "trigger": None,
        "at_message": None,
        "triggers": [],
        "replies": [KnowledgeArticle.objects.get(title="Tracking your order").body],
    }
    # Each customer message's analysis: what a supervisor tuning the policies reads.
    (only,) = analyses
    assert only["intent"] == "order_status"
    assert only["intent_confidence"] > 0.5
    assert only["response_confidence"] > 0.5
    assert (only["language"], only["triggers"]) == ("en", [])
    assert first["analyses"][0]["intent"] == "order_status"
    assert first["analyses"][1]["triggers"][0] == "explicit_request"
    after = (
        Customer.objects.count(),
        Conversation.objects.count(),
        Message.objects.count(),
        KnowledgeArticle.objects.count(),
    )
    assert after == before


@pytest.mark.django_db
def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    results = replay(
        "-",
        stdin=json.dumps({"id": "x", "messages": ["human please"]}) + "\n",
        monkeypatch=monkeypatch,
    )
    assert [(r["id"], r["trigger"], r["at_message"]) for r in results] == [
        ("x", "explicit_request", 0)
    ]


@pytest.mark.django_db
def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "ok", "messages": []}\n{not json\n')
    with pytest.raises(CommandError, match="Line 2 is not valid JSON"):
        call_command("replay", str(broken), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("replay", str(tmp_path / "missing.jsonl"), stdout=io.StringIO())
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_replay_with_handoff_adds_the_package_to_escalated_lines(tmp_path: Path) -> None:
    source = tmp_path / "two.jsonl"
    source.write_text(
        json.dumps(
            {
                "id": "wants-refund",
                "customer": {"tier": "vip", "name": "Ana"},
                "messages": [
                    "How do I return an item?",
                    "I want a refund and I want to talk to a person, call me tomorrow",
                ],
            }
        )
        + "\n"
        + json.dumps({"id": "calm", "messages": ["How do I return an item?"]})
        + "\n"
    )
    out = io.StringIO()
    call_command("replay", "--handoff", str(source), stdout=out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    package = first["handoff"]
    assert set(package) == set(PACKAGE_KEYS)  # PostgreSQL keeps JSON keys in its own order
    assert package["trigger"]["category"] == first["trigger"] == "explicit_request"
    assert package["customer"]["tier"] == "vip"
    assert [
        line["body"] for line in package["transcript"] if line["author_kind"] == "customer"
    ] == [
        "How do I return an item?",
        "I want a refund and I want to talk to a person, call me tomorrow",
    ]
    (request,) = package["customer_requests"]
    assert set(request["kinds"]) == {"refund", "callback", "person"}
    assert request["when"] == "tomorrow"
    assert package["assessment"]["attempted"][0]["article"] == "Return policy"
    assert "handoff" not in second  # nothing escalated, nothing to hand over
    assert not Conversation.objects.exists()  # and the database is left as it was


@pytest.mark.django_db
def test_replay_uses_the_stored_policies_unless_asked_for_the_shipped_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A supervisor tries tuned settings on real conversations before turning them on."""
    from escalation.models import ExplicitRequestPolicy

    policy = ExplicitRequestPolicy.load()
    policy.enabled = False
    policy.save()
    line = json.dumps({"id": "x", "messages": ["human please"]}) + "\n"
    (stored,) = replay("-", stdin=line, monkeypatch=monkeypatch)
    assert (stored["escalated"], stored["trigger"]) == (False, None)
    assert stored["replies"][0].startswith("Our team can't take chats here at the moment")
    monkeypatch.setattr("sys.stdin", io.StringIO(line))
    out = io.StringIO()
    call_command("replay", "--default-policy", "-", stdout=out)
    shipped = json.loads(out.getvalue())
    assert (shipped["escalated"], shipped["trigger"]) == (True, "explicit_request")
