"""Outside business hours the customer books a callback with the buttons in the chat, and the
agent finds it in the inbox's Callbacks tab."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from escalation.models import Callback
from routing.models import Team, TeamClosure, TeamHours
from tests.e2e.test_live_chat import customer_starts_chat, send, sign_in
from tests.support.factories import make_agent
from tests.support.server import AsgiServer

pytestmark = pytest.mark.e2e


def closed_today() -> Team:
    """A team open 08:00-20:00 every day, closed today (so the next opening is tomorrow)."""
    team = Team.objects.create(name="Support desk", time_zone="Europe/London", is_default=True)
    for weekday in range(7):
        TeamHours.objects.create(team=team, weekday=weekday, opens=time(8), closes=time(20))
    today = timezone.now().astimezone(ZoneInfo("Europe/London")).date()
    TeamClosure.objects.create(team=team, date=today, reason="Team day")
    return team


@pytest.mark.usefixtures("knowledge_base")
def test_off_hours_the_customer_books_a_callback_and_the_agent_sees_it(
    browser: Browser, server: AsgiServer, artifacts: Path
) -> None:
    closed_today()
    make_agent("dana", "Dana Whitfield")
    customer = browser.new_context().new_page()
    customer_starts_chat(customer, server)
    send(customer, "My parcel never arrived and I want to talk to a person")
    handoff = customer.locator("li.msg-assistant", has_text="Our team is away right now")
    expect(handoff).to_be_visible()
    slots = handoff.locator(".choices button")
    expect(slots.last).to_have_text("Email me")
    first_slot = slots.first.inner_text()
    assert re.search(r"\d{2}:\d{2}$", first_slot), first_slot
    customer.screenshot(path=str(artifacts / "chat-callback-offer.png"))

    slots.first.click()
    phone = handoff.get_by_label("Your phone number")
    phone.fill("12")
    handoff.locator(".choice-input button").click()
    expect(handoff.locator(".choice-error")).to_contain_text("Please give a phone number")
    phone.fill("+44 20 7946 0958")
    handoff.locator(".choice-input button").click()

    confirmation = customer.locator("li.msg-assistant").last
    expect(confirmation).to_contain_text("Done: we will call you on +44 20 7946 0958")
    expect(confirmation).to_contain_text(first_slot.split(" ")[-1])
    expect(handoff.locator(".choice-error")).to_be_hidden()
    expect(slots.first).to_be_disabled()
    expect(slots.first).to_have_class(re.compile("chosen"))
    expect(customer.locator("[data-chat-status]")).to_have_text(
        "We will call you back at the time you chose."
    )
    customer.screenshot(path=str(artifacts / "chat-callback-confirmed.png"))
    assert Callback.objects.get().phone == "+44 20 7946 0958"

    agent = browser.new_context().new_page()
    sign_in(agent, server)
    agent.get_by_role("link", name=re.compile("Callbacks")).click()
    row = agent.locator("tr[data-callback]")
    expect(row).to_contain_text("Alice Martin")
    expect(row).to_contain_text("+44 20 7946 0958")
    agent.screenshot(path=str(artifacts / "inbox-callbacks.png"))
    row.get_by_role("button", name="Done").click()
    expect(agent.locator("tr[data-callback]")).to_have_count(0)
    expect(customer.locator("[data-chat-status]")).to_have_text("This conversation is closed.")
