"""pages: the query count and time of each agent page with 10, then 200, conversations in the
database; the counts must not grow with the rows (ratio 1.0), and each page's p50 is set against a
bare Django view in the same run.

A `manage.py shell -c` script on a scratch database (SQLite for the embedded set-up; a scratch
PostgreSQL database when DATABASE_URL is set) builds the conversations through the product's own
services (the real turn handler escalates them, agents join, post, resolve and rate them, some get
a scheduled callback), signs a supervisor who is also an agent in with Django's test client, and
for each page does one warm GET (per-process caches), one GET under CaptureQueriesContext, then
REPEAT timed GETs. The same client then grows the data to 200 conversations and measures again.

Baseline: the same signed-in test client GETting a view that returns an empty HttpResponse,
mounted in front of the product's URLs (so the same middleware stack, session cookie and URL
resolver run): the floor of a request through Django in this process. Also measured, for
reading the figures: a view that only asks whether request.user is signed in (the session and
user queries every agent page starts with).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.chat_roundtrip import scratch_postgres  # noqa: E402
from benchmarks.wsbench import EMBEDDED  # noqa: E402
from tests.support.server import EXTERNAL_SERVICES, embedded_env, manage  # noqa: E402

SIZES = [10, 200]
REPEAT = int(os.environ.get("BENCH_PAGES_REPEAT", "15"))

PAGES_SCRIPT = """
import json, statistics, sys, time, types
from datetime import timedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import include, path
from django.utils import timezone
from agents.models import Agent
from helpdesk.flows import agent_post_message, conversation_join, conversation_resolve
from escalation.surveys import handoff_rate
from escalation.models import Callback
from helpdesk import demo_data
from helpdesk.models import Conversation, Customer, KnowledgeArticle
from helpdesk.services import message_post
from helpdesk.flows import conversation_open
from helpdesk.flows import customer_turn_handle

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
for title, tags, body in demo_data.ARTICLES:
    KnowledgeArticle.objects.create(
        title=title, tags=tags, body=body, intents=demo_data.ARTICLE_INTENTS[title])
User = get_user_model()
boss = User.objects.create_superuser("bench-boss", "boss@example.com", None)
me = Agent.objects.create(user=boss, display_name="Bench Supervisor", max_concurrent=1000)
others = [Agent.objects.create(user=User.objects.create_user(f"bench-{n}"),
                               display_name=f"Agent {n}", max_concurrent=1000) for n in range(5)]
made = []

def say(conversation, text):
    stored = message_post(conversation_id=conversation.pk, author_kind="customer", body=text)
    customer_turn_handle(message_id=stored.message.pk)

def grow(total):
    # Ten kinds, in turn: with the assistant; waiting (4); mine (2); another agent's;
    # mine, rated and resolved; waiting for a scheduled callback.
    while len(made) < total:
        i = len(made)
        kind = i %% 10
        customer = Customer.objects.create(name=f"Customer {i}", email=f"c{i}@example.com")
        conversation = conversation_open(customer=customer)
        made.append(conversation)
        say(conversation, "Where is my order?")
        if kind == 0:
            continue
        say(conversation, "I want to speak to a human, please")
        conversation.refresh_from_db()
        if kind in (5, 6, 8):
            conversation_join(public_id=conversation.public_id, agent=me)
            agent_post_message(public_id=conversation.public_id, agent=me,
                               body="Hello, I am looking at your order now.", client_msg_id=f"b{i}")
        elif kind == 7:
            conversation_join(public_id=conversation.public_id, agent=others[i %% 5])
        elif kind == 9:
            Callback.objects.create(conversation=conversation, kind="phone", phone="+441234567890",
                due_at=timezone.now() + timedelta(hours=2), summary="Where is my order?")
            Conversation.objects.filter(pk=conversation.pk).update(status="callback")
        if kind == 8:
            conversation.refresh_from_db()
            handoff_rate(conversation=conversation, agent=me, verdict="prepared")
            conversation_resolve(public_id=conversation.public_id, agent=me)

def bare(request):
    return HttpResponse()

def bare_signed_in(request):  # what any signed-in page pays first: the session and the user
    return HttpResponse(status=200 if request.user.is_authenticated else 403)

urls = types.ModuleType("bench_pages_urls")
urls.urlpatterns = [path("bench/bare/", bare), path("bench/user/", bare_signed_in),
                    path("", include("helpdesk.urls"))]
sys.modules["bench_pages_urls"] = urls

def measure(client, url):
    first = client.get(url)  # warm: per-process caches, the session
    assert first.status_code == 200, (url, first.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured.captured_queries)  # now: the next request resets the log
    times = []
    for _ in range(%(repeat)d):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return {"queries": queries, "status": response.status_code,
            "p50_ms": round(statistics.median(times), 2), "min_ms": round(min(times), 2),
            "rows": response.content.count(b"<tr data-conversation")
                    + response.content.count(b"<tr data-callback"),
            "bytes": len(response.content)}

