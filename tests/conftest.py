"""Shared fixtures: named personas, and a guard that CI really runs on PostgreSQL and Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections
from django.utils.module_loading import import_string

from agents.models import Agent
from helpdesk import configcache, demo_data
from helpdesk.flows import (
    conversation_open,
)
from helpdesk.flows.runner import turn_threads_stop
from helpdesk.models import Conversation, Customer, KnowledgeArticle
from tests.support.factories import make_agent
from tests.support.fakes import llm  # noqa: F401  (a fixture shared by the assistant tests)

ORIGIN = (b"origin", b"http://localhost")
# Every browser and server test starts its chats from 127.0.0.1: the per-address limit on new
# chats would stop the suite, not an attacker. Servers the tests start inherit it;
# tests/security/test_floods.py checks the limit itself.
os.environ.setdefault("CHAT_START_LIMIT", "100000")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Playwright's sync API leaves an event loop on the main thread: browser tests go last.
    items.sort(key=lambda item: "tests/e2e/" in item.nodeid.replace("\\", "/"))


@pytest.fixture(autouse=True)
def _configuration_read_afresh() -> None:
    """Each test starts from the database's configuration: a test's rolled-back transaction
    sends no signal, so the copies this process cached from it would outlive it."""
    configcache.forget_all()


@pytest.fixture(scope="session", autouse=True)
def _short_lived_connections() -> None:
    """Close each thread's connection after use, as CONN_MAX_AGE=0 does: a persistent one held by
    database_sync_to_async's thread would stop PostgreSQL from dropping the test database."""
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0
        connections[alias].settings_dict["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _pages_served_from_localhost(settings: Any) -> None:
    """The in-process socket tests (WebsocketCommunicator, no Host header) stand for pages served
    from http://localhost, the Origin they send; tests/security/test_origin.py checks the rule."""
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["http://localhost"]
    settings.CHAT_START_LIMIT = int(os.environ["CHAT_START_LIMIT"])


@pytest.fixture(autouse=True)
def _turns_runner(settings: Any, request: pytest.FixtureRequest) -> Iterator[None]:
    """Where owed turns run in tests. In a test whose data really commits (transaction=True: the
    websocket tests), in turn threads as in the embedded default, so an acknowledgement never
    waits for a turn; elsewhere right after the commit, on the same thread, so the test sees the
    reply at once (its transaction is invisible to any other thread)."""
    marker = request.node.get_closest_marker("django_db")
    committed = marker is not None and marker.kwargs.get("transaction", False)
    settings.TURN_RUNNER = "thread" if committed else "inline"
    yield
    turn_threads_stop()  # no turn may still write while the test's data is cleared


@pytest.fixture(autouse=True)
def _database_calls_on_one_thread(settings: Any) -> None:
    """In-process socket tests keep the sockets' database calls on channels' one thread. Each
    test has an event loop of its own, and its executor's threads end with it, still holding
    the pooled connection each last used, which nothing hands back: ten tests would empty the
    pool. A server lives on one loop, whose threads live on (the servers the tests start, and
    tests/test_soak.py, run with parallel calls on PostgreSQL)."""
    settings.DATABASE_PARALLEL_CALLS = False


@pytest.fixture(scope="session", autouse=True)
def _required_services() -> None:
    """With REQUIRE_SERVICES=1 (set by .ci/run) a missing PostgreSQL or Redis fails the run."""
    if os.environ.get("REQUIRE_SERVICES") != "1":
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if "postgresql" not in engine or not issubclass(import_string(layer), RedisChannelLayer):
        pytest.fail(f"REQUIRE_SERVICES=1 but running on {engine} with {layer}", pytrace=False)


@pytest.fixture
def alice(db: None) -> Customer:
    return Customer.objects.create(
        name="Alice Martin",
        email="alice@example.com",
        tier="premium",
        customer_since=date(2022, 5, 1),
    )


@pytest.fixture
def bob(db: None) -> Customer:
    return Customer.objects.create(name="Bob Stone", email="bob@example.com")


@pytest.fixture
def alice_conversation(alice: Customer) -> Conversation:
    return conversation_open(customer=alice)


@pytest.fixture
def bob_conversation(bob: Customer) -> Conversation:
    return conversation_open(customer=bob)


@pytest.fixture
def dana(db: None) -> Agent:
    """A senior billing agent."""
    return make_agent(
        "dana", "Dana Whitfield", skills={"billing": 5}, seniority=3, presence="online"
    )


@pytest.fixture
def sam(db: None) -> Agent:
    """An orders agent."""
    return make_agent("sam", "Sam Okafor", skills={"orders": 4}, presence="online")


@pytest.fixture
def supervisor_user(db: None) -> User:
    return User.objects.create_superuser("morgan", "morgan@example.com", "pw-morgan")


@pytest.fixture
def knowledge_base(db: None) -> list[KnowledgeArticle]:
    """The demo store's articles."""
    return [
        KnowledgeArticle.objects.create(
            title=title, tags=tags, body=body, intents=demo_data.ARTICLE_INTENTS[title]
        )
        for title, tags, body in demo_data.ARTICLES
    ]


@pytest.fixture
def after_commit(settings: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """`with after_commit(execute=True):` runs what the block's commits queue, Celery tasks
    included, in this process (with REDIS_URL set, tasks would otherwise wait for a worker;
    a real worker is tested in tests/agents/test_tasks.py)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return django_capture_on_commit_callbacks
