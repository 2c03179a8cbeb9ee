"""Where parents and young people can get impartial advice, and who letters go to from 16.

Letters and plans tell families where to get free, impartial advice: the local SENDIASS (the
SEND Information, Advice and Support Service) and the local authority's Local Offer. A school
types these once; every letter can carry them.

From 16 a young person may be told directly and may give or refuse consent themselves. Each
school decides how it writes to them: to the parents only (as before 16), to the young person
as well as the parents, or to the young person instead of the parents.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import ValidationError
from . import dates
from .text import clean_line

YOUNG_PERSON_AGE = 16
# How letters, notifications and consent follow a pupil of 16 or over.
PARENTS = "parents"
AS_WELL = "as_well"
INSTEAD = "instead"
YOUNG_PERSON_CHOICES: dict[str, str] = {
    PARENTS: "The parents only",
    AS_WELL: "The young person as well as the parents",
    INSTEAD: "The young person instead of the parents",
}

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9 ()\-]{6,20}")
_WEB = re.compile(r"(https?://)?[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+(:\d{1,5})?(/[^\s<>\"]*)?",
                  re.IGNORECASE)


@dataclass(frozen=True)
class SchoolContacts:
    sendiass_name: str = ""
    sendiass_phone: str = ""
    sendiass_email: str = ""
    sendiass_web: str = ""
    local_offer_web: str = ""
    young_person: str = PARENTS      # one of YOUNG_PERSON_CHOICES

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def sendiass_line(self) -> str:
        """'Larkshire SENDIASS, 01632 960 123, advice@..., www...' (the parts recorded)."""
        return ", ".join(part for part in (self.sendiass_name, self.sendiass_phone,
                                           self.sendiass_email, self.sendiass_web) if part)

    def impartial_advice(self) -> str:
        """The sentence letters carry about impartial advice, or '' when nothing is recorded
        (a letter then leaves the paragraph out rather than print half a sentence)."""
        parts = []
        if self.sendiass_name:
            reach = [text for text in (self.sendiass_phone and f"phone {self.sendiass_phone}",
                                       self.sendiass_email and f"email {self.sendiass_email}",
                                       self.sendiass_web) if text]
            parts.append("For free, impartial and confidential advice about special educational "
                         f"needs and disabilities, you can contact {self.sendiass_name}"
                         + (f" ({', '.join(reach)})" if reach else "") + ".")
        if self.local_offer_web:
            parts.append("The local authority's Local Offer, at " + self.local_offer_web
                         + ", describes the support and services available in the area.")
        return " ".join(parts)


def _web(value: Any, label: str, field: str) -> str:
    text = clean_line(str(value or ""), label, max_length=200, required=False)
    if text and not _WEB.fullmatch(text):
        raise ValidationError(f"{label} '{text}' is not a web address; write it like "
                              "www.example.gov.uk/send.", field=field)
    return text


def clean_school_contacts(raw: Mapping[str, Any]) -> SchoolContacts:
    """The details as typed, each checked; the first fault is one sentence naming the field."""
    name = clean_line(str(raw.get("sendiass_name") or ""), "SENDIASS name", max_length=120,
                      required=False)
    phone = clean_line(str(raw.get("sendiass_phone") or ""), "SENDIASS phone", max_length=30,
                       required=False)
    if phone and not _PHONE.fullmatch(phone):
        raise ValidationError(f"SENDIASS phone '{phone}' should contain only digits, spaces and "
                              "+()-.", field="sendiass_phone")
    email = clean_line(str(raw.get("sendiass_email") or ""), "SENDIASS email", max_length=254,
                       required=False)
    if email and not _EMAIL.fullmatch(email):
        raise ValidationError(f"SENDIASS email '{email}' is not an email address.",
                              field="sendiass_email")
    web = _web(raw.get("sendiass_web"), "SENDIASS web address", "sendiass_web")
    if (phone or email or web) and not name:
        raise ValidationError("Give the SENDIASS's name as well as how to reach it (for example "
                              "Larkshire SENDIASS).", field="sendiass_name")
    young = str(raw.get("young_person") or PARENTS)
    if young not in YOUNG_PERSON_CHOICES:
        raise ValidationError("Choose who letters go to once a pupil is 16.", field="young_person")
    return SchoolContacts(name, phone, email, web,
                          _web(raw.get("local_offer_web"), "Local Offer web address",
                               "local_offer_web"), young)


def is_young_person(dob: dt.date, today: dt.date) -> bool:
    """16 or over: old enough to be told directly and to give consent themselves."""
    return dates.add_years(dob, YOUNG_PERSON_AGE) <= today


def addressees(choice: str, dob: dt.date, today: dt.date) -> tuple[bool, bool]:
    """(write to the parents, write to the young person) for a pupil born on dob."""
    if not is_young_person(dob, today) or choice == PARENTS:
        return True, False
    return choice == AS_WELL, True
