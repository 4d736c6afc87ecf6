"""The assistant's turn: analyse a customer message, let the escalation engine decide, then
answer from the knowledge base or hand over to people, in the same response.

Lives beside services.py rather than in it because it calls into the escalation app, whose
services build on helpdesk.services: keeping it apart keeps the imports free of cycles.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from assistant.analysis import Analysis, Earlier
from assistant.repetition import sounds_restated
from assistant.runtime import Assistant, get_assistant
from escalation.emergency import urgency_recheck
from escalation.engine import Decision, Policy, Turn, evaluate
from escalation.models import Escalation
from escalation.selectors import policy_from_db
from escalation.services import conversation_escalate
from escalation.texts import fallback_text, person_declined_text, rephrase_text
from helpdesk.models import Conversation, ConversationEvent, Message, MessageAnalysis
from helpdesk.services import event_record, message_post


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
    waiting_for_people = (Conversation.Status.WAITING, *Conversation.SCHEDULED_STATUSES)
    if Message.objects.filter(pk=message_id, conversation__status__in=waiting_for_people).exists():
        # People have it: the assistant stays quiet, but listens for an urgent turn off-hours.
        urgency_recheck(message_id=message_id)
        return TurnOutcome(replies=[])
    for _ in range(3):  # another message's turn may finish meanwhile: then read history again
        outcome = _attempt(message_id, policy, assistant)
        if outcome is not None:
            return outcome
    raise RuntimeError(f"message {message_id}: the conversation kept changing under its turn")


def _attempt(
    message_id: int, policy: Policy | None, assistant: Assistant | None
) -> TurnOutcome | None:
    message = Message.objects.select_related("conversation").get(pk=message_id)
    conversation = message.conversation
    if (
        message.author_kind != Message.AuthorKind.CUSTOMER
        or conversation.status != Conversation.Status.ASSISTANT
        or MessageAnalysis.objects.filter(message=message).exists()
    ):
        return TurnOutcome(replies=[])
    earlier = list(
        MessageAnalysis.objects.filter(
            message__conversation=conversation, message__seq__lt=message.seq
        )
        .select_related("message")
        .order_by("message__seq")
    )
    assistant = assistant or get_assistant()
    policy = policy or policy_from_db()
    analysis = assistant.analyse(
        message.body,
        customer_language=conversation.language,
        earlier=[
            Earlier(row.message.body, row.intent, row.answered, row.sentiment_score)
            for row in earlier
        ],
        transcript=_transcript(conversation, before=message.seq),
        boundary_examples={b.code: b.examples for b in policy.boundaries if b.examples},
    )
    info = assistant.intents.get(analysis.intent.intent)
    turn = turn_from_analysis(
        analysis.text, analysis, hand_over=info is not None and info.handling == "hand_over"
    )
    decision = evaluate(
        turn, [_turn_from_row(row) for row in earlier], analysis.similarities, policy
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
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if (
            locked.status != Conversation.Status.ASSISTANT
            or MessageAnalysis.objects.filter(message=message).exists()
        ):
            return TurnOutcome(replies=[])  # an agent took over, or another worker answered
        earlier = MessageAnalysis.objects.filter(
            message__conversation=locked, message__seq__lt=message.seq
        )
        if earlier.count() != history_size:
            return None
        answered = not decision.escalate and not decision.rephrase and bool(analysis.draft.text)
        answered = answered and not decision.declined
        _store_analysis(message, analysis, decision, answered=answered)
        if decision.escalate:
            escalation = conversation_escalate(
                conversation=locked, message=message, decision=decision, language=analysis.language
            )
            return TurnOutcome(
                replies=list(locked.messages.filter(seq__gt=message.seq)),
                decision=decision,
                escalation=escalation,
            )
        reply = message_post(
            conversation_id=locked.pk,
            author_kind=Message.AuthorKind.ASSISTANT,
            body=_reply_text(analysis, decision),
        ).message
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


def _reply_text(analysis: Analysis, decision: Decision) -> str:
    """Never empty: with no answer and no trigger allowed to hand over, the fallback text."""
    if decision.rephrase:
        return rephrase_text(analysis.language)
    if decision.declined:
        return person_declined_text(analysis.language)
    return analysis.draft.text or fallback_text(analysis.language)


def _reply_kind(analysis: Analysis, decision: Decision) -> str:
    if decision.rephrase:
        return "assistant.rephrase_requested"
    if decision.declined:
        return "assistant.person_request_declined"
    return "assistant.answered" if analysis.draft.text else "assistant.fallback"


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
                {"id": hit.article.id, "title": hit.article.title, "score": hit.score}
                for hit in analysis.hits
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
            "boundary_similarity": {
                code: [match.score, match.nearest]
                for code, match in analysis.example_matches.items()
            },
        },
    )


def turn_from_analysis(text: str, analysis: Analysis, *, hand_over: bool = False) -> Turn:
    person = analysis.person
    return Turn(
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


def _turn_from_row(row: MessageAnalysis) -> Turn:
    return Turn(
        text=row.message.body,
        intent=row.intent,
        intent_confidence=row.intent_confidence,
        known_words=float(row.details.get("known_words", 1.0)),
        sentiment_score=row.sentiment_score,
        response_confidence=row.response_confidence,
        resolution_type=row.resolution_type,
        answered=row.answered,
        rephrase_requested=bool(row.details.get("rephrase")),
    )


def _transcript(conversation: Conversation, *, before: int) -> list[tuple[str, str]]:
    recent = (
        conversation.messages.filter(seq__lt=before)
        .order_by("-seq")
        .values_list("author_kind", "body")[:10]
    )
    return list(reversed(recent))
