"""Owed turns: every customer message is answered or handed over once, whatever dies or raises.

Storing a customer message and recording that its turn is owed (an OwedTurn row) happen in one
transaction. Whoever takes the turn (a Celery worker, a turn thread, the sweep) first claims the
row for a lease; the turn's own decision is stored under the conversation's lock and never twice
(helpdesk.flows.turn), and the row is deleted once it is done. So:

- the process dies after the ack, or a worker is killed mid-turn: the row is still there, its
  lease runs out, and the sweep takes the turn again;
- the turn raises: the error is kept on the row and the sweep tries again a few seconds later;
- it keeps raising: the conversation goes to a person, with the error on the timeline, rather
  than leaving the customer unanswered.

A conversation's turns are taken in the order of its messages: a turn waits for an earlier one
still owed, and whoever finishes a turn goes on with the next.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from assistant.runtime import Assistant
from escalation.engine import Decision, Policy, TriggerHit
from escalation.models import Category
from escalation.services import conversation_escalate
from helpdesk.configcache import one_reading
from helpdesk.flows.turn import TurnOutcome, customer_turn_handle
from helpdesk.models import Conversation, ConversationEvent, Message, MessageAnalysis, OwedTurn
from helpdesk.services import event_record

logger = logging.getLogger(__name__)

TURN_FAILED = ConversationEvent.Kind.ASSISTANT_TURN_FAILED


def turn_owe(message: Message) -> None:
    """Record, in the caller's transaction, that `message` is owed a turn."""
    OwedTurn.objects.create(
        message=message,
        conversation_id=message.conversation_id,
        seq=message.seq,
        owed_at=message.created_at,
    )


@one_reading()
def turns_take(
    conversation_id: int,
    *,
    now: datetime | None = None,
    policy: Policy | None = None,
    assistant: Assistant | None = None,
    at_most: int | None = None,
) -> dict[int, TurnOutcome]:
    """Take the conversation's owed turns in order, until none is left, the next one is
    someone else's (claimed) or failed, or `at_most` were taken. Returns each turn taken here,
    by message id."""
    outcomes: dict[int, TurnOutcome] = {}
    while at_most is None or len(outcomes) < at_most:
        moment = now or timezone.now()
        owed = _claim_next(conversation_id, moment)
        if owed is None:
            return outcomes
        outcome = _take(owed, moment, policy=policy, assistant=assistant)
        if outcome is None:
            return outcomes  # it failed: the sweep comes back to it, and to the ones after it
        outcomes[owed.message_id] = outcome
    return outcomes


def turns_sweep(*, now: datetime | None = None) -> int:
    """Take every turn owed for longer than TURN_SWEEP_AFTER_SECONDS that nobody holds (periodic:
    Celery beat, or the embedded ticker). Returns how many conversations it went through."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.TURN_SWEEP_AFTER_SECONDS)
    conversations = (
        OwedTurn.objects.filter(_unheld(now), owed_at__lt=stale)
        .values_list("conversation_id", flat=True)
        .distinct()
    )
    ids = list(conversations[: settings.TURN_SWEEP_BATCH])
    for conversation_id in ids:
        try:
            turns_take(conversation_id, now=now)
        except Exception:  # one conversation's trouble must not stop the sweep of the others
            logger.exception("Sweeping the turns of conversation %s failed", conversation_id)
    return len(ids)


def _unheld(now: datetime) -> Q:
    """Owed turns nobody holds: never claimed, or their taker's lease ran out."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def _claim_next(conversation_id: int, now: datetime) -> OwedTurn | None:
    """Hold the conversation's first owed turn for a lease, and count the attempt; None when
    none is owed or someone else holds the first one. One conditional update: two takers
    cannot both win it (the loser's update finds it held), and its attempts count exactly.
    Hand-written (UPDATE ... RETURNING, PostgreSQL and SQLite 3.35+): it runs before and
    after every turn."""
    lease = now + timedelta(seconds=settings.TURN_LEASE_SECONDS)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_NEXT, [adapt(lease), conversation_id, adapt(now)])
        row = cursor.fetchone()
    if row is None:
        return None
    message_id, seq, attempts, last_error = row
    return OwedTurn(
        message_id=message_id,
        conversation_id=conversation_id,
        seq=seq,
        attempts=attempts,
        last_error=last_error,
    )


_OWED = OwedTurn._meta.db_table
_CLAIM_NEXT = f"""
UPDATE {_OWED} SET claimed_until = %s, attempts = attempts + 1
WHERE message_id = (SELECT o.message_id FROM {_OWED} o WHERE o.conversation_id = %s
                    ORDER BY o.seq LIMIT 1)
  AND (claimed_until IS NULL OR claimed_until < %s)
RETURNING message_id, seq, attempts, last_error
"""  # noqa: S608 (the table's name; every value is a parameter)
_DONE = f"DELETE FROM {_OWED} WHERE message_id = %s"  # noqa: S608 (as above)


def _done(owed: OwedTurn) -> None:
    """The turn is done: one statement in autocommit (no transaction of its own around it)."""
    with connection.cursor() as cursor:
        cursor.execute(_DONE, [owed.message_id])


def _take(
    owed: OwedTurn, now: datetime, *, policy: Policy | None, assistant: Assistant | None
) -> TurnOutcome | None:
    if owed.attempts > settings.TURN_MAX_ATTEMPTS:  # taken that often and never finished
        return turn_give_up(owed, error=owed.last_error or "the turn never finished")
    try:
        outcome = customer_turn_handle(
            message_id=owed.message_id, policy=policy, assistant=assistant
        )
    except Exception as error:
        logger.exception("The turn of message %s failed", owed.message_id)
        text = f"{type(error).__name__}: {error}"[:2000]
        if owed.attempts >= settings.TURN_MAX_ATTEMPTS:
            return turn_give_up(owed, error=text)
        # Held a few seconds more, then the sweep tries again; the conversation's later turns
        # wait behind it, so the customer's answers never come out of order.
        retry_at = now + timedelta(seconds=settings.TURN_SWEEP_AFTER_SECONDS)
        OwedTurn.objects.filter(pk=owed.pk).update(last_error=text, claimed_until=retry_at)
        return None
    _done(owed)
    return outcome


def turn_give_up(owed: OwedTurn, *, error: str) -> TurnOutcome:
    """The assistant cannot take this turn: a person takes the conversation instead, with the
    error on the timeline. Once: a turn that did finish meanwhile is left as it is."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=owed.conversation_id)
        message = Message.objects.get(pk=owed.message_id)
        OwedTurn.objects.filter(pk=owed.pk).delete()
        if MessageAnalysis.objects.filter(message=message).exists():
            return TurnOutcome(replies=[])
        event_record(
            conversation=conversation,
            kind=TURN_FAILED,
            actor_kind=ConversationEvent.ActorKind.SYSTEM,
            data={"message_seq": message.seq, "attempts": owed.attempts, "error": error},
        )
        if conversation.status != Conversation.Status.ASSISTANT:
            return TurnOutcome(replies=[])  # people have it already
        decision = _failed_decision(error, owed.attempts)
        escalation = conversation_escalate(
            conversation=conversation,
            message=message,
            decision=decision,
            language=conversation.language,
        )
        replies = list(conversation.messages.filter(seq__gt=message.seq))
    return TurnOutcome(replies=replies, decision=decision, escalation=escalation)


def _failed_decision(error: str, attempts: int) -> Decision:
    hit = TriggerHit(
        category=Category.CONFIDENCE,
        rule="turn_failed",
        evidence={"error": error, "attempts": attempts},
    )
    return Decision(triggers=(hit,))
