"""Reviews due: every open pathway's next review, most urgent first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...models import dates, reviews
from ...models.apdr import Stage
from ...models.roles import Permission
from ...operations import operation
from ...session import Session
from .._common import today


@dataclass(frozen=True)
class DueReview:
    pupil_id: int
    pupil_name: str
    year_group: str
    pathway_id: int
    stage: Stage
    cycle_id: int
    cycle_number: int
    review_date: dt.date | None
    state: reviews.ReviewState
    days_overdue: int
    reviews_last_year: int
    too_few_reviews: bool


@operation(Permission.VIEW_RECORDS, writes=False)
def reviews_due(session: Session, *, include_upcoming: bool = True) -> list[DueReview]:
    """Every open pathway's next review, most urgent first: overdue, due within two weeks,
    no agreed plan yet, then booked. Also flags pathways with fewer than three reviews in the
    last year."""
    day = today(session)
    rows = session.db.query(
        "SELECT w.id AS pathway_id, w.pupil_id, w.stage, w.opened_on, c.id AS cycle_id, c.number,"
        " pl.review_date, pl.agreed_at, p.legal_surname, p.legal_forename, p.preferred_surname,"
        " p.preferred_forename, p.year_group, p.sort_key"
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
    urgency = {reviews.ReviewState.OVERDUE: 0, reviews.ReviewState.DUE: 1,
               reviews.ReviewState.NO_PLAN: 2, reviews.ReviewState.UPCOMING: 3}
    stages = {stage.value: stage for stage in Stage}
    found = []
    # Unpacked by position: at county scale this loop runs for thousands of open pathways.
    for (pathway_id, pupil_id, stage, opened_on, cycle_id, number, review_text, agreed_at,
         legal_surname, legal_forename, preferred_surname, preferred_forename, year_group,
         sort_key) in rows:
        review_date = dates.from_text(review_text) if agreed_at else None
        state = reviews.review_state(review_date, day)
        if state is reviews.ReviewState.UPCOMING and not include_upcoming:
            continue
        held_in_year = held.get(pupil_id, 0)
        name = f"{preferred_surname or legal_surname}, {preferred_forename or legal_forename}"
        due = DueReview(
            pupil_id, name, year_group, pathway_id, stages[stage], cycle_id, number, review_date,
            state, reviews.days_overdue(review_date, day),
            held_in_year, reviews.too_few_held(dt.date.fromisoformat(opened_on), held_in_year, day))
        found.append(((urgency[state], review_date or dt.date.max, sort_key), due))
    found.sort(key=lambda pair: pair[0])
    return [due for _, due in found]
