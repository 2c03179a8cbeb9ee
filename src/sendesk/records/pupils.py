"""Adding, changing, reading and archiving pupils.

Changes never overwrite silently: each changed field is written to field_changes with its old
and new value before the row is updated. Leavers are archived with a retention date and can
be deleted only once that date has passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import PermissionDenied, ValidationError
from ..models import dates
from ..models.flags import flags_from_bits
from ..models.pupils import (
    EDITABLE_FIELDS,
    FIELD_LABELS,
    YEAR_RANK,
    Pupil,
    PupilDetails,
    clean_details,
    search_text,
    sort_key,
)
from ..models.roles import Permission
from ..models.text import clean_line
from ..operations import Kind, changed, operation, viewed
from ..session import Session
from ..store.database import Row, Statement
from . import retention, stale
from ._common import pupil_row, record_changes, require_editable, today
from .school_calendar import calendar_of

INSERT_SQL = (
    "INSERT INTO pupils (upn, legal_surname, legal_forename, preferred_surname, preferred_forename,"
    " dob, gender, year_group, year_rank, class_name, admission_date, created_at, created_by,"
    " sort_key, search_text) VALUES (:upn, :legal_surname, :legal_forename, :preferred_surname,"
    " :preferred_forename, :dob, :gender, :year_group, :year_rank, :class_name, :admission_date,"
    " :created_at, :created_by, :sort_key, :search_text)")


def details_columns(details: PupilDetails) -> dict[str, Any]:
    """The stored form of a pupil's details, with the derived sort and search columns."""
    return {"upn": details.upn, "legal_surname": details.legal_surname,
            "legal_forename": details.legal_forename,
            "preferred_surname": details.preferred_surname,
            "preferred_forename": details.preferred_forename, "dob": details.dob.isoformat(),
            "gender": details.gender, "year_group": details.year_group,
            "year_rank": YEAR_RANK[details.year_group], "class_name": details.class_name,
            "admission_date": dates.to_text(details.admission_date),
            "sort_key": sort_key(details), "search_text": search_text(details)}


def details_from_row(row: Row) -> PupilDetails:
    return PupilDetails(
        upn=row["upn"], legal_surname=row["legal_surname"], legal_forename=row["legal_forename"],
        dob=dt.date.fromisoformat(row["dob"]), gender=row["gender"], year_group=row["year_group"],
        preferred_surname=row["preferred_surname"], preferred_forename=row["preferred_forename"],
        class_name=row["class_name"], admission_date=dates.from_text(row["admission_date"]))


def pupil_from_row(row: Row) -> Pupil:
    return Pupil(id=row["id"], details=details_from_row(row),
                 leaving_date=dates.from_text(row["leaving_date"]), destination=row["destination"],
                 archived_at=row["archived_at"], retain_until=dates.from_text(row["retain_until"]),
                 sen_status=row["sen_status"], primary_need=row["primary_need"],
                 next_review=dates.from_text(row["next_review"]),
                 flags=flags_from_bits(row["flags"]))


def _check_upn_free(session: Session, upn: str, pupil_id: int | None = None) -> None:
    other = session.db.scalar("SELECT id FROM pupils WHERE upn = ?", (upn,))
    if other is not None and other != pupil_id:
        raise ValidationError(f"UPN {upn} already belongs to another pupil in this database.",
                              field="upn")


@operation(Permission.EDIT_PUPILS, audit="added a pupil")
def add_pupil(session: Session, details: PupilDetails | Mapping[str, Any]) -> int:
    """Add one pupil; returns the new id."""
    if not isinstance(details, PupilDetails):
        details = clean_details(details, today(session))
    _check_upn_free(session, details.upn)
    cursor = session.db.execute(INSERT_SQL, {**details_columns(details),
                                             "created_at": session.now_text(),
                                             "created_by": session.user.id})
    pupil_id = int(cursor.lastrowid)
    changed(session, Kind.PUPIL, pupil_id)
    return pupil_id


