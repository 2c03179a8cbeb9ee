"""The periods a SENCO reports over, in her school's own terms: this half-term, last term, this
school year, the last three school years... each read from the school's term dates (its own
where it has entered them, England's default otherwise), so a school whose spring term starts
on an INSET day on 5 January gets a period starting that day, not on a date sendesk guessed.

A period runs from the first day of its first half-term (INSET days included) to the day
before the half-term after its last one: the holiday after a half-term counts with it, as
SchoolCalendar.half_term says, so periods follow on from one another with no day left out. A
school year is SchoolCalendar.school_year_span, the one definition the governors' report and
`sendesk-cli impact` use too. The impact table widens typed dates the same way (models.impact.
whole_half_terms), so a period chosen here, the same dates typed and the governors' report
for the year give the same table.
Pure: no I/O, the calendar and today are handed in.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from .calendar import HalfTerm, SchoolCalendar
from .dates import format_uk

TERMS = ("Autumn", "Spring", "Summer")   # half-terms 1-2, 3-4 and 5-6 of a school year


class Period(enum.Enum):
    THIS_HALF_TERM = "this-half-term"
    LAST_HALF_TERM = "last-half-term"
    THIS_TERM = "this-term"
    LAST_TERM = "last-term"
    THIS_YEAR = "this-year"
    LAST_YEAR = "last-year"
    LAST_THREE_YEARS = "last-three-years"
    DATES = "dates"                      # the person types From and To

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {Period.THIS_HALF_TERM: "This half-term", Period.LAST_HALF_TERM: "Last half-term",
           Period.THIS_TERM: "This term", Period.LAST_TERM: "Last term",
           Period.THIS_YEAR: "This school year", Period.LAST_YEAR: "Last school year",
           Period.LAST_THREE_YEARS: "The last three school years", Period.DATES: "Dates..."}


@dataclass(frozen=True)
class Span:
    """A period as dates, with the name a person knows it by ("Spring term 2026")."""

    name: str
    start: dt.date
    end: dt.date

    @property
    def text(self) -> str:
        return f"{self.name}: {format_uk(self.start)} to {format_uk(self.end)}"

    def text_as_of(self, today: dt.date) -> str:
        """The dates, and for a period still running that it is counted only to today, as the
        reports themselves stop there (models.impact.whole_half_terms): a label saying July
        above a table counted to December would read as a year's figures."""
        if self.start <= today < self.end:
            return f"{self.text} (counted to today, {format_uk(today)})"
        return self.text


def _year_label(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"


def _half_terms(calendar: SchoolCalendar, year: int) -> tuple[HalfTerm, ...]:
    return calendar.term_dates(year).half_terms


def _where(calendar: SchoolCalendar, today: dt.date) -> tuple[int, int]:
    """The school year and the half-term (0 to 5) today belongs to; a holiday belongs to the
    half-term before it, the summer holiday to the year just ended."""
    year = calendar.school_year_of(today)
    halves = _half_terms(calendar, year)
    index = max((n for n, half in enumerate(halves) if half.start <= today), default=0)
    return year, index


def _step(year: int, index: int, back: int, size: int) -> tuple[int, int]:
    """Go back `back` blocks of `size` half-terms (1: a half-term, 2: a term)."""
    position = year * 6 + index - back * size
    return position // 6, position % 6


def _until(calendar: SchoolCalendar, half: HalfTerm) -> dt.date:
    """The day before the half-term after this one (its holiday counted with it)."""
    return calendar.half_term(half.start).end


def _half_span(calendar: SchoolCalendar, year: int, index: int) -> Span:
    half = _half_terms(calendar, year)[index]
    term = TERMS[index // 2]
    return Span(f"{term} {index % 2 + 1} half-term {half.start.year}", half.start,
                _until(calendar, half))


def _term_span(calendar: SchoolCalendar, year: int, index: int) -> Span:
    halves = _half_terms(calendar, year)
    first, second = halves[index - index % 2], halves[index - index % 2 + 1]
    return Span(f"{TERMS[index // 2]} term {first.start.year}", first.start,
                _until(calendar, second))


def _years_span(calendar: SchoolCalendar, first: int, last: int) -> Span:
    start, end = calendar.school_year_span(first)[0], calendar.school_year_span(last)[1]
    name = f"School year {_year_label(first)}" if first == last else \
        f"School years {_year_label(first)} to {_year_label(last)}"
    return Span(name, start, end)


def span(period: Period | str, calendar: SchoolCalendar, today: dt.date) -> Span | None:
    """The dates a period covers as of today, by the school's calendar; None for DATES (the
    person's own). A period may run past today: the report says what it counted up to."""
    period = Period(period)
    year, index = _where(calendar, today)
    if period is Period.THIS_HALF_TERM:
        return _half_span(calendar, year, index)
    if period is Period.LAST_HALF_TERM:
        return _half_span(calendar, *_step(year, index, 1, 1))
    if period is Period.THIS_TERM:
        return _term_span(calendar, year, index)
    if period is Period.LAST_TERM:
        return _term_span(calendar, *_step(year, index - index % 2, 1, 2))
    if period is Period.THIS_YEAR:
        return _years_span(calendar, year, year)
    if period is Period.LAST_YEAR:
        return _years_span(calendar, year - 1, year - 1)
    if period is Period.LAST_THREE_YEARS:
        return _years_span(calendar, year - 2, year)
    return None


def spans(calendar: SchoolCalendar, today: dt.date) -> dict[Period, Span | None]:
    """Every period's dates, in the order they are offered."""
    return {period: span(period, calendar, today) for period in Period}
