"""Owed turns (helpdesk.flows.owed): a customer message is answered or handed over once, whether
its turn runs at once, raises, keeps raising, or is left by a taker that died. The processes
killed for real (the web process after the ack, a worker mid-turn) are in tests/test_turn_faults.py.

The turn is made to raise by making the analysis raise: fault injection at the edge of the turn,
the way a broken model file or a bug in it would."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import close_old_connections, transaction
from django.utils import timezone

from assistant.runtime import Assistant
from escalation.models import Escalation
from helpdesk.flows import conversation_open, customer_message_receive, turns_sweep, turns_take
from helpdesk.flows.owed import TURN_FAILED, turn_owe
from helpdesk.flows.runner import turns_take_soon
from helpdesk.models import Conversation, Customer, Message, OwedTurn
from helpdesk.services import customer_post_message

pytestmark = pytest.mark.usefixtures("knowledge_base")


@pytest.fixture(autouse=True)
def _turns_taken_at_once(settings: Any) -> None:
    """Each turn right after its message commits, on the test's thread: what it did is there to
    check as soon as the message is sent."""
    settings.TURN_RUNNER = "inline"


class Faults:
    """Makes the next `count` analyses raise, as a broken model would."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = Assistant.analyse

        def analyse(assistant: Assistant, *args: Any, **kwargs: Any) -> Any:
            if self.count > 0:
                self.count -= 1
                raise RuntimeError("the model file is unreadable")
            return real(assistant, *args, **kwargs)

        monkeypatch.setattr(Assistant, "analyse", analyse)


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    return Faults(monkeypatch)


def send(conversation: Conversation, body: str, client_id: str) -> Message:
    return customer_message_receive(
        public_id=conversation.public_id,
        customer_id=conversation.customer_id,
        body=body,
        client_msg_id=client_id,
    ).message


def owe(conversation: Conversation, body: str, client_id: str) -> Message:
    """Stored and owed, as customer_message_receive does, but taken by nobody yet."""
    with transaction.atomic():
        message = customer_post_message(
            public_id=conversation.public_id,
            customer_id=conversation.customer_id,
            body=body,
            client_msg_id=client_id,
        ).message
        turn_owe(message)
    return message


def replies_to(message: Message) -> list[Message]:
    return list(
        Message.objects.filter(conversation=message.conversation_id, seq__gt=message.seq)
        .exclude(author_kind="customer")
        .order_by("seq")
    )


def later(seconds: float) -> Any:
    return timezone.now() + timedelta(seconds=seconds)


@pytest.mark.django_db(transaction=True)
def test_a_message_and_its_owed_turn_commit_together_and_the_turn_clears_it() -> None:
    conversation = conversation_open(customer=Customer.objects.create(name="Ann"))
    message = send(conversation, "How do I return an item?", "c-1")
    assert [reply.author_kind for reply in replies_to(message)] == ["assistant"]
    assert not OwedTurn.objects.exists()  # done: nothing left for the sweep


@pytest.mark.django_db(transaction=True)
def test_a_turn_that_raises_is_taken_again_by_the_sweep_and_answered_once(faults: Faults) -> None:
    conversation = conversation_open(customer=Customer.objects.create(name="Ann"))
    faults.count = 1
    message = send(conversation, "How do I return an item?", "c-1")
    owed = OwedTurn.objects.get(pk=message.pk)
    assert replies_to(message) == []
    assert owed.attempts == 1
    assert "unreadable" in owed.last_error
    assert turns_sweep(now=later(0.1)) == 0  # too fresh: the sweep leaves it a moment
    assert turns_sweep(now=later(60)) == 1
    assert len(replies_to(message)) == 1
    assert not OwedTurn.objects.exists()
    turns_sweep(now=later(120))
    assert len(replies_to(message)) == 1  # once, however often the sweep comes by


