"""Query budgets of the message path's hot spots, pinned as statements sent to the database.

A transaction's BEGIN and COMMIT are left out of the count: psycopg sends them outside the
cursor, so on PostgreSQL they never show, while SQLite's IMMEDIATE mode shows them. Savepoints
count: each is a round trip. Run in real transactions (transaction=True) so that the count is
the one production sees, not one inflated by the test's own savepoints.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.models import Agent
from escalation.models import Timer
from escalation.timers import timer_run
from helpdesk.flows import customer_message_receive
from helpdesk.models import Conversation, Customer, OwedTurn
from routing.models import Team, TeamHours
from routing.services import conversation_route
from tests.support.factories import escalated_conversation, make_agent

pytestmark = [pytest.mark.usefixtures("knowledge_base"), pytest.mark.django_db(transaction=True)]

TRANSACTION_CONTROL = ("BEGIN", "COMMIT")


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].upper().startswith(TRANSACTION_CONTROL)
    ]


@pytest.fixture
def open_all_week(db: None) -> Team:
    """A default team open round the clock: the desk's hours are read, and it is open."""
    team = Team.objects.create(name="Desk", time_zone="Europe/London", is_default=True)
    for weekday in range(7):
        TeamHours.objects.create(team=team, weekday=weekday, opens=time(0), closes=time(0))
    return team


def test_storing_a_customer_message_and_owing_its_turn_takes_at_most_five_statements(
    alice: Customer, settings: Any
) -> None:
    settings.TURN_RUNNER = "thread"  # the turn is not part of storing: it runs after the commit
    conversation = Conversation.objects.create(customer=alice)
    for client_msg_id in ("first", "second"):  # the first warms up, the second is measured
        with CaptureQueriesContext(connection) as captured:
            customer_message_receive(
                public_id=conversation.public_id,
                customer_id=alice.pk,
                body="Hello",
                client_msg_id=client_msg_id,
            )
    assert len(statements(captured)) <= 5, "\n".join(statements(captured))
    assert OwedTurn.objects.filter(message__client_msg_id="second").exists()


def test_a_routing_decision_takes_at_most_eight_statements(
    dana: Agent, open_all_week: Team
) -> None:
    make_agent("omar", "Omar Haddad", skills={"billing": 2}, presence="online")
    first, second = (escalated_conversation(name) for name in ("Carol", "Dave"))
    # Both taken back, as offers that ran out: the decisions are made again, from scratch.
    Conversation.objects.filter(pk__in=[first.pk, second.pk]).update(
        assigned_agent=None, offered_at=None
    )
    conversation_route(conversation_id=first.pk)  # the settings' rows exist, and are read
    with CaptureQueriesContext(connection) as captured:
        outcome = conversation_route(conversation_id=second.pk)
    assert outcome.reason == "assigned"
    assert len(statements(captured)) <= 8, "\n".join(statements(captured))


def test_a_wait_update_takes_at_most_seven_statements(open_all_week: Team) -> None:
    first, second = (due_wait_update(escalated_conversation(name)) for name in ("Carol", "Dave"))
    assert timer_run(timer_id=first) == "posted update 1"  # the settings' rows exist, and are read
    with CaptureQueriesContext(connection) as captured:
        outcome = timer_run(timer_id=second)
    assert outcome == "posted update 1"
    # The budget is 10; the update is posted under the lock the timer already holds, so
    # the conversation is not locked and read a second time.
    assert len(statements(captured)) <= 7, "\n".join(statements(captured))


def due_wait_update(conversation: Conversation) -> int:
    """The conversation's first wait update, due now, with news to post (as if the customer
    had not been told their place yet): the costlier path, posting a message."""
    timer = Timer.objects.get(conversation=conversation, kind=Timer.Kind.WAIT_UPDATE)
    Timer.objects.filter(pk=timer.pk).update(
        due_at=timezone.now() - timedelta(seconds=1), payload={"number": 1}
    )
    return timer.pk
