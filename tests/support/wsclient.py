"""Helpers to open the real ASGI application's websockets in tests."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from helpdesk.asgi import application
from helpdesk.chattoken import CHAT_COOKIE, make_chat_token
from helpdesk.models import Conversation

ORIGIN = (b"origin", b"http://localhost")


@asynccontextmanager
async def shared_sync_thread_busy() -> AsyncIterator[asyncio.Future[Any]]:
    """Channels' one shared sync thread kept busy for the block; yields the busy call, still
    running (not done) for as long as the thread is taken."""
    release = threading.Event()
    busy = asyncio.ensure_future(sync_to_async(release.wait, thread_sensitive=True)())
    try:
        yield busy
    finally:
        release.set()
        await busy


def chat_cookie(conversation: Conversation) -> bytes:
    """The signed cookie /chat/start/ leaves in the customer's browser."""
    token = make_chat_token(
        customer_id=conversation.customer_id, conversation=str(conversation.public_id)
    )
    return f"{CHAT_COOKIE}={token}".encode()


def customer_socket(
    conversation: Conversation, *, cookie: bytes | None = None
) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application,
        f"/ws/chat/{conversation.public_id}/",
        headers=[ORIGIN, (b"cookie", cookie if cookie is not None else chat_cookie(conversation))],
    )


def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def agent_socket(conversation: Conversation, cookie: bytes) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application,
        f"/ws/agent/conversations/{conversation.public_id}/",
        headers=[ORIGIN, (b"cookie", cookie)],
    )


async def assert_refused(socket: WebsocketCommunicator) -> None:
    """The handshake completes, then the server closes with 4403, which the page can read."""
    connected, _ = await socket.connect()
    if connected:
        closing = await socket.receive_output(timeout=3)
        assert closing == {"type": "websocket.close", "code": 4403}


async def connect(socket: WebsocketCommunicator) -> dict[str, Any]:
    """Connect, and return the welcome frame."""
    connected, code = await socket.connect()
    assert connected, f"refused with close code {code}"
    welcome = await socket.receive_json_from()
    assert welcome["type"] == "welcome"
    return welcome


async def send_message(socket: WebsocketCommunicator, body: str, client_id: str) -> None:
    await socket.send_to(
        text_data=json.dumps({"type": "message", "body": body, "client_id": client_id})
    )


async def receive_type(
    socket: WebsocketCommunicator, frame_type: str, timeout: float = 3
) -> dict[str, Any]:
    """Skip frames of other types (typing, broadcasts) until one of `frame_type` arrives."""
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        if frame["type"] == frame_type:
            return frame
