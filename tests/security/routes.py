"""What each role gets from each page and websocket route: the table the matrix, the CSRF and the
Origin tests share. Keyed by the route as the URL resolvers spell it, so a route added without an
entry here fails tests/security/test_access_matrix.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from agents.models import Agent
from escalation.models import Callback, HandoffRating
from helpdesk.asgi import websocket_urlpatterns
from helpdesk.chattoken import CHAT_COOKIE, read_chat_token
from helpdesk.models import Conversation, EmailCode
from tests.security.world import AGENT_ROLES, NO_SESSION, World

# A status, or a redirect and the start of where it must point ({conversation} etc. filled in).
Expect = int | tuple[int, str]
TO_LOGIN: Expect = (302, "/agent/login/")
TO_ADMIN_LOGIN: Expect = (302, "/admin/login/")
TO_CONVERSATION: Expect = (302, "/agent/conversations/{conversation}/")
TO_CALLBACKS: Expect = (302, "/agent/?tab=callbacks")
TO_INBOX: Expect = (302, "/agent/")

Response = Any  # the test client's response (an HttpResponse with the request attached)
Check = Callable[[World, str, Response], None]
LOGIN_URLS = ("/agent/login/", "/admin/login/")


def roles(outsiders: Expect, agents: Expect, **only: Expect) -> dict[str, Expect]:
    """`outsiders` for the roles without a session, `agents` for the three agents; staff
    without an agent profile are signed in, so an agent's page refuses them (403) where it
    sends outsiders to sign in (staff pages are theirs: STAFF_PAGE), and they are outsiders
    everywhere else."""
    expected = {
        **dict.fromkeys(NO_SESSION, outsiders),
        **dict.fromkeys(AGENT_ROLES, agents),
        "staff": 403 if outsiders == TO_LOGIN != agents else outsiders,
    }
    return {**expected, **only}


@dataclass(frozen=True)
class Page:
    method: str
    url: str  # {conversation}, {other}, {callback}, {other_agent} come from World.ids
    expect: dict[str, Expect]
    data: dict[str, str] | None = None
    check: Check | None = None  # what the request did (or did not do), per role
    htmx: bool = False  # sent by htmx, with the CSRF token as a header


# -- what a request must (not) have changed ---------------------------------------------------------


def _conversation(world: World) -> Conversation:
    return Conversation.objects.get(pk=world.conversation.pk)


def _agent_id(world: World, role: str) -> int | None:
    agent = world.agents.get(role)
    return agent.pk if agent else None


def chat_of_their_own(world: World, role: str, response: Response) -> None:
    html = response.content.decode()
    chats = {who: str(chat.public_id) for who, chat in world.chats.items()}
    mine = chats.get(role)
    for public_id in chats.values():
        assert (public_id in html) == (public_id == mine), (role, public_id)
    if mine is None:
        assert 'action="/chat/start/"' in html  # the start form, nobody's chat
    if role == "claimant":  # the claimed profile stays out of sight
        assert "We sent a code to" in html
        assert "Alice" not in html


def a_new_conversation(world: World, role: str, response: Response) -> None:
    token = read_chat_token(response.cookies[CHAT_COOKIE].value)
    assert token is not None
    chats = world.chats
    assert token.conversation not in {str(chat.public_id) for chat in chats.values()}
    same_customer = chats.get(role)
    # The same browser, with no email given, stays that customer; not one whose email it never
    # proved (customer A's cookie names a profile with an email: the test world minted it).
    if same_customer is not None and not same_customer.customer.email:
        assert token.customer_id == same_customer.customer_id
    else:
        assert token.customer_id not in {chat.customer_id for chat in chats.values()}


def no_new_conversation(world: World, role: str, response: Response) -> None:
    own = [*world.chats.values(), world.callback.conversation]
    assert not Conversation.objects.exclude(pk__in=[chat.pk for chat in own]).exists()


def nobody_verified(world: World, role: str, response: Response) -> None:
    """A wrong code proves nothing, and only the claimant's chat has codes to ask for."""
    assert not Conversation.objects.filter(identity_verified=True).exists()
    assert not EmailCode.objects.exclude(conversation=world.claimed).exists()


