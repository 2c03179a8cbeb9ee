"""EHC needs assessment requests and EHC plans, stored.

The SENCO (Permission.MANAGE_PLANS) records requests and plans; anyone who may view records may
read them, and each read of a pupil's EHC record is audited. A request is one row brought up to
date as it goes (consent, countersignature, sent, the LA's decisions); every changed field
leaves its old value in the pupil's change trail. Recording an issued plan puts the pupil on
the SEN register as E through the register's own rules (SENCO only), in the same transaction.
Recording an issued plan also closes the request it came from (the decision to assess and
the dates filled in), and a plan after a request the LA has not yet agreed to assess is refused
until that decision is given. A school's request sent before the readiness checklist is met
keeps the score on the day it went and the reason it went anyway.
Each plan keeps its next review date worked out by the EHC rules so the pupil list can show it;
the rule in records/derived.py works it out again after every change to a plan or the term dates.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ValidationError
from ..models import dates
from ..models import ehc as rules
from ..models import ehcna as readiness_rules
from ..models.ehc import (
    AnnualReview,
    AssessDecision,
    EhcnaRequest,
    EhcOutcome,
    EhcPlan,
    OutcomeStep,
    PlanDecision,
    RequestedBy,
    ReviewKind,
    ReviewRecommendation,
)
from ..models.roles import Permission
from ..models.text import clean_text
from ..operations import Kind, changed, operation, viewed
from ..session import Session
from ..store.database import Row
from . import ehcna, school_calendar, sen_register
from ._common import as_text, chunks, placeholders, pupil_row, record_changes, require_editable, today

_REQUEST_FIELDS = ("local_authority", "consent_on", "consent_from", "head_name", "head_signed_on",
                   "submitted_on", "decision", "decision_on", "plan_decision", "draft_on",
                   "final_on", "withdrawn_on", "notes", "requested_by")
_PLAN_FIELDS = ("issued_on", "local_authority", "caseworker", "caseworker_contact")
_REVIEW_FIELDS = ("meeting_on", "invitations_sent_on", "held_on", "recommendation",
                  "pfa_discussed", "notes", "report_sent_on", "kind")


def _date(text: str | None) -> dt.date | None:
    return dates.from_text(text)


def _stored(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, enum.Enum):
        return value.value
    return as_text(value) if isinstance(value, dt.date) else value


# --- reading ----------------------------------------------------------------------------------
def request_from_row(row: Row) -> EhcnaRequest:
    return EhcnaRequest(
        id=row["id"], pupil_id=row["pupil_id"], local_authority=row["local_authority"],
        consent_on=_date(row["consent_on"]), consent_from=row["consent_from"],
        head_name=row["head_name"], head_signed_on=_date(row["head_signed_on"]),
        submitted_on=_date(row["submitted_on"]),
        decision=AssessDecision(row["decision"]) if row["decision"] else None,
        decision_on=_date(row["decision_on"]),
        plan_decision=PlanDecision(row["plan_decision"]) if row["plan_decision"] else None,
        draft_on=_date(row["draft_on"]), final_on=_date(row["final_on"]),
        withdrawn_on=_date(row["withdrawn_on"]), notes=row["notes"], entered_at=row["entered_at"],
        requested_by=RequestedBy(row["requested_by"]), sent_readiness=row["sent_readiness"],
        sent_below_readiness_reason=row["sent_below_readiness_reason"])


def _outcomes(session: Session, plan_id: int) -> tuple[EhcOutcome, ...]:
    found = []
    for row in session.db.query("SELECT * FROM ehc_outcomes WHERE plan_id = ? AND removed_at IS NULL"
                                " ORDER BY position, id", (plan_id,)):
        steps = tuple(OutcomeStep(s["id"], s["position"], s["text"], _date(s["target_date"]),
                                  _date(s["achieved_on"]))
                      for s in session.db.query(
                          "SELECT * FROM ehc_outcome_steps WHERE outcome_id = ? AND removed_at IS NULL"
                          " ORDER BY position, id", (row["id"],)))
        found.append(EhcOutcome(row["id"], row["position"], row["text"], row["pfa_area"], steps))
    return tuple(found)


def _reviews(session: Session, plan_id: int) -> tuple[AnnualReview, ...]:
    return tuple(AnnualReview(
        r["id"], r["plan_id"], _date(r["meeting_on"]), _date(r["invitations_sent_on"]),
        _date(r["held_on"]),
        ReviewRecommendation(r["recommendation"]) if r["recommendation"] else None,
        bool(r["pfa_discussed"]), r["notes"], _date(r["report_sent_on"]), r["entered_at"],
        ReviewKind(r["kind"]))
        for r in session.db.query("SELECT * FROM ehc_reviews WHERE plan_id = ?"
                                  " ORDER BY meeting_on, id", (plan_id,)))


def plan_from_row(session: Session, row: Row) -> EhcPlan:
    return EhcPlan(
        id=row["id"], pupil_id=row["pupil_id"], request_id=row["request_id"],
        issued_on=dt.date.fromisoformat(row["issued_on"]), local_authority=row["local_authority"],
        caseworker=row["caseworker"], caseworker_contact=row["caseworker_contact"],
        ceased_on=_date(row["ceased_on"]), ceased_reason=row["ceased_reason"],
        outcomes=_outcomes(session, row["id"]), reviews=_reviews(session, row["id"]),
        entered_at=row["entered_at"])


def requests_of(session: Session, pupil_id: int) -> list[EhcnaRequest]:
    """Requests without permission check or audit, for callers that have done both."""
    return [request_from_row(r) for r in session.db.query(
        "SELECT * FROM ehcna_requests WHERE pupil_id = ? ORDER BY coalesce(submitted_on, entered_at),"
        " id", (int(pupil_id),))]


def plans_of(session: Session, pupil_id: int) -> list[EhcPlan]:
    """Plans without permission check or audit, for callers that have done both."""
    return [plan_from_row(session, r) for r in session.db.query(
        "SELECT * FROM ehc_plans WHERE pupil_id = ? ORDER BY issued_on, id", (int(pupil_id),))]


@operation(Permission.VIEW_RECORDS, writes=False, audit="read EHC needs assessment requests")
def list_requests(session: Session, pupil_id: int) -> list[EhcnaRequest]:
    """A pupil's EHC needs assessment requests, oldest first (audited read)."""
    pupil_row(session, pupil_id)
    found = requests_of(session, pupil_id)
    viewed(session, "pupil", int(pupil_id))
    return found


