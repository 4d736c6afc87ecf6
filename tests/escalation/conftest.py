"""A team with business hours and an agent on call out of them."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from agents.models import Agent
from escalation.models import (
    UrgencyCriterion,
)
from helpdesk.flows import conversation_open
from helpdesk.models import Conversation, Customer
from routing.models import OnCallShift, Team, TeamHours
from tests.support.factories import make_agent
from tests.support.waiting import (
    SATURDAY_22,
)


@pytest.fixture
def london(db: None) -> Team:
    """Mon-Fri 08:00-20:00 and Saturday 09:00-17:00, London time, English holidays."""
    team = Team.objects.create(
        name="Support desk",
        time_zone="Europe/London",
        holiday_country="GB",
        holiday_subdivision="ENG",
        is_default=True,
        emergency_email="oncall@example.com",
    )
    for weekday in range(5):
        TeamHours.objects.create(team=team, weekday=weekday, opens=time(8), closes=time(20))
    TeamHours.objects.create(team=team, weekday=5, opens=time(9), closes=time(17))
    return team


@pytest.fixture
def on_call(london: Team) -> Agent:
    agent = make_agent("jonas", "Jonas", presence="offline", skills={"accounts": 3})
    agent.user.email = "jonas@example.com"
    agent.user.save()
    OnCallShift.objects.create(
        team=london,
        agent=agent,
        starts_at=SATURDAY_22 - timedelta(hours=6),
        ends_at=SATURDAY_22 + timedelta(days=1),
    )
    UrgencyCriterion.objects.create(
        name="Critical", customer_text="a hacked account", min_urgency="critical"
    )
    return agent


@pytest.fixture
def busy_desk(london: Team) -> Agent:
    """An agent online with their one slot taken: customers wait in line with an estimate."""
    agent = make_agent("bo", "Bo", presence="online", max_concurrent=1)
    taken = conversation_open(customer=Customer.objects.create(name="Being helped"))
    Conversation.objects.filter(pk=taken.pk).update(assigned_agent=agent, status="with_agent")
    return agent
