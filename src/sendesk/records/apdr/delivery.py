"""The Do part: the log of sessions of provision delivered or missed."""

from __future__ import annotations

import datetime as dt

from ...errors import PermissionDenied, ValidationError
from ...models import dates
from ...models.apdr import DeliveryEntry
from ...models.roles import Permission
from ...models.text import clean_text
from ...operations import Kind, changed, operation
from ...session import Session
from .._common import today
from ._context import _context, _item_row


@operation(Permission.ADD_NOTES, Permission.MANAGE_PLANS, audit="logged provision delivery")
def log_delivery(session: Session, item_id: int, delivered_on: dt.date | str, delivered: bool,
                 note: str = "") -> int:
    """Record one session: delivered, or missed and why. Staff who deliver provision may do it."""
    day = dates.require_date(delivered_on, "Date of the session")
    text = clean_text(note, "Note" if delivered else "Why it was missed", max_length=2000)
    if not delivered and not text:
        raise ValidationError("Say why the session was missed.", field="note")
    item = _item_row(session, item_id)
    ctx = _context(session, item["cycle_id"])
    if item["agreed_at"] is None:
        raise ValidationError("The plan has not been agreed yet, so its provision has not "
                              "started.", field="provision")
    dates.not_after(day, today(session), "Date of the session")
    dates.not_before(day, dates.from_text(item["started_on"]) or
                     dt.date.fromisoformat(item["plan_date"]), "Date of the session",
                     "the start of the provision")
    if item["ended_on"] is not None:
        dates.not_after(day, dt.date.fromisoformat(item["ended_on"]), "Date of the session",
                        "the day the provision ended")
    cursor = session.db.execute(
        "INSERT INTO apdr_delivery_log (item_id, delivered_on, delivered, note, entered_at,"
        " entered_by) VALUES (?, ?, ?, ?, ?, ?)",
        (item["id"], day.isoformat(), int(bool(delivered)), text, session.now_text(),
         session.user.id))
    entry_id = int(cursor.lastrowid)
    changed(session, Kind.PATHWAY, ctx.pupil["id"], item_id=item["id"], entry_id=entry_id,
            delivered=bool(delivered))
    return entry_id


@operation(Permission.ADD_NOTES, Permission.MANAGE_PLANS,
           audit="withdrew a delivery log entry")
def withdraw_delivery(session: Session, entry_id: int, reason: str) -> None:
    """Strike out a mistaken log entry (its author or the SENCO); it stays visible as withdrawn."""
    why = clean_text(reason, "Reason", max_length=2000, required=True)
    row = session.db.query_one(
        "SELECT d.*, p.cycle_id FROM apdr_delivery_log d JOIN apdr_provision_items i"
        " ON i.id = d.item_id JOIN apdr_plans p ON p.id = i.plan_id WHERE d.id = ?", (int(entry_id),))
    if row is None:
        raise ValidationError("That log entry is not in this database.", field="delivery")
    if row["entered_by"] != session.user.id and not session.can(Permission.MANAGE_PLANS):
        raise PermissionDenied("Only the person who logged the session, or the SENCO, may "
                               "withdraw it.")
    if row["withdrawn_at"] is not None:
        raise ValidationError("This entry has already been withdrawn.", field="delivery")
    ctx = _context(session, row["cycle_id"])
    session.db.execute("UPDATE apdr_delivery_log SET withdrawn_at = ?, withdrawn_by = ?,"
                       " withdrawn_reason = ? WHERE id = ?",
                       (session.now_text(), session.user.id, why, row["id"]))
    changed(session, Kind.PATHWAY, ctx.pupil["id"], entry_id=row["id"])


@operation(Permission.VIEW_RECORDS, writes=False)
def delivery_log(session: Session, cycle_id: int) -> list[DeliveryEntry]:
    """A cycle's delivery log in the order the sessions happened."""
    rows = session.db.query(
        "SELECT d.*, i.description, coalesce(u.full_name, '') AS who FROM apdr_delivery_log d"
        " JOIN apdr_provision_items i ON i.id = d.item_id JOIN apdr_plans p ON p.id = i.plan_id"
        " LEFT JOIN users u ON u.id = d.entered_by WHERE p.cycle_id = ?"
        " ORDER BY d.delivered_on, d.id", (int(cycle_id),))
    return [DeliveryEntry(r["id"], r["item_id"], r["description"],
                          dt.date.fromisoformat(r["delivered_on"]), bool(r["delivered"]), r["note"],
                          r["who"], r["entered_at"], r["withdrawn_at"] is not None,
                          r["withdrawn_reason"]) for r in rows]