def signed_out(world: World, role: str, response: Response) -> None:
    assert "_auth_user_id" not in response.wsgi_request.session
    if role in AGENT_ROLES:
        assert Agent.objects.get(pk=world.agents[role].pk).presence == "offline"


def presence_of_their_own(world: World, role: str, response: Response) -> None:
    presences = dict(Agent.objects.values_list("pk", "presence"))
    for who, agent in world.agents.items():
        assert presences[agent.pk] == ("away" if who == role else "online"), who


def heartbeat_of_their_own(world: World, role: str, response: Response) -> None:
    seen = set(Agent.objects.filter(last_seen_at__isnull=False).values_list("pk", flat=True))
    assert seen == ({world.agents[role].pk} if role in AGENT_ROLES else set())


def still_with_the_agent(world: World, role: str, response: Response) -> None:
    conversation = _conversation(world)
    assert (conversation.status, conversation.assigned_agent_id) == (
        "with_agent",
        world.agents["agent"].pk,
    )


def passed_on_by_the_offered_agent_only(world: World, role: str, response: Response) -> None:
    """Only the agent a conversation is offered to passes on it (the CSRF test offers it to
    them first); once accepted, it stays with them whoever asks."""
    conversation = _conversation(world)
    if world.agents["agent"].pk in conversation.passed_by:
        assert role == "agent"
        assert conversation.assigned_agent_id != world.agents["agent"].pk
    else:
        still_with_the_agent(world, role, response)


def assigned_by_the_supervisor_only(world: World, role: str, response: Response) -> None:
    who = "other_agent" if role == "supervisor" else "agent"
    assert _conversation(world).assigned_agent_id == world.agents[who].pk


def left_by_the_joined_agent_only(world: World, role: str, response: Response) -> None:
    if role == "agent":
        conversation = _conversation(world)
        assert (conversation.status, conversation.assigned_agent_id) == ("waiting", None)
    else:
        still_with_the_agent(world, role, response)


def resolved_by_the_joined_agent_only(world: World, role: str, response: Response) -> None:
    assert (_conversation(world).status == "resolved") == (role == "agent")


def rated_by_the_joined_agent_only(world: World, role: str, response: Response) -> None:
    raters = set(HandoffRating.objects.values_list("agent_id", flat=True))
    assert raters == ({world.agents["agent"].pk} if role == "agent" else set())


def taken_by_any_agent(world: World, role: str, response: Response) -> None:
    # A callback belongs to the team: any agent may take it (the timeline records who).
    assert Callback.objects.get(pk=world.callback.pk).agent_id == _agent_id(world, role)


def done_by_any_agent(world: World, role: str, response: Response) -> None:
    status = Callback.objects.get(pk=world.callback.pk).status
    assert status == ("done" if role in AGENT_ROLES else "scheduled")


def about_the_conversation(world: World, role: str, response: Response) -> None:
    if response.status_code == 200:
        assert "Alice Martin" in response.content.decode()


def a_csv(world: World, role: str, response: Response) -> None:
    if response.status_code == 200:
        assert response["Content-Type"].startswith("text/csv")


def no_token_issued(world: World, role: str, response: Response) -> None:
    assert not Token.objects.exists()


# -- the table ----------------------------------------------------------------------------------------

CONVERSATION = "/agent/conversations/{conversation}/"
AGENT_PAGE = roles(TO_LOGIN, 200)
STAFF_PAGE = roles(TO_ADMIN_LOGIN, TO_ADMIN_LOGIN, supervisor=200, staff=200)

