"""The Review part of a cycle: the draft, then the held review whose decision starts the next
cycle, moves the pathway to the specialist stage or closes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import ValidationError
from ...models import apdr as rules
from ...models import dates, reviews
from ...models.apdr import Decision, Effect, Progress, Review, Stage
from ...models.roles import Permission
from ...models.text import clean_line, clean_text
from ...operations import Kind, changed, operation
from ...session import Session
from .. import registers, school_calendar, sen_register
from .._common import as_text, today
from ._context import (
    CycleContext,
    _agreed_plan,
    _context,
    _meeting_on_a_school_day,
    _save_part,
    _status_since,
    _trail,
)
from .pathway import _start_cycle
from .reading import _plan, _present, _review

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


@operation(Permission.MANAGE_PLANS, audit="saved a review (draft)")
def save_review(session: Session, cycle_id: int, raw: Mapping[str, Any]) -> Review:
    """Save the Review part as a draft.

    raw may hold the fields of _REVIEW_FIELDS, 'progress' ({outcome id: {'progress', 'comment'}})
    and 'specialist_views' ({involvement id: {'view', 'given_as'}}).
    """
    ctx = _context(session, cycle_id)
    plan = _agreed_plan(session, ctx)
    row = session.db.query_one("SELECT * FROM apdr_reviews WHERE cycle_id = ?", (ctx.cycle["id"],))
    current = {n: (row[n] if row is not None else None) for n in _REVIEW_FIELDS}
    merged = {n: raw.get(n, current[n]) for n in _REVIEW_FIELDS}
    new = _clean_review(merged)
    _meeting_on_a_school_day(session, new["held_on"], current["held_on"], "held_on")
    stage = Stage(ctx.pathway["stage"])
    if new["decision"] and Decision(new["decision"]) not in rules.decisions_for(stage):
        rules.check_decision(stage, new["decision"], False)
    review_id, fields = _save_part(session, ctx, "apdr_reviews", "review", row, new)
    if "progress" in raw:
        fields += _save_progress(session, ctx, plan["id"], review_id, raw["progress"])
    if "specialist_views" in raw:
        fields += _save_specialist_views(session, ctx, review_id, raw["specialist_views"])
    if fields or row is None:
        changed(session, Kind.PATHWAY, ctx.pupil["id"], cycle_id=ctx.cycle["id"],
                fields=sorted(set(fields)))
    return _present(_review(session, ctx.cycle["id"]), "review")


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


@operation(Permission.MANAGE_PLANS, audit="held a review")
def complete_review(session: Session, cycle_id: int) -> ReviewResult:
    """Hold the review: it is fixed, and its decision starts the next cycle, moves the pathway
    to the specialist stage or closes it (updating the SEN register when the pupil goes back to
    ordinarily available provision), all in one transaction."""
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
    plan_outcomes = _present(_plan(session, ctx.cycle["id"]), "plan").outcomes
    missing = [o.position + 1 for o in plan_outcomes
               if review.progress.get(o.id, (None, ""))[0] is None]
    if missing:
        raise ValidationError("Record the progress made towards outcome "
                              + ", ".join(map(str, missing)) + ".", field="progress")
    stage = Stage(ctx.pathway["stage"])
    if review.decision is None:
        raise ValidationError("Choose the decision the review reached.", field="decision")
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
    changed(session, Kind.PATHWAY, ctx.pupil["id"], cycle_id=ctx.cycle["id"],
            decision=decision.value, next_cycle_id=next_cycle_id,
            stage=next_stage.value if next_stage else None, pathway_closed=next_cycle_id is None,
            at_risk_of_exclusion=review.at_risk_of_exclusion)
    return ReviewResult(decision, next_cycle_id, next_stage, next_cycle_id is None, register_changed)


def _back_to_ordinary(session: Session, ctx: CycleContext, held: dt.date) -> bool:
    """Off the SEN register (K to N, parents to be notified) and onto the monitoring register,
    through the registers' own rules."""
    left = False
    when = dates.format_uk(held)
    if ctx.pupil["sen_status"] == "K":
        sen_register.change_status(session, ctx.pupil["id"], "N", max(held, _status_since(ctx)),
                                   f"Review on {when}: good progress; back to ordinarily "
                                   "available provision, kept on the monitoring register.")
        left = True
    on_monitoring = session.db.scalar("SELECT 1 FROM register_entries WHERE pupil_id = ? AND"
                                      " register = 'monitoring' AND end_date IS NULL",
                                      (ctx.pupil["id"],))
    if not on_monitoring:
        registers.add_entry(session, ctx.pupil["id"], "monitoring", {
            "start_date": held, "review_date": reviews.next_term(
                held, school_calendar.calendar_of(session)).end,
            "details": f"Back to ordinarily available provision after the review on {when}; "
                       "monitor that progress is kept up."})
    return left
