"""scale_out: what two uvicorn processes behind one address carry against one, on PostgreSQL and
channels-redis with the same Celery workers (benchmarks/stack.py: SO_REUSEPORT, no proxy).

The same customers as chat_roundtrip (each their own conversation, every question different,
the next asked once the reply came) at SCALE_CLIENTS clients, and the layer echo at as many
clients on the same processes, first on one process, then on two. The headline is the ratio of
questions answered per second, two processes over one; the cores each side used are recorded,
because on a small machine the processes share the cores with PostgreSQL, Redis, the workers
and the benchmark's own client.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.chat_roundtrip import (  # noqa: E402
    APP,
    CELERY_CONCURRENCY,
    CELERY_WORKERS,
    QUESTIONS,
    WARMUP_CLIENTS,
    WARMUP_QUESTIONS,
    Target,
    prepare,
    run_chat,
    run_echo,
)
from benchmarks.questions import QuestionBank  # noqa: E402
from benchmarks.stack import Servers, Workers  # noqa: E402
from benchmarks.wsbench import raise_fd_limit, setups  # noqa: E402

SCALE_CLIENTS = int(os.environ.get("BENCH_SCALE_CLIENTS", "100"))
PROCESSES = [1, 2]


def run(processes: int, env: dict[str, str], scratch: Path, workers: Workers,
        conversations: list[tuple[str, str]], seed: int) -> dict[str, Any]:  # fmt: skip
    servers = Servers(processes, env, scratch, APP)
    servers.start()
    try:
        target = Target(servers.url, servers.pids, workers.pids)
        frames = [
            json.dumps({"type": "message", "body": q, "client_id": uuid.uuid4().hex})
            for q in QuestionBank(seed=seed + 1).conversation(50)
        ]
        warm, mine = conversations[:WARMUP_CLIENTS], conversations[WARMUP_CLIENTS:]
        asyncio.run(run_chat(target, warm, QuestionBank(seed=seed + 2), WARMUP_QUESTIONS))
        layer = asyncio.run(run_echo(target, "layer", SCALE_CLIENTS, frames))
        chat = asyncio.run(run_chat(target, mine, QuestionBank(seed=seed), QUESTIONS))
    finally:
        servers.stop()
    print(f"scale_out: {processes} process(es) chat {chat} layer {layer}", file=sys.stderr)
    return {"processes": processes, "chat": chat, "baseline_layer_echo": layer}


def main() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        print("scale_out: skipped, needs DATABASE_URL on PostgreSQL and REDIS_URL")
        return {"name": "scale_out", "skipped": "needs DATABASE_URL on PostgreSQL and REDIS_URL"}
    raise_fd_limit(4 * SCALE_CLIENTS + 1024)
    started = time.perf_counter()
    per_run = WARMUP_CLIENTS + SCALE_CLIENTS
    with setups(embedded=False) as found:
        _, env, scratch = found[0]
        env = {**env, "TURN_RUNNER": "celery"}
        conversations = prepare(env, per_run * len(PROCESSES))
        workers = Workers(CELERY_WORKERS, CELERY_CONCURRENCY, env, scratch)
        workers.start()
        try:
            runs = [
                run(
                    n, env, scratch, workers, conversations[i * per_run : (i + 1) * per_run], 21 + i
                )
                for i, n in enumerate(PROCESSES)
            ]
        finally:
            workers.stop()
    one, two = runs
    return {
        "name": "scale_out",
        "process": (
            "PostgreSQL + channels-redis, TURN_RUNNER=celery; 1 then 2 uvicorn processes on one"
            " address (SO_REUSEPORT); the same Celery workers; one client process"
        ),
        "clients": SCALE_CLIENTS,
        "celery_workers": f"{CELERY_WORKERS} x concurrency {CELERY_CONCURRENCY}",
        "cores": os.cpu_count(),
        "seconds": round(time.perf_counter() - started, 1),
        "runs": runs,
        "ratio_throughput_2_over_1": round(
            two["chat"]["per_second"] / one["chat"]["per_second"], 2
        ),
        "ratio_layer_echo_throughput_2_over_1": round(
            two["baseline_layer_echo"]["per_second"] / one["baseline_layer_echo"]["per_second"], 2
        ),
    }


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    if "skipped" in result:
        return [("scale_out", "skipped", result["skipped"], "", "")]
    rows = []
    for run in result["runs"]:
        chat, layer = run["chat"], run["baseline_layer_echo"]
        rows.append((
            "scale_out",
            f"{run['processes']} uvicorn process(es), {result['clients']} clients: questions"
            f" answered per second (ack p50 {chat['ack_p50_ms']:.0f} ms, reply"
            f" {chat['reply_p50_ms']:.0f} ms)",
            f"{chat['per_second']:.1f}/s",
            f"layer echo {layer['per_second']:.1f}/s",
            f"{chat['per_second'] / layer['per_second']:.3f}x",
        ))  # fmt: skip
    rows.append((
        "scale_out", "2 processes over 1: questions answered per second",
        f"{result['ratio_throughput_2_over_1']}x",
        f"layer echo {result['ratio_layer_echo_throughput_2_over_1']}x", "",
    ))  # fmt: skip
    return rows


if __name__ == "__main__":
    from benchmarks.run import run_one

    run_one(sys.modules[__name__])
