"""Callbacks and email follow-ups: the slots offered, the customer's choices (buttons under
assistant messages, `customer_choose`), the contacts they leave, reminders, and agents taking
and finishing them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_noop

from agents.models import Agent
from agents.notify import agent_alert, inbox_changed
from escalation.desk import (
    CONFIRMATIONS_PER_ADDRESS_PER_DAY,
    PHONE_PATTERN,
    agent_time,
    callback_id_of,
    email_later,
    issue_summary,
    locked_callback,
    page_agent,
    post_reply,
    when_text,
)
from escalation.models import (
    Callback,
    Timer,
    TransitionPolicy,
)
from escalation.texts import render
from escalation.timers import timer_schedule
from helpdesk.models import Conversation, ConversationEvent, Customer, Message
from helpdesk.realtime import publish_on_commit
from helpdesk.services import (
    ChatError,
    conversation_event_send,
    conversation_publish_status,
    event_record,
)
from routing.hours import callback_slots, opening_spans
from routing.models import RoutingPolicy
from routing.needs import conversation_needs
from routing.selectors import agents_meeting
from routing.teams import ServingTeam, serving_team

logger = logging.getLogger(__name__)


def email_choice(conversation: Conversation) -> dict[str, str]:
    choice = {"id": "email", "label": render("choice_email", conversation.language)}
    if not reply_address(conversation):
        choice["input"] = "email"
    return choice


def contact_actions(conversation: Conversation) -> dict[str, Any]:
    """What we still need to reach the customer: a number (best, for a call), or an address."""
    if conversation.customer.phone:
        return {}
    language = conversation.language
    choices = [{"id": "phone", "label": render("choice_phone", language), "input": "phone"}]
    if not reply_address(conversation):
        label = render("choice_contact_email", language)
        choices.append({"id": "contact_email", "label": label, "input": "email"})
    return {"kind": "phone", "choices": choices}


def reply_address(conversation: Conversation) -> str:
    """An address we may write to: one typed in this chat, or the profile's once it is proven
    (an unproven claim never gets here: helpdesk.identity keeps it off the chat's profile)."""
    return conversation.contact_email or conversation.customer.email


def slot_actions(conversation: Conversation, serving: ServingTeam) -> dict[str, Any]:
    """Buttons with the next callback slots in the team's hours, and the email follow-up."""
    policy = TransitionPolicy.load()
    language = conversation.language
    slots = (
        callback_slots(
            serving.schedule,
            serving.now,
            slot_minutes=policy.callback_slot_minutes,
            count=policy.callback_slots_offered,
            lead_minutes=policy.callback_lead_minutes,
        )
        if serving.schedule
        else _plain_slots(serving.now, policy)
    )
    choices: list[dict[str, str]] = [
        {
            "id": "slot:" + slot.isoformat(),
            "label": _slot_label(slot, serving, language),
            "input": "phone",
        }
        for slot in slots
    ]
    choices.append(email_choice(conversation))
    return {"kind": "callback_slots", "choices": choices, "prefill": conversation.customer.phone}


def _plain_slots(now: datetime, policy: TransitionPolicy) -> list[datetime]:
    """Without business hours: the next slots on the hour's grid of slot lengths, any time."""
    step = timedelta(minutes=policy.callback_slot_minutes)
    start = now + timedelta(minutes=policy.callback_lead_minutes)
    grid = min(policy.callback_slot_minutes, 60)
    start = start.replace(second=0, microsecond=0) + timedelta(minutes=-start.minute % grid)
    return [start + step * number for number in range(policy.callback_slots_offered)]


def _slot_label(slot: datetime, serving: ServingTeam, language: str) -> str:
    local = timezone.localtime(slot, serving.zone)
    with translation.override(language):
        day = formats.date_format(local, "l j F")
    return render("slot_label", language, day=day, time=local.strftime("%H:%M"))


def callback_record(
    conversation: Conversation,
    *,
    kind: str,
    due_at: datetime,
    email: str = "",
    emergency: bool = False,
    agent: Agent | None = None,
) -> Callback:
    """The conversation leaves the live queue and becomes a scheduled callback or email
    ticket, given to an agent who can take it (fewest callbacks still to do)."""
    customer = conversation.customer
    agent = agent or _callback_agent(conversation)
    callback = Callback.objects.create(
        conversation=conversation,
        kind=kind,
        phone=customer.phone if kind == Callback.Kind.PHONE else "",
        email=(email or customer.email) if kind == Callback.Kind.EMAIL else "",
        due_at=due_at,
        emergency=emergency,
        agent=agent,
        summary=issue_summary(conversation),
    )
    conversation.status = (
        Conversation.Status.CALLBACK
        if kind == Callback.Kind.PHONE
        else Conversation.Status.FOLLOW_UP
    )
    conversation.assigned_agent, conversation.offered_at, conversation.queue_key = None, None, None
    conversation.save(update_fields=["status", "assigned_agent", "offered_at", "queue_key"])
    event_record(
        conversation=conversation,
        kind=ConversationEvent.Kind.CALLBACK_SCHEDULED,
        actor_kind=ConversationEvent.ActorKind.CUSTOMER,
        data={
            "callback": callback.pk,
            "kind": kind,
            "due_at": due_at.isoformat(),
            "agent": agent.display_name if agent else None,
            "emergency": emergency,
        },
    )
    conversation_publish_status(conversation)
    inbox_changed(conversation, kind="callback")
    timer_schedule(
        kind=Timer.Kind.CALLBACK_REMINDER,
        key=f"callback_reminder:{callback.pk}",
        due_at=due_at - timedelta(minutes=TransitionPolicy.load().reminder_minutes),
        callback=callback,
        conversation=conversation,
    )
    return callback


def _callback_agent(conversation: Conversation) -> Agent | None:
    """Any agent with the skills and language (online or not: the call is later), fewest
    scheduled callbacks first."""
    needs = conversation_needs(conversation, RoutingPolicy.load())
    agents = agents_meeting(needs, online_only=False, seniority=False)
    return (
        agents.annotate(
            scheduled=Count("callbacks", filter=Q(callbacks__status=Callback.Status.SCHEDULED))
        )
        .order_by("scheduled", "pk")
        .first()
    )


def callback_reminder(timer: Timer, now: datetime) -> str:
    conversation, callback = locked_callback(
        callback_id_of(timer), conversation_id=timer.conversation_id
    )
    if callback.status != Callback.Status.SCHEDULED:
        return f"callback {callback.status}"
    due = agent_time(callback.due_at, serving_team(conversation, now))
    name = conversation.customer.display_name
    text = _reminder_text(callback, name, due)
    if callback.agent is None:
        agent_alert(conversation, text)
        return "reminded every agent (none assigned)"
    page_agent(callback.agent, conversation, text, ref=f"reminder:{callback.pk}")
    return f"reminded {callback.agent.display_name}"


def _reminder_text(callback: Callback, name: str, due: str) -> str:
    if callback.kind == Callback.Kind.PHONE and callback.phone:
        return f"Call {name} on {callback.phone} at {due}"
    if callback.email:
        return f"Email {name} at {callback.email} by {due}"
    # A guaranteed callback with no contact left: the customer was told to expect us in the chat.
    return f"Answer {name} in the chat by {due}: they left no phone number or email"


@dataclass(frozen=True)
class ChoiceResult:
    message: Message | None
    duplicate: bool = False


def customer_choose(
    *, public_id: Any, customer_id: int, message_seq: int, choice: str, contact: str = ""
) -> ChoiceResult:
    """A button the customer pressed under an assistant message. Only the latest offer counts,
    each once; pressing the same button again changes nothing."""
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("customer")
            .filter(public_id=public_id, customer_id=customer_id)
            .first()
        )
        if conversation is None:
            raise ChatError("forbidden", "This conversation does not belong to you.")
        offer = _offer_message(conversation, message_seq)
        chosen = offer.actions.get("chosen")
        if chosen == choice:
            return ChoiceResult(None, duplicate=True)
        if chosen:
            raise _refusal("already_chosen", "error_chosen", conversation)
        offered = {item["id"]: item for item in offer.actions.get("choices", [])}
        if choice not in offered:
            raise ChatError("invalid_choice", "That option is not on offer.")
        reply = _apply_choice(conversation, offer, offered[choice], contact.strip())
        offer.actions = {**offer.actions, "chosen": choice}
        offer.save(update_fields=["actions"])
        publish_on_commit(
            conversation.group_name,
            {"type": "chat.choice", "seq": offer.seq, "chosen": choice},
        )
        return ChoiceResult(reply)


