from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from agents.models import Agent
from helpdesk.models import Conversation

register = template.Library()


@register.filter
def ago(moment: datetime | None) -> str:
    """'just now' for the last minute, then '5 minutes ago': what an agent scanning a list reads."""
    if moment is None:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"


TRIGGER_LABELS = {
    "explicit_request": "Asked for a person",
    "capability": "Beyond the assistant",
    "sentiment": "Upset customer",
    "loop": "Going in circles",
    "confidence": "Assistant unsure",
    "direct": "Straight to agents",
}


@register.filter
def trigger_label(category: str) -> str:
    """What made the assistant hand over, in the words an agent scans for."""
    return TRIGGER_LABELS.get(category, "—")


@register.filter
def acceptable_by(conversation: Conversation, agent: Agent) -> bool:
    """{% if conversation|acceptable_by:agent %}: show the Accept button."""
    return conversation.may_be_accepted_by(agent.pk)


@register.filter
def offered_to(conversation: Conversation, agent: Agent) -> bool:
    """{% if conversation|offered_to:agent %}: theirs to accept or pass on."""
    return conversation.is_offered_to(agent.pk)


@register.filter
def countdown(seconds: int) -> str:
    """90 -> '1:30': the time left on an offer, as static/helpdesk/inbox/clocks.js ticks it."""
    minutes, rest = divmod(max(0, int(seconds)), 60)
    return f"{minutes}:{rest:02d}"


@register.filter
def evidence_label(key: str) -> str:
    """'intent_confidence' -> 'Intent confidence'."""
    return key.replace("_", " ").capitalize()


@register.filter
def evidence_value(value: object) -> str:
    """Evidence as an agent reads it: numbers rounded, lists joined."""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list):
        return ", ".join(evidence_value(item) for item in value)
    return str(value)
