"""Finishing a concerns flowchart run into the pupil's record, and reading finished runs back.

Finishing writes, in one transaction:

- the run, with the flowchart's id and version, every question and answer as they were worded
  at the time (so the record still reads correctly if the flowchart file changes), the
  discussion, the outcome with its reason and actions, and the next review date;
- a short note of the early discussion with the pupil and parents (003 "Short notes");
- for a monitoring or alternative-pathway outcome, an entry on the monitoring (cause for
  concern) register with the review date, or a new review date on the pupil's open entry;
- for SEN support, the move to K with the proposed primary need through the SEN register's own
  rules (so the parent notification item opens), and the end of any open monitoring entry.

Finished runs cannot be changed (a trigger refuses it).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import PermissionDenied, ValidationError
from ...models import dates, sen
from ...models import flowchart as fc
from ...models.registers import RegisterKind, clean_entry
from ...models.roles import Permission
from ...operations import Kind, changed, operation
from ...session import Session
from ...store.database import Row
from .. import notes, registers, sen_register
from .._common import record_changes, today
from .checks import AnswerInput, _check_pupil, _clean_answers, _clean_dates, _clean_discussion
from .drafts import _draft_row


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



# The pupil's own words are never the parents': a field holding them goes with what we know
# about the pupil, whatever section its flowchart gives it (the default is the parents').
PUPIL_VIEWS = "child_views"


def _section(item: fc.DiscussionField) -> str:
    return "concern" if item.id == PUPIL_VIEWS else item.note_section


def _headed(chart: fc.Flowchart, discussion: Mapping[str, str], section: str) -> str:
    """The answers of one part of the note, each under its own heading (the field's label)."""
    return "\n\n".join(f"{item.label}\n{discussion[item.id]}" for item in chart.discussion_fields
                       if _section(item) == section and discussion.get(item.id))


def _note_fields(chart: fc.Flowchart, walk: fc.Walk, discussion: Mapping[str, str],
                 talked: dt.date, review: dt.date) -> dict[str, Any]:
    outcome = walk.outcome
    assert outcome is not None
    concern = _headed(chart, discussion, "concern") or \
        f"Concerns explored with the {chart.title.lower()} flowchart."
    agreed = [part for part in (_headed(chart, discussion, "agreed_actions"),) if part]
    agreed.append(f"Recommended next step\n{outcome.title}.")
    agreed.extend(f"- {action}" for action in walk.actions)
    return {"event_date": talked, "concern": concern,
            "parent_discussion": _headed(chart, discussion, "parent_discussion"),
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
        "discussion": json.dumps([[item.label, cleaned[item.id], item.id]
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
        discussion=tuple((str(entry[0]), str(entry[1]))
                         for entry in json.loads(row["discussion"] or "[]")),
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
