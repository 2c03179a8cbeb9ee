"""The school's term dates, INSET days, support plan review limit and EHC request cut-off,
kept in the school database.

The settings that are one value for the school (the cut-off and review weeks, each year's
INSET days) are kept in the meta table beside the school's other settings; the term dates
have their own table.

A school year with no dates entered uses England's default (models.calendar.england_default),
so the date rules always have a calendar. Term dates are school settings, not pupil records:
the SENCO or an administrator may change them, and each change is in the audit log with the
dates before and after. Changing them moves every EHC plan's next review date, so those are
worked out again in the same transaction, by the rule in records/derived.py that follows every
calendar change (this module does not know about EHC plans).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..errors import ValidationError
from ..models import dates
from ..models.calendar import (
    EHCNA_CUTOFF_WEEKS,
    HALF_TERM_NAMES,
    REVIEW_WEEKS,
    REVIEW_WEEKS_RANGE,
    HalfTerm,
    SchoolCalendar,
    TermDates,
    check_inset_days,
    check_term_dates,
)
from ..models.roles import Permission
from ..operations import Kind, changed, operation
from ..session import Session

_CUTOFF_KEY = "ehcna_cutoff_weeks"
_REVIEW_WEEKS_KEY = "review_weeks"
# One key a school year ("inset_days:2026"), its days as comma-separated ISO dates.
_INSET_PREFIX = "inset_days:"
# England's schools have five INSET days a year; some add a day or two of their own.
MAX_INSET_DAYS = 10


@operation(Permission.VIEW_RECORDS, writes=False)
def load(session: Session) -> SchoolCalendar:
    """The school's calendar (no pupil data, so not audited)."""
    return calendar_of(session)


def calendar_of(session: Session) -> SchoolCalendar:
    """The calendar for rules already inside a permission-checked operation."""
    stored: dict[int, list[HalfTerm]] = {}
    for row in session.db.query("SELECT * FROM school_terms ORDER BY school_year, position"):
        stored.setdefault(row["school_year"], []).append(
            HalfTerm(row["name"], dt.date.fromisoformat(row["starts_on"]),
                     dt.date.fromisoformat(row["ends_on"])))
    weeks = session.db.scalar("SELECT value FROM meta WHERE key = ?", (_CUTOFF_KEY,))
    review_weeks = session.db.scalar("SELECT value FROM meta WHERE key = ?", (_REVIEW_WEEKS_KEY,))
    inset = {int(key[len(_INSET_PREFIX):]): [dt.date.fromisoformat(day) for day in value.split(",")]
             for key, value in session.db.query("SELECT key, value FROM meta WHERE key LIKE ?",
                                                (_INSET_PREFIX + "%",)) if value}
    return SchoolCalendar({year: TermDates(year, tuple(halves)) for year, halves in stored.items()},
                          int(weeks) if weeks else EHCNA_CUTOFF_WEEKS, inset,
                          int(review_weeks) if review_weeks else REVIEW_WEEKS)


@operation(Permission.SETTINGS, Permission.MANAGE_PLANS, audit="changed the term dates")
def save_term_dates(session: Session, school_year: int,
                    spans: Sequence[tuple[dt.date | str, dt.date | str]]) -> TermDates:
    """Set one school year's six half-terms (first and last teaching day of each)."""
    parsed = []
    for name, (start, end) in zip(HALF_TERM_NAMES, spans, strict=False):
        parsed.append((dates.require_date(start, f"{name} first day"),
                       dates.require_date(end, f"{name} last day")))
    if len(parsed) != len(HALF_TERM_NAMES) or len(spans) != len(HALF_TERM_NAMES):
        raise ValidationError("Give the first and last day of all six half-terms.", field="terms")
    terms = check_term_dates(int(school_year), parsed)
    before = calendar_of(session).term_dates(terms.school_year)
    session.db.execute("DELETE FROM school_terms WHERE school_year = ?", (terms.school_year,))
    session.db.executemany(
        "INSERT INTO school_terms (school_year, position, name, starts_on, ends_on, entered_at,"
        " entered_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(terms.school_year, position, half.name, half.start.isoformat(), half.end.isoformat(),
          session.now_text(), session.user.id) for position, half in enumerate(terms.half_terms)])
    changed(session, Kind.CALENDAR, whole_school=True, school_year=terms.school_year,
            before=[[h.start.isoformat(), h.end.isoformat()] for h in before.half_terms],
            after=[[h.start.isoformat(), h.end.isoformat()] for h in terms.half_terms])
    return terms


