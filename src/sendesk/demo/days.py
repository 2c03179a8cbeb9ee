"""School days for invented records: a review, meeting, visit or session the demo makes up
falls on a day the school is open, as the school's own calendar says (weekends, holidays,
bank holidays and INSET days are not school days).

The demo and the benchmarks' scale school ask for hundreds of thousands of days, so each
answer is remembered; the calendar itself is the one the app's date rules use.
"""

from __future__ import annotations

import datetime as dt
import random

from ..models.calendar import SchoolCalendar

DAY = dt.timedelta(days=1)


class SchoolDays:
    def __init__(self, calendar: SchoolCalendar, rng: random.Random) -> None:
        self.calendar = calendar
        self.rng = rng
        self._open: dict[dt.date, bool] = {}

    def is_open(self, day: dt.date) -> bool:
        known = self._open.get(day)
        if known is None:
            known = self._open[day] = self.calendar.is_school_day(day)
        return known

    def on_or_before(self, day: dt.date) -> dt.date:
        while not self.is_open(day):
            day -= DAY
        return day

    def on_or_after(self, day: dt.date) -> dt.date:
        while not self.is_open(day):
            day += DAY
        return day

    def near(self, day: dt.date, earliest: dt.date | None = None,
             latest: dt.date | None = None) -> dt.date:
        """The school day on or before `day`, or the one after it when that would fall before
        `earliest`; never after `latest` (the day itself is kept only if nothing fits)."""
        before = self.on_or_before(day)
        if earliest is None or before >= earliest:
            return before
        after = self.on_or_after(day)
        return after if latest is None or after <= latest else day

    def between(self, start: dt.date, end: dt.date, limit: dt.date | None = None) -> dt.date:
        """A school day chosen at random from start to end (both included). When there is none
        between them (the range lies in a holiday) the first school day after start, unless
        that passes `limit` (today, for what has happened): then start itself, so a date
        chosen after another still comes after it."""
        if end < start:
            end = start
        span = (end - start).days
        for _ in range(20):
            day = start + DAY * self.rng.randint(0, span)
            if self.is_open(day):
                return day
        after = self.on_or_after(start)
        return after if limit is None or after <= limit else start
