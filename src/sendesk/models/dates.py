"""Dates typed by people or read from files, checked the same way everywhere.

Schools write dates day first (23/11/2026); files from a MIS may use ISO (2026-11-23). A date
that cannot exist (31/02/2020) or reads as American (11/23/2026) is refused with the reason,
never guessed at. Two-digit years are refused because 01/02/03 has no safe meaning, and so is a
year no school record can hold (0001, 9999), which would otherwise break the date rules later.
"""

from __future__ import annotations

import datetime as dt
import re

from ..errors import ValidationError

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})")
# MIS exports sometimes append a midnight time to every date.
_TIME_SUFFIX = re.compile(r"[ T]00:00(:00(\.0+)?)?$")
FIRST_YEAR = 1900
LAST_YEAR = 2200


def parse_date(value: str | dt.date | None, label: str, *, required: bool = True) -> dt.date | None:
    """A date from ISO or day/month/year text; None only when not required and blank."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _TIME_SUFFIX.sub("", (value or "").strip())
    if not text:
        if required:
            raise ValidationError(f"{label} is required.", field=label)
        return None
    iso = _ISO.fullmatch(text)
    uk = _UK.fullmatch(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif uk:
        day, month, year = (int(part) for part in uk.groups())
        if len(uk.group(3)) != 4:
            raise ValidationError(f"{label} '{text}' has a two-digit year; write the year in full "
                                  "(for example 23/11/2026).", field=label)
        if month > 12 and day <= 12:
            raise ValidationError(f"{label} '{text}' looks like month/day; write dates day first "
                                  "(dd/mm/yyyy).", field=label)
    else:
        raise ValidationError(f"{label} '{text}' is not a date; use dd/mm/yyyy (for example "
                              "23/11/2026).", field=label)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(f"{label} '{text}' is out of range; give a year between "
                              f"{FIRST_YEAR} and {LAST_YEAR}.", field=label)
    if not 1 <= month <= 12:
        raise ValidationError(f"{label} '{text}' is not a real date (there is no month "
                              f"{month}).", field=label)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(f"{label} '{text}' is not a real date (there is no day {day} in "
                              f"month {month} of {year}).", field=label) from None


def require_date(value: str | dt.date | None, label: str) -> dt.date:
    """parse_date for a date that must be given."""
    result = parse_date(value, label)
    assert result is not None
    return result


def not_after(day: dt.date | None, limit: dt.date, label: str, what: str = "today") -> None:
    """Events have happened: their date cannot be later than today (or another date)."""
    if day is not None and day > limit:
        raise ValidationError(f"{label} ({format_uk(day)}) cannot be after {what}.", field=label)


def not_before(day: dt.date | None, limit: dt.date, label: str, what: str) -> None:
    """Refused with both dates: "cannot be before the plan date" alone sent the person to
    look the plan date up (unless `what` says its date already)."""
    if day is not None and day < limit:
        when = format_uk(limit)
        said = what if when in what else f"{what} ({when})"
        raise ValidationError(f"{label} ({format_uk(day)}) cannot be before {said}.", field=label)


def format_uk(day: dt.date | None) -> str:
    # Not strftime: it imports the time module on every call, which costs ten times as much
    # under Qt's import hook when a list formats thousands of dates.
    return "" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def to_text(day: dt.date | None) -> str | None:
    """How dates are stored: ISO text sorts correctly in SQL."""
    return None if day is None else day.isoformat()


def from_text(text: str | None) -> dt.date | None:
    return None if not text else dt.date.fromisoformat(text)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day some years on; 29 February becomes 28 February in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_leaving_date(value: str | dt.date | None, today: dt.date,
                       latest: dt.date | None = None) -> dt.date:
    """The day a pupil leaves, from which the 15 school days for their file count: today when
    not given. It may be ahead, up to `latest` (the end of the school year: a SENCO prepares
    the file before the last day), but not further, and not more than a year back (a typing
    slip that would put the deadline long past)."""
    day = parse_date(value, "Leaving date", required=False) or today
    latest = latest or today
    if day > latest:
        raise ValidationError(f"The leaving date ({format_uk(day)}) is after the end of this "
                              f"school year ({format_uk(latest)}): give the pupil's last day at "
                              "the school, this school year.", field="leaving_date")
    if day < add_years(today, -1):
        raise ValidationError(f"The leaving date ({format_uk(day)}) is more than a year ago: "
                              "check it, and give the day the pupil actually left.",
                              field="leaving_date")
    return day
