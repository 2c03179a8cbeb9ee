"""Group provision: one intervention for several pupils, run by one member of staff at set
times in the week, with one cost shared among the members present. Pure rules, no I/O.

How a group's cost is shared (one rule, used by the pupil's record, both provision maps, the
impact figures and the CSV):

* ``cost_total`` is what the whole group costs over its run: from its start date to its end
  date, or, while no end date is set, for its ``weeks`` school weeks from the start (the weeks
  it was planned for; a week counts when it holds at least one school day, so a half-term
  holiday inside the run does not shorten it).
* Only school days carry cost: the school calendar's (models.calendar), so weekends, the
  holidays, bank holidays and INSET days carry none. Each school day of the run carries an
  equal part of the cost. (A run with no school day in it at all, such as a holiday club, has
  each of its days carry an equal part instead.) So a pupil joining on a Saturday pays exactly
  what joining on the Monday would.
* Each day's part is shared equally among the members present that day: a member is present
  from the day they joined to their leaving date (both counted), within the run.
* A pupil's share over a period is the sum, over the school days of the period on which they
  were a member, of that day's part divided by the members present that day. So a pupil who
  was one of four for half the run and one of two for the other half pays 1/8 + 1/4 of it.
* Days on which nobody is a member carry no cost at all: not to a pupil, not to the group's
  row of the impact table, not to the whole-school map (cost_in_period). A group set up in
  September whose pupils join in December costs from December. The whole-school map counts a
  group once, at the part its members on the map carry, so it agrees with their totals.
* A group with no end date that goes on past its planned weeks costs nothing more, and a pupil
  who joins after those weeks shares none of it (the Groups page says so beside them): set
  the group's end date, or more weeks, and its cost is spread over the longer run.
* Each share is rounded to the nearest penny (halves up) once, at the end; the shares of a
  group may therefore differ from its cost by a penny or two.

A slot is a time in the school week (Monday to Friday) when the group meets. Two slots clash
when they fall on the same day and overlap in time, while both groups run, and the same pupil
or the same member of staff would have to be in both, or both would use the same place; a
clash is warned about, never refused (a pupil may leave one group early to join another, a
hall may be big enough for two).

Warned about too, never refused, before the change is saved (the form asks, and saves when the
user says so): a group starting or ending, or a pupil joining or leaving, on a day the school
is closed by its calendar (a weekend, a holiday, a bank holiday, an INSET day), and a group
whose weekly times in its timetable are not as many as its sessions a week.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from ..errors import FaultFinder, ValidationError
from . import dates
from .calendar import SchoolCalendar
from .provision import (
    DEFAULT_WEEKS,
    MAX_MINUTES,
    MAX_WEEKS,
    clean_area,
    parse_money,
    parse_sessions,
)
from .pupils import YEAR_RANK
from .school_days import day_name
from .text import clean_line, clean_text
from .year_fit import describe_year

DAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday"}
_TIME = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")
MAX_GROUP_COST_PENCE = 10_000_000


@dataclass(frozen=True)
class Membership:
    pupil_id: int
    joined_on: dt.date
    left_on: dt.date | None = None

    def present_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


@dataclass(frozen=True)
class Run:
    """The days a group's cost covers and what it costs over them."""

    start: dt.date
    end: dt.date          # the last day of the run (counted)
    cost_pence: int
    charged: tuple[dt.date, ...] = ()   # the days carrying cost, in order (see the docstring)

    @property
    def days(self) -> int:
        """How many days carry cost."""
        return len(self.charged)

    def charged_between(self, first: dt.date, last: dt.date) -> int:
        """How many of the days carrying cost fall from first to last (both counted)."""
        return bisect_right(self.charged, last) - bisect_left(self.charged, first)


