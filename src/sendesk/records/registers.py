"""The other registers: medical/IHP, EAL, looked after and monitoring.

A pupil has at most one open entry on each register. Taking them off sets an end date; the
entry stays as history. Edits keep their old values in the change trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from ..models import dates
from ..models.registers import RegisterEntry, RegisterKind, clean_entry, clean_kind
from ..models.roles import Permission
from ..operations import Kind, changed, operation
from ..session import Session
from ..store.database import Row, Statement
from ._common import as_text, record_changes, require_editable, today
from .school_calendar import calendar_of

_FIELDS = ("start_date", "review_date", "details", "has_ihp", "first_language", "pep_date",
           "responsible_la", "protected_address", "pep_review_date")


def entry_from_row(row: Row) -> RegisterEntry:
    return RegisterEntry(
        id=row["id"], pupil_id=row["pupil_id"], kind=RegisterKind(row["register"]),
        start_date=dt.date.fromisoformat(row["start_date"]), end_date=dates.from_text(row["end_date"]),
        review_date=dates.from_text(row["review_date"]), details=row["details"],
        has_ihp=bool(row["has_ihp"]), first_language=row["first_language"],
        pep_date=dates.from_text(row["pep_date"]), responsible_la=row["responsible_la"],
        protected_address=row["protected_address"], entered_at=row["entered_at"],
        pep_review_date=dates.from_text(row["pep_review_date"]))


def _stored(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {name: (int(value) if isinstance(value, bool) else as_text(value))
            for name, value in fields.items()}


def _entry_row(session: Session, entry_id: int) -> Row:
    row = session.db.query_one("SELECT * FROM register_entries WHERE id = ?", (int(entry_id),))
    if row is None:
        raise ValidationError("That register entry is not in this database.", field="register")
    return row


@operation(Permission.EDIT_PUPILS, audit="added a register entry")
def add_entry(session: Session, pupil_id: int, kind: RegisterKind | str,
              raw: Mapping[str, Any]) -> int:
    """Put a pupil on a register from a start date."""
    register = clean_kind(kind)
    fields = _stored(clean_entry(register, raw, today(session)))
    _review_on_a_school_day(session, fields["review_date"])
    require_editable(session, pupil_id)
    if session.db.scalar("SELECT 1 FROM register_entries WHERE pupil_id = ? AND register = ?"
                         " AND end_date IS NULL", (int(pupil_id), register.value)):
        raise ValidationError(f"The pupil is already on the {register.label.lower()} "
                              "register; edit that entry instead.", field="register")
    cursor = session.db.execute(
        "INSERT INTO register_entries (pupil_id, register, " + ", ".join(_FIELDS)
        + ", entered_at, entered_by) VALUES (:pupil_id, :register, "
        + ", ".join(f":{name}" for name in _FIELDS) + ", :entered_at, :entered_by)",
        {**fields, "pupil_id": int(pupil_id), "register": register.value,
         "entered_at": session.now_text(), "entered_by": session.user.id})
    entry_id = int(cursor.lastrowid)
    changed(session, Kind.REGISTER, int(pupil_id), register=register.value, entry_id=entry_id)
    return entry_id


def _review_on_a_school_day(session: Session, review_date: str | None) -> None:
    """A new review date is a day the school is open, or the agenda would show it on another
    day (one already on the record is left as it is)."""
    if review_date is not None:
        calendar_of(session).check_school_day(dt.date.fromisoformat(review_date), "review_date")


@operation(Permission.EDIT_PUPILS, audit="changed a register entry")
def update_entry(session: Session, entry_id: int, changes: Mapping[str, Any]) -> list[str]:
    """Change an open entry (for example a new review or PEP date); returns changed fields."""
    row = _entry_row(session, entry_id)
    require_editable(session, row["pupil_id"])
    if row["end_date"] is not None:
        raise ValidationError("This register entry has ended and is kept as history.",
                              field="register")
    entry = entry_from_row(row)
    merged = {name: getattr(entry, name) for name in _FIELDS} | dict(changes)
    new = _stored(clean_entry(entry.kind, merged, today(session)))
    if new["review_date"] != row["review_date"]:
        _review_on_a_school_day(session, new["review_date"])
    fields = record_changes(session, row["pupil_id"], "register", row["id"],
                            {name: row[name] for name in _FIELDS}, new)
    if fields:
        session.db.execute("UPDATE register_entries SET "
                           + ", ".join(f"{name} = :{name}" for name in _FIELDS)
                           + " WHERE id = :id", {**new, "id": row["id"]})
        changed(session, Kind.REGISTER, row["pupil_id"], register=row["register"],
                entry_id=row["id"], fields=fields)
    return fields


@operation(Permission.EDIT_PUPILS, audit="ended a register entry")
def end_entry(session: Session, entry_id: int, end_date: dt.date | str) -> None:
    """Take the pupil off the register from a date; the entry is kept."""
    day = dates.require_date(end_date, "End date")
    dates.not_after(day, today(session), "End date")
    row = _entry_row(session, entry_id)
    require_editable(session, row["pupil_id"])
    if row["end_date"] is not None:
        raise ValidationError("This register entry has already ended.", field="register")
    dates.not_before(day, dt.date.fromisoformat(row["start_date"]), "End date",
                     "the start date")
    record_changes(session, row["pupil_id"], "register", row["id"], {"end_date": None},
                   {"end_date": day})
    session.db.execute("UPDATE register_entries SET end_date = ? WHERE id = ?",
                       (day.isoformat(), row["id"]))
    changed(session, Kind.REGISTER, row["pupil_id"], register=row["register"],
            entry_id=row["id"])


@operation(Permission.VIEW_RECORDS, writes=False)
def list_entries(session: Session, pupil_id: int, include_ended: bool = True) -> list[RegisterEntry]:
    """A pupil's register entries in the order they started."""
    return [entry_from_row(row)
            for row in session.db.query(*list_entries_read(pupil_id, include_ended))]


def list_entries_read(pupil_id: int, include_ended: bool = True) -> Statement:
    return ("SELECT * FROM register_entries WHERE pupil_id = ?"
            + ("" if include_ended else " AND end_date IS NULL") + " ORDER BY start_date, id",
            (int(pupil_id),))