PAGES: dict[str, list[Page]] = {
    "": [Page("get", "/", roles(200, 200))],
    "chat/": [Page("get", "/chat/", roles(200, 200), check=chat_of_their_own)],
    "chat/start/": [
        Page(
            "post",
            "/chat/start/",
            roles((302, "/chat/"), (302, "/chat/")),
            data={"name": "Someone", "language": "en"},
            check=a_new_conversation,
        )
    ],
    # Only a chat waiting for its email code has something to prove; nobody else's changes.
    "chat/verify/": [
        Page(
            "post",
            "/chat/verify/",
            roles((302, "/chat/"), (302, "/chat/"), customer_a=400, customer_b=400, claimant=400),
            data={"code": "123456"},
            check=nobody_verified,
        )
    ],
    "chat/verify/resend/": [
        Page(
            "post",
            "/chat/verify/resend/",
            roles((302, "/chat/"), (302, "/chat/"), customer_a=400, customer_b=400, claimant=302),
            check=nobody_verified,
        )
    ],
    # The widget's frame and its start, for a site nobody configured (tests/widget/ has the
    # configured ones): refused whoever asks, with nothing started.
    "widget/": [Page("get", "/widget/?site=nosuch&origin=https://shop.example", roles(403, 403))],
    "widget/start/": [
        Page(
            "post",
            "/widget/start/",
            roles(403, 403),
            data={"site": "nosuch", "origin": "https://shop.example", "language": "en"},
            check=no_new_conversation,
        )
    ],
    "agent/": [Page("get", "/agent/", AGENT_PAGE)],
    "agent/login/": [
        Page("get", "/agent/login/", roles(200, (302, "/agent/"), staff=(302, "/agent/"))),
        Page(
            "post",
            "/agent/login/",
            # a wrong password; agents and staff are already signed in
            roles(200, (302, "/agent/"), staff=(302, "/agent/")),
            data={"username": "dana", "password": "wrong"},
        ),
    ],
    "agent/logout/": [
        Page("post", "/agent/logout/", roles(TO_LOGIN, TO_LOGIN), check=signed_out),
    ],
    "agent/presence/": [
        Page(
            "post",
            "/agent/presence/",
            roles(TO_LOGIN, (302, "/agent/")),
            data={"presence": "away"},
            check=presence_of_their_own,
            htmx=True,
        )
    ],
    "agent/heartbeat/": [
        Page(
            "post",
            "/agent/heartbeat/",
            roles(TO_LOGIN, 204),
            check=heartbeat_of_their_own,
            htmx=True,
        )
    ],
    "agent/conversations/<uuid:public_id>/": [
        Page("get", CONVERSATION, AGENT_PAGE, check=about_the_conversation)
    ],
    "agent/conversations/<uuid:public_id>/summary/": [
        Page("get", CONVERSATION + "summary/", AGENT_PAGE, check=about_the_conversation)
    ],
    "agent/conversations/<uuid:public_id>/summary/transcript/": [
        Page("get", CONVERSATION + "summary/transcript/", AGENT_PAGE, check=about_the_conversation)
    ],
    "agent/conversations/<uuid:public_id>/join/": [
        Page(
            "post",
            CONVERSATION + "join/",
            roles(TO_LOGIN, TO_CONVERSATION),
            check=still_with_the_agent,
        )
    ],
    "agent/conversations/<uuid:public_id>/pass/": [
        Page(
            "post",
            CONVERSATION + "pass/",
            roles(TO_LOGIN, TO_INBOX),
            check=passed_on_by_the_offered_agent_only,
        )
    ],
    "agent/conversations/<uuid:public_id>/assign/": [
        Page(
            "post",
            CONVERSATION + "assign/",
            roles(TO_LOGIN, 403, supervisor=TO_CONVERSATION),
            data={"agent": "{other_agent}"},
            check=assigned_by_the_supervisor_only,
        )
    ],
    "agent/conversations/<uuid:public_id>/leave/": [
        Page(
            "post",
            CONVERSATION + "leave/",
            roles(TO_LOGIN, TO_CONVERSATION),
            check=left_by_the_joined_agent_only,
        )
    ],
    "agent/conversations/<uuid:public_id>/resolve/": [
        Page(
            "post",
            CONVERSATION + "resolve/",
            roles(TO_LOGIN, TO_CONVERSATION),
            check=resolved_by_the_joined_agent_only,
        )
    ],
    "agent/conversations/<uuid:public_id>/rate/": [
        Page(
            "post",
            CONVERSATION + "rate/",
            roles(TO_LOGIN, TO_CONVERSATION),
            data={"verdict": "prepared"},
            check=rated_by_the_joined_agent_only,
        )
    ],
    "agent/callbacks/<int:callback_id>/done/": [
        Page(
            "post",
            "/agent/callbacks/{callback}/done/",
            roles(TO_LOGIN, TO_CALLBACKS),
            check=done_by_any_agent,
        )
    ],
    "agent/callbacks/<int:callback_id>/take/": [
        Page(
            "post",
            "/agent/callbacks/{callback}/take/",
            roles(TO_LOGIN, TO_CALLBACKS),
            check=taken_by_any_agent,
        )
    ],
    "supervisor/": [Page("get", "/supervisor/", STAFF_PAGE)],
    "supervisor/export/<slug:name>.csv": [
        Page("get", "/supervisor/export/triggers.csv", STAFF_PAGE, check=a_csv),
        Page("get", "/supervisor/export/gaps.csv", STAFF_PAGE, check=a_csv),
        Page(
            "get",
            "/supervisor/export/nothing.csv",
            roles(TO_ADMIN_LOGIN, TO_ADMIN_LOGIN, supervisor=404, staff=404),
        ),
    ],
    # With METRICS_TOKEN set (the matrix sets it): a session or a chat cookie is not the token.
    "metrics": [Page("get", "/metrics", roles(401, 401))],
    "healthz": [Page("get", "/healthz", roles(200, 200))],
    "favicon.ico": [Page("get", "/favicon.ico", roles(301, 301))],
    # The admin's own routes are many: tests/security/test_access_matrix.py walks every
    # registered model's list (admin_pages below).
    "admin/": [],
}

