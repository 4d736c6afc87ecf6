"""A real Celery worker on Redis is killed (SIGKILL) in the middle of a timer; another worker
takes over. Every wait update, reminder and email happens exactly once.

PostgreSQL only: to be sure the worker is mid-task when it dies, the test holds a lock on the
conversation row the task needs, waits until PostgreSQL shows the worker's session blocked on
it, and only then kills the worker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from escalation.callbacks import customer_choose
from escalation.models import Callback, Timer
from escalation.timers import timers_dispatch
from helpdesk.models import Conversation
from tests.support.factories import escalated_conversation, make_agent
from tests.support.server import ROOT, database_url
from tests.support.services import needs_postgres_and_redis

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("knowledge_base"),
    needs_postgres_and_redis,
]


class Workers:
    """Celery workers in their own process groups, on a queue no other test uses."""

    def __init__(self, tmp_path: Path) -> None:
        self.queue = f"timers-{os.getpid()}-{time.monotonic_ns()}"
        self.mail_dir = tmp_path / "mail"
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(connection.settings_dict),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
        }
        log = (self.tmp_path / f"worker-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "--pool=solo",
             "-Q", self.queue, "--without-heartbeat", "--without-gossip", "--without-mingle",
             "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=15)

    def emails(self) -> list[str]:
        """Every message the workers' file backend wrote, one string each."""
        texts = [path.read_text() for path in sorted(self.mail_dir.glob("*"))]
        return [part for text in texts for part in text.split("-" * 79) if "Message-ID" in part]


@pytest.fixture
def workers(tmp_path: Path, settings: object) -> Iterator[Workers]:
    if not settings.REDIS_URL:  # type: ignore[attr-defined]
        pytest.fail("REDIS_URL is required for the worker test")
    settings.TIMER_LEASE_SECONDS = 3  # type: ignore[attr-defined]
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


def wait_for(check: Callable[[], bool], what: str, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def blocked_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return bool(cursor.fetchone()[0])


def due_now(conversation: Conversation, kind: str) -> Timer:
    timer = Timer.objects.get(conversation=conversation, kind=kind)
    Timer.objects.filter(pk=timer.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    return timer


def scheduled_call(agent_email: str) -> Conversation:
    """A conversation whose customer took a callback, its reminder due now."""
    agent = make_agent("omar", "Omar")
    agent.user.email = agent_email
    agent.user.save()
    conversation = escalated_conversation("Caller", phone="+44 20 7946 0958")
    due_now(conversation, "callback_offer")
    from escalation.timers import timers_run_due

    timers_run_due()
    for _ in range(2):  # "call me back", then the first slot
        offer = conversation.messages.exclude(actions={}).order_by("-seq")[0]
        customer_choose(
            public_id=conversation.public_id,
            customer_id=conversation.customer_id,
            message_seq=offer.seq,
            choice=offer.actions["choices"][0]["id"],
        )
    Callback.objects.update(agent=agent)
    return conversation


def test_a_worker_killed_mid_task_loses_nothing_and_repeats_nothing(workers: Workers) -> None:
    calling = scheduled_call("omar@example.com")
    waiting = escalated_conversation("Waiting")
    due_now(waiting, "wait_update")
    # As if nothing had been said of the place in line yet: the update has news to post.
    Timer.objects.filter(conversation=waiting, kind="wait_update").update(payload={"number": 1})
    Timer.objects.filter(kind="callback_reminder").update(due_at=timezone.now())
    updates_before = waiting.messages.count()

    # Hold the waiting conversation's row: the wait update will block on it, mid-transaction.
    holder = psycopg.connect(database_url(connection.settings_dict))
    holder.execute("SELECT id FROM helpdesk_conversation WHERE id = %s FOR UPDATE", [waiting.pk])
    first = workers.start()
    assert timers_dispatch(queue=workers.queue) == 2
    wait_for(blocked_on_a_lock, "the worker to block inside the wait update")
    workers.kill(first)
    holder.rollback()
    holder.close()

    workers.start()

    def all_done() -> bool:
        timers_dispatch(queue=workers.queue)  # beat's sweep: leases that ran out are sent again
        return not Timer.objects.filter(done_at__isnull=True, due_at__lte=timezone.now()).exists()

    wait_for(all_done, "every due timer to be done by the second worker", seconds=60)
    updates = waiting.messages.filter(body__startswith="Nobody who can help with this is online")
    assert updates.count() == 1
    assert waiting.messages.count() == updates_before + 1
    assert calling.events.filter(kind="transition.paged").count() == 1
    emails = workers.emails()
    assert len(emails) == 1
    assert "omar@example.com" in emails[0]
    killed = Timer.objects.get(conversation=waiting, kind="wait_update", payload__number=1)
    assert killed.attempts >= 2  # sent, lost with the worker, sent again
    # A late second delivery of any of them changes nothing.
    from escalation.timers import timer_run

    assert {timer_run(timer_id=t.pk) for t in Timer.objects.filter(done_at__isnull=False)} == {
        "already done"
    }
