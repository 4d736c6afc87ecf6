"""The storm driver: open many customer sockets, close them all at once, reconnect them all at
once, close them again, and count what the server left in Redis after each wave. Used by
tests/test_storm.py (bounded, in CI) and benchmarks/storm.py (10,000 sockets, by hand or in
`make bench`).

A close storm is what a web process sees when a load balancer drops it, a network blip cuts
every page at once or thousands of tabs close together: every socket's consumer leaves its
groups at the same moment. A reconnect storm follows it: every page reconnects at once.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import websockets
from redis import asyncio as aioredis
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin

CHAT_COOKIE = "hd_chat"
# The server's log lines that mean a socket's leave (or join) failed on the layer.
LAYER_FAILURES = ("MaxConnectionsError", "Could not leave", "No connection available")

# Customers and their conversations, written by the test (or the benchmark's set-up script) in
# one statement each: a storm needs thousands, and each a cookie of its own.
SETUP_SCRIPT = """
import json
from helpdesk.chattoken import make_chat_token
from helpdesk.models import Conversation, Customer
customers = Customer.objects.bulk_create(Customer(name=f"Storm {i}") for i in range(%(count)d))
conversations = Conversation.objects.bulk_create(
    Conversation(customer=customer, language="en") for customer in customers)
print(json.dumps([
    [str(c.public_id), make_chat_token(customer_id=c.customer_id, conversation=str(c.public_id))]
    for c in conversations]))
"""


def raise_fd_limit(needed: int) -> tuple[int, int]:
    """Lift this process's soft RLIMIT_NOFILE to `needed` (capped by the hard limit); a server
    started afterwards inherits it. Returns (soft, hard) as they are now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def open_files_limit(pid: int) -> int:
    """Another process's soft limit on open files, from /proc/<pid>/limits (Linux)."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise RuntimeError(f"no open-files limit for {pid}")


def layer_failures(log: str) -> dict[str, int]:
    return {needle: log.count(needle) for needle in LAYER_FAILURES if needle in log}


@dataclass
class Wave:
    """One wave of handshakes: how many got their welcome, how long all of them took."""

    sockets: int
    welcomed: int
    seconds: float
    errors: list[str] = field(default_factory=list)


@dataclass
class Storm:
    sockets: int
    opened: Wave
    members_open: int  # group memberships in Redis with every socket open
    close_seconds: float  # from the first close to the last memberships gone (or given up)
    members_after_close: int
    reopened: Wave
    members_reopened: int
    reclose_seconds: float
    members_after_reclose: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def memberships(redis: aioredis.Redis, prefix: str) -> int:
    """Channels in every group under the layer's prefix (channels-redis keeps a group as the
    sorted set `<prefix>:group:<name>`)."""
    keys = [key async for key in redis.scan_iter(match=f"{prefix}:group:*", count=1000)]
    if not keys:
        return 0
    async with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.zcard(key)
        return sum(await pipe.execute())


async def settle(redis: aioredis.Redis, prefix: str, target: int, patience: float) -> int:
    """Wait until the memberships reach `target`, or stop changing for `patience` seconds."""
    last, still_since = -1, time.monotonic()
    while True:
        count = await memberships(redis, prefix)
        if count == target:
            return count
        if count != last:
            last, still_since = count, time.monotonic()
        elif time.monotonic() - still_since > patience:
            return count
        await asyncio.sleep(0.25)


async def open_customer(url: str, origin: str, cookie: str) -> ClientConnection:
    """A customer page's socket: open, and wait for the welcome (the server has joined the
    conversation's group by then)."""
    socket = await websockets.connect(
        url,
        origin=Origin(origin),
        compression=None,
        additional_headers={"Cookie": f"{CHAT_COOKIE}={cookie}"},
        ping_interval=None,  # idle for the whole storm: no keepalive traffic of our own
        open_timeout=180,  # a reconnect storm queues handshakes behind each other
        close_timeout=30,
        max_queue=4,
    )
    try:
        frame = json.loads(await socket.recv())
        if frame.get("type") != "welcome":
            raise RuntimeError(f"no welcome: {frame}")
    except BaseException:
        await socket.close()
        raise
    return socket


async def wave(
    server_url: str, targets: list[tuple[str, str]], limit: int | None
) -> tuple[Wave, list[ClientConnection]]:
    """Open a socket per (public_id, cookie): `limit` handshakes in flight, or all at once."""
    ws = server_url.replace("http", "ws", 1)
    gate = asyncio.Semaphore(limit or len(targets))

    async def one(public_id: str, cookie: str) -> ClientConnection:
        async with gate:
            return await open_customer(f"{ws}/ws/chat/{public_id}/", server_url, cookie)

    started = time.perf_counter()
    results = await asyncio.gather(*(one(*target) for target in targets), return_exceptions=True)
    seconds = time.perf_counter() - started
    sockets = [result for result in results if isinstance(result, ClientConnection)]
    errors = [repr(result)[:200] for result in results if isinstance(result, BaseException)]
    return Wave(len(targets), len(sockets), round(seconds, 2), errors[:5]), sockets


async def close_at_once(
    sockets: list[ClientConnection], redis: aioredis.Redis, prefix: str, patience: float
) -> tuple[float, int]:
    """Close every socket in the same instant; wait for the server to leave every group."""
    started = time.perf_counter()
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)
    left = await settle(redis, prefix, 0, patience)
    return round(time.perf_counter() - started, 2), left


async def run(
    server_url: str,
    targets: list[tuple[str, str]],
    *,
    redis_url: str,
    prefix: str,
    open_limit: int = 500,
    patience: float = 10.0,
) -> Storm:
    """Open every target (`open_limit` handshakes in flight), close all at once, reconnect all
    at once, close all at once again."""
    redis = aioredis.Redis.from_url(redis_url)
    started = time.perf_counter()

    def progress(what: str, figure: object) -> None:
        print(f"storm {time.perf_counter() - started:6.1f}s {what}: {figure}", file=sys.stderr)

    try:
        opened, sockets = await wave(server_url, targets, open_limit)
        members_open = await settle(redis, prefix, len(sockets), patience)
        progress("opened", opened)
        close_seconds, after_close = await close_at_once(sockets, redis, prefix, patience)
        progress("closed at once, memberships left", after_close)
        reopened, sockets = await wave(server_url, targets, None)
        members_reopened = await settle(redis, prefix, len(sockets), patience)
        progress("reconnected at once", reopened)
        reclose_seconds, after_reclose = await close_at_once(sockets, redis, prefix, patience)
        progress("closed at once again, memberships left", after_reclose)
    finally:
        await redis.aclose()
    return Storm(
        sockets=len(targets),
        opened=opened,
        members_open=members_open,
        close_seconds=close_seconds,
        members_after_close=after_close,
        reopened=reopened,
        members_reopened=members_reopened,
        reclose_seconds=reclose_seconds,
        members_after_reclose=after_reclose,
    )
