"""timers: wait updates run per second through the real timer code (lease, lock, post the
update, schedule the next, mark done) from 8 concurrent workers, against a bare
`SELECT ... FOR UPDATE SKIP LOCKED` dequeue of as many rows in the same run; and a check that
every waiting customer got exactly one update. PostgreSQL only (a scratch database).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.chat_roundtrip import scratch_postgres  # noqa: E402
from benchmarks.routing import WORKERS, skip_locked_dequeue  # noqa: E402
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


def main() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("timers: skipped, needs DATABASE_URL on PostgreSQL")
        return {"name": "timers", "skipped": "needs DATABASE_URL on PostgreSQL"}
    database, drop = scratch_postgres(url)
    try:
        env = {**os.environ, "DATABASE_URL": database, "HELPDESK_TICKER": "false"}
        manage("migrate", "-v", "0", env=env)
        baseline = skip_locked_dequeue(database)
        script = SWEEP_SCRIPT % {"timers": TIMERS, "workers": WORKERS}
        run = json.loads(manage("shell", "-c", script, env=env).strip().splitlines()[-1])
    finally:
        drop()
    return {
        "name": "timers",
        "run": run,
        "timers_per_second": run["per_second"],
        "baseline_skip_locked_dequeue": baseline,
        "ratio": round(baseline["per_second"] / run["per_second"], 1),
        "exactly_once": run["updates"] == run["conversations_updated"] == TIMERS,
    }


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    if "skipped" in result:
        return [("timers", "skipped", result["skipped"], "", "")]
    run, baseline = result["run"], result["baseline_skip_locked_dequeue"]
    return [
        (
            "timers",
            f"{TIMERS} due wait updates, {WORKERS} workers: run/s (each customer updated "
            f"once: {result['exactly_once']})",
            f"{run['per_second']:.1f}/s",
            f"SKIP LOCKED dequeue {baseline['per_second']:.1f}/s",
            f"{result['ratio']:.1f}x slower",
        )
    ]


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