@operation(Permission.SETTINGS, Permission.MANAGE_PLANS,
           audit="reset the term dates to the default")
def reset_term_dates(session: Session, school_year: int) -> TermDates:
    """Go back to England's default dates for a school year."""
    removed = session.db.execute("DELETE FROM school_terms WHERE school_year = ?",
                                 (int(school_year),)).rowcount
    if removed:
        changed(session, Kind.CALENDAR, whole_school=True, school_year=int(school_year))
    return calendar_of(session).term_dates(int(school_year))


@operation(Permission.SETTINGS, Permission.MANAGE_PLANS,
           audit="changed the EHC request cut-off")
def set_cutoff_weeks(session: Session, weeks: int | str) -> None:
    """How many weeks before the summer term's last week the LA wants EHC requests by."""
    try:
        value = int(str(weeks).strip())
    except ValueError:
        raise ValidationError("The cut-off is a whole number of weeks.", field="weeks") from None
    if not 1 <= value <= 39:
        raise ValidationError("The cut-off must be between 1 and 39 weeks before the last week of "
                              "the summer term.", field="weeks")
    old = session.db.scalar("SELECT value FROM meta WHERE key = ?", (_CUTOFF_KEY,))
    session.db.set_meta(_CUTOFF_KEY, str(value))
    changed(session, Kind.CALENDAR, whole_school=True,
            weeks_before=int(old) if old else EHCNA_CUTOFF_WEEKS, weeks_after=value)


@operation(Permission.SETTINGS, Permission.MANAGE_PLANS, audit="changed the INSET days")
def save_inset_days(session: Session, school_year: int,
                    days: Sequence[dt.date | str]) -> frozenset[dt.date]:
    """Set one school year's INSET days (no pupils in school): they are not school days in any
    count of school days or move of a date out of the holidays. An empty list clears them."""
    year = int(school_year)
    parsed = [dates.require_date(day, "INSET day") for day in days]
    if len(set(parsed)) > MAX_INSET_DAYS:
        raise ValidationError(f"Give at most {MAX_INSET_DAYS} INSET days a school year.",
                              field="inset_days")
    checked = check_inset_days(year, parsed)
    before = calendar_of(session).inset_days(year)
    session.db.set_meta(_INSET_PREFIX + str(year), ",".join(sorted(d.isoformat() for d in checked)))
    if checked != before:
        changed(session, Kind.CALENDAR, whole_school=True, school_year=year,
                inset_before=sorted(d.isoformat() for d in before),
                inset_after=sorted(d.isoformat() for d in checked))
    return checked


@operation(Permission.SETTINGS, Permission.MANAGE_PLANS,
           audit="changed the support plan review limit")
def set_review_weeks(session: Session, weeks: int | str) -> None:
    """How many weeks after a support plan is agreed its review may be set, at most (about a
    term; never two terms)."""
    low, high = REVIEW_WEEKS_RANGE
    try:
        value = int(str(weeks).strip())
    except ValueError:
        raise ValidationError("The review limit is a whole number of weeks.", field="weeks") from None
    if not low <= value <= high:
        raise ValidationError(f"A support plan is reviewed about a term after it is agreed: give "
                              f"between {low} and {high} weeks.", field="weeks")
    old = calendar_of(session).review_weeks
    session.db.set_meta(_REVIEW_WEEKS_KEY, str(value))
    changed(session, Kind.CALENDAR, whole_school=True, weeks_before=old, weeks_after=value)
