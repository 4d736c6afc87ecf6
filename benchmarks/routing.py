"""routing: assignments per second through the real routing service from 8 concurrent workers,
against a bare `SELECT ... FOR UPDATE SKIP LOCKED` dequeue of the same number of rows in the same
run, and the time of one routing decision with 1,000 agents online and 10,000 conversations
waiting. PostgreSQL only (a scratch database, dropped afterwards).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.chat_roundtrip import scratch_postgres  # noqa: E402
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


def main() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("routing: skipped, needs DATABASE_URL on PostgreSQL")
        return {"name": "routing", "skipped": "needs DATABASE_URL on PostgreSQL"}
    database, drop = scratch_postgres(url)
    try:
        env = {**os.environ, "DATABASE_URL": database, "HELPDESK_TICKER": "false"}
        manage("migrate", "-v", "0", env=env)
        baseline = skip_locked_dequeue(database)
        arguments = ["--agents", "20", "--capacity", "3", "--escalations", str(ROWS)]
        stress = json.loads(
            manage("routing_stress", *arguments, "--workers", str(WORKERS), env=env)
        )
        decision = json.loads(
            manage("shell", "-c", DECISION_SCRIPT, env=env).strip().splitlines()[-1]
        )
    finally:
        drop()
    routed_per_second = ROWS / stress["seconds"]
    return {
        "name": "routing",
        "stress": stress,
        "routing_decisions_per_second": round(routed_per_second, 1),
        "baseline_skip_locked_dequeue": baseline,
        "ratio": round(baseline["per_second"] / routed_per_second, 1),
        "one_decision_1000_agents_10000_waiting": decision,
    }


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    if "skipped" in result:
        return [("routing", "skipped", result["skipped"], "", "")]
    stress, baseline = result["stress"], result["baseline_skip_locked_dequeue"]
    decision = result["one_decision_1000_agents_10000_waiting"]
    return [
        (
            "routing",
            f"{ROWS} escalations, 8 workers: routed/s (assigned {stress['assigned']}, "
            f"over capacity {stress['over_capacity']})",
            f"{result['routing_decisions_per_second']:.1f}/s",
            f"SKIP LOCKED dequeue {baseline['per_second']:.1f}/s",
            f"{result['ratio']:.1f}x slower",
        ),
        (
            "routing",
            "one decision, 1,000 agents online, 10,000 waiting (p50 / max)",
            f"{decision['p50_ms']:.1f} / {decision['max_ms']:.1f} ms",
            "",
            "",
        ),
    ]


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
