"""While the customer waits: updates, the callback offer and the customer's choices, overflow,
the texts supervisors edit and the timers. Time is moved with time_machine; timers run through
the same claim-and-run code the Celery sweep uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail

from agents.models import Agent
from escalation.callbacks import customer_choose
from escalation.models import (
    Callback,
    MessageTemplate,
    Timer,
    TransitionPolicy,
)
from escalation.timers import timer_run, timer_schedule, timers_claim, timers_run_due
from helpdesk.flows import conversation_join
from helpdesk.models import Conversation, Customer
from helpdesk.services import ChatError, message_post
from routing.models import RoutingPolicy, Skill, Team
from tests.support.factories import make_agent, say
from tests.support.waiting import (
    TUESDAY_10,
    at,
    bodies,
    choose,
    escalate,
    latest_offer,
    offered_slots,
    run_timers,
)

pytestmark = pytest.mark.usefixtures("knowledge_base")

# A Tuesday in winter (London = UTC), inside business hours, and the Saturday night after.
# -- never a silent queue -------------------------------------------------------------------------


def test_each_update_says_something_new_or_nothing(alice: Customer, busy_desk: Agent) -> None:
    with at(TUESDAY_10):
        ahead = escalate(Customer.objects.create(name="Ahead"))
        conversation = escalate(alice)
    assert bodies(conversation)[-1].endswith("You are number 2 in line; the wait is about 10 min.")
    handoff_seq = conversation.last_seq
    run_timers(TUESDAY_10 + timedelta(minutes=5))
    assert bodies(conversation, after=handoff_seq) == []  # still number 2, still 10 min
    Conversation.objects.filter(pk=ahead.pk).update(assigned_agent=busy_desk, status="with_agent")
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    run_timers(TUESDAY_10 + timedelta(minutes=10, seconds=30))  # the sweep again: nothing new
    # A new place in line, and at the default 10 minutes the callback offer with its buttons.
    said = bodies(conversation, after=handoff_seq)
    assert len(said) == 2
    assert "Thanks for waiting. You are now number 1 in line; about 5 min to go." in said
    offer = latest_offer(conversation)
    assert offer.body.startswith("I'm sorry this is taking longer than we'd like.")
    assert [choice["id"] for choice in offer.actions["choices"]] == ["callback", "email", "wait"]


def test_the_first_update_comes_when_the_estimate_runs_out(
    alice: Customer, busy_desk: Agent
) -> None:
    TransitionPolicy.objects.update_or_create(
        pk=1, defaults={"update_every_minutes": 30, "offer_callback_after_minutes": 60}
    )
    with at(TUESDAY_10):
        ahead = escalate(Customer.objects.create(name="Ahead"))
        mine = escalate(alice)
    # Number 2 in line behind Bo's one slot, 300 s average: about 10 min, not 30.
    assert bodies(mine)[-1].endswith("You are number 2 in line; the wait is about 10 min.")
    due = Timer.objects.get(conversation=mine, kind="wait_update").due_at
    assert due == TUESDAY_10 + timedelta(minutes=10)
    Conversation.objects.filter(pk=ahead.pk).update(assigned_agent=busy_desk, status="with_agent")
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    assert bodies(mine)[-1] == (
        "Thanks for waiting. You are now number 1 in line; about 5 min to go."
    )


def test_updates_stop_once_an_agent_has_the_customer(alice: Customer, london: Team) -> None:
    agent = make_agent("omar", "Omar", presence="offline")
    with at(TUESDAY_10):
        conversation = escalate(alice)
        conversation_join(public_id=conversation.public_id, agent=agent)
    seq = conversation.messages.order_by("-seq").values_list("seq", flat=True)[0]
    run_timers(TUESDAY_10 + timedelta(minutes=30))
    assert bodies(conversation, after=seq) == []


# -- the customer's choices --------------------------------------------------------------------------


def test_taking_the_callback_offer_schedules_a_call_with_a_confirmation_that_repeats_the_issue(
    london: Team,
) -> None:
    customer = Customer.objects.create(name="Alice", email="alice@example.com")
    with at(TUESDAY_10):
        conversation = escalate(customer, "I was charged twice for my order, I want a person")
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    now = TUESDAY_10 + timedelta(minutes=11)
    with at(now):
        choose(conversation, "callback")
        slots = latest_offer(conversation)
        assert slots.actions["kind"] == "callback_slots"
        slot_ids = offered_slots(conversation)
        # 30-minute slots from 15 minutes ahead, on the team's half-hour grid.
        assert slot_ids[:2] == ["slot:2026-11-24T10:30:00+00:00", "slot:2026-11-24T11:00:00+00:00"]
        result = choose(conversation, slot_ids[1], contact="+44 20 7946 0958")
    assert result.message is not None
    conversation.refresh_from_db()
    callback = Callback.objects.get(conversation=conversation)
    assert (conversation.status, conversation.queue_key) == ("callback", None)
    assert (callback.kind, callback.phone, callback.due_at) == (
        "phone",
        "+44 20 7946 0958",
        datetime(2026, 11, 24, 11, 0, tzinfo=UTC),
    )
    confirmation = result.message.body
    assert "+44 20 7946 0958" in confirmation
    assert "11:00" in confirmation
    assert callback.summary
    assert callback.summary in confirmation
    run_timers(now)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert callback.summary in mail.outbox[0].body
    # The same button again changes nothing; another button on the same offer is refused.
    with at(now):
        assert choose(conversation, slot_ids[1], seq=slots.seq).duplicate
        with pytest.raises(ChatError) as refused:
            choose(conversation, slot_ids[0], contact="+44 20 7946 0958", seq=slots.seq)
    assert refused.value.code == "already_chosen"
    assert Callback.objects.count() == 1
    run_timers(now + timedelta(minutes=5))
    assert len(mail.outbox) == 1


def test_the_assigned_agent_is_reminded_before_the_call_once(london: Team) -> None:
    agent = make_agent("omar", "Omar", presence="offline")
    agent.user.email = "omar@example.com"
    agent.user.save()
    customer = Customer.objects.create(name="Alice", phone="+44 20 7946 0958")
    with at(TUESDAY_10):
        conversation = escalate(customer)
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    with at(TUESDAY_10 + timedelta(minutes=10)):
        choose(conversation, "callback")
        slot = latest_offer(conversation).actions["choices"][0]["id"]
        choose(conversation, slot)  # the phone number on file
    callback = Callback.objects.get()
    assert callback.agent == agent
    reminder = callback.due_at - timedelta(minutes=10)
    run_timers(reminder - timedelta(seconds=1))
    assert not conversation.events.filter(kind="transition.paged").exists()
    run_timers(reminder)
    run_timers(reminder + timedelta(minutes=1))
    paged = conversation.events.filter(kind="transition.paged")
    assert paged.count() == 1
    assert [message.to for message in mail.outbox] == [["omar@example.com"]]


def test_an_email_follow_up_needs_an_address_and_is_due_in_business_hours(
    london: Team,
) -> None:
    customer = Customer.objects.create(name="No Email")
    TransitionPolicy.objects.update_or_create(pk=1, defaults={"email_reply_hours": 8})
    # Friday 2026-11-27 18:00: two hours left today, six on Saturday from 09:00.
    friday = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    with at(friday - timedelta(minutes=10)):
        conversation = escalate(customer)
    run_timers(friday)
    with at(friday):
        offer = latest_offer(conversation)
        email_choice = next(c for c in offer.actions["choices"] if c["id"] == "email")
        assert email_choice["input"] == "email"
        with pytest.raises(ChatError) as refused:
            choose(conversation, "email", contact="not an address")
        assert refused.value.code == "invalid_field"
        assert not Callback.objects.exists()
        choose(conversation, "email", contact="someone@example.com")
    callback = Callback.objects.get()
    customer.refresh_from_db()
    # On the follow-up, not the profile: an unverified address never links the chat to a profile.
    assert (callback.email, customer.email) == ("someone@example.com", "")
    assert callback.due_at == datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    conversation.refresh_from_db()
    assert conversation.status == "follow_up"


def test_choices_are_refused_for_another_customer_an_old_offer_or_a_made_up_option(
    alice: Customer, bob: Customer, london: Team
) -> None:
    with at(TUESDAY_10):
        conversation = escalate(alice)
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    offer = latest_offer(conversation)
    with at(TUESDAY_10 + timedelta(minutes=10)):
        with pytest.raises(ChatError) as foreign:
            customer_choose(
                public_id=conversation.public_id,
                customer_id=bob.pk,
                message_seq=offer.seq,
                choice="callback",
            )
        with pytest.raises(ChatError) as invented:
            choose(conversation, "refund_me_now")
        choose(conversation, "callback")
        with pytest.raises(ChatError) as stale:
            choose(conversation, "wait", seq=offer.seq)
        slot = latest_offer(conversation).actions["choices"][0]["id"]
        with pytest.raises(ChatError) as no_phone:
            choose(conversation, slot)
    assert [foreign.value.code, invented.value.code, stale.value.code, no_phone.value.code] == [
        "forbidden",
        "invalid_choice",
        "stale_choice",
        "invalid_field",
    ]
    assert not Callback.objects.exists()


# -- overflow ----------------------------------------------------------------------------------------


def test_a_full_queue_overflows_straight_to_the_callback_offer(busy_desk: Agent) -> None:
    RoutingPolicy.objects.update_or_create(
        pk=1, defaults={"overflow_queue_length": 1, "overflow_action": "callback"}
    )
    with at(TUESDAY_10):
        first = escalate(Customer.objects.create(name="First"))
    with at(TUESDAY_10 + timedelta(minutes=2)):
        second = escalate(Customer.objects.create(name="Second"))
    # The longest waiting is served first: the offer goes to First, and Second waits in line.
    assert latest_offer(first).actions["kind"] == "callback_offer"
    assert first.events.filter(kind="routing.overflowed").exists()
    assert not second.messages.exclude(actions={}).exists()
    with at(TUESDAY_10 + timedelta(minutes=3)):
        third = escalate(Customer.objects.create(name="Third"))
    # First was served by the overflow already: now Second, who waited longest after First.
    assert latest_offer(second).actions["kind"] == "callback_offer"
    assert not third.messages.exclude(actions={}).exists()
    assert first.events.filter(kind="routing.overflowed").count() == 1


def test_a_slow_queue_overflows_to_the_secondary_skill_group(london: Team) -> None:
    backup = Skill.objects.create(code="backup", name="Backup")
    RoutingPolicy.objects.update_or_create(
        pk=1,
        defaults={
            "overflow_after_minutes": 3,
            "overflow_action": "skill",
            "overflow_skill": backup,
        },
    )
    with at(TUESDAY_10):
        conversation = escalate(Customer.objects.create(name="Patient"))
    helper = make_agent("bea", "Bea", presence="online", skills={"backup": 2})
    with at(TUESDAY_10 + timedelta(minutes=3)):
        from routing.services import conversation_route

        timers_run_due(now=TUESDAY_10 + timedelta(minutes=3))
        conversation_route(conversation_id=conversation.pk)  # the task the overflow queued
    conversation.refresh_from_db()
    assert conversation.overflowed_at is not None
    assert conversation.assigned_agent == helper


# -- texts supervisors edit -----------------------------------------------------------------------------


def test_a_supervisors_text_replaces_the_shipped_one_in_that_language_only(london: Team) -> None:
    MessageTemplate.objects.create(key="nobody_online", language="en", text="Hang on, {position}.")
    with at(TUESDAY_10):
        english = escalate(Customer.objects.create(name="En"))
        spanish = escalate(
            Customer.objects.create(name="Es", language="es"), "Quiero hablar con una persona"
        )
    assert "you won't need to repeat anything. Hang on, 1. Our team's hours" in bodies(english)[-1]
    assert "Ahora mismo no hay nadie conectado" in bodies(spanish)[-1]


def test_a_text_with_an_unknown_placeholder_is_refused() -> None:
    from django.core.exceptions import ValidationError

    template = MessageTemplate(key="queued", language="en", text="You are {place} in line.")
    with pytest.raises(ValidationError) as refused:
        template.full_clean()
    assert "place" in str(refused.value)
    MessageTemplate(
        key="queued", language="fr", text="Numéro {position}, {minutes} min."
    ).full_clean()


# -- timers ----------------------------------------------------------------------------------------------


def test_a_timer_is_stored_once_per_key_and_runs_once(alice_conversation: Conversation) -> None:
    due = TUESDAY_10
    first = timer_schedule(
        kind="email",
        key="email:x",
        due_at=due,
        payload={"to": "a@example.com", "subject": "s", "body": "b"},
    )
    again = timer_schedule(kind="email", key="email:x", due_at=due + timedelta(hours=1))
    assert first.pk == again.pk
    assert Timer.objects.count() == 1
    assert timer_run(timer_id=first.pk, now=due - timedelta(seconds=1)) == "not due yet"
    assert timer_run(timer_id=first.pk, now=due) == "sent to a@example.com"
    assert timer_run(timer_id=first.pk, now=due) == "already done"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<timer-{first.pk}@")


def test_a_claimed_timer_is_not_claimed_again_until_its_lease_runs_out(
    settings: Any, db: None
) -> None:
    settings.TIMER_LEASE_SECONDS = 60
    timer = timer_schedule(kind="email", key="email:y", due_at=TUESDAY_10)
    assert timers_claim(now=TUESDAY_10) == [timer.pk]
    assert timers_claim(now=TUESDAY_10 + timedelta(seconds=59)) == []
    assert timers_claim(now=TUESDAY_10 + timedelta(seconds=61)) == [timer.pk]  # its worker died
    timer.refresh_from_db()
    assert timer.attempts == 2


# -- what the review found: nobody left in silence, nothing stuck ---------------------------------


def test_a_failing_timer_is_retried_then_given_up_without_blocking_the_others(
    settings: Any, db: None
) -> None:
    from escalation.timers import MAX_ATTEMPTS

    settings.TIMER_LEASE_SECONDS = 1
    settings.EMAIL_BACKEND = "tests.support.fakes.RefusingEmailBackend"
    broken = timer_schedule(
        kind="email",
        key="email:broken",
        due_at=TUESDAY_10,
        payload={"to": "a@example.com", "subject": "s", "body": "b"},
    )
    for attempt in range(1, MAX_ATTEMPTS + 1):
        outcomes = run_timers(TUESDAY_10 + timedelta(seconds=2 * attempt))
        assert outcomes == [
            f"attempt {attempt} failed: ConnectionRefusedError('mail server down')"
            if attempt < MAX_ATTEMPTS
            else f"gave up after {attempt} attempts: ConnectionRefusedError('mail server down')"
        ]
    broken.refresh_from_db()
    assert broken.done_at is not None
    assert run_timers(TUESDAY_10 + timedelta(minutes=5)) == []


def test_a_newline_in_a_customers_name_does_not_break_their_confirmation_email(
    london: Team,
) -> None:
    customer = Customer.objects.create(name="Eve\nBcc: victim@example.com", email="eve@example.com")
    with at(TUESDAY_10):
        conversation = escalate(customer)
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    with at(TUESDAY_10 + timedelta(minutes=10)):
        choose(conversation, "email")
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject
    assert mail.outbox[0].to == ["eve@example.com"]


def test_updates_start_again_when_the_agent_hands_the_customer_back(
    alice: Customer, london: Team
) -> None:
    from helpdesk.flows import conversation_leave

    agent = make_agent("omar", "Omar", presence="offline")
    with at(TUESDAY_10):
        conversation = escalate(alice)
        conversation_join(public_id=conversation.public_id, agent=agent)
    with at(TUESDAY_10 + timedelta(minutes=20)):
        conversation_leave(public_id=conversation.public_id, agent=agent)
    seq = conversation.messages.order_by("-seq").values_list("seq", flat=True)[0]
    run_timers(TUESDAY_10 + timedelta(minutes=25))
    assert bodies(conversation, after=seq) == [
        "Nobody who can help with this is online yet; you are number 1 in line."
    ]


def test_an_offer_due_while_an_agent_has_been_offered_the_chat_comes_once_that_runs_out(
    alice: Customer, busy_desk: Agent
) -> None:
    agent = make_agent("omar", "Omar", presence="offline")
    with at(TUESDAY_10):
        conversation = escalate(alice)
    Conversation.objects.filter(pk=conversation.pk).update(assigned_agent=agent)  # offered
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    assert not conversation.messages.exclude(actions={}).exists()
    Conversation.objects.filter(pk=conversation.pk).update(assigned_agent=None)  # it ran out
    run_timers(TUESDAY_10 + timedelta(minutes=12))
    assert latest_offer(conversation).actions["kind"] == "callback_offer"


def test_confirmations_to_one_address_are_capped_per_day(london: Team) -> None:
    for number in range(4):
        customer = Customer.objects.create(name=f"Spammer {number}")
        with at(TUESDAY_10):
            conversation = escalate(customer)
        run_timers(TUESDAY_10 + timedelta(minutes=10))
        with at(TUESDAY_10 + timedelta(minutes=10)):
            choose(conversation, "email", contact="victim@example.com")
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    assert [message.to for message in mail.outbox] == [["victim@example.com"]] * 3
    assert Callback.objects.count() == 4  # the follow-ups themselves all stand


def test_refusals_reach_the_customer_in_their_language(london: Team) -> None:
    customer = Customer.objects.create(name="Bruno", language="es")
    with at(TUESDAY_10):
        conversation = escalate(customer, "Quiero hablar con una persona")
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    with at(TUESDAY_10 + timedelta(minutes=10)):
        choose(conversation, "callback")
        slot = latest_offer(conversation).actions["choices"][0]["id"]
        with pytest.raises(ChatError) as refused:
            choose(conversation, slot, contact="no")
    assert refused.value.message.startswith("Indica un número de teléfono")


def test_an_email_follow_up_reminds_its_agent_before_it_is_due(london: Team) -> None:
    agent = make_agent("omar", "Omar", presence="offline")
    customer = Customer.objects.create(name="Writer", email="writer@example.com")
    with at(TUESDAY_10):
        conversation = escalate(customer)
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    with at(TUESDAY_10 + timedelta(minutes=10)):
        choose(conversation, "email")
    callback = Callback.objects.get()
    assert callback.agent == agent
    run_timers(callback.due_at - timedelta(minutes=10))
    paged = conversation.events.get(kind="transition.paged")
    assert paged.data["text"].startswith("Email Writer at writer@example.com by Tue 24 Nov")


# -- what the customer writes while waiting ------------------------------------------------------

ADDED = "Added to your conversation: the person who takes it will see it."


def notices(conversation: Conversation, *, after: int) -> list[str]:
    return list(
        conversation.messages.filter(seq__gt=after, author_kind="system")
        .order_by("seq")
        .values_list("body", flat=True)
    )


def test_a_message_written_while_waiting_is_acknowledged_once_per_burst(
    alice: Customer, london: Team
) -> None:
    with at(TUESDAY_10):
        conversation = escalate(alice)
        start = conversation.last_seq
        for text in ("My order number is 4417", "It was a gift", "Please hurry"):
            say(conversation, text)
        assert notices(conversation, after=start) == [ADDED]  # one for the burst, not three
        message_post(conversation_id=conversation.pk, author_kind="assistant", body="An update")
        say(conversation, "Still here")
        assert notices(conversation, after=start) == [ADDED, ADDED]  # a new burst
        agent = make_agent("kim", "Kim", presence="online")
        conversation_join(public_id=conversation.public_id, agent=agent)
        joined = Conversation.objects.get(pk=conversation.pk).last_seq
        say(conversation, "Hi Kim")
        assert notices(conversation, after=joined) == []  # a person is reading it live


def test_the_acknowledgement_speaks_the_customers_language(london: Team) -> None:
    with at(TUESDAY_10):
        conversation = escalate(
            Customer.objects.create(name="Ana"), "Quiero hablar con una persona"
        )
        assert conversation.language == "es"
        start = conversation.last_seq
        say(conversation, "Mi pedido es el 4417")
    assert notices(conversation, after=start) == [
        "Añadido a tu conversación: quien la atienda lo verá."
    ]
