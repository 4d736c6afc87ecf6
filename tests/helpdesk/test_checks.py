from typing import Any

from django.core.checks import Error, Warning
from django.db import connection
from django.test import override_settings

from helpdesk import checks
from helpdesk.checks import production_guard, production_settings_check, sqlite_version_check

PRODUCTION_LIKE = {
    "DEBUG": False,
    "SECRET_KEY": "a-real-secret-" + "x" * 40,
    "CHANNEL_LAYERS": {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {}}
    },
    "CELERY_TASK_ALWAYS_EAGER": False,
}


def ids(messages: list) -> list[str]:
    return sorted(message.id for message in messages)


def test_a_proper_production_configuration_passes() -> None:
    with override_settings(PRODUCTION=True, **PRODUCTION_LIKE):
        assert production_settings_check() == []
        assert production_guard() == []


def test_embedded_defaults_fail_production_start_up() -> None:
    with override_settings(
        PRODUCTION=True,
        DEBUG=True,
        SECRET_KEY="insecure-embedded-default-change-me",
        CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
        CELERY_TASK_ALWAYS_EAGER=True,
    ):
        problems = production_guard()
    assert ids(problems) == ["helpdesk.E001", "helpdesk.E002", "helpdesk.E003", "helpdesk.E004"]
    assert all(isinstance(problem, Error) for problem in problems)


def test_outside_production_they_are_deploy_warnings_only() -> None:
    with override_settings(
        PRODUCTION=False, DEBUG=True, **{k: v for k, v in PRODUCTION_LIKE.items() if k != "DEBUG"}
    ):
        assert production_guard() == []
        problems = production_settings_check()
    assert ids(problems) == ["helpdesk.E002"]
    assert isinstance(problems[0], Warning)


def test_a_production_server_refuses_to_start_on_embedded_defaults() -> None:

    import subprocess
    import sys

    from tests.support.server import ROOT, embedded_env

    env = embedded_env(ROOT / "unused.sqlite3", PRODUCTION="true")
    started = subprocess.run(
        [sys.executable, "-c", "import helpdesk.asgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode != 0
    assert "helpdesk.E001" in started.stderr
    assert "helpdesk.E003" in started.stderr
    assert not (ROOT / "unused.sqlite3").exists()


def test_the_documented_production_environment_passes_check_deploy_without_a_warning() -> None:
    """The variables the README's "Running in production" section sets, in a fresh process:
    `manage.py check --deploy` must report nothing at all (warnings fail it too)."""
    import os
    import subprocess
    import sys

    from tests.support.server import ROOT

    production = {
        "PRODUCTION": "true",
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-" + "q" * 20,
        "ALLOWED_HOSTS": "help.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://help.example.com",
        "DATABASE_URL": "postgres://helpdesk@db.invalid/helpdesk",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
    }
    env = {**os.environ, **production}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_an_sqlite_too_old_for_claiming_turns_stops_the_start_up(monkeypatch: Any) -> None:
    """The embedded default claims a turn with UPDATE ... RETURNING (SQLite 3.35+); on an older
    library the server must refuse to start rather than leave every message unanswered."""
    if connection.vendor != "sqlite":
        assert sqlite_version_check() == []  # PostgreSQL: whatever SQLite Python was built with
        return
    assert sqlite_version_check() == []  # this machine's
    monkeypatch.setattr(checks.sqlite3, "sqlite_version_info", (3, 34, 1))
    monkeypatch.setattr(checks.sqlite3, "sqlite_version", "3.34.1")
    assert ids(sqlite_version_check()) == ["helpdesk.E006"]
