"""The escalation decision: five trigger categories over plain data. No ORM, no I/O.

`evaluate` takes the current customer message (a MessageReading), the earlier ones, and the policy, and
returns every trigger that fired, primary first in the order of precedence:
explicit_request, capability, sentiment, loop, confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.labels import HUMAN_REQUEST, OUT_OF_SCOPE, SMALLTALK_INTENTS
from assistant.text import fold
from escalation.defaults import BOUNDARIES

PRECEDENCE = ("explicit_request", "capability", "sentiment", "loop", "confidence")


@dataclass(frozen=True)
class Boundary:
    code: str
    name: str
    intents: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    skill: str | None = None
    urgency: str = "normal"
    intent_threshold: float = 0.5
    examples: tuple[str, ...] = ()  # messages that mean what the boundary is about
    similarity_threshold: float = 0.5


@dataclass(frozen=True)
class Policy:
    explicit_enabled: bool = True
    explicit_patterns: tuple[re.Pattern[str], ...] = ()
    human_intent_threshold: float = 0.6
    capability_enabled: bool = True
    boundaries: tuple[Boundary, ...] = ()
    sentiment_enabled: bool = True
    sentiment_threshold: float = -0.35
    sentiment_consecutive: int = 2
    loop_enabled: bool = True
    loop_max_attempts: int = 2
    loop_limits: dict[str, int] = field(default_factory=dict)
    loop_similarity: float = 0.35
    confidence_enabled: bool = True
    classification_threshold: float = 0.3
    response_threshold: float = 0.3
    ask_to_rephrase: bool = False


@dataclass(frozen=True)
class MessageReading:
    """What the engine needs to know about one customer message."""

    text: str
    intent: str
    intent_confidence: float
    known_words: float
    sentiment_score: float
    response_confidence: float
    resolution_type: str = ""
    answered: bool = False
    rephrase_requested: bool = False
    asks_for_person: bool = False  # the assistant's reading (assistant.person)
    person_rule: str = ""
    person_matched: str = ""
    person_probability: float = 0.0
    person_declined: bool = False  # "I don't need an agent, just tell me..."
    hand_over: bool = False  # the intent is always handed to a person
    sounds_restated: bool = False  # worded like a question asked again ("sorry, so...")
    # How alike in meaning the message is to each boundary's examples: code -> (score, nearest).
    example_scores: dict[str, tuple[float, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class TriggerHit:
    category: str
    rule: str
    evidence: dict[str, Any]
    skill: str | None = None
    urgency: str = "normal"
    boundary: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "rule": self.rule,
            "evidence": self.evidence,
            "skill": self.skill,
            "urgency": self.urgency,
            "boundary": self.boundary,
        }


@dataclass(frozen=True)
class Decision:
    triggers: tuple[TriggerHit, ...]
    rephrase: bool = False  # ask the customer to rephrase instead of escalating
    declined: tuple[str, ...] = ()  # triggers the message met while switched off

    @property
    def escalate(self) -> bool:
        return bool(self.triggers) and not self.rephrase

    @property
    def primary(self) -> TriggerHit | None:
        return self.triggers[0] if self.triggers else None


# A group that repeats something that itself repeats, e.g. (\w+\s?)+ : catastrophic backtracking.
NESTED_QUANTIFIER = re.compile(r"\([^()]*[+*}][^()]*\)[+*{]")


def compile_phrase(line: str) -> re.Pattern[str] | None:
    """A supervisor's phrase: '/regex/' as written, anything else as whole words."""
    line = line.strip()
    if not line:
        return None
    if len(line) > 2 and line.startswith("/") and line.endswith("/"):
        if NESTED_QUANTIFIER.search(line) or len(line) > 500:
            return None  # admin refuses these; one that got in another way is skipped
        try:  # matched against folded text, so case-insensitive; the regex itself is left as is
            return re.compile(line[1:-1], re.IGNORECASE)
        except re.error:
            return None
    return re.compile(r"\b" + r"\s+".join(re.escape(part) for part in fold(line).split()) + r"\b")


def default_boundaries() -> tuple[Boundary, ...]:
    return tuple(
        Boundary(
            code=default.code,
            name=default.name,
            intents=frozenset(default.intents),
            patterns=tuple(re.compile(pattern) for pattern in default.phrases),
            skill=default.skill,
            urgency=default.urgency,
        )
        for default in BOUNDARIES
    )


