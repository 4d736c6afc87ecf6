"""What a waiting conversation needs from the agent who takes it: skills and levels, language
and seniority, from the routing rules that match it (routing.services routes by it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from assistant.labels import OUT_OF_SCOPE, SMALLTALK_INTENTS
from helpdesk.configcache import area
from helpdesk.models import Conversation, Message
from routing.models import RoutingPolicy, RoutingRule

NOT_A_TOPIC = [*SMALLTALK_INTENTS, OUT_OF_SCOPE, "human_request", "complaint"]
CANDIDATES_SHOWN = 5  # how many candidates a routing event lists
CANDIDATES_TRIED = 10  # free agents fetched per decision; more only matter if all ten fill at once


@dataclass(frozen=True)
class Needs:
    """What an agent must have to take the conversation, and the rules that said so."""

    skills: dict[str, int] = field(default_factory=dict)  # skill code -> lowest level
    language: str = ""
    min_seniority: int = 0
    rules: tuple[str, ...] = ()
    relaxed: bool = False


@dataclass(frozen=True)
class Facts:
    """What the needs depend on besides the conversation's own row: its latest escalation's
    skill, boundary and rule, and its latest topic."""

    skill: str | None
    boundary_id: int | None
    boundary: str | None
    rule: str | None
    intent: str | None


FACT_FIELDS = ("skill", "boundary_id", "boundary", "rule", "intent")


def with_facts(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Annotate the facts, so a routing decision or a wait update reads them in the same
    statement as the conversation's row (conversation_needs then asks nothing more)."""
    latest = (
        Conversation.objects.filter(pk=OuterRef("pk"))
        .exclude(escalations=None)
        .order_by("-escalations__created_at", "-escalations__pk")
    )
    topic = (
        Message.objects.filter(conversation=OuterRef("pk"), author_kind="customer")
        .exclude(analysis__isnull=True)
        .exclude(analysis__intent__in=NOT_A_TOPIC)  # "get me a human" says nothing of the topic
        .order_by("-seq")
    )
    return conversations.annotate(
        facts_skill=Subquery(latest.values("escalations__skill__code")[:1]),
        facts_boundary_id=Subquery(latest.values("escalations__boundary_id")[:1]),
        facts_boundary=Subquery(latest.values("escalations__boundary__name")[:1]),
        facts_rule=Subquery(latest.values("escalations__rule")[:1]),
        facts_intent=Subquery(topic.values("analysis__intent")[:1]),
    )


def facts_of(conversation: Conversation) -> Facts:
    """The annotated facts, else one query for them, kept on the instance while its escalation is
    the same: a handoff asks for the needs three times (the desk, the message, the wait) and
    reads them once. (A new customer message, which may change the topic, always comes with an
    instance of its own, read under the conversation's lock.)"""
    annotated: dict[str, Any] = vars(conversation)
    if "facts_intent" in annotated:
        return Facts(**{name: annotated[f"facts_{name}"] for name in FACT_FIELDS})
    version = (conversation.escalated_at, conversation.trigger, conversation.overflowed_at)
    kept = annotated.get("_facts_kept")
    if kept is not None and kept[0] == version:
        return kept[1]
    row = with_facts(Conversation.objects.filter(pk=conversation.pk)).values(
        *(f"facts_{name}" for name in FACT_FIELDS)
    )[0]
    facts = Facts(**{name: row[f"facts_{name}"] for name in FACT_FIELDS})
    annotated["_facts_kept"] = (version, facts)
    return facts


@area("routing").cached
def active_rules() -> tuple[RoutingRule, ...]:
    """Read once per process until a supervisor changes a rule (routing.apps watches them)."""
    return tuple(RoutingRule.objects.filter(active=True).select_related("skill"))


def conversation_needs(conversation: Conversation, policy: RoutingPolicy) -> Needs:
    facts = facts_of(conversation)
    skills: dict[str, int] = {}
    rules: list[str] = []
    if facts.skill is not None:
        skills[facts.skill] = 1
        rules.append(f"boundary '{facts.boundary or facts.rule}' needs {facts.skill}")
    seniority = 0
    for rule in active_rules():
        if not _matches(rule, conversation, intent=facts.intent, boundary_id=facts.boundary_id):
            continue
        if rule.skill is not None:
            skills[rule.skill.code] = max(skills.get(rule.skill.code, 0), rule.min_level)
        seniority = max(seniority, rule.min_seniority)
        rules.append(rule.name)
    waited = timezone.now() - (conversation.escalated_at or timezone.now())
    relaxed = bool(
        skills
        and policy.fallback_skill_id
        and waited >= timedelta(seconds=policy.relax_after_seconds)
    )
    if relaxed:
        assert policy.fallback_skill is not None
        rules.append(
            f"waited {int(waited.total_seconds())} s: relaxed to {policy.fallback_skill.code}"
        )
        skills = {policy.fallback_skill.code: 1}
    if conversation.overflowed_at and policy.overflow_skill is not None:
        rules.append(f"queue overflowed: {policy.overflow_skill.code}")
        skills = {policy.overflow_skill.code: 1}
    return Needs(
        skills=skills,
        language=conversation.language if policy.require_language else "",
        min_seniority=seniority,
        rules=tuple(rules),
        relaxed=relaxed,
    )


def _matches(
    rule: RoutingRule, conversation: Conversation, *, intent: str | None, boundary_id: int | None
) -> bool:
    conditions = [
        (rule.intent, intent),
        (rule.boundary_id, boundary_id),
        (rule.language, conversation.language),
        (rule.tier, conversation.customer.tier),
    ]
    given = [(wanted, actual) for wanted, actual in conditions if wanted]
    return bool(given) and all(wanted == actual for wanted, actual in given)
