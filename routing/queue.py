"""The waiting queue: its order, a conversation's place in it, and how it gets that place."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from helpdesk.models import Conversation
from routing.models import RoutingPolicy


def waiting_queue() -> QuerySet[Conversation]:
    return Conversation.objects.filter(
        status=Conversation.Status.WAITING, assigned_agent__isnull=True
    ).order_by(F("queue_key").asc(nulls_last=True), "pk")


def enqueue(conversation: Conversation, *, urgency: str) -> None:
    """Give an escalated conversation its place in the queue: the later of escalation time and
    a head start for its urgency, so a long wait outranks a fresh urgent one in the end."""
    policy = RoutingPolicy.load()
    head_start = timedelta(minutes=policy.head_start_minutes(urgency))
    conversation.queue_key = (conversation.escalated_at or timezone.now()) - head_start
    Conversation.objects.filter(pk=conversation.pk).update(queue_key=conversation.queue_key)


def queue_position(conversation: Conversation) -> int | None:
    """1 for the next conversation to be assigned; None when it is not queued."""
    ahead = queue_position_filter(conversation)
    return None if ahead is None else ahead.count() + 1


def queue_position_filter(conversation: Conversation) -> QuerySet[Conversation] | None:
    """The queued conversations ahead of this one; None when it is not queued."""
    if (
        conversation.status != Conversation.Status.WAITING
        or conversation.assigned_agent_id
        or conversation.queue_key is None
    ):
        return None
    return waiting_queue().filter(
        Q(queue_key__lt=conversation.queue_key)
        | Q(queue_key=conversation.queue_key, pk__lt=conversation.pk)
    )
