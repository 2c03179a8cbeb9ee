"""Drafts of the concerns flowchart: a run saved part-way, resumed or discarded.

While a run is a draft, the answers so far live in one JSON column (``draft_state``) so that
the wizard can be resumed exactly where it was left; discarding a draft deletes it and leaves
nothing behind. A pupil has at most one draft at a time. Finishing a draft is ``finished.finish``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import PermissionDenied, ValidationError
from ...models import flowchart as fc
from ...models.roles import Permission
from ...operations import Kind, changed, operation
from ...session import Session
from ...store.database import Row
from .._common import require_editable
from .checks import AnswerInput, _check_pupil, _clean_answers, _clean_discussion

MAX_STATE_BYTES = 256 * 1024


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
class DraftSummary:
    id: int
    flowchart_title: str
    answered: int
    started_by: str
    updated_at: str
    updated_by: str



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
