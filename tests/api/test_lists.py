"""Customers, escalations, agents, the queue and callbacks: filters, shapes and fixed query
counts; presence, callbacks taken and done, and agents' tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from agents.models import Agent
from api import webhooks
from escalation.models import Callback, Escalation
from helpdesk.flows import conversation_open
from helpdesk.models import Conversation, Customer
from routing.estimates import wait_estimate
from tests.api.conftest import client_for_user, scheduled_callback
from tests.support.factories import escalated_conversation, make_agent


def assert_fixed_queries(
    client: APIClient, url: str, grow: Callable[[], Any], assert_num_queries: Any
) -> None:
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    grow()
    with assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] >= 4


def test_customers_filter_by_email_and_tier(dana: Agent, alice: Customer, bob: Customer) -> None:
    client = client_for_user(dana.user)

    def emails(**params: Any) -> list[str]:
        return [row["email"] for row in client.get("/api/customers/", params).json()["results"]]

    assert emails() == ["alice@example.com", "bob@example.com"]
    assert emails(email="ALICE@example.com") == ["alice@example.com"]
    assert emails(tier="premium") == ["alice@example.com"]
    assert emails(tier="vip") == []
    one = client.get(f"/api/customers/{alice.pk}/").json()
    assert (one["name"], one["customer_since"], one["attributes"]) == (
        "Alice Martin",
        "2022-05-01",
        {},
    )
    missing = client.get("/api/customers/999999/")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    assert client.get("/api/customers/", {"tier": "gold"}).status_code == 400


def test_escalations_filter_by_category_and_time(dana: Agent) -> None:
    old = escalated_conversation("Old")
    Escalation.objects.filter(conversation=old).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    new = escalated_conversation("New", "Someone hacked my account and changed my password")
    client = client_for_user(dana.user)

    def conversations(**params: Any) -> list[str]:
        response = client.get("/api/escalations/", params)
        assert response.status_code == 200, response.content
        return [row["conversation"] for row in response.json()["results"]]

    new_escalation = Escalation.objects.get(conversation=new)
    assert conversations() == [str(new.public_id), str(old.public_id)]
    assert conversations(category="explicit_request") == [str(old.public_id)]
    assert conversations(category=new_escalation.category) == [str(new.public_id)]
    day_ago = (timezone.now() - timedelta(days=1)).isoformat()
    assert conversations(since=day_ago) == [str(new.public_id)]
    assert conversations(until=day_ago) == [str(old.public_id)]
    assert conversations(conversation=str(old.public_id)) == [str(old.public_id)]
    detail = client.get(f"/api/escalations/{new_escalation.pk}/").json()
    assert detail["message_seq"] == 1
    assert (detail["category"], detail["rule"]) == (new_escalation.category, new_escalation.rule)
    bad = client.get("/api/escalations/", {"since": "yesterday", "category": "whim"})
    assert set(bad.json()["error"]["fields"]) == {"since", "category"}
    # Offsets Python accepts and PostgreSQL does not, and times that leave the calendar.
    far_offset = client.get("/api/escalations/", {"since": "0663-11-09T14:51:29-19:32"})
    assert far_offset.status_code == 200
    assert len(far_offset.json()["results"]) == 2
    off_calendar = client.get("/api/escalations/", {"until": "0001-01-01T00:00:00+05:00"})
    assert list(off_calendar.json()["error"]["fields"]) == ["until"]


def test_agents_with_presence_load_and_skills(dana: Agent, sam: Agent) -> None:
    conversation = escalated_conversation("Alice")
    Conversation.objects.filter(pk=conversation.pk).update(assigned_agent=dana)
    Agent.objects.filter(pk=sam.pk).update(presence="away")
    client = client_for_user(sam.user)
    rows = {row["username"]: row for row in client.get("/api/agents/").json()["results"]}
    assert rows["dana"]["load"] == 1
    assert rows["dana"]["skills"] == [{"code": "billing", "level": 5}]
    assert (rows["sam"]["presence"], rows["sam"]["load"]) == ("away", 0)
    online = client.get("/api/agents/", {"presence": "online"}).json()["results"]
    assert [row["username"] for row in online] == ["dana"]


def test_setting_my_presence_online_takes_the_next_waiting_conversation(
    sam: Agent, after_commit: Any
) -> None:
    Agent.objects.filter(pk=sam.pk).update(presence="offline")
    waiting = escalated_conversation("Alice")  # explicit request: any agent qualifies
    client = client_for_user(sam.user)
    with after_commit(execute=True):
        response = client.put("/api/agents/me/presence/", {"presence": "online"})
    assert response.status_code == 200
    assert response.json()["presence"] == "online"
    waiting.refresh_from_db()
    assert waiting.assigned_agent == sam  # offered at once, as the inbox's switch does
    bad = client.put("/api/agents/me/presence/", {"presence": "asleep"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["presence"]


def test_a_supervisor_sets_another_agents_presence(supervisor: Agent, dana: Agent) -> None:
    client = client_for_user(supervisor.user)
    response = client.put(f"/api/agents/{dana.pk}/presence/", {"presence": "offline"})
    assert response.status_code == 200
    dana.refresh_from_db()
    assert dana.presence == "offline"
    missing = client.put("/api/agents/999999/presence/", {"presence": "offline"})
    assert missing.status_code == 404
    own = client_for_user(dana.user).put(f"/api/agents/{dana.pk}/presence/", {"presence": "away"})
    assert own.status_code == 200  # an agent may use either URL for themselves


def test_the_queue_in_order_with_places_and_estimates(dana: Agent) -> None:
    first, second, third = (escalated_conversation(name) for name in ("First", "Second", "Third"))
    assert first.queue_key is not None
    ahead = first.queue_key - timedelta(minutes=5)  # an urgent one's head start
    Conversation.objects.filter(pk=third.pk).update(queue_key=ahead)
    with_agent = escalated_conversation("Taken")
    Conversation.objects.filter(pk=with_agent.pk).update(assigned_agent=dana, status="with_agent")
    response = client_for_user(dana.user).get("/api/queue/")
    rows = response.json()["results"]
    assert [row["conversation"]["id"] for row in rows] == [
        str(c.public_id) for c in (third, first, second)
    ]
    assert [row["position"] for row in rows] == [1, 2, 3]
    for row, conversation in zip(rows, (third, first, second), strict=True):
        conversation.refresh_from_db()
        assert row["estimated_wait_seconds"] == wait_estimate(conversation)["seconds"]
    assert rows[0]["estimated_wait_seconds"] is not None  # dana is online and qualifies
    second_page = client_for_user(dana.user).get("/api/queue/", {"page_size": 2, "page": 2})
    assert [row["position"] for row in second_page.json()["results"]] == [3]


def test_callbacks_scheduled_by_default_then_taken_and_done(
    dana: Agent, sam: Agent, alice: Customer, bob: Customer
) -> None:
    later = scheduled_callback(conversation_open(customer=alice))
    sooner = scheduled_callback(
        conversation_open(customer=bob), due_at=timezone.now() + timedelta(minutes=10)
    )
    finished = scheduled_callback(conversation_open(customer=bob), status="done")
    client = client_for_user(dana.user)

    def listed(**params: Any) -> list[int]:
        return [row["id"] for row in client.get("/api/callbacks/", params).json()["results"]]

    assert listed() == [sooner.pk, later.pk]
    assert listed(status="done") == [finished.pk]

    taken = client.post(f"/api/callbacks/{later.pk}/take/")
    assert taken.status_code == 200
    assert taken.json()["agent"] == {"id": dana.pk, "display_name": "Dana Whitfield"}
    assert listed(agent=dana.pk) == [later.pk]

    done = client_for_user(sam.user).post(f"/api/callbacks/{later.pk}/done/")
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    later.conversation.refresh_from_db()
    assert later.conversation.status == Conversation.Status.RESOLVED
    again = client.post(f"/api/callbacks/{later.pk}/done/")
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "not_scheduled",
        "message": "This callback is already closed.",
    }
    assert client.post("/api/callbacks/999999/take/").status_code == 404
    with_body = client.post(f"/api/callbacks/{sooner.pk}/take/", {"agent": sam.pk})
    assert with_body.status_code == 400
    assert Callback.objects.get(pk=sooner.pk).agent is None


@pytest.mark.parametrize(
    ("url", "grow"),
    [
        ("/api/customers/", lambda: [Customer.objects.create(name=f"C{i}") for i in range(5)]),
        ("/api/escalations/", lambda: [escalated_conversation(f"E{i}") for i in range(4)]),
        (
            "/api/agents/",
            lambda: [make_agent(f"a{i}", f"A{i}", skills={"orders": 2}) for i in range(4)],
        ),
        (
            "/api/callbacks/",
            lambda: [
                scheduled_callback(
                    conversation_open(customer=Customer.objects.create(name=f"K{i}"))
                )
                for i in range(4)
            ],
        ),
    ],
)
def test_each_list_runs_a_fixed_number_of_queries(
    dana: Agent, url: str, grow: Callable[[], Any], django_assert_num_queries: Any
) -> None:
    escalated_conversation("Seed")
    scheduled_callback(conversation_open(customer=Customer.objects.create(name="Seed callback")))
    assert_fixed_queries(client_for_user(dana.user), url, grow, django_assert_num_queries)


def test_an_agent_exchanges_a_password_for_a_token(dana: Agent) -> None:
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": "dana", "password": "pw-dana"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.post("/api/auth/token/", {"username": "dana", "password": "pw-dana"}).json() == {
        "token": token
    }
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/agents/").status_code == 200

    wrong = APIClient().post("/api/auth/token/", {"username": "dana", "password": "nope"})
    assert wrong.status_code == 400
    assert wrong.json()["error"] == {
        "code": "invalid",
        "message": "Unable to sign in with these credentials.",
    }
    User.objects.create_user("visitor", password="pw-visitor")
    visitor = APIClient().post(
        "/api/auth/token/", {"username": "visitor", "password": "pw-visitor"}
    )
    assert visitor.status_code == 403
    assert visitor.json()["error"]["code"] == "forbidden"


def test_the_webhook_lists_run_a_fixed_number_of_queries(
    supervisor: Agent, django_assert_num_queries: Any
) -> None:
    endpoint = webhooks.endpoint_create(url="https://e.com/1", events=["conversation.resolved"])
    conversation = escalated_conversation("Seed")

    def more_deliveries() -> None:
        for _ in range(4):
            webhooks.emit_on_commit("conversation.resolved", conversation)
            webhooks.endpoint_create(url="https://e.com/2", events=["conversation.assigned"])

    webhooks.emit_on_commit("conversation.resolved", conversation)
    client = client_for_user(supervisor.user)
    for url in ["/api/webhooks/", f"/api/webhooks/{endpoint.pk}/deliveries/"]:
        assert_fixed_queries(client, url, more_deliveries, django_assert_num_queries)
