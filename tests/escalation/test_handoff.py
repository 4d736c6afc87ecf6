"""The handoff package: built when the assistant escalates, refreshed as a new version after."""

from datetime import timedelta

import pytest

from escalation.handoff import PACKAGE_KEYS, CustomerLine, customer_requests
from escalation.models import Callback, HandoffPackage
from escalation.reasons import topic, why_a_person
from escalation.services import handoff_refresh
from helpdesk.flows import conversation_open
from helpdesk.models import Conversation, Customer
from routing.models import Team
from tests.support.factories import customer_writes, say
from tests.support.waiting import TUESDAY_10, at, choose, escalate, offered_slots, run_timers

pytestmark = pytest.mark.usefixtures("knowledge_base")


def latest(conversation: Conversation) -> HandoffPackage:
    package = conversation.handoffs.order_by("-version").first()
    assert package is not None, "no handoff package stored"
    return package


def test_escalating_stores_version_one_with_everything_the_agent_needs(
    alice_conversation: Conversation,
) -> None:
    say(alice_conversation, "How do I return an item?")
    say(alice_conversation, "I want a refund for order 4411")
    # A call back from a person is a request for a person: the handoff starts here.
    outcome = say(alice_conversation, "Please call me tomorrow at 10am")
    assert outcome.escalation is not None

    package = latest(alice_conversation)
    data = package.data
    assert package.version == 1
    assert set(data) == set(PACKAGE_KEYS)  # PostgreSQL keeps JSON keys in its own order
    # The transcript is complete, in order, with timestamps, the handoff notice included.
    assert [line["seq"] for line in data["transcript"]] == list(range(1, package.last_seq + 1))
    assert data["transcript"][0] == {
        "seq": 1,
        "author_kind": "customer",
        "author": "Alice Martin",
        "body": "How do I return an item?",
        "created_at": data["transcript"][0]["created_at"],
    }
    assert data["transcript"][0]["created_at"].startswith("20")
    assert data["trigger"]["category"] == "explicit_request"
    assert data["trigger"]["at_message"] == 5
    assert data["customer"]["tier"] == "premium"
    assert data["customer"]["customer_since"] == "2022-05-01"
    assert data["customer"]["tenure_days"] > 365
    assert [item["article"] for item in data["assessment"]["attempted"]] == [
        "Return policy",
        "Refund status and timing",
    ]
    requests = {(item["kind"], item["when"]) for item in data["customer_requests"]}
    assert requests == {("refund", ""), ("callback", "tomorrow at 10am")}
    titles = [article["title"] for article in data["knowledge_articles"]]
    assert "Return policy" in titles
    assert "Refund status and timing" in titles
    assert all(article["score"] > 0 for article in data["knowledge_articles"])
    assert data["classification"]["issue_type"]["code"] == "refund"  # the latest of two topics
    assert data["classification"]["complexity"]["level"] in {"moderate", "complex"}
    assert len(data["summary"].splitlines()) == 3
    assert "call me tomorrow at 10am" in data["summary"]


def test_relevant_articles_are_about_the_customers_problem_or_there_are_none(
    alice_conversation: Conversation,
) -> None:
    # "order" and "change" are in "Changing the items in an order"; the problem is a charge.
    say(alice_conversation, "you charged me twice for one order, change that now")
    say(alice_conversation, "I want to speak to a human")
    assert latest(alice_conversation).data["knowledge_articles"] == []


def test_the_article_on_the_customers_topic_is_relevant_though_no_word_matches(
    alice_conversation: Conversation,
) -> None:
    say(alice_conversation, "it has been two weeks and still nothing has arrived")
    say(alice_conversation, "I want to speak to a human")
    titles = [item["title"] for item in latest(alice_conversation).data["knowledge_articles"]]
    assert titles == ["Tracking your order"]


def test_the_package_is_refreshed_as_a_new_version_and_only_when_something_changed(
    alice_conversation: Conversation, after_commit
) -> None:
    say(alice_conversation, "I want to speak to a human")
    assert latest(alice_conversation).version == 1
    # Embedded default: Celery runs eagerly, so the message's commit refreshes the package.
    with after_commit(execute=True):
        customer_writes(alice_conversation, "Also, I need the invoice for order 4411")
    package = latest(alice_conversation)
    assert package.version == 2
    said = [line for line in package.data["transcript"] if line["author_kind"] == "customer"]
    assert said[-1]["body"] == "Also, I need the invoice for order 4411"
    # The notice the customer was shown ("added to your conversation") came after that version:
    # the next refresh takes it in, and one more finds nothing new.
    settled = handoff_refresh(conversation_id=alice_conversation.pk)
    assert settled is not None
    assert settled.version == 3
    assert settled.data["transcript"][-1]["author_kind"] == "system"
    assert handoff_refresh(conversation_id=alice_conversation.pk) == settled
    assert alice_conversation.handoffs.count() == 3


