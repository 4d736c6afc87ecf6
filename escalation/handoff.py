"""The handoff package: everything an agent needs to carry on without the customer repeating a word.

`handoff_build` reads a conversation (a fixed number of queries, whatever its length) and returns
the package as plain JSON-ready data; `escalation.services.handoff_refresh` stores it as a new
version. The parts that interpret the conversation (classification, requests, assessment) are
pure functions over the rows, so they are tested without a database.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from assistant.labels import HUMAN_REQUEST, OUT_OF_SCOPE, SMALLTALK_INTENTS
from escalation.models import Category, Escalation, Urgency
from escalation.reasons import mid_sentence, topic, why_a_person
from helpdesk.models import Conversation, Message

# The package's parts, in the order the contract (README, replay --handoff, the API) names them.
PACKAGE_KEYS = (
    "summary",
    "classification",
    "customer",
    "trigger",
    "knowledge_articles",
    "assessment",
    "customer_requests",
    "related",
    "transcript",
)
RECENT_CONVERSATIONS = 5
PROBLEM_SURE = 0.6  # a problem named beside a request for a person, read at least this surely
URGENCY_ORDER = list(Urgency)  # least to most urgent
# Boundaries whose subject alone makes the case complex: the law, a regulator, a break-in.
COMPLEX_BOUNDARIES = {"legal", "regulatory", "account-compromised"}


@dataclass(frozen=True)
class CustomerLine:
    """One customer message with the assistant's reading of it."""

    seq: int
    text: str
    intent: str
    confidence: float
    sentiment: float
    answered: bool
    article: str
    problem: str = ""  # what for, when the message asked for a person and said (its intent)

    @property
    def subject(self) -> str:
        """What the message is about: the problem named beside a request for a person."""
        return self.problem or self.intent


def handoff_build(conversation: Conversation, escalation: Escalation) -> dict[str, Any]:
    messages = list(
        conversation.messages.select_related("analysis__article", "author_agent").order_by("seq")
    )
    turns = [_turn(message) for message in messages if message.author_kind == "customer"]
    history = conversation.customer.conversations.exclude(pk=conversation.pk)
    fields = ("public_id", "status", "opened_at", "last_message_at")
    still_open = [
        dict(row)
        for row in history.filter(status__in=Conversation.OPEN_STATUSES)
        .order_by("-opened_at")
        .values(*fields)
    ]
    recent_closed = [
        dict(row)
        for row in history.exclude(status__in=Conversation.OPEN_STATUSES)
        .order_by("-opened_at")
        .values(*fields)[:RECENT_CONVERSATIONS]
    ]
    classification = classify(turns, escalation, tier=conversation.customer.tier)
    requests = customer_requests(turns)
    assessment = assess(turns, messages)
    return {
        "summary": summarise(classification, requests, assessment, escalation),
        "classification": classification,
        "customer": _customer(conversation, conversations_before=history.count()),
        "trigger": _trigger(escalation),
        "knowledge_articles": _articles(messages),
        "assessment": assessment,
        "customer_requests": requests,
        "related": {
            "open_conversations": [_related(row) for row in still_open],
            "recent_interactions": [_related(row) for row in recent_closed],
        },
        "transcript": [_line(message, conversation.customer.display_name) for message in messages],
    }


def _turn(message: Message) -> CustomerLine:
    analysis = getattr(message, "analysis", None)
    if analysis is None:  # written while the assistant was not in charge: no reading of it
        return CustomerLine(
            seq=message.seq,
            text=message.body,
            intent="",
            confidence=0.0,
            sentiment=0.0,
            answered=False,
            article="",
        )
    return CustomerLine(
        seq=message.seq,
        text=message.body,
        intent=analysis.intent,
        confidence=analysis.intent_confidence,
        sentiment=analysis.sentiment_score,
        answered=analysis.answered,
        article=analysis.article.title if analysis.answered and analysis.article else "",
        problem=_problem(analysis.details.get("problem")),
    )


