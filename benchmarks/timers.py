"""timers: wait updates run per second through the real timer code (lease, lock, post the
update, schedule the next, mark done) from 8 concurrent workers, against a bare dequeue of as
many rows on the same database in the same run (benchmarks.routing: `SKIP LOCKED` on
PostgreSQL, one `UPDATE ... RETURNING` under the write lock on the embedded SQLite); and a check
that every waiting customer got exactly one update.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.routing import WORKERS, dequeue_floor, floor_name  # noqa: E402
from benchmarks.wsbench import setups  # noqa: E402
from tests.support.server import manage  # noqa: E402

TIMERS = 200

SWEEP_SCRIPT = """
import json, threading, time
from django.db import connection
from django.utils import timezone
from escalation.models import Timer
from escalation.timers import timer_run, timers_claim
from helpdesk.models import Conversation, Customer, Message
customer = Customer.objects.create(name="bench")
now = timezone.now()
conversations = Conversation.objects.bulk_create(
    Conversation(customer=customer, status="waiting", language="en", escalated_at=now,
                 queue_key=now) for _ in range(%(timers)d))
Timer.objects.bulk_create(
    Timer(kind="wait_update", key=f"bench:{c.pk}", conversation=c, due_at=now,
          payload={"number": 1}) for c in conversations)

def worker():
    try:
        while ids := timers_claim(limit=5):
            for timer_id in ids:
                timer_run(timer_id=timer_id)
    finally:
        connection.close()

threads = [threading.Thread(target=worker) for _ in range(%(workers)d)]
started = time.perf_counter()
for thread in threads: thread.start()
for thread in threads: thread.join()
seconds = time.perf_counter() - started
updates = Message.objects.filter(conversation__customer=customer, author_kind="assistant")
per_conversation = set(updates.values_list("conversation_id", flat=True))
print(json.dumps({"timers": %(timers)d, "seconds": round(seconds, 3),
    "per_second": round(%(timers)d / seconds, 1), "updates": updates.count(),
    "conversations_updated": len(per_conversation),
    "next_updates_scheduled": Timer.objects.filter(done_at__isnull=True).count()}))
"""


def measure(setup: str, env: dict[str, str]) -> dict[str, Any]:
    baseline = dequeue_floor(setup, env)
    script = SWEEP_SCRIPT % {"timers": TIMERS, "workers": WORKERS}
    run = json.loads(manage("shell", "-c", script, env=env).strip().splitlines()[-1])
    return {
        "setup": setup,
        "run": run,
        "timers_per_second": run["per_second"],
        "baseline_dequeue": baseline,
        "ratio": round(baseline["per_second"] / run["per_second"], 1),
        "exactly_once": run["updates"] == run["conversations_updated"] == TIMERS,
    }


def main() -> dict[str, Any]:
    with setups() as found:
        return {"name": "timers", "setups": [measure(setup, env) for setup, env, _ in found]}


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for each in result["setups"]:
        run, baseline = each["run"], each["baseline_dequeue"]
        floor = floor_name(each["setup"])
        rows.append(
            (
                "timers",
                f"{each['setup']}: {TIMERS} due wait updates, {WORKERS} workers: run/s (each "
                f"customer updated once: {each['exactly_once']})",
                f"{run['per_second']:.1f}/s",
                f"{floor} {baseline['per_second']:.1f}/s",
                f"{each['ratio']:.1f}x slower",
            )
        )
    return rows


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
