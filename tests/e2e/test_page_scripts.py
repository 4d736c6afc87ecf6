"""The live pages' scripts: their words are the server's, they read the socket's close codes, and
the inbox's alerts come from the page's own <template>, filled in as text.

Playwright's WebSocket routes stand between the page and the server: they pass every frame
through, and let a test close a socket with the code the server would use, or add a frame.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils.html import json_script
from playwright.sync_api import Browser, Page, Route, WebSocketRoute, expect

from tests.e2e.test_live_chat import RECORD_ALERTS, customer_starts_chat, send, sign_in
from tests.support.factories import make_agent
from tests.support.server import AsgiServer

pytestmark = pytest.mark.e2e

TEXTS = re.compile(r'<script id="chat-texts" type="application/json">.*?</script>', re.S)


def page_json(page: Page, element_id: str) -> Any:
    return page.evaluate("(id) => JSON.parse(document.getElementById(id).textContent)", element_id)


def wait_until(page: Page, condition: Callable[[], bool], timeout_ms: int = 5000) -> None:
    """Let the page (and the routes' handlers) run until `condition` holds."""
    for _ in range(timeout_ms // 100):
        if condition():
            return
        page.wait_for_timeout(100)
    assert condition()


class Sockets:
    """Every socket the page opens on `pattern`, passed through to the server and kept here."""

    def __init__(self, page: Page, pattern: str) -> None:
        self.opened: list[tuple[WebSocketRoute, WebSocketRoute]] = []  # (the page's, the server's)
        page.route_web_socket(re.compile(pattern), self._through)

    def _through(self, socket: WebSocketRoute) -> None:
        self.opened.append((socket, socket.connect_to_server()))

    def close_last(self, code: int) -> None:
        """Close the newest socket as the server would, with `code`."""
        page_side, server_side = self.opened[-1]
        server_side.close()
        page_side.close(code=code)

    def send_last(self, frame: dict[str, str]) -> None:
        """A frame to the page, as if from the server."""
        self.opened[-1][0].send(json.dumps(frame))


def test_the_chat_shows_the_words_the_server_gives_it(browser: Browser, server: AsgiServer) -> None:
    """Other words in the page's JSON, other words on the page: none are the script's own."""
    # A page the route below fulfils has no address of its own: Chromium's local network access
    # checks count it as public, and would block its socket to 127.0.0.1 unless allowed.
    page = browser.new_context(permissions=["local-network-access"]).new_page()
    customer_starts_chat(page, server)
    texts = page_json(page, "chat-texts")
    connection = page.locator("[data-chat-connection]")
    expect(connection).to_have_text(texts["connection"]["open"])
    expect(connection).to_have_attribute("data-state", "open")
    expect(page.locator("[data-chat-status]")).to_have_text(texts["statuses"]["assistant"])

    german = {**texts, "you": "Sie", "sending": "wird gesendet…"}
    german["connection"] = {**texts["connection"], "open": "Verbunden"}
    german["statuses"] = {**texts["statuses"], "assistant": "Unser Assistent ist für Sie da."}

    def in_german(route: Route) -> None:
        response = route.fetch()
        html = TEXTS.sub(lambda _: str(json_script(german, "chat-texts")), response.text())
        route.fulfill(response=response, body=html)

    page.route("**/chat/", in_german)
    page.reload()
    expect(connection).to_have_text("Verbunden")
    expect(page.locator("[data-chat-status]")).to_have_text("Unser Assistent ist für Sie da.")
    # English words: the conversation stays English, so no "language" frame replaces the
    # words this test gave the page (a German message would switch them to the server's own).
    send(page, "Hello")
    expect(page.locator("li.msg-customer .who")).to_have_text(["Sie"])
    page.unroute("**/chat/")
    page.context.close()  # nothing of this page (its route) outlives the test's server


def test_the_chat_reads_the_close_codes_in_the_servers_words(
    browser: Browser, server: AsgiServer
) -> None:
    page = browser.new_context().new_page()
    page.clock.install()  # time runs as usual, and can be sped up past the 15 s of a 4429
    sockets = Sockets(page, r"/ws/chat/")
    customer_starts_chat(page, server)
    texts = page_json(page, "chat-texts")["connection"]
    connection = page.locator("[data-chat-connection]")
    assert len(sockets.opened) == 1

    # 4001: the chat moved to the profile the customer proved; back at once, no backoff.
    sockets.close_last(4001)
    wait_until(page, lambda: len(sockets.opened) == 2, timeout_ms=3000)
    expect(connection).to_have_text(texts["open"])

    # 4429: too many windows; said so, and tried again only after 15 s.
    sockets.close_last(4429)
    expect(connection).to_have_text(texts["too_many"])
    expect(connection).to_have_attribute("data-state", "closed")
    page.clock.fast_forward(10_000)
    page.wait_for_timeout(500)
    assert len(sockets.opened) == 2
    page.clock.fast_forward(10_000)
    wait_until(page, lambda: len(sockets.opened) == 3)
    expect(connection).to_have_text(texts["open"])

    # 4403: this chat is not (or no longer) theirs; said so, and never tried again.
    sockets.close_last(4403)
    expect(connection).to_have_text(texts["forbidden"])
    expect(connection).to_have_attribute("data-state", "closed")
    page.clock.fast_forward(120_000)
    page.wait_for_timeout(500)
    assert len(sockets.opened) == 3
    send(page, "Still there?")  # kept for later: the page holds it as unsent
    expect(page.locator("li.pending .body")).to_have_text(["Still there?"])


def test_an_inbox_alert_is_drawn_from_the_pages_template_as_text(
    browser: Browser, server: AsgiServer, artifacts: Path
) -> None:
    make_agent("dana", "Dana Whitfield")
    context = browser.new_context()
    context.add_init_script(RECORD_ALERTS)
    inbox = context.new_page()
    sockets = Sockets(inbox, r"/ws/agent/inbox/")
    sign_in(inbox, server)
    expect(inbox.locator("[data-inbox-connection]")).to_have_attribute("data-state", "open")
    texts = page_json(inbox, "inbox-texts")
    chimes = inbox.evaluate("window.__chimes")

    payload = '<img src=x onerror="window.__xss=1">Call Eve on +44 20 7946 0958 at 14:00'
    conversation = str(uuid.uuid4())
    alert = {"type": "inbox.alert", "conversation": conversation, "text": payload}
    sockets.send_last(alert)

    item = inbox.locator("[data-inbox-alerts] li[data-inbox-alert]")
    expect(item).to_have_count(1)
    link = item.locator("a[data-alert-link]")
    expect(link).to_have_text(payload)
    expect(link).to_have_attribute("href", f"/agent/conversations/{conversation}/summary/")
    assert link.evaluate("a => a.children.length") == 0  # text, not markup
    assert inbox.evaluate("window.__xss") is None
    expect(item.locator("button[data-alert-dismiss]")).to_have_text("Dismiss")  # the template's
    assert inbox.evaluate("window.__notes") == [[texts["reminder"], payload]]
    assert inbox.evaluate("window.__chimes") > chimes
    # The template stays as it was, for the next alert, which goes first.
    assert (
        inbox.locator("template[data-inbox-alert-template]").evaluate(
            "t => t.content.querySelector('a').textContent"
        )
        == ""
    )
    sockets.send_last({**alert, "text": "Guaranteed callback is still open"})
    expect(item).to_have_count(2)
    expect(item.first.locator("a")).to_have_text("Guaranteed callback is still open")
    inbox.screenshot(path=str(artifacts / "inbox-alerts.png"))

    item.first.get_by_role("button", name="Dismiss").click()
    expect(item).to_have_count(1)
    expect(item.locator("a")).to_have_text(payload)
