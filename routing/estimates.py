"""How long a queued customer will wait: the queue ahead, served by the qualified agents' slots,
each freed on average every `average handling time` seconds.

With every slot busy, departures come at about slots / average_seconds per second, so the
conversation at position p waits about p * average_seconds / slots. The average is a moving one
per skill, updated when an agent resolves a conversation.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from helpdesk.models import Conversation
from routing.models import HandlingTime, RoutingPolicy
from routing.needs import Needs, conversation_needs
from routing.selectors import (
    estimate_inputs,
    is_queued,
    qualified_agents,
    with_free_slot,
)

SMOOTHING = 0.2  # weight of the newest sample in the moving average
DEFAULT_SECONDS = 300.0


def moving_average(average: float, samples: int, sample: float) -> float:
    """Plain mean for the first few samples, then an exponential moving average."""
    if samples < 1 / SMOOTHING:
        return (average * samples + sample) / (samples + 1)
    return (1 - SMOOTHING) * average + SMOOTHING * sample


def estimate_seconds(position: int, slots: int, average_seconds: float) -> float | None:
    """The expected wait at `position` (1 = next) with `slots` qualified slots, all busy.
    None when nobody qualified is online: the wait is unknown (the customer is offered a
    callback instead of a guess)."""
    if slots <= 0:
        return None
    return position * average_seconds / slots


def record_handling_time(conversation: Conversation) -> None:
    """On resolve: fold this conversation's accept-to-resolve time into the averages for its
    skill and for all conversations."""
    if conversation.accepted_at is None:
        return
    sample = (timezone.now() - conversation.accepted_at).total_seconds()
    skill = conversation.escalations.values_list("skill", flat=True).first()
    with transaction.atomic():
        rows = [_overall_row()]
        if skill is not None:
            rows.append(HandlingTime.objects.select_for_update().get_or_create(skill_id=skill)[0])
        for row in rows:
            row.average_seconds = moving_average(row.average_seconds, row.samples, sample)
            row.samples += 1
            row.save(update_fields=["average_seconds", "samples", "updated_at"])


def _overall_row() -> HandlingTime:
    """The all-conversations row (a migration creates it; recreated if someone deleted it)."""
    row = HandlingTime.objects.select_for_update().filter(skill__isnull=True).first()
    return row or HandlingTime.objects.create(skill=None)


def wait_estimate(
    conversation: Conversation, needs: Needs | None = None
) -> dict[str, float | int | None]:
    """Queue position and estimated wait in seconds, as the customer can be shown them
    (`needs`, when the caller has already worked them out). One statement: the conversations
    ahead, the qualified slots and the average handling times are read side by side."""
    if not is_queued(conversation):
        return {"position": None, "seconds": None}
    needs = needs or conversation_needs(conversation, RoutingPolicy.load())
    row = estimate_inputs(conversation, needs)
    position = (row["ahead"] or 0) + 1
    average = row["skill_average"] or row["overall_average"] or DEFAULT_SECONDS
    return {"position": position, "seconds": estimate_seconds(position, row["slots"] or 0, average)}


def what_happens_next(conversation: Conversation) -> dict[str, Any]:
    """For the handoff message: is a qualified agent free right now, and if not, the customer's
    place in line and the estimated wait (both None when nobody qualified is online)."""
    needs = conversation_needs(conversation, RoutingPolicy.load())
    if with_free_slot(qualified_agents(needs, exclude=[])).exists():
        return {"agent_free": True}
    estimate = wait_estimate(conversation, needs)
    return {"agent_free": False, "position": estimate["position"], "seconds": estimate["seconds"]}
