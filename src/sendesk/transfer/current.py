"""The parts of a record that say where a pupil stands now, of which a pupil has at most one
(or one of each kind): SEN status, needs, register entries, the open pathway, a draft
flowchart run, the current EHC plan, an assessment exception, the EHC checklist.

When a package arrives for a pupil this school already holds, both schools may have one of
these. Nothing is merged silently: the user keeps ours (theirs arrives as history, ended on
the day the pupil left) or takes theirs (ours is ended today). Rows that cannot be ended, a
draft or a checklist answer, are left out (ours) or replaced (theirs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from ..session import Session

Row = Mapping[str, Any]


@dataclass(frozen=True)
class CurrentKind:
    table: str
    label: str
    is_open: Callable[[Row], bool]
    describe: Callable[[Row], str]
    # The columns that end an open row on a day; None for rows that are dropped instead.
    ending: Callable[[dt.date, str], dict[str, Any]] | None
    same_slot: Callable[[Row], Any] = lambda row: None   # two open rows clash if these match


def _ended(column: str) -> Callable[[dt.date, str], dict[str, Any]]:
    return lambda day, now: {column: day.isoformat()}


KINDS: tuple[CurrentKind, ...] = (
    CurrentKind("sen_status_history", "current SEN status", lambda r: r.get("end_date") is None,
                lambda r: f"{r['status']} since {r['start_date']}", _ended("end_date")),
    CurrentKind("sen_needs", "current SEN needs", lambda r: r.get("end_date") is None,
                lambda r: str(r["code"]), _ended("end_date")),
    CurrentKind("register_entries", "current register entry", lambda r: r.get("end_date") is None,
                lambda r: str(r["register"]), _ended("end_date"), lambda r: r["register"]),
    CurrentKind("send_pathways", "open SEND pathway", lambda r: r.get("status") == "open",
                lambda r: f"{r['stage']} stage since {r['opened_on']}",
                lambda day, now: {"status": "closed", "closed_on": day.isoformat(),
                                  "close_decision": "closed when the pupil moved school"}),
    CurrentKind("concern_runs", "unfinished initial concerns flowchart",
                lambda r: r.get("status") == "draft", lambda r: "a draft", None),
    CurrentKind("ehc_plans", "current EHC plan", lambda r: r.get("ceased_on") is None,
                lambda r: f"issued {r['issued_on']} by {r['local_authority']}",
                lambda day, now: {"ceased_on": day.isoformat(),
                                  "ceased_reason": "replaced when the pupil moved school"}),
    CurrentKind("ehcna_exceptions", "exception to the APDR cycles before an EHC request",
                lambda r: r.get("withdrawn_at") is None, lambda r: str(r["kind"]),
                lambda day, now: {"withdrawn_at": now,
                                  "withdrawn_reason": "replaced when the pupil moved school"}),
    CurrentKind("ehcna_checklist", "EHC needs assessment checklist answers", lambda r: True,
                lambda r: str(r["question"]), None),
)
BY_TABLE = {kind.table: kind for kind in KINDS}


def ours(session: Session, pupil_id: int, kind: CurrentKind) -> list[dict[str, Any]]:
    if not session.db.has_table(kind.table):
        return []
    rows = session.db.query(f"SELECT {session.db.rowid} AS row_number, * FROM {kind.table} WHERE pupil_id = ?",
                            (pupil_id,))
    return [dict(row) for row in rows if kind.is_open(dict(row))]


def end_ours(session: Session, pupil_id: int, kind: CurrentKind, day: dt.date,
             keep: Collection[Any] = ()) -> None:
    """Take theirs: our open rows of this kind end today (or go, if they cannot end), except
    those the package holds too (``keep``, by id): theirs, as much as ours."""
    for row in ours(session, pupil_id, kind):
        if row.get("id") is not None and row["id"] in keep:
            continue
        if kind.ending is None:
            session.db.execute(f"DELETE FROM {kind.table} WHERE {session.db.rowid} = ?", (row["row_number"],))
            continue
        changes = kind.ending(day, session.now_text())
        if kind.table == "send_pathways":
            changes |= {"closed_at": session.now_text(), "closed_by": session.user.id}
        assignments = ", ".join(f"{column} = ?" for column in changes)
        session.db.execute(f"UPDATE {kind.table} SET {assignments} WHERE {session.db.rowid} = ?",
                           [*changes.values(), row["row_number"]])
