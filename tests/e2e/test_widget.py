"""The chat widget on the company's own site, in Chromium: a shop's pages, served by a small
server of the test's own on http://localhost (another site than the helpdesk's 127.0.0.1, so
the browser treats the frame as third-party), embed it with one script tag."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, FrameLocator, Locator, Page, expect

from helpdesk.models import Conversation, Customer
from tests.support.factories import make_agent
from tests.support.server import AsgiServer
from widget.identity import user_hash
from widget.models import WidgetConversation, WidgetSite

pytestmark = pytest.mark.e2e

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shop</title></head>
<body><h1>The shop</h1><p>Everything for your garden.</p>
<script src="{helpdesk}/static/helpdesk/widget/widget.js" data-site="{site}"{identity} async></script>
</body></html>"""


@dataclass
class Shop:
    """The host site: /signed (Ann, signed by the shop's server), /forged, /anonymous."""

    url: str
    identities: dict[str, dict[str, str]]


def shop_pages(helpdesk: str, site: WidgetSite, identities: dict[str, dict[str, str]]) -> type:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            identity = identities.get(self.path.strip("/"), {})
            attributes = "".join(f' data-{name}="{value}"' for name, value in identity.items())
            body = HOST_PAGE.format(helpdesk=helpdesk, site=site.key, identity=attributes)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            # A strict shop: nothing inline, scripts and frames from the helpdesk only.
            self.send_header(
                "Content-Security-Policy",
                f"default-src 'self'; script-src {helpdesk}; frame-src {helpdesk}; "
                "style-src 'self'; object-src 'none'",
            )
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def shops(server: AsgiServer) -> Iterator[tuple[Shop, Shop]]:
    """The listed shop, and another site that is not on the widget site's list."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) for _ in range(2)]
    listed_url, unlisted_url = (f"http://localhost:{one.server_address[1]}" for one in servers)
    site = WidgetSite.objects.create(name="Shop", allowed_origins=listed_url)
    ann = {"user_id": "42", "email": "ann@example.com"}
    attributes = {"user-id": ann["user_id"], "email": ann["email"]}
    identities = {
        "signed": {**attributes, "user-hash": user_hash(secret=site.identity_secret, **ann)},
        "forged": {**attributes, "user-hash": user_hash(secret="guessed", **ann)},
        "anonymous": {},
    }
    for one in servers:
        one.RequestHandlerClass = shop_pages(server.url, site, identities)
        threading.Thread(target=one.serve_forever, daemon=True).start()
    yield Shop(listed_url, identities), Shop(unlisted_url, identities)
    for one in servers:
        one.shutdown()
        one.server_close()


def widget(page: Page) -> Locator:
    return page.locator("[data-helpdesk-widget]")


def launcher(page: Page) -> Locator:
    return page.locator("[data-helpdesk-widget] button.launcher")


def chat(page: Page) -> FrameLocator:
    return page.frame_locator("[data-helpdesk-widget] iframe")


def watch_errors(page: Page) -> list[str]:
    """Console errors (a CSP violation in the shop's page or in our frame is one) and uncaught
    exceptions, from the page and its frames."""
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def open_widget(page: Page, url: str) -> None:
    page.goto(url)
    expect(widget(page)).to_have_attribute("data-state", "ready")
    expect(launcher(page)).to_be_visible()


def start_chat(page: Page, name: str = "") -> None:
    launcher(page).click()
    frame = chat(page)
    expect(frame.get_by_label("Your name (optional)")).to_be_focused()  # focus moved in
    if name:
        frame.get_by_label("Your name (optional)").fill(name)
    frame.get_by_role("button", name="Start chatting").click()
    expect(frame.locator("[data-chat-connection]")).to_have_text("Connected")


def send(page: Page, text: str) -> None:
    frame = chat(page)
    frame.locator("#chat-input").fill(text)
    frame.get_by_role("button", name="Send", exact=True).click()


def agent_joins_and_replies(browser: Browser, server: AsgiServer, customer: str, text: str) -> Page:
    agent = browser.new_context().new_page()
    agent.goto(server.url + "/agent/")
    agent.get_by_label("Username").fill("dana")
    agent.get_by_label("Password").fill("pw-dana")
    agent.get_by_role("button", name="Sign in").click()
    row = agent.locator("tr", has_text=customer)
    expect(row).to_contain_text("Asked for a person")
    row.get_by_role("link", name="Summary").click()
    agent.get_by_role("button", name="Accept and join").click()
    expect(agent.locator("[data-chat-connection]")).to_have_text("Connected")
    agent.locator("#chat-input").fill(text)
    agent.get_by_role("button", name="Send", exact=True).click()
    expect(agent.locator("li.msg-agent .body").last).to_have_text(text)
    return agent


def test_a_signed_in_customer_chats_is_handed_to_a_person_and_sees_the_reply_as_unread(
    browser: Browser, server: AsgiServer, shops: tuple[Shop, Shop], artifacts: Path
) -> None:
    shop, _ = shops
    ann = Customer.objects.create(name="Ann Vip", email="ann@example.com", tier="vip")
    make_agent("dana", "Dana Whitfield")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = watch_errors(page)
    open_widget(page, shop.url + "/signed")
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    expect(page.locator("[data-helpdesk-widget] iframe")).to_have_attribute("title", "Chat with us")
    start_chat(page)

    send(page, "I want to talk to a human")
    frame = chat(page)
    expect(frame.locator("li.msg-assistant .body").last).to_contain_text(
        "I want to connect you with a specialist", timeout=20000
    )
    expect(frame.locator("[data-chat-status]")).to_have_text("Waiting for a member of our team.")
    conversation = Conversation.objects.get()
    assert conversation.customer == ann  # the shop vouched for Ann: her profile
    assert conversation.identity_verified
    assert WidgetConversation.objects.get().identity == "verified"
    expect(frame.locator("[data-widget-unverified]")).to_have_count(0)
    page.screenshot(path=str(artifacts / "widget-desktop.png"))

    # Escape closes the panel and gives the focus back to the launcher.
    frame.locator("#chat-input").press("Escape")
    expect(page.locator("[data-helpdesk-widget] .panel")).to_be_hidden()
    expect(launcher(page)).to_be_focused()
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    replies = conversation.messages.filter(author_kind__in=["assistant", "agent"])
    seen = max(replies.values_list("seq", flat=True))

    agent = agent_joins_and_replies(browser, server, "Ann Vip", "Hi Ann, Dana here. Let me look.")
    expect(frame.locator("li.msg-agent")).to_have_count(1)  # arrived in the closed panel
    # Dana's reply and whatever the assistant said meanwhile (that Dana has the conversation;
    # her joining is a system line, not counted) came while the panel was closed.
    unread = replies.filter(seq__gt=seen).count()
    assert unread >= 1
    badge = page.locator("[data-helpdesk-widget] .badge")
    expect(badge).to_have_text(str(unread))
    expect(launcher(page)).to_have_attribute("aria-label", f"Open the chat ({unread} unread)")
    page.screenshot(path=str(artifacts / "widget-unread.png"))

    # Remembered across page loads: the conversation, what is unread, the panel closed.
    page.reload()
    expect(widget(page)).to_have_attribute("data-state", "ready")
    expect(badge).to_have_text(str(unread))
    expect(page.locator("[data-helpdesk-widget] .panel")).to_be_hidden()

    launcher(page).press("Enter")  # a real button: the keyboard opens it
    expect(chat(page).locator("#chat-input")).to_be_focused()
    expect(chat(page).locator("li.msg-agent .body")).to_have_text(
        ["Hi Ann, Dana here. Let me look."]
    )
    expect(badge).to_be_hidden()
    page.reload()
    expect(page.locator("[data-helpdesk-widget] .panel")).to_be_visible()  # still open
    expect(badge).to_be_hidden()
    expect(chat(page).locator("[data-chat-log] li[data-seq]")).to_have_count(
        conversation.messages.count()
    )

    # On a phone the panel takes the whole screen.
    page.set_viewport_size({"width": 375, "height": 740})
    box = page.locator("[data-helpdesk-widget] .panel").bounding_box()
    assert box is not None
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 375, 740)
    expect(chat(page).locator("#chat-input")).to_be_visible()
    page.screenshot(path=str(artifacts / "widget-phone.png"))

    # Dana resolves it; a new conversation starts in the widget, still as Ann.
    agent.get_by_role("button", name="Resolve").click()
    expect(chat(page).locator("[data-chat-status]")).to_have_text("This conversation is closed.")
    chat(page).get_by_role("button", name="Start a new conversation").click()
    expect(chat(page).locator("[data-chat-connection]")).to_have_text("Connected")
    expect(chat(page).locator("#chat-input")).to_be_visible()
    latest = Conversation.objects.latest("opened_at")
    assert latest != conversation
    assert (latest.customer, latest.identity_verified) == (ann, True)
    assert latest.widget.identity == "verified"

    page.get_by_role("button", name="Close the chat").click()
    expect(launcher(page)).to_be_visible()
    expect(launcher(page)).to_be_focused()

    # Ann signs out of the shop: the next visitor on this browser does not see her chat.
    page.goto(shop.url + "/anonymous")
    launcher(page).click()
    expect(chat(page).get_by_role("button", name="Start chatting")).to_be_visible()
    expect(chat(page).locator("[data-chat-log]")).to_have_count(0)
    assert errors == []


def test_a_forged_signature_gives_an_anonymous_chat_that_says_so(
    browser: Browser, server: AsgiServer, shops: tuple[Shop, Shop], artifacts: Path
) -> None:
    shop, _ = shops
    Customer.objects.create(name="Ann Vip", email="ann@example.com", tier="vip")
    page = browser.new_context(viewport={"width": 375, "height": 740}).new_page()
    errors = watch_errors(page)
    open_widget(page, shop.url + "/forged")
    launcher(page).click()
    expect(chat(page).get_by_role("button", name="Start chatting")).to_be_enabled()
    page.screenshot(path=str(artifacts / "widget-start-phone.png"))
    launcher_closes = page.get_by_role("button", name="Close the chat")
    launcher_closes.click()
    start_chat(page, name="Mallory")
    notice = chat(page).locator("[data-widget-unverified]")
    expect(notice).to_contain_text("We could not confirm who you are")
    send(page, "What is my address on file?")
    # The first turn of a fresh server may take a while (the assistant's model loads).
    expect(chat(page).locator("li.msg-assistant")).not_to_have_count(0, timeout=20000)
    expect(chat(page).locator("body")).not_to_contain_text("Ann Vip")
    page.screenshot(path=str(artifacts / "widget-unverified-phone.png"))
    conversation = Conversation.objects.get()
    assert not conversation.identity_verified
    assert (conversation.customer.name, conversation.customer.email) == ("Mallory", "")
    assert WidgetConversation.objects.get().identity == "refused"
    assert errors == []


def test_a_site_not_on_the_list_gets_no_widget(
    browser: Browser, server: AsgiServer, shops: tuple[Shop, Shop]
) -> None:
    _, elsewhere = shops
    page = browser.new_context().new_page()
    with page.expect_response(lambda response: "/widget/?" in response.url) as answer:
        page.goto(elsewhere.url + "/signed")
    assert answer.value.status == 403
    expect(widget(page)).to_have_attribute("data-state", "refused", timeout=10000)
    expect(launcher(page)).to_be_hidden()
    expect(page.locator("[data-helpdesk-widget] .panel")).to_be_hidden()
    assert not Conversation.objects.exists()
