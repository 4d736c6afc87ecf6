"""The five trigger policies supervisors tune in admin, and the escalations they produce.

Each category is its own singleton policy row (created with the defaults on first use), so it
can be switched off or tuned without touching the others.
"""

from __future__ import annotations

import re
from typing import Self

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from escalation.engine import NESTED_QUANTIFIER

UNIT = [MinValueValidator(0.0), MaxValueValidator(1.0)]


def validate_phrases(value: str) -> None:
    """Each /regex/ line must compile and must not backtrack without end on a long message
    (the engine runs these on every customer message)."""
    problems = []
    for number, line in enumerate(value.splitlines(), start=1):
        line = line.strip()
        if not (len(line) > 2 and line.startswith("/") and line.endswith("/")):
            continue
        try:
            re.compile(line[1:-1])
        except re.error as error:
            problems.append(f"line {number}: {error}")
            continue
        if NESTED_QUANTIFIER.search(line) or len(line) > 500:
            problems.append(
                f"line {number}: nested repetition like (a+)+ can hang the chat; simplify it"
            )
    if problems:
        raise ValidationError("; ".join(problems))


class Category(models.TextChoices):
    EXPLICIT_REQUEST = "explicit_request", "Explicit request"
    CAPABILITY = "capability", "Capability boundary"
    SENTIMENT = "sentiment", "Negative sentiment"
    LOOP = "loop", "Going in circles"
    CONFIDENCE = "confidence", "Low confidence"


class Urgency(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class SingletonPolicy(models.Model):
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> Self:
        policy, _ = cls._default_manager.get_or_create(pk=1)
        return policy


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
    """A topic outside the assistant's authority, recognised by intents and phrases."""

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


class Escalation(models.Model):
    """One handoff from the assistant to people, with why it happened."""

    conversation = models.ForeignKey(
        "helpdesk.Conversation", on_delete=models.CASCADE, related_name="escalations"
    )
    message = models.ForeignKey(
        "helpdesk.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=20, choices=Category.choices, db_index=True)
    rule = models.CharField(max_length=100)
    evidence = models.JSONField(default=dict)
    triggers = models.JSONField(default=list, help_text="Every category that fired, in order.")
    boundary = models.ForeignKey(
        CapabilityBoundary, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    skill = models.ForeignKey(
        "routing.Skill", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.rule})"


class HandoffPackage(models.Model):
    """A snapshot of what the agent needs, stored when the conversation escalates and again,
    as a new version, whenever the conversation changes while people have it."""

    conversation = models.ForeignKey(
        "helpdesk.Conversation", on_delete=models.CASCADE, related_name="handoffs"
    )
    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="handoffs")
    version = models.PositiveIntegerField()
    last_seq = models.PositiveIntegerField(help_text="The last message the snapshot includes.")
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "version"], name="handoff_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Handoff v{self.version} of conversation {self.conversation_id}"
