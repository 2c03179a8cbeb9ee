"""What every part of a cycle shares: the cycle checked to be the current one of an open
pathway, and saving a part's draft row with its old values in the change trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ...errors import ValidationError
from ...models import dates, provision
from ...models.school_days import require_school_day
from ...session import Session
from ...store.database import Row
from .. import school_calendar
from .._common import as_text, record_changes, require_editable


@dataclass(frozen=True)
class CycleContext:
    cycle: Row
    pathway: Row
    pupil: Row


def _cycle_row(session: Session, cycle_id: int) -> Row:
    row = session.db.query_one("SELECT * FROM apdr_cycles WHERE id = ?", (int(cycle_id),))
    if row is None:
        raise ValidationError("That APDR cycle is not in this database.", field="cycle")
    return row


def _pathway_row(session: Session, pathway_id: int) -> Row:
    row = session.db.query_one("SELECT * FROM send_pathways WHERE id = ?", (int(pathway_id),))
    if row is None:
        raise ValidationError("That SEND pathway is not in this database.", field="pathway")
    return row


def _context(session: Session, cycle_id: int) -> CycleContext:
    """The cycle, its pathway and pupil, checked to be the current cycle of an open pathway."""
    cycle = _cycle_row(session, cycle_id)
    pathway = _pathway_row(session, cycle["pathway_id"])
    pupil = require_editable(session, pathway["pupil_id"])
    latest = session.db.scalar("SELECT max(number) FROM apdr_cycles WHERE pathway_id = ?",
                               (pathway["id"],))
    if pathway["status"] != "open" or cycle["number"] != latest:
        raise ValidationError(f"Cycle {cycle['number']} is finished and kept as it was; work on "
                              "the pupil's current cycle.", field="cycle")
    return CycleContext(cycle, pathway, pupil)


def _stored(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, provision.CostBasis):
        return value.value
    return as_text(value) if isinstance(value, (dt.date,)) else value


def _trail(session: Session, ctx: CycleContext, record_type: str, record_id: int,
           old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return record_changes(session, ctx.pupil["id"], record_type, record_id, old, new)


def _save_part(session: Session, ctx: CycleContext, table: str, record_type: str, row: Row | None,
               new: Mapping[str, Any]) -> tuple[int, list[str]]:
    """Insert a cycle part's draft row, or update the fields that changed (their old values go
    to the change trail). Returns the row's id and the changed field names."""
    names = list(new)
    now = session.now_text()
    if row is None:
        cursor = session.db.execute(
            f"INSERT INTO {table} (cycle_id, " + ", ".join(names) + ", entered_at, entered_by)"
            " VALUES (:cycle_id, " + ", ".join(f":{n}" for n in names) + ", :now, :user)",
            {**new, "cycle_id": ctx.cycle["id"], "now": now, "user": session.user.id})
        return int(cursor.lastrowid), [n for n in names if new[n]]
    changed = _trail(session, ctx, record_type, row["id"], {n: row[n] for n in names}, new)
    if changed:
        session.db.execute(
            f"UPDATE {table} SET " + ", ".join(f"{n} = :{n}" for n in names)
            + ", updated_at = :now, updated_by = :user WHERE id = :id",
            {**new, "now": now, "user": session.user.id, "id": row["id"]})
    return row["id"], changed


def _meeting_on_a_school_day(session: Session, day: str | None, stored: str | None,
                             field: str) -> None:
    """A plan meeting or review meeting is held with the parents on a day the school is open:
    a new date on a Saturday or Christmas Day is a slip of the keyboard, refused in the one
    sentence that names the next school day. A date already stored (set before this rule) is
    kept when other fields of the draft change."""
    if day is not None and day != stored:
        require_school_day(school_calendar.calendar_of(session), dt.date.fromisoformat(day),
                           field)


def _status_since(ctx: CycleContext) -> dt.date:
    return dates.from_text(ctx.pupil["sen_since"]) or dt.date.min


def _plan_row(session: Session, cycle_id: int) -> Row | None:
    return session.db.query_one("SELECT * FROM apdr_plans WHERE cycle_id = ?", (cycle_id,))


def _agreed_plan(session: Session, ctx: CycleContext) -> Row:
    row = _plan_row(session, ctx.cycle["id"])
    if row is None or row["agreed_at"] is None:
        raise ValidationError("Agree the plan first.", field="plan")
    if session.db.scalar("SELECT 1 FROM apdr_reviews WHERE cycle_id = ? AND completed_at IS NOT NULL",
                         (ctx.cycle["id"],)):
        raise ValidationError("This cycle has been reviewed.", field="plan")
    return row


def _item_row(session: Session, item_id: int) -> Row:
    row = session.db.query_one(
        "SELECT i.*, p.cycle_id, p.plan_date, p.agreed_at FROM apdr_provision_items i"
        " JOIN apdr_plans p ON p.id = i.plan_id WHERE i.id = ? AND i.removed_at IS NULL",
        (int(item_id),))
    if row is None:
        raise ValidationError("That provision is not in this database.", field="provision")
    return row
