"""The domain events webhooks listen to, sent in the transaction of the change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agents.models import Agent
from helpdesk.flows import conversation_join, conversation_open, conversation_resolve
from helpdesk.models import Conversation, Customer
from helpdesk.signals import conversation_event
from routing.services import conversation_route
from tests.support.factories import escalated_conversation

pytestmark = pytest.mark.usefixtures("knowledge_base")


@pytest.fixture
def events() -> Iterator[list[tuple[str, str]]]:
    seen: list[tuple[str, str]] = []

    def record(sender: Any, event: str, conversation: Conversation, **kwargs: Any) -> None:
        seen.append((event, conversation.customer.name))

    conversation_event.connect(record)
    yield seen
    conversation_event.disconnect(record)


def test_escalated_assigned_and_resolved_are_announced_once_each(
    events: list[tuple[str, str]], dana: Agent
) -> None:
    conversation = escalated_conversation("Routed")
    conversation_route(conversation_id=conversation.pk)  # the task the escalation queued
    conversation_join(public_id=conversation.public_id, agent=dana)  # accepting an offer
    conversation_resolve(public_id=conversation.public_id, agent=dana)
    assert events == [
        ("conversation.escalated", "Routed"),
        ("conversation.assigned", "Routed"),
        ("conversation.resolved", "Routed"),
    ]


def test_taking_a_free_conversation_is_its_assignment(
    events: list[tuple[str, str]], dana: Agent
) -> None:
    conversation = conversation_open(customer=Customer.objects.create(name="Free"))
    conversation_join(public_id=conversation.public_id, agent=dana)
    assert events == [("conversation.assigned", "Free")]
