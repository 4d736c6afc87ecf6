"""Faults, each shown to lose nothing and duplicate nothing:

- Redis (the channel layer) restarted mid-chat: clients resync from their last sequence number;
- an agent's socket dropped for 1 s, 30 s and 5 minutes while the customer writes;
- the database connection dropped in the middle of an assignment (no half-assigned conversation).

The same client message id sent twice concurrently, and a Celery worker killed mid-task, are in
tests/helpdesk/test_services.py and tests/escalation/test_timer_worker.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import time_machine
from channels.db import database_sync_to_async
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from agents.models import Agent
from agents.services import agent_heartbeat, presence_sweep
from helpdesk.flows import conversation_join, conversation_open
from helpdesk.models import Conversation, ConversationEvent, Customer
from helpdesk.services import message_post
from routing.services import conversation_route
from tests.support.factories import escalated_conversation, make_agent
from tests.support.server import AsgiServer, database_url, free_port
from tests.support.wsclient import agent_socket, connect, receive_type, send_message, session_cookie
from tests.test_embedded import Browser

ON_POSTGRES = pytest.mark.skipif(
    os.environ.get("REQUIRE_SERVICES") != "1"
    and "postgresql" not in os.environ.get("DATABASE_URL", ""),
    reason="needs PostgreSQL (CI sets REQUIRE_SERVICES=1)",
)

pytestmark = pytest.mark.slow  # real processes: deselected by make test-fast, run by make test


# -- Redis restarted mid-chat ----------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of this test's own, so restarting it disturbs nothing else."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            probe = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False
            )
            if probe.stdout.strip() == b"PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("private redis did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed for the fault tests (installed with Redis)")
    redis = PrivateRedis()
    redis.start()
    yield redis
    if redis.process is not None and redis.process.poll() is None:
        redis.kill()


class Page:
    """What chat.js does, in a test: remember the last sequence number seen, keep what could not
    be sent in an outbox, reconnect when the socket drops, resend the outbox with the same
    client ids, and ask for everything after the last sequence number."""

    def __init__(self, browser: Browser, path: str) -> None:
        self.browser, self.path = browser, path
        self.seen: dict[int, str] = {}
        self.outbox: list[tuple[str, str]] = []
        self.socket: ClientConnection | None = None

    def connect(self) -> None:
        deadline = time.monotonic() + 20
        while True:
            try:
                self.socket = self.browser.websocket(self.path)
                self._read_until("welcome")
                break
            except (OSError, ConnectionClosed, TimeoutError):  # Redis not back yet: retry
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        for body, client_id in self.outbox:
            self.send(body, client_id)
        self.outbox.clear()
        self.sync()

    def write(self, body: str, client_id: str) -> None:
        """Send now, or keep it for the next connection if the socket is gone."""
        try:
            self.send(body, client_id)
        except (OSError, ConnectionClosed, TimeoutError):
            self.outbox.append((body, client_id))

    def sync(self) -> None:
        assert self.socket is not None
        self.socket.send(json.dumps({"type": "sync", "after": max(self.seen, default=0)}))
        self._read_until("sync")

    def send(self, body: str, client_id: str) -> None:
        assert self.socket is not None
        self.socket.send(json.dumps({"type": "message", "body": body, "client_id": client_id}))
        self._read_until("ack")

    def _read_until(self, frame_type: str) -> dict[str, Any]:
        assert self.socket is not None
        while True:
            frame = json.loads(self.socket.recv(timeout=10))
            for message in frame.get("messages", []) + (
                [frame["message"]] if "message" in frame else []
            ):
                self.seen[message["seq"]] = message["body"]
            if frame["type"] == frame_type:
                return frame


@pytest.mark.django_db(transaction=True)
def test_a_redis_restart_mid_chat_loses_nothing_and_shows_nothing_twice(
    redis_server: PrivateRedis, tmp_path: Path
) -> None:
    agent = make_agent("dana", "Dana Whitfield", presence="online")
    conversation = conversation_open(customer=Customer.objects.create(name="Rita"))
    conversation_join(public_id=conversation.public_id, agent=agent)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": redis_server.url,
        "HELPDESK_TICKER": "false",
    }
    server = AsgiServer(tmp_path / "uvicorn.log", env=env)
    server.start()
    try:
        customer = Browser(server.url)
        customer.cookies.set_cookie(_cookie("hd_chat", _chat_token(conversation)))
        dana = Browser(server.url)
        dana.cookies.set_cookie(_cookie(*_session(agent)))
        rita = Page(customer, f"/ws/chat/{conversation.public_id}/")
        desk = Page(dana, f"/ws/agent/conversations/{conversation.public_id}/")
        rita.connect()
        desk.connect()
        rita.send("Before the outage", "r1")
        redis_server.kill()
        # Redis is gone: the sockets drop (their layer is), so what the customer writes waits
        # in the page's outbox, and the first attempt may even have been stored already.
        for number in range(3):
            rita.write(f"During the outage {number}", f"r-out-{number}")
        assert rita.outbox
        redis_server.start()
        for page in (rita, desk):  # the page reconnects (or resyncs on its next pong)
            page.connect()
        rita.send("After the outage", "r2")
        desk.sync()
    finally:
        server.stop()
    stored = dict(conversation.messages.values_list("seq", "body"))
    assert desk.seen == stored
    assert rita.seen == stored
    assert list(stored.values()).count("During the outage 1") == 1
    assert sorted(stored) == list(range(1, len(stored) + 1))


def _chat_token(conversation: Conversation) -> str:
    from helpdesk.chattoken import make_chat_token

    return make_chat_token(
        customer_id=conversation.customer_id, conversation=str(conversation.public_id)
    )


def _session(agent: Agent) -> tuple[str, str]:
    name, _, value = session_cookie(agent.user).decode().partition("=")
    return name, value


def _cookie(name: str, value: str) -> Any:
    import http.cookiejar

    return http.cookiejar.Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, True,
        None, None, {},
    )  # fmt: skip


# -- an agent's socket dropped while the customer writes ---------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "away", [timedelta(seconds=1), timedelta(seconds=30), timedelta(minutes=5)]
)
async def test_an_agent_away_for_a_while_gets_every_message_once_on_return(
    away: timedelta,
) -> None:
    conversation, agent, cookie = await database_sync_to_async(_joined)()
    socket = agent_socket(conversation, cookie)
    await connect(socket)
    await send_message(socket, "I'm looking into it", "a1")
    last_seen = (await receive_type(socket, "ack"))["message"]["seq"]
    await socket.disconnect()
    start = timezone.now()
    with time_machine.travel(start + away, tick=False):
        for number in range(3):
            await database_sync_to_async(message_post)(
                conversation_id=conversation.pk,
                author_kind="customer",
                body=f"Still there? {number}",
            )
        # Beat's presence sweep runs meanwhile: five minutes of silence takes her offline, but
        # a conversation she has accepted stays hers.
        await database_sync_to_async(presence_sweep)()
    back = agent_socket(conversation, cookie)
    await connect(back)
    await back.send_json_to({"type": "sync", "after": last_seen})
    synced = await receive_type(back, "sync")
    assert [m["body"] for m in synced["messages"]] == [f"Still there? {n}" for n in range(3)]
    await back.disconnect()
    fresh = await database_sync_to_async(Conversation.objects.get)(pk=conversation.pk)
    assert (fresh.status, fresh.assigned_agent_id) == ("with_agent", agent.pk)
    presence = await database_sync_to_async(
        lambda: Agent.objects.values_list("presence", flat=True).get(pk=agent.pk)
    )()
    assert presence == ("offline" if away > timedelta(minutes=2) else "online")


def _joined() -> tuple[Conversation, Agent, bytes]:
    agent = make_agent("dana", "Dana Whitfield", presence="online")
    agent_heartbeat(agent=agent)
    conversation = conversation_open(customer=Customer.objects.create(name="Rita"))
    conversation_join(public_id=conversation.public_id, agent=agent)
    return conversation, agent, session_cookie(agent.user)


# -- the database connection dropped mid-assignment ----------------------------------------------------


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("knowledge_base")
def test_a_connection_dropped_mid_assignment_leaves_no_half_assigned_conversation() -> None:
    agent = make_agent("dana", "Dana Whitfield", presence="online")
    conversation = escalated_conversation("Half")
    holder = psycopg.connect(database_url(connection.settings_dict), autocommit=False)
    holder.execute("SELECT id FROM agents_agent WHERE id = %s FOR UPDATE", [agent.pk])
    outcome: dict[str, Any] = {}

    def route() -> None:
        try:
            conversation_route(conversation_id=conversation.pk)
            outcome["error"] = None
        except OperationalError as error:
            outcome["error"] = error
        finally:
            close_old_connections()
            connection.close()

    worker = threading.Thread(target=route)
    worker.start()
    backend = _wait_for_a_blocked_backend()
    # The routing transaction holds the conversation's row and waits for the agent's: its
    # connection is cut, as a database restart would.
    holder.execute("SELECT pg_terminate_backend(%s)", [backend])
    holder.rollback()
    holder.close()
    worker.join(timeout=30)
    assert isinstance(outcome.get("error"), OperationalError)
    conversation.refresh_from_db()
    assert (conversation.assigned_agent_id, conversation.offered_at) == (None, None)
    assert not ConversationEvent.objects.filter(kind="routing.assigned").exists()
    # The sweep (or the next event) routes it again, once.
    assert conversation_route(conversation_id=conversation.pk).assigned == agent
    assert ConversationEvent.objects.filter(kind="routing.assigned").count() == 1


def _wait_for_a_blocked_backend() -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            row = cursor.fetchone()
        if row:
            return int(row[0])
        time.sleep(0.05)
    raise AssertionError("routing never blocked on the agent's row")