def default_policy() -> Policy:
    return Policy(boundaries=default_boundaries())


def evaluate(
    turn: MessageReading, history: list[MessageReading], similarities: list[float], policy: Policy
) -> Decision:
    if _asks_for_person(turn, policy) and not policy.explicit_enabled:
        # The customer asked for a person and the supervisors switched that off: the request
        # is logged as declined, never handed over under another trigger instead.
        return Decision(
            triggers=tuple(capability_hits(turn, policy)), declined=("explicit_request",)
        )
    hits = [
        hit
        for hit in (
            _explicit(turn, policy),
            *capability_hits(turn, policy),
            _sentiment(turn, history, policy),
            _loop(turn, history, similarities, policy),
            _confidence(turn, policy),
        )
        if hit is not None
    ]
    hits.sort(key=lambda hit: PRECEDENCE.index(hit.category))
    only_unsure = [hit.category for hit in hits] == ["confidence"]
    rephrase = (
        only_unsure and policy.ask_to_rephrase and not any(t.rephrase_requested for t in history)
    )
    return Decision(triggers=tuple(hits), rephrase=rephrase)


def _explicit(turn: MessageReading, policy: Policy) -> TriggerHit | None:
    if not policy.explicit_enabled:
        return None
    folded = fold(turn.text)
    for pattern in policy.explicit_patterns:
        if found := pattern.search(folded):
            return TriggerHit("explicit_request", "supervisor_phrase", {"matched": found.group(0)})
    if turn.asks_for_person:
        evidence: dict[str, Any] = {"matched": turn.person_matched}
        if turn.person_rule == "learned":
            evidence["probability"] = turn.person_probability
        return TriggerHit("explicit_request", turn.person_rule, evidence)
    if _intent_asks_for_person(turn, policy):
        return TriggerHit(
            "explicit_request",
            "human_request_intent",
            {"intent_confidence": turn.intent_confidence},
        )
    return None


def _asks_for_person(turn: MessageReading, policy: Policy) -> bool:
    folded = fold(turn.text)
    return (
        turn.asks_for_person
        or any(pattern.search(folded) for pattern in policy.explicit_patterns)
        or _intent_asks_for_person(turn, policy)
    )


def _intent_asks_for_person(turn: MessageReading, policy: Policy) -> bool:
    """The intent model's reading, unless the message declined a person in so many words."""
    return (
        turn.intent == HUMAN_REQUEST
        and turn.intent_confidence >= policy.human_intent_threshold
        and not turn.person_declined
    )


def capability_hits(turn: MessageReading, policy: Policy) -> list[TriggerHit]:
    """The capability boundaries this turn crosses, most urgent first."""
    if not policy.capability_enabled:
        return []
    folded = fold(turn.text)
    hits = []
    for boundary in policy.boundaries:
        evidence: dict[str, Any] = {"boundary": boundary.name}
        if turn.intent in boundary.intents and turn.intent_confidence >= boundary.intent_threshold:
            evidence.update(intent=turn.intent, intent_confidence=turn.intent_confidence)
        phrase = next(
            (found.group(0) for p in boundary.patterns if (found := p.search(folded))), None
        )
        if phrase is not None:
            evidence["matched"] = phrase
        score, nearest = turn.example_scores.get(boundary.code, (0.0, ""))
        if boundary.examples and score >= boundary.similarity_threshold:
            evidence.update(
                similar_to=nearest, similarity=score, threshold=boundary.similarity_threshold
            )
        if len(evidence) > 1:
            rule = f"{boundary.code}:{_boundary_rule(evidence)}"
            hits.append(
                TriggerHit(
                    "capability", rule, evidence, boundary.skill, boundary.urgency, boundary.code
                )
            )
    if (
        turn.hand_over
        and not hits
        and turn.intent != HUMAN_REQUEST
        and turn.intent_confidence >= 0.5
    ):
        # An intent supervisors marked "always hand over" that no boundary names yet.
        hits.append(
            TriggerHit(
                "capability",
                f"intent:{turn.intent}",
                {"intent": turn.intent, "intent_confidence": turn.intent_confidence},
            )
        )
    urgency_order = ["critical", "high", "normal", "low"]
    hits.sort(
        key=lambda hit: urgency_order.index(hit.urgency) if hit.urgency in urgency_order else 9
    )
    return hits


