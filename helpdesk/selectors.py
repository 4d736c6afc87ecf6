"""Reads of the core domain, and the one JSON shape a message has on the wire."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection

from helpdesk.models import Conversation, Customer, Message

SYNC_PAGE_SIZE = 200


def message_payload(message: Message) -> dict[str, Any]:
    return {
        "seq": message.seq,
        "author_kind": message.author_kind,
        "author_name": _author_name(message),
        "body": message.body,
        "created_at": message.created_at.isoformat(timespec="milliseconds"),
        "client_id": message.client_msg_id,
        "actions": message.actions or None,
    }


def _author_name(message: Message) -> str:
    if message.author_kind == Message.AuthorKind.AGENT and message.author_agent is not None:
        return message.author_agent.display_name
    if message.author_kind == Message.AuthorKind.CUSTOMER:
        return message.conversation.customer.display_name
    if message.author_kind == Message.AuthorKind.ASSISTANT:
        return "Assistant"
    return ""


def messages_after(
    *, conversation_id: int, after: int, limit: int = SYNC_PAGE_SIZE
) -> list[Message]:
    return list(
        Message.objects.filter(conversation_id=conversation_id, seq__gt=after)
        .select_related("author_agent", "conversation__customer")
        .order_by("seq")[:limit]
    )


def conversation_for_customer(
    *, public_id: uuid.UUID | str, customer_id: int
) -> Conversation | None:
    """The conversation, only if it belongs to this customer."""
    return (
        Conversation.objects.select_related("customer", "assigned_agent")
        .filter(public_id=public_id, customer_id=customer_id)
        .first()
    )


def conversation_by_public_id(public_id: uuid.UUID | str) -> Conversation | None:
    return (
        Conversation.objects.select_related("customer", "assigned_agent")
        .filter(public_id=public_id)
        .first()
    )


def latest_open_conversation(customer: Customer) -> Conversation | None:
    return (
        customer.conversations.filter(status__in=Conversation.OPEN_STATUSES)
        .order_by("-opened_at")
        .first()
    )


def transcript_payload(conversation: Conversation) -> list[dict[str, Any]]:
    return [message_payload(message) for message in transcript(conversation)]


def transcript(conversation: Conversation) -> list[Message]:
    return list(
        conversation.messages.select_related("author_agent", "conversation__customer").order_by(
            "seq"
        )
    )


def conversation_locked_raw(sql: str, values: list[Any]) -> Conversation | None:
    """The first row of a hand-written SELECT of conversations aliased `c`, locked as
    select_for_update(of=("self",)) locks it where the database can (SQLite locks the whole
    database on write instead); None when it finds none. For the hot reads whose ORM
    composition cost more than the database's work (routing.needs, helpdesk.flows.turn)."""
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    for conversation in Conversation.objects.raw(sql + lock, values):
        return conversation
    return None
