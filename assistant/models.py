"""What supervisors own of the assistant: its intents, their phrases, and its training runs."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from assistant.labels import OUT_OF_SCOPE
from helpdesk.models import LANGUAGE_CHOICES

intent_code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_]*$", "Lower-case letters, digits and underscores, e.g. 'order_status'."
)


class Intent(models.Model):
    """Something customers ask, which the assistant learns to recognise from phrases."""

    class Handling(models.TextChoices):
        ANSWER = "answer", "Answered (its article or answer)"
        HAND_OVER = "hand_over", "Handed to a person"
        CONVERSATION = "conversation", "Conversation (fixed replies)"
        OFF_TOPIC = "off_topic", "Off-topic"

    code = models.CharField(max_length=50, unique=True, validators=[intent_code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    handling = models.CharField(
        max_length=16,
        choices=Handling.choices,
        default=Handling.ANSWER,
        help_text="Answered: with the active article naming this intent in the customer's "
        "language, else the answer below. Handed to a person: always, through the capability "
        "boundary that names it. Conversation: greetings, thanks, goodbyes, venting. Off-topic: "
        "the examples of what no answer covers (handed over on confidence).",
    )
    answer = models.TextField(
        blank=True,
        help_text="Sent when no active knowledge-base article names this intent. Leave empty to "
        "answer only from articles.",
    )
    shipped = models.BooleanField(
        default=False,
        help_text="Also trains on the phrases shipped with the product (assistant/data/).",
    )
    enabled = models.BooleanField(
        default=True, help_text="Switched off, the assistant neither learns nor recognises it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_off_topic(self) -> bool:
        return self.code == OUT_OF_SCOPE


class TrainingPhrase(models.Model):
    """An example of an intent, added in admin or imported in bulk."""

    intent = models.ForeignKey(Intent, on_delete=models.CASCADE, related_name="phrases")
    text = models.CharField(max_length=500)
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["intent", "text"]
        constraints = [
            models.UniqueConstraint(fields=["intent", "text"], name="assistant_phrase_unique")
        ]

    def __str__(self) -> str:
        return f"{self.intent.code}: {self.text}"


class TrainingRun(models.Model):
    """One training of the assistant's model on one set of data (named by its fingerprint).

    The current model keeps answering while a run trains; processes swap to a run's model once
    it is ready.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        TRAINING = "training", "Training"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    fingerprint = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    intents = models.PositiveIntegerField(default=0)
    phrases = models.PositiveIntegerField(default=0)
    languages = models.JSONField(default=dict, blank=True, help_text="Phrases per language.")
    validation = models.JSONField(
        default=dict, blank=True, help_text="Accuracy on phrases held out from a trial training."
    )
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(
        null=True, blank=True, help_text="When processes were told to serve this model."
    )

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "activated_at"])]

    def __str__(self) -> str:
        return f"{self.fingerprint} ({self.status})"

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 1)
