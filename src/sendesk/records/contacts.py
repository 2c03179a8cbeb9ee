"""A pupil's contacts: who holds parental responsibility, how to reach them, and whose address
must be withheld. Contacts are never deleted; one who is no longer involved is ended, and an
edit keeps the old values in the change trail."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from ..models import dates
from ..models.contacts import Contact, ContactDetails, clean_contact
from ..models.roles import Permission
from ..operations import Kind, changed, operation
from ..session import Session
from ..store.database import Row, Statement
from . import stale
from ._common import record_changes, require_editable, today

_FIELDS = ("title", "name", "relationship", "parental_responsibility", "address", "phone",
           "email", "do_not_disclose_address")
LABELS = {"title": "Title", "name": "Name", "relationship": "Relationship",
          "parental_responsibility": "Parental responsibility", "phone": "Phone",
          "email": "Email", "address": "Address",
          "do_not_disclose_address": "Never disclose the address"}


def _columns(details: ContactDetails) -> dict[str, Any]:
    return {"title": details.title, "name": details.name, "relationship": details.relationship,
            "parental_responsibility": int(details.parental_responsibility),
            "address": details.address, "phone": details.phone, "email": details.email,
            "do_not_disclose_address": int(details.do_not_disclose_address)}


def contact_from_row(row: Row) -> Contact:
    details = ContactDetails(row["name"], row["relationship"], bool(row["parental_responsibility"]),
                             row["address"], row["phone"], row["email"],
                             bool(row["do_not_disclose_address"]), row["title"])
    return Contact(row["id"], row["pupil_id"], details, dates.from_text(row["ended_on"]))


def _contact_row(session: Session, contact_id: int) -> Row:
    row = session.db.query_one("SELECT * FROM contacts WHERE id = ?", (int(contact_id),))
    if row is None:
        raise ValidationError("That contact is not in this database.", field="contact")
    return row


@operation(Permission.EDIT_PUPILS, audit="added a contact")
def add_contact(session: Session, pupil_id: int, raw: Mapping[str, Any]) -> int:
    details = clean_contact(raw)
    require_editable(session, pupil_id)
    cursor = session.db.execute(
        "INSERT INTO contacts (pupil_id, title, name, relationship, parental_responsibility,"
        " address, phone, email, do_not_disclose_address, entered_at, entered_by) VALUES"
        " (:pupil_id, :title, :name, :relationship, :parental_responsibility, :address, :phone, :email,"
        " :do_not_disclose_address, :entered_at, :entered_by)",
        {**_columns(details), "pupil_id": int(pupil_id), "entered_at": session.now_text(),
         "entered_by": session.user.id})
    contact_id = int(cursor.lastrowid)
    changed(session, Kind.CONTACT, int(pupil_id), contact_id=contact_id)
    return contact_id


@operation(Permission.EDIT_PUPILS, audit="changed a contact")
def update_contact(session: Session, contact_id: int, changes: Mapping[str, Any],
                   expected: ContactDetails | None = None) -> list[str]:
    """Change some of a contact's details; returns the changed field names. ``expected``: the
    details as the form opened them; refused (records/stale.py) if another PC changed them."""
    row = _contact_row(session, contact_id)
    require_editable(session, row["pupil_id"])
    if row["ended_on"] is not None:
        raise ValidationError(_ended_text(session, row, expected is not None), field="contact")
    old = {name: row[name] for name in _FIELDS}
    if expected is not None:
        was = _columns(expected)
        stale.require_unchanged(
            session, what=f"the contact {row['name']}", expected=was, stored=old,
            mine=was | _columns(clean_contact(dataclasses.asdict(expected) | dict(changes))),
            labels=LABELS, pupil_id=row["pupil_id"], record_type="contact", record_id=row["id"],
            now=contact_from_row(row).details)
    merged = dataclasses.asdict(contact_from_row(row).details) | dict(changes)
    new = _columns(clean_contact(merged))
    fields = record_changes(session, row["pupil_id"], "contact", row["id"], old, new)
    if fields:
        session.db.execute(
            "UPDATE contacts SET " + ", ".join(f"{name} = :{name}" for name in _FIELDS)
            + " WHERE id = :id", {**new, "id": row["id"]})
        changed(session, Kind.CONTACT, row["pupil_id"], contact_id=row["id"], fields=fields)
    return fields


def _ended_text(session: Session, row: Row, opened: bool) -> str:
    """Why a correction of an ended contact is refused, naming who ended it and when (the
    change trail), like the other refusals of a save over someone else's change: an ended
    contact is never corrected again, so the trail's latest entry for it is the ending."""
    who_when = stale.last_change(session, row["pupil_id"], "contact", row["id"])
    if who_when is None:
        return "This contact has been ended; add them again if they are involved once more."
    who, when = who_when
    if opened:
        return (f"{who} ended the contact {row['name']} {when}, after you opened it, so your "
                "changes were not saved. Add them again if they are involved once more.")
    return (f"{who} ended the contact {row['name']} {when}; add them again if they are "
            "involved once more.")


@operation(Permission.EDIT_PUPILS, audit="ended a contact")
def end_contact(session: Session, contact_id: int, ended_on: dt.date | str) -> None:
    """The contact is no longer involved; they stay in the record as history."""
    day = dates.require_date(ended_on, "Date the contact ended")
    dates.not_after(day, today(session), "Date the contact ended")
    row = _contact_row(session, contact_id)
    require_editable(session, row["pupil_id"])
    if row["ended_on"] is not None:
        raise ValidationError("This contact has already been ended.", field="contact")
    record_changes(session, row["pupil_id"], "contact", row["id"], {"ended_on": None},
                   {"ended_on": day})
    session.db.execute("UPDATE contacts SET ended_on = ? WHERE id = ?",
                       (day.isoformat(), row["id"]))
    changed(session, Kind.CONTACT, row["pupil_id"], contact_id=row["id"])


@operation(Permission.VIEW_RECORDS, writes=False)
def list_contacts(session: Session, pupil_id: int, include_ended: bool = False) -> list[Contact]:
    """Contacts with parental responsibility first, then by name."""
    return [contact_from_row(row)
            for row in session.db.query(*list_contacts_read(pupil_id, include_ended))]


def list_contacts_read(pupil_id: int, include_ended: bool = False) -> Statement:
    return ("SELECT * FROM contacts WHERE pupil_id = ?"
            + ("" if include_ended else " AND ended_on IS NULL")
            + " ORDER BY ended_on IS NOT NULL, parental_responsibility DESC, name, id",
            (int(pupil_id),))
