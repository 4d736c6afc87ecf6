"""The supervisors' figures over known fixtures (exact numbers), the hold-out, the customer's
survey and the agent's rating, the dashboard, its CSV exports and /metrics."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from agents.models import Agent
from escalation.callbacks import customer_choose
from escalation.holdout import held_out
from escalation.metrics import (
    Period,
    by_intent,
    by_trigger,
    comparison,
    knowledge_gaps,
    quality_by_agent,
    quality_by_trigger,
    trend,
)
from escalation.models import Escalation, HandoffRating, MeasurementPolicy, Survey
from escalation.surveys import handoff_rate
from escalation.views import csv_cell
from helpdesk.flows import conversation_join, conversation_open, conversation_resolve
from helpdesk.models import Conversation, Customer, Message, MessageAnalysis
from helpdesk.services import ChatError
from tests.support.factories import make_agent

DAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
PERIOD = Period(datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC))


def conversation_on(
    day: int,
    *,
    intents: list[str],
    escalate_at: int | None = None,
    category: str = "explicit_request",
    automated: bool = True,
) -> Conversation:
    """A conversation opened on 2 + `day` November with analysed customer messages, one per
    intent, escalating on the message at `escalate_at` (built directly: exact fixtures)."""
    opened = DAY + timedelta(days=day)
    conversation = Conversation.objects.create(
        customer=Customer.objects.create(name=f"C{uuid.uuid4().hex[:6]}"),
        opened_at=opened,
        automated=automated,
    )
    for seq, intent in enumerate(intents, start=1):
        message = Message.objects.create(
            conversation=conversation, seq=seq, author_kind="customer", body=f"about {intent} {seq}"
        )
        MessageAnalysis.objects.create(
            message=message,
            language="en",
            intent=intent,
            intent_confidence=0.9,
            sentiment="neutral",
            sentiment_score=0.0,
            response_confidence=0.5,
        )
        if escalate_at == seq:
            Escalation.objects.create(
                conversation=conversation, message=message, category=category, rule="r"
            )
            conversation.escalated_at = opened + timedelta(minutes=1)
            conversation.trigger = category
    conversation.save()
    return conversation


@pytest.fixture
def fixtures(db: None) -> dict[str, Conversation]:
    return {
        "refund_escalated": conversation_on(0, intents=["refund", "refund"], escalate_at=2),
        "refund_answered": conversation_on(0, intents=["refund"]),
        "refund_again": conversation_on(1, intents=["refund"], escalate_at=1, category="sentiment"),
        "order_answered": conversation_on(1, intents=["order_status", "order_status"]),
        "order_escalated": conversation_on(2, intents=["order_status"], escalate_at=1),
        "outside": conversation_on(5, intents=["refund"], escalate_at=1),  # after the period
        "direct": conversation_on(2, intents=[], automated=False),
    }


def test_escalation_rate_by_trigger_counts_automated_conversations_in_the_period(
    fixtures: dict[str, Conversation],
) -> None:
    rows = {row["trigger"]: row for row in by_trigger(PERIOD).rows}
    assert rows["Explicit request"] == {
        "trigger": "Explicit request",
        "escalations": 2,
        "conversations": 5,
        "rate": 0.4,
    }
    assert rows["Negative sentiment"]["escalations"] == 1
    assert rows["Low confidence"] == {
        "trigger": "Low confidence",
        "escalations": 0,
        "conversations": 5,
        "rate": 0.0,
    }


def test_escalation_rate_by_intent_and_the_knowledge_gaps(
    fixtures: dict[str, Conversation],
) -> None:
    intents = {row["intent"]: row for row in by_intent(PERIOD).rows}
    # refund: raised in 3 conversations of the period (one of them twice), 2 escalated on it.
    assert (intents["refund"]["conversations"], intents["refund"]["escalated"]) == (3, 2)
    assert intents["refund"]["rate"] == 0.6667
    assert (intents["order_status"]["conversations"], intents["order_status"]["escalated"]) == (
        2,
        1,
    )
    gaps = knowledge_gaps(PERIOD).rows
    assert [row["intent"] for row in gaps] == ["refund"]  # order_status: too few to judge
    assert gaps[0]["examples"] == "about refund 1 | about refund 2"  # the latest first


def test_asking_for_a_person_is_counted_but_is_not_a_knowledge_gap(db: None) -> None:
    for day in range(3):  # escalated every time, by design: no article would close that "gap"
        conversation_on(day, intents=["human_request"], escalate_at=1)
        conversation_on(day, intents=["refund"], escalate_at=1)
    intents = {row["intent"]: row for row in by_intent(PERIOD).rows}
    assert intents["human_request"]["escalated"] == 3
    assert [row["intent"] for row in knowledge_gaps(PERIOD).rows] == ["refund"]


def test_the_daily_trend(fixtures: dict[str, Conversation]) -> None:
    assert [(row["day"], row["conversations"], row["escalated"]) for row in trend(PERIOD).rows] == [
        ("2026-11-02", 2, 1),
        ("2026-11-03", 2, 1),
        ("2026-11-04", 1, 1),
    ]


def resolved_handoff(
    agent: Agent,
    *,
    minutes_to_reply: int,
    minutes_to_resolve: int,
    automated: bool = True,
    satisfaction: int | None = None,
    repeated: bool | None = None,
    verdict: str | None = None,
    trigger: str = "explicit_request",
    channel: str = "web",
) -> Conversation:
    """Handed to people at 10:00 (an escalation), or, never automated, queued when it opened at
    09:55 with the customer's first words at 10:00: both measured from 10:00."""
    handed = DAY + timedelta(hours=1)
    conversation = Conversation.objects.create(
        customer=Customer.objects.create(name=f"R{uuid.uuid4().hex[:6]}"),
        opened_at=handed - timedelta(minutes=5),
        escalated_at=handed if automated else handed - timedelta(minutes=5),
        channel=channel,
        automated=automated,
        trigger=trigger if automated else "direct",
        status="resolved",
        assigned_agent=agent,
        closed_at=handed + timedelta(minutes=minutes_to_resolve),
    )
    if not automated:  # the customer's first words: what the hold-out is measured from
        Message.objects.create(
            conversation=conversation, seq=2, author_kind="customer", body="Hi", created_at=handed
        )
    Message.objects.create(
        conversation=conversation,
        seq=1,
        author_kind="agent",
        author_agent=agent,
        body="Hello",
        created_at=handed + timedelta(minutes=minutes_to_reply),
    )
    if satisfaction is not None:
        Survey.objects.create(
            conversation=conversation, satisfaction=satisfaction, repeated=repeated
        )
    if verdict is not None:
        HandoffRating.objects.create(conversation=conversation, agent=agent, verdict=verdict)
    return conversation