@operation(Permission.VIEW_RECORDS, writes=False, audit="read EHC plans")
def list_plans(session: Session, pupil_id: int) -> list[EhcPlan]:
    """A pupil's EHC plans with their outcomes, steps and annual reviews (audited read)."""
    pupil_row(session, pupil_id)
    found = plans_of(session, pupil_id)
    viewed(session, "pupil", int(pupil_id))
    return found


@operation(Permission.VIEW_RECORDS, writes=False)
def review_schedule(session: Session, plan: EhcPlan) -> rules.ReviewSchedule | None:
    """The next annual review of a plan, by the school's calendar and the pupil's year."""
    year_group = session.db.scalar("SELECT year_group FROM pupils WHERE id = ?", (plan.pupil_id,))
    return rules.review_schedule(plan, year_group, today(session),
                                 school_calendar.calendar_of(session))


# --- requests ---------------------------------------------------------------------------------
def _request_row(session: Session, request_id: int) -> Row:
    row = session.db.query_one("SELECT * FROM ehcna_requests WHERE id = ?", (int(request_id),))
    if row is None:
        raise ValidationError("That EHC needs assessment request is not in this database.",
                              field="request")
    return row


@operation(Permission.MANAGE_PLANS, audit="recorded an EHC needs assessment request")
def add_request(session: Session, pupil_id: int, raw: Mapping[str, Any]) -> int:
    """Start recording a request for an EHC needs assessment; returns its id."""
    values = {n: _stored(v) for n, v in rules.clean_request(raw, today(session)).items()}
    if values["final_on"] is not None:
        raise _final_plan_elsewhere()
    pupil = require_editable(session, pupil_id)
    _asked_by_someone_who_may(session, pupil, values)
    if pupil["sen_status"] == "E" and session.db.scalar(
            "SELECT 1 FROM ehc_plans WHERE pupil_id = ? AND ceased_on IS NULL", (pupil["id"],)):
        raise ValidationError("The pupil already has an EHC plan; changes to it go through the "
                              "annual review.", field="pupil")
    if session.db.scalar(
            "SELECT 1 FROM ehcna_requests WHERE pupil_id = ? AND withdrawn_on IS NULL AND"
            " (decision IS NULL OR (decision = 'assess' AND plan_decision IS NULL) OR"
            " (plan_decision = 'issue' AND final_on IS NULL))", (pupil["id"],)):
        raise ValidationError("The pupil already has a request in progress; bring that one up "
                              "to date.", field="pupil")
    sending = _readiness_when_sent(session, pupil["id"], values, None,
                                   raw.get("below_readiness_reason"))
    request_id = int(session.db.scalar(
        "INSERT INTO ehcna_requests (pupil_id, " + ", ".join(_REQUEST_FIELDS)
        + ", sent_readiness, sent_below_readiness_reason, entered_at, entered_by) VALUES"
        " (:pupil_id, " + ", ".join(f":{n}" for n in _REQUEST_FIELDS)
        + ", :sent_readiness, :sent_below_readiness_reason, :now, :user) RETURNING id",
        {**values, **sending, "pupil_id": pupil["id"], "now": session.now_text(),
         "user": session.user.id}))
    changed(session, Kind.EHC, pupil["id"], request_id=request_id,
            sent=values["submitted_on"] is not None)
    return request_id


