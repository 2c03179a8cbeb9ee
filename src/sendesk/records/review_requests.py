"""Reviews that a move between years or schools asks for.

* A pupil on the SEN register whose year group changes in the MIS import: their plan was
  written for last year's class, so a review is asked for within the school's weeks.
* A records transfer received: the receiving school reviews the provision early in the term,
  within the school's number of school weeks of arrival (default 6; weeks of five school days,
  counted on school days only, so an arrival in the holidays counts from the next term).
* A pupil arriving in Year 7: the secondary school reviews before the end of the autumn term
  of the school year they arrive in, with a costed provision map and a support timetable; one
  arriving after that term, or with under two school weeks of it left, within the school's
  weeks of arrival.

Both count from the day the pupil arrives, their admission date here (a file imported in July
for a September start asks for the review by the September's autumn term, not by today's).

Each request says why and by when, shows on the pupil's record and in their history, and is
met by the first support plan or EHC review held after the day it was raised (a review held
that same day was arranged before the move). An arrival starts afresh: the requests the previous
school still had open, which came in the file, are no longer shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import ValidationError
from ..models import dates
from ..models.calendar import add_school_days
from ..models.roles import Permission
from ..operations import Kind, changed, operation
from ..session import Session
from ..store.database import Statement
from . import school_calendar
from ._common import placeholders, record_changes, today

META_WEEKS = "review_after_arrival_weeks"
DEFAULT_WEEKS = 6
MAX_WEEKS = 14
SCHOOL_DAYS_A_WEEK = 5
ON_REGISTER = ("K", "E")
REASONS = {"year_group": "Moved year group", "arrival": "Arrived with a records transfer",
           "year7": "Arrived in Year 7"}
YEAR7_TASK = ("Year 7 transition review: review before the end of the autumn term, with a "
              "costed provision map (Documents: Costed provision map) and a support timetable.")
YEAR7_LATE = ("Year 7 transition review: arrived on {day}, {when}, so review within {weeks} school "
              "weeks of arrival, with a costed provision map (Documents: Costed provision map) "
              "and a support timetable.")
# A Year 7 review needs the views gathered and the map costed: with fewer school days than
# this left of the autumn term, the school's weeks after arrival apply instead.
YEAR7_LEAST_SCHOOL_DAYS = 2 * SCHOOL_DAYS_A_WEEK


@dataclass(frozen=True)
class ReviewRequest:
    id: int
    pupil_id: int
    reason: str
    detail: str
    review_date: dt.date
    raised_on: dt.date

    @property
    def label(self) -> str:
        return f"Review due by {dates.format_uk(self.review_date)}: {self.why}"

    @property
    def why(self) -> str:
        """The reason in words, its capitals kept ("Arrived in Year 7")."""
        return REASONS[self.reason]


def _weeks(session: Session) -> int:
    value = session.db.scalar("SELECT value FROM meta WHERE key = ?", (META_WEEKS,))
    return int(value) if value else DEFAULT_WEEKS


@operation(Permission.VIEW_RECORDS, writes=False)
def review_weeks(session: Session) -> int:
    """Within how many school weeks of a move its review is asked for (a school setting)."""
    return _weeks(session)


@operation(Permission.SETTINGS, Permission.MANAGE_PLANS,
           audit="changed the weeks to review after a move")
def set_review_weeks(session: Session, weeks: int | str) -> int:
    try:
        value = int(str(weeks).strip())
    except ValueError:
        raise ValidationError("Give the weeks as a whole number.", field="review_weeks") from None
    if not 1 <= value <= MAX_WEEKS:
        raise ValidationError(f"Ask for the review within 1 to {MAX_WEEKS} school weeks of the "
                              "move (about a term at most).", field="review_weeks")
    before = _weeks(session)
    if value != before:
        session.db.set_meta(META_WEEKS, str(value))
        changed(session, Kind.SETTINGS, target=(None, None), weeks_before=before,
                weeks_after=value)
    return value


def _raise(session: Session, pupil_id: int, reason: str, review_date: dt.date,
           detail: str) -> ReviewRequest:
    """One request, inside the caller's operation, noted in the pupil's history."""
    day = today(session)
    request_id = session.db.scalar(
        "INSERT INTO review_requests (pupil_id, reason, detail, review_date, raised_on,"
        " raised_at, raised_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (pupil_id, reason, detail, review_date.isoformat(), day.isoformat(), session.now_text(),
         session.user.id))
    record_changes(session, pupil_id, "review request", int(request_id),
                   {"review_date": None, "detail": None},
                   {"review_date": review_date, "detail": detail})
    changed(session, Kind.PATHWAY, pupil_id, review_requested=reason)
    return ReviewRequest(int(request_id), pupil_id, reason, detail, review_date, day)


def _on_register(session: Session, pupil_ids: Iterable[int]) -> list[int]:
    ids = sorted({int(p) for p in pupil_ids})
    if not ids:
        return []
    return [row["pupil_id"] for row in session.db.query(
        "SELECT pupil_id FROM sen_status_history WHERE end_date IS NULL AND status IN (?, ?)"
        f" AND pupil_id IN ({placeholders(len(ids))}) ORDER BY pupil_id", (*ON_REGISTER, *ids))]


def within_weeks(session: Session, day: dt.date) -> dt.date:
    """The school's number of school weeks after a day, on school days only."""
    return add_school_days(day, _weeks(session) * SCHOOL_DAYS_A_WEEK,
                           school_calendar.calendar_of(session))


