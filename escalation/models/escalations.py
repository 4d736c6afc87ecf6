"""The escalations the trigger policies produce, and the handoff packages made for the agent."""

from __future__ import annotations

from django.db import models

from escalation.models.base import Category, Urgency
from escalation.models.triggers import CapabilityBoundary


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