def _asked_by_someone_who_may(session: Session, pupil: Row, values: Mapping[str, Any]) -> None:
    """A young person's own request only from 16, on the day it went to the LA (or today)."""
    asked_on = dates.from_text(values["submitted_on"]) or today(session)
    rules.check_requested_by(RequestedBy(values["requested_by"]), dt.date.fromisoformat(pupil["dob"]),
                             asked_on, pupil["preferred_forename"] or pupil["legal_forename"])


def _readiness_when_sent(session: Session, pupil_id: int, values: Mapping[str, Any],
                         row: Row | None, reason: Any) -> dict[str, Any]:
    """When the school sends a request, the readiness score that day; below full readiness the
    reason it goes anyway is required. Nothing to record when it is not newly sent or when a
    parent or young person asked the LA themselves."""
    newly_sent = values["submitted_on"] is not None and (row is None or row["submitted_on"] is None)
    if not newly_sent or values["requested_by"] != RequestedBy.SCHOOL.value:
        return {} if row is not None else {"sent_readiness": None,
                                          "sent_below_readiness_reason": None}
    found = readiness_rules.assess(ehcna.gather_evidence(session, pupil_id))
    why = clean_text(str(reason or ""), "Reason for sending it now", max_length=4000)
    if found.ready:
        return {"sent_readiness": found.score, "sent_below_readiness_reason": None}
    if not why:
        raise ValidationError(
            f"The readiness checklist shows {found.score} items met. Say why the request is "
            "being sent before every item is met; it is kept with the request.",
            field="below_readiness_reason")
    return {"sent_readiness": found.score, "sent_below_readiness_reason": why}


def _final_plan_elsewhere() -> ValidationError:
    return ValidationError("The final plan is recorded with 'Record an issued plan' on the EHC "
                           "plans page, which also puts the pupil on the register as E.",
                           field="final_on")


@operation(Permission.MANAGE_PLANS)
def update_request(session: Session, request_id: int, changes: Mapping[str, Any]) -> list[str]:
    """Bring a request up to date (fields not given keep their values); returns what changed.

    The date of the final plan is not changed here: a request ends in a plan only when the plan
    is recorded (record_plan), so the pupil's status becomes E in the same transaction."""
    return _update_request(session, request_id, changes, final_plan=False)


