"""The customer's side of the handoff, from the escalation until someone is with them.

- The handoff message says what happens next: someone shortly, the place in line and the wait,
  or (outside the team's hours) when the team is back, with callback slots on the next business
  day; for an urgent issue off-hours, the emergency path.
- While the customer waits, timers (escalation.timers) post their place and the wait at the
  latest when the estimate runs out and then every few minutes, offer a callback or an email
  follow-up after a while, and overflow a queue that is too long or too slow.
- The customer's choices arrive as buttons under assistant messages (`customer_choose`).

Every text comes from escalation.texts, in the customer's language, as supervisors edited it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone, translation

from agents.models import Agent, AgentSkill
from assistant.runtime import get_assistant
from escalation.engine import Turn, capability_hits
from escalation.models import (
    Callback,
    CapabilityBoundary,
    Escalation,
    Timer,
    TransitionPolicy,
    UrgencyCriterion,
)
from escalation.selectors import policy_from_db
from escalation.texts import handoff_text, minutes_of, render
from escalation.timers import timer_schedule
from helpdesk.models import Conversation, ConversationEvent, Customer, Message
from helpdesk.realtime import INBOX_GROUP, agent_group, publish_on_commit
from helpdesk.services import (
    ChatError,
    conversation_event_send,
    conversation_publish_status,
    event_record,
    message_post,
)
from routing.estimates import wait_estimate, what_happens_next
from routing.hours import Schedule, callback_slots, is_open, next_opening, opening_spans
from routing.models import RoutingPolicy, Team
from routing.services import Needs, conversation_needs, enqueue, manual_assign, waiting_queue
from routing.tasks import route_conversation_task

logger = logging.getLogger(__name__)
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()./-]{5,30}$")
URGENCY_ORDER = ["low", "normal", "high", "critical"]
EMERGENCY = "transition.emergency"  # the timeline event that marks the emergency path taken
SLOWER_AFTER_UPDATES = 12
CONFIRMATIONS_PER_ADDRESS_PER_DAY = 3
RECHECK_OFFERED = timedelta(minutes=2)
SUMMARY_QUOTE_CHARS = 160


@dataclass(frozen=True)
class Desk:
    """The team a conversation belongs to, its week, and whether it is working at `now`."""

    team: Team | None
    schedule: Schedule | None
    now: datetime

    @property
    def open(self) -> bool:
        return self.schedule is None or is_open(self.schedule, self.now)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.schedule.zone if self.schedule else settings.TIME_ZONE)


def desk_for(conversation: Conversation, now: datetime, needs: Needs | None = None) -> Desk:
    from routing.teams import team_for, team_schedule

    needs = needs or conversation_needs(conversation, RoutingPolicy.load())
    team = team_for(needs)
    return Desk(team, team_schedule(team, now) if team else None, now)


# -- the handoff message -----------------------------------------------------------------------


def handoff_begin(
    *,
    conversation: Conversation,
    escalation: Escalation | None,
    now: datetime,
    introduce: bool = True,
) -> None:
    """Post the handoff message(s) and start the timers. Inside the escalation's transaction.
    Without an escalation (straight to agents) and `introduce` off, only what happens next."""
    policy = TransitionPolicy.load()
    language = conversation.language
    desk = desk_for(conversation, now)
    if not desk.open:
        if escalation is not None and _is_urgent(conversation, escalation):
            _emergency_begin(conversation, desk, policy)
            return
        _off_hours_offer(conversation, desk, policy, introduce=introduce)
        back = _next_opening(desk)
        if back is not None:  # still waiting when the team opens: hear from us at once
            _wait_timers_start(conversation, policy, back, immediately=True)
        return
    _post(
        conversation, handoff_text(language, introduce=introduce, **what_happens_next(conversation))
    )
    _wait_timers_start(conversation, policy, now)
    routing = RoutingPolicy.load()
    queue_ahead = waiting_queue().exclude(pk=conversation.pk).count()
    if routing.overflow_queue_length and queue_ahead >= routing.overflow_queue_length:
        overflow(conversation, now=now, reason=f"{queue_ahead} already waiting")
    elif routing.overflow_after_minutes:
        timer_schedule(
            kind=Timer.Kind.OVERFLOW,
            key=f"overflow:{_episode(conversation)}",
            due_at=now + timedelta(minutes=routing.overflow_after_minutes),
            conversation=conversation,
        )


def _episode(conversation: Conversation) -> str:
    """Timer keys are per escalation, so a conversation handed over again gets fresh ones."""
    assert conversation.escalated_at is not None, "only escalated conversations have timers"
    return f"{conversation.pk}:{int(conversation.escalated_at.timestamp())}"


def _wait_timers_start(
    conversation: Conversation,
    policy: TransitionPolicy,
    start: datetime,
    *,
    immediately: bool = False,
) -> None:
    """The first update at the latest when the estimate runs out (or at `start` itself), then
    every N minutes; the callback offer after the configured wait."""
    if not policy.enabled:
        return
    every = timedelta(minutes=policy.update_every_minutes)
    estimate = wait_estimate(conversation)["seconds"]
    first = min(every, timedelta(seconds=estimate)) if estimate else every
    _schedule_wait_update(conversation, due_at=start if immediately else start + first, number=1)
    if policy.offer_callback_after_minutes:
        timer_schedule(
            kind=Timer.Kind.CALLBACK_OFFER,
            key=f"callback_offer:{_episode(conversation)}",
            due_at=start + timedelta(minutes=policy.offer_callback_after_minutes),
            conversation=conversation,
        )


def _schedule_wait_update(conversation: Conversation, *, due_at: datetime, number: int) -> None:
    timer_schedule(
        kind=Timer.Kind.WAIT_UPDATE,
        key=f"wait_update:{_episode(conversation)}:{number}",
        due_at=due_at,
        conversation=conversation,
        payload={"number": number},
    )


def _post(conversation: Conversation, body: str, actions: dict[str, Any] | None = None) -> Message:
    return message_post(
        conversation_id=conversation.pk,
        author_kind=Message.AuthorKind.ASSISTANT,
        body=body,
        actions=actions,
    ).message


# -- timers while the customer waits -------------------------------------------------------------


def still_queued(conversation: Conversation) -> bool:
    return conversation.status == Conversation.Status.WAITING and not conversation.assigned_agent_id


def wait_update(timer: Timer, now: datetime) -> str:
    """Post the place in line and the wait, and schedule the next update. While routing has
    offered the conversation to an agent the chain carries on silently (the offer may run out);
    it stops once an agent has it or it became a callback (`wait_resume` restarts it). If the
    team has closed meanwhile, the customer is offered the off-hours choices instead, and the
    next update waits for the team to open."""
    conversation = _locked(timer.conversation_id)
    if conversation.status != Conversation.Status.WAITING:
        return f"stopped: {conversation.status}"
    policy = TransitionPolicy.load()
    number = int(timer.payload.get("number", 1))
    needs = conversation_needs(conversation, RoutingPolicy.load())  # worked out once, used twice
    desk = desk_for(conversation, now, needs)
    back = None if desk.open else _next_opening(desk)
    if back is not None and still_queued(conversation):
        _schedule_wait_update(conversation, due_at=back, number=number + 1)
        _off_hours_offer(conversation, desk, policy, introduce=False)
        return "team closed: off-hours choices posted"
    _schedule_wait_update(
        conversation, due_at=now + _update_interval(policy, number), number=number + 1
    )
    if not still_queued(conversation):
        return "offered to an agent: nothing posted"
    estimate = wait_estimate(conversation, needs)
    if estimate["position"] and estimate["seconds"]:
        body = render(
            "wait_update",
            conversation.language,
            position=estimate["position"],
            minutes=minutes_of(float(estimate["seconds"])),
        )
    else:
        body = render("wait_update_unknown", conversation.language)
    _post(conversation, body)
    return f"posted update {number}"


def _update_interval(policy: TransitionPolicy, number: int) -> timedelta:
    """Every N minutes for the first dozen updates, then a third as often: a customer who has
    waited an hour is not helped by a message every five minutes."""
    every = timedelta(minutes=policy.update_every_minutes)
    return every if number < SLOWER_AFTER_UPDATES else every * 3


def wait_resume(conversation: Conversation, now: datetime) -> None:
    """Back in the queue (an agent left): updates and the callback offer start again."""
    if conversation.escalated_at is None:
        return
    policy = TransitionPolicy.load()
    stamp = int(now.timestamp())
    timer_schedule(
        kind=Timer.Kind.WAIT_UPDATE,
        key=f"wait_update:{_episode(conversation)}:resumed:{stamp}",
        due_at=now + timedelta(minutes=policy.update_every_minutes),
        conversation=conversation,
        payload={"number": 1},
    )
    if policy.offer_callback_after_minutes:
        timer_schedule(
            kind=Timer.Kind.CALLBACK_OFFER,
            key=f"callback_offer:{_episode(conversation)}:resumed:{stamp}",
            due_at=now + timedelta(minutes=policy.offer_callback_after_minutes),
            conversation=conversation,
        )


def callback_offer(timer: Timer, now: datetime) -> str:
    conversation = _locked(timer.conversation_id)
    if conversation.status != Conversation.Status.WAITING:
        return f"no offer: {conversation.status}"
    if not still_queued(conversation):
        return _try_again_later(timer, now)
    return _offer(conversation)


def _try_again_later(timer: Timer, now: datetime) -> str:
    """Offered to an agent right now: if the offer runs out, the customer still needs this."""
    timer_schedule(
        kind=timer.kind,
        key=f"{timer.key}:retry:{int(now.timestamp())}"[:120],
        due_at=now + RECHECK_OFFERED,
        conversation=timer.conversation,
        payload=timer.payload,
    )
    return "offered to an agent: checking again later"


def _offer(conversation: Conversation) -> str:
    """The callback / email / keep waiting buttons, unless they are showing, unanswered."""
    latest = conversation.messages.exclude(actions={}).order_by("-seq").first()
    showing = latest is not None and latest.actions.get("kind") == "callback_offer"
    if showing and latest is not None and not latest.actions.get("chosen"):
        return "already offered"
    language = conversation.language
    _post(
        conversation,
        render("callback_offer", language),
        {
            "kind": "callback_offer",
            "choices": [
                {"id": "callback", "label": render("choice_callback", language)},
                _email_choice(conversation),
                {"id": "wait", "label": render("choice_wait", language)},
            ],
        },
    )
    return "offered a callback"


def _email_choice(conversation: Conversation) -> dict[str, str]:
    choice = {"id": "email", "label": render("choice_email", conversation.language)}
    if not _reply_address(conversation):
        choice["input"] = "email"
    return choice


def overflow(conversation: Conversation, *, now: datetime, reason: str) -> str:
    """A queue too long or too slow: to the secondary skill group, or straight to the offer."""
    policy = RoutingPolicy.load()
    if policy.overflow_action == "skill" and policy.overflow_skill_id:
        Conversation.objects.filter(pk=conversation.pk).update(overflowed_at=now)
        conversation.overflowed_at = now
        transaction.on_commit(lambda: route_conversation_task.delay(conversation.pk), robust=True)
        outcome = "to the secondary skill group"
    else:
        outcome = _offer(conversation)
    event_record(
        conversation=conversation,
        kind="routing.overflowed",
        actor_kind=ConversationEvent.ActorKind.SYSTEM,
        data={"reason": reason, "action": policy.overflow_action, "outcome": outcome},
    )
    return f"overflowed: {outcome}"


def overflow_timer(timer: Timer, now: datetime) -> str:
    conversation = _locked(timer.conversation_id)
    if conversation.status != Conversation.Status.WAITING or conversation.overflowed_at:
        return "no overflow"
    if not still_queued(conversation):
        return _try_again_later(timer, now)
    minutes = RoutingPolicy.load().overflow_after_minutes
    return overflow(conversation, now=now, reason=f"waited {minutes} min")


def _locked(conversation_id: int | None) -> Conversation:
    assert conversation_id is not None, "this timer belongs to a conversation"
    return (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=conversation_id)
    )


# -- off-hours and the emergency path --------------------------------------------------------------


def _off_hours_offer(
    conversation: Conversation, desk: Desk, policy: TransitionPolicy, *, introduce: bool = True
) -> None:
    """When the team is back, next-business-day slots and the email follow-up, and what counts
    as urgent."""
    language = conversation.language
    back = _next_opening(desk)
    body = render(
        "off_hours",
        language,
        when=_when(back, desk, language) if back else "-",
        zone=desk.zone.key,
    )
    criteria = _urgency_texts(language)
    if criteria:
        body += " " + render("urgent_info", language, criteria=", ".join(criteria))
    text = f"{render('handoff', language)} {body}" if introduce else body
    _post(conversation, text, _slot_actions(conversation, desk))


def _next_opening(desk: Desk) -> datetime | None:
    return next_opening(desk.schedule, desk.now) if desk.schedule else None


def _urgency_texts(language: str) -> list[str]:
    """How the customer is told what counts as urgent, in their language where written."""
    return [
        getattr(criterion, f"customer_text_{language}", "") or criterion.customer_text
        for criterion in UrgencyCriterion.objects.filter(active=True)
    ]


def _is_urgent(conversation: Conversation, escalation: Escalation) -> bool:
    return _meets_urgency_criteria(
        category=escalation.category,
        boundary_id=escalation.boundary_id,
        urgency=conversation.urgency or escalation.urgency,
    )


def _meets_urgency_criteria(*, category: str, boundary_id: int | None, urgency: str) -> bool:
    """Every condition of some active criterion matches (the trigger's category, the
    capability boundary, the handoff package's urgency at least the criterion's)."""
    for criterion in UrgencyCriterion.objects.filter(active=True):
        if criterion.category and criterion.category != category:
            continue
        if criterion.boundary_id and criterion.boundary_id != boundary_id:
            continue
        if criterion.min_urgency and _rank(urgency) < _rank(criterion.min_urgency):
            continue
        if criterion.category or criterion.boundary_id or criterion.min_urgency:
            return True
    return False


def _rank(urgency: str) -> int:
    return URGENCY_ORDER.index(urgency) if urgency in URGENCY_ORDER else 1


def urgency_recheck(*, message_id: int, now: datetime | None = None) -> bool:
    """Off-hours, a customer already waiting (or booked for the next business day) tells us
    something that meets the urgency criteria ("someone got into my account"): the emergency
    path starts, once; a booked callback gives way to it."""
    message = Message.objects.select_related("conversation__customer").get(pk=message_id)
    conversation = message.conversation
    if not _may_turn_urgent(conversation) or message.author_kind != Message.AuthorKind.CUSTOMER:
        return False
    now = now or timezone.now()
    desk = desk_for(conversation, now)
    if desk.open:
        return False
    prediction = get_assistant().model.predict(message.body)
    turn = Turn(message.body, prediction.intent, prediction.confidence, 1.0, 0.0, 1.0)
    boundaries = dict(CapabilityBoundary.objects.values_list("code", "pk"))
    urgent = [
        hit
        for hit in capability_hits(turn, policy_from_db())
        if _meets_urgency_criteria(
            category="capability",
            boundary_id=boundaries.get(hit.boundary or ""),
            urgency=hit.urgency,
        )
    ]
    if not urgent:
        return False
    with transaction.atomic():
        locked = _locked(conversation.pk)
        if not _may_turn_urgent(locked) or locked.events.filter(kind=EMERGENCY).exists():
            return False
        if locked.status in Conversation.SCHEDULED_STATUSES:
            Callback.objects.filter(conversation=locked, status=Callback.Status.SCHEDULED).update(
                status=Callback.Status.CANCELLED, completed_at=now
            )
            locked.status = Conversation.Status.WAITING
            locked.save(update_fields=["status"])
            enqueue(locked, urgency="critical")
        _emergency_begin(locked, desk, TransitionPolicy.load(), introduce=False)
    return True


def _may_turn_urgent(conversation: Conversation) -> bool:
    return still_queued(conversation) or conversation.status in Conversation.SCHEDULED_STATUSES


def _emergency_begin(
    conversation: Conversation, desk: Desk, policy: TransitionPolicy, *, introduce: bool = True
) -> None:
    """Urgent and off-hours: the on-call agent is offered the conversation and paged; if nobody
    joins in time, a guaranteed callback with a deadline is recorded (emergency_check)."""
    from routing.teams import on_call_agent

    language, now = conversation.language, desk.now
    answer = timedelta(minutes=policy.emergency_answer_minutes)
    deadline = now + answer + timedelta(minutes=policy.guaranteed_callback_minutes)
    body = render(
        "emergency",
        language,
        minutes=policy.emergency_answer_minutes,
        deadline=_when(deadline, desk, language),
        zone=desk.zone.key,
    )
    text = f"{render('handoff', language)} {body}" if introduce else body
    _post(conversation, text, _contact_actions(conversation))
    agent = on_call_agent(desk.team, now) if desk.team else None
    if agent is not None:
        manual_assign(conversation=conversation, agent=agent, by=None, over_capacity=True)
        _page(
            agent,
            conversation,
            f"Urgent off-hours: {conversation.customer.display_name}",
            ref=f"emergency:{_episode(conversation)}",
        )
    elif desk.team and desk.team.emergency_email:
        _email(
            to=desk.team.emergency_email,
            subject="Urgent off-hours conversation, nobody on call",
            body=_agent_link_text(conversation),
            key=f"emergency-team:{_episode(conversation)}",
            conversation=conversation,
        )
    event_record(
        conversation=conversation,
        kind=EMERGENCY,
        actor_kind=ConversationEvent.ActorKind.SYSTEM,
        data={"on_call": agent.display_name if agent else None, "deadline": deadline.isoformat()},
    )
    timer_schedule(
        kind=Timer.Kind.EMERGENCY_CHECK,
        key=f"emergency_check:{_episode(conversation)}",
        due_at=now + answer,
        conversation=conversation,
        payload={"deadline": deadline.isoformat()},
    )


def _contact_actions(conversation: Conversation) -> dict[str, Any]:
    """What we still need to reach the customer: a number (best, for a call), or an address."""
    if conversation.customer.phone:
        return {}
    language = conversation.language
    choices = [{"id": "phone", "label": render("choice_phone", language), "input": "phone"}]
    if not _reply_address(conversation):
        label = render("choice_contact_email", language)
        choices.append({"id": "contact_email", "label": label, "input": "email"})
    return {"kind": "phone", "choices": choices}


def _reply_address(conversation: Conversation) -> str:
    """An address we may write to: one typed in this chat, or the profile's once it is proven
    (an unproven claim never gets here: helpdesk.identity keeps it off the chat's profile)."""
    return conversation.contact_email or conversation.customer.email


def emergency_check(timer: Timer, now: datetime) -> str:
    """Nobody joined in time: record the guaranteed callback the customer was promised."""
    conversation = _locked(timer.conversation_id)
    if conversation.status != Conversation.Status.WAITING:
        return f"answered: {conversation.status}"
    policy = TransitionPolicy.load()
    deadline = datetime.fromisoformat(timer.payload["deadline"])
    phone, address = conversation.customer.phone, _reply_address(conversation)
    # A phone call unless all we have is an email address (a number left later is added).
    kind = Callback.Kind.EMAIL if address and not phone else Callback.Kind.PHONE
    callback = _callback_record(
        conversation,
        kind=kind,
        due_at=deadline,
        email=address,
        emergency=True,
        agent=conversation.assigned_agent,
    )
    desk, language = desk_for(conversation, now), conversation.language
    when = {"deadline": _when(deadline, desk, language), "zone": desk.zone.key}
    if phone or address:
        _post(
            conversation, render("guaranteed_callback", language, contact=phone or address, **when)
        )
    else:  # never a promise to call nobody: the chat itself is how we come back
        _post(
            conversation,
            render("guaranteed_in_chat", language, **when),
            _contact_actions(conversation),
        )
    timer_schedule(
        kind=Timer.Kind.DEADLINE_CHECK,
        key=f"deadline_check:{callback.pk}",
        due_at=deadline - timedelta(minutes=policy.deadline_warning_minutes),
        callback=callback,
        conversation=conversation,
    )
    return f"guaranteed callback {callback.pk}"


def deadline_check(timer: Timer, now: datetime) -> str:
    """A guaranteed callback still open near its deadline: escalated again, to the team's
    emergency address, every supervisor and the agents' inboxes."""
    conversation = _locked(timer.conversation_id)  # the conversation first, as everywhere
    callback = (
        Callback.objects.select_for_update(of=("self",))
        .select_related("agent__user")
        .get(pk=_callback_id(timer))
    )
    if callback.status != Callback.Status.SCHEDULED:
        return f"callback {callback.status}"
    callback.escalated_again_at = now
    callback.save(update_fields=["escalated_again_at"])
    desk = desk_for(conversation, now)
    text = (
        f"Guaranteed callback for {conversation.customer.display_name} due "
        f"{_agent_time(callback.due_at, desk)} is still open"
    )
    recipients = _supervisor_emails()
    if desk.team and desk.team.emergency_email:
        recipients.append(desk.team.emergency_email)
    if callback.agent is not None and callback.agent.user.email:
        recipients.append(callback.agent.user.email)
    for address in sorted(set(recipients)):
        _email(
            to=address,
            subject=text,
            body=_agent_link_text(conversation),
            key=f"deadline:{callback.pk}:{address}",
            conversation=conversation,
        )
    publish_on_commit(
        INBOX_GROUP,
        {"type": "inbox.alert", "conversation": str(conversation.public_id), "text": text},
    )
    event_record(
        conversation=conversation,
        kind="callback.deadline_at_risk",
        actor_kind=ConversationEvent.ActorKind.SYSTEM,
        data={"callback": callback.pk, "told": sorted(set(recipients))},
    )
    return f"escalated again to {len(set(recipients))} addresses"


def _agent_time(moment: datetime, desk: Desk) -> str:
    """A time for agents' reminders and emails: the team's local date and time, with the zone."""
    local = timezone.localtime(moment, desk.zone)
    return f"{local:%a %d %b %H:%M} ({desk.zone.key})"


def _supervisor_emails() -> list[str]:
    users = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    return list(users.values_list("email", flat=True))


# -- callbacks ---------------------------------------------------------------------------------------


def _slot_actions(conversation: Conversation, desk: Desk) -> dict[str, Any]:
    """Buttons with the next callback slots in the team's hours, and the email follow-up."""
    policy = TransitionPolicy.load()
    language = conversation.language
    slots = (
        callback_slots(
            desk.schedule,
            desk.now,
            slot_minutes=policy.callback_slot_minutes,
            count=policy.callback_slots_offered,
            lead_minutes=policy.callback_lead_minutes,
        )
        if desk.schedule
        else _plain_slots(desk.now, policy)
    )
    choices: list[dict[str, str]] = [
        {
            "id": "slot:" + slot.isoformat(),
            "label": _slot_label(slot, desk, language),
            "input": "phone",
        }
        for slot in slots
    ]
    choices.append(_email_choice(conversation))
    return {"kind": "callback_slots", "choices": choices, "prefill": conversation.customer.phone}


def _plain_slots(now: datetime, policy: TransitionPolicy) -> list[datetime]:
    """Without business hours: the next slots on the hour's grid of slot lengths, any time."""
    step = timedelta(minutes=policy.callback_slot_minutes)
    start = now + timedelta(minutes=policy.callback_lead_minutes)
    grid = min(policy.callback_slot_minutes, 60)
    start = start.replace(second=0, microsecond=0) + timedelta(minutes=-start.minute % grid)
    return [start + step * number for number in range(policy.callback_slots_offered)]


def _slot_label(slot: datetime, desk: Desk, language: str) -> str:
    local = timezone.localtime(slot, desk.zone)
    with translation.override(language):
        day = formats.date_format(local, "l j F")
    return render("slot_label", language, day=day, time=local.strftime("%H:%M"))


def _when(moment: datetime, desk: Desk, language: str) -> str:
    local = timezone.localtime(moment, desk.zone)
    with translation.override(language):
        return formats.date_format(local, "l j F, H:i")


def _callback_record(
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
        summary=_issue_summary(conversation),
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
        kind="callback.scheduled",
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
    publish_on_commit(
        INBOX_GROUP,
        {"type": "inbox.changed", "conversation": str(conversation.public_id), "kind": "callback"},
    )
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
    agents = Agent.objects.all()
    for code, level in needs.skills.items():
        agents = agents.filter(
            pk__in=AgentSkill.objects.filter(skill__code=code, level__gte=level).values("agent")
        )
    if needs.language:
        agents = agents.filter(languages__icontains=needs.language)
    return (
        agents.annotate(
            scheduled=Count("callbacks", filter=Q(callbacks__status=Callback.Status.SCHEDULED))
        )
        .order_by("scheduled", "pk")
        .first()
    )


def _issue_summary(conversation: Conversation) -> str:
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


def _callback_id(timer: Timer) -> int:
    assert timer.callback_id is not None, "this timer belongs to a callback"
    return timer.callback_id


def callback_reminder(timer: Timer, now: datetime) -> str:
    conversation = _locked(timer.conversation_id)  # the conversation first, as everywhere
    callback = (
        Callback.objects.select_for_update(of=("self",))
        .select_related("agent__user")
        .get(pk=_callback_id(timer))
    )
    if callback.status != Callback.Status.SCHEDULED:
        return f"callback {callback.status}"
    due = _agent_time(callback.due_at, desk_for(conversation, now))
    name = conversation.customer.display_name
    text = _reminder_text(callback, name, due)
    if callback.agent is None:
        publish_on_commit(
            INBOX_GROUP,
            {"type": "inbox.alert", "conversation": str(conversation.public_id), "text": text},
        )
        return "reminded every agent (none assigned)"
    _page(callback.agent, conversation, text, ref=f"reminder:{callback.pk}")
    return f"reminded {callback.agent.display_name}"


def _reminder_text(callback: Callback, name: str, due: str) -> str:
    if callback.kind == Callback.Kind.PHONE and callback.phone:
        return f"Call {name} on {callback.phone} at {due}"
    if callback.email:
        return f"Email {name} at {callback.email} by {due}"
    # A guaranteed callback with no contact left: the customer was told to expect us in the chat.
    return f"Answer {name} in the chat by {due}: they left no phone number or email"


def _page(agent: Agent, conversation: Conversation, text: str, *, ref: str) -> None:
    """Reach one agent: their open inbox pages at once, and their email."""
    publish_on_commit(
        agent_group(agent.pk),
        {"type": "inbox.alert", "conversation": str(conversation.public_id), "text": text},
    )
    if agent.user.email:
        _email(
            to=agent.user.email,
            subject=text,
            body=_agent_link_text(conversation),
            key=f"page:{agent.pk}:{ref}",
            conversation=conversation,
        )
    event_record(
        conversation=conversation,
        kind="transition.paged",
        actor_kind=ConversationEvent.ActorKind.SYSTEM,
        data={"agent": agent.pk, "agent_name": agent.display_name, "text": text},
    )


def _agent_link_text(conversation: Conversation) -> str:
    summary = _issue_summary(conversation) or "(no summary yet)"
    return (
        f"{conversation.customer.display_name}: {summary}\n\n"
        f"Handoff summary: {settings.SITE_URL}/agent/conversations/{conversation.public_id}/summary/\n"
    )


def _email(*, to: str, subject: str, body: str, key: str, conversation: Conversation) -> None:
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
        raise ChatError("closed", "This conversation is closed.")
    return offer


def _apply_choice(
    conversation: Conversation, offer: Message, item: dict[str, str], contact: str
) -> Message:
    language, now, choice = conversation.language, timezone.now(), item["id"]
    customer = conversation.customer
    if str(offer.actions.get("kind", "")).startswith("survey"):
        from escalation.feedback import survey_answer  # it builds on this module

        return survey_answer(conversation, choice, contact)
    if choice == "wait":
        return _post(conversation, render("keep_waiting", language))
    if choice == "phone":
        _save_phone(customer, _valid_phone(contact, conversation))
        # A guaranteed callback recorded before the number was known now has one.
        conversation.callbacks.filter(status=Callback.Status.SCHEDULED).update(
            kind=Callback.Kind.PHONE, phone=customer.phone
        )
        return _post(conversation, render("phone_saved", language, phone=customer.phone))
    if choice == "contact_email":
        return _contact_email_save(conversation, _valid_email(contact, conversation))
    if conversation.status != Conversation.Status.WAITING:
        raise _refusal("not_waiting", "error_not_waiting", conversation)
    desk = desk_for(conversation, now)
    if choice == "callback":
        body = render("callback_slots", language, zone=desk.zone.key)
        return _post(conversation, body, _slot_actions(conversation, desk))
    if choice == "email":
        address = _valid_email(contact or _reply_address(conversation), conversation)
        return _email_follow_up(conversation, desk, address)
    if choice.startswith("slot:"):
        slot = datetime.fromisoformat(choice.removeprefix("slot:"))
        if slot <= now:
            raise _refusal("stale_choice", "error_slot_passed", conversation)
        _save_phone(customer, _valid_phone(contact or customer.phone, conversation))
        return _phone_callback(conversation, slot, desk)
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
    return _post(conversation, render("email_saved", conversation.language, email=address))


def _phone_callback(conversation: Conversation, slot: datetime, desk: Desk) -> Message:
    return _book(conversation, desk, kind=Callback.Kind.PHONE, due=slot)


def _email_follow_up(conversation: Conversation, desk: Desk, address: str) -> Message:
    policy = TransitionPolicy.load()
    due = _after_business_hours(desk, timedelta(hours=policy.email_reply_hours))
    return _book(conversation, desk, kind=Callback.Kind.EMAIL, due=due, email=address)


def _book(
    conversation: Conversation, desk: Desk, *, kind: str, due: datetime, email: str = ""
) -> Message:
    """Record the callback or email ticket and confirm it, in the chat and by email, with the
    issue in the customer's words."""
    callback = _callback_record(conversation, kind=kind, due_at=due, email=email)
    language = conversation.language
    when = _when(due, desk, language)
    text = render(
        "callback_confirmed" if kind == Callback.Kind.PHONE else "email_confirmed",
        language,
        phone=callback.phone,
        email=callback.email,
        when=when,
        zone=desk.zone.key,
        summary=callback.summary or "-",
    )
    _confirm_by_email(conversation, callback, text, when)
    return _post(conversation, text)


def _after_business_hours(desk: Desk, work: timedelta) -> datetime:
    """When `work` of the team's opening time has passed from now (plain time without hours)."""
    if desk.schedule is None:
        return desk.now + work
    for start, end in opening_spans(desk.schedule, desk.now, desk.now + timedelta(days=30)):
        if end - start >= work:
            return start + work
        work -= end - start
    return desk.now + work


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
    _email(
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
        # The conversation's row first, then the callback's: the order every other path takes.
        conversation = _locked(Callback.objects.get(pk=callback_id).conversation_id)
        callback = Callback.objects.select_for_update().get(pk=callback_id)
        if callback.status != Callback.Status.SCHEDULED:
            raise ChatError("not_scheduled", "This callback is already closed.")
        callback.status = Callback.Status.DONE
        callback.completed_at = timezone.now()
        callback.agent = callback.agent or agent
        callback.save(update_fields=["status", "completed_at", "agent"])
        if conversation.status in Conversation.SCHEDULED_STATUSES:
            from escalation.feedback import survey_begin  # it builds on this module

            conversation.status = Conversation.Status.RESOLVED
            conversation.closed_at = callback.completed_at
            conversation.save(update_fields=["status", "closed_at"])
            conversation_publish_status(conversation)
            survey_begin(conversation)
            conversation_event_send("conversation.resolved", conversation)
        event_record(
            conversation=conversation,
            kind="callback.done",
            actor_kind=ConversationEvent.ActorKind.AGENT,
            actor_user_id=agent.user_id,
            data={"callback": callback.pk, "agent": agent.display_name},
        )
        publish_on_commit(
            INBOX_GROUP,
            {"type": "inbox.changed", "conversation": str(conversation.public_id), "kind": "done"},
        )
    return callback


def callback_take(*, callback_id: int, agent: Agent) -> Callback:
    with transaction.atomic():
        callback = Callback.objects.select_for_update().get(pk=callback_id)
        if callback.status != Callback.Status.SCHEDULED:
            raise ChatError("not_scheduled", "This callback is already closed.")
        callback.agent = agent
        callback.save(update_fields=["agent"])
    return callback
