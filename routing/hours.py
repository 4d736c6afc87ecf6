"""Business hours, public holidays and callback slots of a team, in the team's own time zone.

Pure functions: a Schedule in, aware UTC datetimes out. Local wall-clock times become instants
through zoneinfo, and every comparison and duration is made on those instants, so the clock
changes (an hour that never happens in spring, one that happens twice in autumn) can produce
neither bogus instants, nor duplicate slots, nor spans of the wrong length.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import holidays

MIDNIGHT = time(0)
Span = tuple[datetime, datetime]  # [start, end) in UTC


@dataclass(frozen=True)
class OpeningHours:
    weekday: int  # 0 = Monday .. 6 = Sunday
    opens: time  # local wall-clock time in the team's zone
    # Local wall-clock, > opens (no overnight spans; an overnight shift is two rows). time(0)
    # means midnight at the end of the day, so that 22:00-00:00 + 00:00-06:00 joins up.
    closes: time

    def __post_init__(self) -> None:
        # A bad row fails where it is built, not later as silently missing hours.
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), not {self.weekday}")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opening hours are naive local wall-clock times")
        if self.closes <= self.opens and self.closes != MIDNIGHT:
            raise ValueError(f"closes ({self.closes}) must be after opens ({self.opens})")


@dataclass(frozen=True)
class Schedule:
    zone: str  # IANA name, e.g. "Europe/Berlin"
    hours: tuple[OpeningHours, ...]
    closed_dates: frozenset[date]  # local dates closed all day (holidays + supervisor-added)


def public_holidays(country: str, subdivision: str, years: Iterable[int]) -> set[date]:
    """Dates of public holidays from the `holidays` package; empty set if country is ''.
    Unknown country code -> ValueError with a clear message."""
    code = country.strip().upper()  # country codes are upper case; subdivisions may be aliases
    if not code:
        return set()
    try:
        calendar = holidays.country_holidays(code, subdiv=subdivision or None, years=list(years))
    except NotImplementedError as error:  # how `holidays` says it has no such country/subdivision
        raise ValueError(
            f"no public holidays known for country {country!r}, subdivision {subdivision!r}: {error}"
        ) from error
    return set(calendar)


def is_open(schedule: Schedule, at: datetime) -> bool:
    """`at` is timezone-aware (any zone). True when the local wall-clock time falls inside an
    opening span of its local weekday and the local date is not closed."""
    zone = ZoneInfo(schedule.zone)
    moment = _utc(at)
    # The weekday and the closed dates are those of the team's calendar, not of UTC's.
    day = moment.astimezone(zone).date()
    return any(start <= moment < end for start, end in _day_spans(schedule, zone, day))


def next_opening(schedule: Schedule, after: datetime, *, horizon_days: int = 60) -> datetime | None:
    """The first instant >= after when the team is open (returns `after` itself, converted to
    UTC, when open now). None if none within horizon_days. Returns an aware datetime in UTC."""
    start = _utc(after)
    # The first open interval, clipped to start at `after`, begins exactly at the answer.
    spans = opening_spans(schedule, start, start + timedelta(days=horizon_days))
    return spans[0][0] if spans else None


def opening_spans(
    schedule: Schedule, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The open intervals (aware UTC, merged if adjacent) intersected with [start, end)."""
    zone = ZoneInfo(schedule.zone)
    start, end = _utc(start), _utc(end)
    if end <= start:
        return []
    days = _local_dates(zone, start, end)
    spans = _merge(span for day in days for span in _day_spans(schedule, zone, day))
    return [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]