def test_handoff_quality_per_trigger_and_per_agent(db: None) -> None:
    dana = make_agent("dana", "Dana")
    sam = make_agent("sam", "Sam")
    resolved_handoff(
        dana,
        minutes_to_reply=2,
        minutes_to_resolve=10,
        satisfaction=5,
        repeated=False,
        verdict="prepared",
    )
    resolved_handoff(
        dana,
        minutes_to_reply=4,
        minutes_to_resolve=20,
        satisfaction=3,
        repeated=True,
        verdict="missing",
    )
    resolved_handoff(
        sam, minutes_to_reply=1, minutes_to_resolve=30, trigger="sentiment", verdict="partly"
    )
    by_trigger_rows = {row["trigger"]: row for row in quality_by_trigger(PERIOD).rows}
    explicit = by_trigger_rows["Explicit request"]
    assert (explicit["resolved"], explicit["surveys"], explicit["satisfaction"]) == (2, 2, 4.0)
    assert (explicit["repeated"], explicit["context_sufficient"], explicit["prepared"]) == (
        0.5,
        0.5,
        0.5,
    )
    sentiment = by_trigger_rows["Negative sentiment"]
    assert (sentiment["surveys"], sentiment["satisfaction"], sentiment["prepared"]) == (
        0,
        None,
        0.0,
    )
    assert sentiment["context_sufficient"] == 1.0
    by_agent = {row["agent"]: row for row in quality_by_agent(PERIOD).rows}
    assert (by_agent["Dana"]["resolved"], by_agent["Sam"]["ratings"]) == (2, 1)
    # Sam rates a handoff he passed on to Dana: the rating is his, the survey hers.
    passed_on = resolved_handoff(dana, minutes_to_reply=1, minutes_to_resolve=5, satisfaction=2)
    HandoffRating.objects.create(conversation=passed_on, agent=sam, verdict="missing")
    by_agent = {row["agent"]: row for row in quality_by_agent(PERIOD).rows}
    assert (by_agent["Sam"]["ratings"], by_agent["Sam"]["context_sufficient"]) == (2, 0.5)
    assert (by_agent["Dana"]["surveys"], by_agent["Dana"]["ratings"]) == (3, 2)


