"""Every state change of the core domain. Each runs in one transaction and publishes after commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from helpdesk.models import LANGUAGE_CHOICES, Conversation, ConversationEvent, Customer, Message
from helpdesk.realtime import publish_on_commit
from helpdesk.selectors import message_payload

LANGUAGE_CODES = frozenset(code for code, _ in LANGUAGE_CHOICES)


class ChatError(Exception):
    """A refused chat action, with a code the client can act on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PostResult:
    message: Message
    created: bool


def customer_identify(*, name: str = "", email: str = "", language: str = "en") -> Customer:
    """The customer with this email (created if new), or a new anonymous customer.

    An email only links the chat to the customer's profile: it never grants access to an
    earlier conversation, which needs the signed token the browser was given.
    """
    email = email.strip().lower()
    if not email:
        return Customer.objects.create(name=name.strip(), language=language)
    try:
        with transaction.atomic():
            customer, created = Customer.objects.get_or_create(
                email=email, defaults={"name": name.strip(), "language": language}
            )
    except IntegrityError:  # two first chats with one email at once
        customer, created = Customer.objects.get(email=email), False
    if not created and name.strip() and not customer.name:
        customer.name = name.strip()
        customer.save(update_fields=["name"])
    return customer


@transaction.atomic
def conversation_start(
    *,
    customer: Customer,
    channel: str = Conversation.Channel.WEB,
    language: str | None = None,
) -> Conversation:
    """A new conversation, with the assistant (helpdesk.flows.conversation_open decides whether
    it goes straight to people instead)."""
    conversation = Conversation.objects.create(
        customer=customer, channel=channel, language=language or customer.language
    )
    event_record(
        conversation=conversation,
        kind=ConversationEvent.Kind.CONVERSATION_OPENED,
        actor_kind=ConversationEvent.ActorKind.CUSTOMER,
        data={"channel": channel},
    )
    return conversation


def event_record(
    *,
    conversation: Conversation,
    kind: str,
    actor_kind: str,
    actor_user_id: int | None = None,
    data: dict | None = None,
) -> ConversationEvent:
    return ConversationEvent.objects.create(
        conversation=conversation,
        kind=kind,
        actor_kind=actor_kind,
        actor_user_id=actor_user_id,
        data=data or {},
    )


Guard = Callable[[Conversation], None]


def message_post(
    *,
    conversation_id: int,
    author_kind: str,
    body: str,
    client_msg_id: str | None = None,
    author_agent_id: int | None = None,
    guard: Guard | None = None,
    actions: dict[str, Any] | None = None,
) -> PostResult:
    """Store a message with the next sequence number; a repeated client id stores nothing.

    1. Lock the conversation row: it serialises sequence numbers, duplicate checks and the
       permission check, so nobody can leave or close the conversation half-way.
    2. A message with this client id already there is the same message sent again: it is
       acknowledged again even if the conversation has changed since.
    3. `guard` raises ChatError if the author may not write here (now, under the lock).
    4. Take last_seq + 1, insert, and publish once committed.
    """
    return _message_store(
        Conversation.objects.filter(pk=conversation_id),
        author_kind=author_kind,
        body=body,
        client_msg_id=client_msg_id,
        author_agent_id=author_agent_id,
        guard=guard,
        actions=actions,
    )


def _message_store(
    rows: QuerySet[Conversation],
    *,
    author_kind: str,
    body: str,
    client_msg_id: str | None,
    author_agent_id: int | None = None,
    guard: Guard | None = None,
    actions: dict[str, Any] | None = None,
) -> PostResult:
    # No savepoint of its own (inside a flow's or a turn's transaction it would cost two
    # statements): so a refusal is raised only once the block is left, having written nothing,
    # and the caller's transaction stays usable.
    refusal: Exception | None = None
    with transaction.atomic(savepoint=False):
        conversation = _locked(rows, client_msg_id)
        resent = getattr(conversation, "resent_id", None)
        if conversation is None:
            refusal = Conversation.DoesNotExist("No such conversation.")
        elif resent is not None:
            existing = Message.objects.select_related("author_agent", "conversation__customer")
            return PostResult(existing.get(pk=resent), created=False)
        else:
            refusal = _refusal(guard, conversation)
        if refusal is None:
            assert conversation is not None
            message = message_add(
                locked=conversation,
                author_kind=author_kind,
                body=body,
                client_msg_id=client_msg_id,
                author_agent_id=author_agent_id,
                actions=actions,
            )
    if refusal is not None:
        raise refusal
    return PostResult(message, created=True)


