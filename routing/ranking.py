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
    offers: int = 0  # offered and not accepted yet (part of the load)
    offer_limit: int = 0  # the policy's offers_per_agent; 0: no limit but capacity

    @property
    def full(self) -> bool:
        """Nothing more is offered to them: at capacity, or holding as many unaccepted offers
        as the policy allows (they accept or pass one first)."""
        at_offer_limit = bool(self.offer_limit) and self.offers >= self.offer_limit
        return self.load >= self.capacity or at_offer_limit


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
    full: list[Candidate]  # best first: at capacity or offer limit, shown in the explanation


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
