"""A pupil's exam access arrangements, stored.

The SENCO (Permission.MANAGE_PLANS) records each arrangement with its assessment, evidence and
dates; anyone who may view records may read them. Arrangements are never deleted: one no
longer needed is withdrawn on a date, and a correction leaves the old values in the pupil's
change trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from ..models import dates
from ..models.exam_access import Arrangement, ExamArrangement, clean_arrangement
from ..models.roles import Permission
from ..operations import Kind, changed, operation
from ..session import Session
from ..store.database import Row
from ._common import pupil_row, record_changes, require_editable, today

_FIELDS = ("arrangement", "detail", "assessment", "evidence", "assessor", "assessed_on",
           "valid_from", "valid_to")


def from_row(row: Row) -> ExamArrangement:
    return ExamArrangement(
        row["id"], row["pupil_id"], Arrangement(row["arrangement"]), row["detail"],
        row["assessment"], row["evidence"], row["assessor"],
        dt.date.fromisoformat(row["assessed_on"]), dt.date.fromisoformat(row["valid_from"]),
        dt.date.fromisoformat(row["valid_to"]), dates.from_text(row["withdrawn_on"]),
        row["entered_at"])


def arrangements_of(session: Session, pupil_id: int) -> list[ExamArrangement]:
    """Without check or audit, for callers that have done both (the full file)."""
    return [from_row(r) for r in session.db.query(
        "SELECT * FROM exam_access_arrangements WHERE pupil_id = ? ORDER BY valid_from, id",
        (int(pupil_id),))]


@operation(Permission.VIEW_RECORDS, writes=False)
def list_arrangements(session: Session, pupil_id: int) -> list[ExamArrangement]:
    """The pupil's arrangements, earliest first, withdrawn and expired ones included."""
    pupil_row(session, pupil_id)
    return arrangements_of(session, pupil_id)


def _row(session: Session, arrangement_id: int) -> Row:
    row = session.db.query_one("SELECT * FROM exam_access_arrangements WHERE id = ?",
                               (int(arrangement_id),))
    if row is None:
        raise ValidationError("That exam access arrangement is not in this database.",
                              field="arrangement")
    require_editable(session, row["pupil_id"])
    if row["withdrawn_on"] is not None:
        raise ValidationError("This arrangement was withdrawn and is kept as it was.",
                              field="arrangement")
    return row


@operation(Permission.MANAGE_PLANS, audit="recorded an exam access arrangement")
def add_arrangement(session: Session, pupil_id: int, raw: Mapping[str, Any]) -> int:
    """Record an arrangement with its assessment, evidence and dates; returns its id."""
    values = clean_arrangement(raw, today(session))
    pupil = require_editable(session, pupil_id)
    arrangement_id = int(session.db.scalar(
        "INSERT INTO exam_access_arrangements (pupil_id, " + ", ".join(_FIELDS)
        + ", entered_at, entered_by) VALUES (:pupil_id, " + ", ".join(f":{n}" for n in _FIELDS)
        + ", :now, :user) RETURNING id",
        {**values, "pupil_id": pupil["id"], "now": session.now_text(), "user": session.user.id}))
    changed(session, Kind.EXAM_ACCESS, pupil["id"], arrangement_id=arrangement_id,
            arrangement=values["arrangement"])
    return arrangement_id


@operation(Permission.MANAGE_PLANS, audit="changed an exam access arrangement")
def update_arrangement(session: Session, arrangement_id: int,
                       changes: Mapping[str, Any]) -> list[str]:
    """Correct an arrangement (fields not given keep their values); returns what changed."""
    row = _row(session, arrangement_id)
    values = clean_arrangement({n: changes.get(n, row[n]) for n in _FIELDS}, today(session))
    fields = record_changes(session, row["pupil_id"], "exam access", row["id"],
                            {n: row[n] for n in _FIELDS}, values)
    if fields:
        session.db.execute(
            "UPDATE exam_access_arrangements SET " + ", ".join(f"{n} = :{n}" for n in _FIELDS)
            + ", updated_at = :now, updated_by = :user WHERE id = :id",
            {**values, "now": session.now_text(), "user": session.user.id, "id": row["id"]})
        changed(session, Kind.EXAM_ACCESS, row["pupil_id"], arrangement_id=row["id"],
                fields=fields)
    return fields


@operation(Permission.MANAGE_PLANS, audit="withdrew an exam access arrangement")
def withdraw_arrangement(session: Session, arrangement_id: int, withdrawn_on: dt.date | str) -> None:
    """The arrangement is no longer needed from that day; it stays on record."""
    day = dates.require_date(withdrawn_on, "Date withdrawn")
    row = _row(session, arrangement_id)
    dates.not_after(day, today(session), "Date withdrawn")
    dates.not_before(day, dt.date.fromisoformat(row["assessed_on"]), "Date withdrawn",
                     "the date assessed")
    record_changes(session, row["pupil_id"], "exam access", row["id"], {"withdrawn_on": None},
                   {"withdrawn_on": day.isoformat()})
    session.db.execute("UPDATE exam_access_arrangements SET withdrawn_on = ?, updated_at = ?,"
                       " updated_by = ? WHERE id = ?",
                       (day.isoformat(), session.now_text(), session.user.id, row["id"]))
    changed(session, Kind.EXAM_ACCESS, row["pupil_id"], arrangement_id=row["id"])
