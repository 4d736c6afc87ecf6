"""The five trigger policies supervisors tune in admin (explicit request, sentiment, capability
with its boundaries, confidence, loop with its per-intent limits).

Each category is its own singleton policy row, so it can be switched off or tuned without
touching the others.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from escalation.models.base import (
    UNIT,
    SingletonPolicy,
    Urgency,
    validate_examples,
    validate_phrases,
)


class ExplicitRequestPolicy(SingletonPolicy):
    extra_phrases = models.TextField(
        blank=True,
        validators=[validate_phrases],
        help_text="More ways customers ask for a person, one per line: plain words, or /a regex/.",
    )
    intent_threshold = models.FloatField(
        default=0.6,
        validators=UNIT,
        help_text="Classifier confidence for 'human_request' that counts as a request on its own.",
    )

    class Meta:
        verbose_name = "explicit request policy"
        verbose_name_plural = "explicit request policy"


class SentimentPolicy(SingletonPolicy):
    threshold = models.FloatField(
        default=-0.35,
        validators=[MinValueValidator(-1.0), MaxValueValidator(0.0)],
        help_text="A message scoring at or below this (-1 furious .. 0 neutral) counts as negative.",
    )
    consecutive = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1)],
        help_text="Escalate after this many negative customer messages in a row.",
    )

    class Meta:
        verbose_name = "sentiment policy"
        verbose_name_plural = "sentiment policy"


class CapabilityPolicy(SingletonPolicy):
    class Meta:
        verbose_name = "capability policy"
        verbose_name_plural = "capability policy"


class CapabilityBoundary(models.Model):
    """A topic outside the assistant's authority, recognised by intents, phrases, and by the
    meaning of example messages."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    intents = models.CharField(
        max_length=300, blank=True, help_text="Comma-separated intent codes that cross it."
    )
    phrases = models.TextField(
        blank=True,
        validators=[validate_phrases],
        help_text="One per line: plain words (matched as words), or /a regex/.",
    )
    intent_threshold = models.FloatField(
        default=0.5, validators=UNIT, help_text="Classifier confidence needed for an intent match."
    )
    examples = models.TextField(
        blank=True,
        validators=[validate_examples],
        help_text="Example messages, one per line: a message that means the same as these "
        "crosses the boundary, however it is worded (five or more work best).",
    )
    similarity_threshold = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0.05), MaxValueValidator(0.99)],
        help_text="How alike in meaning a message must be to the examples, 0-1. Paraphrases "
        "usually score 0.4-0.9 and unrelated questions under 0.15; each escalation shows the "
        "score and the nearest example, so you can tune it.",
    )
    skill = models.ForeignKey(
        "routing.Skill", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "capability boundaries"

    def __str__(self) -> str:
        return self.name


class ConfidencePolicy(SingletonPolicy):
    classification_threshold = models.FloatField(
        default=0.3,
        validators=UNIT,
        help_text="Escalate when the intent is less certain than this.",
    )
    response_threshold = models.FloatField(
        default=0.3,
        validators=UNIT,
        help_text="Escalate when the best answer the assistant has is less certain than this.",
    )
    ask_to_rephrase = models.BooleanField(
        default=False,
        help_text="On the first unclear message, ask the customer to rephrase instead of escalating.",
    )

    class Meta:
        verbose_name = "confidence policy"
        verbose_name_plural = "confidence policy"


class LoopPolicy(SingletonPolicy):
    max_attempts = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1)],
        help_text="Answers to the same question before the next ask escalates (2: the third ask).",
    )
    similarity_threshold = models.FloatField(
        default=0.35,
        validators=UNIT,
        help_text="How alike two questions must be to count as the same when their intents differ.",
    )

    class Meta:
        verbose_name = "loop policy"
        verbose_name_plural = "loop policy"


class LoopLimit(models.Model):
    """A different number of attempts for one resolution type (an intent)."""

    policy = models.ForeignKey(LoopPolicy, on_delete=models.CASCADE, related_name="limits")
    resolution_type = models.CharField(max_length=50, help_text="Intent code, e.g. 'refund'.")
    max_attempts = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "resolution_type"], name="loop_limit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.resolution_type}: {self.max_attempts}"