@operation(Permission.EDIT_PUPILS, audit="changed pupil details")
def update_pupil(session: Session, pupil_id: int, changes: Mapping[str, Any],
                 expected: PupilDetails | None = None) -> list[str]:
    """Change some details; the others stay as they are. Returns the names of changed fields.
    ``expected``: the details as the form opened them; refused (records/stale.py) if another
    PC changed them since."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError("These details cannot be edited here: " + ", ".join(sorted(unknown)))
    row = require_editable(session, pupil_id)
    old = details_from_row(row)
    if expected is not None:
        was = {name: getattr(expected, name) for name in EDITABLE_FIELDS}
        stale.require_unchanged(
            session, what=f"{old.legal_forename} {old.legal_surname}'s details",
            expected=was, stored={name: getattr(old, name) for name in EDITABLE_FIELDS},
            mine=was | dict(changes), labels={k: FIELD_LABELS[k] for k in EDITABLE_FIELDS}, pupil_id=int(pupil_id),
            record_type="pupil", record_id=int(pupil_id), now=old)
    merged = {name: getattr(old, name) for name in EDITABLE_FIELDS} | dict(changes)
    new = clean_details(merged, today(session))
    if new.upn != old.upn:
        _check_upn_free(session, new.upn, int(pupil_id))
    old_columns, new_columns = details_columns(old), details_columns(new)
    stored = {name: new_columns[name] for name in EDITABLE_FIELDS}
    fields = record_changes(session, int(pupil_id), "pupil", int(pupil_id),
                            {name: old_columns[name] for name in EDITABLE_FIELDS}, stored)
    if fields:
        assignments = ", ".join(f"{name} = :{name}" for name in new_columns)
        session.db.execute(f"UPDATE pupils SET {assignments} WHERE id = :id",
                           {**new_columns, "id": int(pupil_id)})
        changed(session, Kind.PUPIL, int(pupil_id), fields=fields)
    return fields


@operation(Permission.VIEW_RECORDS, writes=False, audit="opened a pupil record")
def get_pupil(session: Session, pupil_id: int) -> Pupil:
    """Open one pupil's record: allowed to anyone who may view records, and audited. The typed
    read for everything outside the core (never the raw row)."""
    pupil = pupil_from_row(pupil_row(session, pupil_id))
    viewed(session, "pupil", pupil.id)
    return pupil


@operation(Permission.VIEW_RECORDS, writes=False)
def find_by_upn(session: Session, upn: str) -> int | None:
    """The id of the pupil with this UPN, if any (not audited: it reveals no record)."""
    return session.db.scalar("SELECT id FROM pupils WHERE upn = ?", ((upn or "").strip().upper(),))


@operation(Permission.VIEW_RECORDS, writes=False)
def still_held(session: Session, pupil_ids: Iterable[int]) -> set[int]:
    """Which of these pupils are still in the database, so a window showing one deleted after
    its retention date can close (not audited: it reveals no record)."""
    return {int(pid) for pid in pupil_ids
            if session.db.scalar("SELECT 1 FROM pupils WHERE id = ?", (int(pid),))}


@operation(Permission.EDIT_PUPILS, audit="archived a leaver")
def archive_leaver(session: Session, pupil_id: int, leaving_date: dt.date | str,
                   destination: str = "") -> dt.date:
    """Mark a pupil as left; the record is kept, read-only, until its retention date (returned).
    The leaving date may be ahead up to the end of the school year, as when a leaver's file is
    sent before their last day."""
    left = dates.require_date(leaving_date, "Leaving date")
    latest = calendar_of(session).last_day_of_school_year(today(session))
    dates.not_after(left, latest, "Leaving date",
                    f"the end of this school year ({dates.format_uk(latest)})")
    where_to = clean_line(destination, "Destination", max_length=120, required=False) or None
    row = require_editable(session, pupil_id)
    dob = dt.date.fromisoformat(row["dob"])
    admitted = dates.from_text(row["admission_date"])
    if admitted is not None:
        dates.not_before(left, admitted, "Leaving date", "the admission date")
    keep_until = retention.keep_until(session, dob)
    record_changes(session, row["id"], "pupil", row["id"],
                   {"leaving_date": None, "destination": None},
                   {"leaving_date": left, "destination": where_to})
    session.db.execute(
        "UPDATE pupils SET leaving_date = ?, destination = ?, archived_at = ?, archived_by = ?,"
        " retain_until = ? WHERE id = ?",
        (left.isoformat(), where_to, session.now_text(), session.user.id,
         keep_until.isoformat(), row["id"]))
    changed(session, Kind.PUPIL, row["id"], retain_until=keep_until.isoformat())
    return keep_until


@operation(Permission.EDIT_PUPILS, audit="deleted a pupil record after its retention date")
def delete_after_retention(session: Session, pupil_id: int) -> None:
    """Securely delete an archived pupil's whole record, allowed only once it is past retention.

    secure_delete makes SQLite overwrite the freed pages instead of leaving them in the file,
    so the record does not linger in free space (on top of the file being encrypted).
    """
    session.db.secure_delete()
    row = pupil_row(session, pupil_id)
    if row["archived_at"] is None:
        raise PermissionDenied("Only a leaver's archived record can be deleted; archive the "
                               "pupil first.")
    keep_until = dt.date.fromisoformat(row["retain_until"])
    if today(session) <= keep_until:
        raise PermissionDenied(
            f"This record must be kept until {dates.format_uk(keep_until)} "
            f"({retention.retention_years(session)} years after the pupil's date of birth); it cannot "
            "be deleted before then.")
    # Pathways first: deleting a specialist's recommendation would otherwise blank the link
    # on an agreed plan's provision, which the fixed-plan triggers rightly refuse.
    session.db.execute("DELETE FROM send_pathways WHERE pupil_id = ?", (row["id"],))
    session.db.execute("DELETE FROM pupils WHERE id = ?", (row["id"],))
    changed(session, Kind.PUPIL, row["id"])


@dataclass(frozen=True)
class FieldChange:
    record_type: str
    record_id: int
    field: str
    old_value: str | None
    new_value: str | None
    changed_at: str
    changed_by: str
    from_school: str | None = None   # the previous school that made it; None for this school


def change_history_read(pupil_id: int) -> Statement:
    return ("SELECT f.*, coalesce(u.full_name, '') AS who FROM field_changes f"
            " LEFT JOIN users u ON u.id = f.changed_by WHERE f.pupil_id = ? ORDER BY f.id",
            (int(pupil_id),))


@operation(Permission.VIEW_RECORDS, writes=False)
def change_history(session: Session, pupil_id: int) -> list[FieldChange]:
    """Every edited field of a pupil's record, oldest first."""
    rows = session.db.query(*change_history_read(pupil_id))
    return [FieldChange(r["record_type"], r["record_id"], r["field"], r["old_value"],
                        r["new_value"], r["changed_at"], r["who"], r["from_school"]) for r in rows]