@operation(Permission.MANAGE_PLANS, audit="updated an EHC needs assessment request")
def _update_request(session: Session, request_id: int, changes: Mapping[str, Any], *,
                    final_plan: bool) -> list[str]:
    row = _request_row(session, request_id)
    pupil = require_editable(session, row["pupil_id"])
    merged = {n: changes.get(n, row[n]) for n in _REQUEST_FIELDS}
    values = {n: _stored(v) for n, v in rules.clean_request(merged, today(session)).items()}
    if (values["requested_by"], values["submitted_on"]) != (row["requested_by"], row["submitted_on"]):
        _asked_by_someone_who_may(session, pupil, values)
    if not final_plan and values["final_on"] != row["final_on"]:
        raise _final_plan_elsewhere()
    sending = _readiness_when_sent(session, row["pupil_id"], values, row,
                                   changes.get("below_readiness_reason"))
    names = _REQUEST_FIELDS + tuple(sending)
    values.update(sending)
    fields = record_changes(session, row["pupil_id"], "EHC request", row["id"],
                             {n: row[n] for n in names}, values)
    if fields:
        session.db.execute(
            "UPDATE ehcna_requests SET " + ", ".join(f"{n} = :{n}" for n in names)
            + ", updated_at = :now, updated_by = :user WHERE id = :id",
            {**values, "now": session.now_text(), "user": session.user.id, "id": row["id"]})
        changed(session, Kind.EHC, row["pupil_id"], request_id=row["id"], fields=fields)
    return fields


# --- plans ------------------------------------------------------------------------------------
def _plan_row(session: Session, plan_id: int) -> Row:
    row = session.db.query_one("SELECT * FROM ehc_plans WHERE id = ?", (int(plan_id),))
    if row is None:
        raise ValidationError("That EHC plan is not in this database.", field="plan")
    return row


def _writable_plan(session: Session, plan_id: int) -> Row:
    row = _plan_row(session, plan_id)
    require_editable(session, row["pupil_id"])
    if row["ceased_on"] is not None:
        raise ValidationError("This EHC plan has ceased and is kept as it was.", field="plan")
    return row


