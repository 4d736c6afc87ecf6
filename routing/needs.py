"""What a waiting conversation needs from the agent who takes it: skills and levels, language
and seniority, from the routing rules that match it (routing.services routes by it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from assistant.labels import OUT_OF_SCOPE, SMALLTALK_INTENTS
from helpdesk.models import Conversation, Message
from routing.models import RoutingPolicy, RoutingRule

HELD = Conversation.HANDED_OVER_STATUSES
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


def conversation_needs(conversation: Conversation, policy: RoutingPolicy) -> Needs:
    escalation = conversation.escalations.select_related("boundary", "skill").first()
    intent = (
        Message.objects.filter(conversation=conversation, author_kind="customer")
        .exclude(analysis__isnull=True)
        .exclude(analysis__intent__in=NOT_A_TOPIC)  # "get me a human" says nothing of the topic
        .order_by("-seq")
        .values_list("analysis__intent", flat=True)
        .first()
    )
    skills: dict[str, int] = {}
    rules: list[str] = []
    if escalation is not None and escalation.skill is not None:
        skills[escalation.skill.code] = 1
        rules.append(
            f"boundary '{escalation.boundary or escalation.rule}' needs {escalation.skill.code}"
        )
    seniority = 0
    boundary_id = escalation.boundary_id if escalation else None
    for rule in RoutingRule.objects.filter(active=True).select_related("skill"):
        if not _matches(rule, conversation, intent=intent, boundary_id=boundary_id):
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
