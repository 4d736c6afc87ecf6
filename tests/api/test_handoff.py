"""The handoff package moved into the API: same URL, same JSON, same 401/403/404 codes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from agents.models import Agent
from helpdesk.flows import conversation_open
from helpdesk.models import Customer
from tests.api.conftest import client_for_chat, client_for_user
from tests.support.factories import customer_writes, escalated_conversation


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_handoff_package_is_served_as_before(dana: Agent) -> None:
    conversation = escalated_conversation("Alice", "I want a refund. Please get me a person")
    url = f"/api/conversations/{conversation.public_id}/handoff/"
    response = signed_in(dana.user).get(url)
    assert response.status_code == 200
    package = conversation.handoffs.get()
    assert response.json() == {
        "conversation": str(conversation.public_id),
        "version": package.version,
        **package.data,
    }
    assert client_for_user(dana.user).get(url).json() == response.json()


def test_the_handoff_refuses_as_before(dana: Agent) -> None:
    conversation = escalated_conversation("Alice")
    url = f"/api/conversations/{conversation.public_id}/handoff/"
    anonymous = Client().get(url)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    visitor = signed_in(User.objects.create_user("visitor", password="pw")).get(url)
    assert visitor.status_code == 403
    assert visitor.json()["error"] == {
        "code": "forbidden",
        "message": "Only agents may read handoff packages.",
    }
    assert client_for_chat(conversation).get(url).status_code == 403
    missing = signed_in(dana.user).get(
        "/api/conversations/00000000-0000-0000-0000-000000000000/handoff/"
    )
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "code": "not_found",
        "message": "No handoff package for this conversation.",
    }
    calm = conversation_open(customer=Customer.objects.create(name="Calm"))
    never = signed_in(dana.user).get(f"/api/conversations/{calm.public_id}/handoff/")
    assert never.status_code == 404
    not_allowed = signed_in(dana.user).post(url)
    assert not_allowed.status_code == 405
    assert not_allowed.json()["error"]["code"] == "method_not_allowed"


def test_the_handoff_queries_do_not_grow_with_the_package(
    dana: Agent, django_assert_num_queries: Any, after_commit: Any
) -> None:
    conversation = escalated_conversation("Alice")
    client = signed_in(dana.user)
    url = f"/api/conversations/{conversation.public_id}/handoff/"
    client.get(url)
    with django_assert_num_queries(5) as first:  # session, user, agent, conversation, package
        client.get(url)
    for index in range(30):
        with after_commit(execute=True):  # each adds a package version
            customer_writes(conversation, f"more {index}")
    assert conversation.handoffs.count() == 31
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.json()["version"] == 31
    assert "more 29" in response.content.decode()
