"""Agents: who they are, what they can handle, and whether they are there."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from helpdesk.models import LANGUAGE_CHOICES

KNOWN_LANGUAGES = {code for code, _ in LANGUAGE_CHOICES}


def validate_language_list(value: str) -> None:
    unknown = [code for code in _split_codes(value) if code not in KNOWN_LANGUAGES]
    if unknown:
        raise ValidationError(
            f"Unknown language code(s): {', '.join(unknown)}. Use {', '.join(sorted(KNOWN_LANGUAGES))}."
        )


def _split_codes(value: str) -> list[str]:
    return [code.strip().lower() for code in value.split(",") if code.strip()]


class Agent(models.Model):
    class Seniority(models.IntegerChoices):
        JUNIOR = 1, "Junior"
        REGULAR = 2, "Regular"
        SENIOR = 3, "Senior"
        LEAD = 4, "Team lead"

    class Presence(models.TextChoices):
        ONLINE = "online", "Online"
        AWAY = "away", "Away"
        OFFLINE = "offline", "Offline"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    display_name = models.CharField(max_length=100)
    skills = models.ManyToManyField("routing.Skill", through="AgentSkill", blank=True)
    languages = models.CharField(
        max_length=60,
        default="en",
        validators=[validate_language_list],
        help_text="Comma-separated language codes the agent chats in, e.g. 'en, es'.",
    )
    seniority = models.PositiveSmallIntegerField(
        choices=Seniority.choices, default=Seniority.REGULAR
    )
    max_concurrent = models.PositiveSmallIntegerField(
        default=3, help_text="Most conversations this agent handles at once."
    )
    presence = models.CharField(
        max_length=10, choices=Presence.choices, default=Presence.OFFLINE, db_index=True
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_assigned_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Ties between equally loaded agents go to who waited longest.",
    )

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def language_codes(self) -> list[str]:
        return _split_codes(self.languages)


class AgentSkill(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="skill_levels")
    skill = models.ForeignKey(
        "routing.Skill", on_delete=models.CASCADE, related_name="agent_levels"
    )
    level = models.PositiveSmallIntegerField(
        default=3, help_text="1 (learning) to 5 (expert); routing prefers higher levels."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "skill"], name="agent_skill_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="agent_skill_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} - {self.skill} ({self.level})"
