"""Where owed turns run: never on the thread that acknowledges messages.

TURN_RUNNER chooses:
- "celery": a Celery worker takes them (production: the web process only stores and acks);
- "thread": a small pool of turn threads in this process (the embedded default, no broker);
- "inline": right after the commit, on the caller's thread (tests and commands that want the
  outcome at once).
Whichever runs them, the sweep (helpdesk.flows.owed.turns_sweep) takes what was lost.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, transaction

from helpdesk.flows.owed import turns_take
from helpdesk.realtime import task_soon

logger = logging.getLogger(__name__)

TAKE_TURNS_TASK = "helpdesk.tasks.take_turns"
STOP_SECONDS = 30.0  # how long a stopping server (or a test) waits for a turn under way


def turns_take_soon(conversation_id: int) -> None:
    """Take the conversation's owed turns once the current transaction commits."""
    runner = settings.TURN_RUNNER
    if runner == "celery":
        task_soon(TAKE_TURNS_TASK, conversation_id)
    elif runner == "thread":
        transaction.on_commit(lambda: _in_a_turn_thread(conversation_id), robust=True)
    else:
        transaction.on_commit(lambda: turns_take(conversation_id), robust=True)


_pool_lock = threading.Lock()
_pools: dict[str, ThreadPoolExecutor] = {}


def turn_threads_stop() -> None:
    """Let the turns under way finish, then end the turn threads (a server shutting down, or a
    test before its data is cleared); the next turn starts new ones. Turns not yet begun stay
    owed: the sweep takes them."""
    with _pool_lock:
        pool = _pools.pop("turns", None)
    if pool is None:
        return
    pool.shutdown(wait=False, cancel_futures=True)
    # Listed after the shutdown: a turn that puts its conversation back in the queue can no
    # longer start a thread. Joined with a bound, whatever a turn is waiting on.
    threads = list(pool._threads)
    for thread in threads:
        thread.join(timeout=STOP_SECONDS)


def _in_a_turn_thread(conversation_id: int) -> None:
    # Its replies reach the sockets through the server's loop (helpdesk.realtime.group_send_now).
    _queue(_pool(), conversation_id)


def _pool() -> ThreadPoolExecutor:
    with _pool_lock:
        if "turns" not in _pools:
            _pools["turns"] = ThreadPoolExecutor(
                max_workers=settings.TURN_THREADS, thread_name_prefix="turn"
            )
        return _pools["turns"]


def _in_thread(pool: ThreadPoolExecutor, conversation_id: int) -> None:
    """One turn, then the conversation queues again behind the others waiting: a customer who
    answers at once would otherwise have every next turn taken here ahead of everyone queued
    (half the replies in 40 ms, the other half after 1-2.5 s, at 50 busy clients)."""
    close_old_connections()
    try:
        if turns_take(conversation_id, at_most=1):
            _queue(pool, conversation_id)  # behind the turns queued meanwhile
    except Exception:  # the row stays owed: the sweep takes it again
        logger.exception("Turns of conversation %s failed", conversation_id)
    finally:
        close_old_connections()


def _queue(pool: ThreadPoolExecutor, conversation_id: int) -> None:
    """The conversation's next turn, at the back of `pool`'s queue; a pool that is stopping
    takes no new work (what is still owed waits for the sweep, as when the server stops)."""
    try:
        pool.submit(_in_thread, pool, conversation_id)
    except RuntimeError:
        logger.info("Turn threads stopping: conversation %s waits for the sweep", conversation_id)
