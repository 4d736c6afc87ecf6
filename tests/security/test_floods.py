"""Floods: one customer's sockets share one frame budget and a cap on how many may be open, and
one address may start only so many chats; other customers and addresses are unaffected."""

from __future__ import annotations

import json
import os
import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client
from django.utils import timezone

from helpdesk.floods import network_of, open_sockets
from helpdesk.flows import conversation_open
from helpdesk.models import Conversation, Customer
from tests.support.server import AsgiServer, database_url
from tests.support.soak import Browser
from tests.support.wsclient import connect, customer_socket


def new_conversation(name: str) -> Conversation:
    return conversation_open(customer=Customer.objects.create(name=name))


async def pings(socket: WebsocketCommunicator, count: int) -> list[str]:
    """Send `count` pings; what each got back: "pong" or the error's code."""
    answers = []
    for _ in range(count):
        await socket.send_json_to({"type": "ping"})
        frame = await socket.receive_json_from(timeout=3)
        answers.append("pong" if frame["type"] == "pong" else frame["code"])
    return answers


@pytest.fixture
def tight(settings: Any) -> None:
    settings.CHAT_RATE_LIMIT, settings.CHAT_RATE_WINDOW = 3, 60.0
    settings.CHAT_CUSTOMER_RATE_LIMIT, settings.CHAT_CUSTOMER_MAX_SOCKETS = 5, 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tight")
async def test_all_of_a_customers_sockets_share_one_budget() -> None:
    mine = await database_sync_to_async(new_conversation)("Flo")
    theirs = await database_sync_to_async(new_conversation)("Bea")
    sockets = [customer_socket(mine) for _ in range(4)]
    for socket in sockets:
        await connect(socket)
    answers = [await pings(socket, 3) for socket in sockets]  # each within its own limit
    assert sum(answer.count("pong") for answer in answers) == 5
    assert answers[0] == ["pong"] * 3
    assert answers[1] == ["pong", "pong", "rate_limited"]
    assert answers[3] == ["rate_limited"] * 3
    other = customer_socket(theirs)
    await connect(other)
    assert await pings(other, 3) == ["pong"] * 3  # someone else's budget is their own
    for socket in [*sockets, other]:
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tight")
async def test_a_customer_may_hold_only_so_many_sockets() -> None:
    mine = await database_sync_to_async(new_conversation)("Flo")
    person = f"customer:{mine.customer_id}"
    sockets = [customer_socket(mine) for _ in range(4)]
    for socket in sockets:
        await connect(socket)
    extra = customer_socket(mine)
    assert (await extra.connect())[0]
    assert await extra.receive_output(timeout=3) == {"type": "websocket.close", "code": 4429}
    await extra.disconnect()
    assert open_sockets(person) == 4
    await sockets[0].disconnect()
    again = customer_socket(mine)
    await connect(again)  # one closed, one may open
    for socket in [*sockets[1:], again]:
        await socket.disconnect()
    assert open_sockets(person) == 0  # nothing kept once they are gone


def start(address: str) -> int:
    data = {"name": "", "email": "", "language": "en"}
    return Client(REMOTE_ADDR=address).post("/chat/start/", data).status_code


@pytest.mark.django_db
def test_one_address_may_start_only_so_many_chats(settings: Any) -> None:
    settings.CHAT_START_LIMIT, settings.CHAT_START_WINDOW = 3, 600
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert [start("203.0.113.7") for _ in range(3)] == [302] * 3
        refused = Client(REMOTE_ADDR="203.0.113.7").post("/chat/start/", {"language": "en"})
        assert refused.status_code == 429
        assert refused["Retry-After"] == "600"
        assert "Too many new chats from your network; try again in 10 minutes." in (
            refused.content.decode()
        )
        assert Conversation.objects.count() == 3  # the refused one left nothing behind
        assert start("198.51.100.1") == 302  # another address has its own count
    with time_machine.travel(now + timedelta(seconds=601), tick=False):
        assert start("203.0.113.7") == 302


@pytest.mark.django_db
def test_an_ipv6_network_counts_as_one_address(settings: Any) -> None:
    settings.CHAT_START_LIMIT = 2
    assert start("2001:db8:1:2::1") == 302
    assert start("2001:db8:1:2:ffff::9") == 302
    assert start("2001:db8:1:2::abcd") == 429  # the same /64
    assert start("2001:db8:1:3::1") == 302


