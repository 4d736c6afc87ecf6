"""The ranking (routing.ranking): a pure function, and the SQL pre-filter that must agree with it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from agents.models import Agent, AgentSkill
from helpdesk.models import Conversation, Customer
from routing.models import RoutingPolicy, Skill
from routing.needs import Needs
from routing.ranking import Candidate, rank, score
from routing.selectors import best_qualified, candidate_of, qualified_agents
from tests.support.factories import make_agent

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def candidate(agent_id: int, **facts: object) -> Candidate:
    defaults: dict[str, object] = {
        "skill_level": 3,
        "load": 0,
        "capacity": 3,
        "last_assigned_at": NOON,
    }
    return Candidate(agent_id=agent_id, **{**defaults, **facts})  # type: ignore[arg-type]


def order(*candidates: Candidate, previous: int | None = None) -> list[int]:
    return [c.agent_id for c in rank(candidates, previous=previous).free]


def test_skill_level_comes_before_load_and_no_level_comes_last() -> None:
    assert order(
        candidate(1, skill_level=2, load=0),
        candidate(2, skill_level=5, load=2),
        candidate(3, skill_level=None, load=0),
    ) == [2, 1, 3]


def test_at_the_same_level_the_least_loaded_then_the_longest_idle_wins() -> None:
    assert order(
        candidate(1, load=1, last_assigned_at=NOON - timedelta(hours=5)),
        candidate(2, load=0, last_assigned_at=NOON),
        candidate(3, load=0, last_assigned_at=NOON - timedelta(hours=1)),
        candidate(4, load=0, last_assigned_at=None),  # never assigned: waited longest of all
    ) == [4, 3, 2, 1]


def test_equal_agents_always_rank_by_id() -> None:
    assert order(candidate(9), candidate(4), candidate(7)) == [4, 7, 9]


def test_the_customers_recent_agent_comes_first_only_when_free() -> None:
    best, recent = candidate(1, skill_level=5), candidate(2, skill_level=1)
    assert order(best, recent, previous=2) == [2, 1]
    full_recent = candidate(2, skill_level=1, load=3)
    ranking = rank([best, full_recent], previous=2)
    assert [c.agent_id for c in ranking.free] == [1]
    assert [c.agent_id for c in ranking.full] == [2]


def test_full_agents_are_set_apart_best_first() -> None:
    ranking = rank(
        [candidate(1, load=3), candidate(2, load=4, capacity=4, skill_level=5), candidate(3)]
    )
    assert [c.agent_id for c in ranking.free] == [3]
    assert [c.agent_id for c in ranking.full] == [2, 1]


def test_an_agent_holding_as_many_offers_as_allowed_is_set_apart_with_slots_free() -> None:
    ranking = rank(
        [
            candidate(1, skill_level=5, load=1, offers=1, offer_limit=1),
            candidate(2, load=2, offers=1, offer_limit=2),
            candidate(3, load=1, offers=1, offer_limit=0),  # no limit: slots only
        ]
    )
    assert [c.agent_id for c in ranking.free] == [3, 2]  # the less loaded first
    assert [c.agent_id for c in ranking.full] == [1]


def test_the_key_sorts_like_the_rules_say() -> None:
    assert score(candidate(1, skill_level=4)) < score(candidate(2, skill_level=3))
    assert score(candidate(1, skill_level=0)) < score(candidate(2, skill_level=None))


@pytest.mark.django_db
def test_the_sql_pre_filter_keeps_exactly_the_best_of_each_side_by_the_same_order() -> None:
    """Sixty agents with random levels, loads (some of it offers not yet accepted) and idle
    times (ties included): the few rows SQL keeps per side are the first of the pure ranking of
    all of them, in the same order."""
    shuffle = random.Random(15)
    skill, _ = Skill.objects.get_or_create(code="billing", defaults={"name": "Billing"})
    for number in range(60):
        agent = make_agent(f"rank{number}", f"Rank {number}", presence="online", max_concurrent=3)
        if shuffle.random() < 0.8:  # some have no level recorded
            AgentSkill.objects.create(agent=agent, skill=skill, level=shuffle.randint(1, 3))
        idle = None if shuffle.random() < 0.2 else NOON - timedelta(minutes=shuffle.randint(0, 4))
        Agent.objects.filter(pk=agent.pk).update(last_assigned_at=idle)
        load = shuffle.randint(0, 3)
        _give_load(agent, load, offered=min(load, shuffle.randint(0, 1)))
    passed = list(Agent.objects.order_by("pk").values_list("pk", flat=True)[:60:12])
    for wanted, exclude in (
        (Needs(), []),
        (Needs(skills={"billing": 1}), []),
        (Needs(skills={"billing": 2}, language="EN"), passed),  # the match ignores case
    ):
        qualified = qualified_agents(wanted, exclude=exclude)
        limit = RoutingPolicy.load().offers_per_agent
        everyone = rank(candidate_of(agent, limit) for agent in qualified)
        shortlist = best_qualified(wanted, exclude=exclude, per_side=10)
        kept = rank(candidate_of(agent, limit) for agent in shortlist)
        assert kept.free == everyone.free[:10]
        assert kept.full == everyone.full[:10]
        assert len(everyone.free) > 10  # both sides were cut
        assert len(everyone.full) > 10


def _give_load(agent: Agent, count: int, *, offered: int) -> None:
    """`count` conversations, the first `offered` of them offered and not accepted yet."""
    customer = Customer.objects.create(name=f"Load of {agent.display_name}")
    Conversation.objects.bulk_create(
        Conversation(
            customer=customer,
            status=Conversation.Status.WAITING
            if index < offered
            else Conversation.Status.WITH_AGENT,
            assigned_agent=agent,
            escalated_at=timezone.now(),
        )
        for index in range(count)
    )
