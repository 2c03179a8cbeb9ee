"""The Plan part of a cycle: the draft with its checks, agreeing it with the parents, and the
changes an agreed plan still allows (provision added or ended, the copy shared)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import ValidationError
from ...models import apdr as rules
from ...models import dates, outcomes, provision, reviews, school_days
from ...models.apdr import Plan, Progress, ProvisionItem
from ...models.roles import Permission
from ...models.text import clean_text
from ...operations import Kind, changed, operation
from ...session import Session
from ...store.database import Row
from .. import provision_library, school_calendar, stale
from .._common import as_text, pupil_row, today
from ._context import (
    CycleContext,
    _agreed_plan,
    _context,
    _cycle_row,
    _item_row,
    _meeting_on_a_school_day,
    _pathway_row,
    _plan_row,
    _save_part,
    _stored,
    _trail,
)
from .reading import _assessment, _plan, _review, item_from_row


@dataclass(frozen=True)
class PlanCheck:
    """What the plan form shows beside the plan: warnings never stop a draft being saved."""

    smart: tuple[outcomes.SmartWarning, ...]
    yearly_cost_pence: int
    cost_level: provision.CostLevel
    cost_warning: str | None
    latest_review_date: dt.date | None
    problems: tuple[str, ...]  # what must be put right before the plan can be agreed


_OUTCOME_FIELDS = ("text", "measure", "target_date", "area", "pfa_area", "measure_name")
_ITEM_FIELDS = ("description", "area", "delivered_by", "group_size", "sessions_per_week",
                "minutes", "weeks", "cost_basis", "rate_pence")


DRAFT_LABELS = {"aspirations": "Aspirations", "plan_date": "Plan date",
                "review_date": "Review date", "outcomes": "Outcomes", "items": "Provision"}


def draft_as_opened(plan: Plan | None) -> dict[str, Any]:
    """A plan draft as its form opens it (empty: no draft yet); the form hands it back to
    save_plan as ``expected`` so a draft changed on another PC meanwhile is not overwritten."""
    if plan is None:
        return {}
    return {"aspirations": plan.aspirations, "plan_date": plan.plan_date,
            "review_date": plan.review_date,
            "outcomes": [dict(o.fields(), id=o.id) for o in plan.outcomes],
            "items": [dict(i.fields(), id=i.id, recommendation_id=i.recommendation_id,
                           library_id=i.library_id) for i in plan.items]}


def _require_draft_unchanged(session: Session, ctx: CycleContext, row: Row | None,
                             expected: Mapping[str, Any], raw: Mapping[str, Any]) -> None:
    stored = draft_as_opened(_plan(session, ctx.cycle["id"]))
    if stale.plain(expected) == stale.plain(stored):
        return
    stale.require_unchanged(session, what="the support plan draft", expected=expected,
                            stored=stored, mine=dict(expected) | _dated(raw), labels=DRAFT_LABELS,
                            who_when=_last_draft_change(session, ctx.pupil["id"], row))


def _dated(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The draft's dates as save_plan will store them: the form sends them as typed
    (23/11/2026), and a date nobody changed is not a difference between the two versions."""
    out = dict(raw)
    for name in ("plan_date", "review_date"):
        if name in out:
            try:
                out[name] = dates.parse_date(out[name], DRAFT_LABELS[name], required=False)
            except ValidationError:
                pass   # shown as typed; save_plan says what is wrong with it
    return out


def _last_draft_change(session: Session, pupil_id: int, row: Row | None) -> tuple[str, str] | None:
    """Who last changed this draft, and when: the latest of its own edits and its lines' (the
    change trail), a line added or removed (which the trail does not hold: the line's row says
    who and when), and the draft being started. Not the pupil's latest trail entry: that may be
    someone else's edit of another record while this draft was changed by a line added."""
    if row is None:
        return None
    plan_id = row["id"]
    found = [(row["entered_at"], row["entered_by"]), (row["updated_at"], row["updated_by"])]
    found += [(r["changed_at"], r["changed_by"]) for r in session.db.query(
        "SELECT changed_at, changed_by FROM field_changes WHERE pupil_id = ? AND ("
        "(record_type = 'plan' AND record_id = ?)"
        " OR (record_type = 'outcome' AND record_id IN (SELECT id FROM apdr_outcomes WHERE plan_id = ?))"
        " OR (record_type = 'provision' AND record_id IN"
        " (SELECT id FROM apdr_provision_items WHERE plan_id = ?))) ORDER BY id DESC LIMIT 1",
        (pupil_id, plan_id, plan_id, plan_id))]
    for table in ("apdr_outcomes", "apdr_provision_items"):
        for at, by in (("entered_at", "entered_by"), ("removed_at", "removed_by")):
            found += [(r[at], r[by]) for r in session.db.query(
                f"SELECT {at}, {by} FROM {table} WHERE plan_id = ? AND {at} IS NOT NULL"
                f" ORDER BY {at} DESC LIMIT 1", (plan_id,))]
    at, by = max((f for f in found if f[0]), key=lambda f: str(f[0]))
    name = session.db.scalar("SELECT full_name FROM users WHERE id = ?", (by,))
    return name or stale.SOMEONE, stale.when_text(at)


