"""Side effects that must only happen once the data they describe has committed."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

INBOX_GROUP = "agents.inbox"  # every agent's open inbox page listens here


def agent_group(agent_id: int) -> str:
    """One agent's open inbox pages: reminders and pages meant for them alone."""
    return f"agent.{agent_id}"


def user_group(user_id: int) -> str:
    """Every socket a signed-in user has open, in every web process: a sign-out closes them."""
    return f"user.{user_id}"


_server: dict[str, asyncio.AbstractEventLoop] = {}
SEND_WAIT_SECONDS = 10.0  # a loop that has not run a send by then has stopped


def server_loop_attach() -> None:
    """Called on the ASGI server's event loop (at start-up, and by each socket): notices sent
    from other threads (the embedded default's ticker, turn threads) then go through it."""
    _server["loop"] = asyncio.get_running_loop()


def group_send_now(layer: Any, group: str, event: dict[str, Any]) -> None:
    """Send `event` to `group` from synchronous code, on a loop that is already running:

    - the server's loop, from any other thread of a web process. The in-memory layer's queues
      belong to it: a send from another thread's loop would fill them without waking the socket
      waiting on them (the page noticed only on its next keep-alive, up to 25 s late);
    - else, for a network layer (Redis), this process's sender loop (a Celery worker, a
      command): its pooled connection is reused, where a loop made for each send (what
      async_to_sync does outside a server) connects afresh each time (2 ms a send, not 0.4).
    """
    loop = _server.get("loop")
    if loop is None or not loop.is_running() or _running_on(loop):
        loop = None if isinstance(layer, InMemoryChannelLayer) else _sender_loop()
    if loop is None or _running_on(loop):
        async_to_sync(layer.group_send)(group, event)
        return
    sent = asyncio.run_coroutine_threadsafe(layer.group_send(group, event), loop)
    try:
        sent.result(timeout=SEND_WAIT_SECONDS)
    except TimeoutError:  # the server is stopping: the pages resync when they reconnect
        sent.cancel()
        logger.warning("A notice to %s was dropped: its loop did not run it", group)


_sender: dict[int, asyncio.AbstractEventLoop] = {}  # by process id: a forked child makes its own
_sender_lock = threading.Lock()


def _sender_loop() -> asyncio.AbstractEventLoop:
    """This process's loop for sends from synchronous code, on a daemon thread of its own."""
    pid = os.getpid()
    with _sender_lock:
        loop = _sender.get(pid)
        if loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="layer-sender", daemon=True).start()
            _sender.clear()  # a parent's loop, whose thread did not survive the fork
            _sender[pid] = loop
        return loop


def _running_on(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send `event` to a channel-layer group after the current transaction commits.

    The event type is always chosen by our own code: never pass a client-supplied type here.
    A lost notification is harmless: clients resync from PostgreSQL by sequence number.
    """

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            group_send_now(layer, group, event)

    # robust: the data is committed; a layer outage must not turn that success into an error.
    transaction.on_commit(send, robust=True)


def task_soon(name: str, *args: Any) -> None:
    """Queue the Celery task registered as `name`, after the current transaction commits.

    By name, so the service that offers a `..._soon()` never imports a tasks module: tasks are
    the interfaces layer, above every service (docs/architecture.md).

    After commit, so a worker never looks for a row that is not there. robust: a broker outage
    (or an eager task's error) must not turn the committed change into an error for the caller,
    nor stop the callbacks queued after this one.
    """
    transaction.on_commit(lambda: task_named(name).delay(*args), robust=True)


_tasks_import = threading.Lock()


def task_named(name: str) -> Any:
    """The Celery task registered as `name`."""
    from helpdesk.celery import app

    if name not in app.tasks:  # a process that has not imported the tasks modules yet
        # One thread imports them; the others wait. Without the lock, a thread arriving while
        # another is importing got the half-imported modules and no task (the first messages
        # on a busy new web process lost their turn until the sweep).
        with _tasks_import:
            if name not in app.tasks:
                app.loader.import_default_modules()
    return app.tasks[name]


# Open websocket connections in this process, by kind, for /metrics. Per process by nature: each
# web process reports its own, and Prometheus adds them up.
_connections: dict[str, int] = {}
_connections_lock = threading.Lock()


def connection_opened(kind: str) -> None:
    with _connections_lock:
        _connections[kind] = _connections.get(kind, 0) + 1


def connection_closed(kind: str) -> None:
    with _connections_lock:
        _connections[kind] = max(0, _connections.get(kind, 0) - 1)


def open_connections() -> dict[str, int]:
    with _connections_lock:
        return dict(_connections)