def test_escalated_and_never_automated_are_compared_with_their_counts(db: None) -> None:
    dana = make_agent("dana", "Dana")
    resolved_handoff(dana, minutes_to_reply=2, minutes_to_resolve=10, satisfaction=4)
    resolved_handoff(dana, minutes_to_reply=6, minutes_to_resolve=30)
    resolved_handoff(
        dana, minutes_to_reply=1, minutes_to_resolve=8, automated=False, satisfaction=5
    )
    resolved_handoff(
        dana, minutes_to_reply=3, minutes_to_resolve=50, automated=False, channel="email"
    )
    Conversation.objects.create(  # held out, but the customer never wrote: not counted
        customer=Customer.objects.create(name="Silent"),
        opened_at=DAY,
        escalated_at=DAY,
        automated=False,
        trigger="direct",
    )
    rows = {row["group"]: row for row in comparison(PERIOD).rows}
    escalated = rows["Escalated by the assistant"]
    assert (escalated["conversations"], escalated["first_response_median_min"]) == (2, 4.0)
    assert (escalated["resolution_median_min"], escalated["satisfaction_n"]) == (20.0, 1)
    held_out = rows["Hold-out (never automated)"]
    # Measured from the customer's first words (10:00), not from the queueing at 09:55.
    assert (held_out["conversations"], held_out["resolution_mean_min"]) == (1, 8.0)
    assert (held_out["first_response_median_min"], held_out["satisfaction_mean"]) == (1.0, 5.0)
    direct = rows["Direct channels (never automated)"]
    assert (direct["conversations"], direct["resolution_median_min"]) == (1, 50.0)


# -- the hold-out ------------------------------------------------------------------------------------


def test_the_hold_out_is_deterministic_per_conversation_and_respects_its_share() -> None:
    ids = [uuid.UUID(int=number * 7919 + 13) for number in range(4000)]
    first = [held_out(public_id, 0.1) for public_id in ids]
    assert first == [held_out(public_id, 0.1) for public_id in ids]
    assert 0.085 < sum(first) / len(ids) < 0.115
    assert not any(held_out(public_id, 0.0) for public_id in ids[:500])
    assert all(held_out(public_id, 1.0) for public_id in ids[:500])


def test_held_out_and_direct_channel_conversations_go_straight_to_agents(alice: Customer) -> None:
    MeasurementPolicy.objects.update_or_create(pk=1, defaults={"holdout_share": 1.0})
    held = conversation_open(customer=alice)
    held.refresh_from_db()
    assert (held.status, held.automated, held.trigger) == ("waiting", False, "direct")
    assert held.events.filter(kind="conversation.direct", data__reason="hold-out").exists()
    # It is told what happens next, without the assistant's handoff introduction.
    assert not held.messages.filter(body__startswith="I want to connect you").exists()
    MeasurementPolicy.objects.filter(pk=1).update(holdout_share=0.0)
    assert conversation_open(customer=alice).status == "assistant"
    email = conversation_open(customer=alice, channel="email")
    email.refresh_from_db()
    assert (email.status, email.automated) == ("waiting", False)


