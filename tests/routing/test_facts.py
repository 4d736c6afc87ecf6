"""The facts a routing decision and a wait update read with the locked row
(routing.needs.locked_with_facts, hand-written SQL) are what the ORM reads of the same data
(`with_facts` below, the reference): the latest escalation's skill, boundary and rule, the
latest topic, the customer's tier, and the agent of the customer's latest other conversation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from escalation.models import CapabilityBoundary, Escalation
from helpdesk.models import Conversation, Customer, Message, MessageAnalysis
from routing.models import Skill
from routing.needs import FACT_FIELDS, NOT_A_TOPIC, facts_of, locked_with_facts
from tests.support.factories import make_agent

pytestmark = pytest.mark.django_db

FACT_COLUMNS = [f"facts_{name}" for name in FACT_FIELDS]


def message(conversation: Conversation, seq: int, author: str, intent: str | None) -> None:
    row = Message.objects.create(conversation=conversation, seq=seq, author_kind=author, body="…")
    if intent is not None:
        MessageAnalysis.objects.create(
            message=row, language="en", intent=intent, intent_confidence=0.9,
            sentiment="neutral", sentiment_score=0.0, response_confidence=0.9,
        )  # fmt: skip


def with_facts(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """The reference: the facts as ORM annotations."""
    latest = (
        Conversation.objects.filter(pk=OuterRef("pk"))
        .exclude(escalations=None)
        .order_by("-escalations__created_at", "-escalations__pk")
    )
    topic = (
        Message.objects.filter(conversation=OuterRef("pk"), author_kind="customer")
        .exclude(analysis__isnull=True)
        .exclude(analysis__intent__in=NOT_A_TOPIC)
        .order_by("-seq")
    )
    return conversations.annotate(
        facts_skill=Subquery(latest.values("escalations__skill__code")[:1]),
        facts_boundary_id=Subquery(latest.values("escalations__boundary_id")[:1]),
        facts_boundary=Subquery(latest.values("escalations__boundary__name")[:1]),
        facts_rule=Subquery(latest.values("escalations__rule")[:1]),
        facts_intent=Subquery(topic.values("analysis__intent")[:1]),
        facts_tier=F("customer__tier"),
    )


def orm_facts(conversation_id: int) -> dict[str, Any]:
    return with_facts(Conversation.objects.filter(pk=conversation_id)).values(*FACT_COLUMNS)[0]


def sql_facts(conversation_id: int, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    with transaction.atomic():  # the row is locked: only inside a transaction
        found = locked_with_facts(conversation_id, **kwargs)
    assert found is not None
    return {column: getattr(found, column) for column in FACT_COLUMNS}, found


def test_a_conversation_with_escalations_topics_and_a_previous_agent() -> None:
    customer = Customer.objects.create(name="Ann", tier=Customer.Tier.VIP)
    earlier = Conversation.objects.create(customer=customer, assigned_agent=make_agent("d", "Dana"))
    conversation = Conversation.objects.create(customer=customer, status="waiting")
    message(conversation, 1, "customer", "refund")
    message(conversation, 2, "assistant", None)
    message(conversation, 3, "customer", "human_request")  # says nothing of the topic
    message(conversation, 4, "customer", None)  # not analysed yet
    billing, _ = Skill.objects.get_or_create(code="billing", defaults={"name": "Billing"})
    boundary = CapabilityBoundary.objects.create(code="legal-x", name="Legal threats")
    Escalation.objects.create(conversation=conversation, category="explicit_request", rule="older")
    Escalation.objects.create(
        conversation=conversation, category="capability", rule="newer", skill=billing,
        boundary=boundary,
    )  # fmt: skip
    facts, found = sql_facts(conversation.pk, previous_since=timezone.now() - timedelta(days=1))
    assert facts == orm_facts(conversation.pk)
    assert facts == {
        "facts_skill": "billing", "facts_boundary_id": boundary.pk,
        "facts_boundary": "Legal threats", "facts_rule": "newer", "facts_intent": "refund",
        "facts_tier": "vip",
    }  # fmt: skip
    assert found.previous_agent == earlier.assigned_agent_id
    # A conversation read without them gets the same facts from the same statement, unlocked.
    unread = facts_of(Conversation.objects.get(pk=conversation.pk))
    assert {f"facts_{name}": getattr(unread, name) for name in FACT_FIELDS} == facts
    assert found.status == "waiting"
    assert found.customer_id == customer.pk


def test_a_fresh_conversation_has_no_facts_and_an_old_agent_is_not_recent() -> None:
    customer = Customer.objects.create(name="Ben")
    earlier = Conversation.objects.create(customer=customer, assigned_agent=make_agent("s", "Sam"))
    Conversation.objects.filter(pk=earlier.pk).update(opened_at=timezone.now() - timedelta(days=9))
    conversation = Conversation.objects.create(customer=customer)
    facts, found = sql_facts(conversation.pk, previous_since=timezone.now() - timedelta(days=7))
    assert facts == orm_facts(conversation.pk)
    assert facts["facts_tier"] == "standard"
    assert [facts[column] for column in FACT_COLUMNS[:-1]] == [None] * 5
    assert found.previous_agent is None
    _, without = sql_facts(conversation.pk)  # a wait update does not ask for it
    assert without.previous_agent is None


def test_no_such_conversation() -> None:
    with transaction.atomic():
        assert locked_with_facts(987654321) is None
