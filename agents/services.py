"""State changes made by agents: presence, joining, chatting in and resolving conversations."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agents.models import Agent
from escalation.feedback import survey_begin
from escalation.models import Callback
from escalation.texts import introduce_text
from escalation.transition import wait_resume
from helpdesk.models import Conversation, ConversationEvent, Message
from helpdesk.realtime import INBOX_GROUP, enqueue_on_commit, publish_on_commit
from helpdesk.services import (
    ChatError,
    PostResult,
    conversation_event_send,
    conversation_publish_status,
    event_record,
    message_post,
    system_message_post,
)
from routing.estimates import record_handling_time
from routing.services import take_slot
from routing.tasks import release_unaccepted_task, route_conversation_task, route_waiting_task

AGENT = ConversationEvent.ActorKind.AGENT


def agent_set_presence(*, agent: Agent, presence: str) -> Agent:
    """Online fills the agent's free slots from the queue at once; away or offline hands the
    conversations offered to them and not yet accepted to someone else."""
    if presence not in Agent.Presence.values:
        raise ValueError(f"Unknown presence {presence!r}")
    now = timezone.now()
    with transaction.atomic():
        Agent.objects.filter(pk=agent.pk).update(presence=presence, last_seen_at=now)
        agent.presence, agent.last_seen_at = presence, now
        if presence == Agent.Presence.ONLINE:
            enqueue_on_commit(route_waiting_task)
        else:
            enqueue_on_commit(release_unaccepted_task, agent.pk, f"agent went {presence}")
    return agent


def agent_heartbeat(*, agent: Agent) -> None:
    """The agent's page is open: keep their presence from being swept to offline."""
    now = timezone.now()
    Agent.objects.filter(pk=agent.pk).update(last_seen_at=now)
    agent.last_seen_at = now