@operation(Permission.MANAGE_PLANS, audit="recorded an EHC plan")
def record_plan(session: Session, pupil_id: int, raw: Mapping[str, Any],
                request_id: int | None = None, *, timing_acknowledged: bool = False) -> int:
    """Record an issued EHC plan; returns its id.

    raw holds issued_on, local_authority, caseworker, caseworker_contact and optionally
    'outcomes' (each with 'steps'). The pupil goes on the SEN register as E from the issue date
    (keeping their needs), which only the SENCO may do. The request it came from (the one
    given, else the pupil's request still in progress) is closed: the LA's decisions and the
    draft and final dates are filled in, so it no longer waits for statutory deadlines. A plan
    needs a decision to assess: when the request has none, raw's 'decision_on' (the day the LA
    agreed) gives it, and without one the plan is refused with a sentence saying so.

    The issue date is a working day. A final plan less than 15 days after its draft (the
    parents' time to comment), or with no draft date known, is refused with the question to
    ask (field 'timing_acknowledged') until the caller passes ``timing_acknowledged=True``
    after the person has said to go on; the warning is kept in the audit trail.
    """
    session.require(Permission.CHANGE_SEN_STATUS)
    values = rules.clean_plan(raw, today(session))
    rules.require_working_day(values["issued_on"])
    outcomes = rules.clean_outcomes(raw.get("outcomes"))
    pupil = require_editable(session, pupil_id)
    if session.db.scalar("SELECT 1 FROM ehc_plans WHERE pupil_id = ? AND ceased_on IS NULL",
                         (pupil["id"],)):
        raise ValidationError("The pupil already has a current EHC plan; record that it has "
                              "ceased first.", field="plan")
    if request_id is None:
        request_id = _request_in_progress(session, pupil["id"], values["issued_on"])
    warning = None
    if request_id is not None:
        warning = _link_request(session, pupil["id"], int(request_id), values["issued_on"], raw)
    if warning and not timing_acknowledged:
        # Asked only once everything else is right; refused here, nothing is kept.
        raise ValidationError(warning, field="timing_acknowledged")
    plan_id = int(session.db.scalar(
        "INSERT INTO ehc_plans (pupil_id, request_id, " + ", ".join(_PLAN_FIELDS)
        + ", entered_at, entered_by) VALUES (:pupil_id, :request_id, "
        + ", ".join(f":{n}" for n in _PLAN_FIELDS) + ", :now, :user) RETURNING id",
        {**{n: _stored(values[n]) for n in _PLAN_FIELDS}, "pupil_id": pupil["id"],
         "request_id": request_id, "now": session.now_text(), "user": session.user.id}))
    _save_outcomes(session, pupil["id"], plan_id, outcomes)
    status_changed = False
    if pupil["sen_status"] != "E":
        since = dates.from_text(pupil["sen_since"])
        reason = (f"EHC plan issued by {values['local_authority']} on "
                  f"{dates.format_uk(values['issued_on'])}.")
        if pupil["sen_status"] == "K" and since is not None and values["issued_on"] <= since:
            # The plan came first (a new arrival holding one): E from the K start instead.
            sen_register.replace_current_status(
                session, pupil["id"], "E", f"{reason} It applies from "
                f"{dates.format_uk(since)}, when the pupil was recorded at SEN support.")
        else:
            sen_register.change_status(
                session, pupil["id"], "E", max(values["issued_on"], since or values["issued_on"]),
                reason)
        status_changed = True
    changed(session, Kind.EHC, pupil["id"], plan_id=plan_id, request_id=request_id,
            status_changed_to_e=status_changed, timing_warning_accepted=warning)
    return plan_id


@operation(Permission.VIEW_RECORDS, writes=False)
def request_in_progress(session: Session, pupil_id: int, issued_on: dt.date) -> EhcnaRequest | None:
    """The sent request a plan issued on that day would close, if any (no check, no audit)."""
    request_id = _request_in_progress(session, pupil_id, issued_on)
    return request_from_row(_request_row(session, request_id)) if request_id else None


def _request_in_progress(session: Session, pupil_id: int, issued_on: dt.date) -> int | None:
    found = session.db.scalar(
        "SELECT id FROM ehcna_requests WHERE pupil_id = ? AND withdrawn_on IS NULL AND"
        " final_on IS NULL AND submitted_on IS NOT NULL AND submitted_on <= ? AND"
        " (decision IS NULL OR decision = 'assess') AND"
        " (plan_decision IS NULL OR plan_decision = 'issue') ORDER BY submitted_on DESC, id DESC",
        (pupil_id, issued_on.isoformat()))
    return None if found is None else int(found)


def _link_request(session: Session, pupil_id: int, request_id: int, issued_on: dt.date,
                  raw: Mapping[str, Any]) -> str | None:
    """Close the request the plan came from; returns the warning to ask about when the final
    plan came implausibly soon after its draft (None when the timing is plausible)."""
    row = _request_row(session, request_id)
    if row["pupil_id"] != pupil_id:
        raise ValidationError("That request is for another pupil.", field="request")
    if row["decision"] == AssessDecision.NOT_ASSESS.value or row["plan_decision"] == "not_issue":
        raise ValidationError("That request did not lead to a plan: the LA decided not to "
                              "assess or not to issue one.", field="request")
    if row["final_on"] is not None:
        return None
    changes: dict[str, Any] = {"plan_decision": "issue", "final_on": issued_on}
    if row["decision"] is None:
        decided = dates.parse_date(raw.get("decision_on"), "Date the LA agreed to assess",
                                   required=False)
        if decided is None:
            sent = dates.format_uk(dates.from_text(row["submitted_on"]))
            raise ValidationError(
                f"The request sent on {sent} has no decision to assess recorded, and a plan "
                "comes only after the LA agrees to assess. Give the date the LA agreed.",
                field="decision_on")
        changes.update({"decision": "assess", "decision_on": decided})
    draft = dates.from_text(row["draft_on"]) or dates.parse_date(
        raw.get("draft_on"), "Date of the draft plan", required=False)
    if row["draft_on"] is None:
        changes["draft_on"] = draft or issued_on
    _update_request(session, request_id, changes, final_plan=True)
    return rules.timing_warning(issued_on, draft)