@pytest.mark.django_db(transaction=True)
def test_a_resend_after_the_answer_never_brings_a_second_one(faults: Faults) -> None:
    conversation = conversation_open(customer=Customer.objects.create(name="Ann"))
    faults.count = 1
    message = send(conversation, "How do I return an item?", "c-1")
    send(conversation, "How do I return an item?", "c-1")  # the page resends, unacknowledged
    assert replies_to(message) == []  # the failed turn waits a moment, even for a resend
    turns_sweep(now=later(60))
    send(conversation, "How do I return an item?", "c-1")
    assert len(replies_to(message)) == 1
    assert Message.objects.filter(conversation=conversation, author_kind="customer").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_turn_that_keeps_failing_hands_over_with_the_error_on_the_timeline(
    faults: Faults, settings: Any
) -> None:
    conversation = conversation_open(customer=Customer.objects.create(name="Ann"))
    faults.count = 100
    message = send(conversation, "How do I return an item?", "c-1")
    for minute in range(1, settings.TURN_MAX_ATTEMPTS + 2):
        turns_sweep(now=later(60 * minute))
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.WAITING
    escalation = Escalation.objects.get(conversation=conversation)
    assert escalation.rule == "turn_failed"
    assert escalation.message_id == message.pk
    failed = conversation.events.get(kind=TURN_FAILED)
    assert "unreadable" in failed.data["error"]
    assert failed.data["attempts"] == settings.TURN_MAX_ATTEMPTS
    assert not OwedTurn.objects.exists()
    handoff = [reply.body for reply in replies_to(message)]
    assert handoff  # the handoff message, once
    assert len(handoff) == len(set(handoff))


@pytest.mark.django_db(transaction=True)
def test_a_taker_that_died_holding_a_turn_loses_it_when_its_lease_runs_out(settings: Any) -> None:
    conversation = conversation_open(customer=Customer.objects.create(name="Ann"))
    message = owe(conversation, "How do I return an item?", "c-1")
    claim = timezone.now() + timedelta(seconds=settings.TURN_LEASE_SECONDS)
    OwedTurn.objects.filter(pk=message.pk).update(claimed_until=claim, attempts=1)  # it died
    assert turns_sweep(now=later(settings.TURN_SWEEP_AFTER_SECONDS + 1)) == 0  # still held
    assert replies_to(message) == []
    assert turns_sweep(now=later(settings.TURN_LEASE_SECONDS + 1)) == 1
    assert [reply.author_kind for reply in replies_to(message)] == ["assistant"]


@pytest.mark.django_db(transaction=True)
def test_turns_are_taken_in_the_order_of_the_messages(faults: Faults) -> None:
    conversation = conversation_open(customer=Customer.objects.create(name="Ann"))
    faults.count = 1
    first = send(conversation, "How do I return an item?", "c-1")  # fails: stays owed
    second = send(conversation, "What payment methods do you take?", "c-2")
    assert OwedTurn.objects.count() == 2  # the second waits behind the first
    turns_sweep(now=later(60))
    kinds = list(
        Message.objects.filter(conversation=conversation)
        .order_by("seq")
        .values_list("author_kind", flat=True)
    )
    assert kinds == ["customer", "customer", "assistant", "assistant"]
    assert first.analysis.answered
    assert Message.objects.get(pk=second.pk).analysis.answered


@pytest.mark.django_db(transaction=True)
def test_two_takers_at_once_answer_each_message_once() -> None:
    conversation = conversation_open(customer=Customer.objects.create(name="Ann"))
    messages = [owe(conversation, text, f"c-{n}") for n, text in enumerate(QUESTIONS)]
    start = threading.Barrier(3)

    def taker() -> None:
        start.wait()
        try:
            turns_take(conversation.pk)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=taker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    turns_sweep(now=later(60))  # whatever a busy taker left for later
    answers = Message.objects.filter(conversation=conversation, author_kind="assistant")
    assert answers.count() == len(messages)
    assert not OwedTurn.objects.exists()


QUESTIONS = ["How do I return an item?", "What payment methods do you take?", "Where is my order?"]


@pytest.mark.django_db(transaction=True)
def test_turn_threads_take_each_conversation_in_turn(settings: Any) -> None:
    """A conversation with more turns owed goes back in the queue after each one: the customer
    who answers at once does not keep the turn thread while others wait."""
    settings.TURN_RUNNER, settings.TURN_THREADS = "thread", 1
    chatty = conversation_open(customer=Customer.objects.create(name="Ann"))
    patient = conversation_open(customer=Customer.objects.create(name="Bo"))
    owe(chatty, QUESTIONS[0], "a-1")
    owe(patient, QUESTIONS[1], "b-1")
    owe(chatty, QUESTIONS[2], "a-2")
    with transaction.atomic():
        turns_take_soon(chatty.pk)
        turns_take_soon(patient.pk)
    deadline = time.monotonic() + 60
    while OwedTurn.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    answered = Message.objects.filter(author_kind="assistant").order_by("pk")
    assert list(answered.values_list("conversation_id", flat=True)) == [
        chatty.pk,
        patient.pk,
        chatty.pk,
    ]
