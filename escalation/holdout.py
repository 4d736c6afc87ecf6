"""The hold-out and the direct channels: conversations that skip the assistant and go straight
to agents, so escalation can be compared with no assistant at all (docs/behaviour/measuring.md)."""

from __future__ import annotations

import hashlib
import uuid

from django.db import transaction
from django.utils import timezone

from agents.notify import inbox_escalated
from escalation.models import MeasurementPolicy
from escalation.transition import handoff_begin
from helpdesk.models import Conversation, ConversationEvent
from helpdesk.services import conversation_publish_status, event_record
from routing.services import conversation_enqueue, conversation_route_soon

DIRECT = "direct"  # the trigger a conversation that skipped the assistant shows in the inbox


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
        conversation_enqueue(conversation, urgency="normal")
        event_record(
            conversation=conversation,
            kind=ConversationEvent.Kind.CONVERSATION_DIRECT,
            actor_kind=ConversationEvent.ActorKind.SYSTEM,
            data={"reason": "direct channel" if direct else "hold-out"},
        )
        handoff_begin(conversation=conversation, escalation=None, now=now, introduce=False)
        conversation_publish_status(conversation)
        conversation_route_soon(conversation.pk)
        inbox_escalated(conversation, urgency="normal", trigger=DIRECT)
    return True
