"""Which team a conversation belongs to, whether that team is working, and who is on call."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

from agents.models import Agent
from helpdesk.configcache import area
from helpdesk.models import Conversation
from routing.hours import OpeningHours, Schedule, is_open, opening_spans, public_holidays
from routing.models import OnCallShift, RoutingPolicy, Team
from routing.needs import Needs, conversation_needs

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Desks:
    """Every team with its skills, week and closed days, as supervisors configured them."""

    teams: tuple[Team, ...]  # by pk
    skills: dict[int, frozenset[str]]  # team pk -> skill codes
    hours: dict[int, tuple[OpeningHours, ...]]
    closures: dict[int, frozenset[date]]


@area("routing").cached
def desks() -> Desks:
    """Read once per process until a supervisor changes a team (routing.apps watches them)."""
    teams = tuple(Team.objects.prefetch_related("skills", "hours", "closures").order_by("pk"))
    return Desks(
        teams=teams,
        skills={team.pk: frozenset(skill.code for skill in team.skills.all()) for team in teams},
        hours={
            team.pk: tuple(
                OpeningHours(weekday=row.weekday, opens=row.opens, closes=row.closes)
                for row in team.hours.all()
            )
            for team in teams
        },
        closures={team.pk: frozenset(row.date for row in team.closures.all()) for team in teams},
    )


def team_for(needs: Needs) -> Team | None:
    """The team holding one of the skills the conversation needs, else the default team. None
    when no team is configured: then nobody keeps hours and the desk never closes."""
    known = desks()
    wanted = set(needs.skills)
    holding = [team for team in known.teams if known.skills[team.pk] & wanted]
    if holding:
        return holding[0]
    return next((team for team in known.teams if team.is_default), None)


def team_schedule(team: Team, around: datetime) -> Schedule:
    """The team's week, public holidays of the years around `around`, and its own closed days
    (`team` as team_for gave it)."""
    known = desks()
    years = (around.year - 1, around.year, around.year + 1)
    closed = _holidays(team.holiday_country, team.holiday_subdivision, years)
    return Schedule(
        zone=team.time_zone,
        hours=known.hours[team.pk],
        closed_dates=closed | known.closures[team.pk],
    )


@lru_cache(maxsize=64)
def _holidays(country: str, subdivision: str, years: tuple[int, ...]) -> frozenset[date]:
    """Computed once per process (they do not change); a region the package does not know is
    logged and skipped rather than stopping every escalation for the team."""
    try:
        return frozenset(public_holidays(country, subdivision, years))
    except ValueError:
        logger.exception("No public holidays for %r / %r", country, subdivision)
        return frozenset()


def on_call_agent(team: Team, at: datetime) -> Agent | None:
    """Who is on call for the team at `at` (the shift that started last, if several overlap)."""
    shift = (
        OnCallShift.objects.select_related("agent")
        .filter(team=team, starts_at__lte=at, ends_at__gt=at)
        .order_by("-starts_at")
        .first()
    )
    return shift.agent if shift else None


@dataclass(frozen=True)
class ServingTeam:
    """The team serving a conversation, its week, and whether it is working at `now` (the
    handoff's steps ask it: open now, the next opening, the slots, the times in its zone)."""

    team: Team | None
    schedule: Schedule | None
    now: datetime

    @property
    def open(self) -> bool:
        return self.schedule is None or is_open(self.schedule, self.now)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.schedule.zone if self.schedule else settings.TIME_ZONE)


def open_until(serving: ServingTeam) -> datetime | None:
    """When the team's current opening ends; None when it keeps no hours or is closed now."""
    if serving.schedule is None:
        return None
    spans = opening_spans(serving.schedule, serving.now, serving.now + timedelta(days=1))
    return spans[0][1] if spans and spans[0][0] <= serving.now else None


def serving_team(
    conversation: Conversation, now: datetime, needs: Needs | None = None
) -> ServingTeam:
    needs = needs or conversation_needs(conversation, RoutingPolicy.load())
    team = team_for(needs)
    return ServingTeam(team, team_schedule(team, now) if team else None, now)
