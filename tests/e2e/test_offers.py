"""An agent signs in to a queue of four chats: one is offered to her at a time, with its time
left counting down; she accepts one and passes on others (to a colleague, or back to the
queue); rows she cannot take say why, and their Accept button returns when a slot frees."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Browser, Locator, Page, expect

from helpdesk.models import Conversation
from tests.e2e.test_live_chat import send
from tests.support.factories import make_agent
from tests.support.server import AsgiServer, database_url

pytestmark = pytest.mark.e2e

FULL = "You're at capacity (2 of 2, 1 offered to you)"


@pytest.fixture
def server(transactional_db: None, tmp_path: Path) -> Iterator[AsgiServer]:
    """The browser tests' server, with routing's tasks run in the server itself: with a broker
    (CI's Redis) nobody would take them here, and offers are what this test is about."""
    env = {
        "TURN_RUNNER": "thread",
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    server = AsgiServer(tmp_path / "uvicorn.log", env=env)
    server.start()
    yield server
    server.stop()


def customer_asks_for_a_person(page: Page, server: AsgiServer, name: str) -> None:
    page.goto(server.url + "/chat/")
    page.get_by_label("Your name (optional)").fill(name)
    page.get_by_role("button", name="Start chatting").click()
    expect(page.locator("[data-chat-connection]")).to_have_text("Connected")
    send(page, "I need to talk to a human please")
    expect(page.locator("[data-chat-status]")).to_have_text("Waiting for a member of our team.")


def agent_signs_in(page: Page, server: AsgiServer, username: str) -> None:
    page.goto(server.url + "/agent/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("[data-inbox-connection]")).to_have_text("Live")


def offers(page: Page) -> Locator:
    return page.locator("[data-offers] tr[data-offer]")


def queued_row(page: Page, name: str) -> Locator:
    return page.locator("table.conversations:not([data-offers] *) tr", has_text=name)


def seconds_left(page: Page) -> int:
    text = offers(page).first.locator("[data-offer-left]").inner_text()
    minutes, seconds = re.fullmatch(r"(\d+):(\d\d) left", text).groups()  # type: ignore[union-attr]
    return int(minutes) * 60 + int(seconds)


def offered_to(name: str) -> str | None:
    conversation = Conversation.objects.select_related("assigned_agent").get(customer__name=name)
    agent = conversation.assigned_agent
    return agent.display_name if agent and conversation.status == "waiting" else None


@pytest.mark.usefixtures("knowledge_base")
def test_an_agent_is_offered_what_she_can_take_accepts_passes_and_sees_why_not(
    browser: Browser, server: AsgiServer, artifacts: Path
) -> None:
    make_agent("dana", "Dana Whitfield", max_concurrent=2)
    make_agent("bea", "Bea Backup")
    for name in ("Amy Ames", "Ben Bell", "Cal Cole", "Dot Dale"):
        customer_asks_for_a_person(browser.new_context().new_page(), server, name)

    dana = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    agent_signs_in(dana, server, "dana")
    # One offer, not two: the other slot stays hers to fill, and the queue shows Accept.
    expect(offers(dana)).to_have_count(1)
    expect(offers(dana)).to_contain_text("Amy Ames")
    expect(offers(dana).locator("[data-offer-left]")).to_have_text(re.compile(r"^1:\d\d left$"))
    before = seconds_left(dana)
    dana.wait_for_timeout(2100)
    assert seconds_left(dana) < before  # it counts down
    expect(dana.locator("[data-workload]")).to_contain_text("0 active, 1 offered to you")
    for name in ("Ben Bell", "Cal Cole", "Dot Dale"):
        expect(queued_row(dana, name).locator("[data-accept]")).to_be_visible()

    offers(dana).get_by_role("button", name="Accept").click()
    expect(dana.locator("[data-chat-connection]")).to_have_text("Connected")
    dana.goto(server.url + "/agent/")
    # Accepted is active; the next in line is offered at once, which fills her two slots.
    expect(offers(dana)).to_have_count(1)
    expect(offers(dana)).to_contain_text("Ben Bell")
    expect(dana.locator("[data-workload]")).to_contain_text("1 active, 1 offered to you")
    for name in ("Cal Cole", "Dot Dale"):
        expect(queued_row(dana, name).locator("[data-cannot-take]")).to_have_text(FULL)
        expect(queued_row(dana, name).locator("[data-accept]")).to_have_count(0)
    dana.screenshot(path=str(artifacts / "inbox-offers.png"), full_page=True)
    phone = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    agent_signs_in(phone, server, "dana")
    expect(offers(phone).get_by_role("button", name="Pass")).to_be_in_viewport()
    phone.screenshot(path=str(artifacts / "inbox-offers-phone.png"), full_page=True)

    bea = browser.new_context().new_page()
    agent_signs_in(bea, server, "bea")
    expect(offers(bea)).to_contain_text("Cal Cole")
    expect(queued_row(dana, "Cal Cole")).to_contain_text("Offered to Bea Backup")  # live

    # Dana passes on Ben; Bea holds an offer already, so Ben waits and Dana gets Dot.
    offers(dana).get_by_role("button", name="Pass").click()
    expect(dana.locator(".flash")).to_contain_text("You passed on Ben Bell")
    expect(offers(dana)).to_contain_text("Dot Dale")
    expect(queued_row(dana, "Ben Bell").locator("[data-cannot-take]")).to_have_text(FULL)
    assert offered_to("Ben Bell") is None

    # Bea accepts Cal: her next offer is Ben, whom Dana passed on.
    offers(bea).get_by_role("button", name="Accept").click()
    expect(bea.locator("[data-chat-connection]")).to_have_text("Connected")
    expect(queued_row(dana, "Ben Bell")).to_contain_text("Offered to Bea Backup")  # live
    assert offered_to("Ben Bell") == "Bea Backup"

    # Dana passes on Dot too: a slot is free, and the button is back on Dot's row.
    offers(dana).get_by_role("button", name="Pass").click()
    expect(offers(dana)).to_have_count(0)
    expect(dana.locator("[data-workload]")).to_contain_text("1 active")
    expect(queued_row(dana, "Dot Dale").locator("[data-accept]")).to_be_visible()
    expect(dana.locator("[data-cannot-take]")).to_have_count(0)
