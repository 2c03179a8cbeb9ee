"""Readiness for an EHC needs assessment request: the evidence gathered from the pupil's record
and scored against the checklist (models.ehcna), with the SENCO's answers and any exception.

Nothing is typed twice: the cycles, plans, reviews, costs, specialists and registers are read
from what the graduated approach already recorded. Only the judgements the record cannot make
are asked for, each answer with a note of how the SENCO knows. Reading readiness is audited;
answers and exceptions need Permission.MANAGE_PLANS and leave their old values in the trail.
"""

from __future__ import annotations

import datetime as dt

from ..errors import ValidationError
from ..models import dates, outcomes
from ..models import ehcna as rules
from ..models.apdr import Decision, Pathway
from ..models.ehcna import (
    Answer,
    CycleEvidence,
    ExceptionKind,
    Readiness,
    ReadinessEvidence,
    RecordedException,
    SpecialistEvidence,
)
from ..models.registers import RegisterKind
from ..models.roles import Permission
from ..models.specialists import Consent
from ..models.text import clean_text
from ..operations import Kind, changed, operation, viewed
from ..session import Session
from . import apdr, registers, specialists
from ._common import pupil_row, record_changes, require_editable, today

_SMART_FAULTS = {"no_measure", "vague_measure", "no_date"}


@operation(Permission.VIEW_RECORDS, writes=False,
           audit="checked EHC needs assessment readiness")
def assess_readiness(session: Session, pupil_id: int) -> Readiness:
    """Score the pupil's readiness for an EHC needs assessment request (audited read)."""
    readiness = rules.assess(gather_evidence(session, pupil_id))
    viewed(session, "pupil", int(pupil_id), ready=readiness.ready, met=readiness.met_count,
           items=len(readiness.items))
    return readiness


@operation(Permission.VIEW_RECORDS, writes=False)
def gather_evidence(session: Session, pupil_id: int) -> ReadinessEvidence:
    """What the record holds for the checklist (permission checked, not audited on its own)."""
    pupil = pupil_row(session, pupil_id)
    pupil_id = pupil["id"]
    pathways = apdr.pathways(session, pupil_id)
    cycles, current_number, facts = _cycles(pathways, pupil["year_group"])
    open_pathway = next((p for p in pathways if p.open), None)
    current_plan = open_pathway.current_plan if open_pathway else None
    involvements = specialists.involvements(session, pupil_id)
    entries = [e for e in registers.list_entries(session, pupil_id) if e.open]
    eal = next((e for e in entries if e.kind is RegisterKind.EAL), None)
    facts.setdefault("disruption", [])
    facts.setdefault("social_care", [])
    for entry in entries:
        if entry.kind is RegisterKind.MEDICAL:
            facts["disruption"].append(
                f"On the disability and medical needs register from {dates.format_uk(entry.start_date)}"
                + (" with an individual healthcare plan." if entry.has_ihp else "."))
        elif entry.kind is RegisterKind.LOOKED_AFTER:
            facts["social_care"].append(
                f"Looked-after child from {dates.format_uk(entry.start_date)}: social care is involved.")
    for run in session.db.query(
            "SELECT pathway, outcome_title, discussion_date FROM concern_runs WHERE pupil_id = ?"
            " AND status = 'finished' AND pathway IN ('early_help', 'attendance')"
            " ORDER BY discussion_date", (pupil_id,)):
        key = "social_care" if run["pathway"] == "early_help" else "disruption"
        facts[key].append(f"Initial concerns discussion on "
                          f"{dates.format_uk(dates.from_text(run['discussion_date']))}: "
                          f"{run['outcome_title']}.")
    return ReadinessEvidence(
        cycles=tuple(cycles), current_cycle=current_number,
        provision_cost_pence=current_plan.yearly_cost_pence if current_plan else None,
        specialists=tuple(SpecialistEvidence(
            i.service, i.educational, i.consent is Consent.GIVEN, i.referral_date, i.ended_on,
            len(i.reports), len(i.recommendations),
            sum(1 for r in i.recommendations if r.item_ids)) for i in involvements),
        answers=answers(session, pupil_id),
        on_eal_register=eal is not None, first_language=eal.first_language if eal else None,
        facts={key: tuple(value) for key, value in facts.items()},
        exception=current_exception(session, pupil_id),
        ehcna_decision=_ehcna_decision(pathways))


