"""Runs of the initial concerns flowchart: drafts saved part-way, and finished runs.

A run belongs to one pupil. While it is a draft, the answers so far live in one JSON column so
that the wizard can be resumed exactly where it was left; discarding a draft deletes it and
leaves nothing behind. Finishing writes, in one transaction:

- the run, with the flowchart's id and version, every question and answer as they were worded
  at the time (so the record still reads correctly if the flowchart file changes), the
  discussion, the outcome with its reason and actions, and the next review date;
- a short note of the early discussion with the pupil and parents (003 "Short notes");
- for a monitoring or alternative-pathway outcome, an entry on the monitoring (cause for
  concern) register with the review date, or a new review date on the pupil's open entry;
- for SEN support, the move to K with the proposed primary need through the SEN register's own
  rules (so the parent notification item opens), and the end of any open monitoring entry.

Who may do what is checked here, not only in the wizard: anyone who may add notes may save,
resume and finish a run; only a user who may change SEN status (the SENCO) may finish one whose
outcome is SEN support. Finished runs cannot be changed (a trigger refuses it).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ..errors import PermissionDenied, ValidationError
from ..models import dates, sen
from ..models import flowchart as fc
from ..models.registers import RegisterKind, clean_entry
from ..models.roles import Permission
from ..operations import Kind, changed, operation
from ..models.text import clean_text
from ..session import Session
from ..store.database import Row
from . import notes, registers, sen_register
from ._common import pupil_row, record_changes, require_editable, today
from .pupils import pupil_from_row

MAX_COMMENT = 2000
MAX_DISCUSSION = 4000
MAX_REVIEW_DAYS = 366
MAX_STATE_BYTES = 256 * 1024

# How a typed answer is handed in: (question id, answer id, optional comment).
AnswerInput = Sequence[str]


@dataclass(frozen=True)
class Draft:
    id: int
    pupil_id: int
    flowchart_id: str
    flowchart_version: str
    flowchart_digest: str
    answers: tuple[tuple[str, str, str], ...]
    discussion: Mapping[str, str]
    extras: Mapping[str, Any]
    started_at: str
    started_by: str
    updated_at: str
    updated_by: str


@dataclass(frozen=True)
class RecordedAnswer:
    section: str | None
    question: str
    answer: str
    comment: str


@dataclass(frozen=True)
class ConcernRun:
    """A finished run, as it reads on the pupil's notes tab."""

    id: int
    pupil_id: int
    flowchart_id: str
    flowchart_version: str
    flowchart_title: str
    answers: tuple[RecordedAnswer, ...]
    discussion: tuple[tuple[str, str], ...]
    outcome_kind: str
    outcome_title: str
    outcome_reason: str
    pathway: str | None
    actions: tuple[str, ...]
    area: str | None
    need_code: str | None
    discussion_date: dt.date
    review_date: dt.date
    note_id: int | None
    register_entry_id: int | None
    status_change_id: int | None
    started_by: str
    finished_at: str
    finished_by: str

    @property
    def kind_label(self) -> str:
        if self.outcome_kind == "pathway" and self.pathway in fc.PATHWAYS:
            return fc.PATHWAYS[self.pathway]
        return fc.OUTCOME_KINDS.get(self.outcome_kind, self.outcome_kind)


@dataclass(frozen=True)
class DraftSummary:
    id: int
    flowchart_title: str
    answered: int
    started_by: str
    updated_at: str
    updated_by: str


# --- checks -------------------------------------------------------------------------------------

def _check_pupil(session: Session, pupil_id: int) -> None:
    """The pupil exists, is still on roll and is not already on the SEN register."""
    require_editable(session, pupil_id)
    status = session.db.scalar("SELECT status FROM sen_status_history WHERE pupil_id = ? AND"
                               " end_date IS NULL", (int(pupil_id),))
    if status in sen.ON_REGISTER:
        raise ValidationError(
            f"This pupil is already on the SEN register ({sen.statuses()[status]}), so the "
            "initial concerns flowchart does not apply. Review their support plan instead.",
            field="pupil")


@operation(Permission.VIEW_RECORDS, writes=False)
def not_available_because(session: Session, pupil_id: int) -> str | None:
    """Why the flowchart cannot be used for this pupil now (left, or already on the SEN
    register), so a front end can say so before anyone starts; None when it can."""
    try:
        _check_pupil(session, int(pupil_id))
    except (ValidationError, PermissionDenied) as exc:
        return str(exc)
    return None


