"""What a customer sends: a message (acknowledged at once, answered by an owed turn) and a
choice under an assistant message."""

from __future__ import annotations

import uuid

from django.db import transaction

from assistant.runtime import Assistant
from escalation.callbacks import ChoiceResult
from escalation.callbacks import customer_choose as _choose
from escalation.engine import Policy
from escalation.services import handoff_refresh_soon
from helpdesk.configcache import one_reading
from helpdesk.flows.owed import turn_owe, turns_take
from helpdesk.flows.runner import turns_take_soon
from helpdesk.flows.turn import TurnOutcome
from helpdesk.models import Conversation, OwedTurn
from helpdesk.services import PostResult, customer_post_message

# Whose turn a customer message owes: the assistant's, or (people have it) the urgency check's.
OWES_A_TURN = (Conversation.Status.ASSISTANT, Conversation.Status.WAITING,
               *Conversation.SCHEDULED_STATUSES)  # fmt: skip


@one_reading()
def customer_message_receive(
    *, public_id: uuid.UUID | str, customer_id: int, body: str, client_msg_id: str
) -> PostResult:
    """Store the customer's message and owe its turn, in one transaction; the turn runs after
    the commit off the caller's thread (helpdesk.flows.runner). A resend stores nothing, but
    gives a turn still owed another push."""
    with transaction.atomic():
        result = _store(public_id, customer_id, body, client_msg_id)
        if result.created or OwedTurn.objects.filter(pk=result.message.pk).exists():
            turns_take_soon(result.message.conversation_id)
    return result


def customer_message_answer(
    *,
    public_id: uuid.UUID | str,
    customer_id: int,
    body: str,
    client_msg_id: str = "",
    policy: Policy | None = None,
    assistant: Assistant | None = None,
) -> tuple[PostResult, TurnOutcome]:
    """The same, with the turn taken here and now (the REST API answers in its response;
    replay and the demo data need the outcome; `policy` and `assistant` default to the
    configured ones)."""
    with transaction.atomic():
        result = _store(public_id, customer_id, body, client_msg_id)
    taken = turns_take(result.message.conversation_id, policy=policy, assistant=assistant)
    return result, taken.get(result.message.pk, TurnOutcome(replies=[]))


def _store(
    public_id: uuid.UUID | str, customer_id: int, body: str, client_msg_id: str
) -> PostResult:
    result = customer_post_message(
        public_id=public_id, customer_id=customer_id, body=body, client_msg_id=client_msg_id
    )
    if not result.created:
        return result
    status = result.message.conversation.status  # read under the conversation's lock
    if status in OWES_A_TURN:
        turn_owe(result.message)
    if status in (*Conversation.HANDED_OVER_STATUSES, *Conversation.SCHEDULED_STATUSES):
        # What the customer adds is what the agent must not miss: a new package version.
        handoff_refresh_soon(result.message.conversation_id)
    return result


def customer_choose(
    *, public_id: uuid.UUID | str, customer_id: int, message_seq: int, choice: str, contact: str
) -> ChoiceResult:
    """A button pressed under an assistant message (a callback slot, email, keep waiting)."""
    return _choose(
        public_id=public_id,
        customer_id=customer_id,
        message_seq=message_seq,
        choice=choice,
        contact=contact,
    )
