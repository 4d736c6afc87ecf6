"""Every state change of the core domain. Each runs in one transaction and publishes after commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk.models import Conversation, ConversationEvent, Customer, Message
from helpdesk.realtime import enqueue_on_commit, publish_on_commit
from helpdesk.selectors import message_payload


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
    measured: bool = True,
) -> Conversation:
    """A new conversation, with the assistant unless it is in the hold-out or from a direct
    channel (`measured=False`: never, for replaying conversations through the assistant)."""
    conversation = Conversation.objects.create(
        customer=customer, channel=channel, language=language or customer.language
    )
    event_record(
        conversation=conversation,
        kind="conversation.opened",
        actor_kind=ConversationEvent.ActorKind.CUSTOMER,
        data={"channel": channel},
    )
    # The hold-out and direct channels skip the assistant. Imported here: the escalation app
    # builds on this module, not the other way round.
    from escalation.feedback import straight_to_agents

    if measured:
        straight_to_agents(conversation)
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
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=conversation_id)
        )
        if client_msg_id:
            existing = (
                conversation.messages.select_related("author_agent", "conversation__customer")
                .filter(client_msg_id=client_msg_id)
                .first()
            )
            if existing is not None:
                return PostResult(existing, created=False)
        if guard is not None:
            guard(conversation)
        now = timezone.now()
        conversation.last_seq += 1
        conversation.last_message_at = now
        conversation.save(update_fields=["last_seq", "last_message_at"])
        message = Message.objects.create(
            conversation=conversation,
            seq=conversation.last_seq,
            author_kind=author_kind,
            author_agent_id=author_agent_id,
            body=body,
            created_at=now,
            client_msg_id=client_msg_id or None,
            actions=actions or {},
        )
        if author_kind == Message.AuthorKind.CUSTOMER:
            Customer.objects.filter(pk=conversation.customer_id).update(last_activity_at=now)
        publish_on_commit(
            conversation.group_name, {"type": "chat.message", "message": message_payload(message)}
        )
        if (
            conversation.status
            in (*Conversation.HANDED_OVER_STATUSES, *Conversation.SCHEDULED_STATUSES)
            and author_kind == Message.AuthorKind.CUSTOMER
        ):
            # What the customer adds is what the agent must not miss: a new package version.
            # Imported here: the escalation app builds on this module, not the other way round.
            from escalation.tasks import handoff_refresh_task

            enqueue_on_commit(handoff_refresh_task, conversation.pk)
    return PostResult(message, created=True)


def customer_post_message(
    *, public_id: uuid.UUID | str, customer_id: int, body: str, client_msg_id: str
) -> PostResult:
    """A customer's message, refused unless the conversation is theirs and still open."""
    conversation = Conversation.objects.filter(public_id=public_id, customer_id=customer_id).first()
    if conversation is None:
        raise ChatError("forbidden", "This conversation does not belong to you.")

    def still_open(locked: Conversation) -> None:
        if not locked.is_open:
            raise ChatError(
                "closed", "This conversation is closed. Start a new one to keep chatting."
            )

    return message_post(
        conversation_id=conversation.pk,
        author_kind=Message.AuthorKind.CUSTOMER,
        body=body,
        client_msg_id=client_msg_id,
        guard=still_open,
    )


def system_message_post(*, conversation: Conversation, body: str) -> PostResult:
    return message_post(
        conversation_id=conversation.pk, author_kind=Message.AuthorKind.SYSTEM, body=body
    )


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
