"""Measuring the handoffs: the hold-out that goes straight to agents, the customer's survey after
a conversation people handled, and the agent's one-click rating of the handoff they received."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from agents.models import Agent
from escalation.models import HandoffRating, MeasurementPolicy, Survey
from escalation.texts import render
from escalation.transition import handoff_begin
from helpdesk.models import Conversation, ConversationEvent, Message
from helpdesk.realtime import INBOX_GROUP, publish_on_commit
from helpdesk.services import ChatError, conversation_publish_status, event_record, message_post
from routing.queue import enqueue
from routing.services import route_soon

DIRECT = "direct"  # the trigger a conversation that skipped the assistant shows in the inbox
COMMENT_CHARS = 1000


def held_out(public_id: uuid.UUID, share: float) -> bool:
    """Deterministic per conversation: the same id always lands on the same side, and over many
    ids the share held out approaches `share`."""
    digest = hashlib.sha256(public_id.bytes).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def straight_to_agents(conversation: Conversation) -> bool:
    """A new conversation from a direct channel, or in the hold-out, skips the assistant: it
    waits for an agent at once (with the same updates and offers as a handoff)."""
    policy = MeasurementPolicy.load()
    direct = conversation.channel in policy.direct_channel_list
    if not direct and not held_out(conversation.public_id, policy.holdout_share):
        return False
    now = timezone.now()
    with transaction.atomic():
        conversation.automated = False
        conversation.status = Conversation.Status.WAITING
        conversation.escalated_at = now
        conversation.trigger = DIRECT
        conversation.urgency = "normal"
        conversation.save(
            update_fields=["automated", "status", "escalated_at", "trigger", "urgency"]
        )
        enqueue(conversation, urgency="normal")
        event_record(
            conversation=conversation,
            kind="conversation.direct",
            actor_kind=ConversationEvent.ActorKind.SYSTEM,
            data={"reason": "direct channel" if direct else "hold-out"},
        )
        handoff_begin(conversation=conversation, escalation=None, now=now, introduce=False)
        conversation_publish_status(conversation)
        route_soon(conversation.pk)
        publish_on_commit(
            INBOX_GROUP,
            {
                "type": "inbox.escalated",
                "conversation": str(conversation.public_id),
                "urgency": "normal",
                "trigger": DIRECT,
            },
        )
    return True


# -- the customer's survey ---------------------------------------------------------------------


def survey_begin(conversation: Conversation) -> None:
    """After a conversation people handled is resolved: the first question, as buttons."""
    if conversation.escalated_at is None or not MeasurementPolicy.load().enabled:
        return
    _, created = Survey.objects.get_or_create(conversation=conversation)
    if not created:
        return
    language = conversation.language
    choices = [{"id": f"csat:{score}", "label": str(score)} for score in range(1, 6)]
    _ask(conversation, render("survey_csat", language), "survey_csat", choices)


def survey_answer(conversation: Conversation, choice: str, text: str) -> Message:
    """One answer, then the next question (satisfaction, repeating, a comment, thanks)."""
    survey = Survey.objects.select_for_update().get(conversation=conversation)
    language = conversation.language
    if choice.startswith("csat:"):
        survey.satisfaction = int(choice.removeprefix("csat:"))
        survey.save(update_fields=["satisfaction"])
        yes_no = [
            {"id": "repeat:yes", "label": render("choice_yes", language)},
            {"id": "repeat:no", "label": render("choice_no", language)},
        ]
        return _ask(conversation, render("survey_repeat", language), "survey_repeat", yes_no)
    if choice.startswith("repeat:"):
        survey.repeated = choice == "repeat:yes"
        survey.save(update_fields=["repeated"])
        comment = [
            {"id": "comment", "label": render("choice_send", language), "input": "text"},
            {"id": "skip", "label": render("choice_skip", language)},
        ]
        return _ask(conversation, render("survey_comment", language), "survey_comment", comment)
    survey.comment = text[:COMMENT_CHARS] if choice == "comment" else ""
    survey.answered_at = timezone.now()
    survey.save(update_fields=["comment", "answered_at"])
    return _ask(conversation, render("survey_thanks", language), "", [])


def _ask(
    conversation: Conversation, body: str, kind: str, choices: list[dict[str, Any]]
) -> Message:
    return message_post(
        conversation_id=conversation.pk,
        author_kind=Message.AuthorKind.ASSISTANT,
        body=body,
        actions={"kind": kind, "choices": choices} if choices else None,
    ).message


# -- the agent's rating ------------------------------------------------------------------------


def handoff_rate(
    *, conversation: Conversation, agent: Agent, verdict: str, missing: str = ""
) -> HandoffRating:
    """One click from the chat view; the agent may change their mind (one rating per agent)."""
    if verdict not in HandoffRating.Verdict.values:
        raise ChatError("invalid_field", "Choose how well prepared the handoff left you.")
    if conversation.escalated_at is None or not conversation.automated:
        raise ChatError("not_handed_over", "Only the assistant's handoffs are rated.")
    # As the database says now, not as the caller's copy of the row remembers it.
    handled = (
        Conversation.objects.filter(pk=conversation.pk, assigned_agent=agent).exists()
        or conversation.messages.filter(author_agent=agent).exists()
    )
    if not handled:
        raise ChatError("not_joined", "Rate a handoff you received.")
    rating, _ = HandoffRating.objects.update_or_create(
        conversation=conversation,
        agent=agent,
        defaults={"verdict": verdict, "missing": missing.strip()[:300]},
    )
    return rating
