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


def validate_examples(value: str) -> None:
    lines = [line for line in value.splitlines() if line.strip()]
    if len(lines) > 200:
        raise ValidationError("At most 200 examples.")
    if any(len(line) > 300 for line in lines):
        raise ValidationError("Each example at most 300 characters.")


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


# -- the customer's side of the handoff --------------------------------------------------------


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


class Callback(models.Model):
    """A promise to come back to the customer: a phone call in a slot (or by a deadline, on the
    emergency path) or an email follow-up."""

    class Kind(models.TextChoices):
        PHONE = "phone", "Phone call"
        EMAIL = "email", "Email follow-up"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    conversation = models.ForeignKey(
        "helpdesk.Conversation", on_delete=models.CASCADE, related_name="callbacks"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    due_at = models.DateTimeField(db_index=True, help_text="The slot, or the latest reply time.")
    emergency = models.BooleanField(default=False)
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="callbacks"
    )
    summary = models.TextField(blank=True, help_text="The issue, as the customer was told.")
    escalated_again_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_at:%Y-%m-%d %H:%M}"


class Timer(models.Model):
    """Timed work, kept in PostgreSQL: beat sweeps due rows and a task runs each exactly once
    (the row is locked while it runs and marked done in the same transaction as its effect).

    `key` makes scheduling idempotent: asking twice for the same timer stores one row.
    `claimed_until` is the lease of the task sent for it; a task lost with its worker is sent
    again once the lease runs out.
    """

    class Kind(models.TextChoices):
        WAIT_UPDATE = "wait_update", "Wait update"
        CALLBACK_OFFER = "callback_offer", "Callback offer"
        OVERFLOW = "overflow", "Queue overflow"
        CALLBACK_REMINDER = "callback_reminder", "Callback reminder"
        EMERGENCY_CHECK = "emergency_check", "On-call answer check"
        DEADLINE_CHECK = "deadline_check", "Callback deadline check"
        EMAIL = "email", "Email"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=120, unique=True)
    conversation = models.ForeignKey(
        "helpdesk.Conversation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    callback = models.ForeignKey(
        Callback, null=True, blank=True, on_delete=models.CASCADE, related_name="timers"
    )
    payload = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(
                fields=["due_at"], condition=models.Q(done_at__isnull=True), name="timer_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.due_at:%Y-%m-%d %H:%M:%S}"


# -- measuring the handoffs ------------------------------------------------------------------------


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
