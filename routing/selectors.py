"""Routing's reads: the waiting queue and a conversation's place in it, and the agents who
can take a conversation (their load, their skill level). Writes are in routing.services."""

from __future__ import annotations

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from agents.models import Agent, AgentSkill
from helpdesk.models import Conversation
from routing.needs import Needs


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
    return Coalesce(_loads(), 0)


def with_free_slot(agents: QuerySet[Agent]) -> QuerySet[Agent]:
    """Agents (annotated with `load`) below their capacity."""
    # (a keyword dict: the type checker cannot see the load annotation through the helpers)
    return agents.filter(**{"load__lt": F("max_concurrent")})


def _loads() -> Subquery:
    return Subquery(
        Conversation.objects.filter(
            assigned_agent=OuterRef("pk"), status__in=Conversation.HANDED_OVER_STATUSES
        )
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
    return agents.annotate(load=agent_load(), skill_level=first_level)
