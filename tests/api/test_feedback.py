"""Surveys, handoff ratings and the dashboard's figures through the API."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from agents.models import Agent
from escalation.callbacks import customer_choose
from escalation.models import Survey
from escalation.surveys import handoff_rate
from helpdesk.flows import conversation_join, conversation_resolve
from tests.api.conftest import client_for_user
from tests.support.factories import escalated_conversation


def test_surveys_ratings_and_metrics_read_what_customers_and_agents_said(
    knowledge_base: object, dana: Agent, supervisor: Agent
) -> None:
    conversation = escalated_conversation("Alice")
    conversation_join(public_id=conversation.public_id, agent=dana)
    handoff_rate(conversation=conversation, agent=dana, verdict="missing", missing="order number")
    conversation_resolve(public_id=conversation.public_id, agent=dana)
    offer = conversation.messages.exclude(actions={}).order_by("-seq")[0]
    customer_choose(
        public_id=conversation.public_id,
        customer_id=conversation.customer_id,
        message_seq=offer.seq,
        choice="csat:2",
    )
    agent = client_for_user(supervisor.user)
    surveys = agent.get("/api/surveys/?satisfaction=2").json()
    assert [(row["conversation"], row["satisfaction"]) for row in surveys["results"]] == [
        (str(conversation.public_id), 2)
    ]
    assert agent.get("/api/surveys/?satisfaction=5").json()["results"] == []
    ratings = agent.get("/api/handoff-ratings/?verdict=missing").json()["results"]
    assert (ratings[0]["context_sufficient"], ratings[0]["missing"]) == (False, "order number")
    today = timezone.localdate()
    metrics = client_for_user(supervisor.user).get(
        f"/api/metrics/?start={today - timedelta(days=1)}&end={today}"
    )
    assert metrics.status_code == 200
    tables = {table["name"]: table for table in metrics.json()["tables"]}
    quality = tables["quality_trigger"]["rows"][0]
    assert (quality["satisfaction"], quality["context_sufficient"]) == (2.0, 0.0)
    assert len(tables["trend"]["rows"]) == 2
    assert Survey.objects.get().satisfaction == 2


def test_a_backwards_period_is_a_field_error(supervisor: Agent) -> None:
    response = client_for_user(supervisor.user).get("/api/metrics/?start=2026-02-02&end=2026-01-01")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "start" in error["fields"]
    unknown = client_for_user(supervisor.user).get("/api/metrics/?from=2026-01-01")
    assert unknown.status_code == 400
