"""The wait estimate: the queue ahead served by the qualified slots at the moving average."""

from __future__ import annotations

import heapq
import random
import statistics
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from agents.models import Agent
from helpdesk.flows import conversation_join, conversation_resolve
from helpdesk.models import Conversation, Customer
from routing.estimates import estimate_seconds, moving_average, wait_estimate
from routing.models import HandlingTime, Skill
from routing.needs import Needs
from routing.selectors import agents_meeting, estimate_inputs, queue_position_filter
from tests.support.factories import make_agent


def simulate_day(seed: int) -> tuple[list[float], list[float]]:
    """Eight hours of a contact centre: 6 agents x 2 slots, arrivals a little faster than they
    are served at peak, handling times exponential around 10 minutes. At each arrival that has
    to queue, the estimate uses the moving average learnt from the conversations resolved so far.
    Returns the estimates and the waits that really happened."""
    rng = random.Random(seed)
    slots, mean_handling = 12, 600.0
    busy_until: list[float] = []  # one end time per busy slot (a heap)
    queue: list[tuple[float, float]] = []  # (arrival, estimate) in FIFO order
    average, samples = 300.0, 0  # the estimator starts from the default, as in production
    estimates, actual = [], []
    now, end = 0.0, 8 * 3600.0
    while now < end:
        peak = 3 * 3600 < now < 5 * 3600
        now += rng.expovariate(1 / (40.0 if peak else 65.0))
        while busy_until and busy_until[0] <= now:  # slots freed before this arrival
            freed = heapq.heappop(busy_until)
            if queue:
                arrival, promised = queue.pop(0)
                estimates.append(promised)
                actual.append(freed - arrival)
                handling = rng.expovariate(1 / mean_handling)
                heapq.heappush(busy_until, freed + handling)
                average, samples = moving_average(average, samples, handling), samples + 1
        if len(busy_until) < slots:
            handling = rng.expovariate(1 / mean_handling)
            heapq.heappush(busy_until, now + handling)
            average, samples = moving_average(average, samples, handling), samples + 1
        else:
            estimate = estimate_seconds(len(queue) + 1, slots, average)
            assert estimate is not None
            queue.append((now, estimate))
    return estimates, actual


def test_the_estimate_on_a_simulated_day_is_within_half_the_average_wait() -> None:
    errors, waits = [], []
    for seed in range(5):
        estimates, actual = simulate_day(seed)
        assert len(actual) > 50  # the day really queued
        errors += [abs(e - a) for e, a in zip(estimates, actual, strict=True)]
        waits += actual
    mean_error, mean_wait = statistics.mean(errors), statistics.mean(waits)
    # Reported in the README: the mean absolute error as a share of the mean wait.
    assert mean_error < 0.5 * mean_wait, (mean_error, mean_wait)


def test_nobody_qualified_online_means_no_estimate_rather_than_a_guess() -> None:
    assert estimate_seconds(3, 0, 300.0) is None
    assert estimate_seconds(4, 2, 300.0) == 600.0


def test_the_moving_average_is_a_plain_mean_at_first_then_follows_recent_times() -> None:
    assert moving_average(300.0, 0, 100.0) == 100.0
    assert moving_average(100.0, 1, 300.0) == 200.0
    settled = 200.0
    for _ in range(30):
        settled = moving_average(settled, 10, 800.0)
    assert settled == pytest.approx(800.0, abs=1.0)


def test_resolving_records_the_handling_time_and_the_queue_gets_an_estimate(
    dana: Agent, knowledge_base: object
) -> None:
    Agent.objects.filter(pk=dana.pk).update(max_concurrent=1)
    customer = Customer.objects.create(name="Handled")
    handled = Conversation.objects.create(customer=customer, status="waiting", language="en")
    conversation_join(public_id=handled.public_id, agent=dana)
    Conversation.objects.filter(pk=handled.pk).update(
        accepted_at=timezone.now() - timedelta(minutes=8)
    )
    handled.refresh_from_db()
    conversation_resolve(public_id=handled.public_id, agent=dana)
    overall = HandlingTime.objects.get(skill__isnull=True)
    assert overall.samples == 1
    assert overall.average_seconds == pytest.approx(480, abs=5)

    make_agent("bea", "Bea", presence="online", max_concurrent=2)
    now = timezone.now()
    queued = [
        Conversation.objects.create(
            customer=customer,
            status="waiting",
            language="en",
            escalated_at=now,
            queue_key=now - timedelta(seconds=10 - index),
        )
        for index in range(3)
    ]
    third = wait_estimate(queued[2])
    assert third["position"] == 3
    # Dana (1 slot) and Bea (2 slots) online: 3 slots, 480 s each, third in line.
    assert third["seconds"] == pytest.approx(3 * 480 / 3, abs=5)
    assert wait_estimate(handled) == {"position": None, "seconds": None}


def test_the_hand_written_estimate_inputs_read_what_the_orm_reads(db: None) -> None:
    """estimate_inputs (one hand-written statement) against the ORM's reading of the same
    things, over random agents, queues with ties, and needs with and without skills."""
    rng = random.Random(11)
    for index in range(40):
        make_agent(
            f"agent{index}",
            f"Agent {index}",
            skills={code: rng.randint(1, 5) for code in rng.sample(["billing", "orders"], 1)},
            languages=rng.choice(["en", "de", "en,fr", "FR"]),
            seniority=rng.randint(1, 3),
            max_concurrent=rng.randint(1, 4),
            presence=rng.choice(["online", "online", "away", "offline"]),
        )
    HandlingTime.objects.update_or_create(skill=None, defaults={"average_seconds": 410.0})
    billing = Skill.objects.get(code="billing")
    HandlingTime.objects.create(skill=billing, average_seconds=250.0)
    customer = Customer.objects.create(name="Queue")
    now = timezone.now()
    queued = [
        Conversation.objects.create(
            customer=customer,
            status=rng.choice(["waiting", "waiting", "with_agent"]),
            escalated_at=now,
            queue_key=now - timedelta(seconds=rng.randint(0, 5)),  # many ties
        )
        for _ in range(30)
    ]
    # Not in the queue: offered to an agent already, and waiting with no place in line yet.
    offered = Conversation.objects.create(
        customer=customer,
        status="waiting",
        escalated_at=now,
        queue_key=now - timedelta(seconds=9),
        assigned_agent=Agent.objects.first(),
    )
    Conversation.objects.create(customer=customer, status="waiting", queue_key=None)
    needs_tried = [
        Needs(),
        Needs(skills={"billing": 3}, language="en"),
        Needs(skills={"orders": 2}, language="fr", min_seniority=2),
        Needs(language="de"),
    ]
    compared = 0
    for conversation in queued:
        ahead = queue_position_filter(conversation)
        if ahead is None:
            continue
        for needs in needs_tried:
            skill = next(iter(needs.skills), None)
            averages = HandlingTime.objects.values_list("average_seconds", flat=True)
            expected = {
                "ahead": ahead.count(),
                "slots": agents_meeting(needs).aggregate(slots=Sum("max_concurrent"))["slots"],
                # No skill needed: no skill's average (the estimate then takes the overall one).
                "skill_average": averages.filter(skill__code=skill).first() if skill else None,
                "overall_average": averages.filter(skill__isnull=True).first(),
            }
            assert estimate_inputs(conversation, needs) == expected, (conversation.pk, needs)
            compared += 1
    assert compared > 40
    assert queue_position_filter(offered) is None  # and it is not counted ahead of anyone