@operation(Permission.MANAGE_PLANS, audit="saved a support plan (draft)")
def save_plan(session: Session, cycle_id: int, raw: Mapping[str, Any],
              expected: Mapping[str, Any] | None = None) -> PlanCheck:
    """Save the Plan part as a draft and return its checks.

    raw may hold aspirations, plan_date, review_date, outcomes and items; lists replace the
    stored lists (rows that carry an 'id' are kept and updated; rows left out are marked removed).
    ``expected``: the draft as the form opened it (draft_as_opened); refused
    (records/stale.py) if another PC changed it since.
    """
    ctx = _context(session, cycle_id)
    row = _plan_row(session, ctx.cycle["id"])
    if expected is not None:
        _require_draft_unchanged(session, ctx, row, expected, raw)
    if row is not None and row["agreed_at"] is not None:
        raise ValidationError("This plan has been agreed and is kept as it was. Add provision "
                              "to it, or change the plan at the next review.", field="plan")
    columns = ("aspirations", "plan_date", "review_date")
    current = {n: (row[n] if row is not None else None) for n in columns}
    merged = {n: raw.get(n, current[n]) for n in columns}
    new = {"aspirations": clean_text(str(merged["aspirations"] or ""), "Aspirations", max_length=8000),
           "plan_date": as_text(dates.parse_date(merged["plan_date"], "Plan date", required=False)),
           "review_date": as_text(dates.parse_date(merged["review_date"], "Review date",
                                                   required=False))}
    _meeting_on_a_school_day(session, new["plan_date"], current["plan_date"], "plan_date")
    plan_id, fields = _save_part(session, ctx, "apdr_plans", "plan", row, new)
    if "outcomes" in raw:
        cleaned = [dict(outcomes.clean_outcome(o), id=o.get("id")) for o in raw["outcomes"]]
        fields += _save_rows(session, ctx, plan_id, "apdr_outcomes", "outcome",
                             _OUTCOME_FIELDS, cleaned)
    if "items" in raw:
        cleaned = []
        for item in raw["items"]:
            values = provision.clean_item(item)
            values["recommendation_id"] = _check_recommendation(
                session, ctx.pupil["id"], item.get("recommendation_id"))
            values["library_id"] = _check_library(session, plan_id, item)
            values["id"] = item.get("id")
            cleaned.append(values)
        fields += _save_rows(session, ctx, plan_id, "apdr_provision_items", "provision",
                             _ITEM_FIELDS + ("recommendation_id", "library_id"), cleaned)
    if fields or row is None:
        changed(session, Kind.PATHWAY, ctx.pupil["id"], cycle_id=ctx.cycle["id"], plan_id=plan_id,
                fields=sorted(set(fields)))
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


def _check_library(session: Session, plan_id: int, item: Mapping[str, Any]) -> int | None:
    """The library item a line was filled from: a line already saved keeps its own (even once
    the item is retired); a new line, or one changed to another item, must name an item still
    offered."""
    wanted = item.get("library_id")
    if item.get("id") and wanted not in (None, ""):
        held = session.db.scalar("SELECT library_id FROM apdr_provision_items WHERE id = ?"
                                 " AND plan_id = ?", (int(item["id"]), plan_id))
        if held is not None and int(held) == int(wanted):
            return int(held)
    return provision_library.check_offered(session, wanted)


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
            # A draft may keep a date stored before the rule, but agreeing is held on that
            # day: a Saturday or Christmas Day is refused here as it is when typed.
            school_days.require_school_day(calendar, plan.plan_date, "plan_date")
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


@operation(Permission.VIEW_RECORDS, writes=False)
def check_plan(session: Session, cycle_id: int) -> PlanCheck:
    cycle = _cycle_row(session, cycle_id)
    pathway = _pathway_row(session, cycle["pathway_id"])
    ctx = CycleContext(cycle, pathway, pupil_row(session, pathway["pupil_id"]))
    if _plan_row(session, cycle["id"]) is None:
        raise ValidationError("This cycle has no plan yet.", field="plan")
    return _check_plan(session, ctx)


@operation(Permission.MANAGE_PLANS, audit="agreed a support plan")
def agree_plan(session: Session, cycle_id: int) -> PlanCheck:
    """Record that the plan was agreed with the parents; from then on it is fixed.

    Refused while anything in PlanCheck.problems stands (a plan date the school was shut, no
    review date, a review date beyond the end of the next term, no outcomes or provision,
    provision unchanged after a review found a risk of exclusion). SMART and cost warnings do not stop it.
    """
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
    changed(session, Kind.PATHWAY, ctx.pupil["id"], cycle_id=ctx.cycle["id"], plan_id=row["id"],
            review_date=row["review_date"], yearly_cost_pence=check.yearly_cost_pence,
            smart_warnings=len(check.smart))
    return check