def _clean_answers(chart: fc.Flowchart, answers: Sequence[AnswerInput]) -> fc.Walk:
    cleaned = []
    for item in answers:
        if len(item) not in (2, 3):
            raise ValidationError("An answer must name its question and the answer chosen.",
                                  field="answers")
        comment = clean_text(str(item[2] if len(item) == 3 else ""), "Comment",
                             max_length=MAX_COMMENT)
        cleaned.append((str(item[0]), str(item[1]), comment))
    try:
        return fc.walk(chart, cleaned)
    except fc.WalkError as exc:
        raise ValidationError(f"The answers do not fit the flowchart: {exc}",
                              field="answers") from None


def _clean_discussion(chart: fc.Flowchart, discussion: Mapping[str, str], *,
                      complete: bool) -> dict[str, str]:
    known = {item.id: item for item in chart.discussion_fields}
    for key in discussion:
        if key not in known:
            raise ValidationError(f"'{key}' is not a question in this flowchart's discussion.",
                                  field="discussion")
    cleaned = {}
    for key, item in known.items():
        text = clean_text(str(discussion.get(key) or ""), item.label, max_length=MAX_DISCUSSION)
        if complete and item.required and not text:
            raise ValidationError(f"Fill in '{item.label}'.", field=key)
        if text:
            cleaned[key] = text
    return cleaned


def _clean_dates(session: Session, discussion_date: Any, review_date: Any) -> tuple[dt.date, dt.date]:
    now = today(session)
    talked = dates.require_date(discussion_date, "Date of the discussion")
    dates.not_after(talked, now, "Date of the discussion")
    review = dates.require_date(review_date, "Review date")
    dates.not_before(review, now + dt.timedelta(days=1), "Review date", "tomorrow")
    latest = now + dt.timedelta(days=MAX_REVIEW_DAYS)
    dates.not_after(review, latest, "Review date", "a year from now")
    return talked, review


@operation(Permission.VIEW_RECORDS, writes=False)
def pupil_name(session: Session, pupil_id: int) -> str:
    """The name the wizard shows (surname first), for a pupil whose record is already open."""
    return pupil_from_row(pupil_row(session, pupil_id)).display_name


def review_date_for(outcome: fc.Outcome, today_: dt.date) -> dt.date:
    """The suggested review date: the outcome's number of weeks from today."""
    return today_ + dt.timedelta(weeks=outcome.review_weeks)


def proposed_need(walk: fc.Walk) -> str | None:
    return walk.proposed.get("need_code")


# --- drafts -------------------------------------------------------------------------------------

def _draft_row(session: Session, run_id: int) -> Row:
    row = session.db.query_one(
        "SELECT r.*, coalesce(s.full_name, '') AS started_name, coalesce(u.full_name, '') AS"
        " updated_name FROM concern_runs r LEFT JOIN users s ON s.id = r.started_by"
        " LEFT JOIN users u ON u.id = r.updated_by WHERE r.id = ?", (int(run_id),))
    if row is None or row["status"] != "draft":
        raise ValidationError("That saved flowchart is no longer there (it may have been finished "
                              "or discarded by someone else).", field="run")
    return row


@operation(Permission.ADD_NOTES)
def save_draft(session: Session, pupil_id: int, chart: fc.Flowchart,
               answers: Sequence[AnswerInput], discussion: Mapping[str, str] | None = None,
               extras: Mapping[str, Any] | None = None, run_id: int | None = None) -> int:
    """Save a run part-way; returns its id. extras holds the wizard's own place-keeping
    (the page it was on, dates typed so far): plain JSON values only."""
    walk = _clean_answers(chart, answers)
    cleaned = _clean_discussion(chart, discussion or {}, complete=False)
    state = json.dumps({"answers": [[s.question.id, s.answer.id, s.comment] for s in walk.steps],
                        "discussion": cleaned, "extras": dict(extras or {})},
                       ensure_ascii=False, sort_keys=True)
    if len(state.encode("utf-8")) > MAX_STATE_BYTES:
        raise ValidationError("This draft is too large to save; shorten the longest answers.",
                              field="discussion")
    _check_pupil(session, int(pupil_id))
    if run_id is None:
        return _new_draft(session, int(pupil_id), chart, state, len(walk.steps))
    _update_draft(session, int(pupil_id), chart, state, len(walk.steps), int(run_id))
    return int(run_id)


