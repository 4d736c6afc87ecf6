"""The agent's websocket: who may watch, who may write, and the live exchange with a customer."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from agents.models import Agent
from helpdesk.asgi import application
from helpdesk.flows import conversation_join, conversation_leave, conversation_open
from helpdesk.models import Conversation, Customer
from tests.support.factories import make_agent
from tests.support.wsclient import (
    ORIGIN,
    agent_socket,
    assert_refused,
    connect,
    customer_socket,
    receive_type,
    send_message,
    session_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def setup() -> tuple[Conversation, Agent, bytes]:
    conversation = conversation_open(customer=Customer.objects.create(name="Alice"))
    dana = make_agent("dana", "Dana Whitfield")
    return conversation, dana, session_cookie(dana.user)


async def test_anonymous_visitors_cannot_open_the_agent_socket() -> None:
    conversation, _, _ = await setup()
    socket = WebsocketCommunicator(
        application, f"/ws/agent/conversations/{conversation.public_id}/", headers=[ORIGIN]
    )
    await assert_refused(socket)


async def test_a_signed_in_user_without_an_agent_profile_is_refused() -> None:
    conversation, _, _ = await setup()
    user = await database_sync_to_async(User.objects.create_user)("visitor", password="pw")
    cookie = await database_sync_to_async(session_cookie)(user)
    await assert_refused(agent_socket(conversation, cookie))


async def test_an_agent_who_has_not_joined_can_watch_but_not_write() -> None:
    conversation, _, cookie = await setup()
    socket = agent_socket(conversation, cookie)
    welcome = await connect(socket)
    assert (welcome["joined"], welcome["agent"]) == (False, None)
    await send_message(socket, "hello from nowhere", "a1")
    error = await receive_type(socket, "error")
    assert (error["code"], error["client_id"]) == ("not_joined", "a1")
    assert await database_sync_to_async(conversation.messages.count)() == 0
    await socket.disconnect()


async def test_customer_and_agent_chat_live_both_ways_with_join_notice_and_typing() -> None:
    conversation, dana, cookie = await setup()
    customer = customer_socket(conversation)
    agent = agent_socket(conversation, cookie)
    await connect(customer)
    await connect(agent)

    await database_sync_to_async(conversation_join)(public_id=conversation.public_id, agent=dana)
    notice = await receive_type(customer, "message")
    assert notice["message"]["author_kind"] == "system"
    assert notice["message"]["body"] == "Dana Whitfield joined the conversation."
    status = await receive_type(customer, "status")
    assert status == {"type": "status", "status": "with_agent", "agent": "Dana Whitfield"}

    await agent.send_json_to({"type": "typing", "active": True})
    typing = await receive_type(customer, "typing")
    assert typing == {"type": "typing", "who": "agent", "name": "Dana Whitfield", "active": True}

    await send_message(agent, "Hi Alice, I'm Dana.", "agent-1")
    from_agent = await receive_type(customer, "message")
    assert from_agent["message"]["body"] == "Hi Alice, I'm Dana."
    assert from_agent["message"]["author_name"] == "Dana Whitfield"

    await customer.send_json_to({"type": "typing", "active": True})
    typing = await receive_type(agent, "typing")
    assert typing == {"type": "typing", "who": "customer", "name": "Alice", "active": True}

    await send_message(customer, "Thanks Dana!", "cust-1")
    from_customer = await receive_type(agent, "message")
    while from_customer["message"]["author_kind"] != "customer":
        from_customer = await receive_type(agent, "message")
    assert from_customer["message"]["body"] == "Thanks Dana!"
    assert from_customer["message"]["seq"] == 3  # join notice, agent reply, customer reply

    await customer.disconnect()
    await agent.disconnect()


async def test_the_sender_does_not_see_its_own_typing_notice() -> None:
    conversation, _, cookie = await setup()
    agent = agent_socket(conversation, cookie)
    await connect(agent)
    await agent.send_json_to({"type": "typing", "active": True})
    assert await agent.receive_nothing(timeout=0.3)
    await agent.disconnect()


async def test_the_customers_other_tab_is_not_told_the_customer_is_typing() -> None:
    conversation, _, cookie = await setup()
    writing, other_tab = customer_socket(conversation), customer_socket(conversation)
    agent = agent_socket(conversation, cookie)
    for socket in (writing, other_tab, agent):
        await connect(socket)
    await writing.send_json_to({"type": "typing", "active": True})
    assert (await receive_type(agent, "typing"))["name"] == "Alice"
    assert await other_tab.receive_nothing(timeout=0.3)
    for socket in (writing, other_tab, agent):
        await socket.disconnect()


async def test_an_agent_resend_is_acknowledged_with_the_stored_message() -> None:
    conversation, dana, cookie = await setup()
    await database_sync_to_async(conversation_join)(public_id=conversation.public_id, agent=dana)
    agent = agent_socket(conversation, cookie)
    welcome = await connect(agent)
    # The agent's name comes with the status, so the page's status line keeps it.
    assert (welcome["status"], welcome["agent"], welcome["joined"]) == (
        "with_agent",
        "Dana Whitfield",
        True,
    )
    await send_message(agent, "Hello!", "a-1")
    first = await receive_type(agent, "ack")
    await send_message(agent, "Hello!", "a-1")
    again = await receive_type(agent, "ack")
    assert again["duplicate"] is True
    assert again["message"] == first["message"]
    assert again["message"]["author_name"] == "Dana Whitfield"
    await agent.disconnect()


async def test_an_agent_who_left_can_no_longer_write_or_type() -> None:
    conversation, dana, cookie = await setup()
    customer = customer_socket(conversation)
    await connect(customer)
    await database_sync_to_async(conversation_join)(public_id=conversation.public_id, agent=dana)
    agent = agent_socket(conversation, cookie)
    await connect(agent)
    await database_sync_to_async(conversation_leave)(public_id=conversation.public_id, agent=dana)
    await send_message(agent, "one more thing", "late")
    assert (await receive_type(agent, "error"))["code"] == "not_joined"
    while (await receive_type(customer, "message"))["message"][
        "body"
    ] != "Dana Whitfield left the conversation.":
        pass
    assert (await receive_type(customer, "status"))["status"] == "waiting"
    await agent.send_json_to({"type": "typing", "active": True})
    assert await customer.receive_nothing(timeout=0.3)
    await customer.disconnect()
    await agent.disconnect()
