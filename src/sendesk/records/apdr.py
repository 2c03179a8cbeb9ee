"""The graduated approach, stored: SEND pathways of numbered Assess-Plan-Do-Review cycles.

Who may do what: the SENCO (Permission.MANAGE_PLANS) opens pathways and writes assessments,
plans and reviews; anyone who may add notes (teachers and teaching assistants) may also log
whether a session of provision was delivered, because they are the ones delivering it; anyone
who may view records may read it all.

Each part is saved as a draft as often as the wizard likes (so it can be left and resumed);
every changed draft field leaves its old value in the pupil's change trail. Finishing the
assessment, agreeing the plan and holding the review fix that part for good (the database's
triggers refuse later changes). A held review's decision starts the next cycle, moves the
pathway to the specialist stage, or closes it; a return to ordinarily available provision
takes the pupil off the SEN register through the SEN register's own rules, in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

from ..errors import PermissionDenied, ValidationError
from ..models import apdr as rules
from ..models import dates, outcomes, provision, reviews, sen
from ..models.apdr import (Assessment, AssessmentTool, Cycle, Decision, DeliveryEntry, Effect,
                           Outcome, Pathway, Plan, Progress, ProvisionItem, Review, SpecialistView,
                           Stage)
from ..models.roles import Permission
from ..models.specialists import service_label
from ..models.text import clean_line, clean_text
from ..session import Session
from ..store.database import Row
from . import registers, school_calendar, sen_register, summary
from ._common import as_text, pupil_row, record_changes, require_any, require_editable, today

# --- reading ----------------------------------------------------------------------------------


def _date(text: str | None) -> dt.date | None:
    return dates.from_text(text)


class _CycleParts:
    """The assessments, plans and reviews of some cycles, each table read once for all of them:
    a record with years of cycles otherwise cost ten queries a cycle to open."""

    def __init__(self, session: Session, cycle_ids: Sequence[int]) -> None:
        self.db = session.db
        self.ids = [int(cycle_id) for cycle_id in cycle_ids]

    def _rows(self, sql: str) -> list[Row]:
        if not self.ids:
            return []
        return self.db.query(sql.replace("{ids}", ",".join("?" * len(self.ids))), self.ids)

    @functools.cached_property
    def assessments(self) -> dict[int, Assessment]:
        tools: dict[int, list[AssessmentTool]] = {}
        for t in self._rows("SELECT t.* FROM apdr_assessment_tools t JOIN apdr_assessments a"
                            " ON a.id = t.assessment_id WHERE a.cycle_id IN ({ids})"
                            " AND t.removed_at IS NULL ORDER BY t.position, t.id"):
            tools.setdefault(t["assessment_id"], []).append(
                AssessmentTool(t["id"], t["tool"], _date(t["used_on"]), t["result"]))
        return {row["cycle_id"]: Assessment(
                    row["id"], row["cycle_id"], _date(row["assessed_on"]), row["parent_views"],
                    row["child_views"], row["strengths"], row["needs"], row["primary_need"],
                    tuple(tools.get(row["id"], ())), row["completed_at"] is not None,
                    row["entered_at"])
                for row in self._rows("SELECT * FROM apdr_assessments WHERE cycle_id IN ({ids})")}

    @functools.cached_property
    def plans(self) -> dict[int, Plan]:
        found: dict[int, list[Outcome]] = {}
        for o in self._rows("SELECT o.* FROM apdr_outcomes o JOIN apdr_plans p ON p.id = o.plan_id"
                            " WHERE p.cycle_id IN ({ids}) AND o.removed_at IS NULL"
                            " ORDER BY o.position, o.id"):
            found.setdefault(o["plan_id"], []).append(
                Outcome(o["id"], o["position"], o["text"], o["measure"], _date(o["target_date"]),
                        o["area"], o["pfa_area"]))
        items: dict[int, list[ProvisionItem]] = {}
        for i in self._rows("SELECT i.* FROM apdr_provision_items i JOIN apdr_plans p"
                            " ON p.id = i.plan_id WHERE p.cycle_id IN ({ids})"
                            " AND i.removed_at IS NULL ORDER BY i.position, i.id"):
            items.setdefault(i["plan_id"], []).append(item_from_row(i))
        return {row["cycle_id"]: Plan(
                    row["id"], row["cycle_id"], row["aspirations"], _date(row["plan_date"]),
                    _date(row["review_date"]), _date(row["shared_on"]),
                    tuple(found.get(row["id"], ())), tuple(items.get(row["id"], ())),
                    row["agreed_at"] is not None, row["entered_at"])
                for row in self._rows("SELECT * FROM apdr_plans WHERE cycle_id IN ({ids})")}

    @functools.cached_property
    def reviews(self) -> dict[int, Review]:
        progress: dict[int, dict[int, tuple[Progress | None, str]]] = {}
        for p in self._rows("SELECT p.* FROM apdr_review_progress p JOIN apdr_reviews r"
                            " ON r.id = p.review_id WHERE r.cycle_id IN ({ids})"):
            progress.setdefault(p["review_id"], {})[p["outcome_id"]] = (
                Progress(p["progress"]) if p["progress"] else None, p["comment"])
        views: dict[int, list[SpecialistView]] = {}
        for v in self._rows("SELECT v.*, i.service, i.service_detail"
                            " FROM apdr_review_specialist_views v"
                            " JOIN specialist_involvements i ON i.id = v.involvement_id"
                            " JOIN apdr_reviews r ON r.id = v.review_id WHERE r.cycle_id IN ({ids})"
                            " ORDER BY i.referral_date, i.id"):
            views.setdefault(v["review_id"], []).append(SpecialistView(
                v["involvement_id"], service_label(v["service"], v["service_detail"]), v["view"],
                v["given_as"]))
        return {row["cycle_id"]: Review(
                    row["id"], row["cycle_id"], _date(row["held_on"]), row["attendees"],
                    row["child_views"], row["parent_views"], row["staff_views"],
                    bool(row["at_risk_of_exclusion"]),
                    Decision(row["decision"]) if row["decision"] else None, row["decision_notes"],
                    progress.get(row["id"], {}), tuple(views.get(row["id"], ())),
                    row["completed_at"] is not None, row["entered_at"])
                for row in self._rows("SELECT * FROM apdr_reviews WHERE cycle_id IN ({ids})")}

    def cycle(self, row: Row) -> Cycle:
        return Cycle(row["id"], row["pathway_id"], row["number"], Stage(row["stage"]),
                     dt.date.fromisoformat(row["started_on"]), self.assessments.get(row["id"]),
                     self.plans.get(row["id"]), self.reviews.get(row["id"]))


def _assessment(session: Session, cycle_id: int) -> Assessment | None:
    return _CycleParts(session, [cycle_id]).assessments.get(int(cycle_id))


def item_from_row(row: Row) -> ProvisionItem:
    return ProvisionItem(
        id=row["id"], plan_id=row["plan_id"], position=row["position"],
        description=row["description"], area=row["area"], delivered_by=row["delivered_by"],
        group_size=row["group_size"], sessions_per_week=_sessions(row["sessions_per_week"]),
        minutes=row["minutes"], weeks=row["weeks"],
        cost_basis=provision.CostBasis(row["cost_basis"]), rate_pence=row["rate_pence"],
        recommendation_id=row["recommendation_id"], started_on=_date(row["started_on"]),
        ended_on=_date(row["ended_on"]), end_reason=row["end_reason"])


def _sessions(value: float) -> Decimal:
    number = Decimal(str(value))
    return Decimal(int(number)) if number == number.to_integral_value() else number


def _plan(session: Session, cycle_id: int) -> Plan | None:
    return _CycleParts(session, [cycle_id]).plans.get(int(cycle_id))


def _review(session: Session, cycle_id: int) -> Review | None:
    return _CycleParts(session, [cycle_id]).reviews.get(int(cycle_id))


def _cycle_from_row(session: Session, row: Row) -> Cycle:
    return _CycleParts(session, [row["id"]]).cycle(row)


def _pathways_from_rows(session: Session, rows: Sequence[Row]) -> list[Pathway]:
    cycles: dict[int, list[Row]] = {row["id"]: [] for row in rows}
    if cycles:
        for c in session.db.query(
                "SELECT * FROM apdr_cycles WHERE pathway_id IN"
                f" ({','.join('?' * len(cycles))}) ORDER BY pathway_id, number", list(cycles)):
            cycles[c["pathway_id"]].append(c)
    parts = _CycleParts(session, [c["id"] for found in cycles.values() for c in found])
    return [Pathway(row["id"], row["pupil_id"], Stage(row["stage"]), row["status"] == "open",
                    dt.date.fromisoformat(row["opened_on"]), _date(row["closed_on"]),
                    Decision(row["close_decision"]) if row["close_decision"] else None,
                    tuple(parts.cycle(c) for c in cycles[row["id"]]))
            for row in rows]


def _pathway_from_row(session: Session, row: Row) -> Pathway:
    return _pathways_from_rows(session, [row])[0]


def pathways(session: Session, pupil_id: int) -> list[Pathway]:
    """Every SEND pathway of a pupil with all its cycles, oldest first."""
    session.require(Permission.VIEW_RECORDS)
    return _pathways_from_rows(session, session.db.query(
        "SELECT * FROM send_pathways WHERE pupil_id = ? ORDER BY opened_on, id", (int(pupil_id),)))


def current_pathway(session: Session, pupil_id: int) -> Pathway | None:
    """The pupil's open pathway, if they have one."""
    session.require(Permission.VIEW_RECORDS)
    row = session.db.query_one("SELECT * FROM send_pathways WHERE pupil_id = ? AND status = 'open'",
                               (int(pupil_id),))
    return None if row is None else _pathway_from_row(session, row)


