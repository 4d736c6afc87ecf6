"""Messages through the API take the websocket's path: stored under the conversation's lock with
the next sequence number, published to the conversation's group after commit, and a customer's
message gets the assistant's turn (an answer, or a handoff) in the same response."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from agents.models import Agent
from escalation.models import Escalation
from helpdesk.flows import conversation_join
from helpdesk.models import Conversation, KnowledgeArticle, Message
from helpdesk.selectors import message_payload
from helpdesk.services import message_post
from tests.api.conftest import client_for_chat, client_for_user
from tests.support.factories import escalated_conversation


def url(conversation: Conversation) -> str:
    return f"/api/conversations/{conversation.public_id}/messages/"


@pytest.mark.usefixtures("knowledge_base")
def test_a_customer_message_is_stored_with_the_next_seq_published_and_answered(
    alice_conversation: Conversation, django_capture_on_commit_callbacks: Any
) -> None:
    message_post(conversation_id=alice_conversation.pk, author_kind="assistant", body="Hi!")
    layer = get_channel_layer()
    async_to_sync(layer.group_add)(alice_conversation.group_name, "watcher")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for_chat(alice_conversation).post(
            url(alice_conversation), {"body": "How do I return an item?", "client_id": "c-1"}
        )
    assert response.status_code == 201
    body = response.json()
    stored = alice_conversation.messages.get(seq=2)
    assert (stored.author_kind, stored.body, stored.client_msg_id) == (
        "customer",
        body["message"]["body"],
        "c-1",
    )
    assert body["message"] == message_payload(stored)
    assert body["duplicate"] is False
    article = KnowledgeArticle.objects.get(title="Return policy")
    assert [(reply["seq"], reply["author_kind"], reply["body"]) for reply in body["replies"]] == [
        (3, "assistant", article.body)
    ]
    published = async_to_sync(layer.receive)("watcher")
    assert published == {"type": "chat.message", "message": body["message"]}


def test_a_customer_asking_for_a_person_is_handed_over_in_the_same_response(
    alice_conversation: Conversation,
) -> None:
    response = client_for_chat(alice_conversation).post(
        url(alice_conversation), {"body": "I want to speak to a human"}
    )
    assert response.status_code == 201
    replies = response.json()["replies"]
    assert replies[0]["body"].startswith("I want to connect you with a specialist")
    alice_conversation.refresh_from_db()
    assert alice_conversation.status == Conversation.Status.WAITING
    assert Escalation.objects.get(conversation=alice_conversation).category == "explicit_request"
    assert response.json()["message"]["client_id"] is None  # no client id: no de-duplication


def test_a_resend_with_the_same_client_id_stores_nothing_twice(
    alice_conversation: Conversation,
) -> None:
    client = client_for_chat(alice_conversation)
    first = client.post(url(alice_conversation), {"body": "Hello", "client_id": "same"})
    again = client.post(url(alice_conversation), {"body": "Hello", "client_id": "same"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["duplicate"] is True
    assert again.json()["message"] == first.json()["message"]
    assert alice_conversation.messages.filter(author_kind="customer").count() == 1


def test_a_closed_conversation_refuses_the_customer(alice_conversation: Conversation) -> None:
    Conversation.objects.filter(pk=alice_conversation.pk).update(status="resolved")
    response = client_for_chat(alice_conversation).post(url(alice_conversation), {"body": "Hi"})
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "closed",
            "message": "This conversation is closed. Start a new one to keep chatting.",
        }
    }


def test_an_agent_writes_only_after_joining(dana: Agent) -> None:
    conversation = escalated_conversation("Alice")
    client = client_for_user(dana.user)
    refused = client.post(url(conversation), {"body": "Hello, Dana here"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "not_joined"
    before = conversation.messages.count()

    conversation_join(public_id=conversation.public_id, agent=dana)
    response = client.post(url(conversation), {"body": "Hello, Dana here", "client_id": "d1"})
    assert response.status_code == 201
    message = response.json()["message"]
    assert (message["author_kind"], message["author_name"]) == ("agent", "Dana Whitfield")
    assert response.json()["replies"] == []  # the assistant never answers an agent
    assert conversation.messages.count() == before + 3  # joined notice, introduction, this
    assert Message.objects.get(conversation=conversation, client_msg_id="d1").author_agent == dana


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"body": ["This field is required."]}),
        ({"body": "hi", "author_kind": "agent"}, {"author_kind": ["Unknown field."]}),
        ({"body": "   "}, {"body": ["This field may not be blank."]}),
        ({"body": "\u0007\u0008"}, {"body": ["Message is empty."]}),
        ({"body": 12}, None),  # numbers become text, as DRF's CharField does
        ({"body": "hi", "client_id": "no spaces please"}, {"client_id": None}),
        ({"body": "x" * (settings.CHAT_MAX_FRAME_BYTES + 1)}, {"body": None}),
        ({"body": ["a", "list"]}, {"body": ["Not a valid string."]}),
    ],
)
def test_a_bad_body_gets_the_error_shape_with_field_errors(
    alice_conversation: Conversation, payload: dict[str, Any], fields: dict[str, Any] | None
) -> None:
    response = client_for_chat(alice_conversation).post(url(alice_conversation), payload)
    if fields is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("invalid", "Some fields are not valid.")
    assert set(error["fields"]) == set(fields)
    for name, expected in fields.items():
        assert expected is None or error["fields"][name] == expected
    assert alice_conversation.messages.count() == 0


def test_malformed_json_and_other_media_types_are_refused(
    alice_conversation: Conversation,
) -> None:
    client = client_for_chat(alice_conversation)
    broken = client.post(url(alice_conversation), "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "malformed"
    form = client.post(
        url(alice_conversation), "body=hi", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 415
    assert form.json()["error"]["code"] == "unsupported_media_type"
    listed = client.post(url(alice_conversation), [1, 2], format="json")
    assert listed.status_code == 400
    assert listed.json()["error"]["code"] == "invalid"


def test_messages_after_a_seq_in_pages(alice_conversation: Conversation, dana: Agent) -> None:
    for index in range(5):
        message_post(
            conversation_id=alice_conversation.pk, author_kind="customer", body=f"m{index}"
        )
    client = client_for_user(dana.user)
    page = client.get(url(alice_conversation), {"after": 1, "page_size": 3}).json()
    assert page["count"] == 4
    assert [message["seq"] for message in page["results"]] == [2, 3, 4]
    assert page["next"].endswith("page=2&page_size=3") or "page=2" in page["next"]
    rest = client.get(page["next"]).json()
    assert [message["seq"] for message in rest["results"]] == [5]
    assert rest["next"] is None
    customer_view = client_for_chat(alice_conversation).get(url(alice_conversation), {"after": 4})
    assert [message["body"] for message in customer_view.json()["results"]] == ["m4"]
    bad = client.get(url(alice_conversation), {"after": "soon"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["after"]
    beyond = client.get(url(alice_conversation), {"page": 9})
    assert beyond.status_code == 404
    assert beyond.json()["error"]["code"] == "not_found"


def test_an_unknown_conversation_is_not_found_for_agents(dana: Agent) -> None:
    response = client_for_user(dana.user).get(
        "/api/conversations/00000000-0000-0000-0000-000000000000/messages/"
    )
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "No such conversation."}


def test_the_message_list_runs_a_fixed_number_of_queries(
    alice_conversation: Conversation, dana: Agent, django_assert_num_queries: Any
) -> None:
    client = client_for_user(dana.user)
    message_post(conversation_id=alice_conversation.pk, author_kind="customer", body="one")
    client.get(url(alice_conversation))  # warm up: the token row, the agent
    with django_assert_num_queries(5) as first:
        client.get(url(alice_conversation))
    conversation_join(public_id=alice_conversation.public_id, agent=dana)
    for index in range(20):
        message_post(
            conversation_id=alice_conversation.pk,
            author_kind="agent" if index % 2 else "customer",
            author_agent_id=dana.pk if index % 2 else None,
            body=f"more {index}",
        )
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url(alice_conversation))
    assert response.json()["count"] == alice_conversation.messages.count()


def test_flooding_is_refused_as_on_the_websocket(
    alice_conversation: Conversation, settings: Any
) -> None:
    settings.CHAT_RATE_LIMIT, settings.CHAT_RATE_WINDOW = 3, 10.0
    client = client_for_chat(alice_conversation)
    for index in range(3):
        assert client.post(url(alice_conversation), {"body": f"hi {index}"}).status_code == 201
    refused = client.post(url(alice_conversation), {"body": "one more"})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 0 < int(refused["Retry-After"]) <= 10
    assert client.get(url(alice_conversation)).status_code == 200  # reading is not limited
    assert alice_conversation.messages.filter(body="one more").count() == 0


def test_json_nested_too_deeply_or_unstorable_text_is_a_400_not_a_500(
    alice_conversation: Conversation,
) -> None:
    client = client_for_chat(alice_conversation)
    deep = client.post(
        url(alice_conversation), "[" * 100_000 + "]" * 100_000, content_type="application/json"
    )
    assert deep.status_code == 400
    assert deep.json()["error"]["code"] == "malformed"
    for body in ['{"body": "hi\\u0000there"}', '{"body": "half \\ud800 a pair"}']:
        refused = client.post(url(alice_conversation), body, content_type="application/json")
        assert refused.status_code == 400
        assert refused.json()["error"] == {
            "code": "malformed",
            "message": "Text may not contain NUL characters or unpaired surrogates.",
        }
    assert alice_conversation.messages.count() == 0