def _boundary_rule(evidence: dict[str, Any]) -> str:
    """What crossed it, the strongest evidence first: the intent, a phrase, the meaning."""
    if "intent" in evidence:
        return "intent"
    return "phrase" if "matched" in evidence else "meaning"


def _sentiment(
    turn: MessageReading, history: list[MessageReading], policy: Policy
) -> TriggerHit | None:
    needed = policy.sentiment_consecutive
    if not policy.sentiment_enabled or turn.sentiment_score > policy.sentiment_threshold:
        return None
    run = [turn, *reversed(history)][:needed]
    if len(run) < needed or any(t.sentiment_score > policy.sentiment_threshold for t in run):
        return None
    scores = [t.sentiment_score for t in reversed(run)]
    return TriggerHit(
        "sentiment",
        f"{needed}_consecutive_negative",
        {"scores": scores, "threshold": policy.sentiment_threshold},
    )


def _loop(
    turn: MessageReading, history: list[MessageReading], similarities: list[float], policy: Policy
) -> TriggerHit | None:
    """The same question again after it was answered, more times than its type allows.

    1. Only a real question counts (not thanks or venting) that the assistant could answer.
    2. An earlier answered message is "the same question" when it got the same answer (the same
       resolution type) and the two are at least `loop_similarity` alike or the customer words
       it as asking again ("sorry, so..."), or when the two are very alike whatever the answer.
       A new question on the same topic ("and on Saturdays?") is not the same question.
    3. With max_attempts answers already given, this ask escalates (2: on the third ask).
    """
    if not policy.loop_enabled or turn.intent in SMALLTALK_INTENTS or not turn.resolution_type:
        return None
    limit = policy.loop_limits.get(turn.resolution_type, policy.loop_max_attempts)
    same = [
        (index, similarity)
        for index, (earlier, similarity) in enumerate(zip(history, similarities, strict=True))
        if earlier.answered
        and earlier.intent not in SMALLTALK_INTENTS
        and _same_question(turn, earlier, similarity, policy)
    ]
    if len(same) < limit:
        return None
    return TriggerHit(
        "loop",
        "same_question_again",
        {
            "resolution_type": turn.resolution_type,
            "earlier_asks": [index for index, _ in same],
            "similarities": [round(similarity, 3) for _, similarity in same],
            "max_attempts": limit,
        },
    )


RESTATED_ANYWAY = 0.6  # this alike is the same question even when answered differently


def _same_question(
    turn: MessageReading, earlier: MessageReading, similarity: float, policy: Policy
) -> bool:
    if earlier.resolution_type == turn.resolution_type:
        return similarity >= policy.loop_similarity or turn.sounds_restated
    return similarity >= max(policy.loop_similarity, RESTATED_ANYWAY)


def _confidence(turn: MessageReading, policy: Policy) -> TriggerHit | None:
    if not policy.confidence_enabled:
        return None
    evidence = {
        "intent": turn.intent,
        "intent_confidence": turn.intent_confidence,
        "response_confidence": turn.response_confidence,
    }
    if turn.known_words == 0:
        return TriggerHit("confidence", "unintelligible", {**evidence, "known_words": 0})
    if turn.intent == OUT_OF_SCOPE:
        return TriggerHit("confidence", "out_of_scope", evidence)
    if turn.intent == "complaint" and turn.sentiment_score <= policy.sentiment_threshold:
        # Venting needs no precise reading: the assistant acknowledges it and asks what went
        # wrong, and the sentiment trigger hands over if the anger goes on.
        return None
    if turn.intent_confidence < policy.classification_threshold:
        return TriggerHit(
            "confidence",
            "classification",
            {**evidence, "threshold": policy.classification_threshold},
        )
    if (
        turn.response_confidence < policy.response_threshold
        and turn.intent not in SMALLTALK_INTENTS
    ):
        return TriggerHit(
            "confidence", "response", {**evidence, "threshold": policy.response_threshold}
        )
    return None
