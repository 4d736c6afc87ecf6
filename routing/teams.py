"""Which team a conversation belongs to, whether that team is working, and who is on call."""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import lru_cache

from agents.models import Agent
from routing.hours import OpeningHours, Schedule, public_holidays
from routing.models import OnCallShift, Team
from routing.needs import Needs

logger = logging.getLogger(__name__)


def team_for(needs: Needs) -> Team | None:
    """The team holding one of the skills the conversation needs, else the default team. None
    when no team is configured: then nobody keeps hours and the desk never closes."""
    if needs.skills:
        team = Team.objects.filter(skills__code__in=list(needs.skills)).order_by("pk").first()
        if team is not None:
            return team
    return Team.objects.filter(is_default=True).order_by("pk").first()


def team_schedule(team: Team, around: datetime) -> Schedule:
    """The team's week, public holidays of the years around `around`, and its own closed days."""
    years = (around.year - 1, around.year, around.year + 1)
    closed = set(_holidays(team.holiday_country, team.holiday_subdivision, years))
    closed |= set(team.closures.values_list("date", flat=True))
    return Schedule(
        zone=team.time_zone,
        hours=tuple(
            OpeningHours(weekday=row.weekday, opens=row.opens, closes=row.closes)
            for row in team.hours.all()
        ),
        closed_dates=frozenset(closed),
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
