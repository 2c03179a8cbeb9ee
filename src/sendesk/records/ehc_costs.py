"""EHC plan provision, costed: the lines of provision a plan specifies, each with the school's
notional part and the LA's top-up a year (models.ehc_costs), stored.

The SENCO (Permission.MANAGE_PLANS) keeps them from the EHC tab; each changed field leaves
its old value in the pupil's change trail. The costed provision maps read the current plans'
lines (current_lines), so the whole-school map no longer leaves out the pupils whose support
costs most, and their school part counts against the notional SEN budget.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from ..models import ehc_costs as rules
from ..models.ehc_costs import EhcProvisionLine
from ..models.roles import Permission
from ..operations import Kind, changed, operation, viewed
from ..session import Session
from ..store.database import Row
from ._common import chunks, placeholders, record_changes, require_editable

_FIELDS = ("description", "area", "delivered_by", "frequency", "school_pence", "topup_pence")
_SELECT = ("SELECT v.*, e.pupil_id FROM ehc_provision v JOIN ehc_plans e ON e.id = v.plan_id"
           " WHERE v.removed_at IS NULL")


def line_from_row(row: Row) -> EhcProvisionLine:
    return EhcProvisionLine(row["id"], row["plan_id"], row["pupil_id"], row["position"],
                            row["description"], row["area"], row["delivered_by"], row["frequency"],
                            int(row["school_pence"]), int(row["topup_pence"]))


def lines_of(session: Session, plan_id: int) -> list[EhcProvisionLine]:
    """A plan's lines without check or audit, for callers that have done both."""
    return [line_from_row(r) for r in session.db.query(
        _SELECT + " AND v.plan_id = ? ORDER BY v.position, v.id", (int(plan_id),))]


def current_lines(session: Session, pupil_ids: Sequence[int] | None = None
                  ) -> list[EhcProvisionLine]:
    """The lines of every current plan of pupils still at the school (or of these pupils),
    for the costed provision maps; no check or audit, the map's own operation does both."""
    # A join, not "pupil_id IN (SELECT ... FROM pupils)": that read every pupil's row to find
    # the few with an EHC plan's provision.
    sql = ("SELECT v.*, e.pupil_id FROM ehc_provision v JOIN ehc_plans e ON e.id = v.plan_id"
           " JOIN pupils p ON p.id = e.pupil_id WHERE v.removed_at IS NULL"
           " AND e.ceased_on IS NULL AND p.archived_at IS NULL")
    order = " ORDER BY e.pupil_id, v.position, v.id"
    if pupil_ids is None:
        return [line_from_row(r) for r in session.db.query(sql + order)]
    found: list[EhcProvisionLine] = []
    for chunk in chunks([int(i) for i in pupil_ids]):
        found += [line_from_row(r) for r in session.db.query(
            sql + f" AND e.pupil_id IN ({placeholders(len(chunk))})" + order, list(chunk))]
    return found


def _plan(session: Session, plan_id: int) -> Row:
    row = session.db.query_one("SELECT * FROM ehc_plans WHERE id = ?", (int(plan_id),))
    if row is None:
        raise ValidationError("That EHC plan is not in this database.", field="plan")
    return row


@operation(Permission.VIEW_RECORDS, writes=False, audit="read an EHC plan's costed provision")
def plan_provision(session: Session, plan_id: int, *, audit: bool = True
                   ) -> list[EhcProvisionLine]:
    """The plan's costed provision (an audited read of the pupil's EHC record, unless the
    caller has just read and audited that record, as the EHC tab has: audit=False)."""
    plan = _plan(session, plan_id)
    lines = lines_of(session, plan["id"])
    if audit:
        viewed(session, "pupil", plan["pupil_id"], plan_id=plan["id"], lines=len(lines))
    return lines


@operation(Permission.MANAGE_PLANS, audit="costed an EHC plan's provision")
def save_provision(session: Session, plan_id: int,
                   raw: Iterable[Mapping[str, Any]]) -> list[str]:
    """Replace the plan's provision lines (rows with an 'id' are kept and updated; rows left
    out are marked removed). Each row: description, area, delivered_by, frequency, school and
    topup (pounds a year). Returns what changed."""
    lines = rules.clean_lines(raw)
    plan = _plan(session, plan_id)
    if plan["ceased_on"] is not None:
        raise ValidationError("This EHC plan has ceased and is kept as it was.", field="plan")
    require_editable(session, plan["pupil_id"])
    existing = {r["id"]: r for r in session.db.query(
        "SELECT * FROM ehc_provision WHERE plan_id = ? AND removed_at IS NULL", (plan["id"],))}
    now, user = session.now_text(), session.user.id
    fields: list[str] = []
    kept: set[int] = set()
    for position, line in enumerate(lines):
        values = {n: line[n] for n in _FIELDS}
        line_id = line["id"]
        if line_id is not None and line_id not in existing:
            raise ValidationError("The plan's provision changed while it was open; reopen it "
                                  "and try again.", field="provision")
        if line_id is None:
            session.db.scalar(
                "INSERT INTO ehc_provision (plan_id, position, " + ", ".join(_FIELDS)
                + ", entered_at, entered_by) VALUES (?, ?, " + placeholders(len(_FIELDS))
                + ", ?, ?) RETURNING id", (plan["id"], position, *values.values(), now, user))
            fields.append("provision")
            continue
        kept.add(line_id)
        old = existing[line_id]
        if record_changes(session, plan["pupil_id"], "EHC provision", line_id,
                          {n: old[n] for n in _FIELDS}, values) or old["position"] != position:
            session.db.execute(
                "UPDATE ehc_provision SET " + ", ".join(f"{n} = ?" for n in _FIELDS)
                + ", position = ? WHERE id = ?", (*values.values(), position, line_id))
            fields.append("provision")
    for line_id in sorted(set(existing) - kept):
        session.db.execute("UPDATE ehc_provision SET removed_at = ?, removed_by = ? WHERE id = ?",
                           (now, user, line_id))
        fields.append("provision")
    if fields:
        changed(session, Kind.EHC, plan["pupil_id"], plan_id=plan["id"], lines=len(lines),
                school=rules.school_total_pence(lines), topup=rules.topup_total_pence(lines))
    return sorted(set(fields))


@dataclass(frozen=True)
class EhcMapRow:
    """One costed line of a current EHC plan, with the pupil it is for (the whole-school map)."""

    pupil_id: int
    pupil_name: str
    year_group: str
    line: EhcProvisionLine


def map_rows(session: Session) -> tuple[EhcMapRow, ...]:
    """Every current plan's lines with the pupil's name and year, in the map's pupil order."""
    lines = current_lines(session)
    people: dict[int, Row] = {}
    for chunk in chunks(sorted({line.pupil_id for line in lines})):
        for row in session.db.query(
                "SELECT id, legal_surname, legal_forename, preferred_surname, preferred_forename,"
                f" year_group, sort_key FROM pupils WHERE id IN ({placeholders(len(chunk))})",
                list(chunk)):
            people[row["id"]] = row
    rows = [EhcMapRow(line.pupil_id, _name(people[line.pupil_id]),
                      people[line.pupil_id]["year_group"], line) for line in lines]
    rows.sort(key=lambda r: (people[r.pupil_id]["sort_key"], r.pupil_id, r.line.position))
    return tuple(rows)


def _name(row: Row) -> str:
    surname = row["preferred_surname"] or row["legal_surname"]
    forename = row["preferred_forename"] or row["legal_forename"]
    return f"{surname}, {forename}"