def from_address(conversation: Conversation, address: str) -> WebsocketCommunicator:
    socket = customer_socket(conversation)
    socket.scope["client"] = (address, 50000)  # read when the application starts
    return socket


@pytest.mark.django_db(transaction=True)
async def test_many_customers_from_one_address_share_a_looser_cap(settings: Any) -> None:
    """Chat cookies are cheap to mint: sockets of many customers from one address are capped
    too; another address is not affected."""
    settings.CHAT_ADDRESS_MAX_SOCKETS = 3
    chats = [await database_sync_to_async(new_conversation)(f"C{n}") for n in range(4)]
    sockets = [from_address(chat, "203.0.113.5") for chat in chats[:3]]
    for socket in sockets:
        await connect(socket)
    over = from_address(chats[3], "::ffff:203.0.113.5")  # the same address, IPv4-mapped
    assert (await over.connect())[0]
    assert await over.receive_output(timeout=3) == {"type": "websocket.close", "code": 4429}
    await over.disconnect()
    elsewhere = from_address(chats[3], "198.51.100.20")
    await connect(elsewhere)
    assert open_sockets("address:203.0.113.5") == 3
    assert open_sockets(f"customer:{chats[3].customer_id}") == 1  # the refused one left nothing
    for socket in [*sockets, elsewhere]:
        await socket.disconnect()


@pytest.mark.django_db
def test_mapped_and_missing_addresses_are_counted_sensibly(settings: Any) -> None:
    settings.CHAT_START_LIMIT = 1
    assert start("::ffff:192.0.2.1") == 302
    assert start("192.0.2.1") == 429  # one address, however it is written
    assert start("::ffff:192.0.2.2") == 302  # mapped addresses are not one big /64
    assert network_of("") == "unknown"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("knowledge_base")
def test_a_client_gone_before_the_reply_gives_its_slots_back(tmp_path: Path) -> None:
    """Customers who leave right after their message's ack, before the assistant's reply: the
    server's send of that reply fails and the consumer ends without a disconnect(). Under
    uvicorn, five of them in a row from one address must not use up a cap of two sockets, and
    the open-connection gauge must come back to zero."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CHAT_ADDRESS_MAX_SOCKETS": "2",
        "METRICS_TOKEN": "scrape",
    }
    server = AsgiServer(tmp_path / "uvicorn.log", env=env)
    server.start()
    try:
        outcomes, gauges = [], []
        for number in range(5):
            outcomes.append(ask_and_leave(server.url, number))
            gauges.append(customers_connected_once_settled(server.url))
    finally:
        server.stop()
    assert outcomes == ["ack"] * 5
    assert gauges == [0] * 5


def customers_connected_once_settled(base: str) -> int:
    """The gauge of open customer sockets, once it reaches 0 or after 15 s (the consumer ends
    when its reply to the departed client fails, after the assistant's turn)."""
    count = -1
    for _ in range(150):
        metrics = requests.get(
            f"{base}/metrics", headers={"Authorization": "Bearer scrape"}, timeout=5
        ).text
        found = re.search(r'helpdesk_websocket_connections\{kind="customer"\} (\d+)', metrics)
        count = int(found.group(1)) if found else 0
        if count == 0:
            break
        time.sleep(0.1)
    return count


def ask_and_leave(base: str, number: int) -> str:
    customer = Browser(base)
    customer.get("/chat/")
    page = customer.post("/chat/start/", {"name": f"Leaver {number}", "language": "en"})
    path = re.search(r'data-ws-path="([^"]+)"', page)
    assert path is not None
    try:
        with customer.websocket(path.group(1)) as socket:
            json.loads(socket.recv(timeout=10))  # welcome
            frame = {"type": "message", "body": "where is my parcel?", "client_id": "q1"}
            socket.send(json.dumps(frame))
            while (answer := json.loads(socket.recv(timeout=15)))["type"] != "ack":
                pass
            return str(answer["type"])
    except Exception as error:  # a refused socket closes the context with 4429
        return type(error).__name__ + str(error)
