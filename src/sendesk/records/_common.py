"""Small helpers every repository shares: permission checks, finding a pupil, and keeping
the trail of changed fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from ..errors import PermissionDenied, ValidationError
from ..session import Session
from ..store.database import Row, Statement

# SQLite accepts many more parameters, but chunks this size keep each statement quick.
CHUNK = 500
_Key = TypeVar("_Key", int, str)   # pupil ids, or UPNs


def today(session: Session) -> dt.date:
    return session.clock.today()


def pupil_row_read(pupil_id: int) -> Statement:
    return "SELECT * FROM pupils WHERE id = ?", (int(pupil_id),)


def pupil_row(session: Session, pupil_id: int) -> Row:
    row = session.db.query_one(*pupil_row_read(pupil_id))
    if row is None:
        raise ValidationError("That pupil is not in this database (they may have been deleted "
                              "after their retention date).", field="pupil")
    return row


def require_current(row: Row) -> None:
    """Archived records are kept as they were when the pupil left."""
    if row["archived_at"] is not None:
        raise PermissionDenied("This pupil has left and their record is archived (and, once their "
                               "file has been transferred, is the copy the next school was sent); "
                               "it can be read but not changed.")


def require_editable(session: Session, pupil_id: int) -> Row:
    """The one check every write path makes before changing anything about a pupil: a pupil
    who has left, or whose file has been transferred, is read-only. Returns the pupil's row."""
    row = pupil_row(session, pupil_id)
    require_current(row)
    return row


def as_text(value: Any) -> str | None:
    """How a value is written in the change trail."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def record_changes(session: Session, pupil_id: int, record_type: str, record_id: int,
                   old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Write a field_changes row for each field whose value differs; returns their names."""
    changed = [name for name in new if as_text(old.get(name)) != as_text(new[name])]
    session.db.executemany(
        "INSERT INTO field_changes (pupil_id, record_type, record_id, field, old_value, new_value,"
        " changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(pupil_id, record_type, record_id, name, as_text(old.get(name)), as_text(new[name]),
          session.now_text(), session.user.id) for name in changed])
    return changed


def chunks(ids: Sequence[_Key]) -> Iterable[Sequence[_Key]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def placeholders(count: int) -> str:
    return ",".join("?" * count)
