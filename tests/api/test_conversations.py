"""Conversations: agents start one for a customer (the answer carries the customer's chat
token), list them with filters and pages, and read one; customers read their own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from agents.models import Agent
from helpdesk.flows import conversation_open
from helpdesk.models import Conversation, ConversationEvent, Customer
from tests.api.conftest import client_for_chat, client_for_user
from tests.support.factories import escalated_conversation


def test_an_agent_starts_a_conversation_and_the_customer_uses_its_token(
    dana: Agent, alice: Customer
) -> None:
    response = client_for_user(dana.user).post(
        "/api/conversations/", {"customer": alice.pk, "language": "fr"}
    )
    assert response.status_code == 201
    body = response.json()
    conversation = Conversation.objects.get(public_id=body["id"])
    assert (conversation.customer, conversation.channel, conversation.language) == (
        alice,
        "api",
        "fr",
    )
    assert ConversationEvent.objects.filter(
        conversation=conversation, kind="conversation.opened"
    ).exists()
    assert body["customer"] == {
        "id": alice.pk,
        "display_name": "Alice Martin",
        "email": "alice@example.com",
        "tier": "premium",
        "language": "en",
    }
    customer = client_for_chat_token(body["chat_token"])
    assert customer.get(f"/api/conversations/{body['id']}/").json()["id"] == body["id"]
    posted = customer.post(f"/api/conversations/{body['id']}/messages/", {"body": "Bonjour"})
    assert posted.status_code == 201


def client_for_chat_token(token: str) -> Any:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Chat {token}")
    return client


def test_starting_a_conversation_validates_its_input(dana: Agent, alice: Customer) -> None:
    client = client_for_user(dana.user)
    for payload, field in [
        ({}, "customer"),
        ({"customer": 999999}, "customer"),
        ({"customer": alice.pk, "channel": "pigeon"}, "channel"),
        ({"customer": alice.pk, "language": "xx"}, "language"),
        ({"customer": alice.pk, "status": "resolved"}, "status"),
    ]:
        response = client.post("/api/conversations/", payload)
        assert response.status_code == 400, payload
        assert list(response.json()["error"]["fields"]) == [field], payload
    assert not Conversation.objects.exists()


def test_the_list_filters_and_pages(dana: Agent, alice: Customer, bob: Customer) -> None:
    escalated = escalated_conversation("Carol")
    calm = conversation_open(customer=alice)
    widget = conversation_open(customer=bob, channel="widget", language="de")
    Conversation.objects.filter(pk=calm.pk).update(opened_at=timezone.now() - timedelta(days=2))
    client = client_for_user(dana.user)

    def ids(**params: Any) -> set[str]:
        response = client.get("/api/conversations/", params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {str(c.public_id) for c in (escalated, calm, widget)}
    assert ids(status="waiting") == {str(escalated.public_id)}
    assert ids(escalated="true") == {str(escalated.public_id)}
    assert ids(escalated="false") == {str(calm.public_id), str(widget.public_id)}
    assert ids(channel="widget", language="de") == {str(widget.public_id)}
    assert ids(customer=alice.pk) == {str(calm.public_id)}
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(opened_since=since) == {str(escalated.public_id), str(widget.public_id)}
    assert ids(opened_until=since) == {str(calm.public_id)}

    page = client.get("/api/conversations/", {"page_size": 2}).json()
    assert (page["count"], len(page["results"]), page["previous"]) == (3, 2, None)
    assert [row["id"] for row in page["results"]] == [
        str(widget.public_id),
        str(escalated.public_id),
    ]
    last = client.get(page["next"]).json()
    assert [row["id"] for row in last["results"]] == [str(calm.public_id)]

    bad = client.get("/api/conversations/", {"status": "sleeping", "escalated": "perhaps"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"status", "escalated"}


def test_one_conversation_as_agents_and_its_customer_see_it(dana: Agent) -> None:
    conversation = escalated_conversation("Alice", tier="vip")
    expected = {
        "id": str(conversation.public_id),
        "status": "waiting",
        "channel": "web",
        "language": "en",
        "assigned_agent": None,
        "trigger": "explicit_request",
        "last_seq": conversation.last_seq,
    }
    for client in (client_for_user(dana.user), client_for_chat(conversation)):
        body = client.get(f"/api/conversations/{conversation.public_id}/").json()
        assert {key: body[key] for key in expected} == expected
        assert body["customer"]["tier"] == "vip"
        assert body["escalated_at"] is not None


def test_the_list_runs_a_fixed_number_of_queries(
    dana: Agent, django_assert_num_queries: Any
) -> None:
    client = client_for_user(dana.user)
    escalated_conversation("One")
    client.get("/api/conversations/")
    with django_assert_num_queries(4) as first:
        client.get("/api/conversations/")
    for name in ["Two", "Three", "Four", "Five"]:
        escalated_conversation(name)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get("/api/conversations/").json()["count"] == 5
