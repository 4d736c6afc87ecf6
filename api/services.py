"""The API's own state change: issuing an agent's token."""

from __future__ import annotations

from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token


def token_issue(*, user: User) -> Token:
    """The user's API token, created on first use (one per user, as DRF's tokens are)."""
    token, _ = Token.objects.get_or_create(user=user)
    return token
