"""The school year's fixed points: census days and half-terms.

Census days follow the DfE pattern: autumn on the first Thursday in October, spring on the
third Thursday in January and summer on the third Thursday in May. The January (spring)
census is the one that collects SEN status and primary need.

A school's term dates (SchoolCalendar) are six half-terms a year, each from its first to its
last teaching day, so holidays are the gaps between them. A year the school has not entered
uses England's usual pattern (england_default), with the Easter break worked out from Easter
each year. The review rules, the EHC review schedule and the LA's request cut-off all read
them.

A school day is a weekday inside a half-term that is neither one of England's bank holidays
(models.bank_holidays, from a shipped dated file) nor one of the school's INSET days. Every
count of school days and every move of a date out of the holidays here goes through
SchoolCalendar.is_school_day, so none of them can land on Good Friday or the early May bank
holiday.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import ValidationError
from . import bank_holidays
from .bank_holidays import easter_sunday
from .dates import format_uk

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


# --- a school's own term dates ----------------------------------------------------------------
HALF_TERM_NAMES = ("Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2")
# The local authority's preferred cut-off for EHC needs assessment requests: this many weeks
# before the last week of the summer term (003 "Applying for an EHC needs assessment").
EHCNA_CUTOFF_WEEKS = 16
# A SEN support plan is reviewed about a term after it is agreed, never two terms (domain.md
# section 10): at most this many weeks, a school setting.
REVIEW_WEEKS = 14
REVIEW_WEEKS_RANGE = (6, 16)
_MONDAY, _WEDNESDAY, _FRIDAY = 0, 2, 4


@dataclass(frozen=True)
class TermDates:
    """One school year's six half-terms; each runs from its first to its last teaching day, so
    the gaps between them are the holidays. school_year is the calendar year autumn starts in."""

    school_year: int
    half_terms: tuple[HalfTerm, ...]

    @property
    def label(self) -> str:
        return f"{self.school_year}/{str(self.school_year + 1)[-2:]}"

    @property
    def first_day(self) -> dt.date:
        return self.half_terms[0].start

    @property
    def last_day(self) -> dt.date:
        return self.half_terms[-1].end

    def holidays(self) -> list[tuple[dt.date, dt.date]]:
        """The holidays between the half-terms, as (first day, last day)."""
        return [(before.end + dt.timedelta(days=1), after.start - dt.timedelta(days=1))
                for before, after in zip(self.half_terms, self.half_terms[1:], strict=False)
                if after.start - before.end > dt.timedelta(days=1)]


def _unbracketed(holiday: str, day: dt.date) -> str:
    """A bank holiday's name without brackets of its own, as it is shown inside them: "Boxing
    Day (substitute day)" reads "Boxing Day, moved to the Monday", and "Early May bank holiday
    (VE Day)" reads "Early May bank holiday, VE Day"; brackets in brackets are hard to read."""
    if holiday.endswith(" (substitute day)"):
        return (f"{holiday.removesuffix(' (substitute day)')}, moved to the "
                f"{bank_holidays.WEEKDAYS[day.weekday()]}")
    return holiday.replace(" (", ", ").replace(")", "")


def _weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return _weekday_on_or_before(following - dt.timedelta(days=1), _MONDAY)


def _is_working_day(day: dt.date) -> bool:
    """A weekday that is not a bank holiday (what a term may start or end on)."""
    return day.weekday() < 5 and not bank_holidays.is_bank_holiday(day)


def _working_day_on_or_after(day: dt.date) -> dt.date:
    while not _is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _working_day_on_or_before(day: dt.date) -> dt.date:
    while not _is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


@functools.lru_cache(maxsize=64)
def england_default(school_year: int) -> TermDates:
    """A typical English school year, for schools that have not entered their own dates.

    Cached (the result is immutable): counting school days to each leaver's deadline asks for
    it once a day counted, hundreds of times on every Home refresh.

    Autumn starts on the first Wednesday of September, with half-term in the week of the last
    Monday in October, and ends on the Friday on or before 20 December. Spring starts on the
    first Monday on or after 3 January, with half-term in the week of the third Monday in
    February, and breaks for two weeks around Easter (from the Monday before Easter Sunday).
    Summer half-term is the week of the late May bank holiday (the last Monday in May), and the
    year ends on the last weekday on or before 22 July.

    No half-term starts or ends on a bank holiday: a start that would (a substitute New Year's
    Day on 3 January, an early May bank holiday after a late Easter) moves on to the next
    weekday that is not one, an end back to the last. Bank holidays inside a half-term (early
    May, a one-off) stay in it but are not school days (SchoolCalendar.is_school_day).
    """
    year, next_year = school_year, school_year + 1
    week = dt.timedelta(days=7)
    autumn = _weekday_on_or_after(dt.date(year, 9, 1), _WEDNESDAY)
    october = _last_monday(year, 10)
    christmas = _weekday_on_or_before(dt.date(year, 12, 20), _FRIDAY)
    spring = _weekday_on_or_after(dt.date(next_year, 1, 3), _MONDAY)
    february = _weekday_on_or_after(dt.date(next_year, 2, 1), _MONDAY) + 2 * week
    easter_break = _weekday_on_or_before(easter_sunday(next_year), _MONDAY)
    may = _last_monday(next_year, 5)
    summer_end = dt.date(next_year, 7, 22)
    friday = dt.timedelta(days=3)
    spans = ((autumn, october - friday), (october + week, christmas),
             (spring, february - friday), (february + week, easter_break - friday),
             (easter_break + 2 * week, may - friday), (may + week, summer_end))
    return TermDates(school_year, tuple(
        HalfTerm(name, _working_day_on_or_after(start), _working_day_on_or_before(end))
        for name, (start, end) in zip(HALF_TERM_NAMES, spans, strict=False)))