@operation(Permission.ADD_NOTES, audit="saved a concerns flowchart draft")
def _new_draft(session: Session, pupil_id: int, chart: fc.Flowchart, state: str,
               answered: int) -> int:
    existing = session.db.query_one(
        "SELECT r.id, coalesce(u.full_name, '') AS who FROM concern_runs r LEFT JOIN users"
        " u ON u.id = r.started_by WHERE r.pupil_id = ? AND r.status = 'draft'", (pupil_id,))
    if existing is not None:
        raise ValidationError(
            f"There is already a saved flowchart for this pupil (started by "
            f"{existing['who'] or 'another user'}). Carry on with that one, or discard it "
            "first.", field="run")
    now = session.now_text()
    cursor = session.db.execute(
        "INSERT INTO concern_runs (pupil_id, flowchart_id, flowchart_version,"
        " flowchart_title, flowchart_digest, status, draft_state, started_at, started_by,"
        " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)",
        (pupil_id, chart.id, chart.version, chart.title, chart.digest, state, now,
         session.user.id, now, session.user.id))
    run_id = int(cursor.lastrowid)
    changed(session, Kind.NOTE, pupil_id, run_id=run_id, answers=answered)
    return run_id


@operation(Permission.ADD_NOTES, audit="updated a concerns flowchart draft")
def _update_draft(session: Session, pupil_id: int, chart: fc.Flowchart, state: str,
                  answered: int, run_id: int) -> None:
    row = _draft_row(session, run_id)
    if row["pupil_id"] != pupil_id:
        raise ValidationError("That saved flowchart belongs to a different pupil.", field="run")
    session.db.execute(
        "UPDATE concern_runs SET flowchart_id = ?, flowchart_version = ?,"
        " flowchart_title = ?, flowchart_digest = ?, draft_state = ?, updated_at = ?,"
        " updated_by = ? WHERE id = ?",
        (chart.id, chart.version, chart.title, chart.digest, state, session.now_text(),
         session.user.id, run_id))
    changed(session, Kind.NOTE, pupil_id, run_id=run_id, answers=answered)


@operation(Permission.ADD_NOTES, writes=False)
def load_draft(session: Session, run_id: int) -> Draft:
    row = _draft_row(session, run_id)
    state = json.loads(row["draft_state"])
    return Draft(row["id"], row["pupil_id"], row["flowchart_id"], row["flowchart_version"],
                 row["flowchart_digest"],
                 tuple((str(a[0]), str(a[1]), str(a[2] if len(a) > 2 else ""))
                       for a in state.get("answers", [])),
                 dict(state.get("discussion", {})), dict(state.get("extras", {})),
                 row["started_at"], row["started_name"], row["updated_at"], row["updated_name"])


@operation(Permission.VIEW_RECORDS, writes=False)
def draft_for_pupil(session: Session, pupil_id: int) -> DraftSummary | None:
    """The pupil's saved part-way run, if there is one."""
    row = session.db.query_one(
        "SELECT r.*, coalesce(s.full_name, '') AS started_name, coalesce(u.full_name, '') AS"
        " updated_name FROM concern_runs r LEFT JOIN users s ON s.id = r.started_by"
        " LEFT JOIN users u ON u.id = r.updated_by WHERE r.pupil_id = ? AND r.status = 'draft'",
        (int(pupil_id),))
    if row is None:
        return None
    answered = len(json.loads(row["draft_state"]).get("answers", []))
    return DraftSummary(row["id"], row["flowchart_title"], answered, row["started_name"],
                        row["updated_at"], row["updated_name"])


@operation(Permission.ADD_NOTES, audit="discarded a concerns flowchart draft")
def discard_draft(session: Session, run_id: int) -> None:
    """Delete a saved part-way run. Its author or the SENCO may do this."""
    row = _draft_row(session, run_id)
    require_editable(session, row["pupil_id"])
    if row["started_by"] != session.user.id and not session.can(Permission.CHANGE_SEN_STATUS):
        raise PermissionDenied("Only the person who started this flowchart, or the SENCO, "
                               "may discard it.")
    session.db.execute("DELETE FROM concern_runs WHERE id = ?", (row["id"],))
    changed(session, Kind.NOTE, row["pupil_id"], run_id=row["id"])


# --- finishing ----------------------------------------------------------------------------------

def _labelled(chart: fc.Flowchart, discussion: Mapping[str, str], section: str) -> str:
    return "\n\n".join(f"{item.label}: {discussion[item.id]}" for item in chart.discussion_fields
                       if item.note_section == section and discussion.get(item.id))


