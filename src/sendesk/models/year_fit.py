"""Does a year group fit a date of birth? England's 1 September cut-off.

A school year runs from 1 September. A child is in Reception in the school year in which they
turn 5, that is when they are 4 on the 31 August before it starts; Year 1 at 5, and so on to
Year 14 at 18 (nursery N2 at 3, N1 at 2). A year that does not fit is worth a second look (a
date read the wrong way round, a row from the wrong year), but children are sometimes taught
out of their year group, so it is flagged, never refused.
"""

from __future__ import annotations

import datetime as dt

from . import dates
from .pupils import YEAR_GROUPS, YEAR_RANK


def school_year_start(today: dt.date) -> dt.date:
    """1 September of the school year under way on this day."""
    year = today.year if today.month >= 9 else today.year - 1
    return dt.date(year, 9, 1)


def age_on(day: dt.date, dob: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def expected_year(dob: dt.date, today: dt.date) -> str | None:
    """The year group a child born on dob is in this school year (None: outside N1 to 14)."""
    start = school_year_start(today)
    rank = age_on(start - dt.timedelta(days=1), dob) - 4
    by_rank = {value: code for code, value in YEAR_RANK.items()}
    return by_rank.get(rank) if rank in by_rank else None


def describe_year(code: str) -> str:
    return {"N1": "Nursery 1", "N2": "Nursery 2", "R": "Reception"}.get(code, f"Year {code}")


def mismatch(year_group: str, dob: dt.date, today: dt.date) -> str | None:
    """A sentence when the year group does not fit the date of birth, else None."""
    if year_group not in YEAR_GROUPS:
        return None
    expected = expected_year(dob, today)
    if expected == year_group:
        return None
    start = school_year_start(today)
    school_year = f"{start.year}/{(start.year + 1) % 100:02d}"
    where = (f"would be in {describe_year(expected)}" if expected else
             "would be outside Nursery 1 to Year 14")
    return (f"{describe_year(year_group)} does not fit the date of birth {dates.format_uk(dob)}: "
            f"a child born then {where} in {school_year}. Check the date and the year.")
