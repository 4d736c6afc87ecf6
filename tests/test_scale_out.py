"""More than one process: two uvicorn servers sharing PostgreSQL and the Redis channel layer,
a Celery worker and beat. A customer on one server and an agent on the other chat live, the
conversation escalates, is routed by the worker, and a wait update timed by beat reaches a
waiting customer. PostgreSQL and Redis only (CI sets REQUIRE_SERVICES=1)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from websockets.sync.client import ClientConnection

from escalation.models import Timer
from helpdesk.models import Conversation
from tests.support.factories import make_agent
from tests.support.server import ROOT, AsgiServer, database_url
from tests.support.services import needs_postgres_and_redis
from tests.test_embedded import Browser, receive

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("knowledge_base"),
    needs_postgres_and_redis,
]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[AsgiServer, AsgiServer]]:
    """Two web processes, one worker and one beat, on their own Celery queue."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "HELPDESK_TICKER": "false",  # beat does the sweeps, as in production
        "CELERY_QUEUE": f"scale-{os.getpid()}-{time.monotonic_ns()}",
        "TIMER_SWEEP_SECONDS": "1",
        "ROUTING_SWEEP_SECONDS": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    one = AsgiServer(tmp_path / "web-1.log", env=dict(env))
    two = AsgiServer(tmp_path / "web-2.log", env=dict(env))
    celery = [sys.executable, "-m", "celery", "-A", "helpdesk"]
    processes = [
        subprocess.Popen(
            [*celery, "worker", "--pool=solo", "-Q", env["CELERY_QUEUE"], "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=(tmp_path / "worker.log").open("wb"), stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [*celery, "beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat-schedule'}"],
            cwd=ROOT, env=env, stdout=(tmp_path / "beat.log").open("wb"), stderr=subprocess.STDOUT,
        ),
    ]  # fmt: skip
    one.start()
    two.start()
    yield one, two
    for server in (one, two):
        server.stop()
    for process in processes:
        process.terminate()
        process.wait(timeout=15)


def assistant_or_agent_says(socket: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        message = receive(socket, "message")["message"]
        if message["author_kind"] == kind:
            return message


def frame_of(socket: ClientConnection, frame_type: str, **fields: Any) -> dict[str, Any]:
    """Skip frames until one of this type with these fields arrives (10 s at most each)."""
    while True:
        frame = json.loads(socket.recv(timeout=15))
        if frame["type"] == frame_type and all(frame.get(k) == v for k, v in fields.items()):
            return frame


def start_chat(server: AsgiServer, name: str) -> tuple[Browser, str, str]:
    customer = Browser(server.url)
    customer.get("/chat/")
    page = customer.post("/chat/start/", {"name": name, "email": "", "language": "en"})
    ws_path = re.search(r'data-ws-path="([^"]+)"', page)
    assert ws_path is not None
    public_id = ws_path.group(1).split("/")[-2]
    return customer, ws_path.group(1), public_id


def test_a_customer_and_an_agent_on_different_processes_escalate_route_chat_and_wait(
    cluster: tuple[AsgiServer, AsgiServer],
) -> None:
    one, two = cluster
    make_agent("dana", "Dana Whitfield", max_concurrent=1)  # password "pw-dana"

    agent = Browser(two.url)  # the agent's browser talks to the second process only
    agent.get("/agent/login/")
    agent.post("/agent/login/", {"username": "dana", "password": "pw-dana"})  # online
    customer, ws_path, public_id = start_chat(one, "Scaled Sue")
    with agent.websocket("/ws/agent/inbox/") as inbox, customer.websocket(ws_path) as sue:
        receive(sue, "welcome")
        sue.send(
            json.dumps({"type": "message", "body": "I want to talk to a person", "client_id": "s1"})
        )
        handoff = assistant_or_agent_says(sue, "assistant")
        assert handoff["body"].startswith("I want to connect you with a specialist")
        # Across processes through Redis: the escalation reaches the inbox on the other server,
        # and the worker's routing offers it to Dana.
        assert frame_of(inbox, "inbox.escalated", conversation=public_id)
        assert frame_of(inbox, "inbox.changed", conversation=public_id, kind="routing.assigned")
        agent.post(f"/agent/conversations/{public_id}/join/", {})
        assert frame_of(sue, "status", status="with_agent")["agent"] == "Dana Whitfield"
        introduction = assistant_or_agent_says(sue, "assistant")
        assert "Dana Whitfield" in introduction["body"]
        with agent.websocket(f"/ws/agent/conversations/{public_id}/") as dana_chat:
            receive(dana_chat, "welcome")
            dana_chat.send(json.dumps({"type": "message", "body": "Hi Sue", "client_id": "d1"}))
            assert assistant_or_agent_says(sue, "agent")["body"] == "Hi Sue"
            sue.send(json.dumps({"type": "message", "body": "Hello Dana", "client_id": "s2"}))
            assert assistant_or_agent_says(dana_chat, "customer")["body"] == "Hello Dana"

    # Dana's one slot is taken: the next customer waits, and beat's sweep runs the update
    # (moved due now: the clock need not really pass) on the worker; it reaches the customer.
    waiting, waiting_path, waiting_id = start_chat(two, "Waiting Wes")
    with waiting.websocket(waiting_path) as wes:
        receive(wes, "welcome")
        wes.send(
            json.dumps({"type": "message", "body": "Can I speak to someone?", "client_id": "w1"})
        )
        assistant_or_agent_says(wes, "assistant")
        conversation = Conversation.objects.get(public_id=waiting_id)
        assert conversation.status == "waiting"
        # Due now, and as if the customer had not been told their place yet (as after an
        # agent hands them back): an update has something to say.
        moved = Timer.objects.filter(
            conversation=conversation, kind="wait_update", done_at__isnull=True
        ).update(due_at=conversation.escalated_at, payload={"number": 1})
        assert moved == 1
        update = assistant_or_agent_says(wes, "assistant")
    assert update["body"].startswith("Thanks for waiting.")
