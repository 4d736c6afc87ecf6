"""Configuration is read once per process and read again as soon as it changes: in admin, in
a service, or in another process (helpdesk.configcache)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection
from django.test import Client

from api.webhooks import active_endpoints
from assistant.models import TrainingRun
from assistant.runtime import get_assistant
from assistant.selectors import (
    active_articles,
    configuration_stamp,
    current_run,
    enabled_intents,
)
from assistant.services import training_run_adopt
from escalation.models import LoopPolicy, TransitionPolicy
from escalation.selectors import policy_from_db
from escalation.texts import overrides, render
from helpdesk.configcache import area, one_reading
from routing.models import RoutingPolicy
from routing.needs import active_rules
from routing.teams import desks
from tests.support.server import database_url

pytestmark = pytest.mark.usefixtures("knowledge_base")


def read_every_setting() -> None:
    """What a turn, a routing decision and a wait update read that supervisors configure."""
    policy_from_db()
    TransitionPolicy.load()
    RoutingPolicy.load()
    active_rules()
    desks()
    overrides()
    active_endpoints()
    current_run()
    configuration_stamp()
    enabled_intents()
    active_articles()
    get_assistant()


def test_an_unchanged_configuration_costs_no_query(django_assert_num_queries: Any) -> None:
    read_every_setting()  # a fresh database: the policies' rows are created, which is a change
    read_every_setting()
    with django_assert_num_queries(0):
        read_every_setting()


def test_a_text_changed_in_admin_is_what_the_next_message_says(
    supervisor_user: User,
) -> None:
    assert render("fallback", "en").startswith("I'm sorry, I can't answer that one here.")
    client = Client()
    client.force_login(supervisor_user)
    response = client.post(
        "/admin/escalation/messagetemplate/add/",
        {"key": "fallback", "language": "en", "text": "Let me find someone who knows."},
    )
    assert response.status_code == 302, response.content[:500]
    assert render("fallback", "en") == "Let me find someone who knows."


def test_a_policy_saved_by_a_service_is_read_by_the_next_turn(db: None) -> None:
    assert policy_from_db().loop_max_attempts == LoopPolicy._meta.get_field("max_attempts").default
    policy = LoopPolicy.objects.get(pk=1)
    policy.max_attempts = 7
    policy.save()
    assert policy_from_db().loop_max_attempts == 7


def test_a_training_run_activated_by_an_update_is_served(db: None) -> None:
    """Training writes its runs with queryset.update(), which sends no signal: the service
    announces the change itself."""
    before = current_run()
    run = training_run_adopt([])
    TrainingRun.objects.filter(pk=run.pk).update(status=TrainingRun.Status.READY)
    assert run != before
    assert current_run() == run


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_process_is_read_here(settings: Any) -> None:
    assert policy_from_db().loop_max_attempts != 9
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    change = (
        "from escalation.models import LoopPolicy; "
        "policy = LoopPolicy.objects.get(pk=1); policy.max_attempts = 9; policy.save()"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", change],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    assert policy_from_db().loop_max_attempts == 9


def test_an_unreachable_cache_costs_queries_not_errors(
    settings: Any, django_assert_num_queries: Any
) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "nowhere": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    settings.CONFIG_CACHE_ALIAS = "nowhere"
    RoutingPolicy.load()
    with django_assert_num_queries(1):
        assert RoutingPolicy.load().pk == 1


def test_a_unit_of_work_reads_each_generation_once_and_sees_its_own_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Within one_reading() (a turn, a routing decision, a wait update) the shared cache is
    asked once per area, however often the configuration is read; a change announced by
    another process meanwhile is seen by the next unit; this process's own change at once."""
    read_every_setting()
    store = caches[django_settings.CONFIG_CACHE_ALIAS]
    asked: list[str] = []
    real_get = type(store).get

    def counted_get(self: Any, key: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(key)
        return real_get(self, key, *args, **kwargs)

    monkeypatch.setattr(type(store), "get", counted_get)
    outside_a_unit = len(asked)
    read_every_setting()
    read_every_setting()
    per_reading = (len(asked) - outside_a_unit) // 2
    asked.clear()
    with one_reading():
        read_every_setting()
        read_every_setting()
        RoutingPolicy.load()
        areas_read = len(set(asked))
        assert len(asked) == areas_read < per_reading  # one GET per area, none repeated
        # Another process announces a change: this unit keeps the version it began with...
        LoopPolicy.objects.filter(pk=1).update(max_attempts=9)  # no signal: as another process
        store.set(area("escalation").key, "changed-elsewhere", timeout=None)
        assert policy_from_db().loop_max_attempts != 9
        # ...but its own change is read at once.
        policy = RoutingPolicy.load()
        policy.offers_per_agent = 4
        policy.save()
        assert RoutingPolicy.load().offers_per_agent == 4
        # ...and the unit now holds the generation its change announced, so the copy it just
        # read is kept under the token every other process will read too.
        assert area("routing").generation() == store.get(area("routing").key)
    assert policy_from_db().loop_max_attempts == 9  # the next unit reads the other's change
