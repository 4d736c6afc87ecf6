"""The customer's websocket, through the real ASGI stack (origin check, routing, channel layer)."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import override_settings

from helpdesk.asgi import application
from helpdesk.chattoken import CHAT_COOKIE, make_chat_token
from helpdesk.flows import conversation_open
from helpdesk.flows.owed import turn_owe
from helpdesk.models import Conversation, Customer, Message
from helpdesk.services import message_post
from tests.support.wsclient import (
    assert_refused,
    chat_cookie,
    connect,
    customer_socket,
    receive_type,
    send_message,
    shared_sync_thread_busy,
)

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def new_conversation(name: str = "Alice") -> Conversation:
    return conversation_open(customer=Customer.objects.create(name=name))


@database_sync_to_async
def stored(conversation: Conversation) -> list[tuple[int, str, str | None]]:
    """The customer's messages (the assistant's replies are tested in test_turns)."""
    rows = conversation.messages.filter(author_kind="customer").order_by("seq")
    return list(rows.values_list("seq", "body", "client_msg_id"))


async def test_message_is_stored_before_it_is_acknowledged() -> None:
    conversation = await new_conversation()
    socket = customer_socket(conversation)
    welcome = await connect(socket)
    assert welcome["status"] == "assistant"
    await send_message(socket, "Where is my order?", "c-1")
    ack = await receive_type(socket, "ack")
    # The ack arrives only after commit: the row is already there when we read it.
    assert await stored(conversation) == [(1, "Where is my order?", "c-1")]
    assert ack["message"]["seq"] == 1
    assert ack["message"]["author_kind"] == "customer"
    assert ack["message"]["author_name"] == "Alice"
    assert ack["duplicate"] is False
    await socket.disconnect()


async def test_a_resend_is_acknowledged_as_a_duplicate_and_stored_once() -> None:
    conversation = await new_conversation()
    socket = customer_socket(conversation)
    await connect(socket)
    await send_message(socket, "hello", "same-id")
    first = await receive_type(socket, "ack")
    await send_message(socket, "hello", "same-id")
    second = await receive_type(socket, "ack")
    assert second["duplicate"] is True
    assert second["message"]["seq"] == first["message"]["seq"] == 1
    assert len(await stored(conversation)) == 1
    await socket.disconnect()


async def test_sync_returns_what_the_page_missed_in_order() -> None:
    conversation = await new_conversation()
    for body in ["one", "two", "three"]:
        await database_sync_to_async(message_post)(
            conversation_id=conversation.pk, author_kind="assistant", body=body
        )
    socket = customer_socket(conversation)
    await connect(socket)
    await socket.send_json_to({"type": "sync", "after": 1})
    sync = await receive_type(socket, "sync")
    assert [m["body"] for m in sync["messages"]] == ["two", "three"]
    assert [m["seq"] for m in sync["messages"]] == [2, 3]
    assert sync["complete"] is True
    await socket.disconnect()


async def test_two_tabs_of_the_same_customer_both_see_a_message() -> None:
    conversation = await new_conversation()
    tab1, tab2 = customer_socket(conversation), customer_socket(conversation)
    await connect(tab1)
    await connect(tab2)
    await send_message(tab1, "from tab one", "t1")
    broadcast = await receive_type(tab2, "message")
    assert broadcast["message"]["body"] == "from tab one"
    await tab1.disconnect()
    await tab2.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{oops", "malformed"),
        (json.dumps({"type": "delete_everything"}), "unknown_type"),
        (
            json.dumps({"type": "message", "body": "hi", "client_id": "a", "author_kind": "agent"}),
            "unknown_field",
        ),
        (json.dumps({"type": "message", "body": "  ", "client_id": "a"}), "empty"),
        (json.dumps({"type": "message", "body": "x" * 9000, "client_id": "a"}), "too_large"),
    ],
)
async def test_bad_frames_get_an_error_store_nothing_and_the_socket_stays_usable(
    frame: str, code: str
) -> None:
    conversation = await new_conversation()
    socket = customer_socket(conversation)
    await connect(socket)
    await socket.send_to(text_data=frame)
    error = await receive_type(socket, "error")
    assert error["code"] == code
    assert error["message"]
    await send_message(socket, "still here", "after-error")
    ack = await receive_type(socket, "ack")
    assert ack["message"]["body"] == "still here"
    assert [row[1] for row in await stored(conversation)] == ["still here"]
    await socket.disconnect()


async def test_binary_frames_are_refused() -> None:
    conversation = await new_conversation()
    socket = customer_socket(conversation)
    await connect(socket)
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await receive_type(socket, "error"))["code"] == "malformed"
    await socket.disconnect()


async def test_a_frame_does_not_wait_for_the_shared_sync_thread() -> None:
    """Channels visits its one shared sync thread before every handler unless a consumer says
    otherwise; a frame that needs no database must be answered while that thread is busy."""
    conversation = await new_conversation()
    socket = customer_socket(conversation)
    await connect(socket)
    async with shared_sync_thread_busy() as busy:
        await socket.send_to(bytes_data=b"\x00\x01")
        assert (await receive_type(socket, "error", timeout=2))["code"] == "malformed"
        assert not busy.done()  # the thread was still taken when the answer came
    await socket.disconnect()


@override_settings(CHAT_RATE_LIMIT=3, CHAT_RATE_WINDOW=60)
async def test_a_flood_is_answered_with_errors_not_stored() -> None:
    conversation = await new_conversation()
    socket = customer_socket(conversation)
    await connect(socket)
    for index in range(6):
        await send_message(socket, f"spam {index}", f"s{index}")
    frames: list[dict] = []
    while len(frames) < 6:  # one answer per frame sent, besides broadcasts and status
        frame = await socket.receive_json_from()
        if frame["type"] in {"ack", "error"}:
            frames.append(frame)
    acks = [f for f in frames if f["type"] == "ack"]
    limited = [f for f in frames if f["type"] == "error" and f["code"] == "rate_limited"]
    assert len(acks) == 3
    assert len(limited) == 3
    assert [row[1] for row in await stored(conversation)] == ["spam 0", "spam 1", "spam 2"]
    await socket.disconnect()


async def test_a_customer_cannot_open_another_customers_conversation() -> None:
    mine = await new_conversation("Alice")
    theirs = await new_conversation("Bob")
    # Alice's genuine cookie, pointed at Bob's conversation.
    await assert_refused(customer_socket(theirs, cookie=chat_cookie(mine)))


async def test_forged_tampered_or_missing_cookies_are_refused() -> None:
    mine = await new_conversation("Alice")
    theirs = await new_conversation("Bob")
    # A validly signed token naming Bob's conversation but Alice as the customer.
    forged = make_chat_token(customer_id=mine.customer_id, conversation=str(theirs.public_id))
    await assert_refused(customer_socket(theirs, cookie=f"{CHAT_COOKIE}={forged}".encode()))
    tampered = chat_cookie(theirs)[:-3] + b"xyz"
    await assert_refused(customer_socket(theirs, cookie=tampered))
    await assert_refused(customer_socket(theirs, cookie=b""))


async def test_a_refused_socket_ignores_frames_and_stores_nothing() -> None:
    mine = await new_conversation("Alice")
    theirs = await new_conversation("Bob")
    socket = customer_socket(theirs, cookie=chat_cookie(mine))
    await socket.connect()
    await send_message(socket, "sneaky", "s1")
    assert (await socket.receive_output(timeout=3))["code"] == 4403
    assert await stored(theirs) == []


@pytest.mark.parametrize("origin", [b"http://evil.example", b"null"])
async def test_a_foreign_origin_is_refused(origin: bytes) -> None:
    conversation = await new_conversation()
    socket = WebsocketCommunicator(
        application,
        f"/ws/chat/{conversation.public_id}/",
        headers=[(b"origin", origin), (b"cookie", chat_cookie(conversation))],
    )
    connected, _ = await socket.connect()
    assert not connected


async def test_an_oversize_message_error_names_its_client_id() -> None:
    conversation = await new_conversation()
    socket = customer_socket(conversation)
    await connect(socket)
    await send_message(socket, "€" * 3000, "big-one")
    error = await receive_type(socket, "error")
    assert (error["code"], error["client_id"]) == ("too_large", "big-one")
    await socket.disconnect()


async def test_pong_carries_the_last_sequence_number_so_a_lost_notice_is_noticed() -> None:
    conversation = await new_conversation()
    socket = customer_socket(conversation)
    welcome = await connect(socket)
    assert welcome["last_seq"] == 0
    # Stored behind the socket's back, as if its notification had been dropped.
    await database_sync_to_async(message_post)(
        conversation_id=conversation.pk, author_kind="assistant", body="missed"
    )
    await socket.send_json_to({"type": "ping"})
    assert (await receive_type(socket, "pong"))["last_seq"] == 1
    await socket.disconnect()


async def test_a_message_to_a_conversation_closed_meanwhile_is_refused() -> None:
    conversation = await new_conversation()
    socket = customer_socket(conversation)
    await connect(socket)
    await database_sync_to_async(Conversation.objects.filter(pk=conversation.pk).update)(
        status="resolved"
    )
    await send_message(socket, "anyone?", "late")
    error = await receive_type(socket, "error")
    assert (error["code"], error["client_id"]) == ("closed", "late")
    assert await database_sync_to_async(Message.objects.count)() == 0
    await socket.disconnect()


async def test_ping_is_answered() -> None:
    conversation = await new_conversation()
    socket = customer_socket(conversation)
    await connect(socket)
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from()) == {"type": "pong", "last_seq": 0}
    await socket.disconnect()


async def test_a_resend_of_a_message_the_assistant_never_answered_gets_answered() -> None:
    """The server stopped between storing a message (its turn owed) and taking the turn; the page
    resends before the sweep came by: the resend takes the owed turn, once."""
    conversation = await new_conversation()

    @database_sync_to_async
    def stored_with_its_turn_owed() -> None:
        with transaction.atomic():
            message = message_post(
                conversation_id=conversation.pk,
                author_kind="customer",
                body="Where is my order?",
                client_msg_id="lost-turn",
            ).message
            turn_owe(message)

    await stored_with_its_turn_owed()
    socket = customer_socket(conversation)
    await connect(socket)
    await send_message(socket, "Where is my order?", "lost-turn")
    assert (await receive_type(socket, "ack"))["duplicate"] is True
    reply = await receive_type(socket, "message")
    assert reply["message"]["author_kind"] == "assistant"
    await socket.disconnect()
    assert await database_sync_to_async(conversation.messages.count)() == 2  # asked, answered


async def test_writing_in_spanish_turns_the_open_pages_words_spanish() -> None:
    """The assistant reads Spanish in an English chat: the conversation speaks Spanish from
    then on, and every open page of the customer gets its words in Spanish to write in place."""
    conversation = await new_conversation()
    socket, other_tab = customer_socket(conversation), customer_socket(conversation)
    assert (await connect(socket))["language"] == "en"
    await connect(other_tab)
    await send_message(socket, "Hola, ¿dónde está mi pedido? No ha llegado todavía.", "c-1")
    for page in (socket, other_tab):
        frame = await receive_type(page, "language", timeout=60)  # the turn may load the model
        assert frame["language"] == "es"
        texts = frame["texts"]
        assert texts["language"] == "es"
        assert texts["page"]["placeholder"] == "Escribe un mensaje…"
        assert texts["page"]["send"] == "Enviar"
        assert texts["statuses"]["assistant"] == "Nuestro asistente está aquí para ayudarte."
        assert texts["you"] == "Tú"
        assert texts["greeting"].startswith("¡Hola! Soy el asistente")
    await socket.disconnect()
    await other_tab.disconnect()
    await database_sync_to_async(conversation.refresh_from_db)()
    assert conversation.language == "es"
    again = customer_socket(conversation)
    assert (await connect(again))["language"] == "es"  # a page that missed it reloads
    await again.disconnect()


async def test_a_refusal_reaches_the_customer_in_the_conversations_language() -> None:
    conversation = await database_sync_to_async(conversation_open)(
        customer=await database_sync_to_async(Customer.objects.create)(name="Ana"), language="fr"
    )
    socket = customer_socket(conversation)
    await connect(socket)
    await send_message(socket, "   ", "c-1")
    error = await receive_type(socket, "error")
    assert (error["code"], error["message"]) == ("empty", "Le message est vide.")
    await socket.disconnect()
