"""chat_roundtrip: the path customers take. Each simulated customer has a conversation of their
own and asks store questions one after another, every question different (benchmarks/questions.py:
the loop trigger never fires, no conversation is handed over), waiting for the assistant's reply
before asking the next, as people do. Per question: the ack (send to the server's ack, which comes
once the message is committed) and the reply after the ack (ack to the assistant's answer).

Two baselines in the same run, on the same server process(es) and channel layer, with frames of
the same size (benchmarks/echo_asgi.py):
- the layer echo: each frame `group_send` through the channel layer and written back, what any
  message that must reach the other side costs at least;
- the direct echo: each frame written back to its own socket.

At 10, 50 and 200 clients, for the embedded default (SQLite, in-memory layer, turns in the web
process) and production (PostgreSQL, channels-redis, TURN_RUNNER=celery with Celery workers the
benchmark starts). A level stops asking after CHAT_SECONDS (clients finish the question they are
on); throughput is questions answered per second of the level.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.questions import QuestionBank  # noqa: E402
from benchmarks.stack import Servers, Workers, cpu_seconds  # noqa: E402
from benchmarks.wsbench import (  # noqa: E402
    CHAT_COOKIE,
    PRODUCTION,
    bounded,
    close_all,
    connect,
    raise_fd_limit,
    scratch_postgres,
    setup_script,
    setups,
)
from tests.support.server import manage  # noqa: E402

# Other benchmarks import these from here.
__all__ = ["CHAT_COOKIE", "scratch_postgres"]

LEVELS = [int(n) for n in os.environ.get("BENCH_CHAT_CLIENTS", "10,50,200").split(",")]
QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "20"))  # per customer, at most
CHAT_SECONDS = float(os.environ.get("BENCH_CHAT_SECONDS", "15"))
ECHO_SECONDS = float(os.environ.get("BENCH_ECHO_SECONDS", "4"))
CELERY_WORKERS = int(os.environ.get("BENCH_CELERY_WORKERS", "1"))
CELERY_CONCURRENCY = int(os.environ.get("BENCH_CELERY_CONCURRENCY", "2"))
REPLY_TIMEOUT = 60.0  # a question unanswered by then counts as lost
WARMUP_CLIENTS, WARMUP_QUESTIONS = 6, 2  # load the model in every process before timing
APP = "benchmarks.echo_asgi:application"

# The targets (issue 15, "How fast"): ack against the layer echo, reply after the ack.
TARGET_RATIO_P50 = 2.0
TARGET_RATIO_THROUGHPUT = 0.5
TARGET_REPLY_P50_MS = {10: 50.0, 50: 200.0}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def figures(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples, 0.5), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
    }


@dataclass
class Tally:
    acks: list[float] = field(default_factory=list)  # ms, send to ack
    replies: list[float] = field(default_factory=list)  # ms, ack to the assistant's reply
    escalated: int = 0  # conversations handed to a person (the benchmark must not cause any)
    lost: int = 0  # questions with no ack or no reply within REPLY_TIMEOUT
    errors: list[str] = field(default_factory=list)


async def ask(socket: ClientConnection, body: str, tally: Tally) -> bool:
    """One question: send, wait for our ack and then the assistant's reply. False: stop asking."""
    client_id = uuid.uuid4().hex
    sent = time.perf_counter()
    await socket.send(json.dumps({"type": "message", "body": body, "client_id": client_id}))
    acked = replied = None
    # A reply read before our ack waits until the ack gives our message's number.
    seq, early = None, list[tuple[int, float]]()
    try:
        async with asyncio.timeout(REPLY_TIMEOUT):
            while replied is None:
                frame = json.loads(await socket.recv())
                now, kind = time.perf_counter(), frame.get("type")
                if kind == "ack" and frame.get("client_id") == client_id:
                    acked, seq = now, frame["message"]["seq"]
                    replied = next((at for number, at in early if number > seq), None)
                elif kind == "message" and frame["message"]["author_kind"] == "assistant":
                    if seq is None:
                        early.append((frame["message"]["seq"], now))
                    elif frame["message"]["seq"] > seq:
                        replied = now
                elif kind == "status" and frame.get("status") != "assistant":
                    tally.escalated += 1
                    return False
                elif kind == "error":
                    tally.errors.append(f"{frame.get('code')}: {frame.get('message')}")
                    return False
    except TimeoutError:
        tally.lost += 1
        return False
    assert acked is not None
    tally.acks.append((acked - sent) * 1000)
    tally.replies.append((replied - acked) * 1000)
    return True


