"""Webhooks: signed POSTs to the URLs supervisors register, retried until delivered.

`emit_on_commit(event, conversation)` stores one delivery row per interested endpoint inside the
caller's transaction, and queues a task per row once it commits: an event for a change that rolled
back is never sent. Each delivery is then sent at least once and, once delivered, never again:

1. The task claims the row with a conditional UPDATE (pending, due, not leased): the lease keeps
   a second worker, the sweep or a redelivered broker message from sending it at the same time.
2. It posts outside any transaction (no row lock is held over the network).
3. 2xx: delivered, for good. Anything else: the next attempt after an exponential backoff, or
   failed after MAX_ATTEMPTS. The task queues the retry; beat's sweep sends whatever is due and
   unleased, so a lost worker (its lease runs out) or a lost retry message loses nothing.

A crash after the receiver answered and before the outcome is recorded sends the delivery again:
receivers drop copies by the X-Helpdesk-Event-Id header (the body's "id").

Receivers check `X-Helpdesk-Signature: sha256=<hex>`, the HMAC-SHA256 with the endpoint's secret
of `X-Helpdesk-Timestamp` (when this attempt was sent, Unix seconds), a dot and the raw body, and
refuse a timestamp more than five minutes from their clock (`signature_valid` below does both):
a captured request cannot be replayed later. The body's "created_at" is when the event happened.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from api.addresses import PrivateHostError, refuse_private_host
from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from helpdesk.configcache import area
from helpdesk.models import Conversation
from helpdesk.realtime import task_soon

logger = logging.getLogger(__name__)

EVENTS = tuple(WebhookEvent.values)
SIGNATURE_HEADER = "X-Helpdesk-Signature"
TIMESTAMP_HEADER = "X-Helpdesk-Timestamp"
EVENT_HEADER = "X-Helpdesk-Event"
EVENT_ID_HEADER = "X-Helpdesk-Event-Id"
DELIVER_TASK = "api.tasks.deliver_webhook"
MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min between them: about an hour of trying
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
TIMEOUT_SECONDS = 10.0
LEASE_SECONDS = 60  # longer than a whole attempt (connect + read timeouts)
SWEEP_LIMIT = 500


# -- signing ----------------------------------------------------------------------------------


def secret_generate() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


REPLAY_WINDOW_SECONDS = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_valid(
    *, secret: str, body: bytes, header: str, timestamp: str, now: float | None = None
) -> bool:
    """What a receiver does with X-Helpdesk-Signature and X-Helpdesk-Timestamp: the signature
    matches (in constant time) and the timestamp is within five minutes of its own clock."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    current = timezone.now().timestamp() if now is None else now
    fresh = abs(current - sent) <= REPLAY_WINDOW_SECONDS
    return hmac.compare_digest(sign(secret, timestamp, body), header) and fresh


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, doubling, at most an hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS))


# -- endpoints (supervisors) --------------------------------------------------------------------


def endpoint_create(
    *,
    url: str,
    events: Iterable[str],
    description: str = "",
    active: bool = True,
    created_by: AbstractBaseUser | AnonymousUser | None = None,
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        url=url,
        events=_events(events),
        description=description,
        active=active,
        secret=secret_generate(),
        created_by_id=created_by.pk if created_by and created_by.is_authenticated else None,
    )
    endpoint.full_clean()  # the model refuses private addresses
    endpoint.save()
    return endpoint


def endpoint_update(*, endpoint: WebhookEndpoint, **changes: Any) -> WebhookEndpoint:
    """Change the URL, events, description or active flag (the secret never changes here)."""
    allowed = {"url", "events", "description", "active"}
    if unknown := set(changes) - allowed:
        raise ValueError(f"Cannot change {sorted(unknown)}")
    if "events" in changes:
        changes["events"] = _events(changes["events"])
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()  # its deliveries too: nothing left to send to a URL nobody wants


def _events(events: Iterable[str]) -> list[str]:
    chosen = sorted(set(events))
    if unknown := [event for event in chosen if event not in EVENTS]:
        raise ValueError(f"Unknown webhook events {unknown}")
    return chosen


# -- emitting ---------------------------------------------------------------------------------


@area("webhooks").cached
def active_endpoints() -> tuple[WebhookEndpoint, ...]:
    """Read once per process until an endpoint changes (api.apps watches them): an event no
    endpoint wants costs no query."""
    return tuple(WebhookEndpoint.objects.filter(active=True).order_by("pk"))