def _refusal(guard: Guard | None, conversation: Conversation) -> ChatError | None:
    try:
        if guard is not None:
            guard(conversation)
    except ChatError as error:
        return error
    return None


def _locked(rows: QuerySet[Conversation], client_msg_id: str | None) -> Conversation | None:
    """The conversation, locked, with the id of a message already sent with this client id
    (`resent_id`). Asked after the lock is held, never in the same statement: a resend racing
    the first send waits for the lock and must then see the message the first one stored."""
    conversation = rows.select_for_update(of=("self",)).select_related("customer").first()
    if conversation is not None and client_msg_id:
        earlier = conversation.messages.filter(client_msg_id=client_msg_id)
        conversation.resent_id = earlier.values_list("pk", flat=True).first()  # type: ignore[attr-defined]
    return conversation


ACTIVITY_PRECISION = timedelta(minutes=1)  # "last seen" is shown to the minute


def _activity_stale(customer: Customer, now: datetime) -> bool:
    """Whether the customer's last activity is worth writing again: once a minute, not on every
    message of a lively chat."""
    seen = customer.last_activity_at
    return seen is None or now - seen >= ACTIVITY_PRECISION


def message_add(
    *,
    locked: Conversation,
    author_kind: str,
    body: str,
    client_msg_id: str | None = None,
    author_agent_id: int | None = None,
    actions: dict[str, Any] | None = None,
) -> Message:
    """Append a message to a conversation whose row the caller's transaction holds locked
    (message_post, or a turn that decided under the lock): the next sequence number, the
    insert, and the publication once committed."""
    now = timezone.now()
    locked.last_seq += 1
    locked.last_message_at = now
    locked.save(update_fields=["last_seq", "last_message_at"])
    message = Message.objects.create(
        conversation=locked,
        seq=locked.last_seq,
        author_kind=author_kind,
        author_agent_id=author_agent_id,
        body=body,
        created_at=now,
        client_msg_id=client_msg_id or None,
        actions=actions or {},
    )
    if author_kind == Message.AuthorKind.CUSTOMER and _activity_stale(locked.customer, now):
        Customer.objects.filter(pk=locked.customer_id).update(last_activity_at=now)
    publish_on_commit(
        locked.group_name, {"type": "chat.message", "message": message_payload(message)}
    )
    return message


def customer_post_message(
    *, public_id: uuid.UUID | str, customer_id: int, body: str, client_msg_id: str
) -> PostResult:
    """A customer's message, refused unless the conversation is theirs and still open (found
    and locked in one statement: the customer's own conversation or nothing)."""

    def still_open(locked: Conversation) -> None:
        if not locked.is_open:
            # Translated for the customer's socket (helpdesk.consumers), in their language.
            raise ChatError(
                "closed",
                gettext_noop("This conversation is closed. Start a new one to keep chatting."),
            )

    try:
        return _message_store(
            Conversation.objects.filter(public_id=public_id, customer_id=customer_id),
            author_kind=Message.AuthorKind.CUSTOMER,
            body=body,
            client_msg_id=client_msg_id,
            guard=still_open,
        )
    except Conversation.DoesNotExist:
        raise ChatError("forbidden", "This conversation does not belong to you.") from None


def system_message_post(*, conversation: Conversation, body: str) -> PostResult:
    return message_post(
        conversation_id=conversation.pk, author_kind=Message.AuthorKind.SYSTEM, body=body
    )


def conversation_language_set(*, locked: Conversation, language: str) -> bool:
    """From now on the conversation speaks `language`, the one the customer wrote in: the
    assistant's texts, what people send while the customer waits, and the words of the
    customer's open pages, which hear of it once committed. The caller's transaction holds the
    row locked. False when nothing changed (the same language, or one the chat does not speak).
    """
    if language == locked.language or language not in LANGUAGE_CODES:
        return False
    locked.language = language
    locked.save(update_fields=["language"])
    publish_on_commit(locked.group_name, {"type": "chat.language", "language": language})
    return True


def conversation_publish_status(conversation: Conversation) -> None:
    agent = conversation.assigned_agent
    publish_on_commit(
        conversation.group_name,
        {
            "type": "chat.status",
            "status": conversation.status,
            "agent": agent.display_name if agent else None,
        },
    )


def conversation_event_send(event: str, conversation: Conversation) -> None:
    """Tell whoever listens (webhooks) about `event`, inside the current transaction."""
    from helpdesk.signals import conversation_event

    conversation_event.send(sender=Conversation, event=event, conversation=conversation)
