"""Measuring the handoffs: the hold-out and direct channels, the customer's survey and the
agent's rating of the handoff."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from escalation.models.base import UNIT, SingletonPolicy


class MeasurementPolicy(SingletonPolicy):
    """Which conversations go straight to agents, never automated, so the escalated ones can be
    compared with them fairly (`enabled` switches the customer survey)."""

    holdout_share = models.FloatField(
        default=0.0,
        validators=UNIT,
        help_text="Share of new conversations (0-1) that skip the assistant, chosen by a hash "
        "of the conversation's id (the same conversation always gets the same answer).",
    )
    direct_channels = models.CharField(
        max_length=100,
        default="email",
        blank=True,
        help_text="Comma-separated channels whose conversations always go straight to agents.",
    )

    class Meta:
        verbose_name = "measurement policy"
        verbose_name_plural = "measurement policy"

    @property
    def direct_channel_list(self) -> list[str]:
        return [code.strip() for code in self.direct_channels.split(",") if code.strip()]


class Survey(models.Model):
    """The customer's word after a conversation people handled: satisfaction, whether they had
    to repeat themselves, a comment."""

    conversation = models.OneToOneField(
        "helpdesk.Conversation", on_delete=models.CASCADE, related_name="survey"
    )
    satisfaction = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    repeated = models.BooleanField(null=True, blank=True, help_text="Had to repeat anything.")
    comment = models.TextField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Survey of conversation {self.conversation_id}: {self.satisfaction or '-'}"


class HandoffRating(models.Model):
    """The agent's one-click verdict on the handoff they received."""

    class Verdict(models.TextChoices):
        PREPARED = "prepared", "Well prepared"
        PARTLY = "partly", "Enough context, but not prepared"
        MISSING = "missing", "Context was missing"

    conversation = models.ForeignKey(
        "helpdesk.Conversation", on_delete=models.CASCADE, related_name="handoff_ratings"
    )
    agent = models.ForeignKey("agents.Agent", on_delete=models.CASCADE, related_name="ratings")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    missing = models.CharField(max_length=300, blank=True, help_text="What was missing.")
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "agent"], name="one_rating_per_agent")
        ]

    def __str__(self) -> str:
        return f"{self.agent}: {self.get_verdict_display()}"

    @property
    def context_sufficient(self) -> bool:
        return self.verdict != self.Verdict.MISSING

    @property
    def prepared(self) -> bool:
        return self.verdict == self.Verdict.PREPARED
