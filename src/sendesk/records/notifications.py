"""'Parent notification due' items: opened when a pupil is added to or removed from the SEN
register, cleared once a notification to everyone who must be told has been recorded (date,
method, to whom).

Who must be told: every current contact with parental responsibility, and, when the pupil was
16 or over on the day the item fell due, the young person as well or instead, as the school
chose (Tools > School details, the choice letters and consent follow). A contact with parental
responsibility added while an item is open must be told too; one who is ended no longer holds
it open. An item is never cleared by nobody being told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import ValidationError
from ..models import dates
from ..models.notifications import NotificationDue, NotificationSent, clean_method, must_tell
from ..models.roles import Permission
from ..models.school_contacts import INSTEAD, PARENTS, is_young_person
from ..operations import Kind, changed, operation
from ..session import Session
from ..store.database import Row, Statement
from ._common import chunks, placeholders, require_editable, today
from .school_contacts import stored

_OUTSTANDING = (
    "SELECT c.id FROM contacts c WHERE c.pupil_id = ? AND c.ended_on IS NULL"
    " AND c.parental_responsibility = 1 AND NOT EXISTS (SELECT 1 FROM parent_notifications n"
    " WHERE n.due_id = ? AND n.contact_id = c.id) ORDER BY c.id")

# The number still to tell of an open item d (Home's "2 to tell"), with outstanding_params():
# the parents not yet told unless the young person is told instead, and the young person when
# they must be told and are not yet.
OUTSTANDING_COUNT = (
    "(CASE WHEN d.young_person = 1 AND ? = 1 THEN 0 ELSE (SELECT count(*) FROM contacts c"
    " WHERE c.pupil_id = d.pupil_id AND c.ended_on IS NULL AND c.parental_responsibility = 1"
    " AND NOT EXISTS (SELECT 1 FROM parent_notifications n WHERE n.due_id = d.id"
    " AND n.contact_id = c.id)) END + CASE WHEN d.young_person = 1 AND ? = 1"
    " AND d.young_person_told_on IS NULL THEN 1 ELSE 0 END)")


def outstanding_params(session: Session) -> tuple[int, int]:
    """OUTSTANDING_COUNT's parameters from the school's choice: (parents not needed from 16,
    the young person needed from 16)."""
    choice = stored(session).young_person
    return int(choice == INSTEAD), int(choice != PARENTS)


def whom(session: Session, young_person: int | bool) -> str:
    """Who is to be told of an item, in words ('the parents'), for the agenda."""
    parents, young = must_tell(stored(session).young_person, bool(young_person))
    return {(True, False): "the parents", (True, True): "the young person and the parents",
            (False, True): "the young person"}[parents, young]


def pupil_name(row: Row) -> str:
    """The name the pupil is known by, as a notification to them records it."""
    return (f"{row['preferred_forename'] or row['legal_forename']} "
            f"{row['preferred_surname'] or row['legal_surname']}")


def open_due(session: Session, pupil_id: int, status_change_id: int, change: str,
             since: dt.date) -> int:
    """Open an item inside the caller's transaction. An older open item stays open: parents
    who were never told of one change must still be told of it."""
    dob = dt.date.fromisoformat(session.db.scalar("SELECT dob FROM pupils WHERE id = ?",
                                                  (int(pupil_id),)))
    return int(session.db.scalar(
        "INSERT INTO parent_notifications_due (pupil_id, status_change_id, change, due_since,"
        " created_at, young_person) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (pupil_id, status_change_id, change, since.isoformat(), session.now_text(),
         int(is_young_person(dob, since)))))


def _who(choice: str, item: Mapping[str, Any]) -> tuple[bool, bool]:
    """(the parents, the young person) must be told of this item, by the school's choice."""
    return must_tell(choice, bool(item["young_person"]))


def _outstanding(session: Session, item: Mapping[str, Any], parents: bool) -> tuple[int, ...]:
    if not parents:
        return ()
    return tuple(r["id"] for r in session.db.query(_OUTSTANDING, (item["pupil_id"], item["id"])))


