"""'Parent notification due' items: opened when a pupil is added to or removed from the SEN
register, cleared once a notification to every current contact with parental responsibility
has been recorded (date, method, to whom).

A contact with parental responsibility added while an item is open must be notified too; one
who is ended no longer holds it open. An item is never cleared by nobody being notified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..errors import ValidationError
from ..models import dates
from ..models.notifications import NotificationDue, NotificationSent, clean_method
from ..models.roles import Permission
from ..operations import Kind, changed, operation
from ..session import Session
from ._common import require_editable, today

_OUTSTANDING = (
    "SELECT c.id FROM contacts c WHERE c.pupil_id = ? AND c.ended_on IS NULL"
    " AND c.parental_responsibility = 1 AND NOT EXISTS (SELECT 1 FROM parent_notifications n"
    " WHERE n.due_id = ? AND n.contact_id = c.id) ORDER BY c.id")


def open_due(session: Session, pupil_id: int, status_change_id: int, change: str,
             since: dt.date) -> int:
    """Open an item inside the caller's transaction. An older open item stays open: parents
    who were never told of one change must still be told of it."""
    cursor = session.db.execute(
        "INSERT INTO parent_notifications_due (pupil_id, status_change_id, change, due_since,"
        " created_at) VALUES (?, ?, ?, ?, ?)",
        (pupil_id, status_change_id, change, since.isoformat(), session.now_text()))
    return int(cursor.lastrowid)


def _complete(session: Session, pupil_id: int, due_id: int) -> bool:
    """Someone was told, and nobody with parental responsibility is still to be told."""
    sent = session.db.scalar("SELECT count(*) FROM parent_notifications WHERE due_id = ?",
                             (due_id,))
    return bool(sent) and not session.db.query(_OUTSTANDING, (pupil_id, due_id))


def reconcile(session: Session, pupil_id: int) -> None:
    """Clear open items for which everyone with parental responsibility has been notified.

    Run by the derived-state rule after a write touching contacts or notifications (the
    summary columns' rule runs after it)."""
    open_items = session.db.query("SELECT id FROM parent_notifications_due WHERE pupil_id = ?"
                                  " AND cleared_at IS NULL", (pupil_id,))
    for item in open_items:
        if _complete(session, pupil_id, item["id"]):
            session.db.execute("UPDATE parent_notifications_due SET cleared_at = ? WHERE id = ?",
                               (session.now_text(), item["id"]))


@operation(Permission.EDIT_PUPILS, audit="recorded a parent notification")
def record_notification(session: Session, due_id: int, contact_ids: Iterable[int],
                        sent_on: dt.date | str, method: str) -> bool:
    """Record that these contacts were told; returns True when the item is now cleared (the
    derived-state rule clears it once the write is done)."""
    day = dates.require_date(sent_on, "Date notified")
    dates.not_after(day, today(session), "Date notified")
    how = clean_method(method)
    wanted = sorted({int(contact_id) for contact_id in contact_ids})
    if not wanted:
        raise ValidationError("Choose who was notified.", field="contacts")
    item = session.db.query_one("SELECT * FROM parent_notifications_due WHERE id = ?",
                                (int(due_id),))
    if item is None:
        raise ValidationError("That notification item is not in this database.")
    pupil_id = item["pupil_id"]
    require_editable(session, pupil_id)
    dates.not_before(day, dt.date.fromisoformat(item["due_since"]), "Date notified",
                     "the change it tells parents about")
    for contact_id in wanted:
        contact = session.db.query_one("SELECT * FROM contacts WHERE id = ? AND pupil_id = ?",
                                       (contact_id, pupil_id))
        if contact is None:
            raise ValidationError("A chosen contact is not one of this pupil's contacts.",
                                  field="contacts")
        if session.db.scalar("SELECT 1 FROM parent_notifications WHERE due_id = ? AND "
                             "contact_id = ?", (item["id"], contact_id)):
            raise ValidationError(f"A notification to {contact['name']} is already recorded.",
                                  field="contacts")
        session.db.execute(
            "INSERT INTO parent_notifications (due_id, contact_id, recipient, sent_on, method,"
            " entered_at, entered_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (item["id"], contact_id, contact["name"], day.isoformat(), how,
             session.now_text(), session.user.id))
    cleared = item["cleared_at"] is not None or _complete(session, pupil_id, item["id"])
    changed(session, Kind.NOTIFICATION, pupil_id, due_id=item["id"], contact_ids=wanted,
            method=how, cleared=cleared)
    return cleared


@operation(Permission.VIEW_RECORDS, writes=False)
def notifications_for_pupil(session: Session, pupil_id: int) -> list[NotificationDue]:
    """Every notification item for a pupil, newest first, with what was recorded."""
    items = session.db.query(
        "SELECT d.*, h.status FROM parent_notifications_due d JOIN sen_status_history h"
        " ON h.id = d.status_change_id WHERE d.pupil_id = ? ORDER BY d.due_since DESC, d.id DESC",
        (int(pupil_id),))
    result = []
    for item in items:
        sent = tuple(NotificationSent(r["id"], r["contact_id"], r["recipient"],
                                      dt.date.fromisoformat(r["sent_on"]), r["method"],
                                      r["entered_at"])
                     for r in session.db.query("SELECT * FROM parent_notifications WHERE due_id = ?"
                                               " ORDER BY sent_on, id", (item["id"],)))
        outstanding = () if item["cleared_at"] else tuple(
            r["id"] for r in session.db.query(_OUTSTANDING, (item["pupil_id"], item["id"])))
        result.append(NotificationDue(item["id"], item["pupil_id"], item["change"], item["status"],
                                      dt.date.fromisoformat(item["due_since"]), item["cleared_at"],
                                      sent, outstanding))
    return result
