"""The day a held review's record was shared with the parents.

A held review is fixed for good, but sharing its record with the family comes after the
meeting, so the date is kept beside the review (apdr_review_shares), may be corrected, and
each entry or correction is in the pupil's history.
"""

from __future__ import annotations

import datetime as dt

from ...errors import ValidationError
from ...models import dates
from ...models.roles import Permission
from ...operations import Kind, changed, operation
from ...session import Session
from .._common import record_changes, require_editable, today
from ._context import _cycle_row, _pathway_row


@operation(Permission.MANAGE_PLANS, audit="recorded a review shared with parents")
def record_review_shared(session: Session, cycle_id: int, shared_on: dt.date | str) -> None:
    """Note the day the record of the cycle's held review was shared with the parents."""
    day = dates.require_date(shared_on, "Shared with parents on")
    cycle = _cycle_row(session, cycle_id)
    pupil = require_editable(session, _pathway_row(session, cycle["pathway_id"])["pupil_id"])
    review = session.db.query_one("SELECT id, held_on, completed_at FROM apdr_reviews"
                                  " WHERE cycle_id = ?", (cycle["id"],))
    if review is None or review["completed_at"] is None:
        raise ValidationError("Hold the review first; its record can then be shared with the "
                              "parents.", field="shared_on")
    dates.not_after(day, today(session), "Shared with parents on")
    dates.not_before(day, dt.date.fromisoformat(review["held_on"]), "Shared with parents on",
                     "the review meeting")
    old = session.db.query_one("SELECT id, shared_on FROM apdr_review_shares WHERE review_id = ?",
                               (review["id"],))
    if not record_changes(session, pupil["id"], "review shared", review["id"],
                          {"shared_on": old["shared_on"] if old else None}, {"shared_on": day}):
        return
    if old is None:
        session.db.execute("INSERT INTO apdr_review_shares (review_id, shared_on, entered_at,"
                           " entered_by) VALUES (?, ?, ?, ?)",
                           (review["id"], day.isoformat(), session.now_text(), session.user.id))
    else:
        session.db.execute("UPDATE apdr_review_shares SET shared_on = ?, entered_at = ?,"
                           " entered_by = ? WHERE id = ?",
                           (day.isoformat(), session.now_text(), session.user.id, old["id"]))
    changed(session, Kind.PATHWAY, pupil["id"], cycle_id=cycle["id"], review_id=review["id"])