# -- the survey and the rating ---------------------------------------------------------------------


def answer(conversation: Conversation, choice: str, contact: str = "") -> Any:
    offer = conversation.messages.exclude(actions={}).order_by("-seq")[0]
    return customer_choose(
        public_id=conversation.public_id,
        customer_id=conversation.customer_id,
        message_seq=offer.seq,
        choice=choice,
        contact=contact,
    )


@pytest.mark.usefixtures("knowledge_base")
def test_after_resolution_the_customer_answers_the_survey_in_the_chat(dana: Agent) -> None:
    from tests.support.factories import escalated_conversation

    conversation = escalated_conversation("Alice")
    conversation_join(public_id=conversation.public_id, agent=dana)
    conversation_resolve(public_id=conversation.public_id, agent=dana)
    first = conversation.messages.exclude(actions={}).order_by("-seq")[0]
    assert first.actions["kind"] == "survey_csat"
    assert [c["id"] for c in first.actions["choices"]] == [f"csat:{n}" for n in range(1, 6)]
    answer(conversation, "csat:4")
    answer(conversation, "repeat:no")
    answer(conversation, "comment", "Quick and <b>kind</b>")
    survey = Survey.objects.get(conversation=conversation)
    assert (survey.satisfaction, survey.repeated, survey.comment) == (
        4,
        False,
        "Quick and <b>kind</b>",
    )
    assert survey.answered_at is not None
    assert conversation.messages.order_by("-seq")[0].body == "Thank you, that helps us a lot."
    with pytest.raises(ChatError):  # one answer per question
        customer_choose(
            public_id=conversation.public_id,
            customer_id=conversation.customer_id,
            message_seq=first.seq,
            choice="csat:1",
        )
    assert Survey.objects.get(conversation=conversation).satisfaction == 4


def test_a_conversation_never_handed_over_gets_no_survey(dana: Agent, alice: Customer) -> None:
    conversation = conversation_open(customer=alice)
    conversation_join(public_id=conversation.public_id, agent=dana)
    conversation_resolve(public_id=conversation.public_id, agent=dana)
    assert not Survey.objects.exists()


