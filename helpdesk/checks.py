"""Start-up checks that make a misconfigured production deployment fail loudly.

With PRODUCTION=true they are errors (the server refuses to start); otherwise they are
reported by `manage.py check --deploy` as warnings.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import connections


def _problem(message: str, *, hint: str, id: str) -> CheckMessage:
    level = Error if settings.PRODUCTION else Warning
    return level(message, hint=hint, id=id)


@register(Tags.security, deploy=True)
def production_settings_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    backend = str(settings.CHANNEL_LAYERS["default"]["BACKEND"])
    if backend.endswith("InMemoryChannelLayer"):
        problems.append(
            _problem(
                "The in-memory channel layer only reaches sockets in this one process.",
                hint="Set REDIS_URL so every process shares the channels-redis layer.",
                id="helpdesk.E001",
            )
        )
    if settings.DEBUG:
        problems.append(_problem("DEBUG is on.", hint="Set DEBUG=false.", id="helpdesk.E002"))
    if settings.SECRET_KEY == settings.INSECURE_DEFAULT_SECRET_KEY:
        problems.append(
            _problem(
                "SECRET_KEY is the public embedded default.",
                hint="Set SECRET_KEY to a long random value.",
                id="helpdesk.E003",
            )
        )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        problems.append(
            _problem(
                "Celery runs tasks eagerly inside web requests.",
                hint="Set REDIS_URL (or CELERY_BROKER_URL) and run `make worker` and `make beat`.",
                id="helpdesk.E004",
            )
        )
    return problems


@register(Tags.security)
def production_guard(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With PRODUCTION=true, run the deploy checks on every start-up, not only with --deploy."""
    return production_settings_check() if settings.PRODUCTION else []


@register()
def translations_compiled_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The customer chat's catalogues are compiled (`make install`): without a .mo, or with one
    older than its .po, Django silently shows the chat in English, or in yesterday's words."""
    stale = [
        str(po.parent.parent.name)
        for locale in settings.LOCALE_PATHS
        for po in sorted(Path(locale).glob("*/LC_MESSAGES/django.po"))
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return []
    return [
        Warning(
            f"The chat's translations are not compiled for: {', '.join(stale)}.",
            hint="Run `make install`, or `manage.py compilemessages` where make is not used.",
            id="helpdesk.W005",
        )
    ]


SQLITE_NEEDED = (3, 35, 0)  # UPDATE ... RETURNING (helpdesk.flows.owed claims a turn with it)


@register()
def sqlite_version_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The embedded default needs SQLite 3.35 or newer: on an older library every turn would
    fail to be claimed, and customers would go unanswered. Django itself accepts 3.31."""
    uses_sqlite = any(connections[alias].vendor == "sqlite" for alias in connections)
    if not uses_sqlite or sqlite3.sqlite_version_info >= SQLITE_NEEDED:
        return []
    return [
        Error(
            f"SQLite {sqlite3.sqlite_version} is too old: the helpdesk needs 3.35 or newer.",
            hint="Use a Python built with a newer SQLite (python.org builds and current "
            "distributions have one), or PostgreSQL (DATABASE_URL).",
            id="helpdesk.E006",
        )
    ]
