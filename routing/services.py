"""Routing: give each waiting conversation to the right agent, never over capacity.

Capacity holds in the database, not in process memory: an assignment locks the conversation row
and then the chosen agent's row, counts the agent's open conversations under that lock, and only
then writes. Two workers routing to the same agent queue on the agent's row; a worker routing a
conversation someone else already has finds it taken under the conversation's lock. A manual
assignment takes the same locks and overrides whatever the automatic one did.

An offer holds one of the agent's slots until they accept it, pass on it or it runs out
(routing.offers), so an accept never fails for capacity; and routing offers an agent only
`offers_per_agent` (policy) conversations at a time, so their capacity fills with work they took,
not with offers they have not read (docs/behaviour/routing.md, "Offers and capacity").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import (
    Q,
)
from django.utils import timezone

from agents.models import Agent
from agents.notify import inbox_changed
from helpdesk.configcache import one_reading
from helpdesk.models import Conversation, ConversationEvent
from helpdesk.realtime import task_soon
from helpdesk.services import ChatError, conversation_event_send, event_record
from routing.models import RoutingPolicy
from routing.needs import Needs, conversation_needs, locked_with_facts
from routing.ranking import rank
from routing.selectors import (
    best_qualified,
    candidate_of,
    offer_limit_reached,
    qualified_agents,
    waiting_queue,
    with_free_slot,
    with_load,
)

CANDIDATES_SHOWN = 5  # how many candidates a routing event lists
CANDIDATES_TRIED = 10  # free agents fetched per decision; more only matter if all ten fill at once
OFFER_UNANSWERED = "holds an offer not answered yet"


def _ranked(
    conversation: Conversation, needs: Needs, among: list[int] | None, *, offer_limit: int
) -> tuple[list[Agent], list[Agent], int | None]:
    """The qualified agents with a free slot, best first (routing.ranking decides the order),
    the best few of those at capacity (for the explanation), and the customer's recent agent.
    SQL only pre-filters: the best few free and full (routing.selectors.best_qualified)."""
    passed = set(conversation.passed_by)  # never offered again to an agent who passed on it
    declined = set(conversation.declined_by) - passed
    exclude = sorted(passed | declined)
    if declined and not qualified_agents(needs, exclude=exclude, among=among).exists():
        # Only agents whose offer ran out (or who left it) qualify: better them again than nobody.
        exclude = sorted(passed)
    previous: int | None = getattr(conversation, "previous_agent", None)
    rows = best_qualified(
        needs, exclude=exclude, among=among, per_side=CANDIDATES_TRIED, also=previous
    )
    by_id = {agent.pk: agent for agent in rows}
    ranking = rank((candidate_of(agent, offer_limit) for agent in rows), previous=previous)
    free = [by_id[candidate.agent_id] for candidate in ranking.free]
    full = [by_id[candidate.agent_id] for candidate in ranking.full[:CANDIDATES_SHOWN]]
    return free, full, previous


# -- the queue and assigning --------------------------------------------------------------------------------


def conversation_enqueue(conversation: Conversation, *, urgency: str) -> None:
    """Give an escalated conversation its place in the queue: the later of escalation time and
    a head start for its urgency, so a long wait outranks a fresh urgent one in the end."""
    policy = RoutingPolicy.load()
    head_start = timedelta(minutes=policy.head_start_minutes(urgency))
    conversation.queue_key = (conversation.escalated_at or timezone.now()) - head_start
    Conversation.objects.filter(pk=conversation.pk).update(queue_key=conversation.queue_key)


@dataclass
class Outcome:
    assigned: Agent | None = None
    reason: str = ""
    explanation: dict[str, Any] = field(default_factory=dict)


@one_reading()
def conversation_route(*, conversation_id: int, among: list[int] | None = None) -> Outcome:
    """Offer one waiting conversation to the best agent with a free slot, or leave it queued
    with the reason on its timeline. Safe to call again at any time. `among` limits the agents
    considered (the stress command routes its scratch rows among its scratch agents only)."""
    policy = RoutingPolicy.load()
    with transaction.atomic():
        # One statement reads the row, locks it, and reads what the needs and the ranking
        # depend on (the latest escalation and topic, the customer's recent agent).
        since = timezone.now() - timedelta(days=policy.previous_agent_days)
        conversation = locked_with_facts(conversation_id, previous_since=since)
        if conversation is None or conversation.status != Conversation.Status.WAITING:
            return Outcome(reason="not waiting")
        if conversation.assigned_agent_id is not None:
            return Outcome(reason="already assigned")
        needs = conversation_needs(conversation, policy)
        candidates, full, previous = _ranked(
            conversation, needs, among, offer_limit=policy.offers_per_agent
        )
        missed: list[Agent] = []  # free in the snapshot, filled by another worker meanwhile
        chosen = _first_free(candidates, missed)
        explanation = _explain(needs, candidates, full, missed, previous, chosen=chosen)
        if chosen is None:
            _queued(conversation, explanation)
            return Outcome(None, "queued", explanation)
        _assign(
            conversation, chosen, kind=ConversationEvent.Kind.ROUTING_ASSIGNED, data=explanation
        )
        return Outcome(chosen, "assigned", explanation)


def _first_free(candidates: list[Agent], missed: list[Agent]) -> Agent | None:
    """The first candidate whose slot this worker takes. A candidate another worker is
    assigning to right now is passed by at once, not waited for (workers routing at the same
    moment would otherwise queue behind the one best agent); only when every other candidate
    is full are those waited for, in rank order. Full ones go into `missed`."""
    busy: list[Agent] = []
    for candidate in candidates:
        taken = agent_slot_take(candidate, assigning=True, skip_locked=True)
        if taken is None:
            busy.append(candidate)
        elif taken:
            return candidate
        else:
            missed.append(candidate)
    for candidate in busy:
        if agent_slot_take(candidate, assigning=True):
            return candidate
        missed.append(candidate)
    return None


class _NoSlot(Exception):
    """Rolls back the savepoint around one candidate's check."""


