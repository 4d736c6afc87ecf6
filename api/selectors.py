"""The API's reads: each list in a fixed number of queries, whatever its length."""

from __future__ import annotations

from django.db.models import QuerySet

from agents.models import Agent
from api.models import WebhookDelivery, WebhookEndpoint
from escalation.models import Callback, Escalation, HandoffRating, Survey
from helpdesk.models import Conversation, Customer, Message
from routing.selectors import agent_load


def customers() -> QuerySet[Customer]:
    return Customer.objects.order_by("pk")


def conversations() -> QuerySet[Conversation]:
    return Conversation.objects.select_related("customer", "assigned_agent").order_by(
        "-opened_at", "-pk"
    )


def conversation_messages(conversation: Conversation) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("author_agent", "conversation__customer")
        .order_by("seq")
    )


def escalations() -> QuerySet[Escalation]:
    return Escalation.objects.select_related(
        "conversation", "message", "boundary", "skill"
    ).order_by("-created_at", "-pk")


def agents() -> QuerySet[Agent]:
    return (
        Agent.objects.select_related("user")
        .prefetch_related("skill_levels__skill")
        .annotate(load=agent_load())
        .order_by("display_name", "pk")
    )


def callbacks() -> QuerySet[Callback]:
    return Callback.objects.select_related("conversation__customer", "agent").order_by(
        "due_at", "pk"
    )


def webhook_endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.order_by("pk")


def webhook_deliveries(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return endpoint.deliveries.select_related("conversation").order_by("-created_at", "-pk")


def surveys() -> QuerySet[Survey]:
    return Survey.objects.select_related("conversation").order_by("-sent_at", "-pk")


def handoff_ratings() -> QuerySet[HandoffRating]:
    return HandoffRating.objects.select_related("conversation", "agent").order_by(
        "-created_at", "-pk"
    )
