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

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from escalation.callbacks import email_choice
from escalation.desk import (
    RECHECK_OFFERED,
    SLOWER_AFTER_UPDATES,
    episode_of,
    locked_conversation,
    post_reply,
    still_queued,
)
from escalation.emergency import emergency_begin, is_urgent, next_opening_of, off_hours_offer
from escalation.models import (
    Escalation,
    Timer,
    TransitionPolicy,
)
from escalation.texts import handoff_text, minutes_of, render
from escalation.timers import timer_add, timer_schedule
from helpdesk.models import Conversation, ConversationEvent, Message
from helpdesk.services import event_record, system_message_post
from routing.estimates import wait_estimate, what_happens_next
from routing.models import RoutingPolicy
from routing.needs import conversation_needs
from routing.selectors import waiting_queue
from routing.services import conversation_route_soon
from routing.teams import ServingTeam, open_until, serving_team


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
    serving = serving_team(conversation, now)
    if not serving.open:
        if escalation is not None and is_urgent(conversation, escalation):
            emergency_begin(conversation, serving, policy)
            return
        off_hours_offer(conversation, serving, policy, introduce=introduce)
        back = next_opening_of(serving)
        if back is not None:  # still waiting when the team opens: hear from us at once
            _wait_timers_start(conversation, policy, back, immediately=True)
        return
    # Inside the escalation's transaction, which holds the conversation's row.
    facts = what_happens_next(conversation)
    if _nobody_online(facts):
        _nobody_online_offer(conversation, serving, facts["position"], introduce=introduce)
    else:
        post_reply(conversation, handoff_text(language, introduce=introduce, **facts), locked=True)
    _wait_timers_start(conversation, policy, now, said=_told(facts))
    routing = RoutingPolicy.load()
    queue_ahead = waiting_queue().exclude(pk=conversation.pk).count()
    if routing.overflow_queue_length and queue_ahead >= routing.overflow_queue_length:
        longest = _longest_waiting_not_overflowed() or conversation
        overflow(longest, now=now, reason=f"{queue_ahead} already waiting")
    elif routing.overflow_after_minutes:
        timer_schedule(
            kind=Timer.Kind.OVERFLOW,
            key=f"overflow:{episode_of(conversation)}",
            due_at=now + timedelta(minutes=routing.overflow_after_minutes),
            conversation=conversation,
        )


def _nobody_online(facts: dict[str, Any]) -> bool:
    """Queued, and no qualified agent online to give a wait: nobody is busy, nobody is there."""
    return not facts["agent_free"] and bool(facts["position"]) and facts["seconds"] is None


def _nobody_online_offer(
    conversation: Conversation, serving: ServingTeam, position: int, *, introduce: bool
) -> None:
    """Say so, with the place in line and the team's hours, and offer the callback and the
    email at once rather than after the usual wait."""
    language = conversation.language
    parts = [render("handoff", language)] if introduce else []
    parts.append(render("nobody_online", language, position=position))
    until = open_until(serving)
    if until is not None:
        local = timezone.localtime(until, serving.zone)
        parts.append(
            render("team_hours_today", language, time=f"{local:%H:%M}", zone=serving.zone.key)
        )
    post_reply(conversation, " ".join(parts), offer_actions(conversation), locked=True)


def _told(facts: dict[str, Any]) -> list[Any] | None:
    """What the customer was told of their wait: the place in line and the minutes (None when
    unknown), for the updates to say only what changed."""
    if facts.get("position") is None:
        return None
    seconds = facts.get("seconds")
    return [facts["position"], minutes_of(float(seconds)) if seconds else None]


def _wait_timers_start(
    conversation: Conversation,
    policy: TransitionPolicy,
    start: datetime,
    *,
    immediately: bool = False,
    said: list[Any] | None = None,
) -> None:
    """The first update at the latest when the estimate runs out (or at `start` itself), then
    every N minutes; the callback offer after the configured wait."""
    if not policy.enabled:
        return
    every = timedelta(minutes=policy.update_every_minutes)
    estimate = wait_estimate(conversation)["seconds"]
    first = min(every, timedelta(seconds=estimate)) if estimate else every
    _schedule_wait_update(
        conversation, due_at=start if immediately else start + first, number=1, said=said
    )
    if policy.offer_callback_after_minutes:
        timer_add(
            kind=Timer.Kind.CALLBACK_OFFER,
            key=f"callback_offer:{episode_of(conversation)}",
            due_at=start + timedelta(minutes=policy.offer_callback_after_minutes),
            conversation=conversation,
            payload={},
        )


def _schedule_wait_update(
    conversation: Conversation, *, due_at: datetime, number: int, said: list[Any] | None = None
) -> None:
    timer_add(
        kind=Timer.Kind.WAIT_UPDATE,
        key=f"wait_update:{episode_of(conversation)}:{number}",
        due_at=due_at,
        conversation=conversation,
        payload={"number": number, "said": said},
    )


