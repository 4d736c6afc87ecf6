"""routing: assignments per second through the real routing service from 8 concurrent workers,
against a bare dequeue of the same number of rows in the same run and on the same database, and
the time of one routing decision with 1,000 agents online and 10,000 conversations waiting.

On the embedded default (a scratch SQLite file: the dequeue is one `UPDATE ... RETURNING` in an
IMMEDIATE transaction, as SQLite has no row locks) and, with DATABASE_URL on PostgreSQL and
REDIS_URL, in production (a scratch database, dropped afterwards: the dequeue is
`SELECT ... FOR UPDATE SKIP LOCKED`).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.wsbench import EMBEDDED, setups  # noqa: E402
from tests.support.server import manage  # noqa: E402

WORKERS = 8
ROWS = 200


def skip_locked_dequeue(database: str) -> dict[str, float]:
    """The floor: 8 threads taking rows off a queue table with SKIP LOCKED, nothing else."""
    import psycopg

    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute("CREATE TABLE bench_queue (id serial PRIMARY KEY, taken int)")
        connection.execute(
            "INSERT INTO bench_queue (taken) SELECT NULL FROM generate_series(1, %s)", (ROWS,)
        )

    def worker(number: int) -> None:
        with psycopg.connect(database, autocommit=True) as connection:
            while connection.execute(
                "UPDATE bench_queue SET taken = %s WHERE id = (SELECT id FROM bench_queue"
                " WHERE taken IS NULL ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING id",
                (number,),
            ).fetchone():
                pass

    return _timed_threads(worker)


def _timed_threads(worker: Callable[[int], None]) -> dict[str, float]:
    """Run `worker` on WORKERS threads until the ROWS rows are taken: how fast."""
    threads = [threading.Thread(target=worker, args=(number,)) for number in range(WORKERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"rows": ROWS, "seconds": round(seconds, 3), "per_second": round(ROWS / seconds, 1)}


DECISION_SCRIPT = """
import json, statistics, time
from django.contrib.auth import get_user_model
from django.utils import timezone
from agents.models import Agent
from helpdesk.models import Conversation, Customer
from routing.services import conversation_route
users = get_user_model().objects.bulk_create(
    get_user_model()(username=f"bench-{i}") for i in range(1000))
Agent.objects.bulk_create(Agent(user=u, display_name=u.username, presence="online",
    max_concurrent=3, languages="en") for u in users)
customer = Customer.objects.create(name="bench")
now = timezone.now()
Conversation.objects.bulk_create(Conversation(customer=customer, status="waiting",
    language="en", escalated_at=now, queue_key=now) for _ in range(10000))
ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True)[:50])
times = []
for conversation_id in ids:
    started = time.perf_counter()
    assert conversation_route(conversation_id=conversation_id).assigned is not None
    times.append((time.perf_counter() - started) * 1000)
print(json.dumps({"p50_ms": round(statistics.median(times), 2),
                  "max_ms": round(max(times), 2), "decisions": len(times)}))
"""


def sqlite_dequeue(path: str) -> dict[str, float]:
    """The floor on the embedded default: 8 threads taking rows off a queue table, each take
    one statement in a transaction that holds SQLite's write lock (as the project's do)."""
    import sqlite3

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(path, timeout=20, isolation_level=None, check_same_thread=False)

    with connect() as connection:
        connection.execute("CREATE TABLE bench_queue (id integer PRIMARY KEY, taken int)")
        connection.executemany("INSERT INTO bench_queue (taken) VALUES (NULL)", [()] * ROWS)

    def worker(number: int) -> None:
        connection = connect()
        try:
            while True:
                connection.execute("BEGIN IMMEDIATE")
                row = connection.execute(
                    "UPDATE bench_queue SET taken = ? WHERE id = (SELECT id FROM bench_queue"
                    " WHERE taken IS NULL ORDER BY id LIMIT 1) RETURNING id",
                    (number,),
                ).fetchone()
                connection.execute("COMMIT")
                if row is None:
                    return
        finally:
            connection.close()

    return _timed_threads(worker)


def floor_name(setup: str) -> str:
    return "dequeue" if setup == EMBEDDED else "SKIP LOCKED dequeue"


def dequeue_floor(setup: str, env: dict[str, str]) -> dict[str, float]:
    """The bare dequeue on the set-up's own database."""
    if setup == EMBEDDED:
        return sqlite_dequeue(env["SQLITE_PATH"])
    return skip_locked_dequeue(env["DATABASE_URL"])


def measure(setup: str, env: dict[str, str]) -> dict[str, Any]:
    baseline = dequeue_floor(setup, env)
    arguments = ["--agents", "20", "--capacity", "3", "--escalations", str(ROWS)]
    stress = json.loads(manage("routing_stress", *arguments, "--workers", str(WORKERS), env=env))
    decision = json.loads(manage("shell", "-c", DECISION_SCRIPT, env=env).strip().splitlines()[-1])
    routed_per_second = ROWS / stress["seconds"]
    return {
        "setup": setup,
        "stress": stress,
        "routing_decisions_per_second": round(routed_per_second, 1),
        "baseline_dequeue": baseline,
        "ratio": round(baseline["per_second"] / routed_per_second, 1),
        "one_decision_1000_agents_10000_waiting": decision,
    }


def main() -> dict[str, Any]:
    with setups() as found:
        return {"name": "routing", "setups": [measure(setup, env) for setup, env, _ in found]}


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for each in result["setups"]:
        stress, baseline = each["stress"], each["baseline_dequeue"]
        decision = each["one_decision_1000_agents_10000_waiting"]
        floor = floor_name(each["setup"])
        rows += [
            (
                "routing",
                f"{each['setup']}: {ROWS} escalations, 8 workers: routed/s (assigned "
                f"{stress['assigned']}, over capacity {stress['over_capacity']})",
                f"{each['routing_decisions_per_second']:.1f}/s",
                f"{floor} {baseline['per_second']:.1f}/s",
                f"{each['ratio']:.1f}x slower",
            ),
            (
                "routing",
                f"{each['setup']}: one decision, 1,000 agents online, 10,000 waiting (p50 / max)",
                f"{decision['p50_ms']:.1f} / {decision['max_ms']:.1f} ms",
                "",
                "",
            ),
        ]
    return rows


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
