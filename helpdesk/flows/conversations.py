"""What happens to a conversation as a whole: it opens (with the assistant, or straight to
people), an agent joins, writes, leaves or resolves it."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agents.models import Agent
from agents.notify import inbox_changed
from agents.selectors import agent_workload
from escalation.holdout import straight_to_agents
from escalation.models import Callback
from escalation.surveys import survey_begin
from escalation.texts import introduce_text
from escalation.transition import wait_resume
from helpdesk.models import Conversation, ConversationEvent, Customer, Message
from helpdesk.services import (
    ChatError,
    PostResult,
    conversation_event_send,
    conversation_publish_status,
    conversation_start,
    event_record,
    message_post,
    system_message_post,
)
from routing.estimates import record_handling_time
from routing.services import agent_slot_take, conversation_route_soon, waiting_route_soon

AGENT = ConversationEvent.ActorKind.AGENT


@transaction.atomic
def conversation_open(
    *,
    customer: Customer,
    channel: str = Conversation.Channel.WEB,
    language: str | None = None,
    measured: bool = True,
) -> Conversation:
    """A new conversation, with the assistant unless it is in the hold-out or from a direct
    channel (`measured=False`: never, for replaying conversations through the assistant)."""
    conversation = conversation_start(customer=customer, channel=channel, language=language)
    if measured:
        straight_to_agents(conversation)
    return conversation


def conversation_join(*, public_id: uuid.UUID | str, agent: Agent) -> Conversation:
    """Take the conversation: only if nobody else has it (a conditional update, race-free).
    An offer to this agent already holds their slot; a free one needs a slot of its own."""
    with transaction.atomic():
        conversation = _open_conversation(public_id)
        if conversation.is_with(agent.pk):
            return conversation
        if conversation.assigned_agent_id is None and not agent_slot_take(agent, online_only=False):
            # Taking a free conversation counts against capacity like an automatic offer does
            # (the agent's row is locked after the conversation's, in routing's order).
            raise ChatError("over_capacity", agent_workload(agent).refusal)
        if conversation.is_offered_to(agent.pk):
            waiting_route_soon()  # the offer is answered: the agent's next one may be offered
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
            conversation,
            agent,
            ConversationEvent.Kind.AGENT_JOINED,
            f"{agent.display_name} joined the conversation.",
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
        _announce(
            conversation,
            agent,
            ConversationEvent.Kind.AGENT_LEFT,
            f"{agent.display_name} left the conversation.",
        )
        # Back in the queue, where it was; and the agent's slot is free for someone else.
        wait_resume(conversation, timezone.now())  # the customer hears from us again
        conversation_route_soon(conversation.pk)
        waiting_route_soon()
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
            ConversationEvent.Kind.CONVERSATION_RESOLVED,
            f"{agent.display_name} marked this conversation as resolved.",
        )
        record_handling_time(conversation)
        survey_begin(conversation)
        conversation_event_send("conversation.resolved", conversation)
        waiting_route_soon()  # a slot is free: the next in the queue, now
    return conversation


def _announce(conversation: Conversation, agent: Agent, kind: str, notice: str) -> None:
    """The audit row, the notice both sides read, and the new status, for an agent's action."""
    event_record(
        conversation=conversation, kind=kind, actor_kind=AGENT, actor_user_id=agent.user_id
    )
    system_message_post(conversation=conversation, body=notice)
    conversation_publish_status(conversation)
    inbox_changed(conversation, kind=kind)


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
