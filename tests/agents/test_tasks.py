"""The beat task on a real Celery worker over the Redis broker (the production set-up)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from agents.models import Agent
from agents.tasks import presence_sweep
from tests.support.factories import make_agent
from tests.support.server import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[str]:
    if not settings.REDIS_URL:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REDIS_URL is required for the Celery worker test")
        pytest.skip("needs REDIS_URL: the embedded default runs tasks eagerly")
    from django.db import connection

    log = (tmp_path / "worker.log").open("wb")
    queue = f"test-{os.getpid()}"
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "--pool=solo", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    yield queue
    process.terminate()
    process.wait(timeout=10)


def test_a_real_worker_runs_the_presence_sweep_sent_through_redis(worker: str) -> None:
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    stale = make_agent("dana", "Dana Whitfield", presence="online")
    Agent.objects.filter(pk=stale.pk).update(last_seen_at=timezone.now() - timedelta(hours=1))
    presence_sweep.apply_async(queue=worker)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        stale.refresh_from_db()
        if stale.presence == "offline":
            break
        time.sleep(0.2)
    assert stale.presence == "offline"
