"""What every step of the handoff shares: the team serving a conversation (its hours,
zone, whether it is open now), the assistant's posts, emails and pages queued as timers, the
conversation's row lock, and the times and summaries agents and customers read."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import formats, timezone, translation

from agents.models import Agent
from agents.notify import agent_alert
from escalation.models import Callback, Timer
from escalation.timers import timer_schedule
from helpdesk.models import Conversation, ConversationEvent, Message
from helpdesk.services import (
    event_record,
    message_add,
    message_post,
)
from routing.needs import locked_with_facts
from routing.teams import ServingTeam

PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()./-]{5,30}$")
EMERGENCY = (
    ConversationEvent.Kind.TRANSITION_EMERGENCY
)  # the timeline event that marks the emergency path taken
SLOWER_AFTER_UPDATES = 12
CONFIRMATIONS_PER_ADDRESS_PER_DAY = 3
RECHECK_OFFERED = timedelta(minutes=2)
SUMMARY_QUOTE_CHARS = 160


# -- the handoff message -----------------------------------------------------------------------


def episode_of(conversation: Conversation) -> str:
    """Timer keys are per escalation, so a conversation handed over again gets fresh ones."""
    assert conversation.escalated_at is not None, "only escalated conversations have timers"
    return f"{conversation.pk}:{int(conversation.escalated_at.timestamp())}"


def post_reply(
    conversation: Conversation,
    body: str,
    actions: dict[str, Any] | None = None,
    *,
    locked: bool = False,
) -> Message:
    """The assistant's message. `locked`: the caller's transaction holds the conversation's
    row (a handoff inside its escalation), so it is not locked and read again."""
    if locked:
        return message_add(
            locked=conversation,
            author_kind=Message.AuthorKind.ASSISTANT,
            body=body,
            actions=actions,
        )
    return message_post(
        conversation_id=conversation.pk,
        author_kind=Message.AuthorKind.ASSISTANT,
        body=body,
        actions=actions,
    ).message


# -- timers while the customer waits -------------------------------------------------------------


def still_queued(conversation: Conversation) -> bool:
    return conversation.status == Conversation.Status.WAITING and not conversation.assigned_agent_id


def locked_conversation(conversation_id: int | None, *, with_needs: bool = False) -> Conversation:
    """The conversation's row, locked; `with_needs`: with what its routing needs depend on, read
    in the same statement."""
    assert conversation_id is not None, "this timer belongs to a conversation"
    if with_needs:
        found = locked_with_facts(conversation_id)
        if found is None:
            raise Conversation.DoesNotExist(f"conversation {conversation_id}")
        return found
    locked = Conversation.objects.select_for_update(of=("self",)).select_related("customer")
    return locked.get(pk=conversation_id)


def locked_callback(
    callback_id: int, *, conversation_id: int | None = None
) -> tuple[Conversation, Callback]:
    """The callback's conversation, then the callback, both locked: the order every path takes
    (the conversation first), so a reminder, a deadline check and an agent marking the call done
    never wait on each other. `conversation_id`: known already (a timer's), saving a read."""
    if conversation_id is None:
        conversation_id = Callback.objects.values_list("conversation_id", flat=True).get(
            pk=callback_id
        )
    conversation = locked_conversation(conversation_id)
    callback = (
        Callback.objects.select_for_update(of=("self",))
        .select_related("agent__user")
        .get(pk=callback_id)
    )
    return conversation, callback


# -- off-hours and the emergency path --------------------------------------------------------------


def agent_time(moment: datetime, serving: ServingTeam) -> str:
    """A time for agents' reminders and emails: the team's local date and time, with the zone."""
    local = timezone.localtime(moment, serving.zone)
    return f"{local:%a %d %b %H:%M} ({serving.zone.key})"


def supervisor_emails() -> list[str]:
    users = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    return list(users.values_list("email", flat=True))


# -- callbacks ---------------------------------------------------------------------------------------


def when_text(moment: datetime, serving: ServingTeam, language: str) -> str:
    local = timezone.localtime(moment, serving.zone)
    with translation.override(language):
        return formats.date_format(local, "l j F, H:i")


def issue_summary(conversation: Conversation) -> str:
    """The issue as the customer put it, for them and the agent to prepare with: the topic and
    what they asked for (else their latest words), never internal labels like urgency."""
    package = conversation.handoffs.order_by("-version").first()
    if package is None:
        return ""
    topic = package.data["classification"]["issue_type"]["label"]
    asked = [item["text"] for item in package.data["customer_requests"] if item["kind"] != "person"]
    latest = (
        conversation.messages.filter(author_kind=Message.AuthorKind.CUSTOMER)
        .order_by("-seq")
        .values_list("body", flat=True)
        .first()
    )
    words = (asked[-1] if asked else latest or "").strip()
    if len(words) > SUMMARY_QUOTE_CHARS:
        words = words[: SUMMARY_QUOTE_CHARS - 1].rstrip() + "…"
    return f'{topic}: "{words}"' if words else topic


def callback_id_of(timer: Timer) -> int:
    assert timer.callback_id is not None, "this timer belongs to a callback"
    return timer.callback_id


def page_agent(agent: Agent, conversation: Conversation, text: str, *, ref: str) -> None:
    """Reach one agent: their open inbox pages at once, and their email."""
    agent_alert(conversation, text, agent_id=agent.pk)
    if agent.user.email:
        email_later(
            to=agent.user.email,
            subject=text,
            body=agent_link_text(conversation),
            key=f"page:{agent.pk}:{ref}",
            conversation=conversation,
        )
    event_record(
        conversation=conversation,
        kind=ConversationEvent.Kind.TRANSITION_PAGED,
        actor_kind=ConversationEvent.ActorKind.SYSTEM,
        data={"agent": agent.pk, "agent_name": agent.display_name, "text": text},
    )


def agent_link_text(conversation: Conversation) -> str:
    summary = issue_summary(conversation) or "(no summary yet)"
    return (
        f"{conversation.customer.display_name}: {summary}\n\n"
        f"Handoff summary: {settings.SITE_URL}/agent/conversations/{conversation.public_id}/summary/\n"
    )


def email_later(*, to: str, subject: str, body: str, key: str, conversation: Conversation) -> None:
    """Queue an email as a timer row, sent once the transaction commits: one row per key, so
    asking twice sends one email (escalation.timers says what a crash can still repeat)."""
    timer_schedule(
        kind=Timer.Kind.EMAIL,
        key=f"email:{key}"[:120],
        due_at=timezone.now(),
        conversation=conversation,
        payload={"to": to, "subject": subject[:200], "body": body},
        run_now=True,
    )


# -- the customer's choices ------------------------------------------------------------------------
