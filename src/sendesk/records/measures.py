"""Entry and exit measures: for each pupil on each provision line, and for each member of a
provision group, the measure it is judged by, the baseline taken as it starts and the same
measure taken as it ends.

A row of provision_measures belongs to a plan's provision line (item_id set) or to a pupil's
place in a group (group_id set, item_id NULL); either way pupil_id names the pupil, and the
impact figures read both alike. The entry may not be before the pupil's date of birth, nor more
than six weeks before the line started (or, with no start, its plan's date) or the group
started: a baseline is taken as the provision starts, or just before.

Which way a measure improves is the school's one answer for its name (records/
measure_directions.py): a form that says so (lower_is_better) records it for the name, and
each measure read carries it, so its gain is the improvement.

Recorded and corrected by the SENCO; a correction keeps the old values in the change trail,
and one entered by mistake is removed (kept, marked removed) rather than deleted. They may be
recorded on any provision line of the pupil's, whether its cycle is still running or already
reviewed (the exit score often comes after the review), but not once the pupil has left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from ..models import dates
from ..models.measures import Measure, MeasureKind, clean_measure, direction_key, earliest_entry
from ..models.roles import Permission
from ..models.text import clean_text
from ..operations import Kind, changed, operation
from ..session import Session
from ..store.database import Row
from . import measure_directions
from ._common import pupil_row, record_changes, require_editable, today

_COLUMNS = ("kind", "name", "entry_value", "entry_date", "exit_value", "exit_date", "note")


def _measure(row: Row, lower: frozenset[str] = frozenset()) -> Measure:
    return Measure(id=row["id"], pupil_id=row["pupil_id"], item_id=row["item_id"],
                   kind=MeasureKind(row["kind"]), name=row["name"],
                   entry_value=row["entry_value"], entry_date=dates.from_text(row["entry_date"]),
                   exit_value=row["exit_value"], exit_date=dates.from_text(row["exit_date"]),
                   note=row["note"] or "", group_id=row["group_id"],
                   lower_is_better=direction_key(row["name"]) in lower)


def _measures(session: Session, rows: list[Row]) -> list[Measure]:
    lower = measure_directions.lower_names(session.db) if rows else frozenset()
    return [_measure(row, lower) for row in rows]


def _stored(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": fields["kind"].value, "name": fields["name"],
            "entry_value": fields["entry_value"], "entry_date": dates.to_text(fields["entry_date"]),
            "exit_value": fields["exit_value"], "exit_date": dates.to_text(fields["exit_date"]),
            "note": fields["note"]}


def _item_pupil(session: Session, item_id: int) -> int:
    return _item(session, item_id)[0]


def _item(session: Session, item_id: int) -> tuple[int, Row]:
    """The pupil a provision line belongs to, and the line's start and its plan's date."""
    row = session.db.query_one(
        "SELECT w.pupil_id, i.started_on, p.plan_date FROM apdr_provision_items i"
        " JOIN apdr_plans p ON p.id = i.plan_id"
        " JOIN apdr_cycles c ON c.id = p.cycle_id JOIN send_pathways w ON w.id = c.pathway_id"
        " WHERE i.id = ? AND i.removed_at IS NULL", (int(item_id),))
    if row is None:
        raise ValidationError("That provision is not in this database.", field="provision")
    return int(row["pupil_id"]), row


def _group_start(session: Session, group_id: int, pupil_id: int) -> dt.date:
    """The group's start date, once it is known the pupil is, or was, one of its members."""
    start = session.db.scalar("SELECT start_date FROM provision_groups WHERE id = ?",
                              (int(group_id),))
    if start is None:
        raise ValidationError("That group is not in this database.", field="group")
    if session.db.scalar("SELECT count(*) FROM provision_group_members WHERE group_id = ?"
                         " AND pupil_id = ?", (int(group_id), int(pupil_id))) == 0:
        raise ValidationError("That pupil has not been in this group; add them to it first.",
                              field="pupil")
    return dates.require_date(start, "Start date")


def _earliest(session: Session, row: Row, item_id: int | None, group_id: int | None
              ) -> list[tuple[dt.date, str]]:
    """The days the entry cannot be before (models.measures.earliest_entry), for a line or a
    group."""
    born = dates.from_text(row["dob"])
    if group_id is not None:
        return earliest_entry(born, _group_start(session, group_id, row["id"]),
                              "the group started")
    assert item_id is not None
    line = _item(session, item_id)[1]
    if line["started_on"]:
        return earliest_entry(born, dates.from_text(line["started_on"]), "the provision started")
    return earliest_entry(born, dates.from_text(line["plan_date"]), "the plan's date")


def _row(session: Session, measure_id: int) -> Row:
    row = session.db.query_one("SELECT * FROM provision_measures WHERE id = ?"
                               " AND removed_at IS NULL", (int(measure_id),))
    if row is None:
        raise ValidationError("That measure is not in this database (it may have been "
                              "removed).", field="measure")
    return row


def _not_twice(session: Session, pupil_id: int, item_id: int | None, name: str,
               other_than: int | None = None, group_id: int | None = None) -> None:
    where = "item_id = ?" if item_id is not None else "item_id IS NULL AND group_id = ?"
    for row in session.db.query(
            f"SELECT id, name FROM provision_measures WHERE pupil_id = ? AND {where}"
            " AND removed_at IS NULL", (pupil_id, item_id if item_id is not None else group_id)):
        if row["id"] != other_than and row["name"].casefold() == name.casefold():
            raise ValidationError(f"This provision already has a '{row['name']}' measure; "
                                  "correct that one instead.", field="Name of the measure")


