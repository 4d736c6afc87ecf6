"""While the customer waits: updates, the callback offer and the customer's choices, off-hours,
the emergency path and overflow. Time is moved with time_machine; timers run through the same
claim-and-run code the Celery sweep uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from agents.models import Agent
from escalation.callbacks import callback_complete, customer_choose
from escalation.models import (
    Callback,
    CapabilityBoundary,
    MessageTemplate,
    Timer,
    TransitionPolicy,
    UrgencyCriterion,
)
from escalation.timers import timer_run, timer_schedule, timers_claim, timers_run_due
from helpdesk.flows import conversation_join, conversation_open
from helpdesk.models import Conversation, Customer, Message
from helpdesk.services import ChatError
from routing.models import OnCallShift, RoutingPolicy, Skill, Team, TeamHours
from tests.conftest import make_agent, say

pytestmark = pytest.mark.usefixtures("knowledge_base")

# A Tuesday in winter (London = UTC), inside business hours, and the Saturday night after.
TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
SATURDAY_22 = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def london(db: None) -> Team:
    """Mon-Fri 08:00-20:00 and Saturday 09:00-17:00, London time, English holidays."""
    team = Team.objects.create(
        name="Support desk",
        time_zone="Europe/London",
        holiday_country="GB",
        holiday_subdivision="ENG",
        is_default=True,
        emergency_email="oncall@example.com",
    )
    for weekday in range(5):
        TeamHours.objects.create(team=team, weekday=weekday, opens=time(8), closes=time(20))
    TeamHours.objects.create(team=team, weekday=5, opens=time(9), closes=time(17))
    return team


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


# -- never a silent queue -------------------------------------------------------------------------


def test_a_waiting_customer_hears_from_us_every_few_minutes_and_each_update_once(
    alice: Customer, london: Team
) -> None:
    with at(TUESDAY_10):
        conversation = escalate(alice)  # nobody online: no estimate to give
    handoff_seq = conversation.last_seq
    run_timers(TUESDAY_10 + timedelta(minutes=4, seconds=59))
    assert bodies(conversation, after=handoff_seq) == []
    run_timers(TUESDAY_10 + timedelta(minutes=5))
    run_timers(TUESDAY_10 + timedelta(minutes=5, seconds=30))  # the sweep again: nothing new
    assert bodies(conversation, after=handoff_seq) == [
        "Thanks for waiting. Everyone who can help is still busy; you keep your place in line "
        "and I will keep you posted."
    ]
    run_timers(TUESDAY_10 + timedelta(minutes=10))
    updates = bodies(conversation, after=handoff_seq)
    # The second update, and (at the default 10 minutes) the callback offer with its buttons.
    assert len(updates) == 3
    offer = latest_offer(conversation)
    assert offer.body.startswith("I'm sorry this is taking longer than we'd like.")
    assert [choice["id"] for choice in offer.actions["choices"]] == ["callback", "email", "wait"]


def test_the_first_update_comes_when_the_estimate_runs_out(
    alice: Customer, london: Team, dana: Agent
) -> None:
    TransitionPolicy.objects.update_or_create(pk=1, defaults={"update_every_minutes": 30})
    Agent.objects.filter(pk=dana.pk).update(max_concurrent=1)
    with at(TUESDAY_10):
        first = escalate(alice)
        Conversation.objects.filter(pk=first.pk).update(assigned_agent=dana, status="with_agent")
        mine = escalate(Customer.objects.create(name="Second"))
    # Number 1 in line behind dana's one slot, 300 s average: about 5 min, not 30.
    assert bodies(mine)[-1].endswith("You are number 1 in line; the wait is about 5 min.")
    due = Timer.objects.get(conversation=mine, kind="wait_update").due_at
    assert due == TUESDAY_10 + timedelta(minutes=5)
    run_timers(TUESDAY_10 + timedelta(minutes=5))
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
        slot_ids = [c["id"] for c in slots.actions["choices"] if c["id"].startswith("slot:")]
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


# -- off-hours and the emergency path ------------------------------------------------------------


def test_at_22_on_a_saturday_the_customer_is_offered_monday_morning(
    alice: Customer, london: Team
) -> None:
    UrgencyCriterion.objects.create(
        name="Hacked", customer_text="a hacked account", min_urgency="critical"
    )
    with at(SATURDAY_22):
        conversation = escalate(alice)
    handoff = latest_offer(conversation)
    assert "back on Monday 30 November, 08:00 (Europe/London time)" in handoff.body
    assert "If it is urgent (a hacked account)" in handoff.body
    slots = [c["id"] for c in handoff.actions["choices"]][:2]
    assert slots == ["slot:2026-11-30T08:00:00+00:00", "slot:2026-11-30T08:30:00+00:00"]
    # No updates about a queue nobody is working; if they are still waiting when the team
    # opens, they hear from us at once.
    monday_8 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert list(Timer.objects.filter(kind="wait_update").values_list("due_at", flat=True)) == [
        monday_8
    ]
    seq = conversation.last_seq
    run_timers(monday_8 - timedelta(minutes=1))
    assert bodies(conversation, after=seq) == []
    run_timers(monday_8)
    assert bodies(conversation, after=seq) == [
        "Thanks for waiting. Everyone who can help is still busy; you keep your place in line "
        "and I will keep you posted."
    ]


def test_off_hours_in_summer_the_slots_follow_local_time(alice: Customer, london: Team) -> None:
    with at(datetime(2025, 3, 29, 21, 0, tzinfo=UTC)):  # Saturday; clocks go forward tonight
        conversation = escalate(alice)
    slots = [c["id"] for c in latest_offer(conversation).actions["choices"]][:1]
    assert slots == ["slot:2025-03-31T07:00:00+00:00"]  # Monday 08:00 BST


@pytest.fixture
def on_call(london: Team) -> Agent:
    agent = make_agent("jonas", "Jonas", presence="offline", skills={"accounts": 3})
    agent.user.email = "jonas@example.com"
    agent.user.save()
    OnCallShift.objects.create(
        team=london,
        agent=agent,
        starts_at=SATURDAY_22 - timedelta(hours=6),
        ends_at=SATURDAY_22 + timedelta(days=1),
    )
    UrgencyCriterion.objects.create(
        name="Critical", customer_text="a hacked account", min_urgency="critical"
    )
    return agent


HACKED = "Someone hacked my account and changed my password"


def test_an_urgent_case_off_hours_reaches_the_on_call_agent(
    alice: Customer, on_call: Agent
) -> None:
    with at(SATURDAY_22):
        conversation = escalate(alice, HACKED)
    conversation.refresh_from_db()
    assert conversation.assigned_agent == on_call
    text = bodies(conversation)[-1]
    assert "contacting our on-call specialist now" in text
    assert "within 10 min" in text
    run_timers(SATURDAY_22)
    assert [message.to for message in mail.outbox] == [["jonas@example.com"]]
    with at(SATURDAY_22 + timedelta(minutes=3)):
        conversation_join(public_id=conversation.public_id, agent=on_call)
    run_timers(SATURDAY_22 + timedelta(minutes=10))
    assert not Callback.objects.exists()


def test_nobody_answering_the_emergency_records_a_guaranteed_callback_escalated_again(
    alice: Customer, on_call: Agent, supervisor_user: Any
) -> None:
    Customer.objects.filter(pk=alice.pk).update(phone="")
    with at(SATURDAY_22):
        conversation = escalate(alice, HACKED)
        offer = latest_offer(conversation)
        choose(conversation, "phone", contact="+44 7700 900123", seq=offer.seq)
    run_timers(SATURDAY_22 + timedelta(minutes=10))
    callback = Callback.objects.get()
    assert callback.emergency
    assert (callback.phone, callback.agent) == ("+44 7700 900123", on_call)
    # 10 minutes to answer, then the 60-minute guarantee.
    assert callback.due_at == SATURDAY_22 + timedelta(minutes=70)
    assert "guaranteed callback" in bodies(conversation)[-1]
    run_timers(SATURDAY_22 + timedelta(minutes=54))
    assert not conversation.events.filter(kind="callback.deadline_at_risk").exists()
    run_timers(SATURDAY_22 + timedelta(minutes=55))
    run_timers(SATURDAY_22 + timedelta(minutes=56))
    at_risk = conversation.events.get(kind="callback.deadline_at_risk")
    assert set(at_risk.data["told"]) == {
        "oncall@example.com",
        "morgan@example.com",
        "jonas@example.com",
    }
    callback.refresh_from_db()
    assert callback.escalated_again_at == SATURDAY_22 + timedelta(minutes=55)


def test_a_deadline_met_in_time_is_not_escalated(alice: Customer, on_call: Agent) -> None:
    with at(SATURDAY_22):
        conversation = escalate(alice, HACKED)
    run_timers(SATURDAY_22 + timedelta(minutes=10))
    with at(SATURDAY_22 + timedelta(minutes=20)):
        callback_complete(callback_id=Callback.objects.get().pk, agent=on_call)
    run_timers(SATURDAY_22 + timedelta(minutes=60))
    assert not conversation.events.filter(kind="callback.deadline_at_risk").exists()
    conversation.refresh_from_db()
    assert conversation.status == "resolved"


# -- overflow ----------------------------------------------------------------------------------------


def test_a_full_queue_overflows_straight_to_the_callback_offer(london: Team) -> None:
    RoutingPolicy.objects.update_or_create(
        pk=1, defaults={"overflow_queue_length": 1, "overflow_action": "callback"}
    )
    with at(TUESDAY_10):
        first = escalate(Customer.objects.create(name="First"))
        second = escalate(Customer.objects.create(name="Second"))
    assert not first.messages.exclude(actions={}).exists()
    assert latest_offer(second).actions["kind"] == "callback_offer"
    assert second.events.filter(kind="routing.overflowed").exists()


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
        from routing.services import route_conversation

        timers_run_due(now=TUESDAY_10 + timedelta(minutes=3))
        route_conversation(conversation_id=conversation.pk)  # the task the overflow queued
    conversation.refresh_from_db()
    assert conversation.overflowed_at is not None
    assert conversation.assigned_agent == helper


# -- texts supervisors edit -----------------------------------------------------------------------------


def test_a_supervisors_text_replaces_the_shipped_one_in_that_language_only(london: Team) -> None:
    MessageTemplate.objects.create(
        key="wait_update_unknown", language="en", text="Hang on, we are on it."
    )
    with at(TUESDAY_10):
        english = escalate(Customer.objects.create(name="En"))
        spanish = escalate(
            Customer.objects.create(name="Es", language="es"), "Quiero hablar con una persona"
        )
    run_timers(TUESDAY_10 + timedelta(minutes=5))
    assert bodies(english)[-1] == "Hang on, we are on it."
    assert bodies(spanish)[-1].startswith("Gracias por esperar")


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


def test_a_waiting_customer_who_then_reports_a_hacked_account_off_hours_reaches_on_call(
    alice: Customer, on_call: Agent
) -> None:
    UrgencyCriterion.objects.all().delete()
    UrgencyCriterion.objects.create(
        name="Hacked",
        customer_text="a hacked account",
        boundary=CapabilityBoundary.objects.get(code="account-compromised"),
    )
    with at(SATURDAY_22):
        conversation = escalate(alice, "Can I talk to someone about my order?")
        assert conversation.assigned_agent is None
        assert "If it is urgent (a hacked account)" in bodies(conversation)[-1]
        say(conversation, "Also I think somebody hacked my account last night")
        say(conversation, "They hacked it again")  # once is enough
    conversation.refresh_from_db()
    assert conversation.assigned_agent == on_call
    emergencies = [text for text in bodies(conversation) if "on-call specialist now" in text]
    assert len(emergencies) == 1
    assert not emergencies[0].startswith("I want to connect you")


def test_in_business_hours_an_urgent_follow_up_simply_waits_its_turn(
    alice: Customer, on_call: Agent
) -> None:
    with at(TUESDAY_10):
        conversation = escalate(alice, "Can I talk to someone about my order?")
        say(conversation, "somebody hacked my account")
    conversation.refresh_from_db()
    assert conversation.assigned_agent is None
    assert not conversation.events.filter(kind="transition.emergency").exists()


# -- what the review found: nobody left in silence, nothing stuck ---------------------------------


def test_a_failing_timer_is_retried_then_given_up_without_blocking_the_others(
    settings: Any, db: None
) -> None:
    from escalation.timers import MAX_ATTEMPTS

    settings.TIMER_LEASE_SECONDS = 1
    settings.EMAIL_BACKEND = "tests.fakes.RefusingEmailBackend"
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
    assert bodies(conversation, after=seq)[-1].startswith("Thanks for waiting.")


def test_an_offer_due_while_an_agent_has_been_offered_the_chat_comes_once_that_runs_out(
    alice: Customer, london: Team
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


def test_a_customer_still_waiting_at_closing_time_gets_the_off_hours_choices(
    alice: Customer, london: Team
) -> None:
    tuesday_19_58 = datetime(2026, 11, 24, 19, 58, tzinfo=UTC)
    with at(tuesday_19_58):
        conversation = escalate(alice)
    run_timers(tuesday_19_58 + timedelta(minutes=5))  # 20:03: closed
    offer = latest_offer(conversation)
    assert offer.body.startswith("Our team is away right now and back on Wednesday 25 November")
    assert offer.actions["kind"] == "callback_slots"
    pending = Timer.objects.filter(kind="wait_update", done_at__isnull=True).get()
    assert pending.due_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_an_urgent_message_after_booking_for_monday_goes_to_on_call_now(
    alice: Customer, on_call: Agent
) -> None:
    UrgencyCriterion.objects.create(
        name="Hacked account",
        customer_text="a hacked account",
        boundary=CapabilityBoundary.objects.get(code="account-compromised"),
    )
    with at(SATURDAY_22):
        conversation = escalate(alice, "Can I talk to someone about my order?")
        slot = latest_offer(conversation).actions["choices"][0]["id"]
        choose(conversation, slot, contact="+44 20 7946 0958")
        say(conversation, "wait, someone hacked my account and is ordering things")
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assigned_agent) == ("waiting", on_call)
    assert Callback.objects.get().status == "cancelled"


def test_a_guaranteed_callback_gets_the_phone_number_left_after_it(
    on_call: Agent,
) -> None:
    customer = Customer.objects.create(name="No Contact")
    with at(SATURDAY_22):
        conversation = escalate(customer, HACKED)
    run_timers(SATURDAY_22 + timedelta(minutes=10))
    callback = Callback.objects.get()
    assert (callback.kind, callback.phone) == ("phone", "")
    with at(SATURDAY_22 + timedelta(minutes=11)):  # asked again with the guarantee
        choose(conversation, "phone", contact="+44 7700 900123")
    callback.refresh_from_db()
    assert callback.phone == "+44 7700 900123"


def test_the_emergency_asks_for_a_number_or_an_address_and_never_promises_to_call_nobody(
    on_call: Agent,
) -> None:
    customer = Customer.objects.create(name="No Contact")
    with at(SATURDAY_22):
        conversation = escalate(customer, HACKED)
    asked = latest_offer(conversation)
    assert "phone number or an email address" in asked.body
    assert [(c["id"], c["input"]) for c in asked.actions["choices"]] == [
        ("phone", "phone"),
        ("contact_email", "email"),
    ]
    run_timers(SATURDAY_22 + timedelta(minutes=10))
    said = latest_offer(conversation)
    assert " - " not in said.body
    assert "on -" not in said.body
    assert "answer you here in this chat" in said.body
    assert "by Saturday 28 November, 23:10" in said.body
    assert {c["id"] for c in said.actions["choices"]} == {"phone", "contact_email"}
    # An address left now: the guaranteed callback writes to it.
    with at(SATURDAY_22 + timedelta(minutes=12)):
        choose(conversation, "contact_email", contact="nc@example.net", seq=said.seq)
    callback = Callback.objects.get()
    assert (callback.kind, callback.email, callback.phone) == ("email", "nc@example.net", "")
    assert "we will write to nc@example.net" in bodies(conversation)[-1]
    conversation.refresh_from_db()
    assert conversation.contact_email == "nc@example.net"
    assert customer.email == ""
    assert Customer.objects.get(pk=customer.pk).email == ""


def test_agents_are_told_to_answer_in_the_chat_when_no_contact_was_left(on_call: Agent) -> None:
    customer = Customer.objects.create(name="No Contact")
    with at(SATURDAY_22):
        escalate(customer, HACKED)
    run_timers(SATURDAY_22 + timedelta(minutes=10))
    inbox = Client()
    inbox.force_login(on_call.user)
    row = inbox.get("/agent/?tab=callbacks").content.decode()
    assert "No phone or email left:</strong> answer in the chat" in row
    assert 'href="tel:"' not in row
    mail.outbox.clear()
    run_timers(SATURDAY_22 + timedelta(minutes=60))  # the reminder, ten minutes before
    to_jonas = [
        f"{sent.subject} {sent.body}" for sent in mail.outbox if sent.to == ["jonas@example.com"]
    ]
    assert any("Answer No Contact in the chat by" in text for text in to_jonas)
    assert not any(" on  at " in text for text in to_jonas)


def test_with_an_address_left_first_the_guarantee_names_it(on_call: Agent) -> None:
    customer = Customer.objects.create(name="Mail Only")
    with at(SATURDAY_22):
        conversation = escalate(customer, HACKED)
        choose(conversation, "contact_email", contact="mo@example.net")
    run_timers(SATURDAY_22 + timedelta(minutes=10))
    callback = Callback.objects.get()
    assert (callback.kind, callback.email) == ("email", "mo@example.net")
    assert "we will contact you on mo@example.net by" in bodies(conversation)[-1]


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
