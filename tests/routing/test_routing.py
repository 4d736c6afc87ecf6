"""Routing: the right agent, never over capacity, never a forgotten conversation."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from datetime import timedelta
from typing import TypeVar

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from agents.models import Agent
from agents.services import agent_set_presence, presence_sweep
from helpdesk.flows import (
    conversation_join,
    conversation_open,
    conversation_resolve,
    customer_turn_handle,
)
from helpdesk.models import Conversation, ConversationEvent, Customer
from helpdesk.services import ChatError, message_post
from routing.models import RoutingPolicy, RoutingRule, Skill
from routing.offers import offers_expire
from routing.selectors import queue_position, waiting_queue
from routing.services import (
    conversation_assign_manually,
    conversation_enqueue,
    conversation_route,
)
from tests.support.factories import escalated_conversation as escalate
from tests.support.factories import make_agent

pytestmark = pytest.mark.usefixtures("knowledge_base")
T = TypeVar("T", Conversation, Agent)
ON_POSTGRES = pytest.mark.skipif(
    os.environ.get("REQUIRE_SERVICES") != "1"
    and "postgresql" not in os.environ.get("DATABASE_URL", ""),
    reason="concurrency is only meaningful on PostgreSQL (CI sets REQUIRE_SERVICES=1)",
)


def fresh(row: T) -> T:
    row.refresh_from_db()
    return row


def last_event(conversation: Conversation, kind: str) -> ConversationEvent:
    event = conversation.events.filter(kind=kind).order_by("-pk").first()
    assert event is not None, f"no {kind} event"
    return event


def test_a_capability_escalation_goes_to_the_agent_with_the_skill(
    dana: Agent, sam: Agent, after_commit
) -> None:
    with after_commit(execute=True):  # routing runs once the escalation has committed
        conversation = escalate("Alice", "You charged me twice for the same order")
    conversation = fresh(conversation)
    assert conversation.assigned_agent == dana  # billing 5; Sam only has orders
    assert conversation.status == "waiting"  # offered, until Dana accepts
    event = last_event(conversation, "routing.assigned")
    assert event.data["agent_name"] == "Dana Whitfield"
    assert event.data["needs"]["skills"] == {"billing": 1}
    assert [candidate["name"] for candidate in event.data["candidates"]] == ["Dana Whitfield"]
    assert "skill level" in event.data["decision"]


def test_rules_map_intent_language_and_tier_to_skills_and_seniority(dana: Agent) -> None:
    german = make_agent(
        "jonas", "Jonas Weber", skills={"orders": 3}, languages="de, en", presence="online"
    )
    senior = make_agent(
        "lea", "Lea Senior", skills={"orders": 2}, languages="de", seniority=4, presence="online"
    )
    RoutingRule.objects.create(name="VIPs to seniors", tier="vip", min_seniority=4)
    RoutingRule.objects.create(
        name="Orders", intent="order_status", skill=Skill.objects.get(code="orders"), min_level=2
    )
    conversation = conversation_open(
        customer=Customer.objects.create(name="Dieter", tier="vip", language="de"), language="de"
    )
    for text in ["Wo ist meine Bestellung?", "Ich möchte mit einem Menschen sprechen"]:
        stored = message_post(conversation_id=conversation.pk, author_kind="customer", body=text)
        customer_turn_handle(message_id=stored.message.pk)
    outcome = conversation_route(conversation_id=conversation.pk)
    assert outcome.assigned == senior  # German, orders >= 2 and team lead: only Lea
    # The order question set the topic, not the request for a person that followed it.
    assert set(outcome.explanation["rules"]) == {"VIPs to seniors", "Orders"}
    assert outcome.explanation["needs"]["skills"] == {"orders": 2}
    assert outcome.explanation["needs"]["language"] == "de"
    assert german.pk not in [c["agent"] for c in outcome.explanation["candidates"]]


def returning_to(agent: Agent) -> Conversation:
    """A customer whose earlier conversation `agent` handled asks for a person again."""
    customer = Customer.objects.create(name="Returning")
    earlier = conversation_open(customer=customer)
    Conversation.objects.filter(pk=earlier.pk).update(assigned_agent=agent, status="resolved")
    conversation = conversation_open(customer=customer)
    stored = message_post(
        conversation_id=conversation.pk, author_kind="customer", body="I want a human"
    )
    customer_turn_handle(message_id=stored.message.pk)
    return conversation


def test_the_customers_recent_agent_comes_first(dana: Agent) -> None:
    other = make_agent("omar", "Omar Idle", presence="online")
    conversation = returning_to(dana)
    Agent.objects.filter(pk=dana.pk).update(last_assigned_at=timezone.now())  # Omar idled longer
    outcome = conversation_route(conversation_id=conversation.pk)
    assert outcome.assigned == dana
    assert outcome.explanation["decision"] == "the customer's recent agent, online with a free slot"
    assert other.pk in [c["agent"] for c in outcome.explanation["candidates"]]


def test_the_recent_agent_comes_first_even_ranked_below_the_shortlist(dana: Agent) -> None:
    """The SQL shortlist keeps the best ten free agents; the recent agent is read with them
    wherever they rank."""
    long_ago = timezone.now() - timedelta(hours=3)
    for index in range(12):  # all idle longer than Dana: each outranks her
        idle = make_agent(f"idle{index}", f"Idle {index}", presence="online")
        Agent.objects.filter(pk=idle.pk).update(last_assigned_at=long_ago)
    Agent.objects.filter(pk=dana.pk).update(last_assigned_at=timezone.now())
    conversation = returning_to(dana)
    outcome = conversation_route(conversation_id=conversation.pk)
    assert outcome.assigned == dana
    assert outcome.explanation["decision"] == "the customer's recent agent, online with a free slot"


def test_the_least_loaded_then_the_longest_idle_agent_wins(db: None) -> None:
    busy = make_agent("busy", "Busy", presence="online", max_concurrent=5)
    idle_long = make_agent("long", "Idle Long", presence="online")
    idle_short = make_agent("short", "Idle Short", presence="online")
    now = timezone.now()
    Agent.objects.filter(pk=idle_long.pk).update(last_assigned_at=now - timedelta(hours=2))
    Agent.objects.filter(pk=idle_short.pk).update(last_assigned_at=now - timedelta(minutes=5))
    Conversation.objects.filter(pk=escalate("Load").pk).update(
        assigned_agent=busy, status="with_agent"
    )
    one = escalate("One")
    first = conversation_route(conversation_id=one.pk)
    assert first.assigned == idle_long
    conversation_join(public_id=one.public_id, agent=idle_long)  # accepted: no offer held
    second = conversation_route(conversation_id=escalate("Two").pk)
    assert second.assigned == idle_short  # Idle Long now has one; Busy already had one


def test_skill_level_comes_before_load(db: None) -> None:
    expert = make_agent("expert", "Expert", skills={"billing": 5}, presence="online")
    novice = make_agent("novice", "Novice", skills={"billing": 1}, presence="online")
    Conversation.objects.filter(pk=escalate("Load").pk).update(
        assigned_agent=expert, status="with_agent"
    )
    outcome = conversation_route(
        conversation_id=escalate("Billing", "You charged me twice for the same order").pk
    )
    assert outcome.assigned == expert  # busier, but the higher level wins
    assert novice.pk in [c["agent"] for c in outcome.explanation["candidates"]]


def test_joining_a_free_conversation_counts_against_capacity(dana: Agent) -> None:
    Agent.objects.filter(pk=dana.pk).update(max_concurrent=1)
    dana.refresh_from_db()
    first, second = escalate("First"), escalate("Second")
    conversation_join(public_id=first.public_id, agent=dana)
    with pytest.raises(ChatError) as refused:
        conversation_join(public_id=second.public_id, agent=dana)
    assert refused.value.code == "over_capacity"
    assert fresh(second).assigned_agent is None


def test_a_full_agent_is_passed_over_and_the_conversation_waits_with_a_reason(dana: Agent) -> None:
    Agent.objects.filter(pk=dana.pk).update(max_concurrent=1)
    first = escalate("First")
    assert conversation_route(conversation_id=first.pk).assigned == dana
    second = escalate("Second")
    outcome = conversation_route(conversation_id=second.pk)
    assert outcome.assigned is None
    assert outcome.explanation["decision"] == "queued: every qualified agent is at capacity"
    assert outcome.explanation["passed_over"][0]["why"] == "no free slot"
    assert last_event(second, "routing.queued").data["passed_over"][0]["name"] == "Dana Whitfield"
    conversation_route(conversation_id=second.pk)  # asked again: no second identical event
    assert second.events.filter(kind="routing.queued").count() == 1
    assert queue_position(fresh(second)) == 1


def test_freeing_ten_slots_assigns_ten_waiting_conversations_at_once(
    db: None, after_commit
) -> None:
    agents = [
        make_agent(f"a{i}", f"Agent {i}", presence="online", max_concurrent=1) for i in range(10)
    ]
    held = [escalate(f"Held {i}") for i in range(10)]
    for conversation in held:
        conversation_route(conversation_id=conversation.pk)
    waiting = [escalate(f"Waiting {i}") for i in range(12)]
    for conversation in waiting:
        conversation_route(conversation_id=conversation.pk)
    assert waiting_queue().count() == 12
    for conversation in held:
        agent = fresh(conversation).assigned_agent
        assert agent in agents
        conversation_join(public_id=conversation.public_id, agent=agent)
        with after_commit(execute=True):
            conversation_resolve(public_id=conversation.public_id, agent=agent)
    assert waiting_queue().count() == 2
    assigned = Conversation.objects.filter(
        pk__in=[c.pk for c in waiting], assigned_agent__isnull=False
    )
    assert assigned.count() == 10
    assert sorted(assigned.values_list("assigned_agent", flat=True)) == sorted(a.pk for a in agents)


def test_an_agent_who_goes_offline_loses_unaccepted_conversations_to_another(
    dana: Agent, after_commit
) -> None:
    backup = make_agent("bea", "Bea Backup", skills={"billing": 1}, presence="online")
    Agent.objects.filter(pk=backup.pk).update(last_assigned_at=timezone.now())  # Dana first
    offered = escalate("Offered")
    accepted = escalate("Accepted")
    assert conversation_route(conversation_id=offered.pk).assigned == dana
    Conversation.objects.filter(pk=accepted.pk).update(assigned_agent=dana)
    conversation_join(public_id=accepted.public_id, agent=dana)
    with after_commit(execute=True):
        agent_set_presence(agent=dana, presence="offline")
    assert fresh(offered).assigned_agent == backup  # rerouted
    assert fresh(accepted).assigned_agent == dana  # accepted ones stay with her
    assert last_event(offered, "routing.released").data["reason"] == "agent went offline"


def test_a_silent_agent_is_swept_offline_and_rerouted(dana: Agent, after_commit) -> None:
    backup = make_agent("bea", "Bea Backup", presence="online", last_seen_at=timezone.now())
    offered = escalate("Offered")
    Conversation.objects.filter(pk=offered.pk).update(
        assigned_agent=dana, offered_at=timezone.now()
    )
    Agent.objects.filter(pk=dana.pk).update(last_seen_at=timezone.now() - timedelta(minutes=10))
    with after_commit(execute=True):
        assert presence_sweep() == 1
    assert fresh(offered).assigned_agent == backup


def test_an_offer_not_accepted_in_time_goes_to_the_next_agent(dana: Agent) -> None:
    backup = make_agent("bea", "Bea Backup", presence="online")
    Agent.objects.filter(pk=backup.pk).update(last_assigned_at=timezone.now())
    conversation = escalate("Slow")
    assert conversation_route(conversation_id=conversation.pk).assigned == dana
    later = timezone.now() + timedelta(seconds=RoutingPolicy.load().offer_timeout_seconds + 1)
    assert offers_expire(now=later) == 1
    conversation = fresh(conversation)
    assert conversation.assigned_agent == backup
    assert conversation.declined_by == [dana.pk]


def test_aging_lifts_an_old_low_urgency_conversation_above_a_fresh_high_one(db: None) -> None:
    """Through conversation_enqueue, as an escalation queues them: the head starts come from the policy."""
    policy = RoutingPolicy.load()
    gap = policy.head_start_high - policy.head_start_low  # minutes of head start
    now = timezone.now()

    def queued(name: str, urgency: str, waited_minutes: float) -> Conversation:
        conversation = escalate(name)
        conversation.escalated_at = now - timedelta(minutes=waited_minutes)
        conversation_enqueue(conversation, urgency=urgency)
        return conversation

    old_low = queued("Old Low", "low", gap + 1)
    fresh_high = queued("Fresh High", "high", 0)
    assert list(waiting_queue()) == [old_low, fresh_high]
    assert queue_position(fresh(fresh_high)) == 2
    not_old_enough = queued("Newer Low", "low", gap - 1)
    assert list(waiting_queue()) == [old_low, fresh_high, not_old_enough]


def test_a_required_skill_is_relaxed_to_the_fallback_after_the_wait(db: None) -> None:
    generalist = make_agent("gen", "Gen Eralist", skills={"general": 2}, presence="online")
    policy = RoutingPolicy.load()
    policy.fallback_skill = Skill.objects.get(code="general")
    policy.save()
    conversation = escalate("Billing", "You charged me twice for the same order")
    assert conversation_route(conversation_id=conversation.pk).assigned is None  # nobody billing
    Conversation.objects.filter(pk=conversation.pk).update(
        escalated_at=timezone.now() - timedelta(seconds=policy.relax_after_seconds + 1)
    )
    outcome = conversation_route(conversation_id=conversation.pk)
    assert outcome.assigned == generalist
    assert outcome.explanation["needs"]["relaxed"] is True


def test_manual_assignment_overrides_and_over_capacity_is_explicit_and_recorded(
    dana: Agent, sam: Agent, supervisor_user
) -> None:
    Agent.objects.filter(pk=sam.pk).update(max_concurrent=1)
    busy = escalate("Busy")
    Conversation.objects.filter(pk=busy.pk).update(assigned_agent=sam)
    conversation = escalate("Manual")
    assert conversation_route(conversation_id=conversation.pk).assigned == dana
    with pytest.raises(ChatError) as refused:
        conversation_assign_manually(
            conversation=conversation, agent=fresh(sam), by=supervisor_user
        )
    assert refused.value.code == "over_capacity"
    conversation_assign_manually(
        conversation=conversation, agent=fresh(sam), by=supervisor_user, over_capacity=True
    )
    assert fresh(conversation).assigned_agent == sam
    event = last_event(conversation, "routing.manual")
    assert event.data["over_capacity"] is True
    assert event.data["replaced_agent"] == dana.pk
    assert event.data["by"] == supervisor_user.pk


@pytest.mark.django_db(transaction=True)
def test_the_stress_contract_holds_every_run() -> None:
    """On PostgreSQL under row locks; on SQLite (the embedded default) under its write lock."""
    for _ in range(2):
        out = io.StringIO()
        call_command(
            "routing_stress",
            "--agents",
            "20",
            "--capacity",
            "3",
            "--escalations",
            "200",
            "--workers",
            "8",
            stdout=out,
        )
        result = json.loads(out.getvalue())
        assert [
            result[key]
            for key in ("assigned", "queued", "max_load", "over_capacity", "double_assigned")
        ] == [60, 140, 3, 0, 0]
        # The untimed last pass only fills slots of agents whose offer was still unanswered
        # when the last conversation queued: at most one such offer per worker, each agent
        # with at most capacity - 1 other slots.
        assert result["settled"] <= 8 * (3 - 1)
        assert result["assignments_per_second"] > 0
    assert not Agent.objects.exists()  # scratch rows cleaned up


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_manual_assignment_wins_a_race_with_automatic_routing() -> None:
    make_agent("auto", "Auto Agent", presence="online", max_concurrent=20)  # always free to race
    chosen = make_agent("chosen", "Chosen Agent", presence="online", max_concurrent=1)
    Agent.objects.filter(pk=chosen.pk).update(presence="away")  # routing never picks Chosen
    supervisor = make_agent("sup", "Supervisor").user
    for round_ in range(10):
        conversation = Conversation.objects.create(
            customer=Customer.objects.create(name=f"Race {round_}"),
            status="waiting",
            escalated_at=timezone.now(),
            queue_key=timezone.now(),
        )
        barrier = threading.Barrier(2)

        def automatic(conversation_id: int = conversation.pk, barrier=barrier) -> None:
            barrier.wait()
            conversation_route(conversation_id=conversation_id)
            connections.close_all()

        def manual(target: Conversation = conversation, barrier=barrier) -> None:
            barrier.wait()
            conversation_assign_manually(
                conversation=target, agent=chosen, by=supervisor, over_capacity=True
            )
            connections.close_all()

        threads = [threading.Thread(target=automatic), threading.Thread(target=manual)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert fresh(conversation).assigned_agent == chosen, f"round {round_}"


class _HeldRow(threading.Thread):
    """Another transaction holding an agent's row, as a worker assigning to them does, until
    told to let go."""

    def __init__(self, agent: Agent) -> None:
        super().__init__()
        self.agent, self.holding, self.release = agent, threading.Event(), threading.Event()

    def run(self) -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                Agent.objects.select_for_update().get(pk=self.agent.pk)
                self.holding.set()
                self.release.wait(timeout=30)
        finally:
            connections.close_all()


def _route_in_thread(conversation_id: int, outcomes: list[object]) -> threading.Thread:
    def route() -> None:
        try:
            outcomes.append(conversation_route(conversation_id=conversation_id).assigned)
        finally:
            connections.close_all()

    thread = threading.Thread(target=route)
    thread.start()
    return thread


def _waits_for_a_row_lock() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def _setup_two_agents() -> tuple[Agent, Agent, Conversation]:
    best = make_agent("best", "Best Agent", presence="online")
    second = make_agent("second", "Second Agent", presence="online")
    Agent.objects.filter(pk=second.pk).update(last_assigned_at=timezone.now())  # Best idled longer
    conversation = Conversation.objects.create(
        customer=Customer.objects.create(name="Skip"),
        status="waiting",
        escalated_at=timezone.now(),
        queue_key=timezone.now(),
    )
    return best, second, conversation


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_routing_passes_an_agent_another_worker_is_assigning_to_without_waiting() -> None:
    best, second, conversation = _setup_two_agents()
    holder = _HeldRow(best)
    holder.start()
    assert holder.holding.wait(timeout=10)
    outcomes: list[object] = []
    _route_in_thread(conversation.pk, outcomes).join(timeout=20)
    still_held = holder.is_alive()  # the decision came while Best's row was still locked
    holder.release.set()
    holder.join()
    assert still_held
    assert outcomes == [second]
    assert fresh(conversation).assigned_agent == second


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_routing_waits_for_a_locked_agent_when_everyone_else_is_full() -> None:
    best, second, conversation = _setup_two_agents()
    Agent.objects.filter(pk=second.pk).update(max_concurrent=0)
    holder = _HeldRow(best)
    holder.start()
    assert holder.holding.wait(timeout=10)
    outcomes: list[object] = []
    router = _route_in_thread(conversation.pk, outcomes)
    for _ in range(200):  # until the router waits on Best's row (not queued at once)
        if _waits_for_a_row_lock() or not router.is_alive():
            break
        time.sleep(0.05)
    assert router.is_alive()
    assert not outcomes
    holder.release.set()
    holder.join()
    router.join(timeout=20)
    assert outcomes == [best]
