"""Storms on the Redis channel layer (issue 15, item 6): thousands of customer sockets on one
uvicorn process close at the same instant, then all reconnect at once, then close again. Every
leave and every join waits for a pooled Redis connection instead of failing
(helpdesk.layers), so the server logs no layer error and leaves no group membership behind.

STORM_SOCKETS sets the count (3,000 by default, to stay well inside a minute on two cores;
benchmarks/storm.py runs 10,000). PostgreSQL and Redis only (CI sets REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from helpdesk.chattoken import make_chat_token
from helpdesk.models import Conversation, Customer
from tests.support import storm
from tests.support.server import AsgiServer, database_url
from tests.support.services import needs_postgres_and_redis

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    needs_postgres_and_redis,
]

SOCKETS = int(os.environ.get("STORM_SOCKETS", "3000"))


def storm_targets(count: int) -> list[tuple[str, str]]:
    """One customer and one open conversation per socket: (public_id, chat cookie value)."""
    customers = Customer.objects.bulk_create(Customer(name=f"Storm {i}") for i in range(count))
    conversations = Conversation.objects.bulk_create(
        Conversation(customer=customer, language="en") for customer in customers
    )
    return [
        (
            str(c.public_id),
            make_chat_token(customer_id=c.customer_id, conversation=str(c.public_id)),
        )
        for c in conversations
    ]


def test_thousands_of_sockets_closing_and_reconnecting_at_once_leave_no_error_and_no_group(
    tmp_path: Path,
) -> None:
    # Each socket is a file on both sides: the client here and the server, which inherits it.
    soft, _ = storm.raise_fd_limit(2 * SOCKETS + 1024)
    assert soft >= SOCKETS + 512, f"RLIMIT_NOFILE {soft} is too low for {SOCKETS} sockets"
    targets = storm_targets(SOCKETS)
    prefix = f"storm{os.getpid()}-{time.monotonic_ns()}"  # this run's groups and nobody else's
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CHANNEL_LAYER_PREFIX": prefix,
        "HELPDESK_TICKER": "false",
        # Every socket comes from 127.0.0.1: lift the per-address cap meant for real networks.
        "CHAT_ADDRESS_MAX_SOCKETS": str(10 * SOCKETS),
    }
    server = AsgiServer(tmp_path / "uvicorn.log", env=env)
    server.start()
    try:
        assert server.process is not None
        server_limit = storm.open_files_limit(server.process.pid)
        result = asyncio.run(
            storm.run(server.url, targets, redis_url=settings.REDIS_URL, prefix=prefix)
        )
    finally:
        server.stop()
        cleanup = redis.Redis.from_url(settings.REDIS_URL)
        for key in cleanup.scan_iter(match=f"{prefix}*", count=1000):
            cleanup.delete(key)
        cleanup.close()
    log = (tmp_path / "uvicorn.log").read_text()
    report = {**result.as_dict(), "server_open_files_limit": server_limit}
    report["layer_failures"] = storm.layer_failures(log)
    artifacts = Path(__file__).resolve().parents[1] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "storm.json").write_text(json.dumps(report, indent=2))

    assert result.opened.welcomed == SOCKETS, report
    assert result.members_open == SOCKETS, report
    assert result.members_after_close == 0, report  # every leave reached Redis
    assert result.reopened.welcomed == SOCKETS, report  # the reconnect storm got in, every one
    assert result.members_reopened == SOCKETS, report
    assert result.members_after_reclose == 0, report
    assert report["layer_failures"] == {}, report
    assert "Traceback" not in log, log[-3000:]