def get_cycle(session: Session, cycle_id: int) -> Cycle:
    session.require(Permission.VIEW_RECORDS)
    return _cycle_from_row(session, _cycle_row(session, cycle_id))


def cycle_counts(session: Session, pupil_id: int) -> rules.CycleCount:
    """Cycles of every pathway the pupil has had (the evidence an EHC needs assessment asks for)."""
    session.require(Permission.VIEW_RECORDS)
    rows = session.db.query(
        "SELECT c.stage, r.completed_at IS NOT NULL AS reviewed FROM apdr_cycles c"
        " JOIN send_pathways p ON p.id = c.pathway_id"
        " LEFT JOIN apdr_reviews r ON r.cycle_id = c.id WHERE p.pupil_id = ?", (int(pupil_id),))
    return rules.count_cycles((row["stage"], bool(row["reviewed"])) for row in rows)


# --- shared checks ----------------------------------------------------------------------------
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


def _context(session: Session, cycle_id: int) -> CycleContext:
    """The cycle, its pathway and pupil, checked to be the current cycle of an open pathway."""
    cycle = _cycle_row(session, cycle_id)
    pathway = session.db.query_one("SELECT * FROM send_pathways WHERE id = ?", (cycle["pathway_id"],))
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


# --- pathways ---------------------------------------------------------------------------------
def open_pathway(session: Session, pupil_id: int, opened_on: dt.date | str,
                 stage: Stage | str = Stage.TARGETED) -> int:
    """Start a pupil's SEND pathway (with cycle 1) from a date; returns the pathway's id.

    The graduated approach is SEN support, so the pupil must be on the register as K. Starting
    at the specialist stage is for a sudden, significant change in need or a pupil who arrives
    with specialist provision already in place.
    """
    session.require(Permission.MANAGE_PLANS)
    day = dates.require_date(opened_on, "Start date")
    dates.not_after(day, today(session), "Start date")
    stage = Stage(stage)
    with session.db.transaction():
        pupil = require_editable(session, pupil_id)
        if pupil["sen_status"] != "K":
            raise ValidationError("The graduated approach is for pupils at SEN support. Record the "
                                  "pupil on the SEN register as K (SEN support) first.",
                                  field="pupil")
        if session.db.scalar("SELECT 1 FROM send_pathways WHERE pupil_id = ? AND status = 'open'",
                             (pupil["id"],)):
            raise ValidationError("The pupil already has an open SEND pathway; carry on with its "
                                  "current cycle.", field="pupil")
        last_closed = session.db.scalar("SELECT max(closed_on) FROM send_pathways WHERE pupil_id = ?",
                                        (pupil["id"],))
        if last_closed:
            dates.not_before(day, dt.date.fromisoformat(last_closed), "Start date",
                             "the end of the pupil's last pathway")
        now = session.now_text()
        cursor = session.db.execute(
            "INSERT INTO send_pathways (pupil_id, stage, opened_on, entered_at, entered_by)"
            " VALUES (?, ?, ?, ?, ?)", (pupil["id"], stage.value, day.isoformat(), now, session.user.id))
        pathway_id = int(cursor.lastrowid)
        cycle_id = _start_cycle(session, pathway_id, 1, stage, day)
        session.audit("opened a SEND pathway", "pupil", pupil["id"],
                      {"pathway_id": pathway_id, "stage": stage.value, "cycle_id": cycle_id})
    return pathway_id