def agent_slot_take(
    agent: Agent, *, online_only: bool = True, assigning: bool = False, skip_locked: bool = False
) -> bool | None:
    """Lock the agent's row and check, under that lock, that a slot is free.

    The check runs in a savepoint: when the agent is full, rolling it back releases their row
    at once, so a worker never holds one agent while waiting for the next (which is how two
    workers, each holding the agent the other wants next, would deadlock).

    `assigning`: the lock is taken by stamping last_assigned_at (one statement instead of a
    SELECT ... FOR UPDATE and a later UPDATE; a full agent's stamp rolls back with the
    savepoint). The load is counted by a statement of its own, after the lock: one that
    waited for the lock must see the assignment the lock holder just committed.

    `skip_locked` (with `assigning`): None, without waiting, when another transaction holds
    the agent's row (or the agent just left their desk).

    Routing (`assigning`) also needs the agent to hold fewer unaccepted offers than the policy
    allows; an agent taking a conversation themselves needs only the free slot.
    """
    try:
        with transaction.atomic():
            agents = Agent.objects.filter(pk=agent.pk)
            if online_only:  # routing offers only to agents at their desk
                agents = agents.filter(presence=Agent.Presence.ONLINE)
            if assigning:
                if skip_locked:  # UPDATE cannot skip a locked row; its subquery can
                    free = agents.select_for_update(skip_locked=True).order_by().values("pk")
                    agents = Agent.objects.filter(pk__in=free)
                locked = agents.update(last_assigned_at=timezone.now()) == 1
                if skip_locked and not locked:  # (or gone offline: the waiting pass tells)
                    return None
                capacity = with_load(Agent.objects.filter(pk=agent.pk))
                columns = ("load", "max_concurrent", "offers")
                row = capacity.values_list(*columns).first() if locked else None
            else:
                held = agents.select_for_update().first()
                row = None if held is None else (_load_of(held), held.max_concurrent, 0)
            if row is None or row[0] >= row[1] or offer_limit_reached(row[2]):
                raise _NoSlot
            return True  # the savepoint is released, the row stays locked until commit
    except _NoSlot:
        return False


def _load_of(agent: Agent) -> int:
    return Conversation.objects.filter(
        assigned_agent=agent, status__in=Conversation.HANDED_OVER_STATUSES
    ).count()


def _assign(
    conversation: Conversation,
    agent: Agent,
    *,
    kind: str,
    data: dict[str, Any],
    manual: bool = False,
) -> None:
    """A supervisor's choice has no offer time, so it never expires to someone else."""
    now = timezone.now()
    conversation.assigned_agent, conversation.offered_at = agent, None if manual else now
    conversation.routing_note = f"assigned to {agent.display_name}"
    conversation.save(update_fields=["assigned_agent", "offered_at", "routing_note"])
    if manual:  # routing stamped last_assigned_at when it took the slot (agent_slot_take)
        Agent.objects.filter(pk=agent.pk).update(last_assigned_at=now)
    event_record(
        conversation=conversation,
        kind=kind,
        actor_kind=ConversationEvent.ActorKind.SYSTEM,
        data={**data, "agent": agent.pk, "agent_name": agent.display_name},
    )
    inbox_changed(conversation, kind=kind)
    conversation_event_send("conversation.assigned", conversation)


def _queued(conversation: Conversation, explanation: dict[str, Any]) -> None:
    """On the timeline once per reason, not on every retry."""
    note = explanation["decision"][:200]
    if conversation.routing_note == note:
        return
    conversation.routing_note = note
    conversation.save(update_fields=["routing_note"])
    event_record(
        conversation=conversation,
        kind=ConversationEvent.Kind.ROUTING_QUEUED,
        actor_kind=ConversationEvent.ActorKind.SYSTEM,
        data=explanation,
    )


