"""When a support plan must be reviewed.

* The review date agreed in a plan is no later than the end of the next term after the plan
  is agreed (one APDR cycle at least every term); an earlier date is always allowed.
* A review is due from two weeks before its date and overdue the day after it.
* SEN support is reviewed at least three times a year: a pathway open for a year or more
  needs three reviews in the last twelve months.

Terms are built from the school's half-term calendar: the half-terms that share a first word
("Autumn 1", "Autumn 2") make one term, holidays included with the term before them.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ..errors import ValidationError
from . import dates
from .calendar import HalfTermCalendar

DUE_SOON_DAYS = 14
REVIEWS_PER_YEAR = 3


class _HalfTerm(Protocol):
    # Read-only, so frozen dataclasses such as calendar.HalfTerm fit.
    @property
    def name(self) -> str: ...
    @property
    def start(self) -> dt.date: ...
    @property
    def end(self) -> dt.date: ...


class Calendar(Protocol):
    def half_term(self, day: dt.date) -> _HalfTerm: ...


@dataclass(frozen=True)
class Term:
    name: str
    start: dt.date
    end: dt.date


def _term_name(half_term_name: str) -> str:
    return (half_term_name.split() or [half_term_name])[0]


def term_of(day: dt.date, calendar: Calendar | None = None) -> Term:
    calendar = calendar or HalfTermCalendar.default()
    half = calendar.half_term(day)
    name = _term_name(half.name)
    start, end = half.start, half.end
    while True:
        before = calendar.half_term(start - dt.timedelta(days=1))
        if _term_name(before.name) != name or before.start >= start:
            break
        start = before.start
    while True:
        after = calendar.half_term(end + dt.timedelta(days=1))
        if _term_name(after.name) != name or after.end <= end:
            break
        end = after.end
    return Term(name, start, end)


def next_term(day: dt.date, calendar: Calendar | None = None) -> Term:
    return term_of(term_of(day, calendar).end + dt.timedelta(days=1), calendar)


def latest_review_date(plan_date: dt.date, calendar: Calendar | None = None) -> dt.date:
    """The last day a plan agreed on plan_date may set for its review: the end of the next term."""
    return next_term(plan_date, calendar).end


def check_review_date(plan_date: dt.date, review_date: dt.date | None,
                      calendar: Calendar | None = None) -> dt.date:
    """The agreed review date, refused when missing, not after the plan or too far ahead."""
    if review_date is None:
        raise ValidationError("Agree a review date with the parents.", field="review_date")
    if review_date <= plan_date:
        raise ValidationError(f"The review date ({dates.format_uk(review_date)}) must be after "
                              f"the plan date ({dates.format_uk(plan_date)}).", field="review_date")
    latest = latest_review_date(plan_date, calendar)
    if review_date > latest:
        term = next_term(plan_date, calendar)
        raise ValidationError(
            f"The review date ({dates.format_uk(review_date)}) is too far ahead: review no later "
            f"than the end of the next term ({term.name.lower()} term, "
            f"{dates.format_uk(latest)}).", field="review_date")
    return review_date


class ReviewState(str, enum.Enum):
    NO_PLAN = "no_plan"
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"no_plan": "No agreed plan", "upcoming": "Booked", "due": "Due",
                "overdue": "Overdue"}[self.value]


def review_state(review_date: dt.date | None, today: dt.date) -> ReviewState:
    """Due from two weeks before the date up to and including the day; overdue after it."""
    if review_date is None:
        return ReviewState.NO_PLAN
    if review_date < today:
        return ReviewState.OVERDUE
    if review_date <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return ReviewState.DUE
    return ReviewState.UPCOMING


def days_overdue(review_date: dt.date | None, today: dt.date) -> int:
    return 0 if review_date is None or review_date >= today else (today - review_date).days


def year_before(today: dt.date) -> dt.date:
    """The first day of the twelve months that end today."""
    return dates.add_years(today, -1) + dt.timedelta(days=1)


def reviews_in_last_year(review_dates: Iterable[dt.date], today: dt.date) -> int:
    start = year_before(today)
    return sum(1 for day in review_dates if start <= day <= today)


def too_few_reviews(opened_on: dt.date, review_dates: Iterable[dt.date], today: dt.date) -> bool:
    """True when a pathway open a year or more had fewer than three reviews in the last year."""
    return too_few_held(opened_on, reviews_in_last_year(review_dates, today), today)


def too_few_held(opened_on: dt.date, held_in_last_year: int, today: dt.date) -> bool:
    """too_few_reviews() from a count of the last year's reviews: at county scale the reviews
    due list counts them in SQL for thousands of pathways at once."""
    return opened_on <= _year_ago(today) and held_in_last_year < REVIEWS_PER_YEAR


@functools.lru_cache(maxsize=16)
def _year_ago(today: dt.date) -> dt.date:
    return dates.add_years(today, -1)