def _start_cycle(session: Session, pathway_id: int, number: int, stage: Stage, day: dt.date) -> int:
    cursor = session.db.execute(
        "INSERT INTO apdr_cycles (pathway_id, number, stage, started_on, entered_at, entered_by)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (pathway_id, number, stage.value, day.isoformat(), session.now_text(), session.user.id))
    return int(cursor.lastrowid)


# --- assess -----------------------------------------------------------------------------------
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


def save_assessment(session: Session, cycle_id: int, raw: Mapping[str, Any]) -> Assessment:
    """Save the Assess part as a draft (fields given replace those stored; tools as a list)."""
    session.require(Permission.MANAGE_PLANS)
    with session.db.transaction():
        ctx = _context(session, cycle_id)
        row = session.db.query_one("SELECT * FROM apdr_assessments WHERE cycle_id = ?", (ctx.cycle["id"],))
        if row is not None and row["completed_at"] is not None:
            raise ValidationError("This assessment is finished and kept as it was.", field="assess")
        current = {name: (row[name] if row is not None else None) for name in _ASSESS_FIELDS}
        merged = {name: raw.get(name, current[name]) for name in _ASSESS_FIELDS}
        new = {name: _stored(value) for name, value in _clean_assessment(merged).items()}
        assessment_id, changed = _save_part(session, ctx, "apdr_assessments", "assessment", row, new)
        if "tools" in raw:
            changed += _save_tools(session, ctx, assessment_id, _clean_tools(raw["tools"]))
        if changed or row is None:
            session.audit("saved an assessment (draft)", "pupil", ctx.pupil["id"],
                          {"cycle_id": ctx.cycle["id"], "fields": changed})
    return _assessment(session, ctx.cycle["id"])


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
        if tool_id in existing:
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


def complete_assessment(session: Session, cycle_id: int, *, update_register: bool = True) -> Assessment:
    """Finish the Assess part. With update_register, a primary need different from the
    register's is recorded on the SEN register (SENCO only, from the assessment date)."""
    session.require(Permission.MANAGE_PLANS)
    with session.db.transaction():
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
        session.audit("finished an assessment", "pupil", ctx.pupil["id"],
                      {"cycle_id": ctx.cycle["id"], "register_needs_changed": register_changed})
    return _assessment(session, ctx.cycle["id"])


def _status_since(ctx: CycleContext) -> dt.date:
    return dates.from_text(ctx.pupil["sen_since"]) or dt.date.min


# --- plan -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanCheck:
    """What the plan form shows beside the plan: warnings never stop a draft being saved."""

    smart: tuple[outcomes.SmartWarning, ...]
    yearly_cost_pence: int
    cost_level: provision.CostLevel
    cost_warning: str | None
    latest_review_date: dt.date | None
    problems: tuple[str, ...]  # what must be put right before the plan can be agreed


_OUTCOME_FIELDS = ("text", "measure", "target_date", "area", "pfa_area")
_ITEM_FIELDS = ("description", "area", "delivered_by", "group_size", "sessions_per_week",
                "minutes", "weeks", "cost_basis", "rate_pence")


def _plan_row(session: Session, cycle_id: int) -> Row | None:
    return session.db.query_one("SELECT * FROM apdr_plans WHERE cycle_id = ?", (cycle_id,))


def save_plan(session: Session, cycle_id: int, raw: Mapping[str, Any]) -> PlanCheck:
    """Save the Plan part as a draft and return its checks.

    raw may hold aspirations, plan_date, review_date, outcomes and items; lists replace the
    stored lists (rows that carry an 'id' are kept and updated; rows left out are marked removed).
    """
    session.require(Permission.MANAGE_PLANS)
    with session.db.transaction():
        ctx = _context(session, cycle_id)
        row = _plan_row(session, ctx.cycle["id"])
        if row is not None and row["agreed_at"] is not None:
            raise ValidationError("This plan has been agreed and is kept as it was. Add provision "
                                  "to it, or change the plan at the next review.", field="plan")
        fields = ("aspirations", "plan_date", "review_date")
        current = {n: (row[n] if row is not None else None) for n in fields}
        merged = {n: raw.get(n, current[n]) for n in fields}
        new = {"aspirations": clean_text(str(merged["aspirations"] or ""), "Aspirations", max_length=8000),
               "plan_date": as_text(dates.parse_date(merged["plan_date"], "Plan date", required=False)),
               "review_date": as_text(dates.parse_date(merged["review_date"], "Review date",
                                                       required=False))}
        plan_id, changed = _save_part(session, ctx, "apdr_plans", "plan", row, new)
        if "outcomes" in raw:
            cleaned = [dict(outcomes.clean_outcome(o), id=o.get("id")) for o in raw["outcomes"]]
            changed += _save_rows(session, ctx, plan_id, "apdr_outcomes", "outcome",
                                  _OUTCOME_FIELDS, cleaned)
        if "items" in raw:
            cleaned = []
            for item in raw["items"]:
                values = provision.clean_item(item)
                values["recommendation_id"] = _check_recommendation(
                    session, ctx.pupil["id"], item.get("recommendation_id"))
                values["id"] = item.get("id")
                cleaned.append(values)
            changed += _save_rows(session, ctx, plan_id, "apdr_provision_items", "provision",
                                  _ITEM_FIELDS + ("recommendation_id",), cleaned)
        if changed or row is None:
            session.audit("saved a support plan (draft)", "pupil", ctx.pupil["id"],
                          {"cycle_id": ctx.cycle["id"], "plan_id": plan_id,
                           "fields": sorted(set(changed))})
        return _check_plan(session, ctx)


def _save_rows(session: Session, ctx: CycleContext, plan_id: int, table: str, record_type: str,
               names: Sequence[str], rows: list[dict[str, Any]]) -> list[str]:
    existing = {r["id"]: r for r in session.db.query(
        f"SELECT * FROM {table} WHERE plan_id = ? AND removed_at IS NULL", (plan_id,))}
    changed: list[str] = []
    kept: set[int] = set()
    now = session.now_text()
    for position, values in enumerate(rows):
        stored = {n: _stored(values[n]) for n in names}
        row_id = int(values["id"]) if values.get("id") else None
        if row_id is not None and row_id not in existing:
            raise ValidationError("The plan changed while it was open; reopen it and try again.",
                                  field=record_type)
        if row_id is not None:
            kept.add(row_id)
            old = existing[row_id]
            diff = _trail(session, ctx, record_type, row_id, {n: old[n] for n in names},
                          {n: stored[n] for n in names})
            if diff or old["position"] != position:
                session.db.execute(
                    f"UPDATE {table} SET " + ", ".join(f"{n} = :{n}" for n in names)
                    + ", position = :position WHERE id = :id", {**stored, "position": position,
                                                                 "id": row_id})
                changed.append(record_type)
        else:
            session.db.execute(
                f"INSERT INTO {table} (plan_id, position, " + ", ".join(names)
                + ", entered_at, entered_by) VALUES (:plan_id, :position, "
                + ", ".join(f":{n}" for n in names) + ", :now, :user)",
                {**stored, "plan_id": plan_id, "position": position, "now": now,
                 "user": session.user.id})
            changed.append(record_type)
    for row_id in set(existing) - kept:
        session.db.execute(f"UPDATE {table} SET removed_at = ?, removed_by = ? WHERE id = ?",
                           (now, session.user.id, row_id))
        changed.append(record_type)
    return changed


def _check_recommendation(session: Session, pupil_id: int, recommendation_id: Any) -> int | None:
    if recommendation_id in (None, ""):
        return None
    found = session.db.scalar(
        "SELECT r.id FROM specialist_recommendations r JOIN specialist_involvements i"
        " ON i.id = r.involvement_id WHERE r.id = ? AND i.pupil_id = ?", (int(recommendation_id), pupil_id))
    if found is None:
        raise ValidationError("That recommendation is not one of this pupil's.", field="recommendation")
    return int(found)


def _previous_review(session: Session, ctx: CycleContext) -> Row | None:
    return session.db.query_one(
        "SELECT r.* FROM apdr_reviews r JOIN apdr_cycles c ON c.id = r.cycle_id"
        " WHERE c.pathway_id = ? AND c.number = ? AND r.completed_at IS NOT NULL",
        (ctx.pathway["id"], ctx.cycle["number"] - 1))


def _previous_items(session: Session, ctx: CycleContext) -> list[ProvisionItem]:
    return [item_from_row(r) for r in session.db.query(
        "SELECT i.* FROM apdr_provision_items i JOIN apdr_plans p ON p.id = i.plan_id"
        " JOIN apdr_cycles c ON c.id = p.cycle_id WHERE c.pathway_id = ? AND c.number = ?"
        " AND i.removed_at IS NULL AND i.ended_on IS NULL",
        (ctx.pathway["id"], ctx.cycle["number"] - 1))] if ctx.cycle["number"] > 1 else []


def _check_plan(session: Session, ctx: CycleContext) -> PlanCheck:
    plan = _plan(session, ctx.cycle["id"])
    assert plan is not None
    problems: list[str] = []
    assessment = _assessment(session, ctx.cycle["id"])
    if assessment is None or not assessment.completed:
        problems.append("Finish the Assess part first.")
    calendar = school_calendar.calendar_of(session)
    latest = reviews.latest_review_date(plan.plan_date, calendar) if plan.plan_date else None
    if plan.plan_date is None:
        problems.append("Give the date the plan was agreed with the parents.")
    else:
        try:
            dates.not_after(plan.plan_date, today(session), "Plan date")
            if assessment is not None and assessment.assessed_on is not None:
                dates.not_before(plan.plan_date, assessment.assessed_on, "Plan date",
                                 "the assessment")
            reviews.check_review_date(plan.plan_date, plan.review_date, calendar)
        except ValidationError as exc:
            problems.append(str(exc))
    if not plan.outcomes:
        problems.append("Add at least one outcome.")
    if not plan.items:
        problems.append("Add the provision that will help the pupil reach the outcomes.")
    previous = _previous_review(session, ctx)
    if previous is not None and previous["at_risk_of_exclusion"]:
        try:
            rules.check_exclusion_rule(True, [i.fields() for i in _previous_items(session, ctx)],
                                       [i.fields() for i in plan.items])
        except ValidationError as exc:
            problems.append(str(exc))
    cost = plan.yearly_cost_pence
    smart = outcomes.plan_warnings([o.fields() for o in plan.outcomes],
                                   year_group=ctx.pupil["year_group"], plan_date=plan.plan_date,
                                   review_date=plan.review_date)
    return PlanCheck(tuple(smart), cost, provision.cost_level(cost), provision.cost_warning(cost),
                     latest, tuple(problems))


def check_plan(session: Session, cycle_id: int) -> PlanCheck:
    session.require(Permission.VIEW_RECORDS)
    cycle = _cycle_row(session, cycle_id)
    pathway = session.db.query_one("SELECT * FROM send_pathways WHERE id = ?", (cycle["pathway_id"],))
    ctx = CycleContext(cycle, pathway, pupil_row(session, pathway["pupil_id"]))
    if _plan_row(session, cycle["id"]) is None:
        raise ValidationError("This cycle has no plan yet.", field="plan")
    return _check_plan(session, ctx)


def agree_plan(session: Session, cycle_id: int) -> PlanCheck:
    """Record that the plan was agreed with the parents; from then on it is fixed.

    Refused while anything in PlanCheck.problems stands (no review date, a review date beyond
    the end of the next term, no outcomes or provision, provision unchanged after a review
    found a risk of exclusion). SMART and cost warnings do not stop it.
    """
    session.require(Permission.MANAGE_PLANS)
    with session.db.transaction():
        ctx = _context(session, cycle_id)
        row = _plan_row(session, ctx.cycle["id"])
        if row is None:
            raise ValidationError("Write the plan first.", field="plan")
        if row["agreed_at"] is not None:
            raise ValidationError("This plan has already been agreed.", field="plan")
        check = _check_plan(session, ctx)
        if check.problems:
            raise ValidationError(check.problems[0], field="plan")
        session.db.execute("UPDATE apdr_provision_items SET started_on = ? WHERE plan_id = ?"
                           " AND started_on IS NULL AND removed_at IS NULL",
                           (row["plan_date"], row["id"]))
        session.db.execute("UPDATE apdr_plans SET agreed_at = ?, agreed_by = ? WHERE id = ?",
                           (session.now_text(), session.user.id, row["id"]))
        summary.refresh(session.db, [ctx.pupil["id"]])
        session.audit("agreed a support plan", "pupil", ctx.pupil["id"],
                      {"cycle_id": ctx.cycle["id"], "plan_id": row["id"],
                       "review_date": row["review_date"], "yearly_cost_pence": check.yearly_cost_pence,
                       "smart_warnings": len(check.smart)})
    return check


def _agreed_plan(session: Session, ctx: CycleContext) -> Row:
    row = _plan_row(session, ctx.cycle["id"])
    if row is None or row["agreed_at"] is None:
        raise ValidationError("Agree the plan first.", field="plan")
    if session.db.scalar("SELECT 1 FROM apdr_reviews WHERE cycle_id = ? AND completed_at IS NOT NULL",
                         (ctx.cycle["id"],)):
        raise ValidationError("This cycle has been reviewed.", field="plan")
    return row


def add_provision(session: Session, cycle_id: int, raw: Mapping[str, Any],
                  started_on: dt.date | str) -> int:
    """Add provision to an agreed plan from a date (a specialist's advice need not wait for the
    review). Returns the new item's id."""
    session.require(Permission.MANAGE_PLANS)
    values = provision.clean_item(raw)
    start = dates.require_date(started_on, "Start date")
    with session.db.transaction():
        ctx = _context(session, cycle_id)
        plan = _agreed_plan(session, ctx)
        dates.not_before(start, dt.date.fromisoformat(plan["plan_date"]), "Start date", "the plan date")
        dates.not_after(start, today(session), "Start date")
        values["recommendation_id"] = _check_recommendation(session, ctx.pupil["id"],
                                                            raw.get("recommendation_id"))
        position = session.db.scalar("SELECT coalesce(max(position), -1) + 1 FROM apdr_provision_items"
                                     " WHERE plan_id = ?", (plan["id"],))
        names = _ITEM_FIELDS + ("recommendation_id",)
        cursor = session.db.execute(
            "INSERT INTO apdr_provision_items (plan_id, position, started_on, " + ", ".join(names)
            + ", entered_at, entered_by) VALUES (:plan_id, :position, :started_on, "
            + ", ".join(f":{n}" for n in names) + ", :now, :user)",
            {**{n: _stored(values[n]) for n in names}, "plan_id": plan["id"], "position": position,
             "started_on": start.isoformat(), "now": session.now_text(), "user": session.user.id})
        item_id = int(cursor.lastrowid)
        session.audit("added provision to an agreed plan", "pupil", ctx.pupil["id"],
                      {"cycle_id": ctx.cycle["id"], "item_id": item_id})
    return item_id


def end_provision(session: Session, item_id: int, ended_on: dt.date | str, reason: str) -> None:
    """Stop an item of an agreed plan early, from a date and for a reason; it stays on record."""
    session.require(Permission.MANAGE_PLANS)
    day = dates.require_date(ended_on, "End date")
    why = clean_text(reason, "Reason", max_length=2000, required=True)
    with session.db.transaction():
        item = _item_row(session, item_id)
        ctx = _context(session, item["cycle_id"])
        plan = _agreed_plan(session, ctx)
        if item["ended_on"] is not None:
            raise ValidationError("This provision has already ended.", field="provision")
        dates.not_after(day, today(session), "End date")
        dates.not_before(day, dates.from_text(item["started_on"]) or
                         dt.date.fromisoformat(plan["plan_date"]), "End date", "its start")
        session.db.execute("UPDATE apdr_provision_items SET ended_on = ?, end_reason = ? WHERE id = ?",
                           (day.isoformat(), why, item["id"]))
        session.audit("ended provision early", "pupil", ctx.pupil["id"],
                      {"cycle_id": ctx.cycle["id"], "item_id": item["id"]})


def record_plan_shared(session: Session, cycle_id: int, shared_on: dt.date | str) -> None:
    """Note the day a copy of the agreed plan was given to the parents."""
    session.require(Permission.MANAGE_PLANS)
    day = dates.require_date(shared_on, "Date shared")
    with session.db.transaction():
        ctx = _context(session, cycle_id)
        plan = _agreed_plan(session, ctx)
        dates.not_after(day, today(session), "Date shared")
        dates.not_before(day, dt.date.fromisoformat(plan["plan_date"]), "Date shared", "the plan date")
        _trail(session, ctx, "plan", plan["id"], {"shared_on": plan["shared_on"]},
               {"shared_on": day.isoformat()})
        session.db.execute("UPDATE apdr_plans SET shared_on = ? WHERE id = ?",
                           (day.isoformat(), plan["id"]))
        session.audit("recorded a plan shared with parents", "pupil", ctx.pupil["id"],
                      {"cycle_id": ctx.cycle["id"]})


def copy_previous_plan(session: Session, cycle_id: int) -> PlanCheck:
    """Start a new cycle's draft from the last plan: its aspirations, the outcomes not yet fully
    achieved, and the provision still running. Only into an empty draft."""
    session.require(Permission.MANAGE_PLANS)
    with session.db.transaction():
        ctx = _context(session, cycle_id)
        if ctx.cycle["number"] == 1:
            raise ValidationError("This is the first cycle; there is no earlier plan.", field="plan")
        row = _plan_row(session, ctx.cycle["id"])
        if row is not None and (row["agreed_at"] is not None or session.db.scalar(
                "SELECT 1 FROM apdr_outcomes WHERE plan_id = ? AND removed_at IS NULL UNION ALL "
                "SELECT 1 FROM apdr_provision_items WHERE plan_id = ? AND removed_at IS NULL",
                (row["id"], row["id"]))):
            raise ValidationError("The plan already has outcomes or provision.", field="plan")
        previous_cycle = session.db.query_one(
            "SELECT id FROM apdr_cycles WHERE pathway_id = ? AND number = ?",
            (ctx.pathway["id"], ctx.cycle["number"] - 1))
        old = _plan(session, previous_cycle["id"])
        review = _review(session, previous_cycle["id"])
        if old is None:
            raise ValidationError("The last cycle has no plan to copy.", field="plan")
        carried = [dict(o.fields(), target_date=None) for o in old.outcomes
                   if not (review and review.progress.get(o.id, (None,))[0] is Progress.ACHIEVED)]
        items = [dict(i.fields(), recommendation_id=i.recommendation_id) for i in old.active_items]
        return save_plan(session, cycle_id, {"aspirations": old.aspirations, "outcomes": carried,
                                             "items": items})


# --- do ---------------------------------------------------------------------------------------
def _item_row(session: Session, item_id: int) -> Row:
    row = session.db.query_one(
        "SELECT i.*, p.cycle_id, p.plan_date, p.agreed_at FROM apdr_provision_items i"
        " JOIN apdr_plans p ON p.id = i.plan_id WHERE i.id = ? AND i.removed_at IS NULL",
        (int(item_id),))
    if row is None:
        raise ValidationError("That provision is not in this database.", field="provision")
    return row


def log_delivery(session: Session, item_id: int, delivered_on: dt.date | str, delivered: bool,
                 note: str = "") -> int:
    """Record one session: delivered, or missed and why. Staff who deliver provision may do it."""
    require_any(session, Permission.ADD_NOTES, Permission.MANAGE_PLANS)
    day = dates.require_date(delivered_on, "Date of the session")
    text = clean_text(note, "Note" if delivered else "Why it was missed", max_length=2000)
    if not delivered and not text:
        raise ValidationError("Say why the session was missed.", field="note")
    with session.db.transaction():
        item = _item_row(session, item_id)
        ctx = _context(session, item["cycle_id"])
        if item["agreed_at"] is None:
            raise ValidationError("The plan has not been agreed yet, so its provision has not "
                                  "started.", field="provision")
        dates.not_after(day, today(session), "Date of the session")
        dates.not_before(day, dates.from_text(item["started_on"]) or
                         dt.date.fromisoformat(item["plan_date"]), "Date of the session",
                         "the start of the provision")
        if item["ended_on"] is not None:
            dates.not_after(day, dt.date.fromisoformat(item["ended_on"]), "Date of the session",
                            "the day the provision ended")
        cursor = session.db.execute(
            "INSERT INTO apdr_delivery_log (item_id, delivered_on, delivered, note, entered_at,"
            " entered_by) VALUES (?, ?, ?, ?, ?, ?)",
            (item["id"], day.isoformat(), int(bool(delivered)), text, session.now_text(),
             session.user.id))
        entry_id = int(cursor.lastrowid)
        session.audit("logged provision delivery", "pupil", ctx.pupil["id"],
                      {"item_id": item["id"], "entry_id": entry_id, "delivered": bool(delivered)})
    return entry_id


def withdraw_delivery(session: Session, entry_id: int, reason: str) -> None:
    """Strike out a mistaken log entry (its author or the SENCO); it stays visible as withdrawn."""
    require_any(session, Permission.ADD_NOTES, Permission.MANAGE_PLANS)
    why = clean_text(reason, "Reason", max_length=2000, required=True)
    with session.db.transaction():
        row = session.db.query_one(
            "SELECT d.*, p.cycle_id FROM apdr_delivery_log d JOIN apdr_provision_items i"
            " ON i.id = d.item_id JOIN apdr_plans p ON p.id = i.plan_id WHERE d.id = ?", (int(entry_id),))
        if row is None:
            raise ValidationError("That log entry is not in this database.", field="delivery")
        if row["entered_by"] != session.user.id and not session.can(Permission.MANAGE_PLANS):
            raise PermissionDenied("Only the person who logged the session, or the SENCO, may "
                                   "withdraw it.")
        if row["withdrawn_at"] is not None:
            raise ValidationError("This entry has already been withdrawn.", field="delivery")
        ctx = _context(session, row["cycle_id"])
        session.db.execute("UPDATE apdr_delivery_log SET withdrawn_at = ?, withdrawn_by = ?,"
                           " withdrawn_reason = ? WHERE id = ?",
                           (session.now_text(), session.user.id, why, row["id"]))
        session.audit("withdrew a delivery log entry", "pupil", ctx.pupil["id"],
                      {"entry_id": row["id"]})


def delivery_log(session: Session, cycle_id: int) -> list[DeliveryEntry]:
    """A cycle's delivery log in the order the sessions happened."""
    session.require(Permission.VIEW_RECORDS)
    rows = session.db.query(
        "SELECT d.*, i.description, coalesce(u.full_name, '') AS who FROM apdr_delivery_log d"
        " JOIN apdr_provision_items i ON i.id = d.item_id JOIN apdr_plans p ON p.id = i.plan_id"
        " LEFT JOIN users u ON u.id = d.entered_by WHERE p.cycle_id = ?"
        " ORDER BY d.delivered_on, d.id", (int(cycle_id),))
    return [DeliveryEntry(r["id"], r["item_id"], r["description"],
                          dt.date.fromisoformat(r["delivered_on"]), bool(r["delivered"]), r["note"],
                          r["who"], r["entered_at"], r["withdrawn_at"] is not None,
                          r["withdrawn_reason"]) for r in rows]


# --- review -----------------------------------------------------------------------------------
_REVIEW_FIELDS = ("held_on", "attendees", "child_views", "parent_views", "staff_views",
                  "at_risk_of_exclusion", "decision", "decision_notes")


def _clean_review(raw: Mapping[str, Any]) -> dict[str, Any]:
    decision = raw.get("decision") or None
    if decision is not None:
        try:
            decision = Decision(decision).value
        except ValueError:
            raise ValidationError("Choose the decision the review reached.", field="decision") from None
    return {
        "held_on": as_text(dates.parse_date(raw.get("held_on"), "Date of the review", required=False)),
        "attendees": clean_text(str(raw.get("attendees") or ""), "Who attended", max_length=2000),
        "child_views": clean_text(str(raw.get("child_views") or ""), "Child's views", max_length=8000),
        "parent_views": clean_text(str(raw.get("parent_views") or ""), "Parents' views", max_length=8000),
        "staff_views": clean_text(str(raw.get("staff_views") or ""), "Staff views", max_length=8000),
        "at_risk_of_exclusion": int(bool(raw.get("at_risk_of_exclusion"))),
        "decision": decision,
        "decision_notes": clean_text(str(raw.get("decision_notes") or ""), "Notes on the decision",
                                     max_length=8000),
    }


def save_review(session: Session, cycle_id: int, raw: Mapping[str, Any]) -> Review:
    """Save the Review part as a draft.

    raw may hold the fields of _REVIEW_FIELDS, 'progress' ({outcome id: {'progress', 'comment'}})
    and 'specialist_views' ({involvement id: {'view', 'given_as'}}).
    """
    session.require(Permission.MANAGE_PLANS)
    with session.db.transaction():
        ctx = _context(session, cycle_id)
        plan = _agreed_plan(session, ctx)
        row = session.db.query_one("SELECT * FROM apdr_reviews WHERE cycle_id = ?", (ctx.cycle["id"],))
        current = {n: (row[n] if row is not None else None) for n in _REVIEW_FIELDS}
        merged = {n: raw.get(n, current[n]) for n in _REVIEW_FIELDS}
        new = _clean_review(merged)
        stage = Stage(ctx.pathway["stage"])
        if new["decision"] and Decision(new["decision"]) not in rules.decisions_for(stage):
            rules.check_decision(stage, new["decision"], False)
        review_id, changed = _save_part(session, ctx, "apdr_reviews", "review", row, new)
        if "progress" in raw:
            changed += _save_progress(session, ctx, plan["id"], review_id, raw["progress"])
        if "specialist_views" in raw:
            changed += _save_specialist_views(session, ctx, review_id, raw["specialist_views"])
        if changed or row is None:
            session.audit("saved a review (draft)", "pupil", ctx.pupil["id"],
                          {"cycle_id": ctx.cycle["id"], "fields": sorted(set(changed))})
    return _review(session, ctx.cycle["id"])


def _save_progress(session: Session, ctx: CycleContext, plan_id: int, review_id: int,
                   progress: Mapping[Any, Mapping[str, Any]]) -> list[str]:
    outcome_ids = {r["id"] for r in session.db.query(
        "SELECT id FROM apdr_outcomes WHERE plan_id = ? AND removed_at IS NULL", (plan_id,))}
    changed = []
    for key, values in progress.items():
        outcome_id = int(key)
        if outcome_id not in outcome_ids:
            raise ValidationError("Progress was given for an outcome that is not in this plan.",
                                  field="progress")
        level = values.get("progress") or None
        if level is not None:
            level = Progress(level).value
        comment = clean_text(str(values.get("comment") or ""), "Comment on progress", max_length=4000)
        old = session.db.query_one("SELECT * FROM apdr_review_progress WHERE review_id = ? AND"
                                   " outcome_id = ?", (review_id, outcome_id))
        if old is None:
            session.db.execute("INSERT INTO apdr_review_progress (review_id, outcome_id, progress,"
                               " comment) VALUES (?, ?, ?, ?)", (review_id, outcome_id, level, comment))
            changed.append("progress")
        elif _trail(session, ctx, "review progress", outcome_id,
                    {"progress": old["progress"], "comment": old["comment"]},
                    {"progress": level, "comment": comment}):
            session.db.execute("UPDATE apdr_review_progress SET progress = ?, comment = ? WHERE"
                               " review_id = ? AND outcome_id = ?", (level, comment, review_id, outcome_id))
            changed.append("progress")
    return changed


def _save_specialist_views(session: Session, ctx: CycleContext, review_id: int,
                           views: Mapping[Any, Mapping[str, Any]]) -> list[str]:
    changed = []
    for key, values in views.items():
        involvement_id = int(key)
        if not session.db.scalar("SELECT 1 FROM specialist_involvements WHERE id = ? AND pupil_id = ?",
                                 (involvement_id, ctx.pupil["id"])):
            raise ValidationError("That specialist is not involved with this pupil.",
                                  field="specialist_views")
        view = clean_text(str(values.get("view") or ""), "Specialist's view", max_length=8000)
        given_as = clean_line(str(values.get("given_as") or ""), "How the view was given",
                              max_length=60, required=False)
        old = session.db.query_one("SELECT * FROM apdr_review_specialist_views WHERE review_id = ?"
                                   " AND involvement_id = ?", (review_id, involvement_id))
        if old is None:
            session.db.execute("INSERT INTO apdr_review_specialist_views (review_id, involvement_id,"
                               " view, given_as) VALUES (?, ?, ?, ?)",
                               (review_id, involvement_id, view, given_as))
            changed.append("specialist_views")
        elif _trail(session, ctx, "review specialist view", involvement_id,
                    {"view": old["view"], "given_as": old["given_as"]},
                    {"view": view, "given_as": given_as}):
            session.db.execute("UPDATE apdr_review_specialist_views SET view = ?, given_as = ?"
                               " WHERE review_id = ? AND involvement_id = ?",
                               (view, given_as, review_id, involvement_id))
            changed.append("specialist_views")
    return changed


@dataclass(frozen=True)
class ReviewResult:
    decision: Decision
    next_cycle_id: int | None     # the cycle the decision started, if it started one
    stage: Stage | None           # that cycle's stage
    pathway_closed: bool
    register_changed: bool        # the pupil was taken off the SEN register


def complete_review(session: Session, cycle_id: int) -> ReviewResult:
    """Hold the review: it is fixed, and its decision starts the next cycle, moves the pathway
    to the specialist stage or closes it (updating the SEN register when the pupil goes back to
    ordinarily available provision), all in one transaction."""
    session.require(Permission.MANAGE_PLANS)
    with session.db.transaction():
        ctx = _context(session, cycle_id)
        plan = _agreed_plan(session, ctx)
        review = _review(session, ctx.cycle["id"])
        if review is None:
            raise ValidationError("Record the review first.", field="review")
        held = review.held_on
        if held is None:
            raise ValidationError("Give the date the review meeting was held.", field="held_on")
        dates.not_after(held, today(session), "Date of the review")
        dates.not_before(held, dt.date.fromisoformat(plan["plan_date"]), "Date of the review",
                         "the plan date")
        if not review.attendees.strip():
            raise ValidationError("Record who attended the review.", field="attendees")
        for name, label in (("child_views", "the child's views"), ("parent_views", "the parents' views")):
            if not getattr(review, name).strip():
                raise ValidationError(f"Record {label} (or why they could not be given).", field=name)
        plan_outcomes = _plan(session, ctx.cycle["id"]).outcomes
        missing = [o.position + 1 for o in plan_outcomes
                   if review.progress.get(o.id, (None, ""))[0] is None]
        if missing:
            raise ValidationError("Record the progress made towards outcome "
                                  + ", ".join(map(str, missing)) + ".", field="progress")
        stage = Stage(ctx.pathway["stage"])
        decision = rules.check_decision(stage, review.decision, review.at_risk_of_exclusion)
        now = session.now_text()
        session.db.execute("UPDATE apdr_reviews SET completed_at = ?, completed_by = ? WHERE id = ?",
                           (now, session.user.id, review.id))
        next_cycle_id = None
        next_stage = decision.next_stage(stage)
        register_changed = False
        if decision.effect is Effect.NEXT_CYCLE:
            assert next_stage is not None
            next_cycle_id = _start_cycle(session, ctx.pathway["id"], ctx.cycle["number"] + 1,
                                         next_stage, held)
            if next_stage is not stage:
                session.db.execute("UPDATE send_pathways SET stage = ? WHERE id = ?",
                                   (next_stage.value, ctx.pathway["id"]))
        else:
            session.db.execute("UPDATE send_pathways SET status = 'closed', closed_on = ?,"
                               " close_decision = ?, closed_at = ?, closed_by = ? WHERE id = ?",
                               (held.isoformat(), decision.value, now, session.user.id,
                                ctx.pathway["id"]))
            if decision.leaves_register:
                register_changed = _back_to_ordinary(session, ctx, held)
        summary.refresh(session.db, [ctx.pupil["id"]])
        session.audit("held a review", "pupil", ctx.pupil["id"],
                      {"cycle_id": ctx.cycle["id"], "decision": decision.value,
                       "next_cycle_id": next_cycle_id,
                       "stage": next_stage.value if next_stage else None,
                       "pathway_closed": next_cycle_id is None,
                       "at_risk_of_exclusion": review.at_risk_of_exclusion})
    return ReviewResult(decision, next_cycle_id, next_stage, next_cycle_id is None, register_changed)


def _back_to_ordinary(session: Session, ctx: CycleContext, held: dt.date) -> bool:
    """Off the SEN register (K to N, parents to be notified) and onto the monitoring register,
    through the registers' own rules."""
    changed = False
    when = dates.format_uk(held)
    if ctx.pupil["sen_status"] == "K":
        sen_register.change_status(session, ctx.pupil["id"], "N", max(held, _status_since(ctx)),
                                   f"Review on {when}: good progress; back to ordinarily "
                                   "available provision, kept on the monitoring register.")
        changed = True
    on_monitoring = session.db.scalar("SELECT 1 FROM register_entries WHERE pupil_id = ? AND"
                                      " register = 'monitoring' AND end_date IS NULL",
                                      (ctx.pupil["id"],))
    if not on_monitoring:
        registers.add_entry(session, ctx.pupil["id"], "monitoring", {
            "start_date": held, "review_date": reviews.next_term(
                held, school_calendar.calendar_of(session)).end,
            "details": f"Back to ordinarily available provision after the review on {when}; "
                       "monitor that progress is kept up."})
    return changed


# --- reviews due ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DueReview:
    pupil_id: int
    pupil_name: str
    year_group: str
    pathway_id: int
    stage: Stage
    cycle_id: int
    cycle_number: int
    review_date: dt.date | None
    state: reviews.ReviewState
    days_overdue: int
    reviews_last_year: int
    too_few_reviews: bool


def reviews_due(session: Session, *, include_upcoming: bool = True) -> list[DueReview]:
    """Every open pathway's next review, most urgent first: overdue, due within two weeks,
    no agreed plan yet, then booked. Also flags pathways with fewer than three reviews in the
    last year."""
    session.require(Permission.VIEW_RECORDS)
    day = today(session)
    rows = session.db.query(
        "SELECT w.id AS pathway_id, w.pupil_id, w.stage, w.opened_on, c.id AS cycle_id, c.number,"
        " pl.review_date, pl.agreed_at, p.legal_surname, p.legal_forename, p.preferred_surname,"
        " p.preferred_forename, p.year_group, p.sort_key"
        " FROM send_pathways w JOIN pupils p ON p.id = w.pupil_id"
        " JOIN apdr_cycles c ON c.pathway_id = w.id"
        "  AND c.number = (SELECT max(number) FROM apdr_cycles WHERE pathway_id = w.id)"
        " LEFT JOIN apdr_plans pl ON pl.cycle_id = c.id"
        " WHERE w.status = 'open' AND p.archived_at IS NULL")
    # Counted in SQL: at county scale the last year's reviews run to tens of thousands.
    held: dict[int, int] = dict(session.db.query(
        "SELECT p.pupil_id, count(*) FROM apdr_reviews r JOIN apdr_cycles c ON c.id = r.cycle_id"
        " JOIN send_pathways p ON p.id = c.pathway_id WHERE r.completed_at IS NOT NULL"
        " AND r.held_on BETWEEN ? AND ? GROUP BY p.pupil_id",
        (reviews.year_before(day).isoformat(), day.isoformat())))
    urgency = {reviews.ReviewState.OVERDUE: 0, reviews.ReviewState.DUE: 1,
               reviews.ReviewState.NO_PLAN: 2, reviews.ReviewState.UPCOMING: 3}
    stages = {stage.value: stage for stage in Stage}
    found = []
    # Unpacked by position: at county scale this loop runs for thousands of open pathways.
    for (pathway_id, pupil_id, stage, opened_on, cycle_id, number, review_text, agreed_at,
         legal_surname, legal_forename, preferred_surname, preferred_forename, year_group,
         sort_key) in rows:
        review_date = dates.from_text(review_text) if agreed_at else None
        state = reviews.review_state(review_date, day)
        if state is reviews.ReviewState.UPCOMING and not include_upcoming:
            continue
        held_in_year = held.get(pupil_id, 0)
        name = f"{preferred_surname or legal_surname}, {preferred_forename or legal_forename}"
        due = DueReview(
            pupil_id, name, year_group, pathway_id, stages[stage], cycle_id, number, review_date,
            state, reviews.days_overdue(review_date, day),
            held_in_year, reviews.too_few_held(dt.date.fromisoformat(opened_on), held_in_year, day))
        found.append(((urgency[state], review_date or dt.date.max, sort_key), due))
    found.sort(key=lambda pair: pair[0])
    return [due for _, due in found]
