"""Off-hours and the emergency path: the team's hours and the slots they offer, the on-call
agent, the guaranteed callback and what it asks of the customer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from agents.models import Agent
from escalation.callbacks import callback_complete
from escalation.models import (
    Callback,
    CapabilityBoundary,
    Timer,
    UrgencyCriterion,
)
from helpdesk.flows import conversation_join
from helpdesk.models import Customer
from routing.models import Team
from tests.support.factories import make_agent, say
from tests.support.waiting import (
    HACKED,
    SATURDAY_22,
    TUESDAY_10,
    at,
    bodies,
    choose,
    escalate,
    latest_offer,
    run_timers,
)

pytestmark = pytest.mark.usefixtures("knowledge_base")

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
        "Nobody who can help with this is online yet; you are number 1 in line."
    ]


def test_off_hours_in_summer_the_slots_follow_local_time(alice: Customer, london: Team) -> None:
    with at(datetime(2025, 3, 29, 21, 0, tzinfo=UTC)):  # Saturday; clocks go forward tonight
        conversation = escalate(alice)
    slots = [c["id"] for c in latest_offer(conversation).actions["choices"]][:1]
    assert slots == ["slot:2025-03-31T07:00:00+00:00"]  # Monday 08:00 BST


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


def test_with_nobody_online_the_customer_hears_so_with_the_hours_and_the_choices_at_once(
    alice: Customer, london: Team
) -> None:
    with at(TUESDAY_10):
        conversation = escalate(alice)
    handoff = latest_offer(conversation)
    assert "busy" not in handoff.body
    assert "Nobody who can help with this is online right now. You are number 1 in line" in (
        handoff.body
    )
    assert handoff.body.endswith("Our team's hours today run until 20:00 (Europe/London time).")
    assert [choice["id"] for choice in handoff.actions["choices"]] == ["callback", "email", "wait"]
    seq = conversation.last_seq
    run_timers(TUESDAY_10 + timedelta(minutes=5))
    run_timers(TUESDAY_10 + timedelta(minutes=15))  # the usual callback offer: shown already
    assert bodies(conversation, after=seq) == []
    assert conversation.messages.exclude(actions={}).count() == 1
    make_agent("cy", "Cy", presence="online", max_concurrent=0)  # online, but no free slot
    run_timers(TUESDAY_10 + timedelta(minutes=20))
    assert bodies(conversation, after=seq) == []  # no slot, no estimate: nothing new to say
