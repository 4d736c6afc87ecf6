"""What a waiting conversation needs from the agent who takes it: skills and levels, language
and seniority, from the routing rules that match it (routing.services routes by it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from assistant.labels import OUT_OF_SCOPE, SMALLTALK_INTENTS
from helpdesk.configcache import area
from helpdesk.models import Conversation, Message
from helpdesk.selectors import conversation_locked_raw
from routing.models import RoutingPolicy, RoutingRule

NOT_A_TOPIC = [*SMALLTALK_INTENTS, OUT_OF_SCOPE, "human_request", "complaint"]


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
    tier: str  # the customer's


FACT_FIELDS = ("skill", "boundary_id", "boundary", "rule", "intent", "tier")


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
    row = next(iter(Conversation.objects.raw(_facts_sql(False), _facts_values(conversation.pk))))
    facts = Facts(**{name: getattr(row, f"facts_{name}") for name in FACT_FIELDS})
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
        if not _matches(rule, conversation, facts):
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


def _matches(rule: RoutingRule, conversation: Conversation, facts: Facts) -> bool:
    conditions = [
        (rule.intent, facts.intent),
        (rule.boundary_id, facts.boundary_id),
        (rule.language, conversation.language),
        (rule.tier, facts.tier),
    ]
    given = [(wanted, actual) for wanted, actual in conditions if wanted]
    return bool(given) and all(wanted == actual for wanted, actual in given)


# -- the facts, read with the row in one hand-written statement ---------------------------------


def locked_with_facts(
    conversation_id: int, *, previous_since: datetime | None = None
) -> Conversation | None:
    """The conversation's row, locked, with its facts (`facts_<field>` for each of FACT_FIELDS);
    with `previous_since`, also `previous_agent`: the agent of the customer's latest other
    conversation opened since then. None when there is no such conversation.

    What a routing decision and a wait update read first. Written by hand: through the ORM,
    composing and compiling this statement took a quarter of a routing decision and a third of a
    wait update, several times what the database took to run it. Portable SQL (PostgreSQL,
    SQLite); a test holds it to the ORM's reading of the same facts.
    """
    values = _facts_values(conversation_id, previous_since)
    return conversation_locked_raw(_facts_sql(bool(previous_since)), values)


def _facts_values(conversation_id: int, previous_since: datetime | None = None) -> list[Any]:
    """_facts_sql's parameters, in the order they appear in it."""
    since = connection.ops.adapt_datetimefield_value(previous_since)  # SQLite: as stored
    return [*([since] if previous_since else []), "customer", *NOT_A_TOPIC, conversation_id]


@cache
def _facts_sql(previous: bool) -> str:
    """Table names from the models (escalation's through the relation: routing never imports
    it); every value is a parameter."""
    escalation = _related(Conversation, "escalations")
    conversations, messages = Conversation._meta.db_table, Message._meta.db_table
    customers = _related(Conversation, "customer")._meta.db_table
    analyses = _related(Message, "analysis")._meta.db_table
    skills = _related(escalation, "skill")._meta.db_table
    boundaries = _related(escalation, "boundary")._meta.db_table

    def latest(column: str) -> str:  # of the conversation's latest escalation
        return (
            f"(SELECT {column} FROM {escalation._meta.db_table} e"  # noqa: S608
            f" LEFT JOIN {skills} k ON k.id = e.skill_id"
            f" LEFT JOIN {boundaries} b ON b.id = e.boundary_id"
            " WHERE e.conversation_id = c.id ORDER BY e.created_at DESC, e.id DESC LIMIT 1)"
        )

    previous_agent = (
        f"(SELECT p.assigned_agent_id FROM {conversations} p"  # noqa: S608
        " WHERE p.customer_id = c.customer_id AND p.assigned_agent_id IS NOT NULL"
        " AND p.opened_at >= %s AND p.id <> c.id ORDER BY p.opened_at DESC LIMIT 1)"
        if previous
        else "NULL"
    )
    not_a_topic = ", ".join(["%s"] * len(NOT_A_TOPIC))
    return (
        f"SELECT c.*, {previous_agent} AS previous_agent,"  # noqa: S608
        f" {latest('k.code')} AS facts_skill, {latest('e.boundary_id')} AS facts_boundary_id,"
        f" {latest('b.name')} AS facts_boundary, {latest('e.rule')} AS facts_rule,"
        f" (SELECT a.intent FROM {messages} m JOIN {analyses} a ON a.message_id = m.id"
        f" WHERE m.conversation_id = c.id AND m.author_kind = %s AND a.intent NOT IN ({not_a_topic})"
        " ORDER BY m.seq DESC LIMIT 1) AS facts_intent, cu.tier AS facts_tier"
        f" FROM {conversations} c JOIN {customers} cu ON cu.id = c.customer_id WHERE c.id = %s"
    )


def _related(model: type[Model], relation: str) -> type[Model]:
    related = model._meta.get_field(relation).related_model
    assert isinstance(related, type), relation
    return related
