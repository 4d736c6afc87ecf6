"""The chat's socket opens in the widget's frame with the widget's cookie, for its own chat only."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from helpdesk.asgi import application
from helpdesk.chattoken import WIDGET_COOKIE, make_chat_token
from helpdesk.flows import conversation_open
from helpdesk.models import Conversation, Customer
from tests.support.wsclient import ORIGIN, assert_refused, chat_cookie, connect

pytestmark = pytest.mark.django_db(transaction=True)


def widget_cookie(conversation: Conversation) -> bytes:
    token = make_chat_token(
        customer_id=conversation.customer_id, conversation=str(conversation.public_id)
    )
    return f"{WIDGET_COOKIE}={token}".encode()


def socket(conversation: Conversation, cookie: bytes) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application,
        f"/ws/chat/{conversation.public_id}/",
        headers=[ORIGIN, (b"cookie", cookie)],
    )


@database_sync_to_async
def two_chats() -> tuple[Conversation, Conversation]:
    return (
        conversation_open(customer=Customer.objects.create(name="Ann")),
        conversation_open(customer=Customer.objects.create(name="Bob")),
    )


async def test_the_widgets_cookie_opens_its_own_chat() -> None:
    ann, _ = await two_chats()
    chat = socket(ann, widget_cookie(ann))
    welcome = await connect(chat)
    assert welcome["status"] == "assistant"
    await chat.disconnect()


async def test_the_widgets_cookie_opens_no_one_elses_chat() -> None:
    ann, bob = await two_chats()
    await assert_refused(socket(bob, widget_cookie(ann)))


async def test_with_both_cookies_each_chat_opens_with_the_one_naming_it() -> None:
    """A browser holding a chat on our page and one in the widget on a same-site page."""
    ann, bob = await two_chats()
    both = chat_cookie(ann) + b"; " + widget_cookie(bob)
    for conversation in (ann, bob):
        chat = socket(conversation, both)
        await connect(chat)
        await chat.disconnect()
