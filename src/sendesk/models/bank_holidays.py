"""England and Wales bank holidays: not school days, in any count of school days or any shift
of a date out of the holidays (domain.md section 10).

They come from a shipped, dated file, resources/bank_holidays_england.json, because the
one-off ones (a jubilee, a coronation, a state funeral, a moved early May holiday) are
announced by government and cannot be worked out. The file is checked when it is first read:
every year of its range present, every date a real weekday inside its year, listed once, with
a name. A fault stops sendesk with a message naming it rather than counting school days wrong.

For a year outside the file's range the usual eight are worked out by rule (rule_based), so a
date far ahead still skips Good Friday and Christmas; only announced one-offs can be missing.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SendeskError
from ..resources import resource_path

FILE_NAME = "bank_holidays_england.json"
# The years the shipped file must cover at least; a newer file may cover more.
REQUIRED_FIRST_YEAR, REQUIRED_LAST_YEAR = 2020, 2035
# Every year has New Year's Day, Good Friday, Easter Monday, early May, spring, summer,
# Christmas Day and Boxing Day (or their substitutes): a year with fewer has lost one.
USUAL_PER_YEAR = 8
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class BankHolidayFileError(SendeskError):
    """The shipped bank holiday file is missing, damaged or incomplete."""


def easter_sunday(year: int) -> dt.date:
    """Western Easter (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month = (h + el - 7 * m + 114) // 31
    day = (h + el - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def _first_monday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=last.weekday())


def rule_based(year: int) -> list[tuple[dt.date, str]]:
    """The usual eight bank holidays of a year by the standing rules, in date order, without
    the one-offs government announces. A New Year's Day at a weekend moves to the Monday after;
    a Christmas Day or Boxing Day at a weekend moves to the next weekday neither takes."""
    day = dt.timedelta(days=1)
    new_year = dt.date(year, 1, 1)
    holidays = [(new_year, "New Year's Day") if new_year.weekday() < 5 else
                (new_year + (7 - new_year.weekday()) * day, "New Year's Day (substitute day)")]
    easter = easter_sunday(year)
    holidays += [(easter - 2 * day, "Good Friday"), (easter + day, "Easter Monday"),
                 (_first_monday(year, 5), "Early May bank holiday"),
                 (_last_monday(year, 5), "Spring bank holiday"),
                 (_last_monday(year, 8), "Summer bank holiday")]
    christmas, boxing = dt.date(year, 12, 25), dt.date(year, 12, 26)
    if christmas.weekday() == 5:        # Saturday: both move to Monday and Tuesday
        holidays += [(dt.date(year, 12, 27), "Christmas Day (substitute day)"),
                     (dt.date(year, 12, 28), "Boxing Day (substitute day)")]
    elif christmas.weekday() == 6:      # Sunday: Boxing Day keeps Monday, Christmas takes Tuesday
        holidays += [(boxing, "Boxing Day"), (dt.date(year, 12, 27), "Christmas Day (substitute day)")]
    elif christmas.weekday() == 4:      # Friday: Boxing Day (Saturday) moves to Monday
        holidays += [(christmas, "Christmas Day"), (dt.date(year, 12, 28), "Boxing Day (substitute day)")]
    else:
        holidays += [(christmas, "Christmas Day"), (boxing, "Boxing Day")]
    return sorted(holidays)


@dataclass(frozen=True)
class BankHolidays:
    """The bank holidays of the years first_year to last_year, with rule_based beyond them."""

    first_year: int
    last_year: int
    listed: Mapping[dt.date, str]

    def name(self, day: dt.date) -> str | None:
        """The bank holiday on a date, or None when it is not one."""
        if self.first_year <= day.year <= self.last_year:
            return self.listed.get(day)
        return _rule_based_by_date(day.year).get(day)

    def __contains__(self, day: dt.date) -> bool:
        return self.name(day) is not None

    def in_year(self, year: int) -> list[tuple[dt.date, str]]:
        if self.first_year <= year <= self.last_year:
            return sorted((day, name) for day, name in self.listed.items() if day.year == year)
        return rule_based(year)


@functools.cache
def _rule_based_by_date(year: int) -> dict[dt.date, str]:
    return dict(rule_based(year))


def _fault(source: str, fault: str) -> BankHolidayFileError:
    return BankHolidayFileError(f"sendesk's reference file {source} is damaged: {fault}. "
                                "Reinstall sendesk to restore it.")


def parse(data: Any, source: str = FILE_NAME) -> BankHolidays:
    """Checks the file's contents and returns them, or raises BankHolidayFileError naming the
    first fault found."""
    if not isinstance(data, dict):
        raise _fault(source, "it is not a JSON object")
    first, last = data.get("first_year"), data.get("last_year")
    if type(first) is not int or type(last) is not int:
        raise _fault(source, "first_year and last_year must be whole years")
    if first > REQUIRED_FIRST_YEAR or last < REQUIRED_LAST_YEAR:
        raise _fault(source, f"it covers {first} to {last}, but sendesk needs every year from "
                             f"{REQUIRED_FIRST_YEAR} to {REQUIRED_LAST_YEAR}")
    years = data.get("years")
    if not isinstance(years, dict):
        raise _fault(source, "it has no \"years\" object of bank holidays by year")
    expected = {str(year) for year in range(first, last + 1)}
    missing = sorted(expected - set(years), key=str)
    if missing:
        raise _fault(source, f"the year {missing[0]} is missing (every year from {first} to "
                             f"{last} must be listed)")
    extra = sorted(set(years) - expected)
    if extra:
        raise _fault(source, f"it lists \"{extra[0]}\", which is not a year from {first} to {last}")
    listed: dict[dt.date, str] = {}
    for key in sorted(years):
        entries, year = years[key], int(key)
        if not isinstance(entries, list):
            raise _fault(source, f"{year} is not a list of bank holidays")
        for entry in entries:
            day = _checked_entry(source, year, entry)
            if day in listed:
                raise _fault(source, f"{day.isoformat()} is listed twice in {year}")
            listed[day] = entry["name"].strip()
        count = sum(1 for day in listed if day.year == year)
        if count < USUAL_PER_YEAR:
            raise _fault(source, f"{year} has {count} bank holidays; every year has at least "
                                 f"{USUAL_PER_YEAR}")
    return BankHolidays(first, last, listed)


def _checked_entry(source: str, year: int, entry: Any) -> dt.date:
    if not isinstance(entry, dict) or set(entry) != {"date", "name"}:
        raise _fault(source, f"an entry in {year} is not a {{\"date\", \"name\"}} pair: {entry!r}")
    text, name = entry["date"], entry["name"]
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise _fault(source, f"{text!r} in {year} is not a date written YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise _fault(source, f"{text!r} in {year} is not a real date") from None
    if day.year != year:
        raise _fault(source, f"{text} is listed under {year}")
    if day.weekday() >= 5:
        raise _fault(source, f"{text} is a {WEEKDAYS[day.weekday()]}; a bank holiday is a "
                             "weekday (a weekend one is listed on its substitute day)")
    if not isinstance(name, str) or not name.strip():
        raise _fault(source, f"{text} has no name")
    return day


def load(path: Path | None = None) -> BankHolidays:
    """Reads and checks a bank holiday file (the shipped one unless a path is given)."""
    path = path or resource_path(FILE_NAME)
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError:
        raise BankHolidayFileError(f"sendesk's reference file {path.name} is missing. "
                                   "Reinstall sendesk to restore it.") from None
    except ValueError as exc:
        raise _fault(path.name, f"it is not valid JSON ({exc})") from None
    return parse(data, path.name)


@functools.lru_cache(maxsize=1)
def england() -> BankHolidays:
    """England's bank holidays from the shipped file, read and checked once."""
    return load()


def is_bank_holiday(day: dt.date) -> bool:
    return day in england()
