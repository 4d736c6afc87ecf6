"""Escalating a conversation: the audit row, the Escalation record, the warm handoff notice."""

from __future__ import annotations

from django.db import transaction

from escalation.engine import Decision
from escalation.models import CapabilityBoundary, Escalation
from escalation.texts import handoff_text
from helpdesk.models import Conversation, ConversationEvent, Message
from helpdesk.services import conversation_publish_status, event_record, message_post
from routing.models import Skill


def conversation_escalate(
    *, conversation: Conversation, message: Message | None, decision: Decision, language: str
) -> Escalation:
    """Hand the conversation to people, in the same response as the message that caused it."""
    primary = decision.primary
    assert primary is not None, "only a decision with a trigger escalates"
    with transaction.atomic():
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
        Conversation.objects.filter(pk=conversation.pk).update(status=Conversation.Status.WAITING)
        conversation.status = Conversation.Status.WAITING
        event_record(
            conversation=conversation,
            kind="conversation.escalated",
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
        message_post(
            conversation_id=conversation.pk,
            author_kind=Message.AuthorKind.ASSISTANT,
            body=handoff_text(language),
        )
        conversation_publish_status(conversation)
    return escalation
