"""Stored XSS: what customers, agents and supervisors type comes out as text, never as markup.

Each payload goes into every field a person can fill that a page shows: a customer's name, their
messages, an agent's reply, a knowledge article's title, an agent's display name, an agent's
note on a handoff, the address a customer types for an email follow-up (the phone number is
refused outright). Each value carries a marker (~name, ~body, ...) so every page is checked for
the very fields it shows, escaped, and parsed for anything live: a script, an event handler, a
javascript: URL. Emails are plain text only. CSV cells cannot start a formula.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from agents.models import Agent
from escalation.callbacks import callback_take, customer_choose
from escalation.models import Callback
from escalation.surveys import handoff_rate
from escalation.timers import timers_run_due
from helpdesk.chattoken import CHAT_COOKIE, make_chat_token
from helpdesk.flows import (
    agent_post_message,
    conversation_join,
    conversation_open,
    conversation_resolve,
)
from helpdesk.models import Conversation, Customer, KnowledgeArticle
from helpdesk.services import ChatError
from tests.support.factories import make_agent, say

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)"]
# What the email validator lets a customer type, per payload (a quoted local part).
ADDRESSES = {
    PAYLOADS[0]: '"<script>alert(1)</script>"@example.com',
    PAYLOADS[1]: '"<img/src=x/onerror=alert(1)>"@example.com',
    PAYLOADS[2]: '"javascript:alert(1)"@example.com',
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}
SCRIPT_TYPES = {"", "text/javascript", "module", "application/javascript"}


@dataclass
class Stage:
    payload: str
    fields: dict[str, str]  # marker -> the value typed
    live: Conversation  # dana has joined; both sides wrote
    waiting: Conversation  # nobody has it
    follow_up: Conversation  # the customer chose an email follow-up; dana took it
    resolved: Conversation  # dana rated the handoff and resolved it
    callback: Callback
    dana: Agent
    supervisor: User
    phone_refusal: str


HACKED = " Someone hacked my account and changed my password"


def value(payload: str, marker: str) -> str:
    return f"{payload}~{marker}"


def escalate(name: str, body: str) -> Conversation:
    conversation = conversation_open(customer=Customer.objects.create(name=name))
    say(conversation, "How do I get a refund?")  # answered with the (renamed) refund article
    say(conversation, body)
    conversation.refresh_from_db()
    assert conversation.status == "waiting"
    return conversation


def latest_offer_seq(conversation: Conversation) -> int:
    return conversation.messages.exclude(actions={}).order_by("-seq")[0].seq


def choose(conversation: Conversation, choice: str, contact: str = "") -> None:
    customer_choose(
        public_id=conversation.public_id,
        customer_id=conversation.customer_id,
        message_seq=latest_offer_seq(conversation),
        choice=choice,
        contact=contact,
    )


@pytest.fixture(params=PAYLOADS, ids=["script", "img", "javascript"])
def stage(
    request: pytest.FixtureRequest,
    knowledge_base: list[KnowledgeArticle],
    dana: Agent,
    sam: Agent,
    supervisor_user: User,
) -> Stage:
    payload = request.param
    fields = {
        marker: value(payload, marker)
        for marker in ["name", "body", "reply", "article", "agent", "missing", "gap"]
    }
    # A topic the assistant cannot handle (a capability boundary), three times: a knowledge gap
    # on the dashboard, quoting the customer. (Asking for a person is by design, never a gap.)
    fields["gap"] += HACKED
    fields["body"] += " I want to speak to a human"
    fields["email"] = ADDRESSES[payload]
    KnowledgeArticle.objects.filter(title="Refund status and timing").update(
        title=fields["article"]
    )
    Agent.objects.filter(pk=dana.pk).update(display_name=fields["agent"])
    dana.refresh_from_db()
    User.objects.filter(pk=dana.user_id).update(email="dana@example.com")
    Agent.objects.create(user=supervisor_user, display_name="Morgan Lead")
    Agent.objects.update(presence="offline")  # nobody is offered anything: we choose who joins

    for _ in range(3):
        escalate(fields["name"], fields["gap"])
    live, waiting, follow_up, resolved = (
        escalate(fields["name"], fields["body"]) for _ in range(4)
    )
    conversation_join(public_id=live.public_id, agent=dana)
    agent_post_message(
        public_id=live.public_id, agent=dana, body=fields["reply"], client_msg_id="reply-1"
    )
    conversation_join(public_id=resolved.public_id, agent=dana)
    handoff_rate(conversation=resolved, agent=dana, verdict="missing", missing=fields["missing"])
    conversation_resolve(public_id=resolved.public_id, agent=dana)

    timers_run_due(now=timezone.now() + timedelta(minutes=11))  # the callback offers
    choose(follow_up, "email", contact=fields["email"])
    callback = Callback.objects.get(conversation=follow_up)
    callback_take(callback_id=callback.pk, agent=dana)
    choose(waiting, "callback")
    with pytest.raises(ChatError) as refused:  # the payload is no phone number
        choose(waiting, latest_offer_choice(waiting), contact=payload)
    mail.outbox.clear()
    timers_run_due(now=timezone.now())  # the confirmation email
    timers_run_due(now=callback.due_at)  # the reminder to dana, by email
    for conversation in (live, waiting, follow_up, resolved):
        conversation.refresh_from_db()
    return Stage(
        payload=payload,
        fields=fields,
        live=live,
        waiting=waiting,
        follow_up=follow_up,
        resolved=resolved,
        callback=callback,
        dana=dana,
        supervisor=supervisor_user,
        phone_refusal=refused.value.code,
    )


def latest_offer_choice(conversation: Conversation) -> str:
    offer = conversation.messages.exclude(actions={}).order_by("-seq")[0]
    slot: str = offer.actions["choices"][0]["id"]
    assert slot.startswith("slot:")
    return slot


# -- what a page may not contain ---------------------------------------------------------------------


class Markup(HTMLParser):
    """Everything live in a page: elements with their attributes, and the scripts' text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._script: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "script":
            self._script = attributes
            self.scripts.append((attributes, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attributes, text = self.scripts[-1]
            self.scripts[-1] = (attributes, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def live_payloads(html: str) -> list[str]:
    """Anything in the page that would run a payload."""
    page = Markup()
    page.feed(html)
    found = []
    for tag, attributes in page.elements:
        for name, text in attributes.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}={text!r}>")
            squeezed = "".join(text.split()).lower()
            if name in URL_ATTRIBUTES and squeezed.startswith("javascript:"):
                found.append(f"<{tag} {name}={text!r}>")
        if tag == "img" and attributes.get("src") == "x":
            found.append(f"<img {attributes}>")
    for attributes, text in page.scripts:
        kind = attributes.get("type", "").lower()
        if kind in SCRIPT_TYPES and "alert(1)" in text:
            found.append(f"<script>{text[:60]}")
        if kind == "application/json" and "<" in text:  # json_script escapes < > &
            found.append(f"raw markup in a JSON script: {text[:60]}")
    return found


def problems(stage: Stage, surface: str, html: str, markers: list[str]) -> list[str]:
    found = [f"{surface}: live {item}" for item in live_payloads(html)]
    if stage.payload.startswith("<") and stage.payload in html:
        found.append(f"{surface}: the payload unescaped")
    for marker in markers:
        if escape(stage.fields[marker]) not in html:
            found.append(f"{surface}: {marker} not shown (escaped)")
    return found


# -- the pages ----------------------------------------------------------------------------------------


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, url: str, *, htmx: bool = False) -> str:
    response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_setup_carries_every_payload(stage: Stage) -> None:
    """The payload is where the pages below look for it: stored as typed, nowhere cleaned."""
    assert stage.live.customer.name == stage.fields["name"]
    assert stage.live.messages.filter(body=stage.fields["body"]).exists()
    assert stage.live.messages.filter(body=stage.fields["reply"]).exists()
    assert stage.callback.email == stage.fields["email"]
    assert stage.callback.agent_id == stage.dana.pk
    assert stage.phone_refusal == "invalid_field"
    assert not Callback.objects.filter(conversation=stage.waiting).exists()
    assert stage.resolved.status == "resolved"


def test_the_agents_pages_show_it_as_text(stage: Stage) -> None:
    dana = signed_in(stage.dana.user)
    live = stage.live.public_id
    found: list[str] = []
    for tab, markers in {
        "waiting": ["name"],
        "mine": ["name", "agent"],
        "all": ["name", "agent"],
        "callbacks": ["name", "email", "agent", "body"],
    }.items():
        for htmx in (False, True):
            html = page(dana, f"/agent/?tab={tab}", htmx=htmx)
            found += problems(stage, f"inbox {tab}{' (htmx)' * htmx}", html, markers)
    summary = page(dana, f"/agent/conversations/{live}/summary/")
    found += problems(stage, "summary", summary, ["name", "article", "body", "agent"])
    transcript = page(dana, f"/agent/conversations/{live}/summary/transcript/")
    found += problems(stage, "transcript", transcript, ["name", "body", "reply", "agent"])
    chat = page(dana, f"/agent/conversations/{live}/")
    found += problems(stage, "conversation", chat, ["name", "article", "agent"])
    as_supervisor = page(signed_in(stage.supervisor), f"/agent/conversations/{live}/")
    found += problems(stage, "conversation (supervisor)", as_supervisor, ["agent"])  # assign
    rated = page(dana, f"/agent/conversations/{stage.resolved.public_id}/")
    found += problems(stage, "rating", rated, ["missing"])
    assert found == []


def test_the_dashboard_shows_it_as_text(stage: Stage) -> None:
    html = page(signed_in(stage.supervisor), "/supervisor/")
    # The knowledge gaps quote customers; the quality table names agents and their notes.
    assert problems(stage, "dashboard", html, ["gap", "agent", "missing"]) == []


ADMIN_LISTS = {
    "/admin/helpdesk/customer/": ["name"],
    "/admin/helpdesk/conversation/": ["name"],
    "/admin/agents/agent/": ["agent"],
    "/admin/escalation/callback/": ["email", "agent"],
    "/admin/helpdesk/knowledgearticle/": ["article"],
    "/admin/escalation/handoffrating/": ["agent", "missing"],
}


def test_the_admin_lists_show_it_as_text(stage: Stage) -> None:
    admin = signed_in(stage.supervisor)
    found: list[str] = []
    for url, markers in ADMIN_LISTS.items():
        found += problems(stage, url, page(admin, url), markers)
    # A message's analysis is listed under the message's first 40 characters.
    analyses = page(admin, "/admin/helpdesk/messageanalysis/")
    found += problems(stage, "analyses", analyses, [])
    if escape(stage.fields["body"][:40]) not in analyses:
        found.append("analyses: the message not shown (escaped)")
    assert found == []


def test_the_customers_chat_page_keeps_it_in_inert_json(stage: Stage) -> None:
    client = Client()
    client.cookies[CHAT_COOKIE] = make_chat_token(
        customer_id=stage.live.customer_id, conversation=str(stage.live.public_id)
    )
    html = page(client, "/chat/")
    found = problems(stage, "chat", html, ["agent"])  # "You are chatting with ..."
    assert found == []
    assert "\\u003C" in html or not stage.payload.startswith("<")  # the messages, as JSON


def test_the_emails_are_plain_text(stage: Stage) -> None:
    confirmation = [m for m in mail.outbox if m.to == [stage.fields["email"]]]
    reminder = [m for m in mail.outbox if m.to == ["dana@example.com"]]
    assert len(confirmation) == len(reminder) == 1, [m.to for m in mail.outbox]
    for message in [*confirmation, *reminder]:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", [])
        mime = message.message()
        assert [part.get_content_type() for part in mime.walk()] == ["text/plain"]
        assert "\n" not in message.subject
    # Plain text carries the words as typed: escaping them would only garble the email.
    assert stage.fields["name"] in confirmation[0].body
    assert stage.fields["name"] in reminder[0].subject
    assert stage.fields["email"] in reminder[0].subject
    assert stage.payload in reminder[0].body  # the issue, in the customer's words


# -- CSV ----------------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(1,1)"]


def test_csv_cells_never_start_a_formula(
    knowledge_base: list[KnowledgeArticle], supervisor_user: User
) -> None:
    """Customers' words (the knowledge gaps) and agents' names and notes (handoff quality):
    a cell a spreadsheet would run as a formula gets a leading apostrophe, nothing else."""
    for number, formula in enumerate(FORMULAS):
        agent = make_agent(f"agent{number}", formula)
        conversation = escalate("Formula Customer", f"{formula}{HACKED}")
        conversation_join(public_id=conversation.public_id, agent=agent)
        handoff_rate(conversation=conversation, agent=agent, verdict="missing", missing=formula)
        conversation_resolve(public_id=conversation.public_id, agent=agent)
    staff = signed_in(supervisor_user)
    tables = {}
    for name in ["gaps", "quality_agent"]:
        response = staff.get(f"/supervisor/export/{name}.csv")
        assert response.status_code == 200
        _, *tables[name] = csv.reader(io.StringIO(response.content.decode()))
        for row in tables[name]:
            for cell in row:
                assert cell.lstrip(" \t\r\n;,")[:1] not in set("=+-@|%"), cell
    # Handoff quality: the agent first, what was missing last.
    quality = {row[0]: row[-1] for row in tables["quality_agent"]}
    assert quality == {"'" + formula: "'" + formula for formula in FORMULAS}
    [gap] = tables["gaps"]  # what customers wrote, last
    assert gap[-1].startswith(("'=", "'+", "'-", "'@"))
    assert gap[-1].count(HACKED) == 3


def test_helpers_see_live_markup() -> None:
    """The checker itself: it must catch each payload when it is not escaped."""
    assert live_payloads("<p><script>alert(1)</script></p>")
    assert live_payloads('<img src=x onerror="alert(1)">')
    assert live_payloads('<a href=" javascript:alert(1)">x</a>')
    assert live_payloads('<script type="application/json">{"a": "<b>"}</script>')
    assert not live_payloads("<p>&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)</p>")
    assert not live_payloads('<script type="application/json">{"a": "\\u003Cb\\u003E"}</script>')