def check_term_dates(school_year: int, spans: list[tuple[dt.date, dt.date]]) -> TermDates:
    """A school's own six half-terms, refused with the reason when they cannot be right."""
    if len(spans) != len(HALF_TERM_NAMES):
        raise ValidationError("Give the first and last day of all six half-terms.", field="terms")
    earliest, latest = dt.date(school_year, 8, 1), dt.date(school_year + 1, 8, 31)
    previous_end: dt.date | None = None
    for name, (start, end) in zip(HALF_TERM_NAMES, spans, strict=False):
        if end < start:
            raise ValidationError(f"{name} ends ({format_uk(end)}) before it starts "
                                  f"({format_uk(start)}).", field=name)
        if start < earliest or end > latest:
            raise ValidationError(f"{name} ({format_uk(start)} to {format_uk(end)}) is outside the "
                                  f"{school_year}/{str(school_year + 1)[-2:]} school year "
                                  "(August to August).", field=name)
        if previous_end is not None and start <= previous_end:
            raise ValidationError(f"{name} starts ({format_uk(start)}) before the half-term "
                                  f"before it has ended ({format_uk(previous_end)}).", field=name)
        previous_end = end
    return TermDates(school_year, tuple(HalfTerm(name, start, end)
                                        for name, (start, end) in zip(HALF_TERM_NAMES, spans, strict=False)))


def check_inset_days(school_year: int, days: Iterable[dt.date]) -> frozenset[dt.date]:
    """A school year's INSET (staff training, no pupils) days, refused with the reason when one
    cannot be right: outside the school year, at a weekend or on a bank holiday."""
    earliest, latest = dt.date(school_year, 8, 1), dt.date(school_year + 1, 8, 31)
    label = f"{school_year}/{str(school_year + 1)[-2:]}"
    checked = set()
    for day in days:
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise ValidationError(f"An INSET day must be a date, not {day!r}.", field="inset_days")
        if not earliest <= day <= latest:
            raise ValidationError(f"The INSET day {format_uk(day)} is outside the {label} school "
                                  "year (August to August).", field="inset_days")
        if day.weekday() >= 5:
            raise ValidationError(f"The INSET day {format_uk(day)} is a "
                                  f"{bank_holidays.WEEKDAYS[day.weekday()]}, not a school day anyway.",
                                  field="inset_days")
        holiday = bank_holidays.england().name(day)
        if holiday:
            raise ValidationError(f"The INSET day {format_uk(day)} is a bank holiday "
                                  f"({holiday}).", field="inset_days")
        checked.add(day)
    return frozenset(checked)


