"""The customer's chat page: starting, resuming, and never reaching someone else's conversation."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from agents.models import Agent
from helpdesk.chattoken import CHAT_COOKIE, make_chat_token, read_chat_token, read_cookie_token
from helpdesk.flows import conversation_join
from helpdesk.models import Conversation, Customer
from helpdesk.pagetexts import chat_texts, customer_chat_texts
from helpdesk.services import message_post


def start_chat(client: Client, **data: str) -> Conversation:
    response = client.post("/chat/start/", {"language": "en", **data})
    assert response.status_code == 302
    assert response["Location"] == "/chat/"
    return Conversation.objects.latest("opened_at")


@pytest.mark.django_db
def test_a_new_visitor_is_offered_a_start_form_in_their_browsers_language() -> None:
    english = Client().get("/chat/")
    assert english.status_code == 200
    assert b"Start chatting" in english.content
    assert english.context["form"].initial["language"] == "en"
    spanish = Client().get("/chat/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9,en;q=0.5")
    html = spanish.content.decode()
    assert spanish["Content-Language"] == "es"
    assert '<html lang="es">' in html
    assert "<h1>Chatea con nosotros</h1>" in html
    assert "Empezar a chatear</button>" in html
    assert "Tu nombre (opcional)" in html
    assert "Start chatting" not in html
    assert spanish.context["form"].initial["language"] == "es"
    # The choice of language reads the same in every language: each in its own words.
    assert '<option value="es" selected>Español</option>' in html
    assert '<option value="de">Deutsch</option>' in html


@pytest.mark.django_db
def test_starting_a_chat_creates_the_customer_and_resumes_on_the_next_visit() -> None:
    client = Client()
    conversation = start_chat(client, name="Alice", email="alice@example.com", language="fr")
    # The email is a claim until proven (tests/security/test_email_claims.py).
    assert (conversation.customer.name, conversation.customer.email) == ("Alice", "")
    assert conversation.claimed_email == "alice@example.com"
    assert conversation.language == "fr"
    page = client.get("/chat/")
    assert page.status_code == 200
    assert page.context["conversation"] == conversation
    token = read_chat_token(read_cookie_token({CHAT_COOKIE: client.cookies[CHAT_COOKIE].value}))
    assert token is not None
    assert (token.customer_id, token.conversation) == (
        conversation.customer_id,
        str(conversation.public_id),
    )
    # The token travels in the HttpOnly cookie, never in the page or the socket's URL.
    assert f'data-ws-path="/ws/chat/{conversation.public_id}/"' in page.content.decode()
    assert client.cookies[CHAT_COOKIE]["httponly"]


@pytest.mark.django_db
def test_an_anonymous_chat_works_without_any_details() -> None:
    client = Client()
    conversation = start_chat(client)
    assert conversation.customer.email == ""
    assert client.get("/chat/").context["conversation"] == conversation


@pytest.mark.django_db
def test_typing_someone_elses_email_never_opens_their_conversation() -> None:
    victim = Client()
    theirs = start_chat(victim, name="Alice", email="alice@example.com")
    intruder = Client()
    mine = start_chat(intruder, email="alice@example.com")
    assert mine != theirs
    page = intruder.get("/chat/")
    assert page.context["conversation"] == mine


@pytest.mark.django_db
def test_a_tampered_cookie_gets_the_start_form(alice_conversation: Conversation) -> None:
    client = Client()
    client.cookies[CHAT_COOKIE] = "forged:value"
    response = client.get("/chat/")
    assert "form" in response.context
    assert "conversation" not in response.context


@pytest.mark.django_db
def test_an_invalid_email_is_explained_and_nothing_is_created() -> None:
    response = Client().post("/chat/start/", {"email": "not-an-email", "language": "en"})
    assert response.status_code == 400
    assert b"Enter a valid email address." in response.content
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_a_new_conversation_after_resolution_keeps_the_same_customer() -> None:
    client = Client()
    first = start_chat(client, name="Alice")
    Conversation.objects.filter(pk=first.pk).update(status="resolved")
    closed_page = client.get("/chat/")
    assert b"Start a new conversation" in closed_page.content
    second = start_chat(client)
    assert second != first
    assert second.customer_id == first.customer_id


def holding_token_for(conversation: Conversation) -> Client:
    """A browser whose signed cookie holds this conversation, as /chat/start/ leaves it."""
    client = Client()
    token = make_chat_token(
        customer_id=conversation.customer_id, conversation=str(conversation.public_id)
    )
    client.cookies[CHAT_COOKIE] = token
    return client


XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.mark.django_db
def test_user_text_is_never_markup_in_the_chat_page(alice_conversation: Conversation) -> None:
    Customer.objects.filter(pk=alice_conversation.customer_id).update(name=XSS)
    message_post(conversation_id=alice_conversation.pk, author_kind="customer", body=XSS)
    page = holding_token_for(alice_conversation).get("/chat/").content.decode()
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    # The transcript travels as JSON inside a json_script tag, with < escaped.
    assert "\\u003Cscript\\u003Ealert(1)" in page


@pytest.mark.django_db
def test_healthz_reports_database_and_channel_layer() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["channel_layer"]["ok"] is True


@pytest.mark.django_db
@override_settings(
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 0.5}]
            },
        }
    },
    HEALTHZ_TIMEOUT=1.0,
)
def test_healthz_is_503_when_the_channel_layer_is_unreachable() -> None:
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = Client().get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["channel_layer"]["ok"] is False
    assert body["database"]["ok"] is True


@pytest.mark.django_db
def test_every_page_names_the_helpdesk_icon_and_favicon_ico_leads_to_it(
    supervisor_user: Any,
) -> None:
    client = Client()
    icon = '<link rel="icon" href="/static/helpdesk/favicon.svg" type="image/svg+xml">'
    assert icon in client.get("/chat/").content.decode()
    assert icon in client.get("/agent/login/").content.decode()
    client.force_login(supervisor_user)
    assert icon in client.get("/admin/").content.decode()  # admin keeps its own templates
    redirect = client.get("/favicon.ico")
    assert (redirect.status_code, redirect["Location"]) == (301, "/static/helpdesk/favicon.svg")
    assert (Path(settings.BASE_DIR) / "static/helpdesk/favicon.svg").read_text().startswith("<svg")


def page_json(html: str, element_id: str) -> Any:
    """What json_script wrote into the page under this id."""
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert found, element_id
    return json.loads(found.group(1))


def test_the_chat_page_gives_its_script_the_words_to_show(dana: Agent) -> None:
    """The chat's script holds no English: its words come with the page, as JSON, and the first
    status line is written in the same words the script uses once connected."""
    client = Client()
    conversation = start_chat(client, name="Alice")
    html = client.get("/chat/").content.decode()
    texts = page_json(html, "chat-texts")
    assert texts == customer_chat_texts(conversation)
    assert texts["you"] == "You"
    assert texts["greeting"].startswith("Hello! I'm the assistant")
    assert texts["connection"]["forbidden"] != chat_texts("agent")["connection"]["forbidden"]
    assert '<p class="chat-status" data-chat-status>Our assistant is here to help.</p>' in html
    assert f"data-chat-connection>{texts['connection']['connecting']}</span>" in html
    assert '<script type="module" src="/static/helpdesk/chat.js"></script>' in html

    Conversation.objects.filter(pk=conversation.pk).update(status="waiting", assigned_agent=dana)
    offered = client.get("/chat/").content.decode()  # offered to Dana, who has not joined yet
    assert "data-chat-status>Waiting for a member of our team.</p>" in offered
    Conversation.objects.filter(pk=conversation.pk).update(assigned_agent=None)
    conversation_join(public_id=conversation.public_id, agent=dana)
    joined = client.get("/chat/").content.decode()
    assert "data-chat-status>You are chatting with Dana Whitfield.</p>" in joined


class PageWords(HTMLParser):
    """The words a reader sees on a page: its text (not the scripts' JSON) and placeholders."""

    def __init__(self) -> None:
        super().__init__()
        self.words: set[str] = set()
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag == "script"
        self.words.update(value for name, value in attrs if name == "placeholder" and value)

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False

    def handle_data(self, data: str) -> None:
        if not self.in_script and data.strip():
            self.words.add(data.strip())


def words_of(html: str) -> set[str]:
    parser = PageWords()
    parser.feed(html)
    return parser.words


# Words that are the same in English and this language ("Assistant" in French).
SAME_WORD = {"es": set(), "fr": {"Assistant"}, "de": set()}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "fr", "de"])
def test_a_conversations_page_speaks_its_language_whatever_the_browser_asks(
    language: str,
) -> None:
    """The page of a Spanish conversation is Spanish through and through, even in a browser
    asking for English: none of the English page's words is left, the script's included."""
    english_client = Client()
    start_chat(english_client, name="Alice")
    english = english_client.get("/chat/")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    conversation = start_chat(client, name="Alice", language=language)
    response = client.get("/chat/")
    html = response.content.decode()
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in html
    left_in_english = (words_of(english.content.decode()) - {"Alice"}) & words_of(html)
    assert left_in_english <= SAME_WORD[language]
    texts = page_json(html, "chat-texts")
    english_texts = page_json(english.content.decode(), "chat-texts")
    same = {
        key: value
        for key, value in flat(texts).items()
        if value == flat(english_texts)[key] and value not in SAME_WORD[language]
    }
    assert same == {"confirm_choice": "%(label)s ✓"}  # no words in it
    assert texts["language"] == conversation.language == language


