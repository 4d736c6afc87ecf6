"""The assistant's turn on the database: answer, or escalate in the same response, and record why."""

from typing import Any

import pytest
from django.test import override_settings

from escalation.engine import default_policy
from escalation.models import Escalation, SentimentPolicy
from helpdesk.flows import conversation_open, customer_turn_handle
from helpdesk.flows.turn import earlier_reading, history_before
from helpdesk.models import (
    Conversation,
    ConversationEvent,
    Customer,
    KnowledgeArticle,
    Message,
    MessageAnalysis,
)
from helpdesk.services import message_post
from tests.support.factories import say
from tests.support.fakes import FakeLLM

pytestmark = pytest.mark.usefixtures("knowledge_base")


def test_a_question_is_answered_from_its_article_and_the_analysis_is_kept(
    alice_conversation: Conversation,
) -> None:
    outcome = say(alice_conversation, "How do I return an item?")
    article = KnowledgeArticle.objects.get(title="Return policy")
    assert [reply.body for reply in outcome.replies] == [article.body]
    assert outcome.replies[0].author_kind == "assistant"
    assert outcome.escalation is None
    analysis = MessageAnalysis.objects.get(message__conversation=alice_conversation)
    assert (analysis.intent, analysis.article, analysis.answered, analysis.resolution_type) == (
        "return_item",
        article,
        True,
        "return_item",
    )
    assert analysis.details["articles"][0]["title"] == "Return policy"
    event = ConversationEvent.objects.get(
        conversation=alice_conversation, kind="assistant.answered"
    )
    assert event.data["article"] == article.pk
    alice_conversation.refresh_from_db()
    assert alice_conversation.status == "assistant"


def test_an_explicit_request_escalates_in_the_same_response(
    alice_conversation: Conversation,
) -> None:
    outcome = say(alice_conversation, "I want to speak to a human")
    assert outcome.escalation is not None
    assert (outcome.escalation.category, outcome.escalation.rule) == (
        "explicit_request",
        "asks_for_person",
    )
    assert outcome.escalation.evidence == {"matched": "human"}
    assert len(outcome.replies) == 1
    assert outcome.replies[0].body.startswith("I want to connect you with a specialist")
    assert "cannot" not in outcome.replies[0].body
    alice_conversation.refresh_from_db()
    assert alice_conversation.status == "waiting"
    event = ConversationEvent.objects.get(
        conversation=alice_conversation, kind="conversation.escalated"
    )
    assert (event.data["category"], event.data["rule"]) == ("explicit_request", "asks_for_person")


def test_the_handoff_is_written_in_the_customers_language(alice_conversation: Conversation) -> None:
    outcome = say(alice_conversation, "Necesito hablar con un humano")
    assert outcome.replies[0].body.startswith("Quiero ponerte en contacto con un especialista")


def test_a_capability_escalation_records_skill_and_urgency(
    alice_conversation: Conversation,
) -> None:
    outcome = say(alice_conversation, "My account was hacked, someone changed my password")
    assert outcome.escalation is not None
    assert outcome.escalation.category == "capability"
    assert outcome.escalation.urgency == "critical"
    assert outcome.escalation.skill is not None
    assert outcome.escalation.skill.code == "accounts"
    assert outcome.escalation.boundary is not None


def test_after_escalation_the_assistant_stays_quiet(alice_conversation: Conversation) -> None:
    say(alice_conversation, "I want to speak to a human")
    answered = alice_conversation.messages.filter(author_kind="assistant").count()
    outcome = say(alice_conversation, "Where is my order?")
    # Only the notice that the message was added (escalation/transition.py), no answer.
    assert [reply.author_kind for reply in outcome.replies] == ["system"]
    assert alice_conversation.messages.filter(author_kind="assistant").count() == answered
    assert Escalation.objects.count() == 1


def test_a_message_is_handled_once(alice_conversation: Conversation) -> None:
    stored = message_post(
        conversation_id=alice_conversation.pk, author_kind="customer", body="Where is my order?"
    )
    customer_turn_handle(message_id=stored.message.pk)
    assert customer_turn_handle(message_id=stored.message.pk).replies == []
    assert alice_conversation.messages.filter(author_kind="assistant").count() == 1


def test_sentiment_policy_from_admin_applies(alice_conversation: Conversation) -> None:
    SentimentPolicy.objects.update_or_create(pk=1, defaults={"consecutive": 1})
    outcome = say(alice_conversation, "This is the worst service I have ever had")
    assert outcome.escalation is not None
    assert outcome.escalation.category == "sentiment"


def test_the_default_policy_can_be_forced(alice_conversation: Conversation) -> None:
    SentimentPolicy.objects.update_or_create(pk=1, defaults={"consecutive": 1})
    stored = message_post(
        conversation_id=alice_conversation.pk,
        author_kind="customer",
        body="This is the worst service I have ever had",
    )
    outcome = customer_turn_handle(message_id=stored.message.pk, policy=default_policy())
    assert outcome.escalation is None


def test_an_agent_message_is_not_answered_by_the_assistant(
    alice_conversation: Conversation,
) -> None:
    stored = message_post(
        conversation_id=alice_conversation.pk, author_kind="agent", body="Where is my order?"
    )
    assert customer_turn_handle(message_id=stored.message.pk).replies == []
    assert Message.objects.filter(author_kind="assistant").count() == 0


