"""Every endpoint, every role: the exact status and error code.

Roles: anonymous; the customer whose chat token names the conversation; another customer (their
own token, someone else's conversation); a claimant (their own token, their chat claiming the
first customer's email, unproven); an agent; a supervisor (staff, with an agent profile).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from agents.models import Agent
from api import webhooks
from helpdesk.flows import conversation_open
from helpdesk.identity import email_claim
from helpdesk.models import Conversation, Customer
from tests.api.conftest import ROLES, client_for_chat, client_for_user, scheduled_callback
from tests.support.factories import escalated_conversation, make_agent

OK = {"agent": 200, "supervisor": 200}
OUTSIDERS = {"anonymous": 401, "other_customer": 403, "claimant": 403}
AGENTS_ONLY = {**OUTSIDERS, "customer": 403, **OK}
CONVERSATION = {**OUTSIDERS, "customer": 200, **OK}
SUPERVISORS_ONLY = {**AGENTS_ONLY, "agent": 403}
OPEN = dict.fromkeys(ROLES, 200)


@dataclass
class World:
    conversation: Conversation  # escalated: it has an escalation and a handoff package
    other: Conversation  # another customer's
    agent: Agent
    colleague: Agent
    supervisor: Agent
    claimed: Conversation  # the claimant's own, claiming the first customer's email
    ids: dict[str, Any]

    def client(self, role: str) -> APIClient:
        return {
            "anonymous": APIClient,
            "customer": lambda: client_for_chat(self.conversation),
            "other_customer": lambda: client_for_chat(self.other),
            "claimant": lambda: client_for_chat(self.claimed),
            "agent": lambda: client_for_user(self.agent.user),
            "supervisor": lambda: client_for_user(self.supervisor.user),
        }[role]()


@pytest.fixture
def world(dana: Agent, sam: Agent, supervisor: Agent) -> World:
    conversation = escalated_conversation("Alice", email="alice@example.com")
    other = conversation_open(customer=Customer.objects.create(name="Bob"))
    callback = scheduled_callback(conversation_open(customer=Customer.objects.create(name="Cy")))
    endpoint = webhooks.endpoint_create(
        url="http://127.0.0.1:9/hook", events=["conversation.escalated"]
    )
    make_agent("lee", "Lee Other")
    ids = {
        "conversation": conversation.public_id,
        "customer": conversation.customer_id,
        "escalation": conversation.escalations.get().pk,
        "colleague": sam.pk,
        "callback": callback.pk,
        "webhook": endpoint.pk,
    }
    claimed = conversation_open(customer=Customer.objects.create(name="Mallory"))
    email_claim(conversation=claimed, email="alice@example.com")
    return World(conversation, other, dana, sam, supervisor, claimed, ids)


# (method, url, body, expected status by role); the body and URL are filled from World.ids.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("get", "/api/schema/", None, OPEN),
    ("get", "/api/docs/", None, OPEN),
    ("get", "/api/customers/", None, AGENTS_ONLY),
    ("get", "/api/customers/{customer}/", None, AGENTS_ONLY),
    ("get", "/api/conversations/", None, AGENTS_ONLY),
    (
        "post",
        "/api/conversations/",
        {"customer": "{customer}"},
        {**AGENTS_ONLY, **dict.fromkeys(OK, 201)},
    ),
    ("get", "/api/conversations/{conversation}/", None, CONVERSATION),
    ("get", "/api/conversations/{conversation}/messages/", None, CONVERSATION),
    # People have the conversation and nobody has joined it: agents are refused with not_joined.
    (
        "post",
        "/api/conversations/{conversation}/messages/",
        {"body": "Hello?"},
        {**CONVERSATION, "customer": 201, "agent": 409, "supervisor": 409},
    ),
    ("get", "/api/conversations/{conversation}/handoff/", None, AGENTS_ONLY),
    ("get", "/api/escalations/", None, AGENTS_ONLY),
    ("get", "/api/escalations/{escalation}/", None, AGENTS_ONLY),
    ("get", "/api/agents/", None, AGENTS_ONLY),
    ("get", "/api/agents/{colleague}/", None, AGENTS_ONLY),
    ("put", "/api/agents/me/presence/", {"presence": "away"}, AGENTS_ONLY),
    ("put", "/api/agents/{colleague}/presence/", {"presence": "away"}, SUPERVISORS_ONLY),
    ("get", "/api/queue/", None, AGENTS_ONLY),
    ("get", "/api/callbacks/", None, AGENTS_ONLY),
    ("get", "/api/callbacks/{callback}/", None, AGENTS_ONLY),
    ("post", "/api/callbacks/{callback}/take/", None, AGENTS_ONLY),
    ("post", "/api/callbacks/{callback}/done/", None, AGENTS_ONLY),
    ("get", "/api/surveys/", None, SUPERVISORS_ONLY),
    ("get", "/api/handoff-ratings/", None, SUPERVISORS_ONLY),
    ("get", "/api/metrics/", None, SUPERVISORS_ONLY),
    ("get", "/api/webhooks/", None, SUPERVISORS_ONLY),
    (
        "post",
        "/api/webhooks/",
        {"url": "https://example.com/hook", "events": ["conversation.resolved"]},
        {**SUPERVISORS_ONLY, "supervisor": 201},
    ),
    ("get", "/api/webhooks/{webhook}/", None, SUPERVISORS_ONLY),
    ("patch", "/api/webhooks/{webhook}/", {"active": False}, SUPERVISORS_ONLY),
    (
        "put",
        "/api/webhooks/{webhook}/",
        {"url": "https://example.com/new", "events": ["conversation.assigned"]},
        SUPERVISORS_ONLY,
    ),
    ("delete", "/api/webhooks/{webhook}/", None, {**SUPERVISORS_ONLY, "supervisor": 204}),
    ("get", "/api/webhooks/{webhook}/deliveries/", None, SUPERVISORS_ONLY),
]
ERROR_CODES = {401: "not_authenticated", 403: "forbidden", 409: "not_joined"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    ENDPOINTS,
    ids=[f"{method.upper()} {url}" for method, url, _, _ in ENDPOINTS],
)
def test_each_role_gets_exactly_what_it_may(
    world: World,
    role: str,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    expected: dict[str, int],
) -> None:
    path = url.format(**world.ids)
    data = {key: str(value).format(**world.ids) for key, value in body.items()} if body else None
    if data and "events" in data:
        data["events"] = body["events"]  # type: ignore[index]
    response = getattr(world.client(role), method)(path, data, format="json")
    assert response.status_code == expected[role], response.content[:300]
    if response.status_code >= 400:
        assert response.json()["error"]["code"] == ERROR_CODES[response.status_code]
        assert response.json()["error"]["message"]
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Token"


def test_a_bad_chat_or_agent_token_is_refused_with_401(world: World) -> None:
    for header in ["Chat forged", "Chat", "Token nope", f"Chat {'x' * 40}"]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get(f"/api/conversations/{world.conversation.public_id}/")
        assert response.status_code == 401, header
        assert response.json()["error"]["code"] == "authentication_failed"


def test_a_customer_token_reaches_only_the_conversation_it_names(world: World) -> None:
    """The same customer's second conversation is not reachable with the first one's token."""
    second = conversation_open(customer=world.conversation.customer)
    client = client_for_chat(world.conversation)
    for url in [f"/api/conversations/{second.public_id}/", "/api/conversations/"]:
        response = client.get(url)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    assert client.get(f"/api/conversations/{world.conversation.public_id}/").status_code == 200


def test_a_signed_in_user_without_an_agent_profile_is_refused(world: World) -> None:
    from django.contrib.auth.models import User

    visitor = User.objects.create_user("visitor", password="pw")
    client = APIClient()
    client.force_login(visitor)  # the session works like a token
    response = client.get("/api/customers/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_a_supervisor_without_an_agent_profile_reads_but_does_not_act(
    world: World, supervisor_user: Any
) -> None:
    client = client_for_user(supervisor_user)
    conversation = world.conversation.public_id
    assert client.get(f"/api/conversations/{conversation}/handoff/").status_code == 200
    assert client.get("/api/webhooks/").status_code == 200
    for method, url, body in [
        ("post", f"/api/conversations/{conversation}/messages/", {"body": "Hi"}),
        ("put", "/api/agents/me/presence/", {"presence": "online"}),
        ("post", f"/api/callbacks/{world.ids['callback']}/take/", None),
    ]:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "forbidden"
    presence = client.put(f"/api/agents/{world.agent.pk}/presence/", {"presence": "away"})
    assert presence.status_code == 200