def test_a_capability_boundary_sets_issue_type_urgency_and_complexity(
    alice_conversation: Conversation,
) -> None:
    outcome = say(alice_conversation, "Someone hacked my account and changed my email address")
    assert outcome.escalation is not None
    assert outcome.escalation.category == "capability"
    classification = latest(alice_conversation).data["classification"]
    assert classification["issue_type"]["code"] == "account-compromised"
    assert classification["urgency"]["level"] == "critical"
    assert classification["complexity"]["level"] != "simple"
    assert any("boundary" in reason for reason in classification["issue_type"]["reasons"])


def test_a_vip_raises_the_urgency_and_says_why(alice: Customer) -> None:
    Customer.objects.filter(pk=alice.pk).update(tier="vip")
    conversation = conversation_open(customer=Customer.objects.get(pk=alice.pk))
    say(conversation, "I want to speak to a human")
    urgency = latest(conversation).data["classification"]["urgency"]
    assert urgency["level"] == "high"
    assert urgency["reasons"] == [
        "normal to start with (asked for a person)",
        "raised: a VIP customer",
    ]


def test_the_summary_speaks_plainly_and_keeps_the_codes_for_hover(
    alice_conversation: Conversation,
) -> None:
    say(alice_conversation, "Someone hacked my account and changed my email address")
    data = latest(alice_conversation).data
    lines = data["summary"].splitlines()
    assert lines[0].startswith("Hacked or compromised account (critical urgency).")
    assert lines[1] == "Why a person: needs a person: Hacked or compromised account."
    assert data["trigger"]["rule"] == "account-compromised:intent"  # the code stays, for hover
    assert data["assessment"]["needs"] == "Account may be hacked"
    for text in [data["summary"], *data["classification"]["urgency"]["reasons"]]:
        assert "_" not in text  # no code such as account_compromised or 2_consecutive_negative


@pytest.mark.parametrize(
    ("category", "rule", "boundary", "said"),
    [
        ("explicit_request", "asks_for_person", None, "Asked for a person"),
        ("explicit_request", "call_me", None, "Asked to be called back"),
        ("sentiment", "2_consecutive_negative", None, "Upset in two messages in a row"),
        (
            "loop",
            "same_question_again",
            None,
            "Asked the same thing again after the assistant's answers",
        ),
        ("confidence", "classification", None, "The assistant was not sure what they meant"),
        (
            "capability",
            "intent:duplicate_charge",
            None,
            "Always handled by a person: Charged twice",
        ),
        ("capability", "legal:phrase", "Legal threats", "Needs a person: Legal threats"),
    ],
)
def test_each_trigger_reads_as_a_phrase(
    category: str, rule: str, boundary: str | None, said: str
) -> None:
    assert why_a_person(category, rule, boundary) == said


def test_the_customers_other_conversations_are_linked(
    alice: Customer, alice_conversation: Conversation
) -> None:
    earlier = conversation_open(customer=alice)
    Conversation.objects.filter(pk=earlier.pk).update(status="resolved")
    still_open = conversation_open(customer=alice)
    say(alice_conversation, "I want to speak to a human")
    related = latest(alice_conversation).data["related"]
    assert [item["id"] for item in related["open_conversations"]] == [str(still_open.public_id)]
    assert [item["id"] for item in related["recent_interactions"]] == [str(earlier.public_id)]


def test_no_package_before_an_escalation(alice_conversation: Conversation) -> None:
    say(alice_conversation, "How do I return an item?")
    assert handoff_refresh(conversation_id=alice_conversation.pk) is None
    assert not HandoffPackage.objects.exists()


def turn(text: str, seq: int = 1) -> CustomerLine:
    return CustomerLine(
        seq=seq, text=text, intent="", confidence=0.0, sentiment=0.0, answered=False, article=""
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want my money back", [("refund", "I want my money back")]),
        ("Quiero un reembolso, por favor", [("refund", "Quiero un reembolso, por favor")]),
        (
            "Thanks. Could you send me a replacement?",
            [("replacement", "Could you send me a replacement?")],
        ),
        ("Give me a call on Monday morning", [("callback", "Give me a call on Monday morning")]),
        ("The refund arrived yesterday, all good", []),  # a statement, not a request
        ("I want to say hello", []),  # a request for nothing the agent must do
    ],
)
def test_requests_are_the_sentences_that_ask_for_something(
    text: str, expected: list[tuple[str, str]]
) -> None:
    found = customer_requests([turn(text)])
    assert [(item["kind"], item["text"]) for item in found] == expected


def test_a_callback_is_labelled_with_the_customers_problem(london: Team) -> None:
    customer = Customer.objects.create(name="Alice", email="alice@example.com")
    with at(TUESDAY_10):
        conversation = escalate(customer, "I ordered size 42 and got 38. I want a person")
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    with at(TUESDAY_10 + timedelta(minutes=11)):
        choose(conversation, "callback")
        choose(conversation, offered_slots(conversation)[0], contact="+44 20 7946 0958")
    summary = Callback.objects.get(conversation=conversation).summary
    assert summary == f'{topic("return_item")}: "I ordered size 42 and got 38. I want a person"'
