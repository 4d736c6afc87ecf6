"""Business hours, holidays and callback slots, in the team's zone and across the clock changes.

Expected instants are written in UTC, so a wrong offset (CET for CEST, EDT for EST) fails.
2025-03-30 (Sunday): Europe/Berlin springs forward 02:00 CET -> 03:00 CEST.
2025-11-02 (Sunday): America/New_York falls back 02:00 EDT -> 01:00 EST.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from routing.hours import (
    OpeningHours,
    Schedule,
    callback_slots,
    is_open,
    next_opening,
    opening_spans,
    public_holidays,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MON_FRI = range(5)
SUNDAY = 6


def weekly(
    zone: str,
    weekdays: Iterable[int],
    opens: time,
    closes: time,
    closed: Iterable[date] = (),
) -> Schedule:
    """The same hours on each of `weekdays`."""
    rows = tuple(OpeningHours(day, opens, closes) for day in weekdays)
    return Schedule(zone, rows, frozenset(closed))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def new_york(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, fold=fold, tzinfo=NEW_YORK)


OFFICE = weekly("Europe/Berlin", MON_FRI, time(9), time(17))


# --- A Berlin office, Mon-Fri 09:00-17:00 ---------------------------------------------------


def test_office_is_open_during_its_hours_only() -> None:
    assert is_open(OFFICE, berlin(2025, 3, 31, 10))  # Monday
    assert is_open(OFFICE, berlin(2025, 3, 31, 9))  # opening time is included
    assert is_open(OFFICE, utc(2025, 3, 31, 14, 59))  # 16:59 CEST
    assert not is_open(OFFICE, berlin(2025, 3, 31, 8, 59))
    assert not is_open(OFFICE, berlin(2025, 3, 31, 17))  # closing time is excluded
    assert not is_open(OFFICE, berlin(2025, 3, 29, 22))  # Saturday


def test_office_hours_are_local_on_either_side_of_the_change() -> None:
    # 09:00 local is 08:00 UTC in CET, 07:00 UTC in CEST.
    assert is_open(OFFICE, utc(2025, 3, 24, 8))
    assert not is_open(OFFICE, utc(2025, 3, 24, 7, 30))
    assert is_open(OFFICE, utc(2025, 3, 31, 7))
    assert not is_open(OFFICE, utc(2025, 3, 31, 15))  # 17:00 CEST


def test_next_opening_after_the_weekend_of_the_change_is_in_cest() -> None:
    monday = utc(2025, 3, 31, 7)  # 09:00 CEST
    assert next_opening(OFFICE, berlin(2025, 3, 29, 22)) == monday  # Saturday
    assert next_opening(OFFICE, berlin(2025, 3, 28, 18)) == monday  # Friday, after closing


def test_next_opening_a_week_earlier_is_in_cet() -> None:
    assert next_opening(OFFICE, berlin(2025, 3, 22, 22)) == utc(2025, 3, 24, 8)


def test_next_opening_is_after_itself_in_utc_when_open_now() -> None:
    opening = next_opening(OFFICE, berlin(2025, 3, 31, 10, 15))
    assert opening == utc(2025, 3, 31, 8, 15)
    assert opening is not None
    assert opening.tzinfo is UTC


def test_next_opening_returns_utc_from_any_zone() -> None:
    opening = next_opening(OFFICE, new_york(2025, 3, 28, 12))  # Friday 17:00 CET: closed
    assert opening == utc(2025, 3, 31, 7)
    assert opening is not None
    assert opening.tzinfo is UTC


def test_next_opening_gives_up_beyond_the_horizon() -> None:
    # Monday 09:00 is 35 hours after Saturday 22:00.
    assert next_opening(OFFICE, berlin(2025, 3, 29, 22), horizon_days=1) is None
    assert next_opening(OFFICE, berlin(2025, 3, 29, 22), horizon_days=2) == utc(2025, 3, 31, 7)
    assert next_opening(Schedule("Europe/Berlin", (), frozenset()), berlin(2025, 3, 29)) is None


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(OFFICE, datetime(2025, 3, 31, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        next_opening(OFFICE, datetime(2025, 3, 31, 10))


# --- Spring forward: 2025-03-30 in Berlin, 02:00-03:00 does not exist -----------------------

NIGHT_SHIFT = weekly("Europe/Berlin", [SUNDAY], time(1), time(5))


def test_span_across_spring_forward_is_three_real_hours() -> None:
    spans = opening_spans(NIGHT_SHIFT, berlin(2025, 3, 30), berlin(2025, 3, 31))
    assert spans == [(utc(2025, 3, 30, 0), utc(2025, 3, 30, 3))]
    assert spans[0][1] - spans[0][0] == timedelta(hours=3)


def test_hourly_slots_skip_the_hour_that_does_not_exist() -> None:
    slots = callback_slots(NIGHT_SHIFT, berlin(2025, 3, 30), slot_minutes=60)
    # 01:00 CET, 03:00 CEST, 04:00 CEST, then 01:00 CEST the next Sunday.
    assert slots == [
        utc(2025, 3, 30, 0),
        utc(2025, 3, 30, 1),
        utc(2025, 3, 30, 2),
        utc(2025, 4, 5, 23),
    ]
    assert [slot.astimezone(BERLIN).time() for slot in slots[:3]] == [time(1), time(3), time(4)]


def test_half_hour_slots_across_spring_forward_are_distinct_and_increasing() -> None:
    slots = callback_slots(
        NIGHT_SHIFT, berlin(2025, 3, 30), slot_minutes=30, count=10, horizon_days=1
    )
    # 01:00, 01:30 CET; no 02:00 or 02:30; then 03:00 .. 04:30 CEST (ends 05:00 = 03:00 UTC).
    assert slots == [utc(2025, 3, 30, h, m) for h in (0, 1, 2) for m in (0, 30)]
    assert all(earlier < later for earlier, later in pairwise(slots))


def test_an_opening_time_that_does_not_exist_moves_to_the_end_of_the_gap() -> None:
    late = weekly("Europe/Berlin", [SUNDAY], time(2, 30), time(5))
    assert next_opening(late, berlin(2025, 3, 30)) == utc(2025, 3, 30, 1)  # 03:00 CEST
    assert not is_open(late, utc(2025, 3, 30, 0, 59))  # 01:59 CET
    assert is_open(late, utc(2025, 3, 30, 1))
    assert opening_spans(late, berlin(2025, 3, 30), berlin(2025, 3, 31)) == [
        (utc(2025, 3, 30, 1), utc(2025, 3, 30, 3))
    ]
    # The slot grid starts at the real opening, 03:00 CEST.
    slots = callback_slots(late, berlin(2025, 3, 30), slot_minutes=60, count=2, lead_minutes=0)
    assert slots == [utc(2025, 3, 30, 1), utc(2025, 3, 30, 2)]


def test_a_closing_time_that_does_not_exist_closes_when_the_gap_ends() -> None:
    short = weekly("Europe/Berlin", [SUNDAY], time(1), time(2, 30))
    # Every existing local time before 02:30 is before 03:00 CEST = 01:00 UTC.
    assert opening_spans(short, berlin(2025, 3, 30), berlin(2025, 3, 31)) == [
        (utc(2025, 3, 30, 0), utc(2025, 3, 30, 1))
    ]


def test_hours_entirely_inside_the_gap_are_never_open() -> None:
    skipped = weekly("Europe/Berlin", [SUNDAY], time(2, 15), time(2, 45))
    assert opening_spans(skipped, berlin(2025, 3, 30), berlin(2025, 3, 31)) == []
    # The next Sunday those hours exist: 02:15 CEST = 00:15 UTC.
    assert next_opening(skipped, berlin(2025, 3, 30)) == utc(2025, 4, 6, 0, 15)


# --- Fall back: 2025-11-02 in New York, 01:00-02:00 happens twice ---------------------------

NY_NIGHT = weekly("America/New_York", [SUNDAY], time(0), time(4))


def test_span_across_fall_back_is_five_real_hours() -> None:
    spans = opening_spans(NY_NIGHT, new_york(2025, 11, 2), new_york(2025, 11, 3))
    assert spans == [(utc(2025, 11, 2, 4), utc(2025, 11, 2, 9))]  # 00:00 EDT - 04:00 EST
    assert spans[0][1] - spans[0][0] == timedelta(hours=5)


def test_repeated_local_times_are_one_slot_each() -> None:
    slots = callback_slots(
        NY_NIGHT, new_york(2025, 11, 1, 23), slot_minutes=30, count=20, lead_minutes=0
    )
    night = [slot for slot in slots if slot < utc(2025, 11, 3)]
    # 00:00 .. 01:30 EDT, then 02:00 .. 03:30 EST: the second 01:00 and 01:30 are not offered.
    assert night == [
        utc(2025, 11, 2, 4),
        utc(2025, 11, 2, 4, 30),
        utc(2025, 11, 2, 5),  # the first 01:00
        utc(2025, 11, 2, 5, 30),
        utc(2025, 11, 2, 7),
        utc(2025, 11, 2, 7, 30),
        utc(2025, 11, 2, 8),
        utc(2025, 11, 2, 8, 30),  # 03:30 EST, ends at closing
    ]
    walls = [slot.astimezone(NEW_YORK).time() for slot in night]
    assert len(set(walls)) == len(walls)
    assert len(set(slots)) == len(slots)
    assert all(earlier < later for earlier, later in pairwise(slots))


def test_the_repeated_hour_is_open() -> None:
    assert is_open(NY_NIGHT, new_york(2025, 11, 2, 1, 30, fold=1))  # 06:30 UTC
    assert is_open(NY_NIGHT, utc(2025, 11, 2, 6, 30))
    assert is_open(NY_NIGHT, utc(2025, 11, 2, 8, 59))  # 03:59 EST
    assert not is_open(NY_NIGHT, utc(2025, 11, 2, 9))  # 04:00 EST


def test_a_repeated_closing_time_closes_at_its_second_occurrence() -> None:
    early = weekly("America/New_York", [SUNDAY], time(0), time(1, 30))
    spans = opening_spans(early, new_york(2025, 11, 2), new_york(2025, 11, 3))
    assert spans == [(utc(2025, 11, 2, 4), utc(2025, 11, 2, 6, 30))]  # until 01:30 EST
    assert is_open(early, new_york(2025, 11, 2, 1, 15, fold=1))


def test_a_repeated_opening_time_opens_at_its_first_occurrence() -> None:
    late = weekly("America/New_York", [SUNDAY], time(1, 30), time(3))
    assert next_opening(late, new_york(2025, 11, 1, 12)) == utc(2025, 11, 2, 5, 30)  # 01:30 EDT
    assert opening_spans(late, new_york(2025, 11, 2), new_york(2025, 11, 3)) == [
        (utc(2025, 11, 2, 5, 30), utc(2025, 11, 2, 8))
    ]


# --- Weekday and date are the team's local ones ---------------------------------------------


def test_berlin_weekday_is_the_local_one() -> None:
    saturday_night_utc = utc(2025, 3, 29, 23, 30)  # Sunday 00:30 CET in Berlin
    closed_sundays = weekly("Europe/Berlin", range(6), time(0), time(0))  # Mon-Sat all day
    assert not is_open(closed_sundays, saturday_night_utc)
    assert is_open(closed_sundays, utc(2025, 3, 29, 22, 30))  # Saturday 23:30 local
    sundays = weekly("Europe/Berlin", [SUNDAY], time(0), time(6))
    assert is_open(sundays, saturday_night_utc)
    # Monday 00:00 CEST, after the change.
    assert next_opening(closed_sundays, saturday_night_utc) == utc(2025, 3, 30, 22)


def test_new_york_weekday_is_the_local_one() -> None:
    monday_utc = utc(2025, 6, 2, 2)  # Sunday 22:00 EDT in New York
    weekdays = weekly("America/New_York", MON_FRI, time(0), time(0))
    assert not is_open(weekdays, monday_utc)
    assert next_opening(weekdays, monday_utc) == utc(2025, 6, 2, 4)  # Monday 00:00 EDT
    sunday_evening = weekly("America/New_York", [SUNDAY], time(20), time(23))
    assert is_open(sunday_evening, monday_utc)


# --- Closed dates and public holidays -------------------------------------------------------


def test_public_holidays_of_berlin() -> None:
    days = public_holidays("DE", "BE", [2025])
    assert {date(2025, 12, 25), date(2025, 12, 26), date(2025, 10, 3)} <= days
    assert date(2025, 3, 8) in days  # Women's Day: a holiday in Berlin, not in all of Germany
    assert date(2025, 3, 8) not in public_holidays("DE", "BY", [2025])
    assert date(2025, 12, 24) not in days
    assert all(day.year == 2025 for day in days)
    assert date(2026, 1, 1) in public_holidays("DE", "BE", [2025, 2026])


def test_no_country_means_no_holidays() -> None:
    assert public_holidays("", "", [2025]) == set()


def test_unknown_country_or_subdivision_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="'XX'"):
        public_holidays("XX", "", [2025])
    with pytest.raises(ValueError, match="'ZZ'"):
        public_holidays("DE", "ZZ", [2025])


def test_christmas_holidays_push_the_next_opening_to_monday() -> None:
    christmas_eve = berlin(2025, 12, 24, 18)  # Wednesday, after closing
    assert next_opening(OFFICE, christmas_eve) == utc(2025, 12, 25, 8)  # without holidays
    holidays = public_holidays("DE", "BE", [2025])
    office = weekly("Europe/Berlin", MON_FRI, time(9), time(17), holidays)
    assert next_opening(office, christmas_eve) == utc(2025, 12, 29, 8)  # Monday 09:00 CET
    assert not is_open(office, berlin(2025, 10, 3, 10))  # a Friday
    assert is_open(OFFICE, berlin(2025, 10, 3, 10))


def test_a_supervisor_closed_date_pushes_it_one_day_further() -> None:
    closed = public_holidays("DE", "BE", [2025]) | {date(2025, 12, 29)}
    office = weekly("Europe/Berlin", MON_FRI, time(9), time(17), closed)
    assert next_opening(office, berlin(2025, 12, 24, 18)) == utc(2025, 12, 30, 8)


def test_closed_dates_are_local_dates() -> None:
    office = weekly("Europe/Berlin", range(7), time(0), time(0), [date(2025, 6, 2)])
    assert not is_open(office, utc(2025, 6, 1, 22, 30))  # 2 June 00:30 CEST
    assert is_open(office, utc(2025, 6, 1, 21, 30))  # 1 June 23:30 CEST
    assert next_opening(office, utc(2025, 6, 1, 22, 30)) == utc(2025, 6, 2, 22)


# --- Callback slots -------------------------------------------------------------------------


def test_slots_respect_the_lead_time() -> None:
    slots = callback_slots(OFFICE, berlin(2025, 3, 31, 9, 50))  # 15 minutes, 30-minute slots
    # 10:00 is only 10 minutes away; 10:30 CEST onwards.
    assert slots == [
        utc(2025, 3, 31, 8, 30),
        utc(2025, 3, 31, 9),
        utc(2025, 3, 31, 9, 30),
        utc(2025, 3, 31, 10),
    ]
    assert callback_slots(OFFICE, berlin(2025, 3, 31, 9, 50), lead_minutes=0)[0] == utc(
        2025, 3, 31, 8
    )
    assert callback_slots(OFFICE, berlin(2025, 3, 31, 9, 45))[0] == utc(2025, 3, 31, 8)


def test_slots_are_on_the_grid_of_the_opening_time() -> None:
    quarter_past = weekly("Europe/Berlin", MON_FRI, time(9, 15), time(17))
    slots = callback_slots(quarter_past, berlin(2025, 3, 31, 9, 20), count=3, lead_minutes=0)
    assert slots == [utc(2025, 3, 31, 7, 45), utc(2025, 3, 31, 8, 15), utc(2025, 3, 31, 8, 45)]


def test_no_slot_runs_past_closing_and_slots_roll_over() -> None:
    quarter_past = weekly("Europe/Berlin", MON_FRI, time(9, 15), time(17))
    slots = callback_slots(quarter_past, berlin(2025, 3, 31, 16), lead_minutes=0)
    # 16:15 CEST fits; 16:45 would end at 17:15; then Tuesday from 09:15.
    assert slots == [
        utc(2025, 3, 31, 14, 15),
        utc(2025, 4, 1, 7, 15),
        utc(2025, 4, 1, 7, 45),
        utc(2025, 4, 1, 8, 15),
    ]
    assert utc(2025, 3, 31, 14, 45) not in slots


def test_slots_roll_over_the_weekend_and_the_clock_change() -> None:
    slots = callback_slots(OFFICE, berlin(2025, 3, 28, 16, 40))  # Friday, CET
    # 16:30 is too soon and 17:00 is closing: Monday 09:00 CEST.
    assert slots == [
        utc(2025, 3, 31, 7),
        utc(2025, 3, 31, 7, 30),
        utc(2025, 3, 31, 8),
        utc(2025, 3, 31, 8, 30),
    ]
    assert all(slot.tzinfo is UTC for slot in slots)


def test_slots_are_empty_without_hours_or_within_a_short_horizon() -> None:
    assert callback_slots(Schedule("Europe/Berlin", (), frozenset()), berlin(2025, 3, 31)) == []
    assert callback_slots(OFFICE, berlin(2025, 3, 29, 12), horizon_days=1) == []
    assert callback_slots(OFFICE, berlin(2025, 3, 31, 10), count=0) == []


def test_slot_length_must_be_positive() -> None:
    with pytest.raises(ValueError, match="slot_minutes"):
        callback_slots(OFFICE, berlin(2025, 3, 31), slot_minutes=0)


# --- Opening spans --------------------------------------------------------------------------


def test_adjacent_rows_merge_into_one_span() -> None:
    split = Schedule(
        "Europe/Berlin",
        (OpeningHours(0, time(9), time(12)), OpeningHours(0, time(12), time(17))),
        frozenset(),
    )
    assert opening_spans(split, berlin(2025, 3, 31), berlin(2025, 4, 1)) == [
        (utc(2025, 3, 31, 7), utc(2025, 3, 31, 15))
    ]


def test_a_lunch_break_leaves_two_spans() -> None:
    lunch = Schedule(
        "Europe/Berlin",
        (OpeningHours(0, time(9), time(12)), OpeningHours(0, time(13), time(17))),
        frozenset(),
    )
    assert opening_spans(lunch, berlin(2025, 3, 31), berlin(2025, 4, 1)) == [
        (utc(2025, 3, 31, 7), utc(2025, 3, 31, 10)),
        (utc(2025, 3, 31, 11), utc(2025, 3, 31, 15)),
    ]
    assert not is_open(lunch, berlin(2025, 3, 31, 12, 30))


def test_an_overnight_shift_of_two_rows_is_one_span() -> None:
    overnight = Schedule(
        "Europe/Berlin",
        (OpeningHours(0, time(22), time(0)), OpeningHours(1, time(0), time(6))),
        frozenset(),
    )
    assert opening_spans(overnight, berlin(2025, 3, 31), berlin(2025, 4, 2)) == [
        (utc(2025, 3, 31, 20), utc(2025, 4, 1, 4))
    ]
    assert is_open(overnight, berlin(2025, 3, 31, 23, 59))


def test_spans_are_clipped_to_the_window() -> None:
    assert opening_spans(OFFICE, berlin(2025, 3, 31, 10), berlin(2025, 4, 1, 10)) == [
        (utc(2025, 3, 31, 8), utc(2025, 3, 31, 15)),
        (utc(2025, 4, 1, 7), utc(2025, 4, 1, 8)),
    ]
    assert opening_spans(OFFICE, berlin(2025, 3, 31, 12), berlin(2025, 3, 31, 11)) == []


def test_rows_that_close_before_they_open_are_refused() -> None:
    with pytest.raises(ValueError, match="after opens"):
        OpeningHours(0, time(17), time(9))
    with pytest.raises(ValueError, match="weekday"):
        OpeningHours(7, time(9), time(17))