class SchoolDays:
    """The school days of the school calendar, worked out once per school year however many
    groups ask (a whole-school map reads thousands of runs over the same year)."""

    def __init__(self, calendar: SchoolCalendar | None = None) -> None:
        self.calendar = calendar or SchoolCalendar()
        self._years: dict[int, tuple[dt.date, ...]] = {}

    def _year(self, year: int) -> tuple[dt.date, ...]:
        """The school days of one calendar year, in order."""
        found = self._years.get(year)
        if found is None:
            day, found_list = dt.date(year, 1, 1), []
            while day.year == year:
                if self.calendar.is_school_day(day):
                    found_list.append(day)
                day += dt.timedelta(days=1)
            found = self._years[year] = tuple(found_list)
        return found

    def between(self, first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
        """The school days from first to last (both counted), in order."""
        days: list[dt.date] = []
        for year in range(first.year, last.year + 1):
            known = self._year(year)
            days += known[bisect_left(known, first):bisect_right(known, last)]
        return tuple(days)


def _planned_end(start: dt.date, weeks: int, school_days: SchoolDays) -> dt.date:
    """The Sunday ending the weeks-th week, from the start, that holds a school day (or, if
    the calendar finds none for over a year, the plain weeks from the start)."""
    wanted = max(int(weeks), 1)
    monday = start - dt.timedelta(days=start.weekday())
    for span in (wanted + 12, wanted + 60):      # the holidays on the way, then a year more
        ahead = school_days.between(start, start + dt.timedelta(days=7 * span))
        weeks_held = sorted({(day - monday).days // 7 for day in ahead})
        if len(weeks_held) >= wanted:
            return monday + dt.timedelta(days=7 * weeks_held[wanted - 1] + 6)
    return start + dt.timedelta(days=7 * wanted - 1)


def run_of(start: dt.date, end: dt.date | None, weeks: int, cost_pence: int,
           school_days: SchoolDays | None = None) -> Run:
    """The costed run: to the end date, or for the planned school weeks while none is set,
    with the days in it that carry cost."""
    school_days = school_days or SchoolDays()
    if end is None:
        end = _planned_end(start, weeks, school_days)
    end = max(end, start)
    charged = school_days.between(start, end) or tuple(
        start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    return Run(start, end, int(cost_pence), charged)


def round_pence(value: Fraction) -> int:
    """A fraction of a penny to whole pence, halves up."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _segments(run: Run, members: Iterable[Membership], start: dt.date, end: dt.date
              ) -> list[tuple[dt.date, dt.date, list[int]]]:
    """The period cut where membership changes: (first day, last day, pupils present)."""
    first, last = max(start, run.start), min(end, run.end)
    if first > last:
        return []
    people = list(members)
    cuts = {first, last + dt.timedelta(days=1)}
    for m in people:
        for day in (m.joined_on, (m.left_on + dt.timedelta(days=1)) if m.left_on else None):
            if day is not None and first < day <= last:
                cuts.add(day)
    edges = sorted(cuts)
    found = []
    for left, right in zip(edges, edges[1:], strict=False):
        present = [m.pupil_id for m in people if m.present_on(left)]
        found.append((left, right - dt.timedelta(days=1), present))
    return found


def _exact_shares(run: Run, members: Iterable[Membership], start: dt.date | None,
                  end: dt.date | None) -> dict[int, Fraction]:
    exact: dict[int, Fraction] = {}
    per_day = Fraction(run.cost_pence, run.days)
    for left, right, present in _segments(run, members, start or run.start, end or run.end):
        if not present:
            continue
        part = per_day * run.charged_between(left, right) / len(present)
        for pupil in present:
            exact[pupil] = exact.get(pupil, Fraction(0)) + part
    return exact


def shares(run: Run, members: Iterable[Membership], start: dt.date | None = None,
           end: dt.date | None = None) -> dict[int, int]:
    """Each pupil's share of the group's cost over the period (the whole run when not given),
    in whole pence, by the rule in this module's docstring."""
    return {pupil: round_pence(value)
            for pupil, value in _exact_shares(run, members, start, end).items()}


def cost_in_period(run: Run, members: Iterable[Membership], start: dt.date | None = None,
                   end: dt.date | None = None, *, of: Iterable[int] | None = None) -> int:
    """The part of the group's cost falling in the period that its members carry, in pence
    (rounded once): a day on which nobody is a member carries no cost, so a group set up
    before anyone joins costs nothing until they do. `of`, when given, counts only those
    pupils' shares (the whole-school map: the members on it), so the figure is what their
    totals carry, give or take a penny of rounding."""
    if of is None:
        # Everyone's shares of a stretch add up to the stretch's cost, so the sum is worked out
        # stretch by stretch, not pupil by pupil (the impact table asks this of every group).
        per_day = Fraction(run.cost_pence, run.days)
        return round_pence(sum((per_day * run.charged_between(left, right)
                                for left, right, present in _segments(
                                    run, members, start or run.start, end or run.end)
                                if present), Fraction(0)))
    exact = _exact_shares(run, members, start, end)
    chosen = set(of)
    return round_pence(sum((v for p, v in exact.items() if p in chosen), Fraction(0)))


# --- checking what people type ---------------------------------------------------------------
def _whole(value: Any, label: str, low: int, high: int, default: int | None = None) -> int:
    text = str(value if value is not None else "").strip()
    if not text and default is not None:
        return default
    if not re.fullmatch(r"\d+", text) or not low <= int(text) <= high:
        raise ValidationError(f"{label} must be a whole number from {low} to {high}.", field=label)
    return int(text)


def clean_group(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A group's details, checked; the first fault is raised, naming the field."""
    start = dates.require_date(raw.get("start_date"), "Start date")
    end = dates.parse_date(raw.get("end_date"), "End date", required=False)
    if end is not None and end < start:
        raise ValidationError("The end date must be on or after the start date.", field="end_date")
    cost = parse_money(raw.get("cost_total"), "Cost of the whole group")
    assert cost is not None
    return {
        "name": clean_line(str(raw.get("name") or ""), "Group name", max_length=120),
        "library_id": int(raw["library_id"]) if raw.get("library_id") not in (None, "") else None,
        "area": clean_area(raw.get("area")),
        "description": clean_text(str(raw.get("description") or ""), "Description",
                                  max_length=2000),
        "staff_name": clean_line(str(raw.get("staff_name") or ""), "Member of staff who runs it",
                                 max_length=100),
        "staff_role": clean_line(str(raw.get("staff_role") or ""), "Their role", max_length=100,
                                 required=False),
        "start_date": start,
        "end_date": end,
        "cost_total": cost,
        "sessions_per_week": parse_sessions(raw.get("sessions_per_week") or "1"),
        "minutes": _whole(raw.get("minutes"), "Minutes a session", 1, MAX_MINUTES, 30),
        "weeks": _whole(raw.get("weeks"), "Weeks", 1, MAX_WEEKS, DEFAULT_WEEKS),
    }


def parse_time(value: Any, label: str) -> str:
    """'9:05', '09.05' or '09:05' as 'HH:MM' (24-hour clock)."""
    text = str(value or "").strip()
    match = _TIME.fullmatch(text)
    if not match:
        raise ValidationError(f"{label} '{text}' is not a time; write it like 09:05 or 13:30.",
                              field=label)
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_day(value: Any) -> int:
    """1 to 5, or a weekday's name (Monday, mon)."""
    text = str(value if value is not None else "").strip().lower()
    for number, name in DAYS.items():
        if text in (str(number), name.lower(), name.lower()[:3]):
            return number
    raise ValidationError(f"'{value}' is not a school day; choose Monday to Friday.", field="day")


def clean_slot(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A weekly time's fields, checked; every fault is raised together (FieldFaults), each
    naming its field as the form labels it (From, To)."""
    finder = FaultFinder()
    day = finder.check(lambda: parse_day(raw.get("day")))
    start = finder.check(lambda: parse_time(raw.get("start_time"), "From"))
    end = finder.check(lambda: parse_time(raw.get("end_time"), "To"))
    if start is not None and end is not None and end <= start:
        finder.faults.append(ValidationError("To must be later than From.", field="end_time"))
    place = finder.check(lambda: clean_line(str(raw.get("place") or ""), "Place",
                                            max_length=100, required=False))
    finder.raise_any()
    return {"day": day, "start_time": start, "end_time": end, "place": place}


YEARS_APART = 2   # year groups: a group's pupils further apart than this are asked about
NAMED_AT_MOST = 5   # pupils the question names; the rest are counted


def years_apart(present: Iterable[str], joining: Sequence[tuple[str, str]]) -> str | None:
    """A warning when the group's pupils would span more than three year groups (Nursery
    children added to a Year 5 spelling group by a slip of the search), naming the joiners
    and their years; None when they are close, or a year is not one of the usual ones."""
    ranks = {code: YEAR_RANK[code] for code in (*present, *(year for _n, year in joining))
             if code in YEAR_RANK}
    if len(ranks) < 2 or max(ranks.values()) - min(ranks.values()) <= YEARS_APART:
        return None
    low, high = (min(ranks, key=ranks.__getitem__), max(ranks, key=ranks.__getitem__))
    named = [f"{name} ({describe_year(year)})" for name, year in joining]
    who = "; ".join(named[:NAMED_AT_MOST]) + (
        f"; and {len(named) - NAMED_AT_MOST} more" if len(named) > NAMED_AT_MOST else "")
    return (f"The group would have pupils from {describe_year(low)} to {describe_year(high)}. "
            f"Check these are the pupils you meant: {who}.")


def closed_day(calendar: SchoolCalendar, day: dt.date | None, what: str, *,
               last_day: bool = False) -> str | None:
    """A warning in plain words when the day is one the school is closed, naming the nearest
    school day (the one after, or for a last day the one before), or None when it is open:
    "The start date, Saturday 05/09/2026, is at the weekend: the school is closed that day
    (the next school day is Monday 07/09/2026)."""
    why = calendar.not_a_school_day(day) if day is not None else None
    if day is None or why is None:
        return None
    reason = "at the weekend" if day.weekday() >= 5 else why
    near = (f"the last school day before it is {day_name(calendar.school_day_on_or_before(day))}"
            if last_day else
            f"the next school day is {day_name(calendar.school_day_on_or_after(day))}")
    return f"{what}, {day_name(day)}, is {reason}: the school is closed that day ({near})."


def times_a_week(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times") + " a week"


def sessions_mismatch(sessions: Any, slots: int, library: tuple[str, Any] | None = None
                      ) -> str | None:
    """A warning when the group's weekly times are not as many as its sessions a week (a
    session every other week, 0.5, is one weekly time); None while it has no times yet, as
    they are added after the group is made. library: the item it was made from and that
    item's sessions a week, named when they differ from the group's."""
    wanted = max(1, math.ceil(Decimal(str(sessions))))
    if not slots or slots == wanted:
        return None
    shown = f"{Decimal(str(sessions)).normalize():f}"
    text = (f"It is planned for {shown} session{'' if shown == '1' else 's'} a week, but its "
            f"timetable has it meeting {times_a_week(slots)}")
    if library is not None and Decimal(str(library[1])) != Decimal(str(sessions)):
        text += f" (the library's {library[0]} is {Decimal(str(library[1])).normalize():f} a week)"
    return text + ": change the sessions a week, or the times."


def place_key(place: str) -> str:
    """Which place a slot is in, ignoring case and spacing ('Room  4' is 'room 4')."""
    return " ".join(str(place).casefold().split())


def staff_key(name: str) -> str:
    """Who a member of staff is, ignoring case and spacing ('Mrs  Khan' is 'mrs khan')."""
    return " ".join(str(name).casefold().split())


def overlaps(a_start: str, a_end: str, b_start: str, b_end: str) -> bool:
    """Times as 'HH:MM': one slot ending as the other starts does not overlap."""
    return a_start < b_end and b_start < a_end


def periods_meet(a_start: dt.date, a_end: dt.date | None, b_start: dt.date,
                 b_end: dt.date | None) -> bool:
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)
