"""The SEN register: status E/K/N over time and ranked needs, changed only by a SENCO.

A change closes the current period and opens a new one from the date it took effect, so the
history reads in order and nothing is overwritten. Adding a pupil to the register or taking
them off it opens a 'parent notification due' item in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..errors import ValidationError
from ..models import dates, sen
from ..models.calendar import last_census_before
from ..models.roles import Permission
from ..models.sen import NeedPeriod, StatusPeriod
from ..models.text import clean_text
from ..operations import Kind, changed, operation
from ..session import Session
from ..store.database import Statement
from . import notifications
from ._common import record_changes, require_editable, today


def _open_period(session: Session, pupil_id: int):
    return session.db.query_one("SELECT * FROM sen_status_history WHERE pupil_id = ? AND "
                                "end_date IS NULL", (pupil_id,))


def _open_needs(session: Session, pupil_id: int) -> list[str]:
    rows = session.db.query("SELECT code FROM sen_needs WHERE pupil_id = ? AND end_date IS NULL"
                            " ORDER BY rank", (pupil_id,))
    return [row["code"] for row in rows]


def _apply_needs(session: Session, pupil_id: int, needs: Sequence[str], start: dt.date) -> bool:
    """End needs whose rank changed or that are gone, start the new ones; True if any changed."""
    current = {(row["code"], row["rank"]): row["id"] for row in session.db.query(
        "SELECT id, code, rank FROM sen_needs WHERE pupil_id = ? AND end_date IS NULL", (pupil_id,))}
    wanted = {(code, rank) for rank, code in enumerate(needs, start=1)}
    ending = [row_id for key, row_id in current.items() if key not in wanted]
    for row_id in ending:
        session.db.execute("UPDATE sen_needs SET end_date = ? WHERE id = ?",
                           (start.isoformat(), row_id))
    starting = sorted(wanted - set(current), key=lambda item: item[1])
    for code, rank in starting:
        session.db.execute(
            "INSERT INTO sen_needs (pupil_id, code, rank, start_date, entered_at, entered_by)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (pupil_id, code, rank, start.isoformat(), session.now_text(), session.user.id))
    return bool(ending or starting)


def _effective_date(value: dt.date | str, session: Session, open_row) -> dt.date:
    day = dates.require_date(value, "Date of the change")
    dates.not_after(day, today(session), "Date of the change")
    if open_row is not None:
        dates.not_before(day, dt.date.fromisoformat(open_row["start_date"]), "Date of the change",
                         "the start of the current status")
    return day


@operation(Permission.CHANGE_SEN_STATUS, audit="changed SEN status")
def change_status(session: Session, pupil_id: int, status: str, start_date: dt.date | str,
                  reason: str, needs: Sequence[str] | None = None) -> int:
    """Set a pupil's SEN status from a date, with the reason; returns the new period's id.

    needs (primary first) replaces the current needs; without it the current needs are kept
    and must suit the new status. Status N ends all needs.
    """
    new_status = sen.clean_status(status)
    why = clean_text(reason, "Reason for the change", max_length=2000, required=True)
    pupil_id = int(pupil_id)
    require_editable(session, pupil_id)
    open_row = _open_period(session, pupil_id)
    previous = open_row["status"] if open_row else None
    sen.check_status_change(previous, new_status)
    start = _effective_date(start_date, session, open_row)
    ranked = sen.clean_needs(_open_needs(session, pupil_id) if needs is None and
                             new_status in sen.ON_REGISTER else (needs or ()), new_status)
    if open_row is not None:
        session.db.execute("UPDATE sen_status_history SET end_date = ? WHERE id = ?",
                           (start.isoformat(), open_row["id"]))
    cursor = session.db.execute(
        "INSERT INTO sen_status_history (pupil_id, status, start_date, reason, changed_by,"
        " entered_at) VALUES (?, ?, ?, ?, ?, ?)",
        (pupil_id, new_status, start.isoformat(), why, session.user.id, session.now_text()))
    period_id = int(cursor.lastrowid)
    _apply_needs(session, pupil_id, ranked, start)
    change = sen.register_change(previous, new_status)
    due_id = None
    if change:
        due_id = notifications.open_due(session, pupil_id, period_id, change, start)
        changed(session, Kind.NOTIFICATION, pupil_id)
    # "from" is a keyword, so these detail keys go in as a dict.
    detail: dict[str, Any] = {"from": previous, "to": new_status, "needs": list(ranked),
                              "notification_due_id": due_id}
    changed(session, Kind.SEN, pupil_id, **detail)
    return period_id


@operation(Permission.CHANGE_SEN_STATUS, audit="replaced SEN status from the day it began")
def replace_current_status(session: Session, pupil_id: int, status: str, reason: str) -> int:
    """Put E in place of K (or K in place of E) from the day the current status began, when the
    new status applied from that day: a pupil who arrived holding an EHC plan was first recorded
    at K. Closing K on the day it opened would leave an empty K period in the census history.
    The pupil stays on the register, so the parents' notification of joining it still stands;
    the old status and reason stay in the change trail. Returns the period's id."""
    new_status = sen.clean_status(status)
    why = clean_text(reason, "Reason for the change", max_length=2000, required=True)
    pupil_id = int(pupil_id)
    require_editable(session, pupil_id)
    open_row = _open_period(session, pupil_id)
    if open_row is None or {open_row["status"], new_status} != set(sen.ON_REGISTER):
        raise ValidationError("Only SEN support (K) and an EHC plan (E) can replace each other "
                              "from the day the status began; record a change instead.",
                              field="status")
    sen.clean_needs(_open_needs(session, pupil_id), new_status)
    record_changes(session, pupil_id, "SEN status", open_row["id"],
                   {"status": open_row["status"], "reason": open_row["reason"]},
                   {"status": new_status, "reason": why})
    session.db.execute("UPDATE sen_status_history SET status = ?, reason = ?, changed_by = ?"
                       " WHERE id = ?", (new_status, why, session.user.id, open_row["id"]))
    changed(session, Kind.SEN, pupil_id, **{"from": open_row["status"], "to": new_status,
                                            "since": open_row["start_date"]})
    return int(open_row["id"])


