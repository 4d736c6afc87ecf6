"""A sign-out closes every door it opened: the agent's open sockets close with 4403 when they
sign out, change password or are switched off; a new password or deactivation also revokes
their API tokens. Other people's sockets stay open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agents.models import Agent
from helpdesk.asgi import application
from helpdesk.flows import conversation_open
from helpdesk.models import Conversation, Customer
from tests.support.factories import make_agent
from tests.support.wsclient import ORIGIN, connect, customer_socket

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(user: User) -> tuple[Client, bytes]:
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return client, cookie.encode()


def world() -> tuple[Agent, Agent, Conversation]:
    return (
        make_agent("ann", "Ann Agent", presence="online"),
        make_agent("ben", "Ben Agent", presence="online"),
        conversation_open(customer=Customer.objects.create(name="Cleo")),
    )


async def open_sockets(cookie: bytes, conversation: Conversation) -> list[WebsocketCommunicator]:
    inbox = WebsocketCommunicator(
        application, "/ws/agent/inbox/", headers=[ORIGIN, (b"cookie", cookie)]
    )
    chat = WebsocketCommunicator(
        application,
        f"/ws/agent/conversations/{conversation.public_id}/",
        headers=[ORIGIN, (b"cookie", cookie)],
    )
    assert (await inbox.connect())[0]
    await connect(chat)  # the welcome frame read
    return [inbox, chat]


async def assert_closed_for_good(socket: WebsocketCommunicator) -> None:
    assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}
    # The browser answers a close with a disconnect; without it the consumer would still be
    # waiting on the channel layer when this test's event loop ends.
    await socket.disconnect()


async def assert_still_open(socket: WebsocketCommunicator) -> None:
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from(timeout=3))["type"] == "pong"
    await socket.disconnect()


async def ends_session(change: Callable[[User, Client], Any]) -> None:
    ann, ben, conversation = await database_sync_to_async(world)()
    client, cookie = await database_sync_to_async(signed_in)(ann.user)
    _, ben_cookie = await database_sync_to_async(signed_in)(ben.user)
    doomed = await open_sockets(cookie, conversation)
    others = await open_sockets(ben_cookie, conversation)
    customer = customer_socket(conversation)
    await connect(customer)

    await database_sync_to_async(change)(ann.user, client)

    for socket in doomed:
        await assert_closed_for_good(socket)
    for socket in [*others, customer]:
        await assert_still_open(socket)


async def test_signing_out_closes_the_agents_sockets() -> None:
    def sign_out(user: User, client: Client) -> None:
        assert client.post("/agent/logout/").status_code == 302

    await ends_session(sign_out)


@pytest.mark.parametrize(
    "change",
    [
        lambda user: user.set_password("a brand new secret 42"),
        lambda user: setattr(user, "is_active", False),
    ],
    ids=["password changed", "deactivated"],
)
async def test_a_new_password_or_deactivation_closes_sockets_and_revokes_api_tokens(
    change: Callable[[User], None],
) -> None:
    tokens: list[str] = []

    def apply(user: User, client: Client) -> None:
        tokens.append(Token.objects.create(user=user).key)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
        assert api.get("/api/agents/").status_code == 200  # good until the change
        change(user)
        user.save()

    await ends_session(apply)
    assert not await database_sync_to_async(Token.objects.filter(key=tokens[0]).exists)()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    refused = await database_sync_to_async(api.get)("/api/agents/")
    assert refused.status_code == 401


async def test_saving_a_user_for_anything_else_closes_nothing() -> None:
    def rename(user: User, client: Client) -> None:
        user.first_name = "Annie"
        user.save()

    ann, _, conversation = await database_sync_to_async(world)()
    client, cookie = await database_sync_to_async(signed_in)(ann.user)
    sockets = await open_sockets(cookie, conversation)
    await database_sync_to_async(rename)(ann.user, client)
    for socket in sockets:
        await assert_still_open(socket)