# The one API route tests/api/test_permissions.py does not list: open to anyone by design (the
# credentials in the body decide), so the role changes nothing.
API_PAGES: dict[str, list[Page]] = {
    "api/auth/token/": [
        Page(
            "post",
            "/api/auth/token/",
            roles(400, 400),
            data={"username": "dana", "password": "wrong"},
            check=no_token_issued,
        )
    ],
}


def admin_pages() -> list[str]:
    """The admin's index and every registered model's change list."""
    urls = ["/admin/"]
    for model in admin.site._registry:
        urls.append(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
    return urls


ADMIN_LOGIN = roles(200, 200, supervisor=(302, "/admin/"), staff=(302, "/admin/"))


@dataclass(frozen=True)
class Socket:
    url: str
    accepted: frozenset[str]  # roles whose handshake is accepted; every other one is closed 4403


SOCKETS: dict[str, Socket] = {
    "ws/chat/<uuid:public_id>/": Socket("/ws/chat/{conversation}/", frozenset({"customer_a"})),
    "ws/agent/conversations/<uuid:public_id>/": Socket(
        "/ws/agent/conversations/{conversation}/", frozenset(AGENT_ROLES)
    ),
    "ws/agent/inbox/": Socket("/ws/agent/inbox/", frozenset(AGENT_ROLES)),
}


# -- the routes as the resolvers have them ---------------------------------------------------------


def http_routes(
    resolver: URLResolver | None = None, prefix: str = ""
) -> Iterator[tuple[str, URLPattern | URLResolver]]:
    """Every route of helpdesk.urls, the included apps' expanded; the admin's and the API's
    kept whole (each has its own matrix)."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver) and entry.namespace not in ("admin", "api"):
            yield from http_routes(entry, route)
        else:
            yield route, entry


def websocket_routes() -> list[str]:
    return [str(entry.pattern) for entry in websocket_urlpatterns]


def assert_answer(response: Response, expected: Expect, world: World) -> None:
    status, where = expected if isinstance(expected, tuple) else (expected, None)
    assert response.status_code == status, response.content[:300]
    if where is not None:
        assert response["Location"].startswith(where.format(**world.ids)), response["Location"]
    elif status == 302:
        assert not response["Location"].startswith(LOGIN_URLS)
