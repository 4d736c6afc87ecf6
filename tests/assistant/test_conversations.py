"""Customers as they write, through the real turn handler and the shipped model: our own
conversations in four languages (tests/assistant/data/conversations.jsonl, written for these
tests: examples, not the measure), and what the assistant says in each kind of moment."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from escalation.models import (
    CapabilityBoundary,
    ConfidencePolicy,
    ExplicitRequestPolicy,
    LoopPolicy,
    SentimentPolicy,
)
from helpdesk.models import Conversation, ConversationEvent, KnowledgeArticle, MessageAnalysis
from tests.support.factories import say

CONVERSATIONS = Path(__file__).parent / "data" / "conversations.jsonl"


@pytest.mark.django_db
def test_our_conversations_in_four_languages_get_the_expected_decisions() -> None:
    out = StringIO()
    call_command("replay", "--default-policy", str(CONVERSATIONS), stdout=out)
    expected = {
        item["id"]: item["expect"]
        for item in map(json.loads, CONVERSATIONS.read_text().splitlines())
    }
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {result["id"] for result in results} == set(expected)
    wrong = [
        (result["id"], result["trigger"], result["at_message"])
        for result in results
        if (result["trigger"], result["at_message"])
        != (expected[result["id"]]["trigger"], expected[result["id"]].get("at"))
    ]
    assert wrong == []


@pytest.mark.usefixtures("knowledge_base")
def test_a_short_follow_up_is_answered_from_the_question_it_follows(
    alice_conversation: Conversation,
) -> None:
    say(alice_conversation, "I'd like to cancel order 20931")
    outcome = say(alice_conversation, "is there a fee?")
    cancelling = KnowledgeArticle.objects.get(title="Cancelling an order")
    assert [reply.body for reply in outcome.replies] == [cancelling.body]
    analysis = MessageAnalysis.objects.get(message__body="is there a fee?")
    assert analysis.details["context"] == "follow_up:0"


@pytest.mark.usefixtures("knowledge_base")
def test_an_off_topic_question_after_a_store_one_stays_off_topic(
    alice_conversation: Conversation,
) -> None:
    say(alice_conversation, "do you ship to austria?")
    outcome = say(alice_conversation, "what's a good rate for a 25 year mortgage these days?")
    assert outcome.escalation is not None
    assert outcome.escalation.category == "confidence"


@pytest.mark.usefixtures("knowledge_base")
def test_a_restatement_is_caught_at_the_third_asking_not_cut_short_at_the_second(
    alice_conversation: Conversation,
) -> None:
    first = say(alice_conversation, "how do I return an item?")
    second = say(alice_conversation, "sorry, so how do I send something back?")
    assert first.escalation is None
    assert second.escalation is None
    third = say(alice_conversation, "I'm asking again: what do I do to return a product?")
    assert third.escalation is not None
    assert third.escalation.category == "loop"


@pytest.mark.usefixtures("knowledge_base")
def test_with_every_trigger_off_an_unanswerable_message_gets_the_fallback_text(
    alice_conversation: Conversation,
) -> None:
    for policy in (ExplicitRequestPolicy, SentimentPolicy, ConfidencePolicy, LoopPolicy):
        row = policy.load()
        row.enabled = False
        row.save()
    CapabilityBoundary.objects.update(enabled=False)
    outcome = say(alice_conversation, "what's the capital of australia?")
    assert outcome.escalation is None
    assert [reply.body for reply in outcome.replies] == [
        "I'm sorry, I can't answer that one here. Could you put it another way, or ask me "
        "something else?"
    ]
    assert alice_conversation.events.filter(kind="assistant.fallback").exists()


@pytest.mark.usefixtures("knowledge_base")
def test_a_request_for_a_person_with_that_trigger_off_is_declined_not_escalated_otherwise(
    alice_conversation: Conversation,
) -> None:
    row = ExplicitRequestPolicy.load()
    row.enabled = False
    row.save()
    outcome = say(alice_conversation, "human please")
    assert outcome.escalation is None  # not handed over on confidence instead
    (reply,) = outcome.replies
    assert reply.body.startswith("Our team can't take chats here at the moment")
    event = alice_conversation.events.get(kind="assistant.person_request_declined")
    assert event.actor_kind == ConversationEvent.ActorKind.ASSISTANT
    analysis = MessageAnalysis.objects.get(message__body="human please")
    assert analysis.details["declined"] == ["explicit_request"]
    assert analysis.answered is False


@pytest.mark.usefixtures("knowledge_base")
def test_a_supervisors_boundary_catches_paraphrases_of_its_examples(
    alice_conversation: Conversation,
) -> None:
    CapabilityBoundary.objects.create(
        code="product-safety",
        name="Product safety",
        examples="the charger caught fire\nthe heater started smoking\nthe battery exploded\n"
        "I got an electric shock from the lamp\nmy child got burned by the kettle",
        similarity_threshold=0.5,
        urgency="high",
    )
    calm = say(alice_conversation, "how do I return a lamp I don't like?")
    assert calm.escalation is None
    outcome = say(alice_conversation, "sparks came out of the toaster when I plugged it in")
    assert outcome.escalation is not None
    assert outcome.escalation.rule == "product-safety:meaning"
    evidence = outcome.escalation.evidence
    assert evidence["similarity"] >= 0.5
    assert evidence["threshold"] == 0.5
    assert evidence["similar_to"] in CapabilityBoundary.objects.get(code="product-safety").examples
