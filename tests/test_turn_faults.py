"""Owed turns across real processes: the web process SIGKILLed right after it acknowledged a
message, and a Celery worker SIGKILLed in the middle of a turn. Each message is answered once.

The first runs on the embedded default and on PostgreSQL; the second needs PostgreSQL and Redis
(CI sets REQUIRE_SERVICES=1). The single-process cases (a turn that raises, keeps raising, two
takers) are in tests/helpdesk/test_owed_turns.py."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

from helpdesk.models import Conversation, Message, OwedTurn
from helpdesk.realtime import task_named
from tests.support.fakes import FakeLLM
from tests.support.server import ROOT, AsgiServer, database_url
from tests.support.services import needs_postgres_and_redis
from tests.test_embedded import Browser

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("knowledge_base"),
]

QUESTION = "How do I return an item?"


def server_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict), **extra}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start_chat(base: str) -> tuple[Browser, str]:
    customer = Browser(base)
    customer.get("/chat/")
    page = customer.post("/chat/start/", {"name": "Rita", "email": "", "language": "en"})
    found = re.search(r'data-ws-path="([^"]+)"', page)
    assert found is not None
    return customer, found.group(1)


def send_and_wait_for_ack(customer: Browser, path: str) -> None:
    with customer.websocket(path) as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "welcome"
        socket.send(json.dumps({"type": "message", "body": QUESTION, "client_id": "q-1"}))
        while json.loads(socket.recv(timeout=15))["type"] != "ack":
            pass


def eventually(check: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def answers(conversation: Conversation) -> list[str]:
    return list(
        Message.objects.filter(conversation=conversation, author_kind="assistant").values_list(
            "body", flat=True
        )
    )


def test_a_web_process_killed_right_after_the_ack_still_owes_the_answer_and_it_comes_once(
    tmp_path: Path,
) -> None:
    # The first process queues its turns for workers that never come: it dies before any runs.
    doomed = AsgiServer(
        tmp_path / "doomed.log",
        env=server_env(
            TURN_RUNNER="celery",
            CELERY_TASK_ALWAYS_EAGER="false",
            CELERY_BROKER_URL="memory://",
            HELPDESK_TICKER="false",
        ),
    )
    doomed.start()
    customer, path = start_chat(doomed.url)
    send_and_wait_for_ack(customer, path)
    assert doomed.process is not None
    doomed.process.send_signal(signal.SIGKILL)
    doomed.process.wait()
    doomed.process = None
    conversation = Conversation.objects.get()
    assert answers(conversation) == []
    assert OwedTurn.objects.filter(conversation=conversation).count() == 1

    # The next process's sweep finds the turn owed and takes it.
    revived = AsgiServer(
        tmp_path / "revived.log",
        env=server_env(
            TURN_RUNNER="thread", HELPDESK_TICKER="true", TURN_SWEEP_AFTER_SECONDS="1",
            TURN_SWEEP_SECONDS="1",
        ),
    )  # fmt: skip
    revived.start()
    try:
        eventually(lambda: len(answers(conversation)) == 1)
        time.sleep(3)  # a few more sweeps: still one answer
    finally:
        revived.stop()
    assert len(answers(conversation)) == 1
    assert not OwedTurn.objects.exists()


def celery_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "--pool=solo",
         "-Q", env["CELERY_QUEUE"], "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip


@needs_postgres_and_redis
def test_a_worker_killed_mid_turn_leaves_the_turn_to_the_sweep_and_it_is_answered_once(
    tmp_path: Path, llm: tuple[FakeLLM, str]
) -> None:
    fake, base_url = llm
    fake.delay = 60.0  # the model takes its time: the worker is caught in the middle of the turn
    env = server_env(
        TURN_RUNNER="celery",
        CELERY_TASK_ALWAYS_EAGER="false",
        HELPDESK_TICKER="false",
        CELERY_QUEUE=f"turns-{os.getpid()}-{time.monotonic_ns()}",
        ASSISTANT_RESPONDER="openai",
        ASSISTANT_LLM_BASE_URL=base_url,
        ASSISTANT_LLM_TIMEOUT="90",
        TURN_LEASE_SECONDS="2",
        TURN_SWEEP_AFTER_SECONDS="1",
    )
    server = AsgiServer(tmp_path / "web.log", env=dict(env))
    server.start()
    worker = celery_worker(env, tmp_path / "worker.log")
    try:
        customer, path = start_chat(server.url)
        send_and_wait_for_ack(customer, path)
        eventually(lambda: bool(fake.requests), seconds=60)  # the turn is under way
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        conversation = Conversation.objects.get()
        assert answers(conversation) == []
        fake.delay = 0.0
        worker = celery_worker(env, tmp_path / "worker.log")
        time.sleep(3)  # the dead worker's lease runs out
        # Beat's periodic sweep, sent once by hand to the new worker.
        task_named("helpdesk.tasks.sweep_turns").apply_async(queue=env["CELERY_QUEUE"])
        eventually(lambda: len(answers(conversation)) == 1, seconds=60)
        time.sleep(2)
        assert len(answers(conversation)) == 1
        assert not OwedTurn.objects.exists()
    finally:
        worker.terminate()
        worker.wait(timeout=15)
        server.stop()
