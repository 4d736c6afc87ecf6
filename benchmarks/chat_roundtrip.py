"""chat_roundtrip: a customer message stored and acknowledged over the websocket, p50/p99 at
rising concurrency, against a bare Channels echo consumer on the same uvicorn process.

Each simulated customer has a conversation of their own and sends store questions one after another,
timing each from send to the server's ack (which comes only after the row is committed).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import websockets
from websockets.typing import Origin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.server import AsgiServer, embedded_env  # noqa: E402

CONCURRENCY = [1, 10, 50]
CHAT_COOKIE = "hd_chat"
# Real questions, so the assistant analyses and answers each one (until a conversation is handed
# over, after which it stays quiet): the ack of the next message waits behind that work.
QUESTIONS = [
    "Where is my order?",
    "Do you ship to Canada?",
    "How do I reset my password?",
    "Can I pay with PayPal?",
    "How do I subscribe to the newsletter?",
]
MESSAGES_PER_CLIENT = int(os.environ.get("BENCH_MESSAGES", "40"))


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def one_client(target: tuple[str, str], origin: str, frame_for: Any) -> list[float]:
    url, cookie = target
    timings = []
    headers = {"Cookie": cookie} if cookie else {}
    async with websockets.connect(
        url, origin=Origin(origin), compression=None, additional_headers=headers
    ) as socket:
        for index in range(MESSAGES_PER_CLIENT):
            frame = frame_for(index)
            started = time.perf_counter()
            await socket.send(frame)
            while True:  # skip welcome / broadcast frames until our answer arrives
                answer = json.loads(await socket.recv())
                if answer.get("type") in {"ack", "echo"}:
                    break
            timings.append((time.perf_counter() - started) * 1000)
    return timings


async def run_level(targets: list[tuple[str, str]], origin: str, chat: bool) -> dict[str, float]:
    """Every client at once; each target is (websocket URL, Cookie header or "")."""

    def frame_for(index: int) -> str:
        if chat:
            body = QUESTIONS[index % len(QUESTIONS)]
            return json.dumps({"type": "message", "body": body, "client_id": uuid.uuid4().hex})
        return json.dumps({"type": "echo", "body": f"message {index}"})

    started = time.perf_counter()
    results = await asyncio.gather(*(one_client(target, origin, frame_for) for target in targets))
    elapsed = time.perf_counter() - started
    samples = [t for client in results for t in client]
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p99_ms": round(percentile(samples, 0.99), 3),
        "per_second": round(len(samples) / elapsed, 1),
    }


def create_conversations(env: dict[str, str], count: int) -> list[tuple[str, str]]:
    """Conversations and tokens, made through the product's own services in a subprocess."""
    script = (
        "import django, json; django.setup();"
        "from helpdesk.models import Customer; from helpdesk.services import conversation_start;"
        "from helpdesk.chattoken import make_chat_token;"
        f"out=[];\nfor i in range({count}):\n"
        " c=conversation_start(customer=Customer.objects.create(name=f'Bench {i}'));"
        " out.append((str(c.public_id), make_chat_token(customer_id=c.customer_id, conversation=str(c.public_id))))\n"
        "print(json.dumps(out))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "helpdesk.settings"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [tuple(pair) for pair in json.loads(result.stdout.strip().splitlines()[-1])]


def measure(env: dict[str, str], scratch: Path) -> list[dict[str, Any]]:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    conversations = create_conversations(env, max(CONCURRENCY))
    server = AsgiServer(scratch / "uvicorn.log", env=env, app="benchmarks.echo_asgi:application")
    server.start()
    levels = []
    try:
        ws = server.url.replace("http", "ws")
        for clients in CONCURRENCY:
            # The chat token travels in the cookie /chat/ sets, as in a browser.
            customers = [
                (f"{ws}/ws/chat/{pid}/", f"{CHAT_COOKIE}={token}")
                for pid, token in conversations[:clients]
            ]
            echo = asyncio.run(
                run_level([(f"{ws}/ws/echo/", "")] * clients, server.url, chat=False)
            )
            chat = asyncio.run(run_level(customers, server.url, chat=True))
            levels.append(
                {
                    "clients": clients,
                    "chat": chat,
                    "baseline_echo": echo,
                    "ratio_p50": round(chat["p50_ms"] / echo["p50_ms"], 2),
                    "ratio_throughput": round(chat["per_second"] / echo["per_second"], 3),
                }
            )
    finally:
        server.stop()
    return levels


def scratch_postgres(url: str) -> tuple[str, Any]:
    """A throw-away database on the configured PostgreSQL server, and how to drop it."""
    import psycopg

    parsed = urlsplit(url)
    name = f"helpdesk_bench_{os.getpid()}"
    admin_url = urlunsplit(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parsed._replace(path=f"/{name}")), drop


def main() -> dict[str, Any]:
    setups = []
    base = {"HELPDESK_TICKER": "false", "CHAT_RATE_LIMIT": "100000"}
    with tempfile.TemporaryDirectory() as scratch:
        env = embedded_env(Path(scratch) / "bench.sqlite3", **base)
        setups.append(
            {"setup": "embedded: SQLite, in-memory layer", "levels": measure(env, Path(scratch))}
        )
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        database, drop = scratch_postgres(os.environ["DATABASE_URL"])
        try:
            with tempfile.TemporaryDirectory() as scratch:
                env = {
                    **os.environ,
                    **base,
                    "DATABASE_URL": database,
                    "CHANNEL_LAYER_PREFIX": f"bench{os.getpid()}",
                }
                setups.append(
                    {
                        "setup": "production: PostgreSQL, channels-redis",
                        "levels": measure(env, Path(scratch)),
                    }
                )
        finally:
            drop()
    return {
        "name": "chat_roundtrip",
        "process": "one uvicorn process; each client its own conversation; baseline: bare echo consumer",
        "messages_per_client": MESSAGES_PER_CLIENT,
        "setups": setups,
    }


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for setup in result["setups"]:
        for level in setup["levels"]:
            chat, echo = level["chat"], level["baseline_echo"]
            rows.append((
                "chat_roundtrip",
                f"{setup['setup']}, {level['clients']} clients, p50/p99",
                f"{chat['p50_ms']:.2f} / {chat['p99_ms']:.2f} ms",
                f"echo {echo['p50_ms']:.2f} / {echo['p99_ms']:.2f} ms",
                f"{level['ratio_p50']:.1f}x",
            ))  # fmt: skip
    return rows


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
