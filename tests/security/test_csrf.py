"""Every POST route of the pages refuses a request without the CSRF token (403, nothing
changed) and accepts the same request with the token the page gave, as a form field or, for
htmx's requests, as the X-CSRFToken header."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from agents.models import Agent
from escalation.models import Callback, HandoffRating
from helpdesk.flows import conversation_leave
from helpdesk.models import Conversation, EmailCode
from tests.security.routes import PAGES, Page, assert_answer
from tests.security.world import World

# A form in the widget's frame, on another site's page, gets no CSRF cookie (SameSite=Lax): its
# start is guarded by the request's Origin instead, tested in tests/widget/test_views.py.
ORIGIN_CHECKED = {"widget/start/"}
POSTS = [
    (route, page)
    for route, pages in PAGES.items()
    for page in pages
    if page.method == "post" and route not in ORIGIN_CHECKED
]


# Who sends each POST in this test: someone it is meant for. Anyone else: the joined agent.
ACTING = {
    "chat/start/": "anonymous",
    "agent/login/": "anonymous",
    "agent/conversations/<uuid:public_id>/assign/": "supervisor",
    "chat/verify/": "claimant",
    "chat/verify/resend/": "claimant",
}
# The token comes from the page the request is sent from.
FORM_PAGE = {
    "chat/start/": "/chat/",
    "chat/verify/": "/chat/",
    "chat/verify/resend/": "/chat/",
    "agent/login/": "/agent/login/",
}
# The login is tested with the right password, the join with the conversation free again, and
# the pass with it offered to the agent, so that each accepted POST changes something.
DATA = {"agent/login/": {"username": "dana", "password": "pw-dana"}}


def _offered_to_the_agent(world: World) -> None:
    """Free again, then offered to the agent by routing (as conversation_route leaves it)."""
    conversation_leave(public_id=world.conversation.public_id, agent=world.agents["agent"])
    Conversation.objects.filter(pk=world.conversation.pk).update(
        assigned_agent=world.agents["agent"], offered_at=timezone.now()
    )


PREPARE: dict[str, Callable[[World], object]] = {
    "agent/conversations/<uuid:public_id>/join/": lambda world: conversation_leave(
        public_id=world.conversation.public_id, agent=world.agents["agent"]
    ),
    "agent/conversations/<uuid:public_id>/pass/": _offered_to_the_agent,
}


def state(world: World, client: Client) -> tuple[Any, ...]:
    """Everything any of these POSTs could change."""
    conversation = Conversation.objects.get(pk=world.conversation.pk)
    callback = Callback.objects.get(pk=world.callback.pk)
    return (
        conversation.status,
        conversation.assigned_agent_id,
        callback.status,
        callback.agent_id,
        sorted(Agent.objects.values_list("pk", "presence", "last_seen_at")),
        HandoffRating.objects.count(),
        Conversation.objects.count(),
        client.session.get("_auth_user_id"),
        sorted(EmailCode.objects.values_list("pk", "failed_attempts")),
    )


def page_token(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, f"{url} gives no CSRF token"
    return found.group(1)


def test_every_post_route_is_here() -> None:
    routes = {route for route, _ in POSTS}
    assert routes >= {
        "chat/start/",
        "agent/login/",
        "agent/logout/",
        "agent/presence/",
        "agent/heartbeat/",
        "agent/conversations/<uuid:public_id>/join/",
        "agent/conversations/<uuid:public_id>/pass/",
        "agent/conversations/<uuid:public_id>/assign/",
        "agent/conversations/<uuid:public_id>/leave/",
        "agent/conversations/<uuid:public_id>/resolve/",
        "agent/conversations/<uuid:public_id>/rate/",
        "agent/callbacks/<int:callback_id>/done/",
        "agent/callbacks/<int:callback_id>/take/",
    }


@pytest.mark.parametrize(("route", "page"), POSTS, ids=[route for route, _ in POSTS])
def test_a_post_without_the_token_is_refused_and_with_it_accepted(
    world: World, route: str, page: Page
) -> None:
    if route in PREPARE:
        PREPARE[route](world)
    role = ACTING.get(route, "agent")
    client = world.client(role, enforce_csrf_checks=True)
    url = page.url.format(**world.ids)
    data = DATA.get(route) or {
        key: value.format(**world.ids) for key, value in (page.data or {}).items()
    }
    before = state(world, client)

    refused = client.post(url, data)
    assert refused.status_code == 403
    assert b"CSRF verification failed" in refused.content
    assert state(world, client) == before

    token = page_token(client, FORM_PAGE.get(route, "/agent/"))
    if page.htmx:  # as htmx sends it: the header from the page's hx-headers
        accepted = client.post(url, data, HTTP_X_CSRFTOKEN=token)
    else:
        accepted = client.post(url, {**data, "csrfmiddlewaretoken": token})
    if route == "agent/login/":
        assert_answer(accepted, (302, "/agent/"), world)
    else:
        assert_answer(accepted, page.expect[role], world)
        if page.check is not None:
            page.check(world, role, accepted)
    assert state(world, client) != before
