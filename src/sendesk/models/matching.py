"""Is this the same child? The one rule every import uses (MIS, CTF, records-transfer package).

A UPN is meant to follow a child for life, but MIS exports and other schools' files have been
known to carry another child's UPN (a typing slip, a row pasted over). A re-import once turned
Noah Chapman, born 2014, into Amy Smith, born 2019, keeping Noah's SEN record. So a UPN match
counts as the same child only when the date of birth and the legal surname and forename agree
as well. Case, spaces, hyphens, apostrophes and accents are not differences (exports change
case and lose accents). Anything else is a conflict shown to the user, never an update.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from . import dates

IDENTITY_FIELDS = ("legal_surname", "legal_forename", "dob")
LABELS = {"legal_surname": "legal surname", "legal_forename": "legal forename",
          "dob": "date of birth"}


@dataclass(frozen=True)
class Identity:
    """Who a record says the child is."""

    legal_surname: str
    legal_forename: str
    dob: dt.date | None

    @classmethod
    def of(cls, surname: str | None, forename: str | None,
           dob: str | dt.date | None) -> Identity:
        """From stored or incoming values; a date that cannot be read is no date at all."""
        if isinstance(dob, dt.date):
            day: dt.date | None = dob
        else:
            try:
                day = dt.date.fromisoformat(str(dob or "")[:10])
            except ValueError:
                day = None
        return cls((surname or "").strip(), (forename or "").strip(), day)

    @property
    def name(self) -> str:
        return f"{self.legal_forename} {self.legal_surname}".strip()

    @property
    def born(self) -> str:
        return dates.format_uk(self.dob) if self.dob else "(no date)"


def name_key(text: str | None) -> str:
    """A name as compared: no case, accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\W_]", "", plain)


def differences(ours: Identity, theirs: Identity) -> tuple[str, ...]:
    """The identity fields that disagree. A missing date of birth on either side cannot
    confirm the child, so it counts as a difference."""
    found = []
    if name_key(ours.legal_surname) != name_key(theirs.legal_surname):
        found.append("legal_surname")
    if name_key(ours.legal_forename) != name_key(theirs.legal_forename):
        found.append("legal_forename")
    if ours.dob is None or theirs.dob is None or ours.dob != theirs.dob:
        found.append("dob")
    return tuple(found)


def same_child(ours: Identity, theirs: Identity) -> bool:
    return not differences(ours, theirs)


def may_be_same(different: tuple[str, ...]) -> bool:
    """Whether a user may confirm that records this far apart are one child: one field apart
    may be a corrected date of birth or a legal change of name; two or more is another child
    under a wrong UPN, which no decision may merge."""
    return len(different) <= 1


def describe(upn: str, ours: Identity, theirs: Identity, source: str = "the file") -> str:
    """One sentence for a UPN that names another child here."""
    return (f"UPN {upn} is {ours.name}, born {ours.born}, here, but {source} names "
            f"{theirs.name}, born {theirs.born}")
