"""What the escalation models share: the field validators, the trigger categories and urgencies,
and the singleton policy every settings row builds on (created with the defaults on first use).
"""

from __future__ import annotations

import re
from typing import Self, cast

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from escalation.engine import NESTED_QUANTIFIER
from helpdesk.configcache import area
from helpdesk.models import Urgency  # noqa: F401  (re-exported: escalation.models.Urgency)

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


class SingletonPolicy(models.Model):
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> Self:
        """The row (created with the defaults on first use), cached per process until a
        supervisor changes it (escalation.apps watches every policy). Read-only: save a fresh
        instance to change it."""
        return cast(Self, _singleton(cls))


@area("escalation").cached
def _singleton(model: type[SingletonPolicy]) -> SingletonPolicy:
    policy, _ = model._default_manager.get_or_create(pk=1)
    return policy
