"""The school's SENDIASS and Local Offer details and its choice of whom to write to from 16,
kept once in the school database (meta table) and read by letters and the consent form.

They are school settings, not pupil records: the SENCO or an administrator sets them, and each
change is audited, naming the fields that changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..models.roles import Permission
from ..models.school_contacts import SchoolContacts, clean_school_contacts
from ..operations import Kind, changed, operation
from ..session import Session
from ..store.database import Statement

META_KEY = "school:contacts"
STORED_READ: Statement = ("SELECT value FROM meta WHERE key = ?", (META_KEY,))


def stored(session: Session) -> SchoolContacts:
    """The details for rules already inside a permission-checked operation (letters)."""
    text = session.db.scalar(*STORED_READ)
    if not text:
        return SchoolContacts()
    raw = json.loads(text)
    return clean_school_contacts(raw if isinstance(raw, dict) else {})


@operation(Permission.VIEW_RECORDS, writes=False)
def school_contacts(session: Session) -> SchoolContacts:
    """The school's details (no pupil data, so not audited)."""
    return stored(session)


@operation(Permission.SETTINGS, Permission.MANAGE_PLANS,
           audit="changed the school's advice details")
def set_school_contacts(session: Session, raw: Mapping[str, Any]) -> SchoolContacts:
    """Check and keep the SENDIASS and Local Offer details and the from-16 choice; nothing is
    kept when any field is wrong."""
    details = clean_school_contacts(raw)
    before = stored(session)
    if details == before:
        return details
    session.db.set_meta(META_KEY, json.dumps(details.as_dict()))
    changed(session, Kind.SETTINGS, target=(None, None),
            fields=sorted(k for k, v in details.as_dict().items() if before.as_dict()[k] != v),
            young_person=details.young_person)
    return details
