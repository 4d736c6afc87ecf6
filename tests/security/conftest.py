"""Shared set-up for the security tests: fresh throttle counts, fast password hashing, and no
Celery task ever leaving this process (a shared broker must not hear about this test database)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from agents.models import Agent
from tests.security.world import World, build_world


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Sign-in failures and message rates count in the cache, which outlives each test's data."""
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Every persona has a password; hashing them properly would take most of the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_in_process(settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def world(dana: Agent, sam: Agent, supervisor_user: User) -> World:
    return build_world(dana, sam, supervisor_user)