def emit_on_commit(event: str, conversation: Conversation) -> None:
    """Record `event` for every active endpoint that wants it, in the caller's transaction, and
    send each delivery once that transaction commits."""
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}")
    endpoints = [row for row in active_endpoints() if row.wants(event)]
    if not endpoints:
        return
    now = timezone.now()
    event_id = uuid.uuid4()
    body = event_body(event=event, event_id=event_id, conversation=conversation, now=now)
    with transaction.atomic():
        for endpoint in endpoints:
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint,
                event=event,
                event_id=event_id,
                conversation=conversation,
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
            task_soon(DELIVER_TASK, delivery.pk)


def event_body(
    *, event: str, event_id: uuid.UUID, conversation: Conversation, now: datetime
) -> str:
    """The JSON a receiver gets: the conversation as GET /api/conversations/<id>/ shows it."""
    from api.serializers import ConversationSerializer

    fresh = Conversation.objects.select_related("customer", "assigned_agent").get(
        pk=conversation.pk
    )
    payload = {
        "id": str(event_id),
        "event": event,
        "created_at": now.isoformat(),
        "data": {"conversation": ConversationSerializer(fresh).data},
    }
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"))


# -- delivering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    outcome: str  # "delivered", "retry", "failed" or "skipped"
    retry_in: float | None = None  # seconds until the next attempt, for the task to queue it


def delivery_claim(*, delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Lease the delivery if it is pending, due, its endpoint active and nobody holds it."""
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__active=True,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            claimed_until=now + timedelta(seconds=LEASE_SECONDS),
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )
    if claimed != 1:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Attempt:
    """Send one delivery if it is due and unclaimed, and record what happened."""
    now = now or timezone.now()
    delivery = delivery_claim(delivery_id=delivery_id, now=now)
    if delivery is None:
        return Attempt("skipped")  # delivered, given up, not due, or someone is sending it
    try:
        refuse_private_host(delivery.endpoint.url, resolve=True)
        answered = _http_post(delivery, now)
    except PrivateHostError as exc:
        return _record(delivery, status_code=None, error=str(exc), now=now)
    except httpx.HTTPError as exc:
        return _record(delivery, status_code=None, error=f"{type(exc).__name__}: {exc}", now=now)
    error = "" if 200 <= answered < 300 else f"HTTP {answered}"
    return _record(delivery, status_code=answered, error=error, now=now)


def _http_post(delivery: WebhookDelivery, now: datetime) -> int:
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "helpdesk-webhooks/1",
        EVENT_HEADER: delivery.event,
        EVENT_ID_HEADER: str(delivery.event_id),
        TIMESTAMP_HEADER: (stamp := str(int(now.timestamp()))),
        SIGNATURE_HEADER: sign(delivery.endpoint.secret, stamp, body),
    }
    # Streamed: only the status is read, never a body the receiver might make huge.
    with httpx.stream(
        "POST", delivery.endpoint.url, content=body, headers=headers, timeout=TIMEOUT_SECONDS
    ) as response:
        return response.status_code


def _record(
    delivery: WebhookDelivery, *, status_code: int | None, error: str, now: datetime
) -> Attempt:
    rows = WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING)
    if not error:
        rows.update(
            status=WebhookDelivery.Status.DELIVERED,
            delivered_at=now,
            last_status_code=status_code,
            last_error="",
            claimed_until=None,
            next_attempt_at=None,
        )
        return Attempt("delivered")
    logger.warning("Webhook delivery %s, attempt %s: %s", delivery.pk, delivery.attempts, error)
    if delivery.attempts >= MAX_ATTEMPTS:
        rows.update(
            status=WebhookDelivery.Status.FAILED,
            last_status_code=status_code,
            last_error=error[:500],
            claimed_until=None,
            next_attempt_at=None,
        )
        return Attempt("failed")
    wait = backoff(delivery.attempts)
    rows.update(
        last_status_code=status_code,
        last_error=error[:500],
        claimed_until=None,
        next_attempt_at=now + wait,
    )
    return Attempt("retry", retry_in=wait.total_seconds())


def deliveries_due(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> list[int]:
    """Pending deliveries whose next attempt has come and that nobody holds (beat's sweep)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__active=True,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def delivery_retry(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """A supervisor sends a delivery that was given up on once more (admin)."""
    if delivery.status != WebhookDelivery.Status.FAILED:
        return delivery
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.FAILED).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    task_soon(DELIVER_TASK, delivery.pk)
    delivery.refresh_from_db()
    return delivery