def after_year_change(session: Session, pupil_ids: Iterable[int]) -> int:
    """Ask for a review of every pupil on the SEN register whose year group just changed;
    returns how many were asked for (for the import's summary)."""
    found = _on_register(session, pupil_ids)
    if not found:
        return 0
    due = within_weeks(session, today(session))
    for pupil_id in found:
        year = session.db.scalar("SELECT year_group FROM pupils WHERE id = ?", (pupil_id,))
        _raise(session, pupil_id, "year_group", due,
               f"Now in Year {year}: review the plan with the new class teacher by "
               f"{dates.format_uk(due)}.")
    return len(found)


def after_arrival(session: Session, pupil_id: int, sender: str) -> ReviewRequest | None:
    """The receiving school's review of a pupil on the SEN register who arrived with a
    records transfer, counted from their admission date; a Year 7 pupil has the Year 7 review
    instead. A second file for a pupil whose arrival review is still to come asks for nothing more."""
    if not _on_register(session, [pupil_id]) or _arrival_open(session, pupil_id):
        return None
    year7 = _year7(session, pupil_id)
    if year7 is not None:
        return year7
    due = within_weeks(session, _arrived_on(session, pupil_id))
    return _raise(session, pupil_id, "arrival", due,
                  f"Arrived from {sender}: review the provision within {_weeks(session)} school "
                  f"weeks of arrival, by {dates.format_uk(due)}.")


def _arrived_on(session: Session, pupil_id: int) -> dt.date:
    """The day a move is counted from: the pupil's admission date here (past or to come), or
    today when none is recorded or it falls before this school year began (a pupil long on
    roll whose year group or file changes now: the move is now, not years ago)."""
    day = today(session)
    admitted = dates.from_text(session.db.scalar("SELECT admission_date FROM pupils WHERE id = ?",
                                                 (pupil_id,)))
    calendar = school_calendar.calendar_of(session)
    if admitted is None or admitted < calendar.term_dates(calendar.school_year_of(day)).first_day:
        return day
    return admitted


def after_year7_arrival(session: Session, pupil_ids: Iterable[int]) -> list[ReviewRequest]:
    """The Year 7 review for pupils new to the school by the MIS import or a Common Transfer
    File (their SEN status taken from it), as for one arriving with a records transfer: each
    on the SEN register, in Year 7, with no arrival review still to come."""
    found = []
    for pupil_id in _on_register(session, pupil_ids):
        if not _arrival_open(session, pupil_id):
            request = _year7(session, pupil_id)
            if request is not None:
                found.append(request)
    return found


def _arrival_open(session: Session, pupil_id: int) -> bool:
    return any(r.reason in ("arrival", "year7") for r in open_for(session, pupil_id))


