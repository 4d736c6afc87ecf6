from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

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
}


@register.filter
def trigger_label(category: str) -> str:
    """What made the assistant hand over, in the words an agent scans for."""
    return TRIGGER_LABELS.get(category, "—")


@register.filter
def percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)}%"


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
