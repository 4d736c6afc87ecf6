"""A customer and an agent, in two browsers, chat live; the server restarts mid-conversation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from helpdesk.models import Conversation, KnowledgeArticle
from tests.support.factories import make_agent
from tests.support.server import AsgiServer

pytestmark = pytest.mark.e2e


def customer_starts_chat(page: Page, server: AsgiServer) -> None:
    page.goto(server.url + "/chat/")
    page.get_by_label("Your name (optional)").fill("Alice Martin")
    page.get_by_label("Email (optional)").fill("alice@example.com")
    page.get_by_role("button", name="Start chatting").click()
    expect(page.locator("[data-chat-connection]")).to_have_text("Connected")


def send(page: Page, text: str) -> None:
    page.locator("#chat-input").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def sign_in(page: Page, server: AsgiServer) -> None:
    page.goto(server.url + "/agent/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill("pw-dana")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("[data-inbox-connection]")).to_have_text("Live")


def agent_signs_in_and_joins(page: Page, server: AsgiServer, artifacts: Path) -> None:
    """From the inbox to the handoff summary (transcript opened on demand), then accept."""
    sign_in(page, server)
    row = page.locator("tr", has_text="Alice Martin")
    expect(row).to_contain_text("Asked for a person")
    page.screenshot(path=str(artifacts / "inbox.png"))
    row.get_by_role("link", name="Summary").click()
    expect(page.locator("[data-summary] li")).to_have_count(3)
    expect(page.locator("[data-trigger]")).to_contain_text("Asked for a person")
    expect(page.locator("[data-transcript]")).to_have_count(0)  # not loaded until asked for
    page.locator("[data-transcript-toggle] summary").click()
    expect(page.locator("[data-transcript] li").first).to_contain_text("Where is my order?")
    page.screenshot(path=str(artifacts / "handoff-summary.png"), full_page=True)
    page.get_by_role("button", name="Accept and join").click()
    expect(page.locator("[data-chat-connection]")).to_have_text("Connected")
    expect(page.locator("[data-handoff]")).to_be_visible()  # the summary sits beside the chat


def log_bodies(page: Page) -> list[str]:
    return page.locator("[data-chat-log] li[data-seq] .body").all_inner_texts()


@pytest.mark.usefixtures("knowledge_base")
def test_customer_and_agent_chat_both_ways_across_a_server_restart(
    browser: Browser, server: AsgiServer, artifacts: Path
) -> None:
    make_agent("dana", "Dana Whitfield")
    customer = browser.new_context().new_page()
    agent = browser.new_context().new_page()

    customer_starts_chat(customer, server)
    # The assistant answers from the knowledge base...
    send(customer, "Where is my order?")
    tracking = KnowledgeArticle.objects.get(title="Tracking your order").body
    expect(customer.locator("li.msg-assistant .body")).to_have_text([tracking])
    expect(customer.locator("li.pending")).to_have_count(0)
    # ...and hands over in the same response when the customer asks for a person.
    send(customer, "Hello, my parcel has not arrived. Can I talk to a person?")
    expect(customer.locator("li.msg-assistant .body").last).to_contain_text(
        "I want to connect you with a specialist"
    )
    expect(customer.locator("[data-chat-status]")).to_have_text("Waiting for a member of our team.")
    assert Conversation.objects.get().status == "waiting"
    customer.screenshot(path=str(artifacts / "chat-handoff.png"))

    agent_signs_in_and_joins(agent, server, artifacts)
    expect(customer.locator("li.msg-system .body")).to_have_text(
        ["Dana Whitfield joined the conversation."]
    )
    expect(customer.locator("[data-chat-status]")).to_have_text(
        "You are chatting with Dana Whitfield."
    )
    expect(agent.locator("li.msg-customer .body").nth(1)).to_have_text(
        "Hello, my parcel has not arrived. Can I talk to a person?"
    )
    expect(agent.locator("h1")).to_have_text("Alice Martin")
    expect(agent.locator(".presence select")).to_have_value("online")  # signing in is being there

    agent.locator("#chat-input").press_sequentially("Let me check", delay=20)
    expect(customer.locator("[data-chat-typing]")).to_have_text("Dana Whitfield is typing…")
    agent.locator("#chat-input").fill("Hi Alice, I'm looking at your order now.")
    agent.get_by_role("button", name="Send", exact=True).click()
    expect(customer.locator("li.msg-agent .body")).to_have_text(
        ["Hi Alice, I'm looking at your order now."]
    )
    expect(customer.locator("li.msg-agent .who")).to_have_text(["Dana Whitfield"])

    send(customer, "Thank you! It is order 10452, placed last Monday.")
    expect(agent.locator("li.msg-customer .body").last).to_have_text(
        "Thank you! It is order 10452, placed last Monday."
    )
    customer.screenshot(path=str(artifacts / "chat-customer.png"))
    agent.screenshot(path=str(artifacts / "chat-agent.png"))

    send(customer, '<img src=x onerror="window.__xss=1">Thanks!')
    expect(agent.locator("li.msg-customer .body").last).to_have_text(
        '<img src=x onerror="window.__xss=1">Thanks!'
    )
    assert agent.evaluate("window.__xss") is None

    # The server goes away mid-conversation; the customer keeps writing.
    server.stop()
    expect(customer.locator("[data-chat-connection]")).to_have_text("Reconnecting…")
    send(customer, "Are you still there?")
    expect(customer.locator("li.pending .body")).to_have_text(["Are you still there?"])
    server.start()

    expect(customer.locator("[data-chat-connection]")).to_have_text("Connected", timeout=15000)
    expect(customer.locator("li.pending")).to_have_count(0, timeout=15000)
    expect(agent.locator("[data-chat-connection]")).to_have_text("Connected", timeout=15000)
    expect(agent.locator("li.msg-customer .body").last).to_have_text("Are you still there?")
    agent.locator("#chat-input").fill("Yes, still here.")
    agent.get_by_role("button", name="Send", exact=True).click()
    expect(customer.locator("li.msg-agent .body").last).to_have_text("Yes, still here.")

    # Nothing lost, nothing twice: the page shows exactly what PostgreSQL holds, in order.
    conversation = Conversation.objects.get()
    stored = list(conversation.messages.order_by("seq").values_list("seq", "body"))
    assert [seq for seq, _ in stored] == list(range(1, len(stored) + 1))
    assert [body for _, body in stored].count("Are you still there?") == 1
    for page in (customer, agent):
        expect(page.locator("[data-chat-log] li[data-seq]")).to_have_count(len(stored))
        assert log_bodies(page) == [body for _, body in stored]


def test_a_reload_with_an_already_stored_message_in_the_outbox_shows_it_once(
    browser: Browser, server: AsgiServer
) -> None:
    """The ack was lost, so the page still holds the message as unsent: after a reload it is
    resent, acknowledged as a duplicate, and shown once with no pending copy left."""
    customer = browser.new_context().new_page()
    customer_starts_chat(customer, server)
    send(customer, "Is my parcel insured?")
    expect(customer.locator("li.pending")).to_have_count(0)
    conversation = Conversation.objects.get()
    stored = conversation.messages.get(author_kind="customer")
    key = f"helpdesk-outbox:customer:{conversation.public_id}"
    customer.evaluate(
        "([key, item]) => localStorage.setItem(key, JSON.stringify([item]))",
        [key, {"client_id": stored.client_msg_id, "body": stored.body}],
    )
    customer.reload()
    expect(customer.locator("[data-chat-connection]")).to_have_text("Connected")
    expect(customer.locator("li.pending")).to_have_count(0)
    expect(customer.locator("[data-chat-log] li[data-seq]")).to_have_count(
        conversation.messages.count()
    )
    expect(customer.locator("li.msg-customer")).to_have_count(1)
    assert customer.evaluate("(key) => localStorage.getItem(key)", key) == "[]"
    assert conversation.messages.filter(author_kind="customer").count() == 1


# Stand-ins for the browser's notification and audio APIs, recording what the page asked for.
RECORD_ALERTS = """
window.__notes = [];
window.__chimes = 0;
window.Notification = class {
  constructor(title, options) { window.__notes.push([title, options.body]); }
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
};
window.AudioContext = class {
  constructor() { this.currentTime = 0; this.destination = {}; }
  createGain() { return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} },
                          connect(node) { return node; } }; }
  createOscillator() {
    window.__chimes += 1;
    return { frequency: {}, connect(node) { return node; }, start() {}, stop() {} };
  }
};
"""


@pytest.mark.usefixtures("knowledge_base")
def test_a_new_escalation_reaches_the_open_inbox_live_with_a_notification(
    browser: Browser, server: AsgiServer
) -> None:
    make_agent("dana", "Dana Whitfield")
    agent_context = browser.new_context()
    agent_context.add_init_script(RECORD_ALERTS)
    inbox = agent_context.new_page()
    sign_in(inbox, server)
    expect(inbox.locator("#conversation-list")).to_contain_text("Nobody is waiting")

    first = browser.new_context().new_page()
    customer_starts_chat(first, server)
    send(first, "I need to talk to a human right now")
    # The socket tells the page at once; the list's own timer would take 30 s.
    row = inbox.locator("tr", has_text="Alice Martin")
    expect(row).to_be_visible(timeout=5000)
    expect(row.locator("[data-waiting-since]")).to_have_text(re.compile(r"^\d+ s$"))
    expect(inbox.locator("tr[data-conversation]")).to_have_count(1)
    assert inbox.evaluate("window.__notes") == [
        ["New escalation", "normal urgency · explicit request"]
    ]
    chimes = inbox.evaluate("window.__chimes")
    assert chimes > 0

    inbox.get_by_role("button", name="Sound on").click()
    expect(inbox.get_by_role("button", name="Sound off")).to_have_attribute("aria-pressed", "true")
    second = browser.new_context().new_page()
    customer_starts_chat(second, server)
    send(second, "get me an agent please")
    expect(inbox.locator("tr[data-conversation]")).to_have_count(2, timeout=5000)
    assert len(inbox.evaluate("window.__notes")) == 2
    assert inbox.evaluate("window.__chimes") == chimes  # muted: notified, but no sound