def _note_fields(chart: fc.Flowchart, walk: fc.Walk, discussion: Mapping[str, str],
                 talked: dt.date, review: dt.date) -> dict[str, Any]:
    outcome = walk.outcome
    assert outcome is not None
    concern = _labelled(chart, discussion, "concern") or \
        f"Concerns explored with the {chart.title.lower()} flowchart."
    agreed = [part for part in (_labelled(chart, discussion, "agreed_actions"),) if part]
    agreed.append(f"Recommended next step: {outcome.title}.")
    agreed.extend(f"- {action}" for action in walk.actions)
    return {"event_date": talked, "concern": concern,
            "parent_discussion": _labelled(chart, discussion, "parent_discussion"),
            "agreed_actions": "\n".join(agreed), "review_date": review}


def _monitoring_entry(session: Session, pupil_id: int, outcome: fc.Outcome, review: dt.date) -> int:
    """Put the pupil on the monitoring register, or give their open entry the new review date.

    Written here rather than through registers.add_entry because a teacher who may add notes
    may record a cause for concern; changing the other registers stays with EDIT_PUPILS.
    """
    line = f"{dates.format_uk(today(session))}: {outcome.title} (initial concerns flowchart)."
    open_row = session.db.query_one(
        "SELECT * FROM register_entries WHERE pupil_id = ? AND register = ? AND end_date IS NULL",
        (pupil_id, RegisterKind.MONITORING.value))
    if open_row is None:
        return _add_monitoring_entry(session, pupil_id, line, review)
    return _extend_monitoring_entry(session, pupil_id, open_row, line, review)


@operation(Permission.ADD_NOTES, audit="added a register entry")
def _add_monitoring_entry(session: Session, pupil_id: int, line: str, review: dt.date) -> int:
    now = today(session)
    fields = clean_entry(RegisterKind.MONITORING, {"start_date": now, "review_date": review,
                                                   "details": line}, now)
    cursor = session.db.execute(
        "INSERT INTO register_entries (pupil_id, register, start_date, review_date, details,"
        " entered_at, entered_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (pupil_id, RegisterKind.MONITORING.value, fields["start_date"].isoformat(),
         fields["review_date"].isoformat(), fields["details"], session.now_text(),
         session.user.id))
    entry_id = int(cursor.lastrowid)
    changed(session, Kind.REGISTER, pupil_id, register=RegisterKind.MONITORING.value,
            entry_id=entry_id)
    return entry_id


@operation(Permission.ADD_NOTES, audit="changed a register entry")
def _extend_monitoring_entry(session: Session, pupil_id: int, open_row: Row, line: str,
                             review: dt.date) -> int:
    details = "\n".join(part for part in (open_row["details"], line) if part)
    start = dt.date.fromisoformat(open_row["start_date"])
    new = clean_entry(RegisterKind.MONITORING, {"start_date": start, "review_date": review,
                                                "details": details}, today(session))
    fields = record_changes(session, pupil_id, "register", open_row["id"],
                            {"review_date": open_row["review_date"], "details": open_row["details"]},
                            {"review_date": new["review_date"], "details": new["details"]})
    session.db.execute("UPDATE register_entries SET review_date = ?, details = ? WHERE id = ?",
                       (new["review_date"].isoformat(), new["details"], open_row["id"]))
    changed(session, Kind.REGISTER, pupil_id, register=RegisterKind.MONITORING.value,
            entry_id=open_row["id"], fields=fields)
    return int(open_row["id"])


