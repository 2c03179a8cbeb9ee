"""Group provision: one intervention for several pupils, run by one member of staff at set
times in the week, with one cost shared among the members present. Pure rules, no I/O.

How a group's cost is shared (one rule, used by the pupil's record, both provision maps, the
impact figures and the CSV):

* ``cost_total`` is what the whole group costs over its run: from its start date to its end
  date, or, while no end date is set, for its ``weeks`` weeks from the start (the weeks it was
  planned for). Each day of the run carries an equal part of that cost.
* Each day's part is shared equally among the members present that day: a member is present
  from the day they joined to their leaving date (both counted), within the run.
* A pupil's share over a period is the sum, over the days of the period on which they were a
  member, of that day's part divided by the members present that day. So a pupil who was one
  of four for half the run and one of two for the other half pays 1/8 + 1/4 of the cost.
* Days on which nobody is a member are not charged to anyone: their part stays with the group
  (shown on the whole-school map, where the group's cost is counted once, not per member).
* Each share is rounded to the nearest penny (halves up) once, at the end; the shares of a
  group may therefore differ from its cost by a penny or two.

A slot is a time in the school week (Monday to Friday) when the group meets. Two slots clash
when they fall on the same day and overlap in time, while both groups run, and the same pupil
or the same member of staff would have to be in both; a clash is warned about, never refused
(a pupil may leave one group early to join another).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from ..errors import ValidationError
from . import dates
from .provision import (
    DEFAULT_WEEKS,
    MAX_MINUTES,
    MAX_WEEKS,
    clean_area,
    parse_money,
    parse_sessions,
)
from .text import clean_line, clean_text

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

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def run_of(start: dt.date, end: dt.date | None, weeks: int, cost_pence: int) -> Run:
    """The costed run: to the end date, or for the planned weeks while none is set."""
    last = end if end is not None else start + dt.timedelta(days=7 * max(int(weeks), 1) - 1)
    return Run(start, max(last, start), int(cost_pence))


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


def shares(run: Run, members: Iterable[Membership], start: dt.date | None = None,
           end: dt.date | None = None) -> dict[int, int]:
    """Each pupil's share of the group's cost over the period (the whole run when not given),
    in whole pence, by the rule in this module's docstring."""
    exact: dict[int, Fraction] = {}
    per_day = Fraction(run.cost_pence, run.days)
    for left, right, present in _segments(run, members, start or run.start, end or run.end):
        if not present:
            continue
        part = per_day * ((right - left).days + 1) / len(present)
        for pupil in present:
            exact[pupil] = exact.get(pupil, Fraction(0)) + part
    return {pupil: round_pence(value) for pupil, value in exact.items()}


def cost_in_period(run: Run, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """The part of the group's cost falling in the period (whoever was a member), in pence."""
    first, last = max(start or run.start, run.start), min(end or run.end, run.end)
    if first > last:
        return 0
    return round_pence(Fraction(run.cost_pence * ((last - first).days + 1), run.days))


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
    day = parse_day(raw.get("day"))
    start = parse_time(raw.get("start_time"), "Start time")
    end = parse_time(raw.get("end_time"), "End time")
    if end <= start:
        raise ValidationError("The end time must be after the start time.", field="end_time")
    place = clean_line(str(raw.get("place") or ""), "Place", max_length=100, required=False)
    return {"day": day, "start_time": start, "end_time": end, "place": place}


def staff_key(name: str) -> str:
    """Who a member of staff is, ignoring case and spacing ('Mrs  Khan' is 'mrs khan')."""
    return " ".join(str(name).casefold().split())


def overlaps(a_start: str, a_end: str, b_start: str, b_end: str) -> bool:
    """Times as 'HH:MM': one slot ending as the other starts does not overlap."""
    return a_start < b_end and b_start < a_end


def periods_meet(a_start: dt.date, a_end: dt.date | None, b_start: dt.date,
                 b_end: dt.date | None) -> bool:
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)
