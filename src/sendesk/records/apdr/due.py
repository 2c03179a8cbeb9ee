"""Reviews due: every open pathway's next review, most urgent first, and every pupil on the SEN
register with no current plan, so that no one at SEN support is left unseen.

This is the one place that says which reviews are overdue and who has no plan: Home counts
from it (records/dashboard.py) and the pupil list filters with its NO_CURRENT_PLAN condition,
so Home's "Support plan reviews overdue" and this list's "overdue" are the same number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...models import dates, reviews
from ...models.apdr import Stage
from ...models.calendar import SchoolCalendar
from ...models.roles import Permission
from ...operations import operation
from ...session import Session
from ...store.database import Row
from .. import review_requests, school_calendar
from .._common import today
from ..review_requests import ReviewRequest

# A pupil on the SEN register with no current plan, as a condition on the pupils table: at K
# (SEN support) without an agreed plan in an open pathway, or at E without a current EHC plan.
NO_CURRENT_PLAN = (
    "((pupils.sen_status = 'K' AND NOT EXISTS (SELECT 1 FROM send_pathways w"
    " JOIN apdr_cycles c ON c.pathway_id = w.id JOIN apdr_plans pl ON pl.cycle_id = c.id"
    " WHERE w.pupil_id = pupils.id AND w.status = 'open' AND pl.agreed_at IS NOT NULL))"
    " OR (pupils.sen_status = 'E' AND NOT EXISTS (SELECT 1 FROM ehc_plans e"
    " WHERE e.pupil_id = pupils.id AND e.ceased_on IS NULL)))")


@dataclass(frozen=True)
class DueReview:
    pupil_id: int
    pupil_name: str
    year_group: str
    pathway_id: int | None      # None for a pupil on no pathway, or with no EHC plan recorded
    stage: Stage | None
    cycle_id: int | None
    cycle_number: int | None
    review_date: dt.date | None
    state: reviews.ReviewState
    days_overdue: int
    reviews_last_year: int
    too_few_reviews: bool
    unseen: bool = False                 # on the register with no current plan (NO_CURRENT_PLAN)
    rule_problem: str | None = None      # an agreed review date that breaks the termly rule
    needs_changed_on: dt.date | None = None
    suggested_by: dt.date | None = None  # a half-termly review, the needs having changed
    request: ReviewRequest | None = None  # the earliest review a move asked for, still open


_URGENCY = {reviews.ReviewState.OVERDUE: 0, reviews.ReviewState.NO_PATHWAY: 1,
            reviews.ReviewState.NO_EHC_PLAN: 1, reviews.ReviewState.DUE: 2,
            reviews.ReviewState.NO_PLAN: 3, reviews.ReviewState.UPCOMING: 4}


def _name(preferred_surname: str | None, legal_surname: str, preferred_forename: str | None,
          legal_forename: str) -> str:
    return f"{preferred_surname or legal_surname}, {preferred_forename or legal_forename}"


def _unseen(session: Session) -> list[Row]:
    """Pupils on roll on the SEN register with no current plan, in name order (read once: the
    search for them is the costliest part of the list)."""
    return session.db.query(
        "SELECT id, legal_surname, legal_forename, preferred_surname, preferred_forename,"
        " year_group, sort_key, sen_status FROM pupils WHERE archived_at IS NULL AND"
        f" sen_status IN ('E', 'K') AND {NO_CURRENT_PLAN} ORDER BY sort_key, id")


@operation(Permission.VIEW_RECORDS, writes=False)
def reviews_due(session: Session, *, include_upcoming: bool = True,
                calendar: SchoolCalendar | None = None) -> list[DueReview]:
    """Every open pathway's next review, most urgent first: overdue, no plan at all, due within
    two weeks, no agreed plan yet, then booked. Also flags pathways with fewer reviews in the
    last year than SEN support needs, agreed review dates that break the termly rule, and a
    half-termly review when the needs changed after the plan was agreed. (`calendar`: the
    school's, when the caller has read it already.)"""
    day = today(session)
    calendar = calendar or school_calendar.calendar_of(session)
    unseen_rows = _unseen(session)
    unseen = {row[0] for row in unseen_rows}
    rows = session.db.query(
        "SELECT w.id AS pathway_id, w.pupil_id, w.stage, w.opened_on, c.id AS cycle_id, c.number,"
        " pl.plan_date, pl.review_date, pl.agreed_at, p.legal_surname, p.legal_forename,"
        " p.preferred_surname, p.preferred_forename, p.year_group, p.sort_key, p.sen_status,"
        " p.sen_since"
        " FROM send_pathways w JOIN pupils p ON p.id = w.pupil_id"
        " JOIN apdr_cycles c ON c.pathway_id = w.id"
        "  AND c.number = (SELECT max(number) FROM apdr_cycles WHERE pathway_id = w.id)"
        " LEFT JOIN apdr_plans pl ON pl.cycle_id = c.id"
        " WHERE w.status = 'open' AND p.archived_at IS NULL")
    # Counted in SQL: at county scale the last year's reviews run to tens of thousands.
    held: dict[int, int] = dict(session.db.query(
        "SELECT p.pupil_id, count(*) FROM apdr_reviews r JOIN apdr_cycles c ON c.id = r.cycle_id"
        " JOIN send_pathways p ON p.id = c.pathway_id WHERE r.completed_at IS NOT NULL"
        " AND r.held_on BETWEEN ? AND ? GROUP BY p.pupil_id",
        (reviews.year_before(day).isoformat(), day.isoformat())))
    needs_changed = _needs_changed(session)
    asked = {pupil: min(requests, key=lambda r: r.review_date)
             for pupil, requests in review_requests.open_by_pupil(session).items()}
    stages = {stage.value: stage for stage in Stage}
    found = []
    on_pathway = set()
    # Unpacked by position: at county scale this loop runs for thousands of open pathways.
    for (pathway_id, pupil_id, stage, opened_on, cycle_id, number, plan_text, review_text,
         agreed_at, legal_surname, legal_forename, preferred_surname, preferred_forename,
         year_group, sort_key, sen_status, sen_since) in rows:
        on_pathway.add(pupil_id)
        review_date = dates.from_text(review_text) if agreed_at else None
        plan_review = review_date
        request = asked.get(pupil_id)
        if request is not None and (review_date is None or request.review_date < review_date):
            review_date = request.review_date   # the move's review comes first
        state = reviews.review_state(review_date, day)
        if state is reviews.ReviewState.UPCOMING and not include_upcoming:
            continue
        held_in_year = held.get(pupil_id, 0)
        since = dt.date.fromisoformat(opened_on)
        if sen_status in ("E", "K") and sen_since:
            since = min(since, dt.date.fromisoformat(sen_since))
        problem = changed_on = suggested = None
        plan_date = dates.from_text(plan_text)
        if plan_review is not None and plan_date is not None:
            problem = reviews.review_date_problem(plan_date, plan_review, calendar)
            changed_on = needs_changed.get(pupil_id)
            if changed_on is not None and changed_on > plan_date:
                by = reviews.half_termly_review_by(changed_on, calendar)
                suggested = by if by < plan_review else None
            else:
                changed_on = None
        due = DueReview(
            pupil_id, _name(preferred_surname, legal_surname, preferred_forename, legal_forename),
            year_group, pathway_id, stages[stage], cycle_id, number, review_date,
            state, reviews.days_overdue(review_date, day),
            held_in_year, reviews.too_few_held(since, held_in_year, day),
            pupil_id in unseen, problem, changed_on, suggested, request)
        found.append(((_URGENCY[state], review_date or dt.date.max, sort_key), due))
    found += _unseen_rows(unseen_rows, on_pathway, asked)
    found += _asked_rows(session, asked, on_pathway | unseen, day, include_upcoming)
    found.sort(key=lambda pair: pair[0])
    return [due for _, due in found]


def _needs_changed(session: Session) -> dict[int, dt.date]:
    """The last day each pupil's recorded needs changed (a need added, re-ranked or ended)."""
    changed: dict[int, dt.date] = {}
    for pupil_id, started, ended in session.db.query(
            "SELECT pupil_id, max(start_date), max(end_date) FROM sen_needs GROUP BY pupil_id"):
        changed[pupil_id] = max(dt.date.fromisoformat(text) for text in (started, ended) if text)
    return changed


def _unseen_rows(unseen: list[Row], on_pathway: set[int],
                 asked: dict[int, ReviewRequest]) -> list[tuple[tuple, DueReview]]:
    """A row for each pupil with no current plan that the pathways above do not already show
    (a K pupil on no pathway), and for each E pupil with no EHC plan recorded."""
    found = []
    for (pupil_id, legal_surname, legal_forename, preferred_surname, preferred_forename,
         year_group, sort_key, sen_status) in unseen:
        if sen_status == "K" and pupil_id in on_pathway:
            continue   # its pathway's row says "No agreed plan"
        state = (reviews.ReviewState.NO_EHC_PLAN if sen_status == "E"
                 else reviews.ReviewState.NO_PATHWAY)
        request = asked.get(pupil_id)   # a move's review is due by its date, plan or not
        due = DueReview(pupil_id, _name(preferred_surname, legal_surname, preferred_forename,
                                        legal_forename), year_group, None, None, None, None,
                        request.review_date if request else None, state, 0, 0, False, True,
                        request=request)
        found.append(((_URGENCY[state], dt.date.max, sort_key), due))
    return found


def _asked_rows(session: Session, asked: dict[int, ReviewRequest], shown: set[int],
                day: dt.date, include_upcoming: bool) -> list[tuple[tuple, DueReview]]:
    """A row for each pupil a move asked to review who has no row above (at E with an EHC
    plan, reviewed outside the graduated approach), so no requested review goes unlisted."""
    found = []
    for pupil_id, request in asked.items():
        if pupil_id in shown:
            continue
        row = session.db.query_one(
            "SELECT legal_surname, legal_forename, preferred_surname, preferred_forename,"
            " year_group, sort_key FROM pupils WHERE id = ? AND archived_at IS NULL", (pupil_id,))
        state = reviews.review_state(request.review_date, day)
        if row is None or (state is reviews.ReviewState.UPCOMING and not include_upcoming):
            continue
        due = DueReview(pupil_id, _name(row["preferred_surname"], row["legal_surname"],
                                        row["preferred_forename"], row["legal_forename"]),
                        row["year_group"], None, None, None, None, request.review_date, state,
                        reviews.days_overdue(request.review_date, day), 0, False,
                        request=request)
        found.append(((_URGENCY[state], request.review_date, row["sort_key"]), due))
    return found


def overdue_ids(found: list[DueReview]) -> list[int]:
    """The pupils whose support plan review is overdue, as Reviews due lists them."""
    return list(dict.fromkeys(d.pupil_id for d in found if d.state is reviews.ReviewState.OVERDUE))


def unseen_pupils(found: list[DueReview]) -> list[int]:
    return list(dict.fromkeys(d.pupil_id for d in found if d.unseen))
