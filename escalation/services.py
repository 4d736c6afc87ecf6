"""Escalating a conversation: the audit row, the Escalation record, the warm handoff notice."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from agents.notify import inbox_escalated
from escalation.engine import Decision
from escalation.handoff import handoff_build
from escalation.models import CapabilityBoundary, Escalation, HandoffPackage
from escalation.transition import handoff_begin
from helpdesk.models import Conversation, ConversationEvent, Message
from helpdesk.realtime import task_soon
from helpdesk.services import (
    conversation_event_send,
    conversation_language_set,
    conversation_publish_status,
    event_record,
)
from routing.models import Skill
from routing.services import conversation_enqueue, conversation_route_soon


def conversation_escalate(
    *, conversation: Conversation, message: Message | None, decision: Decision, language: str
) -> Escalation:
    """Hand the conversation to people, in the same response as the message that caused it."""
    primary = decision.primary
    assert primary is not None, "only a decision with a trigger escalates"
    # No savepoint: it runs inside the turn's transaction, which rolls back as a whole.
    with transaction.atomic(savepoint=False):
        escalation = Escalation.objects.create(
            conversation=conversation,
            message=message,
            category=primary.category,
            rule=primary.rule,
            evidence=primary.evidence,
            triggers=[hit.as_dict() for hit in decision.triggers],
            boundary=CapabilityBoundary.objects.filter(code=primary.boundary).first()
            if primary.boundary
            else None,
            skill=Skill.objects.filter(code=primary.skill).first() if primary.skill else None,
            urgency=primary.urgency,
        )
        conversation.status = Conversation.Status.WAITING
        conversation.escalated_at = timezone.now()
        conversation.urgency = escalation.urgency
        conversation.trigger = escalation.category
        conversation.save(update_fields=["status", "escalated_at", "urgency", "trigger"])
        # Everything from here on (updates, offers, the agent) speaks the language they wrote in.
        conversation_language_set(locked=conversation, language=language)
        conversation_enqueue(
            conversation, urgency=escalation.urgency
        )  # moved if the package raises it
        event_record(
            conversation=conversation,
            kind=ConversationEvent.Kind.CONVERSATION_ESCALATED,
            actor_kind=ConversationEvent.ActorKind.ASSISTANT,
            data={
                "escalation": escalation.pk,
                "category": primary.category,
                "rule": primary.rule,
                "evidence": primary.evidence,
                "triggers": [hit.category for hit in decision.triggers],
                "message_seq": message.seq if message else None,
            },
        )
        # The package first: the emergency path reads its urgency.
        package = handoff_refresh(
            conversation_id=conversation.pk, locked=conversation, escalation=escalation
        )
        urgency = (
            package.data["classification"]["urgency"]["level"] if package else escalation.urgency
        )
        conversation.urgency = urgency
        handoff_begin(conversation=conversation, escalation=escalation, now=timezone.now())
        conversation_publish_status(conversation)
        conversation_event_send("conversation.escalated", conversation)
        conversation_route_soon(conversation.pk)
        inbox_escalated(conversation, urgency=urgency, trigger=escalation.category)
    return escalation


def handoff_refresh_soon(conversation_id: int) -> None:
    """Refresh the conversation's handoff package in a worker, once the transaction commits."""
    task_soon("escalation.tasks.handoff_refresh", conversation_id)


def handoff_refresh(
    *,
    conversation_id: int,
    locked: Conversation | None = None,
    escalation: Escalation | None = None,
) -> HandoffPackage | None:
    """Store a new version of the handoff package if the conversation moved on since the last.

    Idempotent: called twice for the same state it stores one version. The conversation row is
    locked so two refreshes never both write version N + 1 (`locked`: the caller's transaction
    holds it already, with `escalation` the latest, as when the conversation escalates).
    """
    with transaction.atomic(savepoint=False):
        conversation = locked or (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=conversation_id)
        )
        escalation = escalation or (
            Escalation.objects.select_related("boundary", "message")
            .filter(conversation=conversation)
            .order_by("-created_at", "-pk")
            .first()
        )
        if escalation is None:
            return None
        latest = conversation.handoffs.order_by("-version").first()
        if (
            latest is not None
            and latest.escalation_id == escalation.pk
            and latest.last_seq == conversation.last_seq
        ):
            return latest
        data = handoff_build(conversation, escalation)
        # The inbox sorts by the package's urgency: the trigger's, raised for a VIP or an angry
        # customer, lowered for a calm off-topic question.
        urgency = data["classification"]["urgency"]["level"]
        if conversation.urgency != urgency:
            Conversation.objects.filter(pk=conversation.pk).update(urgency=urgency)
            if conversation.queue_key is not None:  # already queued: its place follows urgency
                conversation_enqueue(conversation, urgency=urgency)
        return HandoffPackage.objects.create(
            conversation=conversation,
            escalation=escalation,
            version=(latest.version + 1) if latest else 1,
            last_seq=conversation.last_seq,
            data=data,
        )