@operation(Permission.MANAGE_PLANS, audit="added provision to an agreed plan")
def add_provision(session: Session, cycle_id: int, raw: Mapping[str, Any],
                  started_on: dt.date | str) -> int:
    """Add provision to an agreed plan from a date (a specialist's advice need not wait for the
    review). Returns the new item's id."""
    values = provision.clean_item(raw)
    start = dates.require_date(started_on, "Start date")
    ctx = _context(session, cycle_id)
    plan = _agreed_plan(session, ctx)
    dates.not_before(start, dt.date.fromisoformat(plan["plan_date"]), "Start date", "the plan date")
    dates.not_after(start, today(session), "Start date")
    values["recommendation_id"] = _check_recommendation(session, ctx.pupil["id"],
                                                        raw.get("recommendation_id"))
    values["library_id"] = provision_library.check_offered(session, raw.get("library_id"))
    position = session.db.scalar("SELECT coalesce(max(position), -1) + 1 FROM apdr_provision_items"
                                 " WHERE plan_id = ?", (plan["id"],))
    names = _ITEM_FIELDS + ("recommendation_id", "library_id")
    cursor = session.db.execute(
        "INSERT INTO apdr_provision_items (plan_id, position, started_on, " + ", ".join(names)
        + ", entered_at, entered_by) VALUES (:plan_id, :position, :started_on, "
        + ", ".join(f":{n}" for n in names) + ", :now, :user)",
        {**{n: _stored(values[n]) for n in names}, "plan_id": plan["id"], "position": position,
         "started_on": start.isoformat(), "now": session.now_text(), "user": session.user.id})
    item_id = int(cursor.lastrowid)
    changed(session, Kind.PATHWAY, ctx.pupil["id"], cycle_id=ctx.cycle["id"], item_id=item_id)
    return item_id


@operation(Permission.MANAGE_PLANS, audit="ended provision early")
def end_provision(session: Session, item_id: int, ended_on: dt.date | str, reason: str) -> None:
    """Stop an item of an agreed plan early, from a date and for a reason; it stays on record."""
    day = dates.require_date(ended_on, "End date")
    why = clean_text(reason, "Reason", max_length=2000, required=True)
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
    changed(session, Kind.PATHWAY, ctx.pupil["id"], cycle_id=ctx.cycle["id"], item_id=item["id"])


@operation(Permission.MANAGE_PLANS, audit="recorded a plan shared with parents")
def record_plan_shared(session: Session, cycle_id: int, shared_on: dt.date | str) -> None:
    """Note the day a copy of the agreed plan was given to the parents."""
    day = dates.require_date(shared_on, "Date shared")
    ctx = _context(session, cycle_id)
    plan = _agreed_plan(session, ctx)
    dates.not_after(day, today(session), "Date shared")
    dates.not_before(day, dt.date.fromisoformat(plan["plan_date"]), "Date shared", "the plan date")
    _trail(session, ctx, "plan", plan["id"], {"shared_on": plan["shared_on"]},
           {"shared_on": day.isoformat()})
    session.db.execute("UPDATE apdr_plans SET shared_on = ? WHERE id = ?",
                       (day.isoformat(), plan["id"]))
    changed(session, Kind.PATHWAY, ctx.pupil["id"], cycle_id=ctx.cycle["id"])


@operation(Permission.MANAGE_PLANS)
def copy_previous_plan(session: Session, cycle_id: int, plan_date: dt.date | str | None = None,
                       review_date: dt.date | str | None = None) -> PlanCheck:
    """Start a new cycle's draft from the last plan: its aspirations, the outcomes not yet fully
    achieved, and the provision still running. Only into an empty draft. The new plan's own
    dates, when the page already holds them (the agreed date defaults to today), are kept."""
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
    if previous_cycle is None:
        raise ValidationError("The last cycle has no plan to copy.", field="plan")
    old = _plan(session, previous_cycle["id"])
    review = _review(session, previous_cycle["id"])
    if old is None:
        raise ValidationError("The last cycle has no plan to copy.", field="plan")
    carried = [dict(o.fields(), target_date=None) for o in old.outcomes
               if not (review and review.progress.get(o.id, (None,))[0] is Progress.ACHIEVED)]
    offered = {item.id for item in provision_library.list_items(session)}
    items = [dict(i.fields(), recommendation_id=i.recommendation_id,
                  library_id=i.library_id if i.library_id in offered else None)
             for i in old.active_items]
    own = {key: day for key, day in (("plan_date", plan_date), ("review_date", review_date)) if day}
    return save_plan(session, cycle_id, {"aspirations": old.aspirations, "outcomes": carried,
                                         "items": items, **own})
