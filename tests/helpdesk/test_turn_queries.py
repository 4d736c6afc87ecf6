"""What an assistant's turn costs the database, pinned: the answered turn in at most 8 statements
(plus 3 for its owed row: claim, clear, look for the next), the escalating one in at most 30,
with the supervisors' configuration read from the process's copy, not per message. Transaction control (BEGIN, COMMIT) is not
counted: PostgreSQL's driver sends no statement for it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from helpdesk.flows import conversation_open, customer_turn_handle, turns_take
from helpdesk.flows.owed import turn_owe
from helpdesk.models import Conversation, Customer, Message, OwedTurn
from helpdesk.services import customer_post_message
from tests.support.factories import say

pytestmark = [pytest.mark.usefixtures("knowledge_base"), pytest.mark.django_db(transaction=True)]

ANSWERED_TURN = 8
OWED_ROW = 3  # claim it, clear it, claim the conversation's next (none is owed)
ESCALATING_TURN = 30


def statements(queries: CaptureQueriesContext) -> list[str]:
    control = ("BEGIN", "COMMIT", "ROLLBACK")
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(control)]


def a_conversation_two_turns_in() -> Conversation:
    conversation = conversation_open(customer=Customer.objects.create(name="Ann"))
    say(conversation, "How do I return an item?")
    say(conversation, "Where is my order?")  # the configuration is read and kept by now
    return conversation


def owe(conversation: Conversation, body: str) -> Message:
    with transaction.atomic():
        message = customer_post_message(
            public_id=conversation.public_id,
            customer_id=conversation.customer_id,
            body=body,
            client_msg_id="",
        ).message
        turn_owe(message)
    return message


def test_an_answered_turn_takes_at_most_eight_statements() -> None:
    conversation = a_conversation_two_turns_in()
    message = owe(conversation, "What payment methods do you take?")
    with CaptureQueriesContext(connection) as queries:
        outcome = customer_turn_handle(message_id=message.pk)
    assert [reply.author_kind for reply in outcome.replies] == ["assistant"]
    assert len(statements(queries)) <= ANSWERED_TURN, statements(queries)


def test_taking_an_owed_turn_adds_three_statements_for_its_row() -> None:
    conversation = a_conversation_two_turns_in()
    message = owe(conversation, "What payment methods do you take?")
    with CaptureQueriesContext(connection) as turn_alone:
        customer_turn_handle(message_id=message.pk)
    OwedTurn.objects.filter(pk=message.pk).delete()  # that one was taken by hand
    owe(conversation, "Do you take PayPal?")
    with CaptureQueriesContext(connection) as queries:
        taken = turns_take(conversation.pk)
    assert len(taken) == 1
    for_the_row = [sql for sql in statements(queries) if "owedturn" in sql]
    assert len(for_the_row) <= OWED_ROW, for_the_row
    assert len(statements(queries)) <= len(statements(turn_alone)) + OWED_ROW, statements(queries)


def test_the_statements_do_not_grow_with_the_conversation() -> None:
    conversation = a_conversation_two_turns_in()
    counts: list[Any] = []
    for text in ("Do you ship abroad?", "What payment methods do you take?", "Can I pay later?"):
        message = owe(conversation, text)
        with CaptureQueriesContext(connection) as queries:
            customer_turn_handle(message_id=message.pk)
        counts.append(len(statements(queries)))
    assert len(set(counts)) == 1, counts


def test_an_escalating_turn_takes_at_most_thirty_statements() -> None:
    conversation = a_conversation_two_turns_in()
    for name in ("Ben", "Cy"):  # the first handoffs create the policies' rows: steady state after
        say(conversation_open(customer=Customer.objects.create(name=name)), "I want a human")
    message = owe(conversation, "I want to speak to a human")
    # Inside a transaction of the test's own, so that what runs after the commit (routing, in a
    # worker in production, measured on its own in tests/test_query_budgets.py) is not counted;
    # the turn's own transaction then costs a savepoint and its release, counted.
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        outcome = customer_turn_handle(message_id=message.pk)
    assert outcome.escalation is not None
    assert len(statements(queries)) <= ESCALATING_TURN, statements(queries)
    facts = [sql for sql in statements(queries) if "facts_skill" in sql]
    assert len(facts) == 1  # the routing needs: worked out once for the whole handoff
