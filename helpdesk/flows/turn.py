"""The assistant's turn on one stored customer message: analyse it, let the escalation engine
decide, then answer from the knowledge base or hand over to people.

Safe to run twice: what it decided is stored under the conversation's lock, and a message that
already has its analysis is left alone. helpdesk.flows.owed decides when and where it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from assistant.analysis import Analysis, Earlier
from assistant.repetition import sounds_restated
from assistant.runtime import Assistant, get_assistant
from escalation.emergency import urgency_recheck
from escalation.engine import Decision, MessageReading, Policy, evaluate
from escalation.models import Escalation
from escalation.selectors import policy_from_db
from escalation.services import conversation_escalate
from escalation.texts import fallback_text, person_declined_text, rephrase_text
from escalation.transition import waiting_message_acknowledge
from helpdesk.models import Conversation, ConversationEvent, Message, MessageAnalysis
from helpdesk.selectors import conversation_locked_raw
from helpdesk.services import conversation_language_set, event_record, message_add


@dataclass(frozen=True)
class TurnOutcome:
    replies: list[Message]
    decision: Decision | None = None
    escalation: Escalation | None = None


def customer_turn_handle(
    *, message_id: int, policy: Policy | None = None, assistant: Assistant | None = None
) -> TurnOutcome:
    """Answer or escalate one stored customer message, once. Only while the assistant has the
    conversation: once people have it, the assistant stays quiet. `policy` and `assistant`
    default to the configured ones (replay passes its own)."""
    for _ in range(3):  # another message's turn may finish meanwhile: then read history again
        message = Message.objects.select_related("conversation").get(pk=message_id)
        if message.conversation.status in WAITING_FOR_PEOPLE:
            # People have it: the assistant only says the message was added, and listens for an
            # urgent turn off-hours.
            if urgency_recheck(message_id=message_id):
                return TurnOutcome(replies=[])
            return TurnOutcome(replies=waiting_message_acknowledge(message))
        outcome = _attempt(message, policy, assistant)
        if outcome is not None:
            return outcome
    raise RuntimeError(f"message {message_id}: the conversation kept changing under its turn")


WAITING_FOR_PEOPLE = (Conversation.Status.WAITING, *Conversation.SCHEDULED_STATUSES)
TRANSCRIPT_LINES = 10  # what the assistant reads back for context


def _attempt(
    message: Message, policy: Policy | None, assistant: Assistant | None
) -> TurnOutcome | None:
    conversation = message.conversation
    if (
        message.author_kind != Message.AuthorKind.CUSTOMER
        or conversation.status != Conversation.Status.ASSISTANT
    ):
        return TurnOutcome(replies=[])
    history = history_before(message)
    earlier = [line for line in history if hasattr(line, "analysis")]
    assistant = assistant or get_assistant()
    policy = policy or policy_from_db()
    analysis = assistant.analyse(
        message.body,
        customer_language=conversation.language,
        earlier=[
            Earlier(
                line.body,
                line.analysis.intent,
                line.analysis.answered,
                line.analysis.sentiment_score,
            )
            for line in earlier
        ],
        transcript=[(line.author_kind, line.body) for line in history[-TRANSCRIPT_LINES:]],
        boundary_examples={b.code: b.examples for b in policy.boundaries if b.examples},
    )
    info = assistant.intents.get(analysis.intent.intent)
    turn = turn_from_analysis(
        analysis.text, analysis, hand_over=info is not None and info.handling == "hand_over"
    )
    decision = evaluate(
        turn, [earlier_reading(line) for line in earlier], analysis.similarities, policy
    )
    return _record(conversation, message, analysis, decision, history_size=len(earlier))


def _record(
    conversation: Conversation,
    message: Message,
    analysis: Analysis,
    decision: Decision,
    *,
    history_size: int,
) -> TurnOutcome | None:
    """Store the turn under the conversation's lock; None when the history it was decided on
    changed meanwhile (another message's turn finished), so the caller decides again."""
    with transaction.atomic():
        locked = _locked_with_history(conversation.pk, message)
        if locked.status != Conversation.Status.ASSISTANT or locked.answered:
            return TurnOutcome(replies=[])  # an agent took over, or another worker answered
        if locked.history != history_size:
            return None
        answered = not decision.escalate and not decision.rephrase and bool(analysis.draft.text)
        answered = answered and not decision.declined
        _store_analysis(message, analysis, decision, answered=answered)
        # The reply is in the language the customer wrote in; so is the page from now on.
        conversation_language_set(locked=locked, language=analysis.language)
        if decision.escalate:
            escalation = conversation_escalate(
                conversation=locked, message=message, decision=decision, language=analysis.language
            )
            return TurnOutcome(
                replies=list(locked.messages.filter(seq__gt=message.seq)),
                decision=decision,
                escalation=escalation,
            )
        reply = message_add(
            locked=locked,
            author_kind=Message.AuthorKind.ASSISTANT,
            body=_reply_text(analysis, decision),
        )
        event_record(
            conversation=locked,
            kind=_reply_kind(analysis, decision),
            actor_kind=ConversationEvent.ActorKind.ASSISTANT,
            data={
                "message_seq": message.seq,
                "intent": analysis.intent.intent,
                "intent_confidence": analysis.intent.confidence,
                "response_confidence": analysis.draft.confidence,
                "article": analysis.draft.article.id if analysis.draft.article else None,
                "source": analysis.draft.source,
                # The unsure reading that made the assistant ask instead of answer.
                "triggers": [hit.as_dict() for hit in decision.triggers],
            },
        )
    return TurnOutcome(replies=[reply], decision=decision)


def _locked_with_history(conversation_id: int, message: Message) -> Any:
    """The conversation, locked, with whether `message` has its turn already (`answered`) and
    how many earlier messages have theirs (`history`): one statement, written by hand (through
    the ORM, composing and compiling it cost a sixth of an answered turn). The customer is read
    only by a handoff, when it needs them."""
    values = [message.pk, conversation_id, message.seq, conversation_id]
    conversation = conversation_locked_raw(_LOCKED_WITH_HISTORY, values)
    if conversation is None:
        raise Conversation.DoesNotExist(f"conversation {conversation_id}")
    return conversation


_LOCKED_WITH_HISTORY = f"""
SELECT c.*,
  EXISTS (SELECT 1 FROM {MessageAnalysis._meta.db_table} a WHERE a.message_id = %s) AS answered,
  (SELECT COUNT(*) FROM {MessageAnalysis._meta.db_table} a
     JOIN {Message._meta.db_table} m ON m.id = a.message_id
     WHERE m.conversation_id = %s AND m.seq < %s) AS history
FROM {Conversation._meta.db_table} c
WHERE c.id = %s"""  # noqa: S608 (table names from the models; every value is a parameter)


def _reply_text(analysis: Analysis, decision: Decision) -> str:
    """Never empty: with no answer and no trigger allowed to hand over, the fallback text."""
    if decision.rephrase:
        return rephrase_text(analysis.language)
    if decision.declined:
        return person_declined_text(analysis.language)
    return analysis.draft.text or fallback_text(analysis.language)


def _reply_kind(analysis: Analysis, decision: Decision) -> str:
    if decision.rephrase:
        return ConversationEvent.Kind.ASSISTANT_REPHRASE_REQUESTED
    if decision.declined:
        return ConversationEvent.Kind.ASSISTANT_PERSON_REQUEST_DECLINED
    return (
        ConversationEvent.Kind.ASSISTANT_ANSWERED
        if analysis.draft.text
        else ConversationEvent.Kind.ASSISTANT_FALLBACK
    )


def _store_analysis(
    message: Message, analysis: Analysis, decision: Decision, *, answered: bool
) -> MessageAnalysis:
    draft = analysis.draft
    return MessageAnalysis.objects.create(
        message=message,
        language=analysis.language,
        intent=analysis.intent.intent,
        intent_confidence=analysis.intent.confidence,
        sentiment=analysis.sentiment.label,
        sentiment_score=analysis.sentiment.score,
        article_id=draft.article.id if draft.article else None,
        response_confidence=draft.confidence,
        resolution_type=draft.resolution_type if answered else "",
        answered=answered,
        details={
            "ranking": [list(pair) for pair in analysis.intent.ranking],
            "known_words": analysis.intent.known_words,
            "sentiment_cues": list(analysis.sentiment.cues),
            "similarities": analysis.similarities,
            "articles": [
                {"id": item.article.id, "title": item.article.title, "score": item.relevance}
                for item in analysis.relevant
            ],
            "source": draft.source,
            "triggers": [hit.as_dict() for hit in decision.triggers],
            "rephrase": decision.rephrase,
            "declined": list(decision.declined),
            "person": {
                "asked": analysis.person.asked,
                "rule": analysis.person.rule,
                "probability": analysis.person.probability,
                "declined": analysis.person.declined,
            },
            "context": analysis.context,
            "problem": (
                [analysis.problem.intent, analysis.problem.confidence] if analysis.problem else None
            ),
            "boundary_similarity": {
                code: [match.score, match.nearest]
                for code, match in analysis.example_matches.items()
            },
        },
    )


def turn_from_analysis(text: str, analysis: Analysis, *, hand_over: bool = False) -> MessageReading:
    person = analysis.person
    return MessageReading(
        text=text,
        intent=analysis.intent.intent,
        intent_confidence=analysis.intent.confidence,
        known_words=analysis.intent.known_words,
        sentiment_score=analysis.sentiment.score,
        response_confidence=analysis.draft.confidence,
        resolution_type=analysis.draft.resolution_type,
        asks_for_person=person.asked,
        person_rule=person.rule,
        person_matched=person.matched,
        person_probability=person.probability,
        person_declined=person.declined,
        hand_over=hand_over,
        sounds_restated=sounds_restated(text),
        example_scores={
            code: (match.score, match.nearest) for code, match in analysis.example_matches.items()
        },
    )


def history_before(message: Message) -> list[Message]:
    """One read for the whole history before `message`: the earlier turns' analyses and the
    recent transcript. Of each analysis's details (the largest column, decoded row by row),
    only the two keys the engine reads come back, as `known_words` and `rephrase`."""
    return list(
        Message.objects.filter(conversation_id=message.conversation_id, seq__lt=message.seq)
        .select_related("analysis")
        .defer("analysis__details")
        .annotate(
            known_words=F("analysis__details__known_words"),
            rephrase=F("analysis__details__rephrase"),
        )
        .order_by("seq")
    )


def earlier_reading(line: Message) -> MessageReading:
    """An earlier message with its analysis, as the engine reads it (read by history_before)."""
    row = line.analysis
    known_words = line.known_words  # type: ignore[attr-defined]
    return MessageReading(
        text=line.body,
        intent=row.intent,
        intent_confidence=row.intent_confidence,
        known_words=1.0 if known_words is None else float(known_words),
        sentiment_score=row.sentiment_score,
        response_confidence=row.response_confidence,
        resolution_type=row.resolution_type,
        answered=row.answered,
        rephrase_requested=bool(line.rephrase),  # type: ignore[attr-defined]
    )
