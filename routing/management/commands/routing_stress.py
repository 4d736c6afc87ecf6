"""Route many escalations from concurrent workers and check that capacity held.

    python manage.py routing_stress --agents 20 --capacity 3 --escalations 200 --workers 8

Creates scratch agents and waiting conversations on the configured database, routes them from
N threads, each with its own database connection, through the real routing service, removes
every scratch row, and prints one JSON line. On PostgreSQL it proves that capacity holds under
concurrency (row locks); on SQLite, where every write transaction takes the one write lock, it
measures the embedded default's rate. The scratch agents accept each offer the moment it is
made: routing offers an agent only the policy's offers_per_agent at a time, so their capacity
fills with accepted conversations, as a busy desk's does.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.db.models import Count
from django.utils import timezone

from agents.models import Agent
from helpdesk.models import Conversation, ConversationEvent, Customer
from routing.models import RoutingPolicy
from routing.selectors import agent_load
from routing.services import conversation_route


class Command(BaseCommand):
    help = "Route escalations from concurrent workers; print one JSON line."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--agents", type=int, default=20)
        parser.add_argument("--capacity", type=int, default=3)
        parser.add_argument("--escalations", type=int, default=200)
        parser.add_argument("--workers", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        if not RoutingPolicy.load().require_language:
            # The scratch rows hide from real traffic behind a language nobody speaks.
            raise CommandError("routing_stress needs the routing policy's language matching on.")
        tag = f"stress-{uuid.uuid4().hex[:8]}"
        agent_ids, conversation_ids = _scratch_rows(tag, options)
        try:
            started = time.perf_counter()
            _route_concurrently(conversation_ids, agent_ids, options["workers"])
            seconds = time.perf_counter() - started
            settled = _settle(conversation_ids, agent_ids)
            result = _measure(agent_ids, conversation_ids, seconds, settled=settled)
        finally:
            _clean_up(tag)
        self.stdout.write(json.dumps(result))


def _scratch_rows(tag: str, options: dict[str, Any]) -> tuple[list[int], list[int]]:
    """Scratch agents and conversations in a language no real agent or customer uses ("zz"), so
    real traffic routed meanwhile never meets them."""
    now = timezone.now()
    with transaction.atomic():
        users = get_user_model().objects.bulk_create(
            get_user_model()(username=f"{tag}-{index}") for index in range(options["agents"])
        )
        agents = Agent.objects.bulk_create(
            Agent(
                user=user,
                display_name=user.username,
                languages="zz",
                max_concurrent=options["capacity"],
                presence=Agent.Presence.ONLINE,
            )
            for user in users
        )
        customer = Customer.objects.create(name=tag, external_ref=tag, language="en")
        conversations = Conversation.objects.bulk_create(
            Conversation(
                customer=customer,
                status=Conversation.Status.WAITING,
                language="zz",
                escalated_at=now,
                queue_key=now,
                urgency="normal",
                trigger="explicit_request",
            )
            for _ in range(options["escalations"])
        )
    return [agent.pk for agent in agents], [conversation.pk for conversation in conversations]


def _route_concurrently(conversation_ids: list[int], agent_ids: list[int], workers: int) -> None:
    work: queue.Queue[int] = queue.Queue()
    for conversation_id in conversation_ids:
        work.put(conversation_id)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while True:
                try:
                    conversation_id = work.get_nowait()
                except queue.Empty:
                    return
                agent = conversation_route(
                    conversation_id=conversation_id, among=agent_ids
                ).assigned
                if agent is not None:
                    _accept(conversation_id, agent.pk)
        except BaseException as error:  # reported after every thread has stopped
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise CommandError(f"a routing worker failed: {errors[0]!r}")


def _settle(conversation_ids: list[int], agent_ids: list[int]) -> int:
    """Not timed: route once more what is still queued, as the app does when an agent answers
    an offer (helpdesk.flows.conversation_join queues waiting_route): a decision that found every
    agent with a free slot holding an offer not yet accepted queued its conversation, and the
    stress accepts with a bare update. Returns how many this pass assigned."""
    queued = Conversation.objects.filter(
        pk__in=conversation_ids, status=Conversation.Status.WAITING, assigned_agent__isnull=True
    ).order_by("pk")
    settled = 0
    for conversation_id in queued.values_list("pk", flat=True):
        agent = conversation_route(conversation_id=conversation_id, among=agent_ids).assigned
        if agent is not None:
            _accept(conversation_id, agent.pk)
            settled += 1
    return settled


def _accept(conversation_id: int, agent_id: int) -> None:
    """The agent accepts the offer: the conditional update helpdesk.flows.conversation_join
    makes (its notices and messages to the customer are not what this measures, and a command
    in routing may not call the flows above it, which reach escalation)."""
    accepted = Conversation.objects.filter(
        pk=conversation_id, assigned_agent_id=agent_id, status=Conversation.Status.WAITING
    ).update(status=Conversation.Status.WITH_AGENT, offered_at=None, accepted_at=timezone.now())
    assert accepted == 1, f"conversation {conversation_id} was not offered to agent {agent_id}"


def _measure(
    agent_ids: list[int], conversation_ids: list[int], seconds: float, *, settled: int
) -> dict[str, Any]:
    """After the settling pass: `assigned` counts its `settled` too; the rate is the timed
    pass's alone."""
    loads = (
        Agent.objects.filter(pk__in=agent_ids)
        .annotate(load=agent_load())
        .values_list("load", "max_concurrent")
    )
    assigned_events = (
        ConversationEvent.objects.filter(
            conversation_id__in=conversation_ids, kind=ConversationEvent.Kind.ROUTING_ASSIGNED
        )
        .values("conversation")
        .annotate(times=Count("pk"))
    )
    assigned = Conversation.objects.filter(
        pk__in=conversation_ids, assigned_agent__isnull=False
    ).count()
    return {
        "assigned": assigned,
        "queued": len(conversation_ids) - assigned,
        "max_load": max((load for load, _ in loads), default=0),
        "over_capacity": sum(load > capacity for load, capacity in loads),
        "double_assigned": sum(row["times"] > 1 for row in assigned_events),
        "settled": settled,
        "seconds": round(seconds, 3),
        "assignments_per_second": round((assigned - settled) / seconds, 1) if seconds else None,
    }


def _clean_up(tag: str) -> None:
    with transaction.atomic():
        Customer.objects.filter(external_ref=tag).delete()  # conversations, events cascade
        get_user_model().objects.filter(username__startswith=f"{tag}-").delete()  # agents cascade
