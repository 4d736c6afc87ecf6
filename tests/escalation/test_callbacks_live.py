"""The customer's buttons over the websocket, reminders reaching the right agent's inbox, and
callbacks in the inbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from agents.models import Agent
from escalation.callbacks import customer_choose
from escalation.models import Callback
from escalation.timers import timers_run_due
from helpdesk.asgi import application
from helpdesk.models import Conversation, Customer, Message
from tests.support.factories import escalated_conversation, make_agent
from tests.support.wsclient import (
    ORIGIN,
    agent_socket,
    connect,
    customer_socket,
    receive_type,
    session_cookie,
)


def offered(name: str = "Alice", **customer: Any) -> tuple[Conversation, Message]:
    """An escalated conversation that has waited long enough to be offered a callback."""
    conversation = escalated_conversation(name, **customer)
    timers_run_due(now=timezone.now() + timedelta(minutes=11))
    offer = conversation.messages.exclude(actions={}).order_by("-seq").first()
    assert offer is not None
    return conversation, offer


async def receive_types(socket: WebsocketCommunicator, types: set[str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    while set(seen) != types:
        frame = await socket.receive_json_from(timeout=3)
        if frame["type"] in types:
            seen.setdefault(frame["type"], frame)
    return seen


@pytest.mark.django_db(transaction=True)
async def test_the_customer_presses_a_button_over_the_socket_once() -> None:
    conversation, offer = await database_sync_to_async(offered)()
    socket = customer_socket(conversation)
    await connect(socket)
    frame = {"type": "action", "seq": offer.seq, "choice": "wait", "client_id": "press-1"}
    await socket.send_json_to(frame)
    # The ack answers this socket; the choice and the reply come through the group, in any order.
    seen = await receive_types(socket, {"action_ack", "choice", "message"})
    assert seen["action_ack"] == {"type": "action_ack", "client_id": "press-1", "duplicate": False}
    assert (seen["choice"]["seq"], seen["choice"]["chosen"]) == (offer.seq, "wait")
    assert seen["message"]["message"]["body"] == "Of course, you keep your place in line."
    await socket.send_json_to({**frame, "client_id": "press-2"})
    assert (await receive_type(socket, "action_ack"))["duplicate"] is True
    await socket.send_json_to({**frame, "choice": "callback", "client_id": "press-3"})
    refused = await receive_type(socket, "error")
    assert (refused["code"], refused["client_id"]) == ("already_chosen", "press-3")
    await socket.disconnect()
    count = await database_sync_to_async(
        conversation.messages.filter(body__startswith="Of course").count
    )()
    assert count == 1


@pytest.mark.django_db(transaction=True)
async def test_an_agent_socket_cannot_press_the_customers_buttons() -> None:
    conversation, offer = await database_sync_to_async(offered)()
    agent = await database_sync_to_async(make_agent)("omar", "Omar")
    cookie = await database_sync_to_async(session_cookie)(agent.user)
    socket = agent_socket(conversation, cookie)
    await connect(socket)
    await socket.send_json_to(
        {"type": "action", "seq": offer.seq, "choice": "callback", "client_id": "x"}
    )
    assert (await receive_type(socket, "error"))["code"] == "forbidden"
    await socket.disconnect()
    stored = await database_sync_to_async(Message.objects.get)(pk=offer.pk)
    assert "chosen" not in stored.actions


def schedule_call(conversation: Conversation, phone: str = "+44 20 7946 0958") -> Callback:
    customer_choose(
        public_id=conversation.public_id,
        customer_id=conversation.customer_id,
        message_seq=conversation.messages.exclude(actions={}).order_by("-seq")[0].seq,
        choice="callback",
    )
    slots = conversation.messages.exclude(actions={}).order_by("-seq")[0]
    customer_choose(
        public_id=conversation.public_id,
        customer_id=conversation.customer_id,
        message_seq=slots.seq,
        choice=slots.actions["choices"][0]["id"],
        contact=phone,
    )
    return Callback.objects.get(conversation=conversation)


def inbox(cookie: bytes) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, "/ws/agent/inbox/", headers=[ORIGIN, (b"cookie", cookie)]
    )


@pytest.mark.django_db(transaction=True)
async def test_the_reminder_reaches_the_assigned_agents_inbox_and_no_one_elses() -> None:
    omar = await database_sync_to_async(make_agent)("omar", "Omar")
    other = await database_sync_to_async(make_agent)("zoe", "Zoe")
    conversation, _ = await database_sync_to_async(offered)()
    callback = await database_sync_to_async(schedule_call)(conversation)
    await database_sync_to_async(Callback.objects.filter(pk=callback.pk).update)(agent=omar)
    mine = inbox(await database_sync_to_async(session_cookie)(omar.user))
    theirs = inbox(await database_sync_to_async(session_cookie)(other.user))
    assert (await mine.connect())[0]
    assert (await theirs.connect())[0]
    await database_sync_to_async(timers_run_due)(now=callback.due_at)
    alert = await mine.receive_json_from(timeout=5)
    assert alert["type"] == "inbox.alert"
    assert alert["conversation"] == str(conversation.public_id)
    assert "+44 20 7946 0958" in alert["text"]
    assert await theirs.receive_nothing(timeout=0.3)
    await mine.disconnect()
    await theirs.disconnect()


def signed_in(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


@pytest.mark.django_db
def test_the_callbacks_tab_lists_what_is_due_and_done_resolves_it() -> None:
    omar = make_agent("omar", "Omar")
    conversation, _ = offered("<img src=x onerror=alert(1)>")
    callback = schedule_call(conversation)
    page = signed_in(omar).get("/agent/?tab=callbacks")
    html = page.content.decode()
    assert page.context["counts"]["callbacks"] == 1
    assert f'data-callback="{callback.pk}"' in html
    assert 'href="tel:+44 20 7946 0958"' in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert callback.due_at.strftime("%H:%M") in html
    done = signed_in(omar).post(f"/agent/callbacks/{callback.pk}/done/")
    assert done.status_code == 302
    callback.refresh_from_db()
    conversation.refresh_from_db()
    assert (callback.status, callback.agent, conversation.status) == ("done", omar, "resolved")
    again = signed_in(omar).post(f"/agent/callbacks/{callback.pk}/done/", follow=True)
    assert "already closed" in again.content.decode()
    assert signed_in(omar).post("/agent/callbacks/999999/done/").status_code == 404
    assert Client().post(f"/agent/callbacks/{callback.pk}/take/").status_code == 302  # to login


@pytest.mark.django_db
def test_an_agent_takes_a_callback_from_the_inbox() -> None:
    omar = make_agent("omar", "Omar")
    zoe = make_agent("zoe", "Zoe")
    conversation, _ = offered()
    callback = schedule_call(conversation)
    Callback.objects.filter(pk=callback.pk).update(agent=omar)
    signed_in(zoe).post(f"/agent/callbacks/{callback.pk}/take/")
    callback.refresh_from_db()
    assert callback.agent == zoe
    assert Customer.objects.get(pk=conversation.customer_id).phone == "+44 20 7946 0958"


@pytest.mark.django_db
def test_an_agent_who_reaches_the_customer_in_the_chat_cancels_the_promised_call() -> None:
    from helpdesk.flows import conversation_join

    omar = make_agent("omar", "Omar")
    conversation, _ = offered()
    callback = schedule_call(conversation)
    conversation_join(public_id=conversation.public_id, agent=omar)
    callback.refresh_from_db()
    conversation.refresh_from_db()
    assert (callback.status, conversation.status) == ("cancelled", "with_agent")
    assert signed_in(omar).get("/agent/?tab=callbacks").context["counts"]["callbacks"] == 0
