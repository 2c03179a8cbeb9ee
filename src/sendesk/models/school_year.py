"""A school year as governors' reports and the SEN Information Report name it: "2025/26",
with its days by the school's own calendar (SchoolCalendar.school_year_span: the first day of
the autumn term to the day before the next autumn term) and the three census days inside it.
Without a calendar, England's default term dates give the days."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..errors import ValidationError
from .calendar import SchoolCalendar, census_days

_YEAR = re.compile(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})")
EARLIEST = 2014   # the SEND Code of Practice and EHC plans began in September 2014
_ENGLAND = SchoolCalendar()


@dataclass(frozen=True)
class SchoolYear:
    start_year: int      # the calendar year the autumn term is in
    days: tuple[dt.date, dt.date] = field(default=(dt.date.min, dt.date.min), compare=False)

    def __post_init__(self) -> None:
        if self.days[0] == dt.date.min:
            object.__setattr__(self, "days", _ENGLAND.school_year_span(self.start_year))

    def in_calendar(self, calendar: SchoolCalendar) -> SchoolYear:
        """The same year with its days by the school's own term dates."""
        return SchoolYear(self.start_year, calendar.school_year_span(self.start_year))

    @property
    def label(self) -> str:
        return f"{self.start_year}/{str(self.start_year + 1)[-2:]}"

    @property
    def first_day(self) -> dt.date:
        return self.days[0]

    @property
    def last_day(self) -> dt.date:
        return self.days[1]

    def census_days(self) -> list[dt.date]:
        """Autumn (October), spring (January) and summer (May) census days, in order."""
        return [day for day in census_days(self.start_year) + census_days(self.start_year + 1)
                if self.first_day <= day <= self.last_day]

    def contains(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day


def of_day(day: dt.date) -> SchoolYear:
    """The year by age (from 1 September), as year groups are counted."""
    return SchoolYear(day.year if day.month >= 9 else day.year - 1)


def parse_school_year(text: str, today: dt.date,
                      calendar: SchoolCalendar | None = None) -> SchoolYear:
    """'2025/26' (or 2025-26, 2025/2026) as a school year, with its days by the calendar
    given (England's default without one); one sentence when it is not one."""
    value = (text or "").strip()
    match = _YEAR.fullmatch(value)
    if not match:
        raise ValidationError(f"'{value}' is not a school year; write it like 2025/26.",
                              field="year")
    start, end = int(match.group(1)), match.group(2)
    following = str(start + 1)
    if end != following[-len(end):]:
        raise ValidationError(f"'{value}' is not a school year: the second year must follow the "
                              f"first (for example {start}/{following[-2:]}).", field="year")
    calendar = calendar or _ENGLAND
    latest = calendar.school_year_of(today)
    if not EARLIEST <= start <= latest:
        raise ValidationError(f"Choose a school year from {SchoolYear(EARLIEST).label} to "
                              f"{SchoolYear(latest).label}.", field="year")
    return SchoolYear(start).in_calendar(calendar)