def _complete(session: Session, choice: str, item: Mapping[str, Any]) -> bool:
    """Everyone who must be told has been, and someone was."""
    parents, young = _who(choice, item)
    young_told = item["young_person_told_on"] is not None
    if young and not young_told:
        return False
    if parents and _outstanding(session, item, parents):
        return False
    parents_told = parents and bool(session.db.scalar(
        "SELECT count(*) FROM parent_notifications WHERE due_id = ?", (item["id"],)))
    return parents_told or (young and young_told)


def reconcile(session: Session, pupil_ids: Sequence[int] | None = None, *,
              recheck: bool = True) -> list[int]:
    """Bring open items up to date: whether the pupil was 16 on the day each fell due (a date of
    birth may be corrected), and clear those for which everyone who must be told has been.
    Returns the pupils whose items changed.

    Run by the derived-state rule after a write touching pupils, contacts, notifications or
    the school's settings (the summary columns' rule runs after it); pupil_ids None means
    every pupil with an open item. recheck False (only pupils' details changed, an import of
    thousands, say) looks again at who was told only where the age on the day changed."""
    choice = stored(session).young_person
    sql = ("SELECT d.*, p.dob FROM parent_notifications_due d JOIN pupils p ON p.id = d.pupil_id"
           " WHERE d.cleared_at IS NULL")
    if pupil_ids is None:
        items = [dict(row) for row in session.db.query(sql + " ORDER BY d.id")]
    else:
        items = [dict(row) for chunk in chunks([int(p) for p in pupil_ids]) for row in session.db.query(
            sql + f" AND d.pupil_id IN ({placeholders(len(chunk))}) ORDER BY d.id", list(chunk))]
    touched: list[int] = []
    for item in items:
        young = int(is_young_person(dt.date.fromisoformat(item["dob"]),
                                    dt.date.fromisoformat(item["due_since"])))
        if young != item["young_person"]:
            session.db.execute("UPDATE parent_notifications_due SET young_person = ? WHERE id = ?",
                               (young, item["id"]))
            item["young_person"] = young
            touched.append(item["pupil_id"])
        elif not recheck:
            continue
        if _complete(session, choice, item):
            session.db.execute("UPDATE parent_notifications_due SET cleared_at = ? WHERE id = ?",
                               (session.now_text(), item["id"]))
            touched.append(item["pupil_id"])
    return sorted(set(touched))


@operation(Permission.EDIT_PUPILS, audit="recorded a parent notification")
def record_notification(session: Session, due_id: int, contact_ids: Iterable[int],
                        sent_on: dt.date | str, method: str, young_person: bool = False) -> bool:
    """Record that these contacts, and the young person when young_person is true, were told;
    returns True when the item is now cleared (the derived-state rule clears it once the write
    is done)."""
    day = dates.require_date(sent_on, "Date notified")
    dates.not_after(day, today(session), "Date notified")
    how = clean_method(method)
    wanted = sorted({int(contact_id) for contact_id in contact_ids})
    if not wanted and not young_person:
        raise ValidationError("Choose who was notified.", field="contacts")
    item = session.db.query_one("SELECT * FROM parent_notifications_due WHERE id = ?",
                                (int(due_id),))
    if item is None:
        raise ValidationError("That notification item is not in this database.")
    pupil = require_editable(session, item["pupil_id"])
    pupil_id = pupil["id"]
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
    if young_person:
        _record_young_person(session, item, pupil, day, how)
    item = session.db.query_one("SELECT * FROM parent_notifications_due WHERE id = ?",
                                (item["id"],))
    assert item is not None
    cleared = item["cleared_at"] is not None or _complete(session, stored(session).young_person,
                                                          item)
    changed(session, Kind.NOTIFICATION, pupil_id, due_id=item["id"], contact_ids=wanted,
            young_person=bool(young_person), method=how, cleared=cleared)
    return cleared


