"""Markers for tests that need the production services. CI sets REQUIRE_SERVICES=1, so there
they run (and fail if a service is missing) instead of being skipped."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

_REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"

needs_postgres_and_redis = pytest.mark.skipif(
    not _REQUIRED
    and not ("postgresql" in os.environ.get("DATABASE_URL", "") and settings.REDIS_URL),
    reason="needs PostgreSQL and Redis (CI sets REQUIRE_SERVICES=1)",
)

needs_redis = pytest.mark.skipif(
    not _REQUIRED and not os.environ.get("REDIS_URL"),
    reason="needs Redis (CI sets REQUIRE_SERVICES=1)",
)
