"""A date a person chooses for a review, checked against the school's calendar, with the one
sentence that says why it cannot be used and which day can.

A concerns flowchart's review and a short note's review are looked at on the day set: a
Saturday, a bank holiday or a day in the holidays would put them on the agenda on a day
nobody is in school. The sentence names the day of the week, because "06/03/2027" alone does
not show a busy teacher that it is a Saturday, and the next school day, so they can type it
straight in.
"""

from __future__ import annotations

import datetime as dt

from ..errors import ValidationError
from .bank_holidays import WEEKDAYS
from .calendar import SchoolCalendar
from .dates import format_uk


def day_name(day: dt.date) -> str:
    """'Saturday 06/03/2027'."""
    return f"{WEEKDAYS[day.weekday()]} {format_uk(day)}"


def not_a_school_day(calendar: SchoolCalendar, day: dt.date) -> str | None:
    """Why `day` cannot be used, in one sentence naming the next school day, or None when the
    school is open then: "Saturday 06/03/2027 is not a school day; the next school day is
    Monday 08/03/2027." A weekday says why ("... is a bank holiday (Early May bank holiday),
    not a school day; ...")."""
    shut = why_shut(calendar, day)
    if shut is None:
        return None
    return f"{shut}; the next school day is {day_name(calendar.school_day_on_or_after(day))}."


def why_shut(calendar: SchoolCalendar, day: dt.date) -> str | None:
    """The first half of not_a_school_day's sentence, "Saturday 06/03/2027 is not a school
    day", or None when the school is open: for a refusal that must go on to name a day other
    than the next school day (a review whose next school day is past its limit)."""
    why = calendar.not_a_school_day(day)
    if why is None:
        return None
    reason = "is not a school day" if day.weekday() >= 5 else f"is {why}, not a school day"
    return f"{day_name(day)} {reason}"


def require_school_day(calendar: SchoolCalendar, day: dt.date, field: str) -> dt.date:
    """The day, refused with not_a_school_day's sentence when the school is shut then."""
    problem = not_a_school_day(calendar, day)
    if problem:
        raise ValidationError(problem, field=field)
    return day