def _record_young_person(session: Session, item: Row, pupil: Row, day: dt.date,
                         how: str) -> None:
    """The pupil was told themselves: only from 16 (before then the parents are told)."""
    name = pupil_name(pupil)
    if not item["young_person"]:
        since = dates.format_uk(dt.date.fromisoformat(item["due_since"]))
        raise ValidationError(f"{name} was under 16 on {since}, when the change was made, so it "
                              "is their parents who are told.",
                              field="young_person")
    if item["young_person_told_on"] is not None:
        raise ValidationError(f"A notification to {name} is already recorded.",
                              field="young_person")
    session.db.execute(
        "UPDATE parent_notifications_due SET young_person_told_on = ?, young_person_method = ?,"
        " young_person_recipient = ?, young_person_entered_at = ?, young_person_entered_by = ?"
        " WHERE id = ?", (day.isoformat(), how, name, session.now_text(), session.user.id,
                          item["id"]))


def _sent(session: Session, item: Row) -> tuple[NotificationSent, ...]:
    """What was recorded for an item, in the order it happened."""
    return _told(item, session.db.query("SELECT * FROM parent_notifications WHERE due_id = ?"
                                        " ORDER BY sent_on, id", (item["id"],)))


def _told(item: Row, rows: Iterable[Row]) -> tuple[NotificationSent, ...]:
    """An item's notifications from its parent_notifications rows and the young person's
    columns, in the order they happened."""
    found = [NotificationSent(r["id"], r["contact_id"], r["recipient"],
                              dt.date.fromisoformat(r["sent_on"]), r["method"], r["entered_at"])
             for r in rows]
    if item["young_person_told_on"] is not None:
        found.append(NotificationSent(
            item["id"], None, item["young_person_recipient"] or "",
            dt.date.fromisoformat(item["young_person_told_on"]),
            item["young_person_method"] or "", item["young_person_entered_at"] or "",
            young_person=True))
    return tuple(sorted(found, key=lambda s: (s.sent_on, s.entered_at)))


def notifications_for_pupil_reads(pupil_id: int) -> list[Statement]:
    """The pupil's items, everything recorded for any of them, and the contacts with parental
    responsibility: three reads however many items there are, so the record can name them in
    advance (records/pupil_record.py)."""
    pupil = (int(pupil_id),)
    return [("SELECT d.*, h.status FROM parent_notifications_due d JOIN sen_status_history h"
             " ON h.id = d.status_change_id WHERE d.pupil_id = ?"
             " ORDER BY d.due_since DESC, d.id DESC", pupil),
            ("SELECT n.* FROM parent_notifications n JOIN parent_notifications_due d"
             " ON d.id = n.due_id WHERE d.pupil_id = ? ORDER BY n.sent_on, n.id", pupil),
            ("SELECT id FROM contacts WHERE pupil_id = ? AND ended_on IS NULL"
             " AND parental_responsibility = 1 ORDER BY id", pupil)]


@operation(Permission.VIEW_RECORDS, writes=False)
def notifications_for_pupil(session: Session, pupil_id: int) -> list[NotificationDue]:
    """Every notification item for a pupil, newest first, with what was recorded and who is
    still to be told."""
    items, sent, responsible = [session.db.query(*read)
                                for read in notifications_for_pupil_reads(pupil_id)]
    by_item: dict[int, list[Row]] = {}
    for row in sent:
        by_item.setdefault(row["due_id"], []).append(row)
    choice = stored(session).young_person
    result = []
    for item in items:
        parents, young = _who(choice, item)
        still_open = item["cleared_at"] is None
        told = {row["contact_id"] for row in by_item.get(item["id"], [])}
        result.append(NotificationDue(
            item["id"], item["pupil_id"], item["change"], item["status"],
            dt.date.fromisoformat(item["due_since"]), item["cleared_at"],
            _told(item, by_item.get(item["id"], [])),
            tuple(c["id"] for c in responsible if c["id"] not in told)
            if still_open and parents else (),
            young_person=bool(item["young_person"]),
            young_person_to_tell=still_open and young and item["young_person_told_on"] is None))
    return result