def _problem(reading: list[Any] | None) -> str:
    """The problem a request for a person named, when the assistant was fairly sure of it."""
    return reading[0] if reading and reading[1] >= PROBLEM_SURE else ""


# -- classification -------------------------------------------------------------------------


def classify(turns: list[CustomerLine], escalation: Escalation, *, tier: str) -> dict[str, Any]:
    return {
        "issue_type": _issue_type(turns, escalation),
        "urgency": _urgency(turns, escalation, tier=tier),
        "complexity": _complexity(turns, escalation),
    }


def _topics(turns: list[CustomerLine]) -> Counter[str]:
    return Counter(
        topic
        for topic in (turn.subject for turn in turns)
        if topic and topic not in SMALLTALK_INTENTS | {OUT_OF_SCOPE, HUMAN_REQUEST}
    )


def _issue_type(turns: list[CustomerLine], escalation: Escalation) -> dict[str, Any]:
    if escalation.boundary_id is not None and escalation.boundary is not None:
        boundary = escalation.boundary
        return {
            "code": boundary.code,
            "label": boundary.name,
            "reasons": [f"matched the capability boundary '{boundary.name}'"],
        }
    topics = _topics(turns)
    if not topics:
        return {
            "code": "general",
            "label": "General enquiry",
            "reasons": ["no store topic recognised in the customer's messages"],
        }
    # The most frequent topic; on a tie, the one the customer raised last.
    last_seen = {turn.subject: index for index, turn in enumerate(turns)}
    code = max(topics, key=lambda topic: (topics[topic], last_seen[topic]))
    count = topics[code]
    return {
        "code": code,
        "label": topic(code),
        "reasons": [f"read as {topic(code).lower()} in {count} of {len(turns)} customer messages"],
    }


def _urgency(turns: list[CustomerLine], escalation: Escalation, *, tier: str) -> dict[str, Any]:
    level = URGENCY_ORDER.index(Urgency(escalation.urgency))
    why = why_a_person(escalation.category, escalation.rule, _boundary_name(escalation))
    reasons = [f"{escalation.urgency} to start with ({mid_sentence(why)})"]
    worst = min((turn.sentiment for turn in turns), default=0.0)
    if worst <= -0.6 and level < URGENCY_ORDER.index(Urgency.HIGH):
        level = URGENCY_ORDER.index(Urgency.HIGH)
        reasons.append("raised: the customer is very upset")
    if tier == "vip" and level < URGENCY_ORDER.index(Urgency.HIGH):
        level += 1
        reasons.append("raised: a VIP customer")
    calm_off_topic = (
        escalation.category == Category.CONFIDENCE
        and bool(turns)
        and all(turn.intent in SMALLTALK_INTENTS | {OUT_OF_SCOPE} for turn in turns)
        and worst > -0.35
    )
    if calm_off_topic and level == URGENCY_ORDER.index(Urgency.NORMAL) and tier != "vip":
        level = URGENCY_ORDER.index(Urgency.LOW)
        reasons.append("lowered: a calm question outside the store's topics")
    return {"level": URGENCY_ORDER[level].value, "reasons": reasons}


def _complexity(turns: list[CustomerLine], escalation: Escalation) -> dict[str, Any]:
    topics = _topics(turns)
    reasons = []
    score = 0
    if len(topics) >= 2:
        score += 1 if len(topics) == 2 else 2
        names = ", ".join(sorted(topic(code).lower() for code in topics))
        reasons.append(f"{len(topics)} different topics: {names}")
    attempts = sum(turn.answered for turn in turns)
    if escalation.category == Category.LOOP or attempts >= 2:
        score += 1
        reasons.append(f"{attempts} answers from the assistant did not settle it")
    if escalation.boundary is not None and escalation.boundary.code in COMPLEX_BOUNDARIES:
        score += 2
        reasons.append(f"needs {escalation.boundary.name.lower()} handling")
    if len(turns) > 8:
        score += 1
        reasons.append(f"a long conversation ({len(turns)} customer messages)")
    level = "simple" if score == 0 else "moderate" if score <= 2 else "complex"
    return {"level": level, "reasons": reasons or ["one topic, settled in a few messages"]}