def presence_sweep(*, now: datetime | None = None) -> int:
    """Mark offline every agent whose inbox has stopped sending heartbeats. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.AGENT_PRESENCE_TIMEOUT)
    with transaction.atomic():
        silent = list(
            Agent.objects.select_for_update()
            .exclude(presence=Agent.Presence.OFFLINE)
            .filter(last_seen_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        Agent.objects.filter(pk__in=silent).update(presence=Agent.Presence.OFFLINE)
        for agent_id in silent:
            enqueue_on_commit(release_unaccepted_task, agent_id, "no heartbeat")
    return len(silent)


def conversation_join(*, public_id: uuid.UUID | str, agent: Agent) -> Conversation:
    """Take the conversation: only if nobody else has it (a conditional update, race-free)."""
    with transaction.atomic():
        conversation = _open_conversation(public_id)
        if (
            conversation.assigned_agent_id == agent.pk
            and conversation.status == Conversation.Status.WITH_AGENT
        ):
            return conversation
        if conversation.assigned_agent_id is None and not take_slot(agent, online_only=False):
            # Taking a free conversation counts against capacity like an automatic offer does
            # (the agent's row is locked after the conversation's, in routing's order).
            raise ChatError(
                "over_capacity",
                f"You already have {agent.max_concurrent} conversations: finish one first.",
            )
        # Free, or offered to this agent by routing: either way it becomes theirs.
        taken = (
            Conversation.objects.filter(pk=conversation.pk, status__in=Conversation.OPEN_STATUSES)
            .filter(Q(assigned_agent__isnull=True) | Q(assigned_agent=agent))
            .update(
                assigned_agent=agent,
                status=Conversation.Status.WITH_AGENT,
                offered_at=None,
                accepted_at=timezone.now(),
            )
        )
        if taken != 1:
            raise ChatError("taken", "Another agent has already joined this conversation.")
        if conversation.status in Conversation.SCHEDULED_STATUSES:
            # Reached live in the chat: the call or email promised for later is no longer needed.
            Callback.objects.filter(
                conversation=conversation, status=Callback.Status.SCHEDULED
            ).update(status=Callback.Status.CANCELLED, completed_at=timezone.now())
        taken_free = conversation.assigned_agent_id is None
        conversation.assigned_agent, conversation.status = agent, Conversation.Status.WITH_AGENT
        if taken_free:  # not offered by routing first: this is the assignment
            conversation_event_send("conversation.assigned", conversation)
        _announce(
            conversation, agent, "agent.joined", f"{agent.display_name} joined the conversation."
        )
        if conversation.escalated_at is not None and conversation.automated:
            # The assistant handed over, so it introduces the agent (never in the hold-out).
            message_post(
                conversation_id=conversation.pk,
                author_kind=Message.AuthorKind.ASSISTANT,
                body=introduce_text(conversation.language, agent.display_name),
            )
    return conversation


def conversation_leave(*, public_id: uuid.UUID | str, agent: Agent) -> Conversation:
    """Hand the conversation back to the waiting list."""
    with transaction.atomic():
        conversation = _open_conversation(public_id)
        left = Conversation.objects.filter(pk=conversation.pk, assigned_agent=agent).update(
            assigned_agent=None,
            status=Conversation.Status.WAITING,
            declined_by=sorted({*conversation.declined_by, agent.pk}),  # not back to them
        )
        if left != 1:
            raise ChatError("not_joined", "You have not joined this conversation.")
        conversation.assigned_agent, conversation.status = None, Conversation.Status.WAITING
        _announce(conversation, agent, "agent.left", f"{agent.display_name} left the conversation.")
        # Back in the queue, where it was; and the agent's slot is free for someone else.
        wait_resume(conversation, timezone.now())  # the customer hears from us again
        enqueue_on_commit(route_conversation_task, conversation.pk)
        enqueue_on_commit(route_waiting_task)
    return conversation


def conversation_resolve(*, public_id: uuid.UUID | str, agent: Agent) -> Conversation:
    with transaction.atomic():
        conversation = _open_conversation(public_id)
        if conversation.assigned_agent_id != agent.pk:
            raise ChatError("not_joined", "Join the conversation before resolving it.")
        conversation.status = Conversation.Status.RESOLVED
        conversation.closed_at = timezone.now()
        conversation.save(update_fields=["status", "closed_at"])
        _announce(
            conversation,
            agent,
            "conversation.resolved",
            f"{agent.display_name} marked this conversation as resolved.",
        )
        record_handling_time(conversation)
        survey_begin(conversation)
        conversation_event_send("conversation.resolved", conversation)
        enqueue_on_commit(route_waiting_task)  # a slot is free: the next in the queue, now
    return conversation


def _announce(conversation: Conversation, agent: Agent, kind: str, notice: str) -> None:
    """The audit row, the notice both sides read, and the new status, for an agent's action."""
    event_record(
        conversation=conversation, kind=kind, actor_kind=AGENT, actor_user_id=agent.user_id
    )
    system_message_post(conversation=conversation, body=notice)
    conversation_publish_status(conversation)
    publish_on_commit(
        INBOX_GROUP,
        {"type": "inbox.changed", "conversation": str(conversation.public_id), "kind": kind},
    )


def agent_post_message(
    *, public_id: uuid.UUID | str, agent: Agent, body: str, client_msg_id: str
) -> PostResult:
    """An agent's message, refused unless the agent has joined the conversation (checked under
    the conversation's row lock, so a message racing a leave or a resolve is refused)."""
    conversation = Conversation.objects.filter(public_id=public_id).first()
    if conversation is None:
        raise ChatError("not_found", "No such conversation.")

    def joined_and_open(locked: Conversation) -> None:
        if (
            locked.assigned_agent_id != agent.pk
            or locked.status == Conversation.Status.WAITING  # offered, not yet accepted
        ):
            raise ChatError("not_joined", "Join the conversation before writing to the customer.")
        if not locked.is_open:
            raise ChatError("closed", "This conversation is closed.")

    return message_post(
        conversation_id=conversation.pk,
        author_kind=Message.AuthorKind.AGENT,
        body=body,
        client_msg_id=client_msg_id,
        author_agent_id=agent.pk,
        guard=joined_and_open,
    )


def _open_conversation(public_id: uuid.UUID | str) -> Conversation:
    conversation = Conversation.objects.select_for_update().filter(public_id=public_id).first()
    if conversation is None:
        raise ChatError("not_found", "No such conversation.")
    if not conversation.is_open:
        raise ChatError("closed", "This conversation is closed.")
    return conversation
