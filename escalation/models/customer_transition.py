"""The customer's side of the handoff: the texts they read, how their wait is handled, and what
counts as urgent outside business hours."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from escalation.models.base import Category, SingletonPolicy, Urgency
from escalation.models.triggers import CapabilityBoundary


class MessageTemplate(models.Model):
    """A text the customer reads, as a supervisor edited it for one language. Keys without a
    row here use the shipped text (escalation.texts)."""

    key = models.CharField(max_length=40, db_index=True)
    language = models.CharField(
        max_length=8,
        choices=[("en", "English"), ("es", "Spanish"), ("fr", "French"), ("de", "German")],
    )
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="message_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"

    def clean(self) -> None:
        """Only known keys, and only the placeholders the shipped text fills in."""
        from escalation.texts import SHIPPED, placeholders, shipped

        if self.key not in SHIPPED:
            raise ValidationError({"key": f"Unknown text {self.key!r}."})
        allowed = placeholders(shipped(self.key, "en"))
        unknown = placeholders(self.text) - allowed
        if unknown:
            names = ", ".join("{" + name + "}" for name in sorted(allowed)) or "none"
            raise ValidationError(
                {"text": f"Unknown placeholder(s) {sorted(unknown)}; this text may use {names}."}
            )
        try:
            self.text.format(**{name: "x" for name in allowed})
        except (ValueError, IndexError) as error:
            raise ValidationError({"text": f"Braces do not pair up: {error}."}) from None


class TransitionPolicy(SingletonPolicy):
    """While the customer waits: how often they hear from us, when a callback is offered, and the
    emergency path's clock."""

    update_every_minutes = models.PositiveIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text="A waiting customer hears their place and wait at the latest when the "
        "estimate runs out, then this often.",
    )
    offer_callback_after_minutes = models.PositiveIntegerField(
        default=10, help_text="Offer a callback or an email follow-up after this long a wait."
    )
    callback_slot_minutes = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(5)]
    )
    callback_slots_offered = models.PositiveIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    callback_lead_minutes = models.PositiveIntegerField(
        default=15, help_text="The earliest slot starts at least this long from now."
    )
    reminder_minutes = models.PositiveIntegerField(
        default=10, help_text="Remind the assigned agent this long before a callback."
    )
    email_reply_hours = models.PositiveIntegerField(
        default=8, help_text="An email follow-up is due this many business hours later."
    )
    emergency_answer_minutes = models.PositiveIntegerField(
        default=10,
        help_text="An urgent case off-hours that no on-call agent has joined by then becomes "
        "a guaranteed callback.",
    )
    guaranteed_callback_minutes = models.PositiveIntegerField(
        default=60, help_text="The guaranteed callback's deadline, from when it is recorded."
    )
    deadline_warning_minutes = models.PositiveIntegerField(
        default=15,
        help_text="A guaranteed callback still open this long before its deadline is "
        "escalated again.",
    )

    class Meta:
        verbose_name = "customer transition policy"
        verbose_name_plural = "customer transition policy"


class UrgencyCriterion(models.Model):
    """What makes an issue urgent enough for the on-call path outside business hours. Every
    condition given must match; the customer is told `customer_text` off-hours."""

    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    customer_text = models.CharField(
        max_length=120, help_text="How customers are told what counts, e.g. 'a hacked account'."
    )
    customer_text_es = models.CharField(max_length=120, blank=True, help_text="In Spanish.")
    customer_text_fr = models.CharField(max_length=120, blank=True, help_text="In French.")
    customer_text_de = models.CharField(max_length=120, blank=True, help_text="In German.")
    boundary = models.ForeignKey(
        CapabilityBoundary, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    min_urgency = models.CharField(
        max_length=10,
        choices=Urgency.choices,
        blank=True,
        help_text="The handoff package's urgency at least this.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "urgency criteria"

    def __str__(self) -> str:
        return self.name