@override_settings(
    ASSISTANT_RESPONDER="openai",
    ASSISTANT_LLM_BASE_URL="http://127.0.0.1:9/v1",
    ASSISTANT_LLM_TIMEOUT=0.5,
)
def test_with_an_unreachable_llm_the_triggers_still_decide(
    alice_conversation: Conversation,
) -> None:
    from assistant import runtime

    runtime.forget()
    try:
        explicit = say(alice_conversation, "Where is my order? I want a human")
    finally:
        runtime.forget()
    assert explicit.escalation is not None
    assert explicit.decision is not None
    # Explicit request first; the failed LLM call also shows as a confidence trigger.
    assert [hit.category for hit in explicit.decision.triggers] == [
        "explicit_request",
        "confidence",
    ]


def test_with_an_llm_responder_it_writes_the_reply_and_the_triggers_still_decide(
    alice_conversation: Conversation, llm: tuple[FakeLLM, str], settings: Any
) -> None:
    from assistant import runtime

    fake, url = llm
    settings.ASSISTANT_RESPONDER = "openai"
    settings.ASSISTANT_LLM_BASE_URL = url
    returns = KnowledgeArticle.objects.get(title="Return policy")
    fake.answer = {
        "reply": "Send it back within 30 days with the prepaid label.",
        "confidence": 0.9,
        "article_id": returns.pk,
    }
    runtime.forget()
    try:
        answered = say(alice_conversation, "How do I return an item?")
        # The LLM is sure of itself, but the customer asks for a person: the trigger decides.
        handed_over = say(alice_conversation, "Thanks. Now I want to speak to a human")
    finally:
        runtime.forget()
    assert [reply.body for reply in answered.replies] == [
        "Send it back within 30 days with the prepaid label."
    ]
    assert MessageAnalysis.objects.filter(article=returns, details__source="llm").count() == 1
    assert handed_over.escalation is not None
    assert handed_over.escalation.category == "explicit_request"
    assert len(fake.requests) == 2


def test_a_turn_decided_on_stale_history_is_decided_again(
    alice_conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two messages' turns overlap: the second read its history before the first finished."""
    from helpdesk.flows import turn as turns

    first = message_post(
        conversation_id=alice_conversation.pk, author_kind="customer", body="Where is my order?"
    )
    second = message_post(
        conversation_id=alice_conversation.pk,
        author_kind="customer",
        body="When will my order arrive?",
    )
    real = turns.get_assistant
    calls = {"n": 0}

    def overlapping() -> Any:
        calls["n"] += 1
        if calls["n"] == 1:  # the first turn lands while the second is analysing
            monkeypatch.setattr(turns, "get_assistant", real)
            customer_turn_handle(message_id=first.message.pk)
            monkeypatch.setattr(turns, "get_assistant", overlapping)
        return real()

    monkeypatch.setattr(turns, "get_assistant", overlapping)
    customer_turn_handle(message_id=second.message.pk)
    analysis = MessageAnalysis.objects.get(message=second.message)
    assert len(analysis.details["similarities"]) == 1  # decided again, with the first in view
    assert alice_conversation.messages.filter(author_kind="assistant").count() == 2


def test_a_spanish_customer_gets_the_spanish_article(alice_conversation: Conversation) -> None:
    from helpdesk import demo_data

    for row in demo_data.article_rows():
        if row["language"] == "es":
            KnowledgeArticle.objects.create(**row)
    outcome = say(alice_conversation, "¿Dónde está mi pedido?")
    spanish = KnowledgeArticle.objects.get(language="es", intents="order_status")
    assert [reply.body for reply in outcome.replies] == [spanish.body]


def test_writing_in_another_language_moves_the_conversation_to_it(
    alice_conversation: Conversation,
) -> None:
    """The reply is in the language the customer wrote in, and so is the chat from then on (its
    page, the texts people send while the customer waits); a message with no telling word
    leaves it where it is."""
    say(alice_conversation, "¿Dónde está mi pedido? No ha llegado todavía.")
    alice_conversation.refresh_from_db()
    assert alice_conversation.language == "es"
    say(alice_conversation, "ok")
    alice_conversation.refresh_from_db()
    assert alice_conversation.language == "es"
    say(alice_conversation, "Where is my parcel? It has not arrived yet.")
    alice_conversation.refresh_from_db()
    assert alice_conversation.language == "en"


def test_the_history_reads_the_two_details_the_engine_needs_in_one_statement(
    django_assert_num_queries: Any,
) -> None:
    """The engine's view of earlier turns comes from one query that leaves the analyses'
    details (their largest column) in the database but for known_words and rephrase."""
    conversation = conversation_open(customer=Customer.objects.create(name="Hist"))
    for text in ["Where is my order?", "How do I return shoes?", "Do you ship to Chile?"]:
        say(conversation, text)
    rows = list(
        MessageAnalysis.objects.filter(message__conversation=conversation).order_by("message__seq")
    )
    assert len(rows) == 3
    MessageAnalysis.objects.filter(pk=rows[1].pk).update(
        details={**rows[1].details, "known_words": 0.25, "rephrase": True}
    )
    MessageAnalysis.objects.filter(pk=rows[2].pk).update(details={"ranking": []})  # keys absent
    last = message_post(conversation_id=conversation.pk, author_kind="customer", body="Thanks")
    with django_assert_num_queries(1):
        lines = [line for line in history_before(last.message) if hasattr(line, "analysis")]
        readings = [earlier_reading(line) for line in lines]
    assert all("details" in line.analysis.get_deferred_fields() for line in lines)
    assert [(r.known_words, r.rephrase_requested) for r in readings] == [
        (float(rows[0].details["known_words"]), bool(rows[0].details["rephrase"])),
        (0.25, True),
        (1.0, False),
    ]
    assert [r.intent for r in readings] == [row.intent for row in rows]