def _year7(session: Session, pupil_id: int) -> ReviewRequest | None:
    """A Year 7 pupil is reviewed by the last school day of the autumn term of the school year
    they arrive in (one arriving in the summer holiday, in the year that starts next), or within
    the school's weeks of arrival when they come after it or in its last two school weeks."""
    year = session.db.scalar("SELECT year_group FROM pupils WHERE id = ?", (pupil_id,))
    if year != "7":
        return None
    arrived = _arrived_on(session, pupil_id)
    calendar = school_calendar.calendar_of(session)
    first = calendar.school_day_on_or_after(arrived)
    autumn_end = calendar.school_day_on_or_before(
        calendar.term_dates(calendar.school_year_of(first)).half_terms[1].end)
    if add_school_days(arrived, YEAR7_LEAST_SCHOOL_DAYS, calendar) <= autumn_end:
        due, task = autumn_end, YEAR7_TASK
    else:
        due = within_weeks(session, arrived)
        task = YEAR7_LATE.format(day=dates.format_uk(arrived), weeks=_weeks(session),
                                 when=("after the autumn term" if first > autumn_end
                                       else "in the last two weeks of the autumn term"))
    return _raise(session, pupil_id, "year7", due, task + f" Due by {dates.format_uk(due)}.")


def open_for(session: Session, pupil_id: int) -> list[ReviewRequest]:
    """The pupil's requests not yet met by a review held on or after the day each was raised
    (for rules inside an operation; the record reads them through open_requests)."""
    return open_by_pupil(session, [int(pupil_id)]).get(int(pupil_id), [])


def _where(ids: list[int] | None) -> Statement:
    return ("", ()) if ids is None else (f" AND w.pupil_id IN ({placeholders(len(ids))})",
                                         tuple(ids))


def open_by_pupil_read(ids: list[int] | None) -> Statement:
    """The first of open_by_pupil's reads (the only one, when no pupil has a request)."""
    where, params = _where(ids)
    return ("SELECT * FROM review_requests w WHERE 1 = 1" + where
            + " ORDER BY w.pupil_id, w.raised_on, w.id", params)


def open_by_pupil(session: Session,
                  pupil_ids: Iterable[int] | None = None) -> dict[int, list[ReviewRequest]]:
    """Each pupil's open requests (every pupil's when no ids are given), read in at most three
    queries so Reviews due, Home and the agenda can show them without a query per pupil. The
    requests come first: most schools have few or none, and then the reviews held (a scan of
    every review in the school) are not read at all, or only for the pupils with a request."""
    ids = None if pupil_ids is None else sorted({int(p) for p in pupil_ids})
    if ids == []:
        return {}
    where, params = _where(ids)
    found: dict[int, list[ReviewRequest]] = {}
    for r in session.db.query(*open_by_pupil_read(ids)):
        found.setdefault(r["pupil_id"], []).append(ReviewRequest(
            r["id"], r["pupil_id"], r["reason"], r["detail"],
            dt.date.fromisoformat(r["review_date"]), dt.date.fromisoformat(r["raised_on"])))
    if not found:
        return {}
    asked = " AND w.pupil_id IN (SELECT q.pupil_id FROM review_requests q)"
    held: dict[int, dt.date] = {}
    for pupil, text in (
            session.db.query("SELECT w.pupil_id, max(r.held_on) FROM apdr_reviews r JOIN"
                             " apdr_cycles c ON c.id = r.cycle_id JOIN send_pathways w ON"
                             " w.id = c.pathway_id WHERE r.completed_at IS NOT NULL" + where
                             + asked + " GROUP BY w.pupil_id", params)
            + session.db.query("SELECT w.pupil_id, max(v.held_on) FROM ehc_reviews v JOIN"
                               " ehc_plans w ON w.id = v.plan_id WHERE v.held_on IS NOT NULL"
                               + where + asked + " GROUP BY w.pupil_id", params)):
        day = dates.from_text(text)
        if day is not None:
            held[pupil] = max(held.get(pupil, dt.date.min), day)
    still_open = {}
    for pupil, requests in found.items():
        # An arrival starts afresh: what the previous school still had open came with the file.
        arrived = max((n for n, r in enumerate(requests) if r.reason in ("arrival", "year7")),
                      default=0)
        latest = held.get(pupil, dt.date.min)
        kept = [r for r in requests[arrived:] if r.raised_on > latest]
        if kept:
            still_open[pupil] = kept
    return still_open


@operation(Permission.VIEW_RECORDS, writes=False)
def open_requests(session: Session, pupil_id: int) -> list[ReviewRequest]:
    """The reviews a move asked for that no review has met yet."""
    return open_for(session, pupil_id)
