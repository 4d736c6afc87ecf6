"""Outside the team's hours: the next-business-day offer, and for an urgent issue the emergency
path (the on-call agent paged, a guaranteed callback with a deadline if nobody joins, escalated
again when the deadline is at risk)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from agents.notify import agent_alert
from assistant.runtime import get_assistant
from escalation.callbacks import callback_record, contact_actions, reply_address, slot_actions
from escalation.desk import (
    EMERGENCY,
    agent_link_text,
    agent_time,
    callback_id_of,
    email_later,
    episode_of,
    locked_callback,
    locked_conversation,
    page_agent,
    post_reply,
    still_queued,
    supervisor_emails,
    when_text,
)
from escalation.engine import MessageReading, capability_hits
from escalation.models import (
    Callback,
    CapabilityBoundary,
    Escalation,
    Timer,
    TransitionPolicy,
    UrgencyCriterion,
)
from escalation.selectors import policy_from_db
from escalation.texts import render
from escalation.timers import timer_schedule
from helpdesk.models import Conversation, ConversationEvent, Message, Urgency
from helpdesk.services import (
    event_record,
)
from routing.hours import next_opening
from routing.services import conversation_assign_manually, conversation_enqueue
from routing.teams import ServingTeam, serving_team


def off_hours_offer(
    conversation: Conversation,
    serving: ServingTeam,
    policy: TransitionPolicy,
    *,
    introduce: bool = True,
) -> None:
    """When the team is back, next-business-day slots and the email follow-up, and what counts
    as urgent."""
    language = conversation.language
    back = next_opening_of(serving)
    body = render(
        "off_hours",
        language,
        when=when_text(back, serving, language) if back else "-",
        zone=serving.zone.key,
    )
    criteria = _urgency_texts(language)
    if criteria:
        body += " " + render("urgent_info", language, criteria=", ".join(criteria))
    text = f"{render('handoff', language)} {body}" if introduce else body
    post_reply(conversation, text, slot_actions(conversation, serving))


def next_opening_of(serving: ServingTeam) -> datetime | None:
    return next_opening(serving.schedule, serving.now) if serving.schedule else None


def _urgency_texts(language: str) -> list[str]:
    """How the customer is told what counts as urgent, in their language where written."""
    return [
        getattr(criterion, f"customer_text_{language}", "") or criterion.customer_text
        for criterion in UrgencyCriterion.objects.filter(active=True)
    ]


def is_urgent(conversation: Conversation, escalation: Escalation) -> bool:
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
    return Urgency.rank(urgency, unknown=1)


def urgency_recheck(*, message_id: int, now: datetime | None = None) -> bool:
    """Off-hours, a customer already waiting (or booked for the next business day) tells us
    something that meets the urgency criteria ("someone got into my account"): the emergency
    path starts, once; a booked callback gives way to it."""
    message = Message.objects.select_related("conversation__customer").get(pk=message_id)
    conversation = message.conversation
    if not _may_turn_urgent(conversation) or message.author_kind != Message.AuthorKind.CUSTOMER:
        return False
    now = now or timezone.now()
    serving = serving_team(conversation, now)
    if serving.open:
        return False
    prediction = get_assistant().model.predict(message.body)
    turn = MessageReading(
        text=message.body,
        intent=prediction.intent,
        intent_confidence=prediction.confidence,
        known_words=1.0,
        sentiment_score=0.0,
        response_confidence=1.0,
    )
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
        locked = locked_conversation(conversation.pk)
        if not _may_turn_urgent(locked) or locked.events.filter(kind=EMERGENCY).exists():
            return False
        if locked.status in Conversation.SCHEDULED_STATUSES:
            Callback.objects.filter(conversation=locked, status=Callback.Status.SCHEDULED).update(
                status=Callback.Status.CANCELLED, completed_at=now
            )
            locked.status = Conversation.Status.WAITING
            locked.save(update_fields=["status"])
            conversation_enqueue(locked, urgency="critical")
        emergency_begin(locked, serving, TransitionPolicy.load(), introduce=False)
    return True


def _may_turn_urgent(conversation: Conversation) -> bool:
    return still_queued(conversation) or conversation.status in Conversation.SCHEDULED_STATUSES


def emergency_begin(
    conversation: Conversation,
    serving: ServingTeam,
    policy: TransitionPolicy,
    *,
    introduce: bool = True,
) -> None:
    """Urgent and off-hours: the on-call agent is offered the conversation and paged; if nobody
    joins in time, a guaranteed callback with a deadline is recorded (emergency_check)."""
    from routing.teams import on_call_agent

    language, now = conversation.language, serving.now
    answer = timedelta(minutes=policy.emergency_answer_minutes)
    deadline = now + answer + timedelta(minutes=policy.guaranteed_callback_minutes)
    body = render(
        "emergency",
        language,
        minutes=policy.emergency_answer_minutes,
        deadline=when_text(deadline, serving, language),
        zone=serving.zone.key,
    )
    text = f"{render('handoff', language)} {body}" if introduce else body
    post_reply(conversation, text, contact_actions(conversation))
    agent = on_call_agent(serving.team, now) if serving.team else None
    if agent is not None:
        conversation_assign_manually(
            conversation=conversation, agent=agent, by=None, over_capacity=True
        )
        page_agent(
            agent,
            conversation,
            f"Urgent off-hours: {conversation.customer.display_name}",
            ref=f"emergency:{episode_of(conversation)}",
        )
    elif serving.team and serving.team.emergency_email:
        email_later(
            to=serving.team.emergency_email,
            subject="Urgent off-hours conversation, nobody on call",
            body=agent_link_text(conversation),
            key=f"emergency-team:{episode_of(conversation)}",
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
        key=f"emergency_check:{episode_of(conversation)}",
        due_at=now + answer,
        conversation=conversation,
        payload={"deadline": deadline.isoformat()},
    )


def emergency_check(timer: Timer, now: datetime) -> str:
    """Nobody joined in time: record the guaranteed callback the customer was promised."""
    conversation = locked_conversation(timer.conversation_id)
    if conversation.status != Conversation.Status.WAITING:
        return f"answered: {conversation.status}"
    policy = TransitionPolicy.load()
    deadline = datetime.fromisoformat(timer.payload["deadline"])
    phone, address = conversation.customer.phone, reply_address(conversation)
    # A phone call unless all we have is an email address (a number left later is added).
    kind = Callback.Kind.EMAIL if address and not phone else Callback.Kind.PHONE
    callback = callback_record(
        conversation,
        kind=kind,
        due_at=deadline,
        email=address,
        emergency=True,
        agent=conversation.assigned_agent,
    )
    serving, language = serving_team(conversation, now), conversation.language
    when = {"deadline": when_text(deadline, serving, language), "zone": serving.zone.key}
    if phone or address:
        post_reply(
            conversation, render("guaranteed_callback", language, contact=phone or address, **when)
        )
    else:  # never a promise to call nobody: the chat itself is how we come back
        post_reply(
            conversation,
            render("guaranteed_in_chat", language, **when),
            contact_actions(conversation),
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
    conversation, callback = locked_callback(
        callback_id_of(timer), conversation_id=timer.conversation_id
    )
    if callback.status != Callback.Status.SCHEDULED:
        return f"callback {callback.status}"
    callback.escalated_again_at = now
    callback.save(update_fields=["escalated_again_at"])
    serving = serving_team(conversation, now)
    text = (
        f"Guaranteed callback for {conversation.customer.display_name} due "
        f"{agent_time(callback.due_at, serving)} is still open"
    )
    recipients = supervisor_emails()
    if serving.team and serving.team.emergency_email:
        recipients.append(serving.team.emergency_email)
    if callback.agent is not None and callback.agent.user.email:
        recipients.append(callback.agent.user.email)
    for address in sorted(set(recipients)):
        email_later(
            to=address,
            subject=text,
            body=agent_link_text(conversation),
            key=f"deadline:{callback.pk}:{address}",
            conversation=conversation,
        )
    agent_alert(conversation, text)
    event_record(
        conversation=conversation,
        kind=ConversationEvent.Kind.CALLBACK_DEADLINE_AT_RISK,
        actor_kind=ConversationEvent.ActorKind.SYSTEM,
        data={"callback": callback.pk, "told": sorted(set(recipients))},
    )
    return f"escalated again to {len(set(recipients))} addresses"