@operation(Permission.MANAGE_PLANS, audit="recorded an entry measure")
def record_measure(session: Session, item_id: int, raw: Mapping[str, Any]) -> int:
    """A pupil's entry (and, if it is already known, exit) on a provision line; returns its id."""
    pupil_id = _item_pupil(session, item_id)
    return _record(session, pupil_id, int(item_id), None, raw)


@operation(Permission.MANAGE_PLANS, audit="recorded an entry measure")
def record_group_measure(session: Session, group_id: int, pupil_id: int,
                         raw: Mapping[str, Any]) -> int:
    """A group member's entry (and exit, if known) on the group; returns its id. The pupil
    must be, or have been, in the group (the exit is often taken after they leave it)."""
    return _record(session, int(pupil_id), None, int(group_id), raw)


def _record(session: Session, pupil_id: int, item_id: int | None, group_id: int | None,
            raw: Mapping[str, Any]) -> int:
    row = require_editable(session, pupil_id)
    fields = clean_measure(raw, today(session), _earliest(session, row, item_id, group_id))
    _not_twice(session, pupil_id, item_id, fields["name"], group_id=group_id)
    measure_id = int(session.db.scalar(
        "INSERT INTO provision_measures (pupil_id, item_id, group_id, kind, name, entry_value,"
        " entry_date, exit_value, exit_date, note, entered_at, entered_by) VALUES (:pupil_id,"
        " :item_id, :group_id, :kind, :name, :entry_value, :entry_date, :exit_value,"
        " :exit_date, :note, :at, :user) RETURNING id",
        {**_stored(fields), "pupil_id": pupil_id, "item_id": item_id, "group_id": group_id,
         "at": session.now_text(), "user": session.user.id}))
    if fields["lower_is_better"] is not None:
        measure_directions.set_direction(session, fields["name"], fields["lower_is_better"])
    where = {"item_id": item_id} if item_id is not None else {"group_id": group_id}
    changed(session, Kind.MEASURE, pupil_id, measure_id=measure_id, **where,
            kind=fields["kind"].value)
    return measure_id


@operation(Permission.MANAGE_PLANS, audit="changed an entry or exit measure")
def update_measure(session: Session, measure_id: int, raw: Mapping[str, Any]) -> list[str]:
    """Record the exit, or correct either value or date; returns the changed fields."""
    row = _row(session, measure_id)
    pupil = require_editable(session, row["pupil_id"])
    current = _measure(row)
    merged = {"kind": current.kind, "name": current.name, "entry_value": current.entry_value,
              "entry_date": current.entry_date, "exit_value": current.exit_value,
              "exit_date": current.exit_date, "note": current.note, **raw}
    fields = clean_measure(merged, today(session),
                           _earliest(session, pupil, row["item_id"], row["group_id"]))
    _not_twice(session, row["pupil_id"], row["item_id"], fields["name"], other_than=row["id"],
               group_id=row["group_id"])
    if fields["lower_is_better"] is not None:
        measure_directions.set_direction(session, fields["name"], fields["lower_is_better"])
    new = _stored(fields)
    differ = record_changes(session, row["pupil_id"], "measure", row["id"],
                            {name: row[name] for name in _COLUMNS}, new)
    if differ:
        session.db.execute(
            "UPDATE provision_measures SET " + ", ".join(f"{n} = :{n}" for n in _COLUMNS)
            + ", updated_at = :at, updated_by = :user WHERE id = :id",
            {**new, "at": session.now_text(), "user": session.user.id, "id": row["id"]})
        changed(session, Kind.MEASURE, row["pupil_id"], measure_id=row["id"], fields=differ)
    return differ


@operation(Permission.MANAGE_PLANS, audit="removed an entry and exit measure")
def remove_measure(session: Session, measure_id: int, reason: str) -> None:
    """A measure entered in error (the wrong pupil or provision) is kept but no longer counted."""
    why = clean_text(reason, "Reason", max_length=1000, required=True)
    row = _row(session, measure_id)
    require_editable(session, row["pupil_id"])
    record_changes(session, row["pupil_id"], "measure", row["id"], {"removed": None},
                   {"removed": why})
    session.db.execute("UPDATE provision_measures SET removed_at = ?, removed_by = ? WHERE id = ?",
                       (session.now_text(), session.user.id, row["id"]))
    changed(session, Kind.MEASURE, row["pupil_id"], measure_id=row["id"])


@operation(Permission.VIEW_RECORDS, writes=False)
def measures_for_item(session: Session, item_id: int) -> list[Measure]:
    rows = session.db.query("SELECT * FROM provision_measures WHERE item_id = ?"
                            " AND removed_at IS NULL ORDER BY entry_date, id", (int(item_id),))
    return _measures(session, rows)


@operation(Permission.VIEW_RECORDS, writes=False)
def measures_for_group(session: Session, group_id: int, pupil_id: int | None = None
                       ) -> list[Measure]:
    """The measures of a group's members (or of one of them), oldest entry first."""
    sql = ("SELECT * FROM provision_measures WHERE group_id = ? AND item_id IS NULL"
           " AND removed_at IS NULL")
    params: list[Any] = [int(group_id)]
    if pupil_id is not None:
        sql += " AND pupil_id = ?"
        params.append(int(pupil_id))
    return _measures(session, session.db.query(sql + " ORDER BY entry_date, id", params))


@operation(Permission.VIEW_RECORDS, writes=False)
def measures_for_pupil(session: Session, pupil_id: int) -> list[Measure]:
    pupil_row(session, pupil_id)
    rows = session.db.query("SELECT * FROM provision_measures WHERE pupil_id = ?"
                            " AND removed_at IS NULL ORDER BY entry_date, id", (int(pupil_id),))
    return _measures(session, rows)