@operation(Permission.ADD_NOTES, audit="finished the initial concerns flowchart")
def finish(session: Session, pupil_id: int, chart: fc.Flowchart, answers: Sequence[AnswerInput],
           discussion: Mapping[str, str], *, discussion_date: dt.date | str,
           review_date: dt.date | str, need_code: str | None = None,
           run_id: int | None = None) -> int:
    """Record a completed run and everything it leads to, all in one transaction.

    need_code overrides the census code the screening questions proposed (SEN support only).
    run_id is the draft being finished, which becomes the finished run. Returns the run's id.
    """
    walk = _clean_answers(chart, answers)
    outcome = walk.outcome
    if outcome is None:
        raise ValidationError("The flowchart has not reached an outcome yet; answer the remaining "
                              "questions first.", field="answers")
    if outcome.kind == "sen_support" and not session.can(Permission.CHANGE_SEN_STATUS):
        raise PermissionDenied(
            f"Only the SENCO may move a pupil to SEN support; your role ({session.user.role_label}) "
            "does not allow it. Save the flowchart so that the SENCO can finish it.")
    cleaned = _clean_discussion(chart, discussion, complete=True)
    talked, review = _clean_dates(session, discussion_date, review_date)
    dates.not_before(review, talked, "Review date", "the date of the discussion")
    proposed = walk.proposed
    need = ""   # the primary need of a move to SEN support
    if outcome.kind == "sen_support":
        need = sen.clean_needs([need_code or proposed.get("need_code", "")], "K")[0]
    pupil_id = int(pupil_id)
    now = session.now_text()
    _check_pupil(session, pupil_id)
    if run_id is not None and _draft_row(session, run_id)["pupil_id"] != pupil_id:
        raise ValidationError("That saved flowchart belongs to a different pupil.", field="run")
    note_id = notes.add_note(session, pupil_id, _note_fields(chart, walk, cleaned, talked, review))
    entry_id = status_id = None
    if outcome.kind == "sen_support":
        status_id = sen_register.change_status(
            session, pupil_id, "K", today(session),
            f"{outcome.title} (initial concerns flowchart). {outcome.reason}", [need])
        open_entry = session.db.scalar(
            "SELECT id FROM register_entries WHERE pupil_id = ? AND register = ? AND"
            " end_date IS NULL", (pupil_id, RegisterKind.MONITORING.value))
        if open_entry is not None:
            registers.end_entry(session, open_entry, today(session))
    else:
        entry_id = _monitoring_entry(session, pupil_id, outcome, review)

    record = {
        "flowchart_id": chart.id, "flowchart_version": chart.version,
        "flowchart_title": chart.title, "flowchart_digest": chart.digest,
        "outcome_id": outcome.id, "outcome_kind": outcome.kind,
        "outcome_title": outcome.title, "outcome_reason": outcome.reason,
        "pathway": outcome.pathway, "actions": json.dumps(walk.actions, ensure_ascii=False),
        "discussion": json.dumps([[item.label, cleaned[item.id]]
                                  for item in chart.discussion_fields if item.id in cleaned],
                                 ensure_ascii=False),
        "area": proposed.get("area"), "need_code": need or proposed.get("need_code"),
        "discussion_date": talked.isoformat(), "review_date": review.isoformat(),
        "note_id": note_id, "register_entry_id": entry_id, "status_change_id": status_id,
        "updated_at": now, "updated_by": session.user.id,
        "finished_at": now, "finished_by": session.user.id}
    if run_id is None:
        record.update(pupil_id=pupil_id, started_at=now, started_by=session.user.id)
        cursor = session.db.execute(
            f"INSERT INTO concern_runs (status, {', '.join(record)}) VALUES ('finished', "
            + ", ".join(f":{name}" for name in record) + ")", record)
        run_id = int(cursor.lastrowid)
    else:
        session.db.execute(
            "UPDATE concern_runs SET status = 'finished', draft_state = NULL, "
            + ", ".join(f"{name} = :{name}" for name in record) + " WHERE id = :id",
            {**record, "id": int(run_id)})
    session.db.executemany(
        "INSERT INTO concern_answers (run_id, position, node_id, section, question, answer_id,"
        " answer, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(run_id, position, step.question.id, step.question.section, step.question.text,
          step.answer.id, step.answer.label, step.comment)
         for position, step in enumerate(walk.steps, start=1)])
    changed(session, Kind.NOTE, pupil_id, run_id=run_id, flowchart=f"{chart.id} {chart.version}",
            outcome=outcome.id, kind=outcome.kind, note_id=note_id, register_entry_id=entry_id,
            status_change_id=status_id)
    return int(run_id)


# --- reading ------------------------------------------------------------------------------------

def _run_from_row(row: Row, answers: list[Row]) -> ConcernRun:
    return ConcernRun(
        id=row["id"], pupil_id=row["pupil_id"], flowchart_id=row["flowchart_id"],
        flowchart_version=row["flowchart_version"], flowchart_title=row["flowchart_title"],
        answers=tuple(RecordedAnswer(a["section"], a["question"], a["answer"], a["comment"])
                      for a in answers),
        discussion=tuple((label, text) for label, text in json.loads(row["discussion"] or "[]")),
        outcome_kind=row["outcome_kind"], outcome_title=row["outcome_title"],
        outcome_reason=row["outcome_reason"], pathway=row["pathway"],
        actions=tuple(json.loads(row["actions"] or "[]")), area=row["area"],
        need_code=row["need_code"], discussion_date=dt.date.fromisoformat(row["discussion_date"]),
        review_date=dt.date.fromisoformat(row["review_date"]), note_id=row["note_id"],
        register_entry_id=row["register_entry_id"], status_change_id=row["status_change_id"],
        started_by=row["started_name"], finished_at=row["finished_at"],
        finished_by=row["finished_name"])


