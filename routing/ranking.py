"""Who should take a conversation first: the ranking, as one pure function of plain facts.

No database here. routing.selectors pre-filters in SQL (the qualified agents, and of those only
the best few free and full by this same order, so a decision among 1,000 agents reads a few
rows); this module decides the order, and its tests pin it down.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    """What the ranking knows of one qualified agent."""

    agent_id: int
    skill_level: int | None  # in the first needed skill; None: no level recorded
    load: int  # conversations offered or accepted
    capacity: int
    last_assigned_at: datetime | None  # None: never assigned

    @property
    def full(self) -> bool:
        return self.load >= self.capacity


def score(candidate: Candidate) -> tuple[object, ...]:
    """Sort key, best first: the highest skill level (no level last), then the fewest
    conversations, then whoever has waited longest since their last assignment (never
    assigned first), then the lowest id (so equal agents always rank the same way)."""
    level = candidate.skill_level
    assigned = candidate.last_assigned_at
    return (
        level is None,
        -(level or 0),
        candidate.load,
        assigned is not None,
        assigned.timestamp() if assigned else 0.0,
        candidate.agent_id,
    )


@dataclass(frozen=True)
class Ranking:
    free: list[Candidate]  # best first: the ones to try, in order
    full: list[Candidate]  # best first: at capacity, shown in the explanation


def rank(candidates: Iterable[Candidate], *, previous: int | None = None) -> Ranking:
    """Free agents best first, the customer's recent agent (`previous`) ahead of everyone when
    free; and the full ones, best first."""
    ordered = sorted(candidates, key=score)
    free = [c for c in ordered if not c.full]
    recent = [c for c in free if c.agent_id == previous]
    return Ranking(
        free=recent + [c for c in free if c.agent_id != previous],
        full=[c for c in ordered if c.full],
    )