@operation(Permission.MANAGE_PLANS, audit="updated an EHC plan")
def update_plan(session: Session, plan_id: int, raw: Mapping[str, Any]) -> list[str]:
    """Correct the plan's details and replace its outcomes and steps (rows with an 'id' are
    kept and updated; rows left out are marked removed). Returns what changed."""
    row = _writable_plan(session, plan_id)
    merged = {n: raw.get(n, row[n]) for n in _PLAN_FIELDS}
    values = {n: _stored(v) for n, v in rules.clean_plan(merged, today(session)).items()}
    if values["issued_on"] != row["issued_on"]:   # one stored before the rule is kept
        rules.require_working_day(dt.date.fromisoformat(values["issued_on"]))
    fields = record_changes(session, row["pupil_id"], "EHC plan", row["id"],
                             {n: row[n] for n in _PLAN_FIELDS}, values)
    if fields:
        session.db.execute(
            "UPDATE ehc_plans SET " + ", ".join(f"{n} = :{n}" for n in _PLAN_FIELDS)
            + ", updated_at = :now, updated_by = :user WHERE id = :id",
            {**values, "now": session.now_text(), "user": session.user.id, "id": row["id"]})
    if "outcomes" in raw:
        fields += _save_outcomes(session, row["pupil_id"], row["id"],
                                  rules.clean_outcomes(raw["outcomes"]))
    if fields:
        changed(session, Kind.EHC, row["pupil_id"], plan_id=row["id"], fields=sorted(set(fields)))
    return sorted(set(fields))


