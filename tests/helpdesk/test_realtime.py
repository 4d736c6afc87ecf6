"""Queueing a task by name (helpdesk.realtime.task_named): every service's `..._soon()`."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from channels.layers import channel_layers, get_channel_layer
from django.db import connections, transaction
from django.test import override_settings

from helpdesk.realtime import publish_on_commit, server_loop_attach
from tests.support.server import ROOT, embedded_env, manage
from tests.support.services import needs_redis

# In a fresh process (the test process has long imported the tasks modules), eight threads ask
# for tasks at the same moment, as the first messages on a new web process do.
FIRST_LOOKUPS_AT_ONCE = """
import json, threading
from helpdesk.realtime import task_named
names = ["helpdesk.tasks.take_turns", "routing.tasks.route_conversation",
         "escalation.tasks.handoff_refresh", "helpdesk.tasks.sweep_turns"] * 2
barrier, found, errors = threading.Barrier(len(names)), [], []
def look_up(name):
    barrier.wait()
    try:
        found.append(task_named(name).name)
    except Exception as error:
        errors.append(repr(error))
threads = [threading.Thread(target=look_up, args=(name,)) for name in names]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"found": sorted(found), "errors": errors}))
"""


def test_threads_looking_up_tasks_at_once_in_a_new_process_all_find_them(tmp_path: Path) -> None:
    env = embedded_env(tmp_path / "db.sqlite3")
    for _ in range(2):  # each run is a new process; the race was lost in every run before
        out = json.loads(manage("shell", "-c", FIRST_LOOKUPS_AT_ONCE, env=env).splitlines()[-1])
        assert out["errors"] == []
        assert len(out["found"]) == 8


BEAT_SWEEPS_IN_PROCESS = """
from helpdesk.realtime import task_named
for name in ("helpdesk.tasks.sweep_turns", "agents.tasks.presence_sweep",
             "escalation.tasks.sweep_timers"):
    task_named(name).delay()
"""


def test_the_embedded_defaults_sweeps_write_no_log_line(tmp_path: Path) -> None:
    """The ticker runs beat's sweeps every few seconds in the web process: a line each would
    fill the server's log (a worker's own log keeps them in production)."""
    env = embedded_env(tmp_path / "db.sqlite3")
    manage("migrate", "-v", "0", env=env)
    run = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", BEAT_SWEEPS_IN_PROCESS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stderr == ""


@pytest.mark.django_db(transaction=True)
@override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}})
async def test_a_notice_from_a_thread_reaches_a_socket_on_the_servers_loop_at_once() -> None:
    """The embedded default's ticker (and turn threads) publish from threads of their own; the
    in-memory layer's queues belong to the server's loop, which must be woken, not left to
    notice on the page's next keep-alive."""
    channel_layers.backends.clear()  # the override's layer, not the one cached before
    try:
        await _published_from_a_thread_arrives()
    finally:
        channel_layers.backends.clear()


async def _published_from_a_thread_arrives() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("ticker-test", channel)
    server_loop_attach()
    loops: list[asyncio.AbstractEventLoop] = []
    send = layer.group_send

    async def group_send(group: str, message: dict[str, Any]) -> None:
        loops.append(asyncio.get_running_loop())  # a send on another loop wakes no one here
        await send(group, message)

    layer.group_send = group_send

    def from_a_thread() -> None:
        try:
            with transaction.atomic():
                publish_on_commit("ticker-test", {"type": "chat.status", "status": "waiting"})
        finally:
            connections.close_all()

    thread = threading.Thread(target=from_a_thread)
    thread.start()
    # Bounded only so that a broken build fails instead of hanging: nothing else wakes the loop.
    received = await asyncio.wait_for(layer.receive(channel), timeout=10)
    await asyncio.to_thread(thread.join)
    assert received == {"type": "chat.status", "status": "waiting"}
    assert loops == [asyncio.get_running_loop()]


# Thirty notices sent from synchronous code in a process with no server loop (a Celery worker,
# a command) on the Redis layer: all delivered in order, over the connection of one loop kept
# for the process. A loop made per send (async_to_sync's way) connected afresh every time.
SENDS_FROM_SYNC_CODE = """
import asyncio, json, os
import redis
from channels.layers import get_channel_layer
from helpdesk.realtime import group_send_now
layer = get_channel_layer()
server = redis.Redis.from_url(os.environ["REDIS_URL"])
async def join():
    channel = await layer.new_channel()
    await layer.group_add("sender-test", channel)
    return channel
channel = asyncio.run(join())
before = server.info("stats")["total_connections_received"]
for number in range(30):
    group_send_now(layer, "sender-test", {"type": "test.notice", "number": number})
opened = server.info("stats")["total_connections_received"] - before
async def drain():
    return [(await layer.receive(channel))["number"] for _ in range(30)]
print(json.dumps({"opened": opened, "received": asyncio.run(drain())}))
"""


@needs_redis
def test_notices_sent_from_synchronous_code_share_one_connection_and_all_arrive() -> None:
    env = {**os.environ, "HELPDESK_TICKER": "false"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    out = json.loads(manage("shell", "-c", SENDS_FROM_SYNC_CODE, env=env).splitlines()[-1])
    assert out["received"] == list(range(30))
    assert out["opened"] <= 1  # the sender loop's one connection (30 before)
