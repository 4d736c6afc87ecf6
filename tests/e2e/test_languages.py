"""The customer's chat speaks the customer's language: chosen at the start, and followed when
the customer writes in another one, on the open page, without a reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from helpdesk.models import Conversation
from tests.e2e.test_page_scripts import Sockets
from tests.support.server import AsgiServer

pytestmark = pytest.mark.e2e


def focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


@pytest.mark.usefixtures("knowledge_base")
def test_a_customer_writing_spanish_turns_the_chat_spanish(
    browser: Browser, server: AsgiServer, artifacts: Path
) -> None:
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(server.url + "/chat/")
    page.get_by_role("button", name="Start chatting").click()
    expect(page.locator("[data-chat-connection]")).to_have_text("Connected")
    # The assistant greets first, in the page's language; the cursor waits in the message box.
    greeting = page.locator("[data-chat-greeting] .body")
    expect(greeting).to_contain_text("someone from our team is one message away")
    assert focused(page) == "chat-input"
    page.locator("#chat-input").fill("Where is my order?")
    page.get_by_role("button", name="Send", exact=True).click()
    # A server started a moment ago may still be loading the assistant (helpdesk.flows.warmup).
    expect(page.locator("li.msg-assistant")).to_have_count(1, timeout=30_000)
    assert focused(page) == "chat-input"  # back in the box after sending, ready for the next

    page.keyboard.type("Hola, ¿cómo puedo devolver un artículo que no me queda bien?")
    page.keyboard.press("Enter")
    status = page.locator("[data-chat-status]")
    expect(status).to_have_text("Nuestro asistente está aquí para ayudarte.")
    expect(page.locator("#chat-input")).to_have_attribute("placeholder", "Escribe un mensaje…")
    expect(page.locator("form[data-chat-form] button[type=submit]")).to_have_text("Enviar")
    expect(page.locator("[data-chat-connection]")).to_have_text("Conectado")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_title("Chatea con nosotros")
    expect(page.locator("h1")).to_have_text("Chatea con nosotros")
    expect(greeting).to_contain_text("¡Hola! Soy el asistente")
    expect(page.locator("li.msg-customer .who")).to_have_text(["Tú", "Tú"])
    expect(page.locator("li.msg-assistant .who").first).to_have_text("Asistente")
    assert Conversation.objects.get().language == "es"
    page.screenshot(path=str(artifacts / "chat-spanish.png"))

    # A handoff from here on speaks Spanish too, and so does the page's status.
    page.keyboard.type("Quiero hablar con una persona, por favor")
    page.keyboard.press("Enter")
    expect(status).to_have_text("Esperando a una persona de nuestro equipo.")
    # The words stay Spanish on a reload: the page is rendered in the conversation's language.
    page.reload()
    expect(page.locator("[data-chat-connection]")).to_have_text("Conectado")
    expect(page.locator("#chat-input")).to_have_attribute("placeholder", "Escribe un mensaje…")


def test_a_page_that_missed_the_change_reloads_in_the_conversations_language(
    browser: Browser, server: AsgiServer
) -> None:
    """Its socket was down when the language changed: the next welcome says so."""
    page = browser.new_context().new_page()
    sockets = Sockets(page, r"/ws/chat/")
    page.goto(server.url + "/chat/")
    page.get_by_role("button", name="Start chatting").click()
    expect(page.locator("[data-chat-connection]")).to_have_text("Connected")
    Conversation.objects.update(language="de")  # no notice: as if it came while disconnected
    sockets.close_last(1006)
    expect(page.locator("[data-chat-connection]")).to_have_text("Verbunden")
    expect(page.locator("#chat-input")).to_have_attribute("placeholder", "Nachricht schreiben…")
    expect(page.locator("[data-chat-greeting] .body")).to_contain_text("Hallo! Ich bin")