async def customer(socket: ClientConnection, questions: Iterator[str], deadline: float, tally: Tally) -> None:  # fmt: skip
    for body in questions:
        if time.perf_counter() >= deadline or not await ask(socket, body, tally):
            return


async def echo_client(socket: ClientConnection, frames: list[str], deadline: float, samples: list[float]) -> None:  # fmt: skip
    index = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        await socket.send(frames[index % len(frames)])
        await socket.recv()
        samples.append((time.perf_counter() - started) * 1000)
        index += 1


async def open_socket(url: str, origin: str, cookie: str, welcome: bool) -> ClientConnection:
    socket = await connect(url, origin, cookie)
    if welcome:
        frame = json.loads(await socket.recv())
        assert frame["type"] == "welcome", frame
    return socket


@dataclass
class Target:
    """Where a level's clients connect, and the processes whose CPU time is counted."""

    url: str
    web_pids: list[int]
    worker_pids: list[int]


def cpu(target: Target) -> tuple[float, float, float]:
    web = sum(cpu_seconds(pid) for pid in target.web_pids)
    workers = sum(cpu_seconds(pid) for pid in target.worker_pids)
    return web, workers, time.process_time()


Work = Callable[[list[ClientConnection], float], Awaitable[object]]


async def timed(target: Target, places: list[tuple[str, str]], chat: bool, work: Work) -> dict[str, Any]:  # fmt: skip
    """Open every socket first, then run every client at once until the deadline: the seconds
    it took and the cores each side used meanwhile."""
    opening = [partial(open_socket, url, target.url, cookie, chat) for url, cookie in places]
    sockets = await bounded(opening)
    before = cpu(target)
    started = time.perf_counter()
    try:
        await work(sockets, started + (CHAT_SECONDS if chat else ECHO_SECONDS))
        elapsed = time.perf_counter() - started
    finally:
        await close_all(sockets)
    used = [(after - start) / elapsed for start, after in zip(before, cpu(target), strict=True)]
    cores = dict(zip(("web", "workers", "client"), (round(n, 2) for n in used), strict=True))
    return {"seconds": round(elapsed, 1), "cores": cores}


async def run_echo(target: Target, kind: str, clients: int, frames: list[str]) -> dict[str, Any]:
    """The direct echo ("direct") or the layer echo ("layer") at `clients` clients."""
    ws = target.url.replace("http", "ws", 1)
    url = f"{ws}/ws/{'echo' if kind == 'direct' else 'layer-echo'}/"
    samples: list[float] = []

    async def work(sockets: list[ClientConnection], deadline: float) -> object:
        return await asyncio.gather(*(echo_client(s, frames, deadline, samples) for s in sockets))

    run = await timed(target, [(url, "")] * clients, False, work)
    per_second = round(len(samples) / run["seconds"], 1)
    return {**figures(samples), "round_trips": len(samples), "per_second": per_second, **run}


async def run_chat(
    target: Target, conversations: list[tuple[str, str]], bank: QuestionBank, questions: int
) -> dict[str, Any]:
    """One customer per conversation, each asking up to `questions` questions."""
    ws = target.url.replace("http", "ws", 1)
    places = [(f"{ws}/ws/chat/{pid}/", f"{CHAT_COOKIE}={token}") for pid, token in conversations]
    tally = Tally()

    async def work(sockets: list[ClientConnection], deadline: float) -> object:
        clients = (customer(s, bank.conversation(questions), deadline, tally) for s in sockets)
        return await asyncio.gather(*clients)

    run = await timed(target, places, True, work)
    return {
        "ack_p50_ms": figures(tally.acks)["p50_ms"],
        "ack_p95_ms": figures(tally.acks)["p95_ms"],
        "reply_p50_ms": figures(tally.replies)["p50_ms"],
        "reply_p95_ms": figures(tally.replies)["p95_ms"],
        "answered": len(tally.replies),
        "per_second": round(len(tally.replies) / run["seconds"], 1),
        "escalated": tally.escalated,
        "lost": tally.lost,
        "errors": tally.errors[:5],
        **run,
    }


