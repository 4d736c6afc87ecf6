"""connections: idle customer websockets held by one uvicorn process (1,000, then 10,000 open at
once), proved alive after more than 5 s idle, and the server's memory per connection, against
the bare echo consumer's memory per connection in the same run.

Each customer socket is a different conversation's /ws/chat/<id>/ with its chat cookie (the
server reads the cookie, loads the conversation, joins its group and sends the welcome). One
client process holds every socket (no client keepalive pings, so they are really idle). At each
level: wait IDLE_SECONDS (over the 5 s read timeout TESTING.md warns about), count the sockets
still open, ping a sample of SAMPLE ({"type": "ping"} answered by a pong; the echo consumer
echoes; `all_alive` when every socket is open and every ping answered), then
read the server's VmRSS from /proc/<pid>/status. Memory per connection is the growth over the
server's RSS before the first level (after a warm-up that opened and closed a few sockets),
divided by the sockets open. Product and baseline each get a fresh server process running the
same application (benchmarks/echo_asgi.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.protocol import State

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.wsbench import (  # noqa: E402
    CHAT_COOKIE,
    bounded,
    close_all,
    connect,
    raise_fd_limit,
    rss_kib,
    setup_script,
    setups,
)
from tests.support.server import AsgiServer  # noqa: E402

LEVELS = [int(n) for n in os.environ.get("BENCH_CONNECTIONS", "1000,10000").split(",")]
IDLE_SECONDS = 6.0
SAMPLE = 200
WARMUP = 10

SETUP_SCRIPT = """
import json
from helpdesk.chattoken import make_chat_token
from helpdesk.models import Conversation, Customer
customers = Customer.objects.bulk_create(Customer(name=f"Idle {i}") for i in range(%(count)d))
conversations = Conversation.objects.bulk_create(
    Conversation(customer=customer, language="en") for customer in customers)
print(json.dumps([
    [str(c.public_id), make_chat_token(customer_id=c.customer_id, conversation=str(c.public_id))]
    for c in Conversation.objects.order_by("pk")]))
"""


async def open_one(url: str, origin: str, cookie: str, welcome: bool) -> ClientConnection:
    socket = await connect(url, origin, cookie)
    if welcome:
        frame = json.loads(await socket.recv())
        assert frame["type"] == "welcome", frame
    return socket


async def alive(socket: ClientConnection, product: bool) -> bool:
    """A round trip through the consumer: the product's ping frame, or an echo."""
    try:
        await socket.send(json.dumps({"type": "ping"}) if product else "ping")
        async with asyncio.timeout(5):
            while True:
                answer = await socket.recv()
                if not product or json.loads(answer).get("type") == "pong":
                    return True
    except (websockets.ConnectionClosed, TimeoutError):
        return False


async def hold(server: AsgiServer, targets: list[tuple[str, str]], product: bool) -> dict[str, Any]:
    """Open the sockets level by level and keep them all open until the end."""
    assert server.process is not None
    pid, origin = server.process.pid, server.url
    warm = await bounded(
        [partial(open_one, url, origin, cookie, product) for url, cookie in targets[:WARMUP]]
    )
    assert all([await alive(socket, product) for socket in warm])
    await close_all(warm)
    await asyncio.sleep(1.0)
    before = rss_kib(pid)
    sockets: list[ClientConnection] = []
    levels = []
    rng = random.Random(7)
    try:
        for level in LEVELS:
            started, previous = time.perf_counter(), len(sockets)
            sockets += await bounded(
                [
                    partial(open_one, url, origin, cookie, product)
                    for url, cookie in targets[previous:level]
                ]
            )
            opened = time.perf_counter() - started
            await asyncio.sleep(IDLE_SECONDS)
            still_open = sum(1 for socket in sockets if socket.state is State.OPEN)
            sample = rng.sample(sockets, min(SAMPLE, len(sockets)))
            answered = sum(await bounded([partial(alive, socket, product) for socket in sample]))
            rss = rss_kib(pid)
            levels.append(
                {
                    "connections": level,
                    "open_after_idle": still_open,
                    "idle_seconds": IDLE_SECONDS,
                    "sample_pinged": len(sample),
                    "sample_answered": answered,
                    "all_alive": still_open == level and answered == len(sample),
                    "handshakes_per_second": round((level - previous) / opened, 1),
                    "rss_kib": rss,
                    "rss_growth_kib": rss - before,
                    "kib_per_connection": round((rss - before) / level, 1),
                }
            )
            print(f"connections: {'chat' if product else 'echo'} {levels[-1]}", file=sys.stderr)
    finally:
        await close_all(sockets)
    return {"rss_before_kib": before, "levels": levels}


def measure(env: dict[str, str], scratch: Path) -> list[dict[str, Any]]:
    conversations = json.loads(setup_script(env, SETUP_SCRIPT % {"count": max(LEVELS)}))
    runs: dict[str, Any] = {}
    for kind in ("echo", "chat"):
        server = AsgiServer(
            scratch / f"uvicorn-{kind}.log", env=dict(env), app="benchmarks.echo_asgi:application"
        )
        server.start()
        ws = server.url.replace("http", "ws")
        if kind == "chat":
            targets = [
                (f"{ws}/ws/chat/{pid}/", f"{CHAT_COOKIE}={token}") for pid, token in conversations
            ]
        else:
            targets = [(f"{ws}/ws/echo/", "")] * max(LEVELS)
        try:
            runs[kind] = asyncio.run(hold(server, targets, product=kind == "chat"))
        finally:
            server.stop()
    levels = []
    for chat, echo in zip(runs["chat"]["levels"], runs["echo"]["levels"], strict=True):
        levels.append(
            {
                "connections": chat["connections"],
                "chat": chat,
                "baseline_echo": echo,
                "ratio_memory": round(chat["kib_per_connection"] / echo["kib_per_connection"], 2)
                if echo["kib_per_connection"] > 0
                else None,
            }
        )
    return levels


def main() -> dict[str, Any]:
    raise_fd_limit(2 * max(LEVELS) + 512)
    results = []
    started = time.perf_counter()
    with setups() as found:
        for label, env, scratch in found:
            results.append({"setup": label, "levels": measure(env, scratch)})
    return {
        "name": "connections",
        "process": (
            "one uvicorn process (--ws-per-message-deflate false); idle customer sockets, one"
            " conversation each; baseline: bare echo consumer, a fresh server of the same app"
        ),
        "idle_seconds": IDLE_SECONDS,
        "seconds": round(time.perf_counter() - started, 1),
        "setups": results,
    }


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for setup in result["setups"]:
        for level in setup["levels"]:
            chat, echo = level["chat"], level["baseline_echo"]
            rows.append((
                "connections",
                f"{setup['setup']}, {level['connections']} idle sockets: open after "
                f"{chat['idle_seconds']:.0f} s {chat['open_after_idle']}, pinged "
                f"{chat['sample_answered']}/{chat['sample_pinged']}; KiB per connection",
                f"{chat['kib_per_connection']} KiB",
                f"echo {echo['kib_per_connection']} KiB (open {echo['open_after_idle']})",
                f"{level['ratio_memory']}x",
            ))  # fmt: skip
    return rows


if __name__ == "__main__":
    from benchmarks.run import run_one

    run_one(sys.modules[__name__])