_RUN_SELECT = ("SELECT r.*, coalesce(s.full_name, '') AS started_name, coalesce(f.full_name, '')"
               " AS finished_name FROM concern_runs r LEFT JOIN users s ON s.id = r.started_by"
               " LEFT JOIN users f ON f.id = r.finished_by")


@operation(Permission.VIEW_RECORDS, writes=False)
def list_runs(session: Session, pupil_id: int) -> list[ConcernRun]:
    """A pupil's finished runs, in the order the discussions happened."""
    rows = session.db.query(_RUN_SELECT + " WHERE r.pupil_id = ? AND r.status = 'finished'"
                            " ORDER BY r.discussion_date, r.finished_at, r.id", (int(pupil_id),))
    return [_run_from_row(row, _answers(session, row["id"])) for row in rows]


@operation(Permission.VIEW_RECORDS, writes=False)
def get_run(session: Session, run_id: int) -> ConcernRun:
    row = session.db.query_one(_RUN_SELECT + " WHERE r.id = ? AND r.status = 'finished'",
                               (int(run_id),))
    if row is None:
        raise ValidationError("That flowchart record is not in this database.", field="run")
    return _run_from_row(row, _answers(session, row["id"]))


def _answers(session: Session, run_id: int) -> list[Row]:
    return session.db.query("SELECT * FROM concern_answers WHERE run_id = ? ORDER BY position",
                            (run_id,))


def run_html(run: ConcernRun) -> str:
    """The run as a readable record (for the notes tab, and later for printing)."""
    e = html.escape

    def para(text: str) -> str:
        return "<br>".join(e(line) for line in text.splitlines())

    parts = [f"<h2>{e(run.flowchart_title)}: {e(run.outcome_title)}</h2>",
             f"<p><b>Discussion on</b> {dates.format_uk(run.discussion_date)} &nbsp; "
             f"<b>Review by</b> {dates.format_uk(run.review_date)}<br>"
             f"<b>Recorded by</b> {e(run.finished_by or 'a former user')}"
             + (f" (started by {e(run.started_by)})" if run.started_by and
                run.started_by != run.finished_by else "")
             + f" &nbsp; <span style='color:#555'>flowchart {e(run.flowchart_id)}, version "
               f"{e(run.flowchart_version)}</span></p>",
             f"<h3>Recommended next step: {e(run.kind_label)}</h3>",
             f"<p><b>{e(run.outcome_title)}.</b> {para(run.outcome_reason)}</p>"]
    if run.outcome_kind == "sen_support" and run.need_code:
        code = sen.need_codes().get(run.need_code)
        area = sen.areas().get(run.area or "", "")
        parts.append(f"<p><b>Primary need for the census:</b> {e(run.need_code)}"
                     + (f" ({e(code.label)})" if code else "")
                     + (f"; broad area: {e(area)}" if area else "") + "</p>")
    if run.actions:
        parts.append("<p><b>Actions</b></p><ul>"
                     + "".join(f"<li>{e(action)}</li>" for action in run.actions) + "</ul>")
    if run.discussion:
        parts.append("<h3>The discussion</h3>")
        parts.extend(f"<p><b>{e(label)}</b><br>{para(text)}</p>" for label, text in run.discussion)
    parts.append("<h3>Questions and answers</h3><table cellpadding='4' cellspacing='0' "
                 "border='1' style='border-collapse:collapse; border-color:#bbb'>"
                 "<tr><th align='left'>Question</th><th align='left'>Answer</th></tr>")
    for answer in run.answers:
        comment = f"<br><i>{para(answer.comment)}</i>" if answer.comment else ""
        section = f"<span style='color:#555'>{e(answer.section)}</span><br>" if answer.section else ""
        parts.append(f"<tr><td valign='top'>{section}{e(answer.question)}</td>"
                     f"<td valign='top'>{e(answer.answer)}{comment}</td></tr>")
    parts.append("</table>")
    return "\n".join(parts)
