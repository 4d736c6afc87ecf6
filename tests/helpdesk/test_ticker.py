"""The embedded stand-in for Celery beat runs the very tasks beat would send."""

import asyncio
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from agents.models import Agent
from helpdesk.ticker import LifespanTicker, Ticker


def test_every_beat_entry_runs_at_start_and_then_at_its_interval(dana: Agent) -> None:
    Agent.objects.filter(pk=dana.pk).update(
        presence="online", last_seen_at=timezone.now() - timedelta(hours=1)
    )
    now = [0.0]
    ticker = Ticker(settings.CELERY_BEAT_SCHEDULE, clock=lambda: now[0])
    assert ticker.run_due() == list(settings.CELERY_BEAT_SCHEDULE)
    dana.refresh_from_db()
    assert dana.presence == "offline"  # the real presence sweep ran
    now[0] += 1
    assert ticker.run_due() == []
    schedule = settings.CELERY_BEAT_SCHEDULE
    shortest = min(entry["schedule"] for entry in schedule.values())
    now[0] += shortest
    assert ticker.run_due() == [
        name for name, entry in schedule.items() if entry["schedule"] == shortest
    ]


def test_a_failing_task_does_not_stop_the_ones_after_it(dana: Agent) -> None:
    Agent.objects.filter(pk=dana.pk).update(
        presence="online", last_seen_at=timezone.now() - timedelta(hours=1)
    )
    schedule = {
        "broken": {"task": "no.such.task", "schedule": 5},
        "sweep": {"task": "agents.tasks.presence_sweep", "schedule": 5},
    }
    ticker = Ticker(schedule, clock=lambda: 0.0)
    assert ticker.run_due() == ["broken", "sweep"]
    dana.refresh_from_db()
    assert dana.presence == "offline"


@pytest.mark.parametrize("enabled", [True, False])
def test_lifespan_starts_the_ticker_only_when_enabled(enabled: bool) -> None:
    async def app(scope, receive, send):
        raise AssertionError("lifespan must not reach the inner application")

    events = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[str] = []

    async def receive():
        return next(events)

    async def send(message):
        sent.append(message["type"])

    wrapper = LifespanTicker(app)
    with override_settings(HELPDESK_TICKER=enabled, CELERY_BEAT_SCHEDULE={}):
        asyncio.run(wrapper({"type": "lifespan"}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert (wrapper.ticker is not None) is enabled
