"""The API's personas as clients: anonymous, a customer (their chat token), another customer,
an agent (DRF token) and a supervisor (staff, with an agent profile, DRF token)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from agents.models import Agent
from api.services import token_issue
from escalation.models import Callback
from helpdesk.chattoken import make_chat_token
from helpdesk.models import Conversation
from tests.support.factories import make_agent

ROLES = ["anonymous", "customer", "other_customer", "claimant", "agent", "supervisor"]


def client_for_chat(conversation: Conversation) -> APIClient:
    token = make_chat_token(
        customer_id=conversation.customer_id, conversation=str(conversation.public_id)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Chat {token}")
    return client


def client_for_user(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user).key}")
    return client


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Every persona has a password: hashing them properly would take most of the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _local_receivers(settings: Any) -> None:
    """The tests' webhook receivers listen on 127.0.0.1 (tests/api/test_webhooks.py checks the
    refusal with the setting off)."""
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Message rate limits count in the cache, which outlives each test's database."""
    cache.clear()


@pytest.fixture
def supervisor(db: None) -> Agent:
    """A team lead: staff, and an agent too (as the demo's supervisor is)."""
    agent = make_agent("sophie", "Sophie Lead", skills={"billing": 3}, seniority=4)
    agent.user.is_staff = True
    agent.user.save(update_fields=["is_staff"])
    return agent


@pytest.fixture
def as_user() -> Callable[[User], APIClient]:
    return client_for_user


@pytest.fixture
def as_chat() -> Callable[[Conversation], APIClient]:
    return client_for_chat


def scheduled_callback(conversation: Conversation, **fields: object) -> Callback:
    """A callback as the customer's choice leaves it (the choice itself is tested in
    tests/escalation)."""
    Conversation.objects.filter(pk=conversation.pk).update(status=Conversation.Status.CALLBACK)
    defaults: dict[str, object] = {
        "kind": Callback.Kind.PHONE,
        "phone": "+44 20 7946 0000",
        "due_at": timezone.now() + timedelta(hours=1),
        "summary": "A refund for order 1234",
    }
    return Callback.objects.create(conversation=conversation, **{**defaults, **fields})