def wait_update(timer: Timer, now: datetime) -> str:
    """Post the place in line and the wait, and schedule the next update. While routing has
    offered the conversation to an agent the chain carries on silently (the offer may run out);
    it stops once an agent has it or it became a callback (`wait_resume` restarts it). If the
    team has closed meanwhile, the customer is offered the off-hours choices instead, and the
    next update waits for the team to open."""
    # What the needs depend on comes with the locked row (routing.needs.locked_with_facts).
    conversation = locked_conversation(timer.conversation_id, with_needs=True)
    if conversation.status != Conversation.Status.WAITING:
        return f"stopped: {conversation.status}"
    policy = TransitionPolicy.load()
    number = int(timer.payload.get("number", 1))
    needs = conversation_needs(conversation, RoutingPolicy.load())  # worked out once, used twice
    serving = serving_team(conversation, now, needs)
    back = None if serving.open else next_opening_of(serving)
    if back is not None and still_queued(conversation):
        _schedule_wait_update(conversation, due_at=back, number=number + 1)
        off_hours_offer(conversation, serving, policy, introduce=False)
        return "team closed: off-hours choices posted"
    said = timer.payload.get("said")
    if not still_queued(conversation):
        _schedule_wait_update(conversation, due_at=_next(now, policy, number), number=number + 1)
        return "offered to an agent: nothing posted"
    estimate = wait_estimate(conversation, needs)
    told = _told(estimate)
    _schedule_wait_update(
        conversation, due_at=_next(now, policy, number), number=number + 1, said=told or said
    )
    if told is None or told == said:
        return "nothing new: nothing posted"
    post_reply(conversation, _update_text(conversation.language, told), locked=True)
    return f"posted update {number}"


def _update_text(language: str, told: list[Any]) -> str:
    position, minutes = told
    if minutes is None:
        return render("nobody_online_update", language, position=position)
    return render("wait_update", language, position=position, minutes=minutes)


def _next(now: datetime, policy: TransitionPolicy, number: int) -> datetime:
    return now + _update_interval(policy, number)


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
        key=f"wait_update:{episode_of(conversation)}:resumed:{stamp}",
        due_at=now + timedelta(minutes=policy.update_every_minutes),
        conversation=conversation,
        payload={"number": 1},
    )
    if policy.offer_callback_after_minutes:
        timer_schedule(
            kind=Timer.Kind.CALLBACK_OFFER,
            key=f"callback_offer:{episode_of(conversation)}:resumed:{stamp}",
            due_at=now + timedelta(minutes=policy.offer_callback_after_minutes),
            conversation=conversation,
        )


def callback_offer(timer: Timer, now: datetime) -> str:
    conversation = locked_conversation(timer.conversation_id)
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
    post_reply(
        conversation, render("callback_offer", conversation.language), offer_actions(conversation)
    )
    return "offered a callback"


def offer_actions(conversation: Conversation) -> dict[str, Any]:
    """The buttons under an offer to stop waiting: call me back, email me, keep waiting."""
    language = conversation.language
    return {
        "kind": "callback_offer",
        "choices": [
            {"id": "callback", "label": render("choice_callback", language)},
            email_choice(conversation),
            {"id": "wait", "label": render("choice_wait", language)},
        ],
    }


def _longest_waiting_not_overflowed() -> Conversation | None:
    """Whom a queue grown too long serves first: the customer waiting longest who has not been
    overflowed in this wait, not the newcomer (who would jump everyone in line). Locked, and
    passed by if another transaction holds them (the next longest is served instead)."""
    overflowed = ConversationEvent.objects.filter(
        conversation=OuterRef("pk"),
        kind=ConversationEvent.Kind.ROUTING_OVERFLOWED,
        created_at__gte=OuterRef("escalated_at"),
    )
    return (
        waiting_queue()
        .filter(~Exists(overflowed))
        .select_for_update(of=("self",), skip_locked=True)
        .select_related("customer")
        .order_by("escalated_at", "pk")
        .first()
    )


def overflow(conversation: Conversation, *, now: datetime, reason: str) -> str:
    """A queue too long or too slow: to the secondary skill group, or straight to the offer."""
    policy = RoutingPolicy.load()
    if policy.overflow_action == "skill" and policy.overflow_skill_id:
        Conversation.objects.filter(pk=conversation.pk).update(overflowed_at=now)
        conversation.overflowed_at = now
        conversation_route_soon(conversation.pk)
        outcome = "to the secondary skill group"
    else:
        outcome = _offer(conversation)
    event_record(
        conversation=conversation,
        kind=ConversationEvent.Kind.ROUTING_OVERFLOWED,
        actor_kind=ConversationEvent.ActorKind.SYSTEM,
        data={"reason": reason, "action": policy.overflow_action, "outcome": outcome},
    )
    return f"overflowed: {outcome}"


def overflow_timer(timer: Timer, now: datetime) -> str:
    conversation = locked_conversation(timer.conversation_id)
    if conversation.status != Conversation.Status.WAITING or conversation.overflowed_at:
        return "no overflow"
    if not still_queued(conversation):
        return _try_again_later(timer, now)
    minutes = RoutingPolicy.load().overflow_after_minutes
    return overflow(conversation, now=now, reason=f"waited {minutes} min")


# -- what the customer writes while waiting ------------------------------------------------------


def waiting_message_acknowledge(message: Message) -> list[Message]:
    """A customer writing while they wait for a person hears that it was added, once per burst:
    not again until something else was said in the chat (an update, an offer, an agent)."""
    with transaction.atomic():
        conversation = locked_conversation(message.conversation_id)
        if conversation.status not in (
            Conversation.Status.WAITING,
            *Conversation.SCHEDULED_STATUSES,
        ):
            return []
        text = render("added_to_conversation", conversation.language)
        said_last = (
            conversation.messages.filter(seq__lt=message.seq)
            .exclude(author_kind=Message.AuthorKind.CUSTOMER)
            .order_by("-seq")
            .values_list("author_kind", "body")
            .first()
        )
        if said_last == (Message.AuthorKind.SYSTEM, text):
            return []  # this burst was acknowledged already
        return [system_message_post(conversation=conversation, body=text).message]
