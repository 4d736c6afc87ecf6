"""Shared by the websocket benchmarks (fanout, connections): the two set-ups, opening many
sockets from one client process, and the server's resident memory."""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.server import embedded_env, manage  # noqa: E402

CHAT_COOKIE = "hd_chat"
EMBEDDED = "embedded: SQLite, in-memory layer"
PRODUCTION = "production: PostgreSQL, channels-redis"
T = TypeVar("T")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def raise_fd_limit(needed: int) -> int:
    """Lift this process's soft file-descriptor limit (the server subprocess inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kib(pid: int) -> int:
    """The resident set of a process, from /proc/<pid>/status (VmRSS, in KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def scratch_postgres(url: str) -> tuple[str, Any]:
    """A throw-away database on the configured PostgreSQL server, and how to drop it."""
    import psycopg

    parsed = urlsplit(url)
    name = f"helpdesk_bench_{os.getpid()}"
    admin_url = urlunsplit(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parsed._replace(path=f"/{name}")), drop


@contextmanager
def setups(embedded: bool = True, **extra: str) -> Iterator[list[tuple[str, dict[str, str], Path]]]:
    """The embedded set-up, then (with DATABASE_URL on PostgreSQL and REDIS_URL) production on a
    scratch database, each migrated: (label, the server's environment, a scratch directory).
    `embedded=False`: production only."""
    # Every socket comes from 127.0.0.1: the per-address caps would refuse all past the 200th.
    base = {
        "HELPDESK_TICKER": "false",
        "CHAT_RATE_LIMIT": "100000",
        "CHAT_ADDRESS_MAX_SOCKETS": "1000000",
        **extra,
    }
    found: list[tuple[str, dict[str, str], Path]] = []
    drops = []
    with tempfile.TemporaryDirectory() as embedded_dir, tempfile.TemporaryDirectory() as pg_dir:
        try:
            if embedded:
                env = embedded_env(Path(embedded_dir) / "bench.sqlite3", **base)
                found.append((EMBEDDED, env, Path(embedded_dir)))
            url = os.environ.get("DATABASE_URL", "")
            if url.startswith("postgres") and os.environ.get("REDIS_URL"):
                database, drop = scratch_postgres(url)
                drops.append(drop)
                prefix = os.environ.get("CHANNEL_LAYER_PREFIX") or f"bench{os.getpid()}"
                env = {
                    **os.environ,
                    **base,
                    "DATABASE_URL": database,
                    "CHANNEL_LAYER_PREFIX": prefix,
                    # Tasks the set-up queues must not reach another run's worker.
                    "CELERY_QUEUE": f"bench{os.getpid()}",
                }
                found.append((PRODUCTION, env, Path(pg_dir)))
            for _, env, _ in found:
                manage("migrate", "--noinput", "-v", "0", env=env)
            yield found
        finally:
            for drop in drops:
                drop()


def setup_script(env: dict[str, str], script: str) -> str:
    """Run a `manage.py shell -c` script for the set-up, Celery tasks run inline (none queued)."""
    output = manage("shell", "-c", script, env={**env, "CELERY_TASK_ALWAYS_EAGER": "true"})
    return output.strip().splitlines()[-1]


async def connect(url: str, origin: str, cookie: str = "") -> ClientConnection:
    """One idle-friendly client socket: no compression, no client keepalive pings."""
    return await websockets.connect(
        url,
        origin=Origin(origin),
        compression=None,
        additional_headers={"Cookie": cookie} if cookie else {},
        ping_interval=None,
        open_timeout=60,
        close_timeout=5,
    )


async def bounded(jobs: Sequence[Callable[[], Awaitable[T]]], limit: int = 50) -> list[T]:
    """Run the jobs concurrently, at most `limit` at a time, results in order."""
    gate = asyncio.Semaphore(limit)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return list(await asyncio.gather(*(one(job) for job in jobs)))


async def close_all(sockets: list[ClientConnection]) -> None:
    await bounded([socket.close for socket in sockets], limit=100)
