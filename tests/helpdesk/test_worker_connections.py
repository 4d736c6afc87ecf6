"""A prefork Celery worker keeps its PostgreSQL pool from task to task.

Celery's Django fix-up closed the whole pool before and after every task, so each task (an
assistant's turn, a wait update) opened new connections, a server process forked for each.
PostgreSQL counts the sessions opened on a database (pg_stat_database.sessions): forty tasks
must open none once the worker has its pool. Needs PostgreSQL and Redis (CI sets
REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

from helpdesk.realtime import task_named
from tests.support.server import ROOT, database_url
from tests.support.services import needs_postgres_and_redis

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("knowledge_base"),
    needs_postgres_and_redis,
]

TASKS = 40
SWEEP = "helpdesk.tasks.sweep_turns"  # a task that reads the database and changes nothing here


def sessions_opened() -> int:
    """How many sessions PostgreSQL has opened on the test database so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # this transaction's stats are fresh
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def succeeded(log: Path) -> int:
    lines = log.read_text(errors="replace").splitlines()
    return sum(f"Task {SWEEP}[" in line and " succeeded in " in line for line in lines)


def wait_for(check: Callable[[], bool], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_prefork_workers_tasks_reuse_its_pooled_connections(tmp_path: Path) -> None:
    queue = f"pool-{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "HELPDESK_TICKER": "false",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "--pool=prefork",
         "--concurrency=1", "-Q", queue, "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        task_named(SWEEP).apply_async(queue=queue)  # the child opens its pool
        wait_for(lambda: succeeded(log) == 1)
        time.sleep(1)  # the pool's background connections are open by now
        before = sessions_opened()
        for _ in range(TASKS):
            task_named(SWEEP).apply_async(queue=queue)
        wait_for(lambda: succeeded(log) == 1 + TASKS)
        opened = sessions_opened() - before
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    # Our own session's count is taken twice, never opened in between. Before the change this
    # was two sessions per task and more.
    assert opened <= 1, f"{opened} sessions opened for {TASKS} tasks:\n{log.read_text()[-3000:]}"