def flat(texts: dict[str, Any], prefix: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in texts.items():
        if isinstance(value, dict):
            found.update(flat(value, f"{prefix}{key}."))
        elif key != "language" and value:  # "" (no placeholder) reads the same anywhere
            found[f"{prefix}{key}"] = value
    return found


@pytest.mark.django_db
def test_a_spanish_conversation_has_spanish_chrome_and_greeting() -> None:
    client = Client()
    start_chat(client, language="es")
    html = client.get("/chat/").content.decode()
    assert "<title>Chatea con nosotros</title>" in html
    assert "data-chat-status>Nuestro asistente está aquí para ayudarte.</p>" in html
    assert 'placeholder="Escribe un mensaje…"' in html
    assert 'data-text="send">Enviar</button>' in html
    assert "¡Hola! Soy el asistente" in html  # the greeting, rendered with the page
    texts = page_json(html, "chat-texts")
    assert (texts["you"], texts["assistant"]) == ("Tú", "Asistente")
    assert texts["statuses"]["waiting"] == "Esperando a una persona de nuestro equipo."
    # The survey's comment box and the callback's fields are the script's words too.
    assert texts["contact_fields"]["text"]["label"] == "Tu comentario"


@pytest.mark.django_db
def test_the_greeting_opens_the_chat_the_assistant_holds_and_is_never_stored() -> None:
    client = Client()
    conversation = start_chat(client)
    html = client.get("/chat/").content.decode()
    greeting = re.search(
        r"<li class=\"msg msg-greeting\" data-chat-greeting>(.*?)</li>", html, re.S
    )
    assert greeting is not None
    assert "a person, just say so: someone from our team is one message away" in greeting.group(1)
    assert "autofocus" in html.split('id="chat-input"')[1].split(">")[0]  # the cursor is there
    assert not conversation.messages.exists()  # shown, not stored: no transcript line
    assert page_json(html, "chat-initial") == []


@pytest.mark.django_db
def test_a_supervisors_greeting_replaces_the_shipped_one_in_its_language() -> None:
    from escalation.models import MessageTemplate

    MessageTemplate.objects.create(key="greeting", language="es", text="¡Buenas! <b>Pregunta</b>.")
    client = Client()
    start_chat(client, language="es")
    html = client.get("/chat/").content.decode()
    assert "¡Buenas! &lt;b&gt;Pregunta&lt;/b&gt;." in html  # text, never markup
    assert page_json(html, "chat-texts")["greeting"] == "¡Buenas! <b>Pregunta</b>."


@pytest.mark.django_db
def test_a_chat_that_went_straight_to_people_has_no_assistant_greeting() -> None:
    client = Client()
    conversation = start_chat(client)
    Conversation.objects.filter(pk=conversation.pk).update(automated=False, status="waiting")
    html = client.get("/chat/").content.decode()
    assert "data-chat-greeting" not in html
    assert page_json(html, "chat-texts")["greeting"] == ""


@pytest.mark.django_db
def test_the_proof_of_an_email_is_asked_for_and_refused_in_the_chats_language() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    start_chat(client, email="ana@example.com", language="es")
    page = client.get("/chat/").content.decode()
    assert "Hemos enviado un código a <strong>ana@example.com</strong>." in page
    refused = client.post("/chat/verify/", {"code": "12"})
    assert refused.status_code == 400
    assert "Escribe los seis dígitos del correo." in refused.content.decode()


@pytest.mark.django_db
def test_staff_pages_stay_in_english_for_a_spanish_browser(supervisor_user: Any) -> None:
    """Only the customer's pages follow the browser: not the agents' sign-in, not the admin
    (whose Django catalogue would otherwise turn half of it Spanish)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    start_chat(client, language="es")
    client.get("/chat/")  # a Spanish page first, on the same thread
    login = client.get("/agent/login/").content.decode()
    assert '<html lang="en">' in login
    assert "Sign in" in login
    client.force_login(supervisor_user)
    admin = client.get("/admin/").content.decode()
    assert "Site administration" in admin
    assert "Sitio administrativo" not in admin
