"""A pupil's year group sets their EHC plan's annual review (Year 6 by 31 December): changing
it moves the review date, and the pupil list's next review with it, through the derived-state
rules (records/derived.py), not a call by hand."""

from __future__ import annotations

import datetime as dt

from apdr_support import sen_support_pupil
from ehc_support import issued_plan
from sendesk.operations import Kind, collect, merged
from sendesk.records import pupils

D = dt.date


def stored_review(session, pupil_id: int) -> dt.date | None:
    """The plan's next review as kept beside the history (what reminders and lists read)."""
    text = session.db.scalar("SELECT next_review_by FROM ehc_plans WHERE pupil_id = ?", (pupil_id,))
    return D.fromisoformat(text) if text else None


def test_moving_a_pupil_into_year_6_brings_their_ehc_review_forward(senco_session):
    pupil_id = sen_support_pupil(senco_session, year_group="4")
    issued_plan(senco_session, pupil_id, D(2026, 3, 10))
    assert stored_review(senco_session, pupil_id) == D(2027, 2, 10)
    with collect(senco_session) as boxes:
        pupils.update_pupil(senco_session, pupil_id, {"year_group": "6"})
    moved = stored_review(senco_session, pupil_id)
    assert moved is not None and moved <= D(2026, 12, 31)
    assert pupils.get_pupil(senco_session, pupil_id).next_review == moved
    changes = merged(boxes)
    assert changes.touches(Kind.EHC) and changes.touches_pupil(pupil_id), "the EHC tab refreshes"
    pupils.update_pupil(senco_session, pupil_id, {"year_group": "4"})
    assert stored_review(senco_session, pupil_id) == D(2027, 2, 10)
    assert pupils.get_pupil(senco_session, pupil_id).next_review == D(2027, 2, 10)