# -- what the customer asked for ------------------------------------------------------------

REQUEST_KINDS: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in [
        ("callback", r"\b(call me|ring me|phone me|call back|callback|give me a call)\b"),
        ("refund", r"\b(refund|money back|reimburse|reembolso|remboursement|erstattung)\w*"),
        ("cancellation", r"\b(cancel|cancell?ation|stornier|annuler|cancelar)\w*"),
        ("replacement", r"\b(replace(ment)?|exchange|new one|send (me )?another)\b"),
        ("return", r"\b(return|send (it|them) back)\b"),
        ("person", r"\b(human|agent|person|someone|manager|supervisor)\b"),
        ("delivery", r"\b(deliver|deliver(y|ed)|parcel|package|tracking)\b"),
        ("account", r"\b(password|account|log ?in|sign ?in)\b"),
    ]
]
ASKING = re.compile(
    r"\b(i want|i'd like|i would like|i need|i demand|i expect|please|can you|could you|"
    r"will you|call me|give me|send me|quiero|necesito|je veux|je voudrais|ich möchte|ich will)\b",
    re.IGNORECASE,
)
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
TIME_HINT = re.compile(
    r"\b((today|tonight|tomorrow|this (morning|afternoon|evening)|(on )?(monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday))( (morning|afternoon|evening))?"
    r"( (at|before|after|around) \d{1,2}([:.]\d\d)?\s*(am|pm|h)?)?"
    r"|(at|before|after|around) \d{1,2}([:.]\d\d)?\s*(am|pm|h)?|asap|as soon as possible)\b",
    re.IGNORECASE,
)


def customer_requests(turns: list[CustomerLine]) -> list[dict[str, Any]]:
    """The sentences in which the customer asks for something, with what kind of thing it is."""
    found = []
    for turn in turns:
        for sentence in SENTENCE.split(turn.text):
            sentence = sentence.strip()
            if not sentence or not ASKING.search(sentence):
                continue
            kinds = [name for name, pattern in REQUEST_KINDS if pattern.search(sentence)]
            if not kinds:
                continue
            when = TIME_HINT.search(sentence)
            found.append(
                {
                    "text": sentence[:300],
                    "kind": kinds[0],
                    "kinds": kinds,
                    "seq": turn.seq,
                    "when": when.group(0) if when else "",
                }
            )
    return found


# -- what was tried, what is needed ---------------------------------------------------------


def assess(turns: list[CustomerLine], messages: list[Message]) -> dict[str, Any]:
    given = [
        {"seq": turn.seq, "article": turn.article}
        for turn in turns
        if turn.answered and turn.article
    ]
    topics = _topics(turns)
    unanswered = [turn for turn in turns if turn.intent and not turn.answered]
    last_topic = next((turn.subject for turn in reversed(turns) if turn.subject in topics), "")
    if last_topic == OUT_OF_SCOPE:
        needs = "Something outside the store's topics: answer briefly or say where to ask"
    elif last_topic:
        needs = topic(last_topic)
    else:
        needs = "Not yet clear: ask what they need"
    answered_topics = {turn.intent for turn in turns if turn.answered}
    if given and topics and set(topics) <= answered_topics:
        partial = "The assistant answered every topic, but the customer still needed a person."
    elif given:
        partial = "Partly answered: " + ", ".join(sorted(set(topics) - answered_topics) or ["-"])
        partial += " still open."
    else:
        partial = "Nothing resolved yet."
    agents_involved = sorted(
        {m.author_agent.display_name for m in messages if m.author_agent is not None}
    )
    return {
        "needs": needs,
        "attempted": given,
        "steps_suggested": [item["article"] for item in given],
        "partial_resolution": partial,
        "open_questions": [turn.text[:200] for turn in unanswered if turn.subject in topics][-3:],
        "agents_involved": agents_involved,
    }


def _boundary_name(escalation: Escalation) -> str | None:
    return escalation.boundary.name if escalation.boundary is not None else None


