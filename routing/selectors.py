"""Routing's reads: the waiting queue and a conversation's place in it, and the agents who
can take a conversation (their load, their skill level). Writes are in routing.services."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from agents.models import Agent, AgentSkill
from helpdesk.models import Conversation
from routing.models import RoutingPolicy
from routing.needs import Needs
from routing.ranking import Candidate


def waiting_queue() -> QuerySet[Conversation]:
    return Conversation.objects.filter(
        status=Conversation.Status.WAITING, assigned_agent__isnull=True
    ).order_by(F("queue_key").asc(nulls_last=True), "pk")


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


# -- who can take it: the agents --------------------------------------------------------------------------


def agent_load() -> Coalesce:
    """Annotation: how many handed-over conversations an agent holds (offered or accepted)."""
    return Coalesce(_loads(Conversation.HANDED_OVER_STATUSES), 0)


def agent_offers() -> Coalesce:
    """Annotation: how many conversations are offered to an agent and not accepted yet."""
    return Coalesce(_loads([Conversation.Status.WAITING]), 0)


def with_load(agents: QuerySet[Agent]) -> QuerySet[Agent]:
    """Agents annotated with their `load` and their unaccepted `offers`, as with_free_slot
    and offer_limit_reached read them."""
    return agents.annotate(load=agent_load(), offers=agent_offers())


def with_free_slot(agents: QuerySet[Agent]) -> QuerySet[Agent]:
    """Agents (annotated by with_load) routing may offer a conversation to now: below their
    capacity, and holding fewer unaccepted offers than the policy's offers_per_agent."""
    # (a keyword dict: the type checker cannot see the annotations through the helpers)
    free = agents.filter(**{"load__lt": F("max_concurrent")})
    limit = RoutingPolicy.load().offers_per_agent
    return free.filter(**{"offers__lt": limit}) if limit else free


def offer_limit_reached(offers: int) -> bool:
    """An agent holding `offers` unaccepted offers is offered nothing more until they answer."""
    limit = RoutingPolicy.load().offers_per_agent
    return bool(limit) and offers >= limit


def _loads(statuses: Sequence[str]) -> Subquery:
    return Subquery(
        Conversation.objects.filter(assigned_agent=OuterRef("pk"), status__in=statuses)
        .values("assigned_agent")
        .annotate(count=Count("pk"))
        .values("count"),
        output_field=IntegerField(),
    )


def agents_meeting(
    needs: Needs, *, online_only: bool = True, seniority: bool = True
) -> QuerySet[Agent]:
    """Agents with every needed skill at its level and the language, and (`seniority`) the
    seniority; `online_only`: at their desk now. Not annotated (a subquery can sum over them)."""
    agents = Agent.objects.all()
    if online_only:
        agents = agents.filter(presence=Agent.Presence.ONLINE)
    for code, level in needs.skills.items():
        agents = agents.filter(
            pk__in=AgentSkill.objects.filter(skill__code=code, level__gte=level).values("agent")
        )
    if needs.language:
        agents = agents.filter(languages__icontains=needs.language)
    if seniority and needs.min_seniority:
        agents = agents.filter(seniority__gte=needs.min_seniority)
    return agents


def online_with(needs: Needs, *, exclude: list[int]) -> QuerySet[Agent]:
    """The online agents who meet `needs`, but those in `exclude`."""
    return agents_meeting(needs).exclude(pk__in=exclude)


def qualified_agents(
    needs: Needs, *, exclude: list[int], among: list[int] | None = None
) -> QuerySet[Agent]:
    """Online agents with every needed skill at its level, the language and the seniority,
    annotated with their load and their level in the first needed skill."""
    agents = online_with(needs, exclude=exclude)
    if among is not None:
        agents = agents.filter(pk__in=among)
    first_skill = next(iter(needs.skills), None)
    first_level = (
        Subquery(
            AgentSkill.objects.filter(agent=OuterRef("pk"), skill__code=first_skill).values(
                "level"
            )[:1],
            output_field=IntegerField(),
        )
        if first_skill
        else Value(0, output_field=IntegerField())
    )
    return with_load(agents).annotate(skill_level=first_level)


def best_qualified(agents: QuerySet[Agent], *, per_side: int) -> list[Agent]:
    """The SQL pre-filter of the ranking: of `agents` (from qualified_agents), the best
    `per_side` with a free slot and the best `per_side` at capacity, in one statement (a
    window ranks each side apart, so a decision among 1,000 agents reads a few rows). The order
    is routing.ranking.score's, written in SQL; a test holds the two to agree."""
    order = (
        F("skill_level").desc(nulls_last=True),
        F("load").asc(),
        F("last_assigned_at").asc(nulls_first=True),
        F("pk").asc(),
    )
    limit = RoutingPolicy.load().offers_per_agent
    at_offer_limit = [When(offers__gte=limit, then=Value(1))] if limit else []
    full = Case(
        When(load__gte=F("max_concurrent"), then=Value(1)), *at_offer_limit, default=Value(0)
    )
    return list(
        agents.annotate(full=full)
        .annotate(place=Window(RowNumber(), partition_by=[F("full")], order_by=order))
        .filter(place__lte=per_side)
        .order_by("full", "place")
    )


def candidate_of(agent: Agent) -> Candidate:
    """What the ranking reads of an agent annotated by qualified_agents."""
    return Candidate(
        agent_id=agent.pk,
        skill_level=agent.skill_level,  # type: ignore[attr-defined]
        load=agent.load,  # type: ignore[attr-defined]
        capacity=agent.max_concurrent,
        last_assigned_at=agent.last_assigned_at,
        offers=agent.offers,  # type: ignore[attr-defined]
        offer_limit=RoutingPolicy.load().offers_per_agent,
    )
