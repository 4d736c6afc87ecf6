"""Timers kept in PostgreSQL, run exactly once by Celery.

A timer is a row (escalation.models.Timer). Scheduling is idempotent on the row's key. Beat
sweeps due rows: `timers_claim` leases them (so two sweeps never both send one) and a task runs
each by id. `timer_run` locks the row, does the work and marks it done in one transaction: a
worker killed half-way commits nothing, its lease runs out, and the next sweep sends it again;
a task that arrives twice finds the row done and does nothing.

Email is the one effect outside the database: it is sent inside that transaction, so a crash
between the SMTP server accepting it and the commit would send it again on the retry. Its
Message-ID is the timer's, so mail systems can drop such a copy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from escalation.models import Callback, Timer
from helpdesk.configcache import one_reading
from helpdesk.models import Conversation
from helpdesk.realtime import task_named, task_soon

logger = logging.getLogger(__name__)

RUN_TIMER_TASK = "escalation.tasks.run_timer"

Handler = Callable[[Timer, datetime], str]
MAX_ATTEMPTS = 5


def timer_schedule(
    *,
    kind: str,
    key: str,
    due_at: datetime,
    conversation: Conversation | None = None,
    callback: Callback | None = None,
    payload: dict[str, Any] | None = None,
    run_now: bool = False,
) -> Timer:
    """Store the timer unless one with this key exists. `run_now`: also send its task as soon
    as the transaction commits, rather than at the next sweep. (get_or_create settles a race
    for the key in a savepoint of its own: a timer scheduled at the same moment by someone
    else stands.)"""
    timer, created = Timer.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "due_at": due_at,
            "conversation": conversation,
            "callback": callback,
            "payload": payload or {},
        },
    )
    if created and run_now:
        task_soon(RUN_TIMER_TASK, timer.pk)
    return timer


def timer_add(
    *, kind: str, key: str, due_at: datetime, conversation: Conversation, payload: dict[str, Any]
) -> None:
    """timer_schedule in one statement (an insert that skips an existing key), for a caller
    that never looks at the row: the chain of wait updates, one per update."""
    timer = Timer(kind=kind, key=key, due_at=due_at, conversation=conversation, payload=payload)
    Timer.objects.bulk_create([timer], ignore_conflicts=True)


def timers_claim(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Lease the due timers nobody is running (never leased, or the lease ran out)."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.TIMER_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            Timer.objects.select_for_update(skip_locked=True)
            .filter(done_at__isnull=True, due_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("due_at")
            .values_list("pk", flat=True)[:limit]
        )
        Timer.objects.filter(pk__in=ids).update(
            claimed_until=now + lease, attempts=F("attempts") + 1
        )
    return ids


def timers_dispatch(*, queue: str | None = None) -> int:
    """Lease the due timers and send a task for each (beat's sweep; `queue` for tests)."""
    ids = timers_claim()
    for timer_id in ids:
        task_named(RUN_TIMER_TASK).apply_async((timer_id,), queue=queue)
    return len(ids)


class _HandlerFailed(Exception):
    def __init__(self, error: Exception) -> None:
        super().__init__(repr(error))
        self.error = error


@one_reading()
def timer_run(*, timer_id: int, now: datetime | None = None) -> str:
    """Run one timer if it is due and not done; mark it done with its effect, atomically.

    A handler that fails leaves nothing behind (its transaction is rolled back) and is tried
    again when its lease runs out, up to MAX_ATTEMPTS times; then it is given up, with the error
    kept on the row, so one poisoned timer can never block or flood the others. (No savepoint
    around the handler: the failure is recorded in a transaction of its own, which costs the
    common case nothing.)
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            timer = Timer.objects.select_for_update().filter(pk=timer_id).first()
            if timer is None or timer.done_at is not None:
                return "already done"
            if timer.due_at > now:
                return "not due yet"
            try:
                outcome = handlers()[timer.kind](timer, now)
            except Exception as error:
                raise _HandlerFailed(error) from error
            timer.done_at = now
            timer.outcome = outcome[:200]
            timer.save(update_fields=["done_at", "outcome"])
    except _HandlerFailed as failed:
        return _timer_failed(timer_id, now, failed.error)
    logger.info("Timer %s (%s): %s", timer.pk, timer.kind, outcome)
    return outcome


def _timer_failed(timer_id: int, now: datetime, error: Exception) -> str:
    with transaction.atomic():
        timer = Timer.objects.select_for_update().get(pk=timer_id)
        logger.error(
            "Timer %s (%s) failed, attempt %s",
            timer.pk,
            timer.kind,
            timer.attempts,
            exc_info=error,
        )
        outcome = f"attempt {timer.attempts} failed: {error!r}"
        if timer.attempts < MAX_ATTEMPTS:
            timer.outcome = outcome[:200]
            timer.save(update_fields=["outcome"])
            return outcome
        outcome = f"gave up after {timer.attempts} attempts: {error!r}"
        timer.done_at = now
        timer.outcome = outcome[:200]
        timer.save(update_fields=["done_at", "outcome"])
    logger.info("Timer %s (%s): %s", timer.pk, timer.kind, outcome)
    return outcome


def timers_run_due(*, now: datetime | None = None) -> list[str]:
    """Every due timer, here and now, in due order: for `manage.py timers` and tests."""
    outcomes = []
    while ids := timers_claim(now=now):
        outcomes += [timer_run(timer_id=timer_id, now=now) for timer_id in ids]
    return outcomes


def send_email(timer: Timer, now: datetime) -> str:
    message = EmailMessage(
        # One line: a newline in a customer's name must not become a header (or an error).
        subject=" ".join(timer.payload["subject"].split()),
        body=timer.payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[timer.payload["to"]],
        headers={"Message-ID": f"<timer-{timer.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"},
    )
    message.send()
    return f"sent to {timer.payload['to']}"


def handlers() -> dict[str, Handler]:
    from escalation import callbacks, emergency, transition

    return {
        Timer.Kind.WAIT_UPDATE: transition.wait_update,
        Timer.Kind.CALLBACK_OFFER: transition.callback_offer,
        Timer.Kind.OVERFLOW: transition.overflow_timer,
        Timer.Kind.CALLBACK_REMINDER: callbacks.callback_reminder,
        Timer.Kind.EMERGENCY_CHECK: emergency.emergency_check,
        Timer.Kind.DEADLINE_CHECK: emergency.deadline_check,
        Timer.Kind.EMAIL: send_email,
    }
