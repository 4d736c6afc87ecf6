"""Skills that agents hold and conversations need, the routing rules and the routing policy."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.core.exceptions import ValidationError
from django.db import models

from helpdesk.configcache import area


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
    offers_per_agent = models.PositiveSmallIntegerField(
        default=1,
        help_text="How many conversations routing offers one agent at a time, not yet accepted "
        "(each offer holds one of their slots); when they accept or pass, the next is offered. "
        "0: as many as their free slots.",
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
    # Overflow: a queue that is too long or too slow sends conversations elsewhere.
    overflow_queue_length = models.PositiveIntegerField(
        default=0,
        help_text="A conversation escalated while this many are already waiting overflows at "
        "once (0: never).",
    )
    overflow_after_minutes = models.PositiveIntegerField(
        default=0, help_text="A conversation waiting this long overflows (0: never)."
    )
    overflow_action = models.CharField(
        max_length=10,
        choices=[
            ("skill", "Offer it to a secondary skill group"),
            ("callback", "Offer a callback"),
        ],
        default="callback",
    )
    overflow_skill = models.ForeignKey(
        Skill,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The secondary skill group an overflowing conversation goes to.",
    )

    class Meta:
        verbose_name = "routing policy"
        verbose_name_plural = "routing policy"

    def __str__(self) -> str:
        return "Routing policy"

    @classmethod
    def load(cls) -> RoutingPolicy:
        """Cached per process until a supervisor changes it (routing.apps watches it)."""
        return _routing_policy()

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


def validate_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"{value!r} is not a time zone name such as 'Europe/Berlin'."
        ) from None


def validate_country(value: str) -> None:
    if value and value.upper() not in holidays.list_supported_countries():
        raise ValidationError(f"The holidays package has no public holidays for {value!r}.")


class Team(models.Model):
    """People who answer in the same hours, in one time zone. A conversation belongs to the team
    holding one of the skills it needs, else to the default team."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_zone], help_text="e.g. Europe/Berlin"
    )
    holiday_country = models.CharField(
        max_length=3,
        blank=True,
        validators=[validate_country],
        help_text="Closed on this country's public holidays (ISO code, e.g. DE); blank: none.",
    )
    holiday_subdivision = models.CharField(
        max_length=10, blank=True, help_text="A state or region for its own holidays, e.g. BE."
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="teams")
    is_default = models.BooleanField(
        default=False, help_text="Answers conversations no other team's skills cover."
    )
    emergency_email = models.EmailField(
        blank=True, help_text="Told when an urgent callback is about to miss its deadline."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The country and region must be ones the holidays package knows."""
        from routing.hours import public_holidays

        if self.holiday_subdivision and not self.holiday_country:
            raise ValidationError({"holiday_subdivision": "Give the country too."})
        try:
            public_holidays(self.holiday_country, self.holiday_subdivision, [2025])
        except ValueError as error:
            raise ValidationError({"holiday_subdivision": str(error)}) from None


class TeamHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField(help_text="Local time in the team's zone.")
    closes = models.TimeField(
        help_text="Local time; 00:00 is midnight at the end of the day; an overnight shift is "
        "two rows."
    )

    class Meta:
        ordering = ["team", "weekday", "opens"]
        verbose_name_plural = "team hours"

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is None or self.closes is None or self.closes == time(0):
            return  # 00:00: midnight at the end of the day
        if self.closes <= self.opens:
            raise ValidationError("Closing time must be after opening time.")


class TeamClosure(models.Model):
    """A day the team is closed besides public holidays (a company day, an office move)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["team", "date"], name="team_closure_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}".strip()


class OnCallShift(models.Model):
    """The on-call rotation: who takes urgent issues outside business hours, and when."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="on_call")
    agent = models.ForeignKey("agents.Agent", on_delete=models.CASCADE, related_name="on_call")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["team", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return (
            f"{self.agent} on call {self.starts_at:%Y-%m-%d %H:%M} - {self.ends_at:%Y-%m-%d %H:%M}"
        )

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError("A shift must end after it starts.")


@area("routing").cached
def _routing_policy() -> RoutingPolicy:
    # With its skills: the cached row is read by many threads, never lazily completed by one.
    policy, _ = RoutingPolicy.objects.select_related(
        "fallback_skill", "overflow_skill"
    ).get_or_create(pk=1)
    return policy