def _offer_message(conversation: Conversation, seq: int) -> Message:
    offer = conversation.messages.filter(seq=seq, author_kind=Message.AuthorKind.ASSISTANT).first()
    if offer is None or not offer.actions.get("choices"):
        raise ChatError("invalid_choice", "That message has no options to choose from.")
    latest = (
        conversation.messages.exclude(actions={})
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    if latest != seq:
        raise _refusal("stale_choice", "error_stale", conversation)
    if not conversation.is_open and not str(offer.actions.get("kind", "")).startswith("survey"):
        raise ChatError("closed", gettext_noop("This conversation is closed."))  # translated
    return offer


def _apply_choice(
    conversation: Conversation, offer: Message, item: dict[str, str], contact: str
) -> Message:
    language, now, choice = conversation.language, timezone.now(), item["id"]
    customer = conversation.customer
    if str(offer.actions.get("kind", "")).startswith("survey"):
        from escalation.surveys import survey_answer  # it builds on this module

        return survey_answer(conversation, choice, contact)
    if choice == "wait":
        return post_reply(conversation, render("keep_waiting", language))
    if choice == "phone":
        _save_phone(customer, _valid_phone(contact, conversation))
        # A guaranteed callback recorded before the number was known now has one.
        conversation.callbacks.filter(status=Callback.Status.SCHEDULED).update(
            kind=Callback.Kind.PHONE, phone=customer.phone
        )
        return post_reply(conversation, render("phone_saved", language, phone=customer.phone))
    if choice == "contact_email":
        return _contact_email_save(conversation, _valid_email(contact, conversation))
    if conversation.status != Conversation.Status.WAITING:
        raise _refusal("not_waiting", "error_not_waiting", conversation)
    serving = serving_team(conversation, now)
    if choice == "callback":
        body = render("callback_slots", language, zone=serving.zone.key)
        return post_reply(conversation, body, slot_actions(conversation, serving))
    if choice == "email":
        address = _valid_email(contact or reply_address(conversation), conversation)
        return _email_follow_up(conversation, serving, address)
    if choice.startswith("slot:"):
        slot = datetime.fromisoformat(choice.removeprefix("slot:"))
        if slot <= now:
            raise _refusal("stale_choice", "error_slot_passed", conversation)
        _save_phone(customer, _valid_phone(contact or customer.phone, conversation))
        return _phone_callback(conversation, slot, serving)
    raise ChatError("invalid_choice", "That option is not on offer.")


def _refusal(code: str, text: str, conversation: Conversation) -> ChatError:
    """A refusal the customer reads, in their language."""
    return ChatError(code, render(text, conversation.language))


def _valid_phone(value: str, conversation: Conversation) -> str:
    if not PHONE_PATTERN.match(value) or sum(ch.isdigit() for ch in value) < 6:
        raise _refusal("invalid_field", "error_phone", conversation)
    return value


def _valid_email(value: str, conversation: Conversation) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise _refusal("invalid_field", "error_email", conversation) from None
    return value


def _save_phone(customer: Customer, phone: str) -> None:
    """Kept on the profile to prefill the next time. An address typed in the chat is not: it is
    unverified, and an email links a chat to a customer profile; it stays on the callback."""
    customer.phone = phone
    customer.save(update_fields=["phone"])


def _contact_email_save(conversation: Conversation, address: str) -> Message:
    """An address typed in this chat, to reach the customer on: kept on the conversation (never
    on a profile), and a guaranteed callback still without a number writes to it."""
    conversation.contact_email = address
    conversation.save(update_fields=["contact_email"])
    conversation.callbacks.filter(status=Callback.Status.SCHEDULED, phone="").update(
        kind=Callback.Kind.EMAIL, email=address
    )
    return post_reply(conversation, render("email_saved", conversation.language, email=address))


def _phone_callback(conversation: Conversation, slot: datetime, serving: ServingTeam) -> Message:
    return _callback_book(conversation, serving, kind=Callback.Kind.PHONE, due=slot)


def _email_follow_up(conversation: Conversation, serving: ServingTeam, address: str) -> Message:
    policy = TransitionPolicy.load()
    due = _after_business_hours(serving, timedelta(hours=policy.email_reply_hours))
    return _callback_book(conversation, serving, kind=Callback.Kind.EMAIL, due=due, email=address)


def _callback_book(
    conversation: Conversation, serving: ServingTeam, *, kind: str, due: datetime, email: str = ""
) -> Message:
    """Record the callback or email ticket and confirm it, in the chat and by email, with the
    issue in the customer's words."""
    callback = callback_record(conversation, kind=kind, due_at=due, email=email)
    language = conversation.language
    when = when_text(due, serving, language)
    text = render(
        "callback_confirmed" if kind == Callback.Kind.PHONE else "email_confirmed",
        language,
        phone=callback.phone,
        email=callback.email,
        when=when,
        zone=serving.zone.key,
        summary=callback.summary or "-",
    )
    _confirm_by_email(conversation, callback, text, when)
    return post_reply(conversation, text)


def _after_business_hours(serving: ServingTeam, work: timedelta) -> datetime:
    """When `work` of the team's opening time has passed from now (plain time without hours)."""
    if serving.schedule is None:
        return serving.now + work
    for start, end in opening_spans(
        serving.schedule, serving.now, serving.now + timedelta(days=30)
    ):
        if end - start >= work:
            return start + work
        work -= end - start
    return serving.now + work


def _confirm_by_email(
    conversation: Conversation, callback: Callback, confirmation: str, when: str
) -> None:
    customer = conversation.customer
    address = callback.email or customer.email
    if not address:
        return
    # The address may be whatever the customer typed: a few confirmations a day at most, so
    # the chat cannot be used to send mail to strangers.
    recent = Timer.objects.filter(
        kind=Timer.Kind.EMAIL,
        payload__to=address,
        due_at__gte=timezone.now() - timedelta(days=1),
    ).count()
    if recent >= CONFIRMATIONS_PER_ADDRESS_PER_DAY:
        logger.warning("Confirmation to %s skipped: %s already today", address, recent)
        return
    language = conversation.language
    email_later(
        to=address,
        subject=render("email_subject", language, when=when),
        body=render(
            "email_body",
            language,
            name=customer.display_name,
            confirmation=confirmation,
            reference=str(conversation.public_id)[:8],
        ),
        key=f"confirm:{callback.pk}",
        conversation=conversation,
    )


# -- agents finishing a callback -----------------------------------------------------------------


def callback_complete(*, callback_id: int, agent: Agent) -> Callback:
    """The agent called or wrote back: the callback is done and the conversation resolved."""
    with transaction.atomic():
        conversation, callback = locked_callback(callback_id)
        if callback.status != Callback.Status.SCHEDULED:
            raise ChatError("not_scheduled", "This callback is already closed.")
        callback.status = Callback.Status.DONE
        callback.completed_at = timezone.now()
        callback.agent = callback.agent or agent
        callback.save(update_fields=["status", "completed_at", "agent"])
        if conversation.status in Conversation.SCHEDULED_STATUSES:
            from escalation.surveys import survey_begin  # it builds on this module

            conversation.status = Conversation.Status.RESOLVED
            conversation.closed_at = callback.completed_at
            conversation.save(update_fields=["status", "closed_at"])
            conversation_publish_status(conversation)
            survey_begin(conversation)
            conversation_event_send("conversation.resolved", conversation)
        event_record(
            conversation=conversation,
            kind=ConversationEvent.Kind.CALLBACK_DONE,
            actor_kind=ConversationEvent.ActorKind.AGENT,
            actor_user_id=agent.user_id,
            data={"callback": callback.pk, "agent": agent.display_name},
        )
        inbox_changed(conversation, kind="done")
    return callback


def callback_take(*, callback_id: int, agent: Agent) -> Callback:
    with transaction.atomic():
        callback = Callback.objects.select_for_update().get(pk=callback_id)
        if callback.status != Callback.Status.SCHEDULED:
            raise ChatError("not_scheduled", "This callback is already closed.")
        callback.agent = agent
        callback.save(update_fields=["agent"])
    return callback