def compare(clients: int, chat: dict[str, Any], layer: dict[str, Any], direct: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    ratio_p50 = round(chat["ack_p50_ms"] / layer["p50_ms"], 2) if layer["p50_ms"] else None
    ratio_throughput = round(chat["per_second"] / layer["per_second"], 3)
    targets = {
        f"ack p50 <= {TARGET_RATIO_P50:g}x layer echo": ratio_p50 is not None and ratio_p50 <= TARGET_RATIO_P50,
        f"throughput >= {TARGET_RATIO_THROUGHPUT:g}x layer echo": ratio_throughput >= TARGET_RATIO_THROUGHPUT,
    }  # fmt: skip
    if clients in TARGET_REPLY_P50_MS:
        limit = TARGET_REPLY_P50_MS[clients]
        targets[f"reply p50 <= {limit:g} ms after the ack"] = chat["reply_p50_ms"] <= limit
    clean = chat["escalated"] == 0 and chat["lost"] == 0 and not chat["errors"]
    targets["no escalation, nothing lost"] = clean
    return {
        "clients": clients,
        "chat": chat,
        "baseline_layer_echo": layer,
        "baseline_direct_echo": direct,
        "ratio_p50": ratio_p50,
        "ratio_throughput": ratio_throughput,
        "ratio_p50_direct": round(chat["ack_p50_ms"] / direct["p50_ms"], 2) if direct["p50_ms"] else None,
        "reply_p50_ms": chat["reply_p50_ms"],
        "reply_p95_ms": chat["reply_p95_ms"],
        "targets": targets,
    }  # fmt: skip


CONVERSATIONS_SCRIPT = """
import json
from helpdesk.chattoken import make_chat_token
from helpdesk.models import Customer
try:
    from helpdesk.flows import conversation_open
except ImportError:  # before the flows module (issue 15)
    from helpdesk.services import conversation_start as conversation_open
out = []
for i in range(%(count)d):
    customer = Customer.objects.create(name=f"Bench {i}")
    c = conversation_open(customer=customer, language="en")
    out.append([str(c.public_id), make_chat_token(customer_id=c.customer_id, conversation=str(c.public_id))])
print(json.dumps(out))
"""

SUMMARY_SCRIPT = """
import json
from django.conf import settings
from escalation.models import Escalation
from helpdesk.models import Conversation, ConversationEvent, Message
bench = Conversation.objects.filter(customer__name__startswith="Bench ")
messages = Message.objects.filter(conversation__in=bench)
print(json.dumps({
    "turn_runner": getattr(settings, "TURN_RUNNER", "(no such setting: the turn runs after the ack on the web process)"),
    "conversations": bench.count(),
    "handed_over": bench.exclude(status="assistant").count(),
    "customer_messages": messages.filter(author_kind="customer").count(),
    "assistant_messages": messages.filter(author_kind="assistant").count(),
    # Why any was handed over: the trigger, the words and the customer's lines before them,
    # or a turn that kept failing.
    "handovers": [
        {"rule": e.rule, "category": e.category, "said": e.message.body if e.message else None,
         "before": list(messages.filter(conversation=e.conversation_id, author_kind="customer",
                                        seq__lt=e.message.seq if e.message else 0)
                        .order_by("seq").values_list("body", flat=True))}
        for e in Escalation.objects.filter(conversation__in=bench).select_related("message")
    ],
    "turns_failed": ConversationEvent.objects.filter(
        conversation__in=bench, kind="assistant.turn_failed").count(),
}))
"""


def prepare(env: dict[str, str], count: int) -> list[tuple[str, str]]:
    """The demo store (its articles and intents, so the assistant can answer), and `count`
    conversations opened through the product's own service: (public id, chat token)."""
    manage("seed_demo", env={**env, "CELERY_TASK_ALWAYS_EAGER": "true"})
    return [tuple(pair) for pair in json.loads(setup_script(env, CONVERSATIONS_SCRIPT % {"count": count}))]  # fmt: skip


def chat_levels(target: Target, conversations: list[tuple[str, str]], levels: list[int], seed: int) -> list[dict[str, Any]]:  # fmt: skip
    """Warm up, then per level the direct echo, the layer echo and the chat, in that order."""
    bank = QuestionBank(seed=seed)
    frames = [json.dumps({"type": "message", "body": q, "client_id": uuid.uuid4().hex}) for q in QuestionBank(seed=seed + 1).conversation(50)]  # fmt: skip
    warm, conversations = conversations[:WARMUP_CLIENTS], conversations[WARMUP_CLIENTS:]
    warm_bank = QuestionBank(seed=seed + 2)
    asyncio.run(run_chat(target, warm, warm_bank, WARMUP_QUESTIONS))
    results = []
    for clients in levels:
        direct = asyncio.run(run_echo(target, "direct", clients, frames))
        layer = asyncio.run(run_echo(target, "layer", clients, frames))
        mine, conversations = conversations[:clients], conversations[clients:]
        chat = asyncio.run(run_chat(target, mine, bank, QUESTIONS))
        results.append(compare(clients, chat, layer, direct))
        print(f"chat_roundtrip: {clients} clients {json.dumps(results[-1])}", file=sys.stderr)
    return results


def measure(label: str, env: dict[str, str], scratch: Path) -> dict[str, Any]:
    production = label == PRODUCTION
    if production:
        env = {**env, "TURN_RUNNER": "celery"}
    conversations = prepare(env, WARMUP_CLIENTS + sum(LEVELS))
    workers = Workers(CELERY_WORKERS, CELERY_CONCURRENCY, env, scratch)
    servers = Servers(1, env, scratch, APP)
    try:
        if production:
            workers.start()
        servers.start()
        target = Target(servers.url, servers.pids, workers.pids)
        levels = chat_levels(target, conversations, LEVELS, seed=11)
    finally:
        servers.stop()
        workers.stop()
    summary = json.loads(setup_script(env, SUMMARY_SCRIPT))
    # Exactly once as the customer sees it: one answer per question, none handed over.
    summary["one_reply_each"] = summary["assistant_messages"] == summary["customer_messages"]
    workers_note = f"{CELERY_WORKERS} x concurrency {CELERY_CONCURRENCY}" if production else "none"
    return {"setup": label, "celery_workers": workers_note, "database": summary, "levels": levels}


def main() -> dict[str, Any]:
    raise_fd_limit(4 * max(LEVELS) + 1024)
    started = time.perf_counter()
    with setups() as found:
        results = [measure(label, env, scratch) for label, env, scratch in found]
    return {
        "name": "chat_roundtrip",
        "process": (
            "one uvicorn process; each client its own conversation, every question different,"
            " the next asked once the reply came; baselines on the same process and layer:"
            " layer echo (group_send and back) and direct echo"
        ),
        "questions_per_client": QUESTIONS,
        "chat_seconds_per_level": CHAT_SECONDS,
        "echo_seconds_per_level": ECHO_SECONDS,
        "seconds": round(time.perf_counter() - started, 1),
        "setups": results,
    }


def verdict(level: dict[str, Any]) -> str:
    failed = [name for name, ok in level["targets"].items() if not ok]
    return "pass" if not failed else "FAIL: " + "; ".join(failed)


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for setup in result["setups"]:
        for level in setup["levels"]:
            chat, layer = level["chat"], level["baseline_layer_echo"]
            direct = level["baseline_direct_echo"]
            where = f"{setup['setup']}, {level['clients']} clients"
            rows += [
                ("chat_roundtrip", f"{where}: ack p50 / p95",
                 f"{chat['ack_p50_ms']:.2f} / {chat['ack_p95_ms']:.2f} ms",
                 f"layer echo {layer['p50_ms']:.2f} / {layer['p95_ms']:.2f} ms; direct {direct['p50_ms']:.2f}",
                 f"{level['ratio_p50']}x (direct {level['ratio_p50_direct']}x)"),
                ("chat_roundtrip", f"{where}: questions answered per second",
                 f"{chat['per_second']:.1f}/s", f"layer echo {layer['per_second']:.1f}/s",
                 f"{level['ratio_throughput']}x"),
                ("chat_roundtrip", f"{where}: reply after the ack p50 / p95 ({verdict(level)})",
                 f"{chat['reply_p50_ms']:.1f} / {chat['reply_p95_ms']:.1f} ms", "", ""),
            ]  # fmt: skip
    return rows


if __name__ == "__main__":
    from benchmarks.run import run_one

    run_one(sys.modules[__name__])