def callback_slots(
    schedule: Schedule,
    after: datetime,
    *,
    slot_minutes: int = 30,
    count: int = 4,
    lead_minutes: int = 15,
    horizon_days: int = 14,
) -> list[datetime]:
    """Up to `count` slot start times (aware UTC, ascending, distinct) at least `lead_minutes`
    after `after`, each on the local wall-clock grid of `slot_minutes` counted from each span's
    opening time (09:00, 09:30, ...), where the whole slot [start, start+slot_minutes) lies inside
    business hours. Only slots starting before `after` + `horizon_days` are considered."""
    if slot_minutes < 1 or lead_minutes < 0:
        raise ValueError("slot_minutes must be >= 1 and lead_minutes >= 0")
    zone = ZoneInfo(schedule.zone)
    now = _utc(after)
    earliest, until = now + timedelta(minutes=lead_minutes), now + timedelta(days=horizon_days)
    slot = timedelta(minutes=slot_minutes)
    # Ascending and distinct by construction: a day's spans are disjoint, lie inside that local
    # date and come in order, and each grid's instants grow strictly.
    candidates = (
        start
        for day in _local_dates(zone, earliest, until)
        for span in _day_spans(schedule, zone, day)
        for start in _grid(span, slot, zone)
        if earliest <= start < until
    )
    return list(islice(candidates, max(count, 0)))


def _utc(at: datetime) -> datetime:
    # astimezone() would read a naive datetime in the server's zone: refuse it instead.
    if at.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {at!r}")
    return at.astimezone(UTC)


def _local_dates(zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[date]:
    """Every local date from that of `start` to that of `end`, both included."""
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _day_spans(schedule: Schedule, zone: ZoneInfo, day: date) -> list[Span]:
    """The merged open intervals of one local date, in UTC; each lies within that date."""
    if day in schedule.closed_dates:
        return []
    spans = []
    for row in schedule.hours:
        if row.weekday != day.weekday():
            continue
        # Open at the first occurrence of a repeated time and close at the second: a clock
        # change may lengthen a span by the repeated hour, never shorten it.
        opens = _instant(datetime.combine(day, row.opens), zone, fold=0)
        closes = _closing(day, row.closes, zone)
        if opens < closes:  # else both fell in the same skipped hour: no real time open
            spans.append((opens, closes))
    return _merge(spans)


def _closing(day: date, closes: time, zone: ZoneInfo) -> datetime:
    if closes == MIDNIGHT:
        # The end of the day is the first occurrence of the next midnight: after it, the local
        # date is already the next one.
        return _instant(datetime.combine(day + timedelta(days=1), MIDNIGHT), zone, fold=0)
    return _instant(datetime.combine(day, closes), zone, fold=1)


def _merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted, with touching or overlapping spans joined into one."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _grid(span: Span, slot: timedelta, zone: ZoneInfo) -> Iterator[datetime]:
    """Slot starts on the local wall-clock grid counted from the span's opening, whose whole slot
    (in real time) fits in the span. A wall time the clock skips is no slot; one it repeats is a
    single slot, at its first occurrence."""
    opens, closes = span
    wall = opens.astimezone(zone).replace(tzinfo=None)
    while True:
        if _exists(wall, zone):
            start = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
            if start + slot > closes:
                return  # first-occurrence instants grow with the wall time: nothing later fits
            if start >= opens:
                yield start
        wall += slot  # naive arithmetic: steps of the wall clock, not of elapsed time


def _exists(wall: datetime, zone: ZoneInfo) -> bool:
    """A naive local time exists iff it survives the round trip through UTC under both folds: one
    in a spring-forward gap comes back shifted by the size of the gap."""
    return all(
        wall.replace(tzinfo=zone, fold=fold).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        == wall
        for fold in (0, 1)
    )


def _instant(wall: datetime, zone: ZoneInfo, *, fold: int) -> datetime:
    """The UTC instant of a naive local time: `fold` picks the occurrence of a repeated time; a
    time the clock skips becomes the first real instant after the gap."""
    if _exists(wall, zone):
        return wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
    return _gap_end(wall, zone)


def _gap_end(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant the clock jumps over the skipped local time `wall`.

    zoneinfo reads a skipped time with the offset from after the jump when fold=1 (giving an
    instant before the jump) and with the one from before it when fold=0 (an instant after it),
    so the jump lies between the two: bisect on whole seconds, tzdata's resolution."""
    before = math.floor(wall.replace(tzinfo=zone, fold=1).timestamp())
    after = math.ceil(wall.replace(tzinfo=zone, fold=0).timestamp())
    # Invariant: the local clock reads earlier than `wall` at `before`, later at `after`.
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) > wall:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)
