"""Consent to share information: who gave it, when, for what, and when it was withdrawn.

Consent is given by a parent or carer, or by the young person once they are 16. Withdrawing
consent ends it from a date; the record of it having been given stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from ..models import dates
from ..models.contacts import Consent, clean_consent
from ..models.roles import Permission
from ..models.school_contacts import INSTEAD
from ..operations import Kind, changed, operation
from ..session import Session
from ..store.database import Row, Statement
from ._common import record_changes, require_editable, today
from .school_contacts import stored

YOUNG_PERSON_AGE = 16


def consent_from_row(row: Row) -> Consent:
    return Consent(row["id"], row["pupil_id"], row["given_by"], row["giver_kind"],
                   row["contact_id"], dt.date.fromisoformat(row["given_on"]), row["scope"],
                   dates.from_text(row["withdrawn_on"]), row["entered_at"])


@operation(Permission.EDIT_PUPILS, audit="recorded consent to share")
def record_consent(session: Session, pupil_id: int, raw: Mapping[str, Any],
                   contact_id: int | None = None) -> int:
    """Record consent given by a contact, another named carer, or the young person (16+)."""
    fields = clean_consent(raw, today(session))
    pupil = require_editable(session, pupil_id)
    if contact_id is not None and not session.db.scalar(
            "SELECT 1 FROM contacts WHERE id = ? AND pupil_id = ?", (int(contact_id), pupil["id"])):
        raise ValidationError("The person giving consent is not one of this pupil's contacts.",
                              field="contact")
    sixteenth = dates.add_years(dt.date.fromisoformat(pupil["dob"]), YOUNG_PERSON_AGE)
    if fields["giver_kind"] == "young person":
        dates.not_before(fields["given_on"], sixteenth, "Date consent was given",
                         "the pupil's 16th birthday (before then a parent or carer consents)")
    elif fields["given_on"] >= sixteenth and stored(session).young_person == INSTEAD:
        raise ValidationError(f"From 16, {pupil['preferred_forename'] or pupil['legal_forename']}"
                              " gives consent themselves (the school's choice in Tools > School "
                              "details); record it as given by the young person.",
                              field="giver_kind")
    cursor = session.db.execute(
        "INSERT INTO consents (pupil_id, contact_id, given_by, giver_kind, given_on, scope,"
        " entered_at, entered_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (pupil["id"], contact_id, fields["given_by"], fields["giver_kind"],
         fields["given_on"].isoformat(), fields["scope"], session.now_text(), session.user.id))
    consent_id = int(cursor.lastrowid)
    changed(session, Kind.CONSENT, pupil["id"], consent_id=consent_id)
    return consent_id


@operation(Permission.EDIT_PUPILS, audit="recorded consent withdrawn")
def withdraw_consent(session: Session, consent_id: int, withdrawn_on: dt.date | str) -> None:
    day = dates.require_date(withdrawn_on, "Date consent was withdrawn")
    dates.not_after(day, today(session), "Date consent was withdrawn")
    row = session.db.query_one("SELECT * FROM consents WHERE id = ?", (int(consent_id),))
    if row is None:
        raise ValidationError("That consent record is not in this database.", field="consent")
    require_editable(session, row["pupil_id"])
    if row["withdrawn_on"] is not None:
        raise ValidationError("This consent has already been withdrawn.", field="consent")
    dates.not_before(day, dt.date.fromisoformat(row["given_on"]), "Date consent was withdrawn",
                     "the date it was given")
    record_changes(session, row["pupil_id"], "consent", row["id"], {"withdrawn_on": None},
                   {"withdrawn_on": day})
    session.db.execute("UPDATE consents SET withdrawn_on = ? WHERE id = ?",
                       (day.isoformat(), row["id"]))
    changed(session, Kind.CONSENT, row["pupil_id"], consent_id=row["id"])


@operation(Permission.VIEW_RECORDS, writes=False)
def list_consents(session: Session, pupil_id: int) -> list[Consent]:
    """Consent records in the order they were given."""
    return [consent_from_row(row) for row in session.db.query(*list_consents_read(pupil_id))]


def list_consents_read(pupil_id: int) -> Statement:
    return "SELECT * FROM consents WHERE pupil_id = ? ORDER BY given_on, id", (int(pupil_id),)
