"""The policy supervisors configured, as the engine's plain data."""

from __future__ import annotations

import re

from escalation.engine import Boundary, Policy, compile_phrase
from escalation.models import (
    CapabilityBoundary,
    CapabilityPolicy,
    ConfidencePolicy,
    ExplicitRequestPolicy,
    LoopPolicy,
    SentimentPolicy,
)
from helpdesk.configcache import area


@area("escalation").cached
def policy_from_db() -> Policy:
    """The engine's policy, built once per process until a supervisor changes it."""
    explicit = ExplicitRequestPolicy.load()
    sentiment = SentimentPolicy.load()
    capability = CapabilityPolicy.load()
    confidence = ConfidencePolicy.load()
    loop = LoopPolicy.load()
    return Policy(
        explicit_enabled=explicit.enabled,
        explicit_patterns=_patterns(explicit.extra_phrases),
        human_intent_threshold=explicit.intent_threshold,
        capability_enabled=capability.enabled,
        boundaries=tuple(
            _boundary(b)
            for b in CapabilityBoundary.objects.filter(enabled=True).select_related("skill")
        ),
        sentiment_enabled=sentiment.enabled,
        sentiment_threshold=sentiment.threshold,
        sentiment_consecutive=sentiment.consecutive,
        loop_enabled=loop.enabled,
        loop_max_attempts=loop.max_attempts,
        loop_limits=dict(loop.limits.values_list("resolution_type", "max_attempts")),
        loop_similarity=loop.similarity_threshold,
        confidence_enabled=confidence.enabled,
        classification_threshold=confidence.classification_threshold,
        response_threshold=confidence.response_threshold,
        ask_to_rephrase=confidence.ask_to_rephrase,
    )


def _boundary(row: CapabilityBoundary) -> Boundary:
    return Boundary(
        code=row.code,
        name=row.name,
        intents=frozenset(code.strip() for code in row.intents.split(",") if code.strip()),
        patterns=_patterns(row.phrases),
        skill=row.skill.code if row.skill else None,
        urgency=row.urgency,
        intent_threshold=row.intent_threshold,
        examples=tuple(line.strip() for line in row.examples.splitlines() if line.strip()),
        similarity_threshold=row.similarity_threshold,
    )


def _patterns(lines: str) -> tuple[re.Pattern[str], ...]:
    compiled = (compile_phrase(line) for line in lines.splitlines())
    return tuple(pattern for pattern in compiled if pattern is not None)
