"""Who is responsible for a pupil's support: the responsible teacher and the key worker a plan
names (people, not roles), so plans and letters can tell parents whom to talk to.

They are picked from the school's users or typed (a teaching assistant need not be a user).
They are not part of what was agreed with the parents, so they may change on an agreed plan
when staff change; every change is in the pupil's history.
"""

from __future__ import annotations

from typing import Any

from ..errors import ValidationError
from ..models.roles import Permission
from ..models.text import clean_line
from ..operations import Kind, changed, operation
from ..session import Session
from .apdr._context import _context, _plan_row, _trail

FIELDS = ("responsible_teacher", "key_worker")
_LABELS = {"responsible_teacher": "Responsible teacher", "key_worker": "Key worker"}


def clean_people(raw: dict[str, Any]) -> dict[str, str | None]:
    """Each name one line of at most 100 characters; empty means not named."""
    return {name: clean_line(str(raw.get(name) or ""), _LABELS[name], max_length=100,
                             required=False) or None for name in FIELDS}


@operation(Permission.VIEW_RECORDS, writes=False)
def staff_names(session: Session) -> list[str]:
    """The school's current users' names, offered when naming the people responsible."""
    return [row["full_name"] for row in session.db.query(
        "SELECT full_name FROM users WHERE active = 1 AND removed_at IS NULL"
        " ORDER BY full_name, id")]


@operation(Permission.MANAGE_PLANS, audit="named the people responsible for a plan")
def set_plan_people(session: Session, cycle_id: int, responsible_teacher: str | None,
                    key_worker: str | None) -> list[str]:
    """Name the responsible teacher and key worker on the current cycle's plan, drafted or
    agreed; returns the fields that changed."""
    new = clean_people({"responsible_teacher": responsible_teacher, "key_worker": key_worker})
    ctx = _context(session, cycle_id)
    plan = _plan_row(session, ctx.cycle["id"])
    if plan is None:
        raise ValidationError("Write the plan first.", field="plan")
    fields = _trail(session, ctx, "plan", plan["id"], {n: plan[n] for n in FIELDS}, new)
    if fields:
        session.db.execute("UPDATE apdr_plans SET responsible_teacher = ?, key_worker = ?"
                           " WHERE id = ?", (new["responsible_teacher"], new["key_worker"],
                                             plan["id"]))
        changed(session, Kind.PATHWAY, ctx.pupil["id"], cycle_id=ctx.cycle["id"],
                plan_id=plan["id"], fields=fields)
    return fields
