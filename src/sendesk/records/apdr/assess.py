"""The Assess part of a cycle: saved as a draft, then finished (which may update the SEN
register's primary need)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from ...errors import ValidationError
from ...models import dates, sen
from ...models.apdr import Assessment
from ...models.roles import Permission
from ...models.text import clean_line, clean_text
from ...operations import Kind, changed, operation
from ...session import Session
from .. import sen_register
from .._common import as_text, today
from ._context import CycleContext, _context, _save_part, _status_since, _stored, _trail
from .reading import _assessment, _present

_ASSESS_FIELDS = ("assessed_on", "parent_views", "child_views", "strengths", "needs", "primary_need")


def _clean_assessment(raw: Mapping[str, Any]) -> dict[str, Any]:
    primary = (raw.get("primary_need") or "").strip().upper() or None
    if primary is not None:
        primary = sen.clean_need_code(primary)
    return {
        "assessed_on": dates.parse_date(raw.get("assessed_on"), "Date of the assessment",
                                        required=False),
        "parent_views": clean_text(str(raw.get("parent_views") or ""), "Parents' views", max_length=8000),
        "child_views": clean_text(str(raw.get("child_views") or ""), "Child's views", max_length=8000),
        "strengths": clean_text(str(raw.get("strengths") or ""), "Strengths", max_length=8000),
        "needs": clean_text(str(raw.get("needs") or ""), "Needs", max_length=8000),
        "primary_need": primary,
    }


def _clean_tools(raw_tools: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for raw in raw_tools:
        tool = clean_line(str(raw.get("tool") or ""), "Assessment tool", max_length=200,
                          required=False)
        result = clean_text(str(raw.get("result") or ""), "Result", max_length=2000)
        if not tool and not result:
            continue
        if not tool:
            raise ValidationError("Name the assessment tool each result came from.", field="tools")
        cleaned.append({"id": raw.get("id"), "tool": tool, "result": result,
                        "used_on": dates.parse_date(raw.get("used_on"), "Date used", required=False)})
    return cleaned


@operation(Permission.MANAGE_PLANS, audit="saved an assessment (draft)")
def save_assessment(session: Session, cycle_id: int, raw: Mapping[str, Any]) -> Assessment:
    """Save the Assess part as a draft (fields given replace those stored; tools as a list)."""
    ctx = _context(session, cycle_id)
    row = session.db.query_one("SELECT * FROM apdr_assessments WHERE cycle_id = ?", (ctx.cycle["id"],))
    if row is not None and row["completed_at"] is not None:
        raise ValidationError("This assessment is finished and kept as it was.", field="assess")
    current = {name: (row[name] if row is not None else None) for name in _ASSESS_FIELDS}
    merged = {name: raw.get(name, current[name]) for name in _ASSESS_FIELDS}
    new = {name: _stored(value) for name, value in _clean_assessment(merged).items()}
    assessment_id, fields = _save_part(session, ctx, "apdr_assessments", "assessment", row, new)
    if "tools" in raw:
        fields += _save_tools(session, ctx, assessment_id, _clean_tools(raw["tools"]))
    if fields or row is None:
        changed(session, Kind.PATHWAY, ctx.pupil["id"], cycle_id=ctx.cycle["id"], fields=fields)
    return _present(_assessment(session, ctx.cycle["id"]), "assessment")


def _save_tools(session: Session, ctx: CycleContext, assessment_id: int,
                tools: list[dict[str, Any]]) -> list[str]:
    existing = {r["id"]: r for r in session.db.query(
        "SELECT * FROM apdr_assessment_tools WHERE assessment_id = ? AND removed_at IS NULL",
        (assessment_id,))}
    changed: list[str] = []
    kept: set[int] = set()
    now = session.now_text()
    for position, tool in enumerate(tools):
        values = {"tool": tool["tool"], "result": tool["result"], "used_on": as_text(tool["used_on"]),
                  "position": position}
        tool_id = int(tool["id"]) if tool.get("id") else None
        if tool_id is not None and tool_id in existing:
            kept.add(tool_id)
            old = existing[tool_id]
            if _trail(session, ctx, "assessment tool", tool_id,
                      {n: old[n] for n in ("tool", "result", "used_on")},
                      {n: values[n] for n in ("tool", "result", "used_on")}) \
                    or old["position"] != position:
                session.db.execute("UPDATE apdr_assessment_tools SET tool = :tool, result = :result,"
                                   " used_on = :used_on, position = :position WHERE id = :id",
                                   {**values, "id": tool_id})
                changed.append("tools")
        else:
            session.db.execute(
                "INSERT INTO apdr_assessment_tools (assessment_id, position, tool, used_on, result,"
                " entered_at, entered_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (assessment_id, position, values["tool"], values["used_on"], values["result"], now,
                 session.user.id))
            changed.append("tools")
    for tool_id in set(existing) - kept:
        session.db.execute("UPDATE apdr_assessment_tools SET removed_at = ?, removed_by = ? WHERE id = ?",
                           (now, session.user.id, tool_id))
        changed.append("tools")
    return sorted(set(changed))


@operation(Permission.MANAGE_PLANS, audit="finished an assessment")
def complete_assessment(session: Session, cycle_id: int, *, update_register: bool = True) -> Assessment:
    """Finish the Assess part. With update_register, a primary need different from the
    register's is recorded on the SEN register (SENCO only, from the assessment date)."""
    ctx = _context(session, cycle_id)
    found = _assessment(session, ctx.cycle["id"])
    if found is None:
        raise ValidationError("Record the assessment first.", field="assess")
    if found.completed:
        raise ValidationError("This assessment is already finished.", field="assess")
    started = dt.date.fromisoformat(ctx.cycle["started_on"])
    if found.assessed_on is None:
        raise ValidationError("Give the date of the assessment.", field="assessed_on")
    dates.not_after(found.assessed_on, today(session), "Date of the assessment")
    dates.not_before(found.assessed_on, started, "Date of the assessment",
                     f"the start of cycle {ctx.cycle['number']}")
    for name, label in (("needs", "the pupil's needs"), ("strengths", "the pupil's strengths"),
                        ("parent_views", "the parents' views"),
                        ("child_views", "the child's views")):
        if not getattr(found, name).strip():
            raise ValidationError(f"Record {label} before finishing the assessment.", field=name)
    if not found.primary_need:
        raise ValidationError("Choose the primary need for the census.", field="primary_need")
    session.db.execute("UPDATE apdr_assessments SET completed_at = ?, completed_by = ? WHERE id = ?",
                       (session.now_text(), session.user.id, found.id))
    register_changed = False
    if update_register and session.can(Permission.CHANGE_SEN_STATUS) \
            and ctx.pupil["primary_need"] != found.primary_need \
            and ctx.pupil["sen_status"] in sen.ON_REGISTER:
        current = [n.code for n in sen_register.needs_history(session, ctx.pupil["id"],
                                                               current_only=True)]
        if found.primary_need == "NSA":
            ranked = ["NSA"]
        else:
            ranked = [found.primary_need] + [c for c in current if c not in (found.primary_need, "NSA")]
        register_changed = sen_register.set_needs(session, ctx.pupil["id"], ranked,
                                                  max(found.assessed_on, _status_since(ctx)))
    changed(session, Kind.PATHWAY, ctx.pupil["id"], cycle_id=ctx.cycle["id"],
            register_needs_changed=register_changed)
    return _present(_assessment(session, ctx.cycle["id"]), "assessment")
