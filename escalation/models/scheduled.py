"""Promises to come back to the customer, and the timed work (kept in the database) that drives
the wait and the callbacks."""

from __future__ import annotations

from django.db import models


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
