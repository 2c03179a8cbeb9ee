"""Reviews due: every open pathway's next review, most urgent first, and every pupil on the SEN
register with no current plan, so that no one at SEN support is left unseen.

This is the one place that says which reviews are overdue and who has no plan: Home counts
from it (records/dashboard.py) and the pupil list filters with its NO_CURRENT_PLAN condition,
so Home's "Support plan reviews overdue" and this list's "overdue" are the same number.
"""

from __future__ import annotations

import datetime as dt
import functools
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
# The open pathways' plans are read from records/pathway_plans.py's derived table (has_plan:
# any cycle's plan agreed), not searched for through every cycle.
NO_CURRENT_PLAN = (
    "((pupils.sen_status = 'K' AND NOT EXISTS (SELECT 1 FROM pathway_plans pp"
    " WHERE pp.pupil_id = pupils.id AND pp.has_plan = 1))"
    " OR (pupils.sen_status = 'E' AND NOT EXISTS (SELECT 1 FROM ehc_plans e"
    " WHERE e.pupil_id = pupils.id AND e.ceased_on IS NULL)))")


# Not frozen: a frozen dataclass sets each field through object.__setattr__, 4 microseconds a
# row against 0.3, and Reviews due and Home build one per open pathway (6,700 at county scale).
@dataclass(slots=True)
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
                calendar: SchoolCalendar | None = None, checks: bool = True) -> list[DueReview]:
    """Every open pathway's next review, most urgent first: overdue, no plan at all, due within
    two weeks, no agreed plan yet, then booked. Also flags pathways with fewer reviews in the
    last year than SEN support needs, agreed review dates that break the termly rule, and a
    half-termly review when the needs changed after the plan was agreed. (`calendar`: the
    school's, when the caller has read it already. `checks=False` leaves those three flags
    out, for Home, which counts the same rows and states but shows none of the flags: at a
    county's scale the checks are half the work.)"""
    day = today(session)
    calendar = calendar or school_calendar.calendar_of(session)
    unseen_rows = _unseen(session)
    unseen = {row[0] for row in unseen_rows}
    # Each open pathway's latest cycle and plan, kept ready (records/pathway_plans.py), with
    # its pupil, the last day their needs changed and the reviews held in the last year, in one
    # statement (on the school server each statement is a round trip). Both are counted in SQL
    # for the pupils on an open pathway only: at county scale the last year's reviews run to
    # tens of thousands, and most pupils with recorded needs have no pathway open.
    counted = (f" LEFT JOIN ({_NEEDS_CHANGED}) nc ON nc.pupil_id = pp.pupil_id"
               f" LEFT JOIN ({_HELD}) h ON h.pupil_id = pp.pupil_id")
    rows = session.db.query(
        "SELECT pp.pathway_id, pp.pupil_id, pp.stage, pp.opened_on, pp.cycle_id,"
        " pp.cycle_number, pp.plan_date, pp.review_date, p.legal_surname, p.legal_forename,"
        " p.preferred_surname, p.preferred_forename, p.year_group, p.sort_key, p.sen_status,"
        " p.sen_since, " + ("nc.changed, COALESCE(h.held, 0)" if checks else "NULL, 0")
        + " FROM pathway_plans pp JOIN pupils p ON p.id = pp.pupil_id"
        + (counted if checks else "") + " WHERE p.archived_at IS NULL",
        (reviews.year_before(day).isoformat(), day.isoformat()) if checks else ())
    asked = {pupil: min(requests, key=lambda r: r.review_date)
             for pupil, requests in review_requests.open_by_pupil(session).items()}
    stages = {stage.value: stage for stage in Stage}
    # The same few hundred dates recur across thousands of pathways (plans agreed on the same
    # days, reviews booked for the same weeks): each date read and each calendar rule worked
    # out once per call.
    parse = functools.lru_cache(maxsize=None)(dates.from_text)
    day_of = functools.lru_cache(maxsize=None)(dt.date.fromisoformat)
    problem_of = functools.lru_cache(maxsize=None)(
        lambda plan_date, review: reviews.review_date_problem(plan_date, review, calendar))
    review_by = functools.lru_cache(maxsize=None)(
        lambda changed: reviews.half_termly_review_by(changed, calendar))
    too_few = functools.lru_cache(maxsize=None)(
        lambda since, held: reviews.too_few_held(since, held, day))
    judged = functools.lru_cache(maxsize=None)(
        lambda when: (state := reviews.review_state(when, day), _URGENCY[state],
                      reviews.days_overdue(when, day)))
    found = []
    on_pathway = set()
    # Unpacked by position: at county scale this loop runs for thousands of open pathways.
    for (pathway_id, pupil_id, stage, opened_on, cycle_id, number, plan_text, review_text,
         legal_surname, legal_forename, preferred_surname, preferred_forename,
         year_group, sort_key, sen_status, sen_since, changed_text, held_in_year) in rows:
        on_pathway.add(pupil_id)
        review_date = parse(review_text)   # NULL until the plan is agreed
        plan_review = review_date
        request = asked.get(pupil_id)
        if request is not None and (review_date is None or request.review_date < review_date):
            review_date = request.review_date   # the move's review comes first
        state, urgency, overdue_by = judged(review_date)
        if state is reviews.ReviewState.UPCOMING and not include_upcoming:
            continue
        since = day_of(opened_on)
        if sen_status in ("E", "K") and sen_since:
            since = min(since, day_of(sen_since))
        problem = changed_on = suggested = None
        if checks and plan_review is not None and plan_text is not None:
            plan_date = day_of(plan_text)
            problem = problem_of(plan_date, plan_review)
            if changed_text is not None and changed_text > plan_text:   # ISO dates
                changed_on = day_of(changed_text)
                by = review_by(changed_on)
                suggested = by if by < plan_review else None
        due = DueReview(
            pupil_id, _name(preferred_surname, legal_surname, preferred_forename, legal_forename),
            year_group, pathway_id, stages[stage], cycle_id, number, review_date,
            state, overdue_by, held_in_year, checks and too_few(since, held_in_year),
            pupil_id in unseen, problem, changed_on, suggested, request)
        found.append(((urgency, review_date or dt.date.max, sort_key), due))
    found += _unseen_rows(unseen_rows, on_pathway, asked)
    found += _asked_rows(session, asked, on_pathway | unseen, day, include_upcoming)
    found.sort(key=lambda pair: pair[0])
    return [due for _, due in found]


# The last day each pupil's recorded needs changed (a need added, re-ranked or ended), for the
# pupils on an open pathway.
_NEEDS_CHANGED = (
    "SELECT n.pupil_id, CASE WHEN max(n.end_date) > max(n.start_date) THEN max(n.end_date)"
    " ELSE max(n.start_date) END AS changed FROM sen_needs n"
    " WHERE n.pupil_id IN (SELECT pupil_id FROM pathway_plans) GROUP BY n.pupil_id")

# The reviews each pupil on an open pathway has had in the last year (the two dates given),
# from the impact facts' plan_reviews (records/impact_facts.py): a review is held on an agreed
# plan's cycle, one to a cycle, so its held reviews are the reviews held, without joining
# every review to its cycle and pathway.
_HELD = (
    "SELECT r.pupil_id, count(*) AS held FROM plan_reviews r"
    " WHERE r.held_on BETWEEN ? AND ?"
    " AND r.pupil_id IN (SELECT pupil_id FROM pathway_plans) GROUP BY r.pupil_id")


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
