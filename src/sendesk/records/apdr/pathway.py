"""SEND pathways: opening one (with cycle 1) and reading a pupil's pathways and cycles."""

from __future__ import annotations

import datetime as dt

from ...errors import ValidationError
from ...models import apdr as rules
from ...models import dates
from ...models.apdr import Cycle, Pathway, Stage
from ...models.roles import Permission
from ...operations import Kind, changed, operation
from ...session import Session
from .._common import require_editable, today
from ._context import _cycle_row
from .reading import _cycle_from_row, _pathway_from_row, _pathways_of_pupil


@operation(Permission.VIEW_RECORDS, writes=False)
def pathways(session: Session, pupil_id: int) -> list[Pathway]:
    """Every SEND pathway of a pupil with all its cycles, oldest first."""
    return _pathways_of_pupil(session, pupil_id)


@operation(Permission.VIEW_RECORDS, writes=False)
def current_pathway(session: Session, pupil_id: int) -> Pathway | None:
    """The pupil's open pathway, if they have one."""
    row = session.db.query_one("SELECT * FROM send_pathways WHERE pupil_id = ? AND status = 'open'",
                               (int(pupil_id),))
    return None if row is None else _pathway_from_row(session, row)


@operation(Permission.VIEW_RECORDS, writes=False)
def get_cycle(session: Session, cycle_id: int) -> Cycle:
    return _cycle_from_row(session, _cycle_row(session, cycle_id))


@operation(Permission.VIEW_RECORDS, writes=False)
def cycle_counts(session: Session, pupil_id: int) -> rules.CycleCount:
    """Cycles of every pathway the pupil has had (the evidence an EHC needs assessment asks for)."""
    rows = session.db.query(
        "SELECT c.stage, r.completed_at IS NOT NULL AS reviewed FROM apdr_cycles c"
        " JOIN send_pathways p ON p.id = c.pathway_id"
        " LEFT JOIN apdr_reviews r ON r.cycle_id = c.id WHERE p.pupil_id = ?", (int(pupil_id),))
    return rules.count_cycles((row["stage"], bool(row["reviewed"])) for row in rows)


@operation(Permission.MANAGE_PLANS, audit="opened a SEND pathway")
def open_pathway(session: Session, pupil_id: int, opened_on: dt.date | str,
                 stage: Stage | str = Stage.TARGETED) -> int:
    """Start a pupil's SEND pathway (with cycle 1) from a date; returns the pathway's id.

    The graduated approach is SEN support, so the pupil must be on the register as K. Starting
    at the specialist stage is for a sudden, significant change in need or a pupil who arrives
    with specialist provision already in place.
    """
    day = dates.require_date(opened_on, "Start date")
    dates.not_after(day, today(session), "Start date")
    stage = Stage(stage)
    pupil = require_editable(session, pupil_id)
    if pupil["sen_status"] != "K":
        raise ValidationError("The graduated approach is for pupils at SEN support. Record the "
                              "pupil on the SEN register as K (SEN support) first.",
                              field="pupil")
    if session.db.scalar("SELECT 1 FROM send_pathways WHERE pupil_id = ? AND status = 'open'",
                         (pupil["id"],)):
        raise ValidationError("The pupil already has an open SEND pathway; carry on with its "
                              "current cycle.", field="pupil")
    last_closed = session.db.scalar("SELECT max(closed_on) FROM send_pathways WHERE pupil_id = ?",
                                    (pupil["id"],))
    if last_closed:
        dates.not_before(day, dt.date.fromisoformat(last_closed), "Start date",
                         "the end of the pupil's last pathway")
    now = session.now_text()
    cursor = session.db.execute(
        "INSERT INTO send_pathways (pupil_id, stage, opened_on, entered_at, entered_by)"
        " VALUES (?, ?, ?, ?, ?)", (pupil["id"], stage.value, day.isoformat(), now, session.user.id))
    pathway_id = int(cursor.lastrowid)
    cycle_id = _start_cycle(session, pathway_id, 1, stage, day)
    changed(session, Kind.PATHWAY, pupil["id"], pathway_id=pathway_id, stage=stage.value,
            cycle_id=cycle_id)
    return pathway_id


def _start_cycle(session: Session, pathway_id: int, number: int, stage: Stage, day: dt.date) -> int:
    cursor = session.db.execute(
        "INSERT INTO apdr_cycles (pathway_id, number, stage, started_on, entered_at, entered_by)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (pathway_id, number, stage.value, day.isoformat(), session.now_text(), session.user.id))
    return int(cursor.lastrowid)
