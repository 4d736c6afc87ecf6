"""Webhooks: endpoints supervisors register, and one delivery row per event and endpoint.

A delivery is a row like a timer (escalation.timers): its task posts it and records the outcome,
and beat's sweep sends again whatever is due, so a lost worker or broker message loses nothing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone


class WebhookEvent(models.TextChoices):
    ESCALATED = "conversation.escalated", "A conversation was handed to people"
    ASSIGNED = "conversation.assigned", "A conversation was assigned to an agent"
    RESOLVED = "conversation.resolved", "A conversation was resolved"


class WebhookEndpoint(models.Model):
    url = models.URLField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Receives a signed POST for each event.",
    )
    description = models.CharField(max_length=200, blank=True)
    # Kept in clear: it signs every delivery. Shown once, when the endpoint is created.
    secret = models.CharField(max_length=100, editable=False)
    events = models.JSONField(
        default=list, help_text="The events this URL receives, e.g. ['conversation.escalated']."
    )
    active = models.BooleanField(default=True, help_text="Inactive: deliveries wait, unsent.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.active and event in self.events

    def clean(self) -> None:
        from api.addresses import PrivateHostError, refuse_private_host

        try:
            refuse_private_host(self.url, resolve=False)
        except PrivateHostError as error:
            raise ValidationError({"url": [str(error)]}) from None


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    # One event's deliveries share its id: a receiver drops a copy it has already seen.
    event_id = models.UUIDField(default=uuid.uuid4)
    conversation = models.ForeignKey(
        "helpdesk.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The exact bytes signed and sent: every attempt sends the same body.
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker sending it holds it until then; past it, the sweep sends it again.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.status})"