@operation(Permission.CHANGE_SEN_STATUS, audit="changed SEN needs")
def set_needs(session: Session, pupil_id: int, needs: Sequence[str],
              start_date: dt.date | str) -> bool:
    """Replace the ranked needs of a pupil on the register; False if nothing changed."""
    pupil_id = int(pupil_id)
    require_editable(session, pupil_id)
    open_row = _open_period(session, pupil_id)
    status = open_row["status"] if open_row else None
    if status not in sen.ON_REGISTER:
        raise ValidationError("Needs are recorded only for pupils on the SEN register (E or "
                              "K). Change the status first.", field="needs")
    ranked = sen.clean_needs(needs, status)
    start = _effective_date(start_date, session, open_row)
    altered = _apply_needs(session, pupil_id, ranked, start)
    if altered:
        changed(session, Kind.SEN, pupil_id, needs=list(ranked))
    return altered


def status_history_read(pupil_id: int) -> Statement:
    return ("SELECT h.*, coalesce(u.full_name, '') AS who FROM sen_status_history h LEFT JOIN"
            " users u ON u.id = h.changed_by WHERE h.pupil_id = ? ORDER BY h.start_date, h.id",
            (int(pupil_id),))


@operation(Permission.VIEW_RECORDS, writes=False)
def status_history(session: Session, pupil_id: int) -> list[StatusPeriod]:
    """The pupil's statuses in the order they happened."""
    rows = session.db.query(*status_history_read(pupil_id))
    return [StatusPeriod(r["id"], r["status"], dt.date.fromisoformat(r["start_date"]),
                         dates.from_text(r["end_date"]), r["reason"], r["who"], r["entered_at"])
            for r in rows]


@operation(Permission.VIEW_RECORDS, writes=False)
def needs_history(session: Session, pupil_id: int, current_only: bool = False) -> list[NeedPeriod]:
    """Needs in the order they were recorded (current ones by rank when current_only)."""
    return [NeedPeriod(r["id"], r["code"], r["rank"], dt.date.fromisoformat(r["start_date"]),
                       dates.from_text(r["end_date"]), r["entered_at"])
            for r in session.db.query(*needs_history_read(pupil_id, current_only))]


def needs_history_read(pupil_id: int, current_only: bool = False) -> Statement:
    if current_only:
        return ("SELECT * FROM sen_needs WHERE pupil_id = ? AND end_date IS NULL ORDER BY rank",
                (int(pupil_id),))
    return "SELECT * FROM sen_needs WHERE pupil_id = ? ORDER BY start_date, rank, id", (int(pupil_id),)


def effective_status(status: str | None, since: dt.date | None, on: dt.date) -> str | None:
    """What the register says on a day: N lapses once its first census has passed."""
    if status == "N" and since is not None and since <= last_census_before(on):
        return None
    return status