out = []
with override_settings(ROOT_URLCONF="bench_pages_urls"):
    client = Client()
    client.force_login(boss)
    for size in %(sizes)r:
        started = time.perf_counter()
        grow(size)
        built = time.perf_counter() - started
        target = made[5].public_id  # mine: joined, with a handoff summary and an agent reply
        pages = {
            "inbox: waiting": "/agent/?tab=waiting",
            "inbox: mine": "/agent/?tab=mine",
            "inbox: callbacks": "/agent/?tab=callbacks",
            "inbox: all": "/agent/?tab=all",
            "summary": f"/agent/conversations/{target}/summary/",
            "conversation": f"/agent/conversations/{target}/",
            "supervisor dashboard": "/supervisor/",
        }
        result = {name: measure(client, url) for name, url in pages.items()}
        out.append({
            "conversations": Conversation.objects.count(),
            "open": Conversation.objects.filter(status__in=Conversation.OPEN_STATUSES).count(),
            "waiting": Conversation.objects.filter(status="waiting").count(),
            "scheduled_callbacks": Callback.objects.filter(status="scheduled").count(),
            "messages": sum(c.messages.count() for c in made),
            "build_seconds": round(built, 1),
            "pages": result,
            "baseline_bare_view": measure(client, "/bench/bare/"),
            "bare_signed_in_view": measure(client, "/bench/user/"),
        })
print(json.dumps(out))
"""


def measure(env: dict[str, str]) -> list[dict[str, Any]]:
    manage("migrate", "--noinput", "-v", "0", env=env)
    script = PAGES_SCRIPT % {"sizes": SIZES, "repeat": REPEAT}
    return list(json.loads(manage("shell", "-c", script, env=env).strip().splitlines()[-1]))


def compare(sizes: list[dict[str, Any]]) -> dict[str, Any]:
    """Per page: queries and p50 at each size, the query ratio (large / small) and the p50 ratio
    against the bare view of the same size."""
    small, large = sizes[0], sizes[-1]
    pages = {}
    for name in small["pages"]:
        a, b = small["pages"][name], large["pages"][name]
        pages[name] = {
            "queries": [a["queries"], b["queries"]],
            "query_ratio": round(b["queries"] / a["queries"], 2),
            "p50_ms": [a["p50_ms"], b["p50_ms"]],
            "rows": [a["rows"], b["rows"]],
            "ratio_to_bare_p50": [
                round(a["p50_ms"] / small["baseline_bare_view"]["p50_ms"], 1),
                round(b["p50_ms"] / large["baseline_bare_view"]["p50_ms"], 1),
            ],
        }
    return pages


def main() -> dict[str, Any]:
    base = {"HELPDESK_TICKER": "false", "CELERY_TASK_ALWAYS_EAGER": "true"}
    setups = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        env = embedded_env(Path(scratch) / "bench.sqlite3", **base)
        sizes = measure(env)
        setups.append({"setup": EMBEDDED, "sizes": sizes, "pages": compare(sizes)})
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        database, drop = scratch_postgres(url)
        try:
            # The pages need no channel layer or broker: the in-memory layer, tasks inline.
            env = {
                **{k: v for k, v in os.environ.items() if k not in EXTERNAL_SERVICES},
                **base,
                "DATABASE_URL": database,
            }
            sizes = measure(env)
            setups.append({"setup": "PostgreSQL", "sizes": sizes, "pages": compare(sizes)})
        finally:
            drop()
    return {
        "name": "pages",
        "process": (
            "Django test client in one `manage.py shell` process (DEBUG off); warm GETs;"
            f" p50 of {REPEAT} GETs; baseline: the same client GETting a view returning an"
            " empty HttpResponse, through the same middleware and URL resolver"
        ),
        "seconds": round(time.perf_counter() - started, 1),
        "setups": setups,
    }


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for setup in result["setups"]:
        bare = [size["baseline_bare_view"]["p50_ms"] for size in setup["sizes"]]
        for name, page in setup["pages"].items():
            small, large = page["queries"]
            rows.append((
                "pages",
                f"{setup['setup']}, {name}: queries at {SIZES[0]} / {SIZES[-1]} conversations"
                f" (ratio {page['query_ratio']}); p50",
                f"{small} / {large} queries; {page['p50_ms'][0]} / {page['p50_ms'][1]} ms",
                f"bare view {bare[0]} / {bare[-1]} ms",
                f"{page['ratio_to_bare_p50'][0]}x / {page['ratio_to_bare_p50'][1]}x",
            ))  # fmt: skip
    return rows


if __name__ == "__main__":
    from benchmarks.run import run_one

    run_one(sys.modules[__name__])