def _why(escalation: Escalation) -> str:
    return why_a_person(escalation.category, escalation.rule, _boundary_name(escalation))


def summarise(
    classification: dict[str, Any],
    requests: list[dict[str, Any]],
    assessment: dict[str, Any],
    escalation: Escalation,
) -> str:
    """Three short lines for the top of the page: what, why a person, what was tried."""
    issue = classification["issue_type"]["label"]
    urgency = classification["urgency"]["level"]
    # What they want done; asking for a person is already the "handed over" line.
    wanted = [item["text"][:100] for item in requests if item["kind"] != "person"][-2:]
    wants = " Asks: " + " / ".join(f'"{text}"' for text in wanted) if wanted else ""
    tried = (
        "Assistant sent: " + ", ".join(dict.fromkeys(assessment["steps_suggested"]))
        if assessment["steps_suggested"]
        else "The assistant had not answered yet."
    )
    return "\n".join(
        [
            f"{issue} ({urgency} urgency).{wants}",
            f"Why a person: {mid_sentence(_why(escalation))}.",
            tried,
        ]
    )


# -- the other parts ------------------------------------------------------------------------


def _customer(conversation: Conversation, *, conversations_before: int) -> dict[str, Any]:
    customer = conversation.customer
    return {
        "name": customer.display_name,
        "email": customer.email,  # proven, or given by an integration
        "email_verified": conversation.identity_verified,
        "claimed_email": "" if conversation.identity_verified else conversation.claimed_email,
        "claimed_profile": _claimed_profile(conversation),
        "tier": customer.tier,
        "language": conversation.language,
        "customer_since": customer.customer_since.isoformat(),
        "tenure_days": (timezone.localdate() - customer.customer_since).days,
        "last_seen": _iso(customer.last_activity_at),
        "conversations_before": conversations_before,
        "attributes": customer.attributes,
    }


def _claimed_profile(conversation: Conversation) -> dict[str, Any] | None:
    """For agents: the profile an unproven email points at (the customer never sees it)."""
    profile = conversation.claimed_customer
    if profile is None or conversation.identity_verified:
        return None
    return {
        "id": profile.pk,
        "name": profile.display_name,
        "tier": profile.tier,
        "customer_since": profile.customer_since.isoformat(),
    }


def _trigger(escalation: Escalation) -> dict[str, Any]:
    return {
        "category": escalation.category,
        "label": escalation.get_category_display(),
        "rule": escalation.rule,
        "reason": _why(escalation),
        "evidence": escalation.evidence,
        "all_triggers": [hit.get("category") for hit in escalation.triggers],
        "at_message": escalation.message.seq if escalation.message else None,
        "escalated_at": _iso(escalation.created_at),
    }


def _articles(messages: list[Message]) -> list[dict[str, Any]]:
    """The articles the assistant found relevant to the customer's messages (in their language
    and on their topic, assistant.retrieval.ArticleIndex.relevant), each at its best."""
    best: dict[int, dict[str, Any]] = {}
    for message in messages:
        analysis = getattr(message, "analysis", None)
        for hit in analysis.details.get("articles", []) if analysis is not None else []:
            kept = best.get(hit["id"])
            if kept is None or hit["score"] > kept["score"]:
                best[hit["id"]] = {"id": hit["id"], "title": hit["title"], "score": hit["score"]}
    return sorted(best.values(), key=lambda hit: -hit["score"])[:5]


def _related(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["public_id"]),
        "status": row["status"],
        "opened_at": _iso(row["opened_at"]),
        "last_message_at": _iso(row["last_message_at"]),
    }


def _line(message: Message, customer_name: str) -> dict[str, Any]:
    author = (
        message.author_agent.display_name
        if message.author_agent is not None
        else {"customer": customer_name, "assistant": "Assistant"}.get(message.author_kind, "")
    )
    return {
        "seq": message.seq,
        "author_kind": message.author_kind,
        "author": author,
        "body": message.body,
        "created_at": _iso(message.created_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None
