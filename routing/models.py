"""Skills that agents hold and conversations need, the routing rules and the routing policy."""

from __future__ import annotations

from django.db import models


class Skill(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoutingPolicy(models.Model):
    """How escalated conversations find an agent. One row, edited in admin."""

    fallback_skill = models.ForeignKey(
        Skill,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="After the wait below, a conversation nobody qualified can take goes to "
        "agents with this skill instead.",
    )
    relax_after_seconds = models.PositiveIntegerField(
        default=180, help_text="Wait before a required skill is relaxed to the fallback skill."
    )
    previous_agent_days = models.PositiveIntegerField(
        default=14,
        help_text="Prefer the agent who handled this customer within this many days, when "
        "they are online with a free slot.",
    )
    offer_timeout_seconds = models.PositiveIntegerField(
        default=90,
        help_text="An agent who has not accepted an assigned conversation by then loses it to "
        "the next agent.",
    )
    # Aging: conversations queue by the time they were escalated minus their urgency's head start,
    # so one minute of waiting is worth one minute of head start.
    head_start_critical = models.PositiveIntegerField(default=60, help_text="Minutes.")
    head_start_high = models.PositiveIntegerField(default=30, help_text="Minutes.")
    head_start_normal = models.PositiveIntegerField(default=10, help_text="Minutes.")
    head_start_low = models.PositiveIntegerField(default=0, help_text="Minutes.")
    require_language = models.BooleanField(
        default=True, help_text="Only offer a conversation to agents who speak its language."
    )

    class Meta:
        verbose_name = "routing policy"
        verbose_name_plural = "routing policy"

    def __str__(self) -> str:
        return "Routing policy"

    @classmethod
    def load(cls) -> RoutingPolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy

    def head_start_minutes(self, urgency: str) -> int:
        return int(getattr(self, f"head_start_{urgency}", self.head_start_normal))


class RoutingRule(models.Model):
    """When a conversation matches every condition given, it needs what the rule asks for."""

    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    intent = models.CharField(
        max_length=50, blank=True, help_text="The customer's intent, e.g. 'refund'."
    )
    boundary = models.ForeignKey(
        "escalation.CapabilityBoundary",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The capability boundary that escalated it.",
    )
    language = models.CharField(max_length=8, blank=True, help_text="e.g. 'de'.")
    tier = models.CharField(max_length=16, blank=True, help_text="standard, premium or vip.")
    skill = models.ForeignKey(
        Skill, null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    min_level = models.PositiveSmallIntegerField(
        default=1, help_text="Lowest skill level (1-5) an agent needs."
    )
    min_seniority = models.PositiveSmallIntegerField(
        default=0, help_text="Lowest seniority (1 junior .. 4 team lead); 0 for any."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HandlingTime(models.Model):
    """A moving average of how long agents take with a conversation needing this skill (no
    skill: every conversation), from accept to resolve. It feeds the wait estimate."""

    skill = models.OneToOneField(
        Skill, null=True, blank=True, on_delete=models.CASCADE, related_name="handling_time"
    )
    average_seconds = models.FloatField(default=300.0)
    samples = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.skill or 'All conversations'}: {self.average_seconds:.0f} s"