class SchoolCalendar:
    """The school's term dates: its own where it has entered them, England's default otherwise,
    with England's bank holidays and the school's own INSET days taken out of them.

    It answers the questions the date rules ask (is this a school day, which half-term is this,
    when does the summer term end).
    inset_days gives each school year's INSET days (checked by check_inset_days); a year with
    none given has none. review_weeks is the school's limit on how far after a support plan
    is agreed its review may be set (models.reviews).
    """

    def __init__(self, stored: dict[int, TermDates] | None = None,
                 ehcna_cutoff_weeks: int = EHCNA_CUTOFF_WEEKS,
                 inset_days: Mapping[int, Iterable[dt.date]] | None = None,
                 review_weeks: int = REVIEW_WEEKS) -> None:
        self._stored = dict(stored or {})
        self.ehcna_cutoff_weeks = ehcna_cutoff_weeks
        self.review_weeks = review_weeks
        self._inset = {int(year): check_inset_days(int(year), days)
                       for year, days in (inset_days or {}).items()}
        self._all_inset = frozenset().union(*self._inset.values())

    def term_dates(self, school_year: int) -> TermDates:
        return self._stored.get(school_year) or england_default(school_year)

    def is_custom(self, school_year: int) -> bool:
        return school_year in self._stored

    def school_year_of(self, day: dt.date) -> int:
        """The school year a date belongs to; the summer holiday belongs to the year it ends."""
        return day.year if day >= self.term_dates(day.year).first_day else day.year - 1

    def school_year_span(self, school_year: int) -> tuple[dt.date, dt.date]:
        """The days of a school year, the one definition every report uses ("2025/26" in the
        governors' report, the impact page's "Last school year", `sendesk-cli impact`): from
        the first day of the school's autumn term to the day before its next autumn term
        starts. The summer holiday counts with the year it ends (as school_year_of and
        half_term say), so every day is in exactly one school year: nothing done in August
        (an EHC needs assessment request sent) falls outside every year's report."""
        following = self.term_dates(school_year + 1).first_day
        return self.term_dates(school_year).first_day, following - dt.timedelta(days=1)

    def half_term(self, day: dt.date) -> HalfTerm:
        """The half-term a date falls in, holidays counted with the half-term before them."""
        year = self.school_year_of(day)
        terms = self.term_dates(year).half_terms
        following = [half.start for half in terms[1:]] + [self.term_dates(year + 1).first_day]
        for half, next_start in zip(terms, following, strict=False):
            if half.start <= day < next_start:
                return HalfTerm(half.name, half.start, next_start - dt.timedelta(days=1))
        raise AssertionError("half-terms cover the whole school year")

    def teaching_half_term(self, day: dt.date) -> HalfTerm | None:
        """The half-term whose span (first to last teaching day) includes this date, or None in
        a holiday. A bank holiday or INSET day inside a half-term belongs to it without being a
        school day: ask is_school_day for that."""
        for half in self.term_dates(self.school_year_of(day)).half_terms:
            if half.start <= day <= half.end:
                return half
        return None

    def inset_days(self, school_year: int) -> frozenset[dt.date]:
        return self._inset.get(school_year, frozenset())

    def is_inset_day(self, day: dt.date) -> bool:
        return day in self._all_inset

    def is_school_day(self, day: dt.date) -> bool:
        """A weekday in a half-term that is neither a bank holiday nor an INSET day."""
        return self.not_a_school_day(day) is None

    def not_a_school_day(self, day: dt.date) -> str | None:
        """Why a date is not a school day ("a Saturday", "a bank holiday (Easter Monday)",
        "an INSET day", "in the school holidays"), or None when it is one: for a hint that
        says why a date was moved."""
        if day.weekday() >= 5:
            return f"a {bank_holidays.WEEKDAYS[day.weekday()]}"
        holiday = bank_holidays.england().name(day)
        if holiday:
            return f"a bank holiday ({_unbracketed(holiday, day)})"
        if day in self._all_inset:
            return "an INSET day"
        if self.teaching_half_term(day) is None:
            return "in the school holidays"
        return None

    def check_school_day(self, day: dt.date, field: str) -> dt.date:
        """A date something is booked for (a meeting, a review), refused in one sentence
        naming the day when the school is shut then: "05/12/2026 is a Saturday; choose a
        school day." """
        why = self.not_a_school_day(day)
        if why is not None:
            raise ValidationError(f"{format_uk(day)} is {why}; choose a school day.", field=field)
        return day

    def last_day_of_school_year(self, today: dt.date) -> dt.date:
        """The last day of the school year today is in (today itself in the summer holiday):
        the latest leaving date a SENCO preparing a leaver's file can give."""
        return max(today, self.summer_term_end(self.school_year_of(today)))

    def school_day_on_or_before(self, day: dt.date) -> dt.date:
        """Moves a date out of a weekend, holiday, bank holiday or INSET day back to the last
        school day before it."""
        while not self.is_school_day(day):
            day -= dt.timedelta(days=1)
        return day

    def school_day_on_or_after(self, day: dt.date) -> dt.date:
        """Moves a date out of a weekend, holiday, bank holiday or INSET day on to the next
        school day after it."""
        while not self.is_school_day(day):
            day += dt.timedelta(days=1)
        return day

    def summer_term_end(self, school_year: int) -> dt.date:
        return self.term_dates(school_year).last_day

    def ehcna_cutoff(self, school_year: int) -> dt.date:
        """The LA's preferred last day for an EHC needs assessment request in a school year:
        the set number of weeks before the Monday of the summer term's last week, brought back
        to the last school day before it when that falls in a holiday."""
        last_week = _weekday_on_or_before(self.summer_term_end(school_year), _MONDAY)
        return self.school_day_on_or_before(
            last_week - dt.timedelta(weeks=self.ehcna_cutoff_weeks))


# Records go to the next school within 15 school days of the pupil leaving (Education (Pupil
# Information) (England) Regulations 2005, regulation 9).
TRANSFER_SCHOOL_DAYS = 15


def add_school_days(start: dt.date, days: int, calendar: SchoolCalendar | None = None) -> dt.date:
    """The day `days` school days after `start`, skipping weekends, bank holidays, INSET days
    and the school's holidays (its own term dates where it has entered them, England's typical
    ones otherwise). `start` itself is not counted, school day or not."""
    calendar = calendar or SchoolCalendar()
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if calendar.is_school_day(day):
            counted += 1
    return day


def school_days_late(deadline: dt.date, today: dt.date,
                     calendar: SchoolCalendar | None = None) -> int:
    """How many school days after a deadline today is (0 on or before it): a file due on
    Friday and sent on Monday is one school day late."""
    calendar = calendar or SchoolCalendar()
    late, day = 0, deadline
    while day < today:
        day += dt.timedelta(days=1)
        late += calendar.is_school_day(day)
    return late
