"""Short notes of concerns and early discussions with parents, read in the order the
discussions happened. Anyone who may add notes may write one; only its author, or the SENCO
who oversees their quality, may amend it, and amendments keep the old text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..errors import PermissionDenied, ValidationError
from ..models import dates
from ..models.notes import NOTE_FIELDS, ShortNote, clean_note
from ..models.roles import Permission
from ..models.school_days import require_school_day
from ..operations import Kind, changed, operation
from ..session import Session
from ..store.database import Row, Statement
from . import stale
from ._common import as_text, record_changes, require_editable, today
from .school_calendar import calendar_of

LABELS = {"event_date": "Date of the discussion", "concern": "Concern",
          "parent_discussion": "Discussion with parents", "agreed_actions": "Agreed actions",
          "review_date": "Review by"}


def note_from_row(row: Row) -> ShortNote:
    return ShortNote(row["id"], row["pupil_id"], dt.date.fromisoformat(row["event_date"]),
                     row["author_id"], row["author_name"], row["concern"],
                     row["parent_discussion"], row["agreed_actions"],
                     dates.from_text(row["review_date"]), dates.from_text(row["reviewed_on"]),
                     row["entered_at"])


def _note_row(session: Session, note_id: int) -> Row:
    row = session.db.query_one(
        "SELECT n.*, coalesce(u.full_name, '') AS author_name FROM short_notes n"
        " LEFT JOIN users u ON u.id = n.author_id WHERE n.id = ?", (int(note_id),))
    if row is None:
        raise ValidationError("That note is not in this database.", field="note")
    return row


def _review_on_a_school_day(session: Session, review: dt.date | None,
                            stored: str | None = None) -> None:
    """A new review date is a day the school is open, or the note would come due on a day
    nobody is in; one already on the note (set before this rule) is left as it is."""
    if review is not None and review.isoformat() != stored:
        require_school_day(calendar_of(session), review, "review_date")


@operation(Permission.ADD_NOTES, audit="added a short note")
def add_note(session: Session, pupil_id: int, raw: Mapping[str, Any]) -> int:
    cleaned = clean_note(raw, today(session))
    _review_on_a_school_day(session, cleaned["review_date"])
    fields = {name: as_text(value) for name, value in cleaned.items()}
    require_editable(session, pupil_id)
    cursor = session.db.execute(
        "INSERT INTO short_notes (pupil_id, author_id, entered_at, " + ", ".join(NOTE_FIELDS)
        + ") VALUES (:pupil_id, :author_id, :entered_at, "
        + ", ".join(f":{name}" for name in NOTE_FIELDS) + ")",
        {**fields, "pupil_id": int(pupil_id), "author_id": session.user.id,
         "entered_at": session.now_text()})
    note_id = int(cursor.lastrowid)
    changed(session, Kind.NOTE, int(pupil_id), note_id=note_id)
    return note_id


def _may_amend(session: Session, row: Row) -> None:
    """After the declared ADD_NOTES: only the author, or whoever oversees the notes."""
    if row["author_id"] != session.user.id and not session.can(Permission.MANAGE_PLANS):
        raise PermissionDenied("Only the note's author or the SENCO may change a short note.")


@operation(Permission.ADD_NOTES, audit="amended a short note")
def amend_note(session: Session, note_id: int, changes: Mapping[str, Any],
               expected: Mapping[str, Any] | None = None) -> list[str]:
    """Correct or add to a note; returns the changed fields. ``expected``: the note as the
    form opened it; refused (records/stale.py) if another PC amended it since."""
    row = _note_row(session, note_id)
    _may_amend(session, row)
    require_editable(session, row["pupil_id"])
    if expected is not None:
        was = {name: expected.get(name) for name in NOTE_FIELDS}
        stale.require_unchanged(
            session, what=f"the note of {dates.format_uk(dt.date.fromisoformat(row['event_date']))}",
            expected=was, stored={name: row[name] for name in NOTE_FIELDS},
            mine=was | dict(changes), labels=LABELS, pupil_id=row["pupil_id"],
            record_type="note", record_id=row["id"],
            now={name: getattr(note_from_row(row), name) for name in NOTE_FIELDS})
    merged = {name: row[name] for name in NOTE_FIELDS} | dict(changes)
    cleaned = clean_note(merged, today(session))
    _review_on_a_school_day(session, cleaned["review_date"], row["review_date"])
    new = {name: as_text(value) for name, value in cleaned.items()}
    fields = record_changes(session, row["pupil_id"], "note", row["id"],
                            {name: row[name] for name in NOTE_FIELDS}, new)
    if fields:
        session.db.execute("UPDATE short_notes SET "
                           + ", ".join(f"{name} = :{name}" for name in NOTE_FIELDS)
                           + " WHERE id = :id", {**new, "id": row["id"]})
        changed(session, Kind.NOTE, row["pupil_id"], note_id=row["id"], fields=fields)
    return fields


@operation(Permission.ADD_NOTES, audit="reviewed a short note")
def mark_reviewed(session: Session, note_id: int, reviewed_on: dt.date | str) -> None:
    """The note's review has happened; it no longer counts as due."""
    day = dates.require_date(reviewed_on, "Date reviewed")
    dates.not_after(day, today(session), "Date reviewed")
    row = _note_row(session, note_id)
    _may_amend(session, row)
    require_editable(session, row["pupil_id"])
    if row["reviewed_on"] is not None:
        raise ValidationError("This note has already been reviewed.", field="note")
    dates.not_before(day, dt.date.fromisoformat(row["event_date"]), "Date reviewed",
                     "the date of the discussion")
    record_changes(session, row["pupil_id"], "note", row["id"], {"reviewed_on": None},
                   {"reviewed_on": day})
    session.db.execute("UPDATE short_notes SET reviewed_on = ? WHERE id = ?",
                       (day.isoformat(), row["id"]))
    changed(session, Kind.NOTE, row["pupil_id"], note_id=row["id"])


@operation(Permission.VIEW_RECORDS, writes=False)
def list_notes(session: Session, pupil_id: int) -> list[ShortNote]:
    """A pupil's notes in the order the discussions happened."""
    return [note_from_row(row) for row in session.db.query(*list_notes_read(pupil_id))]


def list_notes_read(pupil_id: int) -> Statement:
    return ("SELECT n.*, coalesce(u.full_name, '') AS author_name FROM short_notes n LEFT JOIN"
            " users u ON u.id = n.author_id WHERE n.pupil_id = ?"
            " ORDER BY n.event_date, n.entered_at, n.id", (int(pupil_id),))
