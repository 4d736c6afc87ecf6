"""Chromium enforces our Content-Security-Policy and nothing on our pages breaks it: the customer's
chat with its socket, the agent's inbox, summary and conversation with their htmx swaps, the
supervisor's dashboard, the admin and the API's docs.

A violation is seen twice over: a `securitypolicyviolation` listener installed before any page
script (window.__csp), and Chromium's console message, which survives a navigation the listener's
page does not. Any other error in the console, or thrown by a script, fails the test too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response, expect

from agents.models import Agent
from assistant.models import Intent, TrainingPhrase
from helpdesk.models import Conversation
from tests.e2e.test_live_chat import customer_starts_chat, sign_in
from tests.support.factories import make_agent
from tests.support.server import AsgiServer

pytestmark = pytest.mark.e2e

RECORDER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
                    `at ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
});
"""


def expected_policy(server: AsgiServer) -> dict[str, list[str]]:
    return {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", server.url.replace("http://", "ws://")],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


def parse_policy(header: str) -> dict[str, list[str]]:
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


@dataclass
class Watched:
    """A browser context whose every page reports CSP violations and script errors here."""

    context: BrowserContext
    server: AsgiServer
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.context.add_init_script(RECORDER)
        self.context.on("page", self._watch)
        self.page = self.context.new_page()

    def _watch(self, page: Page) -> None:
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or message.type == "error":
            self.problems.append(f"{page.url}: {message.type}: {message.text}")

    def visit(self, path: str) -> Response:
        """Open a page of ours; its policy must be exactly ours."""
        self.assert_clean()
        response = self.page.goto(self.server.url + path)
        assert response is not None
        assert response.ok, (path, response.status)
        policy = response.headers.get("content-security-policy", "")
        assert parse_policy(policy) == expected_policy(self.server), (path, policy)
        return response

    def assert_clean(self) -> None:
        """Nothing refused so far, on this page or any before it."""
        for page in self.context.pages:
            if not page.is_closed() and page.url.startswith(self.server.url):
                self.problems.extend(page.evaluate("window.__csp || []"))
        assert not self.problems, "\n".join(self.problems)


def send(page: Page, text: str) -> None:
    page.locator("#chat-input").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def test_the_customer_and_agent_pages_break_no_rule(browser: Browser, server: AsgiServer) -> None:
    make_agent("dana", "Dana Whitfield")
    customer = Watched(browser.new_context(), server)
    customer.visit("/")
    customer.visit("/chat/")
    customer_starts_chat(customer.page, server)  # the socket is open: "Connected"
    send(customer.page, "I was charged twice, I want to talk to a person")
    expect(customer.page.locator("[data-chat-status]")).to_have_text(
        "Waiting for a member of our team."
    )
    customer.assert_clean()

    agent = Watched(browser.new_context(), server)
    agent.visit("/agent/login/")
    sign_in(agent.page, server)  # the inbox's socket is open: "Live"
    agent.page.locator("#presence select").select_option("away")  # an htmx swap
    expect(agent.page.locator("#presence select")).to_have_value("away")
    agent.assert_clean()
    conversation = Conversation.objects.get()
    agent.visit(f"/agent/conversations/{conversation.public_id}/summary/")
    agent.page.locator("[data-transcript-toggle] summary").click()  # loaded by htmx
    expect(agent.page.locator("[data-transcript] li").first).to_contain_text("charged twice")
    agent.page.get_by_role("button", name="Accept and join").click()
    expect(agent.page.locator("[data-chat-connection]")).to_have_text("Connected")
    send(agent.page, "Hello, I am looking at your payments now.")
    expect(customer.page.locator("[data-chat-log]")).to_contain_text("looking at your payments")

    customer.assert_clean()
    agent.assert_clean()


def test_the_supervisor_and_admin_pages_break_no_rule(browser: Browser, server: AsgiServer) -> None:
    morgan = User.objects.create_superuser("morgan", "morgan@example.com", "pw-morgan")
    Agent.objects.create(user=morgan, display_name="Morgan Lead")
    intent = Intent.objects.create(code="parcel_question", name="Where is my parcel")
    TrainingPhrase.objects.create(intent=intent, text="where is my parcel")
    supervisor = Watched(browser.new_context(), server)
    page = supervisor.page

    supervisor.visit("/admin/login/?next=/supervisor/")
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill("pw-morgan")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_have_text("Escalations and handoffs")
    supervisor.visit("/supervisor/")
    supervisor.visit("/admin/")
    supervisor.visit("/admin/assistant/intent/")  # the intents page, with its own template
    page.get_by_role("checkbox", name="Select all").check()  # the actions bar, by script
    supervisor.visit(f"/admin/assistant/intent/{intent.pk}/change/")
    page.get_by_text("Add another Training phrase").click()  # inlines.js
    supervisor.visit("/admin/assistant/trainingphrase/add/")
    page.locator(".select2-selection").click()  # the intent's autocomplete (select2)
    page.locator(".select2-search__field").fill("parcel")
    expect(page.locator(".select2-results__option", has_text="parcel_question")).to_be_visible()
    supervisor.visit("/admin/assistant/trainingphrase/import/")
    supervisor.visit("/admin/helpdesk/conversation/")
    supervisor.visit("/admin/auth/user/add/")
    supervisor.visit("/api/docs/")
    expect(page.locator(".swagger-ui .title")).to_contain_text("Helpdesk API")

    supervisor.assert_clean()