@pytest.mark.usefixtures("knowledge_base")
def test_the_agent_rates_the_handoff_in_one_click_and_may_change_it(
    dana: Agent, sam: Agent
) -> None:
    from tests.support.factories import escalated_conversation

    conversation = escalated_conversation("Alice")
    conversation_join(public_id=conversation.public_id, agent=dana)
    client = Client()
    client.force_login(dana.user)
    page = client.get(f"/agent/conversations/{conversation.public_id}/")
    assert b"How was this handoff?" in page.content
    url = f"/agent/conversations/{conversation.public_id}/rate/"
    response = client.post(
        url, {"verdict": "missing", "missing": "<i>the order number</i>"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"&lt;i&gt;the order number&lt;/i&gt;" in response.content
    client.post(url, {"verdict": "prepared"}, HTTP_HX_REQUEST="true")
    rating = HandoffRating.objects.get()
    assert (rating.agent, rating.verdict, rating.missing) == (dana, "prepared", "")
    other = Client()
    other.force_login(sam.user)
    refused = other.post(url, {"verdict": "prepared"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert HandoffRating.objects.count() == 1
    with pytest.raises(ChatError):
        handoff_rate(conversation=conversation, agent=dana, verdict="excellent")


# -- the dashboard, CSV and /metrics ---------------------------------------------------------------


def test_the_dashboard_is_for_staff_and_filters_by_date(
    fixtures: dict[str, Conversation], supervisor_user: Any, dana: Agent
) -> None:
    url = "/supervisor/?start=2026-11-02&end=2026-11-04"
    assert Client().get(url).status_code == 302  # to the login page
    agent = Client()
    agent.force_login(dana.user)
    assert agent.get(url).status_code == 302
    staff = Client()
    staff.force_login(supervisor_user)
    page = staff.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert "Knowledge gaps" in html
    assert "about refund 2" in html
    assert "40.0%" in html  # explicit requests: 2 of 5
    narrower = staff.get("/supervisor/?start=2026-11-04&end=2026-11-04").content.decode()
    assert "about refund 2" not in narrower
    bad = staff.get("/supervisor/?start=2026-11-05&end=2026-11-01")
    assert "The start must not be after the end." in bad.content.decode()


def test_every_table_exports_as_csv_with_formulas_defused(
    fixtures: dict[str, Conversation], supervisor_user: Any
) -> None:
    MessageAnalysis.objects.filter(intent="refund").update(intent="=HYPERLINK(1)")
    staff = Client()
    staff.force_login(supervisor_user)
    for name in [
        "triggers",
        "trend",
        "gaps",
        "boundaries",
        "intents",
        "quality_trigger",
        "quality_agent",
        "comments",
        "comparison",
    ]:
        response = staff.get(f"/supervisor/export/{name}.csv?start=2026-11-02&end=2026-11-04")
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert len(rows[0]) >= 3, name
    intents = list(
        csv.reader(
            io.StringIO(
                staff.get(
                    "/supervisor/export/intents.csv?start=2026-11-02&end=2026-11-04"
                ).content.decode()
            )
        )
    )
    assert ["'=hyperlink(1)", "'=HYPERLINK(1)", "3", "2", "0.6667"] in intents
    assert staff.get("/supervisor/export/secrets.csv").status_code == 404


def test_prometheus_metrics_need_the_token(
    fixtures: dict[str, Conversation], settings: Any
) -> None:
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret"
    assert Client().get("/metrics").status_code == 401
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'helpdesk_escalations_total{trigger="explicit_request"} 3' in text
    assert "helpdesk_queue_length 0" in text
    assert "# TYPE helpdesk_websocket_connections gauge" in text


def test_a_never_automated_conversation_has_no_assistant_and_no_handoff_to_rate(
    alice: Customer, dana: Agent
) -> None:
    MeasurementPolicy.objects.update_or_create(pk=1, defaults={"holdout_share": 1.0})
    held = conversation_open(customer=alice)
    conversation_join(public_id=held.public_id, agent=dana)
    assert not held.messages.filter(
        author_kind="assistant", body__contains="I have shared"
    ).exists()
    with pytest.raises(ChatError) as refused:
        handoff_rate(
            conversation=Conversation.objects.get(pk=held.pk), agent=dana, verdict="prepared"
        )
    assert refused.value.code == "not_handed_over"


def test_a_period_longer_than_a_year_or_backwards_is_refused(supervisor_user: Any) -> None:
    staff = Client()
    staff.force_login(supervisor_user)
    too_long = staff.get("/supervisor/?start=2020-01-01&end=2026-01-01")
    assert "Choose at most 366 days." in too_long.content.decode()
    assert staff.get("/supervisor/?start=0001-01-01&end=9999-12-31").status_code == 200
    export = staff.get("/supervisor/export/trend.csv?start=2026-02-01&end=2026-01-01")
    assert export.status_code == 400


@pytest.mark.parametrize(
    "text",
    ["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "|cmd", "%0A", " =1+1", "\t=1", ";=cmd|' /C calc'!A0",
     ",=1", "\r\n@A1", "  ;, -1"],
)  # fmt: skip
def test_every_formula_form_is_defused_in_a_csv_cell(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["refund", "a=b", "2026-11-02", 3, -4, 0.5, "Ça va"])
def test_ordinary_values_are_left_as_they_are(value: Any) -> None:
    assert csv_cell(value) == value
