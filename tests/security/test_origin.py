"""Cross-site websocket hijacking: a page on another site (or a sandboxed one, Origin "null")
must not open a socket with the visitor's cookies. Every route refuses the handshake itself,
even with valid credentials; the same credentials from our own origin are accepted."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from helpdesk.asgi import application
from tests.security.routes import SOCKETS
from tests.security.world import World

pytestmark = pytest.mark.django_db(transaction=True)

FOREIGN = [
    b"http://evil.example",
    b"null",
    b"http://localhost.evil.example",
    b"https://127.0.0.1.evil.example:8443",
    b"file://",
    b"",
    None,  # no Origin header at all
]


def owner(route: str) -> str:
    """A role the route accepts, so only the Origin can be the reason for a refusal."""
    return "customer_a" if route == "ws/chat/<uuid:public_id>/" else "agent"


async def handshake(world: World, route: str, origin: bytes | None) -> tuple[bool, object]:
    cookie = await database_sync_to_async(world.socket_cookie)(owner(route))
    assert cookie is not None
    headers = [(b"cookie", cookie)] + ([(b"origin", origin)] if origin is not None else [])
    socket = WebsocketCommunicator(
        application, SOCKETS[route].url.format(**world.ids), headers=headers
    )
    connected, code = await socket.connect()
    if connected:
        await socket.disconnect()
    return connected, code


@pytest.mark.parametrize("origin", FOREIGN, ids=lambda origin: repr(origin))
@pytest.mark.parametrize("route", list(SOCKETS))
async def test_a_foreign_or_missing_origin_is_refused(
    world: World, route: str, origin: bytes | None
) -> None:
    connected, _ = await handshake(world, route, origin)
    assert connected is False


@pytest.mark.parametrize("origin", [b"http://localhost", b"http://127.0.0.1:8000"])
@pytest.mark.parametrize("route", list(SOCKETS))
async def test_our_own_origin_is_accepted(world: World, route: str, origin: bytes) -> None:
    connected, _ = await handshake(world, route, origin)
    assert connected is True