def _cycles(pathways: list[Pathway], year_group: str | None
            ) -> tuple[list[CycleEvidence], int | None, dict[str, list[str]]]:
    found: list[CycleEvidence] = []
    current_number = None
    holistic: list[str] = []
    expertise: list[str] = []
    number = 0
    for pathway in pathways:
        for cycle in pathway.cycles:
            number += 1
            plan = cycle.plan if cycle.plan is not None and cycle.plan.agreed else None
            faults = 0
            if plan is not None:
                for outcome in plan.outcomes:
                    warnings = outcomes.outcome_warnings(outcome.fields())
                    faults += any(w.code in _SMART_FAULTS for w in warnings)
                expertise.append(f"Cycle {number}'s plan: {len(plan.items)} provision item"
                                 + ("s" if len(plan.items) != 1 else "")
                                 + (" (" + "; ".join(i.description for i in plan.items[:4])
                                    + ("; ..." if len(plan.items) > 4 else "") + ")."
                                    if plan.items else "."))
            review = cycle.review if cycle.reviewed else None
            found.append(CycleEvidence(
                number, cycle.stage.label, plan.plan_date if plan else None,
                review.held_on if review else None, len(plan.outcomes) if plan else 0, faults,
                review.decision.label if review and review.decision else None))
            assessment = cycle.assessment
            if assessment is not None and assessment.completed:
                tools = ", ".join(t.tool for t in assessment.tools)
                holistic.append(f"Cycle {number} assessment ({dates.format_uk(assessment.assessed_on)})"
                                + (f" using {tools}" if tools else "")
                                + (f"; primary need {assessment.primary_need}." if assessment.primary_need
                                   else "."))
            if pathway.open and cycle is pathway.cycles[-1]:
                current_number = number
    return found, current_number, {"holistic": holistic, "expertise": expertise}


def _ehcna_decision(pathways: list[Pathway]) -> tuple[str, dt.date] | None:
    held = [(review.held_on, review.decision) for p in pathways for c in p.cycles
            if c.reviewed and (review := c.review) is not None and review.held_on is not None]
    if not held:
        return None
    last_day, decision = max(held, key=lambda pair: pair[0])
    if decision is Decision.REQUEST_EHCNA:
        return decision.label, last_day
    return None


@operation(Permission.VIEW_RECORDS, writes=False)
def answers(session: Session, pupil_id: int) -> dict[str, Answer]:
    return {r["question"]: Answer(None if r["answer"] is None else bool(r["answer"]), r["note"],
                                  dates.from_text(r["answered_on"]), r["who"])
            for r in session.db.query(
                "SELECT c.*, coalesce(u.full_name, '') AS who FROM ehcna_checklist c LEFT JOIN users u"
                " ON u.id = coalesce(c.updated_by, c.entered_by) WHERE c.pupil_id = ?",
                (int(pupil_id),))}


@operation(Permission.VIEW_RECORDS, writes=False)
def current_exception(session: Session, pupil_id: int) -> RecordedException | None:
    row = session.db.query_one("SELECT * FROM ehcna_exceptions WHERE pupil_id = ? AND withdrawn_at"
                               " IS NULL", (int(pupil_id),))
    if row is None:
        return None
    return RecordedException(ExceptionKind(row["kind"]), row["reason"],
                             dt.date.fromisoformat(row["recorded_on"]))


