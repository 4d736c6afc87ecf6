"""Query-string filters for the lists (django-filter): a bad value is a 400 with field errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.fields import IsoDateTimeField

from agents.models import Agent
from api.models import WebhookDelivery, WebhookEvent
from escalation.models import Callback, Category, Escalation, HandoffRating, Survey, Urgency
from helpdesk.models import LANGUAGE_CHOICES, Conversation, Customer, Message


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error, not silently "no filter"."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        text = "" if value is None else str(value).strip().lower()
        if text == "":
            return None
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")

    def validate(self, value: Any) -> None:
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, in UTC before it reaches the database: PostgreSQL refuses offsets
    beyond 16 hours that Python accepts (found by schemathesis)."""

    def to_python(self, value: Any) -> datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("That time is out of range.", code="invalid") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class CustomerFilter(django_filters.FilterSet):
    email = django_filters.CharFilter(lookup_expr="iexact")
    tier = django_filters.ChoiceFilter(choices=Customer.Tier.choices)

    class Meta:
        model = Customer
        fields = ["email", "tier"]


class ConversationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Conversation.Status.choices)
    channel = django_filters.ChoiceFilter(choices=Conversation.Channel.choices)
    language = django_filters.ChoiceFilter(choices=LANGUAGE_CHOICES)
    escalated = BooleanFilter(method="filter_escalated", label="Handed to people at some point")
    customer = django_filters.NumberFilter(field_name="customer_id")
    assigned_agent = django_filters.NumberFilter(field_name="assigned_agent_id")
    opened_since = DateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_until = DateTimeFilter(field_name="opened_at", lookup_expr="lt")

    class Meta:
        model = Conversation
        fields = ["status", "channel", "language", "customer", "assigned_agent"]

    def filter_escalated(
        self, queryset: QuerySet[Conversation], name: str, value: bool
    ) -> QuerySet[Conversation]:
        return queryset.filter(escalated_at__isnull=not value)


class MessageFilter(django_filters.FilterSet):
    after = django_filters.NumberFilter(
        field_name="seq", lookup_expr="gt", label="Only messages with a higher sequence number"
    )

    class Meta:
        model = Message
        fields = ["after"]


class EscalationFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=Category.choices)
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    since = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    conversation = django_filters.UUIDFilter(field_name="conversation__public_id")

    class Meta:
        model = Escalation
        fields = ["category", "urgency", "conversation"]


class AgentFilter(django_filters.FilterSet):
    presence = django_filters.ChoiceFilter(choices=Agent.Presence.choices)

    class Meta:
        model = Agent
        fields = ["presence"]


class CallbackFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Callback.Status.choices, label="Scheduled unless given"
    )
    kind = django_filters.ChoiceFilter(choices=Callback.Kind.choices)
    emergency = BooleanFilter()
    agent = django_filters.NumberFilter(field_name="agent_id")
    due_since = DateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_until = DateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Callback
        fields = ["status", "kind", "emergency", "agent"]

    @property
    def qs(self) -> QuerySet[Callback]:
        rows = super().qs
        # The list is the to-do list: scheduled ones, unless another status is asked for.
        if not self.data.get("status"):
            rows = rows.filter(status=Callback.Status.SCHEDULED)
        return rows


class WebhookDeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WebhookDelivery.Status.choices)
    event = django_filters.ChoiceFilter(choices=WebhookEvent.choices)

    class Meta:
        model = WebhookDelivery
        fields = ["status", "event"]


class SurveyFilter(django_filters.FilterSet):
    satisfaction = django_filters.NumberFilter()
    repeated = BooleanFilter()
    answered = BooleanFilter(field_name="answered_at", lookup_expr="isnull", exclude=True)
    since = DateTimeFilter(field_name="sent_at", lookup_expr="gte")
    until = DateTimeFilter(field_name="sent_at", lookup_expr="lt")

    class Meta:
        model = Survey
        fields = ["satisfaction", "repeated"]


class HandoffRatingFilter(django_filters.FilterSet):
    verdict = django_filters.ChoiceFilter(choices=HandoffRating.Verdict.choices)
    agent = django_filters.NumberFilter(field_name="agent_id")

    class Meta:
        model = HandoffRating
        fields = ["verdict", "agent"]