def _explain(
    needs: Needs,
    candidates: list[Agent],
    full: list[Agent],
    missed: list[Agent],
    previous: int | None,
    *,
    chosen: Agent | None,
) -> dict[str, Any]:
    def describe(agent: Agent) -> dict[str, Any]:
        return {
            "agent": agent.pk,
            "name": agent.display_name,
            "skill_level": agent.skill_level,  # type: ignore[attr-defined]
            "load": agent.load,  # type: ignore[attr-defined]
            "offers": agent.offers,  # type: ignore[attr-defined]
            "capacity": agent.max_concurrent,
        }

    def at_capacity(agent: Agent) -> bool:
        return agent.load >= agent.max_concurrent  # type: ignore[attr-defined]

    passed = [
        {**describe(agent), "why": "no free slot" if at_capacity(agent) else OFFER_UNANSWERED}
        for agent in full
    ] + [{**describe(agent), "why": "filled by another assignment meanwhile"} for agent in missed]
    if chosen is None and not (full or missed):
        decision = "queued: no qualified agent online"
    elif chosen is None:
        decision = (
            "queued: every qualified agent is at capacity"
            if all(at_capacity(agent) for agent in full)
            else "queued: every qualified agent is at capacity or has an offer to answer first"
        )
    elif chosen.pk == previous:
        decision = "the customer's recent agent, online with a free slot"
    else:
        decision = "highest skill level, then fewest active conversations, then longest idle"
    return {
        "decision": decision,
        "needs": {
            "skills": needs.skills,
            "language": needs.language,
            "min_seniority": needs.min_seniority,
            "relaxed": needs.relaxed,
        },
        "rules": list(needs.rules),
        "candidates": [describe(agent) for agent in (candidates + full)[:CANDIDATES_SHOWN]],
        "passed_over": passed,
    }


def conversation_assign_manually(
    *, conversation: Conversation, agent: Agent, by: Any, over_capacity: bool = False
) -> Conversation:
    """A supervisor's assignment: it overrides any automatic one, and goes over the agent's
    capacity only when asked to, which is recorded."""
    with transaction.atomic():
        locked = Conversation.objects.select_for_update(of=("self",)).get(pk=conversation.pk)
        if locked.status not in Conversation.HANDED_OVER_STATUSES:
            raise ChatError("not_handed_over", "Only conversations handed to people are assigned.")
        target = Agent.objects.select_for_update().get(pk=agent.pk)
        load = (
            Conversation.objects.filter(
                assigned_agent=target, status__in=Conversation.HANDED_OVER_STATUSES
            )
            .exclude(pk=locked.pk)
            .count()
        )
        if load >= target.max_concurrent and not over_capacity:
            raise ChatError(
                "over_capacity",
                f"{target.display_name} already has {load} of {target.max_concurrent}.",
            )
        previous = locked.assigned_agent_id
        locked.status = Conversation.Status.WAITING  # the chosen agent accepts it, as any offer
        locked.save(update_fields=["status"])
        _assign(
            locked,
            target,
            manual=True,
            kind=ConversationEvent.Kind.ROUTING_MANUAL,
            data={
                "by": getattr(by, "pk", None),
                "replaced_agent": previous,
                "over_capacity": load >= target.max_concurrent,
                "load_before": load,
            },
        )
        if previous is not None and previous != target.pk:
            transaction.on_commit(lambda: waiting_route(), robust=True)  # their slot is free
    return locked


# -- the queue moving -------------------------------------------------------------------------


def waiting_route(*, page: int = 50) -> int:
    """Offer queued conversations, in queue order, while any online agent has a free slot.
    Returns how many were assigned. Called when a slot frees or an agent comes online, and by
    the sweep (which also relaxes skills for those that waited long enough)."""
    assigned = 0
    after: tuple[Any, int] | None = None
    while _any_free_slot():
        batch = waiting_queue()
        if after is not None:
            key, pk = after
            batch = batch.filter(Q(queue_key__gt=key) | Q(queue_key=key, pk__gt=pk))
        rows = list(batch.values_list("queue_key", "pk")[:page])
        if not rows:
            break
        for _key, conversation_id in rows:
            if not _any_free_slot():
                return assigned
            if conversation_route(conversation_id=conversation_id).assigned is not None:
                assigned += 1
        after = rows[-1]
    return assigned


def _any_free_slot() -> bool:
    return with_free_slot(with_load(Agent.objects.filter(presence=Agent.Presence.ONLINE))).exists()


def conversation_route_soon(conversation_id: int) -> None:
    """Route the conversation in a worker, once the current transaction commits."""
    task_soon("routing.tasks.route_conversation", conversation_id)


def waiting_route_soon() -> None:
    """Fill free slots from the queue in a worker, once the current transaction commits."""
    task_soon("routing.tasks.route_waiting")
