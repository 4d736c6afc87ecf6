"""Cross-site websocket hijacking: a page on another site (or a sandboxed one, Origin "null")
must not open a socket with the visitor's cookies. Every route refuses the handshake itself,
even with valid credentials; the same credentials from our own origin are accepted. Our own
origin is the address the socket is opened on, scheme, host and port: here the server is
http://localhost:8000 (Host header), and nothing else is allowed."""

from __future__ import annotations

from typing import Any

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
    b"http://localhost",  # our host, another port (80)
    b"http://localhost:8001",  # our host, another port
    b"https://localhost:8000",  # our host and port, another scheme
]
HOST = (b"host", b"localhost:8000")


@pytest.fixture(autouse=True)
def _only_our_own_origin(settings: Any) -> None:
    settings.WEBSOCKET_ALLOWED_ORIGINS = []


def owner(route: str) -> str:
    """A role the route accepts, so only the Origin can be the reason for a refusal."""
    return "customer_a" if route == "ws/chat/<uuid:public_id>/" else "agent"


async def handshake(world: World, route: str, origin: bytes | None) -> tuple[bool, object]:
    cookie = await database_sync_to_async(world.socket_cookie)(owner(route))
    assert cookie is not None
    headers = [HOST, (b"cookie", cookie)] + ([(b"origin", origin)] if origin is not None else [])
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


@pytest.mark.parametrize("route", list(SOCKETS))
async def test_our_own_origin_is_accepted(world: World, route: str) -> None:
    connected, _ = await handshake(world, route, b"http://localhost:8000")
    assert connected is True


async def test_a_configured_origin_is_accepted_and_a_host_we_do_not_serve_is_not(
    world: World, settings: Any
) -> None:
    """Behind a proxy the page is https://help.example: configured, it may open sockets. A Host
    header outside ALLOWED_HOSTS never makes its own Origin ours (DNS rebinding)."""
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["https://help.example"]
    route = "ws/agent/inbox/"
    assert (await handshake(world, route, b"https://help.example"))[0] is True
    assert (await handshake(world, route, b"https://help.example:8443"))[0] is False
    cookie = await database_sync_to_async(world.socket_cookie)("agent")
    rebound = WebsocketCommunicator(
        application,
        SOCKETS[route].url.format(**world.ids),
        headers=[
            (b"host", b"evil.example"),
            (b"origin", b"http://evil.example"),
            (b"cookie", cookie),
        ],
    )
    connected, _ = await rebound.connect()
    assert connected is False
