"""Moving time and reading what a waiting customer was told (the waiting and off-hours tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import time_machine

from escalation.callbacks import customer_choose
from escalation.timers import timers_run_due
from helpdesk.flows import conversation_open
from helpdesk.models import Conversation, Customer, Message
from tests.support.factories import say

TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
SATURDAY_22 = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


def escalate(customer: Customer, text: str = "I want to speak to a human") -> Conversation:
    conversation = conversation_open(customer=customer)
    say(conversation, text)
    conversation.refresh_from_db()
    return conversation


def bodies(conversation: Conversation, *, after: int = 0) -> list[str]:
    return list(
        conversation.messages.filter(seq__gt=after, author_kind="assistant")
        .order_by("seq")
        .values_list("body", flat=True)
    )


def run_timers(moment: datetime) -> list[str]:
    with at(moment):
        return timers_run_due(now=moment)


def latest_offer(conversation: Conversation) -> Message:
    offer = conversation.messages.exclude(actions={}).order_by("-seq").first()
    assert offer is not None
    return offer


def offered_slots(conversation: Conversation) -> list[str]:
    """The callback times on the latest offer, soonest first ("slot:<ISO time>")."""
    choices = latest_offer(conversation).actions["choices"]
    return [choice["id"] for choice in choices if choice["id"].startswith("slot:")]


def choose(
    conversation: Conversation, choice: str, contact: str = "", seq: int | None = None
) -> Any:
    return customer_choose(
        public_id=conversation.public_id,
        customer_id=conversation.customer_id,
        message_seq=seq if seq is not None else latest_offer(conversation).seq,
        choice=choice,
        contact=contact,
    )


HACKED = "Someone hacked my account and changed my password"