def _save_outcomes(session: Session, pupil_id: int, plan_id: int,
                   outcomes: Sequence[Mapping[str, Any]]) -> list[str]:
    existing = {r["id"]: r for r in session.db.query(
        "SELECT * FROM ehc_outcomes WHERE plan_id = ? AND removed_at IS NULL", (plan_id,))}
    changed: list[str] = []
    kept: set[int] = set()
    now = session.now_text()
    for position, outcome in enumerate(outcomes):
        outcome_id = int(outcome["id"]) if outcome.get("id") else None
        if outcome_id is not None and outcome_id not in existing:
            raise ValidationError("The plan changed while it was open; reopen it and try again.",
                                  field="outcomes")
        if outcome_id is None:
            outcome_id = int(session.db.execute(
                "INSERT INTO ehc_outcomes (plan_id, position, text, pfa_area, entered_at, entered_by)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (plan_id, position, outcome["text"], outcome["pfa_area"], now, session.user.id)).lastrowid)
            changed.append("outcomes")
        else:
            kept.add(outcome_id)
            old = existing[outcome_id]
            if record_changes(session, pupil_id, "EHC outcome", outcome_id,
                              {"text": old["text"], "pfa_area": old["pfa_area"]},
                              {"text": outcome["text"], "pfa_area": outcome["pfa_area"]}) \
                    or old["position"] != position:
                session.db.execute("UPDATE ehc_outcomes SET text = ?, pfa_area = ?, position = ?"
                                   " WHERE id = ?", (outcome["text"], outcome["pfa_area"], position,
                                                     outcome_id))
                changed.append("outcomes")
        changed += _save_steps(session, pupil_id, outcome_id, outcome["steps"])
    for outcome_id in set(existing) - kept:
        session.db.execute("UPDATE ehc_outcomes SET removed_at = ?, removed_by = ? WHERE id = ?",
                           (now, session.user.id, outcome_id))
        changed.append("outcomes")
    return changed


def _save_steps(session: Session, pupil_id: int, outcome_id: int,
                steps: Sequence[Mapping[str, Any]]) -> list[str]:
    existing = {r["id"]: r for r in session.db.query(
        "SELECT * FROM ehc_outcome_steps WHERE outcome_id = ? AND removed_at IS NULL", (outcome_id,))}
    changed: list[str] = []
    kept: set[int] = set()
    now = session.now_text()
    names = ("text", "target_date", "achieved_on")
    for position, step in enumerate(steps):
        values = {n: _stored(step[n]) for n in names}
        step_id = int(step["id"]) if step.get("id") else None
        if step_id is not None and step_id in existing:
            kept.add(step_id)
            old = existing[step_id]
            if record_changes(session, pupil_id, "EHC step", step_id, {n: old[n] for n in names},
                              values) or old["position"] != position:
                session.db.execute("UPDATE ehc_outcome_steps SET text = :text, target_date ="
                                   " :target_date, achieved_on = :achieved_on, position = :position"
                                   " WHERE id = :id", {**values, "position": position, "id": step_id})
                changed.append("steps")
        else:
            session.db.execute(
                "INSERT INTO ehc_outcome_steps (outcome_id, position, text, target_date, achieved_on,"
                " entered_at, entered_by) VALUES (:outcome_id, :position, :text, :target_date,"
                " :achieved_on, :now, :user)",
                {**values, "outcome_id": outcome_id, "position": position, "now": now,
                 "user": session.user.id})
            changed.append("steps")
    for step_id in set(existing) - kept:
        session.db.execute("UPDATE ehc_outcome_steps SET removed_at = ?, removed_by = ? WHERE id = ?",
                           (now, session.user.id, step_id))
        changed.append("steps")
    return changed


@operation(Permission.MANAGE_PLANS, audit="recorded that an EHC plan ceased")
def cease_plan(session: Session, plan_id: int, ceased_on: dt.date | str, reason: str) -> None:
    """Record that the LA ceased the plan. The SEN status is the SENCO's separate decision."""
    day = dates.require_date(ceased_on, "Date the plan ceased")
    why = clean_text(reason, "Reason", max_length=2000, required=True)
    row = _writable_plan(session, plan_id)
    dates.not_after(day, today(session), "Date the plan ceased")
    dates.not_before(day, dt.date.fromisoformat(row["issued_on"]), "Date the plan ceased",
                     "the date it was issued")
    record_changes(session, row["pupil_id"], "EHC plan", row["id"],
                   {"ceased_on": None, "ceased_reason": None},
                   {"ceased_on": day.isoformat(), "ceased_reason": why})
    session.db.execute("UPDATE ehc_plans SET ceased_on = ?, ceased_reason = ?, next_review_by ="
                       " NULL, updated_at = ?, updated_by = ? WHERE id = ?",
                       (day.isoformat(), why, session.now_text(), session.user.id, row["id"]))
    changed(session, Kind.EHC, row["pupil_id"], plan_id=row["id"])


# --- annual reviews ---------------------------------------------------------------------------
@operation(Permission.MANAGE_PLANS, audit="saved an EHC plan review")
def save_review(session: Session, plan_id: int, raw: Mapping[str, Any],
                review_id: int | None = None) -> int:
    """Book an annual review or record how it went (one review at a time is being arranged),
    or record an interim review once held with its outcome (raw 'kind': 'interim'); returns
    its id."""
    plan = _writable_plan(session, plan_id)
    issued = dt.date.fromisoformat(plan["issued_on"])
    row = None
    if review_id is not None:
        row = session.db.query_one("SELECT * FROM ehc_reviews WHERE id = ? AND plan_id = ?",
                                   (int(review_id), plan["id"]))
        if row is None:
            raise ValidationError("That review is not one of this plan's.", field="review")
    merged = {n: raw.get(n, row[n] if row is not None else None) for n in _REVIEW_FIELDS}
    values = {n: _stored(v) for n, v in rules.clean_review(merged, issued, today(session)).items()}
    if values["held_on"] is None and values["meeting_on"] != (row["meeting_on"] if row else None):
        # A meeting is booked for a day the school is open (one already on the record stays).
        school_calendar.calendar_of(session).check_school_day(
            dt.date.fromisoformat(values["meeting_on"]), "meeting_on")
    now = session.now_text()
    if row is None:
        if values["kind"] == ReviewKind.ANNUAL.value and values["held_on"] is None and session.db.scalar(
                "SELECT 1 FROM ehc_reviews WHERE plan_id = ? AND held_on IS NULL", (plan["id"],)):
            raise ValidationError("A review is already booked; record how it went, or change "
                                  "its date.", field="review")
        review_id = int(session.db.scalar(
            "INSERT INTO ehc_reviews (plan_id, " + ", ".join(_REVIEW_FIELDS)
            + ", entered_at, entered_by) VALUES (:plan_id, "
            + ", ".join(f":{n}" for n in _REVIEW_FIELDS) + ", :now, :user) RETURNING id",
            {**values, "plan_id": plan["id"], "now": now, "user": session.user.id}))
        fields = ["review"]
        if values["kind"] == ReviewKind.INTERIM.value:
            # An interim review is recorded whole once held: its outcome goes in the trail.
            record_changes(session, plan["pupil_id"], "EHC review", review_id,
                           {"kind": None, "held_on": None, "recommendation": None},
                           {n: values[n] for n in ("kind", "held_on", "recommendation")})
    else:
        review_id = int(row["id"])
        fields = record_changes(session, plan["pupil_id"], "EHC review", row["id"],
                                 {n: row[n] for n in _REVIEW_FIELDS}, values)
        if fields:
            session.db.execute(
                "UPDATE ehc_reviews SET " + ", ".join(f"{n} = :{n}" for n in _REVIEW_FIELDS)
                + ", updated_at = :now, updated_by = :user WHERE id = :id",
                {**values, "now": now, "user": session.user.id, "id": row["id"]})
    if fields:
        changed(session, Kind.EHC, plan["pupil_id"], plan_id=plan["id"], review_id=review_id,
                held=values["held_on"] is not None, fields=fields)
    return int(review_id)


def plans_of_pupils(session: Session, pupil_ids: Sequence[int]) -> list[int]:
    """The ids of these pupils' current plans (for the schedule rule; no check, no audit)."""
    plan_ids: list[int] = []
    for chunk in chunks([int(i) for i in pupil_ids]):
        plan_ids += [row["id"] for row in session.db.query(
            "SELECT id FROM ehc_plans WHERE ceased_on IS NULL AND pupil_id IN ("
            + placeholders(len(chunk)) + ")", list(chunk))]
    return plan_ids


def refresh_schedules(session: Session, plan_ids: Sequence[int] | None = None) -> list[int]:
    """Work out each current plan's next review date again (all of them, or those given);
    returns the pupils whose date moved (the rule in records/derived.py reports them, so their
    summary columns follow)."""
    calendar = school_calendar.calendar_of(session)
    day = today(session)
    sql = ("SELECT e.*, p.year_group FROM ehc_plans e JOIN pupils p ON p.id = e.pupil_id"
           " WHERE e.ceased_on IS NULL")
    params: tuple = ()
    if plan_ids is not None:
        sql += " AND e.id IN (" + ",".join("?" * len(plan_ids)) + ")"
        params = tuple(int(i) for i in plan_ids)
    pupils: list[int] = []
    for row in session.db.query(sql, params):
        schedule = rules.review_schedule(plan_from_row(session, row), row["year_group"], day, calendar)
        due = schedule.meeting_on.isoformat() if schedule else None
        if due != row["next_review_by"]:
            session.db.execute("UPDATE ehc_plans SET next_review_by = ? WHERE id = ?", (due, row["id"]))
            pupils.append(row["pupil_id"])
    return sorted(set(pupils))
