"""When a support plan must be reviewed.

* The review date agreed in a plan falls about a term after it, never two terms (domain.md
  section 10): at most the school's number of weeks (default 14) after the plan is agreed,
  brought back to the last school day when that falls in a holiday, weekend, bank holiday or
  INSET day; and it is itself a school day. An earlier date is always allowed. Before this
  rule a plan agreed on 03/09/2026 could set its review for 14/04/2027, two terms on.
* When the pupil's needs are recorded as changing, a review about a half-term on (half the
  school's weeks) is suggested.
* A review is due from two weeks before its date and overdue the day after it.
* SEN support is reviewed at least three times in any twelve months, counted from the start of
  SEN support: in its first year a review is expected for each third of a year gone by, so a
  first year cannot pass with two.

Terms are built from the school's calendar: the half-terms that share a first word ("Autumn 1",
"Autumn 2") make one term, holidays included with the term before them; a term's end is its
last school day.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import ValidationError
from . import dates, school_days
from .calendar import REVIEW_WEEKS, SchoolCalendar

DUE_SOON_DAYS = 14
REVIEWS_PER_YEAR = 3


@dataclass(frozen=True)
class Term:
    name: str
    start: dt.date
    end: dt.date


def _term_name(half_term_name: str) -> str:
    return (half_term_name.split() or [half_term_name])[0]


def _span(day: dt.date, calendar: SchoolCalendar) -> Term:
    """The term a date falls in, with the holiday after it."""
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


def term_of(day: dt.date, calendar: SchoolCalendar | None = None) -> Term:
    """The term a date falls in (a holiday counts with the term before it), ending on its last
    school day: nothing can be held in the holiday, so a date set "by the end of the term" is
    19/03/2027, not 04/04/2027."""
    calendar = calendar or SchoolCalendar()
    span = _span(day, calendar)
    return Term(span.name, span.start, calendar.school_day_on_or_before(span.end))


def next_term(day: dt.date, calendar: SchoolCalendar | None = None) -> Term:
    calendar = calendar or SchoolCalendar()
    return term_of(_span(day, calendar).end + dt.timedelta(days=1), calendar)


def review_weeks(calendar: SchoolCalendar | None) -> int:
    return calendar.review_weeks if calendar is not None else REVIEW_WEEKS


def latest_review_date(plan_date: dt.date, calendar: SchoolCalendar | None = None) -> dt.date:
    """The last day a plan agreed on plan_date may set for its review: the school's number of
    weeks on, brought back to the last school day on or before it."""
    weeks = review_weeks(calendar)
    return (calendar or SchoolCalendar()).school_day_on_or_before(plan_date + dt.timedelta(weeks=weeks))


def half_termly_review_by(changed_on: dt.date, calendar: SchoolCalendar | None = None) -> dt.date:
    """The review suggested when needs change: about a half-term (half the school's weeks)
    after the change, on the last school day on or before it."""
    weeks = max(1, review_weeks(calendar) // 2)
    return (calendar or SchoolCalendar()).school_day_on_or_before(changed_on + dt.timedelta(weeks=weeks))


def review_date_problem(plan_date: dt.date, review_date: dt.date,
                        calendar: SchoolCalendar | None = None) -> str | None:
    """Why an agreed review date breaks the termly rule (not a school day, or too far ahead),
    or None: for refusing a new plan and for flagging one agreed before the rule.

    A day the school is shut is named first, whatever else is wrong: a date in the Easter
    holiday refused only as "too far ahead" leaves the teacher trying earlier holiday dates.
    A shut day past the limit names the limit (a school day, the last before the holiday when
    the limit falls in it) and not the next school day, which would be refused as well."""
    school = calendar or SchoolCalendar()
    latest = latest_review_date(plan_date, calendar)
    if review_date > latest and (shut := school_days.why_shut(school, review_date)):
        return (f"{shut}, and is too far ahead: SEN support is reviewed at least once a term, "
                f"so review no later than {school_days.day_name(latest)} (at most "
                f"{review_weeks(calendar)} weeks after the plan was agreed, on a school day).")
    problem = school_days.not_a_school_day(school, review_date)
    if problem:
        return problem
    too_far = (f"review no later than {dates.format_uk(latest)} (at most "
               f"{review_weeks(calendar)} weeks after the plan was agreed, on a school day)")
    if review_date > latest:
        return (f"The review date ({dates.format_uk(review_date)}) is too far ahead: SEN support "
                f"is reviewed at least once a term, so {too_far}.")
    return None


def check_review_date(plan_date: dt.date, review_date: dt.date | None,
                      calendar: SchoolCalendar | None = None) -> dt.date:
    """The agreed review date, refused when missing, not after the plan, too far ahead or not
    a school day."""
    if review_date is None:
        raise ValidationError("Agree a review date with the parents.", field="review_date")
    if review_date <= plan_date:
        raise ValidationError(f"The review date ({dates.format_uk(review_date)}) must be after "
                              f"the plan date ({dates.format_uk(plan_date)}).", field="review_date")
    problem = review_date_problem(plan_date, review_date, calendar)
    if problem:
        raise ValidationError(problem, field="review_date")
    return review_date


class ReviewState(str, enum.Enum):
    NO_PLAN = "no_plan"
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    # No one unseen: at SEN support with no pathway at all, or at E with no EHC plan recorded.
    NO_PATHWAY = "no_pathway"
    NO_EHC_PLAN = "no_ehc_plan"

    @property
    def label(self) -> str:
        return {"no_plan": "No agreed plan", "upcoming": "Booked", "due": "Due",
                "overdue": "Overdue", "no_pathway": "At SEN support, no plan",
                "no_ehc_plan": "No EHC plan recorded"}[self.value]


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


def expected_reviews(support_since: dt.date, today: dt.date) -> int:
    """How many reviews the last twelve months should hold: three once SEN support has run a
    year, and before that one for each third of a year gone by since it started."""
    if support_since <= _year_ago(today):
        return REVIEWS_PER_YEAR
    return min(REVIEWS_PER_YEAR, max(0, (today - support_since).days) * REVIEWS_PER_YEAR // 365)


def too_few_reviews(support_since: dt.date, review_dates: Iterable[dt.date], today: dt.date) -> bool:
    """True when fewer reviews were held in the last twelve months than SEN support begun on
    support_since needs by now (expected_reviews)."""
    return too_few_held(support_since, reviews_in_last_year(review_dates, today), today)


def too_few_held(support_since: dt.date, held_in_last_year: int, today: dt.date) -> bool:
    """too_few_reviews() from a count of the last year's reviews: at county scale the reviews
    due list counts them in SQL for thousands of pathways at once."""
    return held_in_last_year < expected_reviews(support_since, today)


@functools.lru_cache(maxsize=16)
def _year_ago(today: dt.date) -> dt.date:
    return dates.add_years(today, -1)
