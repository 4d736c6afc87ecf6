"""Every page and every websocket route, against every role, with the exact answer.

The table is tests/security/routes.py. The routes come from the resolvers themselves
(helpdesk.urls and the websocket routes in helpdesk.asgi), so a route added without an entry
fails here. The API keeps its own matrix (tests/api/test_permissions.py); here we check that it
lists every API route.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from helpdesk.asgi import application
from tests.api.test_permissions import ENDPOINTS
from tests.security.routes import (
    ADMIN_LOGIN,
    API_PAGES,
    PAGES,
    SOCKETS,
    TO_ADMIN_LOGIN,
    Page,
    admin_pages,
    assert_answer,
    http_routes,
    websocket_routes,
)
from tests.security.world import ROLES, World
from tests.support.wsclient import ORIGIN


def test_every_route_has_an_entry() -> None:
    routes = [route for route, _ in http_routes()]
    assert len(routes) == len(set(routes))
    assert set(routes) - {"api/"} == set(PAGES), "a page without a matrix entry (or a stale one)"
    assert all(PAGES[route] for route in PAGES if route != "admin/")
    assert set(websocket_routes()) == set(SOCKETS)


def test_every_api_route_is_in_the_apis_own_matrix_or_here() -> None:
    resolver = dict(http_routes())["api/"]
    api_routes = {"api/" + route for route, _ in http_routes(resolver)}  # type: ignore[arg-type]
    listed = {_shape(url.lstrip("/")) for _, url, _, _ in ENDPOINTS}
    assert {_shape(route) for route in api_routes} - listed == set(API_PAGES)
    assert set(API_PAGES) <= api_routes


def _shape(route: str) -> str:
    """'api/conversations/<uuid:public_id>/' and 'api/conversations/{conversation}/' alike."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", route)


def _cases() -> list[Any]:
    return [
        pytest.param(page, role, id=f"{page.method.upper()} {page.url} as {role}")
        for pages in [*PAGES.values(), *API_PAGES.values()]
        for page in pages
        for role in ROLES
    ]


@pytest.mark.parametrize(("page", "role"), _cases())
def test_each_role_gets_exactly_what_it_may(
    world: World, page: Page, role: str, settings: Any
) -> None:
    settings.METRICS_TOKEN = "a-scraper-token"
    data = {key: value.format(**world.ids) for key, value in (page.data or {}).items()}
    url = page.url.format(**world.ids)
    extra = {"content_type": "application/json"} if url.startswith("/api/") else {}
    response = getattr(world.client(role), page.method)(url, data, **extra)
    assert_answer(response, page.expect[role], world)
    if page.check is not None:
        page.check(world, role, response)


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_is_for_staff_only(world: World, role: str) -> None:
    client = world.client(role)
    pages = admin_pages()
    assert len(pages) > 30  # every registered model's list
    for url in pages:
        # Staff without permissions see the admin's index, and none of its lists.
        expected = {"supervisor": 200, "staff": 200 if url == "/admin/" else 403}
        assert_answer(client.get(url), expected.get(role, TO_ADMIN_LOGIN), world)
    assert_answer(client.get("/admin/login/"), ADMIN_LOGIN[role], world)


def test_metrics_answer_only_their_bearer_token(world: World, settings: Any) -> None:
    client = world.client("supervisor")
    assert client.get("/metrics").status_code == 404  # switched off without METRICS_TOKEN
    settings.METRICS_TOKEN = "a-scraper-token"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    scraped = client.get("/metrics", HTTP_AUTHORIZATION="Bearer a-scraper-token")
    assert scraped.status_code == 200
    assert "helpdesk_queue_length" in scraped.content.decode()


# -- websockets ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(SOCKETS))
async def test_each_role_opens_exactly_the_sockets_it_may(
    world: World, route: str, role: str
) -> None:
    socket_route = SOCKETS[route]
    cookie = await database_sync_to_async(world.socket_cookie)(role)
    headers = [ORIGIN] + ([(b"cookie", cookie)] if cookie else [])
    socket = WebsocketCommunicator(
        application, socket_route.url.format(**world.ids), headers=headers
    )
    connected, _ = await socket.connect()
    assert connected  # accepted, then closed if refused: the page can tell 4403 from a failure
    if role not in socket_route.accepted:
        closing = await socket.receive_output(timeout=3)
        assert closing == {"type": "websocket.close", "code": 4403}
        return
    if route == "ws/agent/inbox/":
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=3) == {"type": "pong"}
    else:
        welcome = await socket.receive_json_from(timeout=3)
        assert welcome["type"] == "welcome"
        assert welcome["status"] == "with_agent"
        if route.startswith("ws/agent/"):
            assert welcome["joined"] is (role == "agent")
    await socket.disconnect()
