"""The adults around a pupil: who holds parental responsibility, how to reach them, what they
agreed may be shared, and whose address must never be written down anywhere.

Everyone with parental responsibility is legally entitled to information, so notifications
go to each of them. A 'do not disclose address' flag keeps an address off every document.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from . import dates
from .text import clean_line, clean_text

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9 ()\-]{6,20}")
CONSENT_GIVERS = ("parent or carer", "young person")


@dataclass(frozen=True)
class ContactDetails:
    name: str
    relationship: str
    parental_responsibility: bool
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    do_not_disclose_address: bool = False
    title: str | None = None   # Mrs, Mr, Ms, Mx, Dr...: how a letter greets them


@dataclass(frozen=True)
class Contact:
    id: int
    pupil_id: int
    details: ContactDetails
    ended_on: dt.date | None

    @property
    def address_for_documents(self) -> str | None:
        """The address a letter or report may print; None when it must be withheld."""
        return None if self.details.do_not_disclose_address else self.details.address


def clean_contact(raw: Mapping[str, Any]) -> ContactDetails:
    email = clean_line(str(raw.get("email") or ""), "Email", max_length=254, required=False)
    if email and not _EMAIL.fullmatch(email):
        raise ValidationError(f"Email '{email}' is not an email address.", field="email")
    phone = clean_line(str(raw.get("phone") or ""), "Phone", max_length=30, required=False)
    if phone and not _PHONE.fullmatch(phone):
        raise ValidationError(f"Phone '{phone}' should contain only digits, spaces and +()-.",
                              field="phone")
    return ContactDetails(
        name=clean_line(str(raw.get("name") or ""), "Contact name", max_length=100),
        relationship=clean_line(str(raw.get("relationship") or ""), "Relationship", max_length=60),
        parental_responsibility=bool(raw.get("parental_responsibility")),
        address=clean_text(str(raw.get("address") or ""), "Address", max_length=400) or None,
        phone=phone or None,
        email=email or None,
        do_not_disclose_address=bool(raw.get("do_not_disclose_address")),
        title=clean_line(str(raw.get("title") or ""), "Title", max_length=20,
                         required=False).rstrip(".") or None,
    )


@dataclass(frozen=True)
class Consent:
    """Consent to share information, from a parent or carer or (at 16+) the young person."""

    id: int
    pupil_id: int
    given_by: str
    giver_kind: str
    contact_id: int | None
    given_on: dt.date
    scope: str
    withdrawn_on: dt.date | None
    entered_at: str

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


def clean_consent(raw: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    given_on = dates.require_date(raw.get("given_on"), "Date consent was given")
    dates.not_after(given_on, today, "Date consent was given")
    kind = str(raw.get("giver_kind") or "parent or carer").strip().lower()
    if kind not in CONSENT_GIVERS:
        raise ValidationError("Consent is given by a parent or carer, or by the young person.",
                              field="giver_kind")
    return {"given_by": clean_line(str(raw.get("given_by") or ""), "Given by", max_length=100),
            "giver_kind": kind, "given_on": given_on,
            "scope": clean_text(str(raw.get("scope") or ""), "What may be shared", max_length=2000,
                                required=True)}
