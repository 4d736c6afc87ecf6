"""`make run`'s embedded default, end to end in a subprocess: SQLite, the in-process channel
layer, eager Celery and the ticker, with no PostgreSQL or Redis in the environment."""

from __future__ import annotations

import http.cookiejar
import json
import re
import sqlite3
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from helpdesk.demo_data import DEMO_PASSWORD
from tests.support.server import AsgiServer, embedded_env, manage

pytestmark = pytest.mark.slow  # real processes: deselected by make test-fast, run by make test


class Browser:
    """Just enough of a browser: cookies, and Django's CSRF token on every form post."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> str:
        fields = {**data, "csrfmiddlewaretoken": self.cookie("csrftoken")}
        request = urllib.request.Request(  # noqa: S310
            self.base + path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Referer": self.base + path},
        )
        with self.opener.open(request, timeout=10) as response:
            return response.read().decode()

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == name) or ""

    def websocket(self, path: str) -> ClientConnection:
        header = "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)
        return connect(
            self.base.replace("http", "ws") + path,
            origin=Origin(self.base),
            additional_headers={"Cookie": header},
        )


def receive(socket: ClientConnection, frame_type: str) -> dict[str, Any]:
    while True:
        frame = json.loads(socket.recv(timeout=5))
        if frame["type"] == frame_type:
            return frame


def wait_for_message(socket: ClientConnection, body: str) -> dict[str, Any]:
    """Skip other frames and messages until the one with this body arrives (or time out)."""
    while True:
        message = receive(socket, "message")["message"]
        if message["body"] == body:
            return message


def assistant_says(socket: ClientConnection) -> dict[str, Any]:
    while True:
        message = receive(socket, "message")["message"]
        if message["author_kind"] == "assistant":
            return message


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[tuple[AsgiServer, Path]]:
    sqlite_path = tmp_path / "embedded.sqlite3"
    # Fast sweeps so the test can watch the ticker run the presence sweep.
    env = embedded_env(
        sqlite_path,
        PRESENCE_SWEEP_SECONDS="0.5",
        AGENT_PRESENCE_TIMEOUT="1",
        TIMER_SWEEP_SECONDS="0.5",
    )
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    server = AsgiServer(tmp_path / "uvicorn.log", env=env)
    server.start()
    yield server, sqlite_path
    server.stop()


def test_the_embedded_default_serves_a_live_chat_with_no_services(
    embedded: tuple[AsgiServer, Path],
) -> None:
    server, sqlite_path = embedded
    health = json.loads(urllib.request.urlopen(server.url + "/healthz", timeout=5).read())  # noqa: S310
    assert health["database"]["vendor"] == "sqlite"
    assert health["channel_layer"]["backend"] == "InMemoryChannelLayer"

    customer = Browser(server.url)
    customer.get("/chat/")
    page = customer.post("/chat/start/", {"name": "Embedded Eve", "email": "", "language": "en"})
    ws_path = re.search(r'data-ws-path="([^"]+)"', page)
    assert ws_path is not None
    public_id = re.search(r"/ws/chat/([0-9a-f-]+)/", ws_path.group(1)).group(1)  # type: ignore[union-attr]

    agent = Browser(server.url)
    agent.get("/agent/login/")
    agent.post("/agent/login/", {"username": "dana", "password": DEMO_PASSWORD})
    agent.post("/agent/presence/", {"presence": "online"})
    agent.post(f"/agent/conversations/{public_id}/join/", {})

    with (
        customer.websocket(ws_path.group(1).replace("&amp;", "&")) as eve,
        agent.websocket(f"/ws/agent/conversations/{public_id}/") as dana,
    ):
        assert receive(eve, "welcome")["agent"] == "Dana Whitfield"
        assert receive(dana, "welcome")["joined"] is True
        eve.send(json.dumps({"type": "message", "body": "Hello from SQLite", "client_id": "e1"}))
        assert wait_for_message(dana, "Hello from SQLite")["author_name"] == "Embedded Eve"
        dana.send(json.dumps({"type": "message", "body": "Hello Eve", "client_id": "d1"}))
        assert wait_for_message(eve, "Hello Eve")["author_name"] == "Dana Whitfield"

    # The ticker runs beat's presence sweep in-process: Dana's heartbeat goes stale and she
    # is marked offline without any Celery worker or beat running.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with sqlite3.connect(sqlite_path) as db:
            presence = db.execute(
                "SELECT presence FROM agents_agent WHERE display_name = 'Dana Whitfield'"
            ).fetchone()[0]
        if presence == "offline":
            break
        time.sleep(0.3)
    assert presence == "offline"
    with sqlite3.connect(sqlite_path) as db:
        bodies = [
            row[0]
            for row in db.execute(
                "SELECT m.body FROM helpdesk_message m"
                " JOIN helpdesk_conversation c ON m.conversation_id = c.id"
                " JOIN helpdesk_customer u ON c.customer_id = u.id"
                " WHERE u.name = 'Embedded Eve' ORDER BY m.seq"
            )
        ]
    assert bodies == ["Dana Whitfield joined the conversation.", "Hello from SQLite", "Hello Eve"]


def test_the_ticker_runs_the_wait_updates_a_waiting_customer_sees_live(
    embedded: tuple[AsgiServer, Path],
) -> None:
    """No Celery worker, no beat: the web process's ticker sweeps the timer rows, and the update
    reaches the customer's open socket through the in-process layer."""
    server, sqlite_path = embedded
    with sqlite3.connect(sqlite_path) as db:  # a desk that never closes, whenever this runs
        for table in ("teamhours", "teamclosure", "oncallshift", "team_skills", "team"):
            db.execute(f"DELETE FROM routing_{table}")  # noqa: S608
    customer = Browser(server.url)
    customer.get("/chat/")
    page = customer.post("/chat/start/", {"name": "Waiting Wes", "email": "", "language": "en"})
    ws_path = re.search(r'data-ws-path="([^"]+)"', page)
    assert ws_path is not None
    with customer.websocket(ws_path.group(1)) as wes:
        receive(wes, "welcome")
        wes.send(
            json.dumps({"type": "message", "body": "I want to talk to a person", "client_id": "w1"})
        )
        receive(wes, "ack")
        handoff = assistant_says(wes)
        assert handoff["body"].startswith("I want to connect you with a specialist")
        # The clock moved on: the first update is due now (a timer row, nothing in memory),
        # as if nothing had been said of the place in line yet, so the update has news.
        with sqlite3.connect(sqlite_path) as db:
            moved = db.execute(
                "UPDATE escalation_timer SET due_at = '2000-01-01 00:00:00', payload = '{}'"
                " WHERE kind = 'wait_update' AND done_at IS NULL"
                " AND conversation_id = (SELECT max(id) FROM helpdesk_conversation)"
            ).rowcount
        assert moved == 1
        update = assistant_says(wes)
    assert update["body"].startswith("Nobody who can help with this is online yet")
    assert update["seq"] == handoff["seq"] + 1
