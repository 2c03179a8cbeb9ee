"""The school year's fixed points: census days and half-terms.

Census days follow the DfE pattern: autumn on the first Thursday in October, spring on the
third Thursday in January and summer on the third Thursday in May. The January (spring)
census is the one that collects SEN status and primary need. Half-terms come from a school's
own dates when it has them, otherwise from a simple default kept as data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Collection

from ..resources import load_json

_THURSDAY = 3


def _nth_thursday(year: int, month: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (_THURSDAY - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def census_days(year: int) -> list[dt.date]:
    """The three census days in a calendar year, in date order."""
    return [_nth_thursday(year, 1, 3), _nth_thursday(year, 5, 3), _nth_thursday(year, 10, 1)]


def january_census(year: int) -> dt.date:
    return _nth_thursday(year, 1, 3)


def next_january_census(today: dt.date) -> dt.date:
    """The January census the SENCO is preparing for: this January's until it has passed."""
    this_year = january_census(today.year)
    return this_year if today <= this_year else january_census(today.year + 1)


def last_census_before(day: dt.date) -> dt.date:
    """The most recent census day strictly before a date."""
    candidates = census_days(day.year - 1) + census_days(day.year)
    return max(census for census in candidates if census < day)


def n_reportable(removed_on: dt.date, census_day: dt.date) -> bool:
    """N is returned only at the first census on or after the pupil came off the register."""
    return removed_on <= census_day and removed_on > last_census_before(census_day)


@dataclass(frozen=True)
class HalfTerm:
    name: str
    start: dt.date
    end: dt.date


class HalfTermCalendar:
    """Half-terms as (name, month, day) starts, repeating every school year."""

    def __init__(self, starts: list[tuple[str, int, int]]) -> None:
        if not starts:
            raise ValueError("a calendar needs at least one half-term")
        self._starts = starts

    @classmethod
    def default(cls) -> "HalfTermCalendar":
        data = load_json("half_terms.json")["half_terms"]
        return cls([(entry["name"], entry["starts"][0], entry["starts"][1]) for entry in data])

    def _school_year_starts(self, school_year: int) -> list[tuple[str, dt.date]]:
        first_month = self._starts[0][1]
        result = []
        for name, month, day in self._starts:
            year = school_year if month >= first_month else school_year + 1
            result.append((name, dt.date(year, month, day)))
        return result

    def half_term(self, day: dt.date) -> HalfTerm:
        """The half-term a date falls in (holidays count with the half-term before them)."""
        first_month, first_day = self._starts[0][1], self._starts[0][2]
        school_year = day.year if (day.month, day.day) >= (first_month, first_day) else day.year - 1
        starts = self._school_year_starts(school_year) + [
            (self._starts[0][0], self._school_year_starts(school_year + 1)[0][1])]
        for (name, start), (_, following) in zip(starts, starts[1:]):
            if start <= day < following:
                return HalfTerm(name, start, following - dt.timedelta(days=1))
        raise AssertionError("half-terms cover the whole year")


# Records go to the next school within 15 school days of the pupil leaving (Education (Pupil
# Information) (England) Regulations 2005, regulation 9).
TRANSFER_SCHOOL_DAYS = 15


def add_school_days(start: dt.date, days: int, closures: Collection[dt.date] = ()) -> dt.date:
    """The day `days` school days after `start`: weekdays that are not closure days.

    Without a school's own term dates only weekends are skipped, which can only bring a
    deadline earlier, never let it pass unnoticed.
    """
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in closures:
            counted += 1
    return day