@operation(Permission.MANAGE_PLANS, audit="answered the EHC needs assessment checklist")
def answer_question(session: Session, pupil_id: int, key: str, answer: bool | None, note: str = "",
                    answered_on: dt.date | str | None = None) -> bool:
    """Record (or change, or clear with None) the SENCO's answer to a checklist question;
    returns False when nothing changed."""
    if key not in rules.QUESTION_KEYS:
        raise ValidationError("That is not a question on the EHC needs assessment checklist.",
                              field="question")
    text = clean_text(note, "Note", max_length=4000)
    day = dates.parse_date(answered_on, "Date answered", required=False) or today(session)
    dates.not_after(day, today(session), "Date answered")
    value = None if answer is None else int(bool(answer))
    pupil = require_editable(session, pupil_id)
    row = session.db.query_one("SELECT * FROM ehcna_checklist WHERE pupil_id = ? AND question = ?",
                               (pupil["id"], key))
    new = {"answer": value, "note": text, "answered_on": day.isoformat()}
    now = session.now_text()
    if row is None:
        session.db.execute(
            "INSERT INTO ehcna_checklist (pupil_id, question, answer, note, answered_on,"
            " entered_at, entered_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (pupil["id"], key, value, text, day.isoformat(), now, session.user.id))
    else:
        old = {"answer": row["answer"], "note": row["note"], "answered_on": row["answered_on"]}
        if old["answer"] == value and old["note"] == text:
            return False
        record_changes(session, pupil["id"], "EHC checklist", 0,
                       {f"{key} {name}": value for name, value in old.items()},
                       {f"{key} {name}": value for name, value in new.items()})
        session.db.execute(
            "UPDATE ehcna_checklist SET answer = ?, note = ?, answered_on = ?, updated_at = ?,"
            " updated_by = ? WHERE pupil_id = ? AND question = ?",
            (value, text, day.isoformat(), now, session.user.id, pupil["id"], key))
    changed(session, Kind.EHC, pupil["id"], question=key, answer=value)
    return True


@operation(Permission.MANAGE_PLANS, audit="recorded an exception to the APDR cycles")
def record_exception(session: Session, pupil_id: int, kind: ExceptionKind | str, reason: str,
                     recorded_on: dt.date | str | None = None) -> int:
    """Record the circumstance that lets a request skip the APDR cycles, with its reason."""
    try:
        chosen = ExceptionKind(kind)
    except ValueError:
        raise ValidationError("Choose the circumstance that allows the cycles to be skipped.",
                              field="kind") from None
    why = clean_text(reason, "Reason", max_length=4000, required=True)
    day = dates.parse_date(recorded_on, "Date recorded", required=False) or today(session)
    dates.not_after(day, today(session), "Date recorded")
    pupil = require_editable(session, pupil_id)
    if session.db.scalar("SELECT 1 FROM ehcna_exceptions WHERE pupil_id = ? AND withdrawn_at"
                         " IS NULL", (pupil["id"],)):
        raise ValidationError("An exception is already recorded; withdraw it first to record "
                              "a different one.", field="kind")
    exception_id = int(session.db.execute(
        "INSERT INTO ehcna_exceptions (pupil_id, kind, reason, recorded_on, entered_at,"
        " entered_by) VALUES (?, ?, ?, ?, ?, ?)",
        (pupil["id"], chosen.value, why, day.isoformat(), session.now_text(),
         session.user.id)).lastrowid)
    changed(session, Kind.EHC, pupil["id"], exception_id=exception_id, kind=chosen.value)
    return exception_id


@operation(Permission.MANAGE_PLANS, audit="withdrew an exception to the APDR cycles")
def withdraw_exception(session: Session, pupil_id: int, reason: str) -> None:
    """Withdraw the recorded exception; it stays on record with why it was withdrawn."""
    why = clean_text(reason, "Reason", max_length=2000, required=True)
    pupil = require_editable(session, pupil_id)
    row = session.db.query_one("SELECT id FROM ehcna_exceptions WHERE pupil_id = ? AND"
                               " withdrawn_at IS NULL", (pupil["id"],))
    if row is None:
        raise ValidationError("No exception is recorded for this pupil.", field="kind")
    session.db.execute("UPDATE ehcna_exceptions SET withdrawn_at = ?, withdrawn_by = ?,"
                       " withdrawn_reason = ? WHERE id = ?",
                       (session.now_text(), session.user.id, why, row["id"]))
    changed(session, Kind.EHC, pupil["id"], exception_id=row["id"])
