"""Offers: conversations routing gave an agent who has not accepted them yet (status still
waiting, `offered_at` set). Each holds one of the agent's slots (routing.services). An offer
ends when the agent accepts it (helpdesk.flows.conversation_join), passes on it, lets it run out
(`offer_timeout_seconds`), or leaves their desk; the last three route it again at once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from agents.models import Agent
from agents.notify import inbox_changed
from helpdesk.models import Conversation, ConversationEvent
from helpdesk.realtime import task_soon
from helpdesk.services import ChatError, event_record
from routing.models import RoutingPolicy
from routing.services import conversation_route, conversation_route_soon, waiting_route_soon


def agent_offers_release(*, agent: Agent, reason: str) -> list[int]:
    """Take back the conversations offered to `agent` and not yet accepted, and route them
    again (an agent who went offline, or whose offer ran out)."""
    with transaction.atomic():
        offered = list(
            Conversation.objects.select_for_update(of=("self",))
            .filter(assigned_agent=agent, status=Conversation.Status.WAITING)
            .order_by("pk")
        )
        for conversation in offered:
            _release(conversation, agent, reason)
    for conversation in offered:
        conversation_route(conversation_id=conversation.pk)
    return [conversation.pk for conversation in offered]


def offers_expire(*, now: Any = None) -> int:
    """Offers older than the policy's timeout go to the next agent. Returns how many."""
    policy = RoutingPolicy.load()
    cutoff = (now or timezone.now()) - timedelta(seconds=policy.offer_timeout_seconds)
    expired = []
    with transaction.atomic():
        for conversation in (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("assigned_agent")
            .filter(
                status=Conversation.Status.WAITING,
                assigned_agent__isnull=False,
                offered_at__lt=cutoff,
            )
            .order_by("pk")
        ):
            agent = conversation.assigned_agent
            assert agent is not None
            _release(conversation, agent, "offer not accepted in time")
            expired.append(conversation.pk)
    for conversation_id in expired:
        conversation_route(conversation_id=conversation_id)
    return len(expired)


def offer_pass(*, public_id: uuid.UUID | str, agent: Agent) -> Conversation:
    """The agent passes on a conversation routing offered them: it goes to the next qualified
    agent, or back to its place in the queue, and is never offered to them again (they can
    still take it from the queue themselves); their next conversation is offered at once.
    A supervisor's assignment is not passed on: the agent joins it, or the supervisor
    reassigns it."""
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",)).filter(public_id=public_id).first()
        )
        if conversation is None:
            raise ChatError("not_found", "No such conversation.")
        if not conversation.is_offered_to(agent.pk):
            raise ChatError("not_offered", "This conversation is not offered to you any more.")
        if conversation.offered_at is None:
            raise ChatError(
                "assigned_by_supervisor",
                "A supervisor assigned this conversation to you: join it, or ask them to "
                "reassign it.",
            )
        conversation.passed_by = sorted({*conversation.passed_by, agent.pk})
        _release(conversation, agent, "passed by the agent")
        conversation_route_soon(conversation.pk)  # to someone else, first
        waiting_route_soon()  # then the agent's next one
    return conversation


def _release(conversation: Conversation, agent: Agent, reason: str) -> None:
    conversation.declined_by = sorted({*conversation.declined_by, agent.pk})
    conversation.assigned_agent, conversation.offered_at = None, None
    conversation.routing_note = ""
    conversation.save(
        update_fields=["declined_by", "passed_by", "assigned_agent", "offered_at", "routing_note"]
    )
    event_record(
        conversation=conversation,
        kind=ConversationEvent.Kind.ROUTING_RELEASED,
        actor_kind=ConversationEvent.ActorKind.SYSTEM,
        data={"agent": agent.pk, "agent_name": agent.display_name, "reason": reason},
    )
    inbox_changed(conversation, kind=ConversationEvent.Kind.ROUTING_RELEASED)  # the row moves


def agent_offers_release_soon(agent_id: int, reason: str) -> None:
    """Hand the agent's unaccepted offers to others in a worker, after the commit."""
    task_soon("routing.tasks.release_unaccepted", agent_id, reason)
