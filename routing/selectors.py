"""Routing's reads: the waiting queue and a conversation's place in it, and the agents who
can take a conversation (their load, their skill level). Writes are in routing.services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from agents.models import Agent, AgentSkill
from helpdesk.models import Conversation
from routing.models import HandlingTime, RoutingPolicy, Skill
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


def is_queued(conversation: Conversation) -> bool:
    """Waiting in the queue for an agent: escalated, not offered to anyone yet."""
    return (
        conversation.status == Conversation.Status.WAITING
        and not conversation.assigned_agent_id
        and conversation.queue_key is not None
    )


def queue_position_filter(conversation: Conversation) -> QuerySet[Conversation] | None:
    """The queued conversations ahead of this one; None when it is not queued."""
    if not is_queued(conversation):
        return None
    return waiting_queue().filter(
        Q(queue_key__lt=conversation.queue_key)
        | Q(queue_key=conversation.queue_key, pk__lt=conversation.pk)
    )


def estimate_inputs(conversation: Conversation, needs: Needs) -> dict[str, Any]:
    """What a queued conversation's wait estimate is worked out from, side by side in one
    statement: how many are `ahead` in the queue (queue_position_filter), the `slots` of the
    online agents meeting `needs` (agents_meeting), and the average handling times for the first
    needed skill and for every conversation (None where there is none). Hand-written, as
    best_qualified, for the CPU the ORM took composing it; a test holds it to the ORM's reading."""
    where, params = _qualified_where(needs, exclude=[], among=None)
    skill = next(iter(needs.skills), None)
    sql = _ESTIMATE_INPUTS.format(
        conversation=Conversation._meta.db_table,
        agent=Agent._meta.db_table,
        handling=HandlingTime._meta.db_table,
        skill=Skill._meta.db_table,
        where=" AND ".join(where),
        skill_code="k.code = %s" if skill is not None else "1 = 0",
    )
    key = connection.ops.adapt_datetimefield_value(conversation.queue_key)  # SQLite: as stored
    values: list[Any] = [
        Conversation.Status.WAITING, key, key, conversation.pk,
        *params,
        *([skill] if skill is not None else []),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ahead, slots, skill_average, overall_average = cursor.fetchone()
    return {
        "ahead": ahead,
        "slots": slots,
        "skill_average": skill_average,
        "overall_average": overall_average,
    }


_ESTIMATE_INPUTS = """
SELECT
  (SELECT COUNT(*) FROM {conversation} q
    WHERE q.status = %s AND q.assigned_agent_id IS NULL
      AND (q.queue_key < %s OR (q.queue_key = %s AND q.id < %s))) AS ahead,
  (SELECT SUM(a.max_concurrent) FROM {agent} a WHERE {where}) AS slots,
  (SELECT h.average_seconds FROM {handling} h JOIN {skill} k ON k.id = h.skill_id
    WHERE {skill_code} LIMIT 1) AS skill_average,
  (SELECT h.average_seconds FROM {handling} h WHERE h.skill_id IS NULL LIMIT 1) AS overall_average
"""


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


def best_qualified(
    needs: Needs,
    *,
    exclude: list[int],
    among: list[int] | None = None,
    per_side: int,
    also: int | None = None,
) -> list[Agent]:
    """The SQL pre-filter of the ranking: of the agents qualified_agents() selects, the best
    `per_side` with a free slot and the best `per_side` at capacity (or at their offer limit),
    and agent `also` wherever they rank (the customer's recent agent, whom the ranking puts
    first when free), annotated the same way, in one statement (a window ranks each side
    apart, so a decision among 1,000 agents reads a few rows). The order is
    routing.ranking.score's, written in SQL; a test holds the two to agree.

    Written by hand: the ORM took longer to compose and compile this statement (about a third
    of a routing decision) than the database took to run it. Portable SQL (PostgreSQL, SQLite).
    """
    where, params = _qualified_where(needs, exclude=exclude, among=among)
    limit = RoutingPolicy.load().offers_per_agent
    first_skill = next(iter(needs.skills), None)
    sql = _BEST_QUALIFIED.format(
        agent=Agent._meta.db_table,
        conversation=Conversation._meta.db_table,
        skill_level=_SKILL_LEVEL if first_skill else "0",  # no skill needed: all level 0
        handed_over=", ".join(["%s"] * len(Conversation.HANDED_OVER_STATUSES)),
        where=" AND ".join(where),
        at_offer_limit="p.offers >= %s" if limit else "1 = 0",
        also="OR r.id = %s" if also is not None else "",
    )
    values = [  # in the order they appear in the statement
        *([limit] if limit else []),
        *Conversation.HANDED_OVER_STATUSES,
        Conversation.Status.WAITING,
        *([first_skill] if first_skill else []),
        *params,
        per_side,
        *([also] if also is not None else []),
    ]
    return list(Agent.objects.raw(sql, values))


_SKILL_LEVEL = f"""(SELECT s.level FROM {AgentSkill._meta.db_table} s
          JOIN {Skill._meta.db_table} k ON k.id = s.skill_id
          WHERE s.agent_id = a.id AND k.code = %s LIMIT 1)"""  # noqa: S608 (names, not values)

_BEST_QUALIFIED = """
SELECT r.* FROM (
  SELECT q.*, ROW_NUMBER() OVER (
    PARTITION BY q.is_full
    ORDER BY q.skill_level IS NULL, q.skill_level DESC, q.load,
             q.last_assigned_at IS NOT NULL, q.last_assigned_at, q.id
  ) AS place
  FROM (
    SELECT p.*,
      CASE WHEN p.load >= p.max_concurrent OR {at_offer_limit} THEN 1 ELSE 0 END AS is_full
    FROM (
      SELECT a.*,
        (SELECT COUNT(*) FROM {conversation} c
          WHERE c.assigned_agent_id = a.id AND c.status IN ({handed_over})) AS load,
        (SELECT COUNT(*) FROM {conversation} c
          WHERE c.assigned_agent_id = a.id AND c.status = %s) AS offers,
        {skill_level} AS skill_level
      FROM {agent} a
      WHERE {where}
    ) p
  ) q
) r
WHERE r.place <= %s {also}
ORDER BY r.is_full, r.place
"""


def _qualified_where(
    needs: Needs, *, exclude: list[int], among: list[int] | None
) -> tuple[list[str], list[object]]:
    """agents_meeting() and online_with(), as SQL conditions on the agent row `a`."""
    where: list[str] = ["a.presence = %s"]
    params: list[object] = [Agent.Presence.ONLINE]
    skilled = (  # table names from the models; every value is a parameter
        f"a.id IN (SELECT s.agent_id FROM {AgentSkill._meta.db_table} s"  # noqa: S608
        f" JOIN {Skill._meta.db_table} k ON k.id = s.skill_id WHERE k.code = %s AND s.level >= %s)"
    )
    for code, level in needs.skills.items():
        where.append(skilled)
        params += [code, level]
    if needs.language:
        where.append("LOWER(a.languages) LIKE %s ESCAPE '!'")
        escaped = needs.language.lower().replace("!", "!!").replace("%", "!%").replace("_", "!_")
        params.append(f"%{escaped}%")
    if needs.min_seniority:
        where.append("a.seniority >= %s")
        params.append(needs.min_seniority)
    for ids, operator in ((exclude, "NOT IN"), (among, "IN")):
        if ids is not None and (ids or operator == "IN"):
            where.append(f"a.id {operator} ({', '.join(['%s'] * len(ids)) or 'NULL'})")
            params += ids
    return where, params


def candidate_of(agent: Agent, offer_limit: int) -> Candidate:
    """What the ranking reads of an agent annotated by qualified_agents (`offer_limit`: the
    policy's offers_per_agent, read once per decision by the caller)."""
    return Candidate(
        agent_id=agent.pk,
        skill_level=agent.skill_level,  # type: ignore[attr-defined]
        load=agent.load,  # type: ignore[attr-defined]
        capacity=agent.max_concurrent,
        last_assigned_at=agent.last_assigned_at,
        offers=agent.offers,  # type: ignore[attr-defined]
        offer_limit=offer_limit,
    )
