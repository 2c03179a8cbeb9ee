"""Which school is which: normalised references, the signing keys pinned for them, and the
record that someone checked a key's fingerprint with the school itself.

A school may be named by its URN, by its LA and establishment number, or both, and either
may be written with spaces or a slash. Keys are filed under every normalised reference, so a
package (or a receipt) cannot dodge a pinned key by writing the reference differently.

A key first seen on a package or a receipt is trusted on first use: it proves the file was not
altered after signing, not who signed it. Until a user records that the fingerprint was read
out and matched (with whom, how and when), every transfer signed with it says "key not yet
confirmed", and a receipt from it never reads as a plain acknowledgement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..crypto import signing
from ..errors import ValidationError
from ..models import dates
from ..models.roles import Permission
from ..models.school import SchoolIdentity
from ..models.text import clean_line
from ..operations import Kind, changed, operation
from ..session import Session
from ..store.database import Database

# How a fingerprint can be checked with the other school: never by the channel the file came by.
CHECK_WAYS = ("by phone", "in person", "by video call")


def school_getter(school: Mapping[str, Any] | SchoolIdentity):
    return school.get if isinstance(school, Mapping) else lambda k: getattr(school, k)


def digits(value: Any) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def school_refs(school: Mapping[str, Any] | SchoolIdentity) -> list[str]:
    """Every reference a school is known by, normalised ("urn:123456", "dfe:9374001").

    Keys are filed and looked up under each, so writing a school's reference differently (or
    adding a URN it never sent before) cannot dodge the key pinned for it.
    """
    get = school_getter(school)
    refs = []
    urn = digits(get("urn"))
    if urn:
        refs.append(f"urn:{urn}")
    la, estab = digits(get("la_code")), digits(get("estab"))
    if la and estab:
        refs.append(f"dfe:{la}{estab}")
    return refs


@operation(Permission.EXPORT_TRANSFER, writes=False)
def known_keys(session: Session, school: Mapping[str, Any] | SchoolIdentity) -> dict[str, bytes]:
    """The keys pinned for a school under any of its references."""
    refs = school_refs(school)
    if not refs:
        return {}
    rows = session.db.query(f"SELECT school_ref, public_key FROM known_senders WHERE school_ref IN"
                            f" ({','.join('?' * len(refs))})", refs)
    return {r["school_ref"]: bytes.fromhex(r["public_key"]) for r in rows}


@operation(Permission.EXPORT_TRANSFER, writes=False)
def expected_receipt_keys(session: Session, transfer: Mapping[str, Any]) -> set[bytes]:
    """The keys a receipt for a sent transfer may be signed with, when any is known: the key
    recorded for the receiving school when the package was sent, any key pinned for it from a
    package it sent us, and the key of every earlier receipt from it."""
    school = {"urn": transfer["school_urn"], "la_code": transfer["school_la"],
              "estab": transfer["school_estab"]}
    keys = set(known_keys(session, school).values())
    if transfer["school_key"]:
        keys.add(bytes.fromhex(transfer["school_key"]))
    refs = set(school_refs(school))
    for row in session.db.query("SELECT school_urn, school_la, school_estab, school_key FROM"
                                " transfers WHERE direction = 'sent' AND status = 'acknowledged'"
                                " AND school_key IS NOT NULL AND id != ?", (transfer["id"],)):
        other = {"urn": row["school_urn"], "la_code": row["school_la"], "estab": row["school_estab"]}
        if refs & set(school_refs(other)):
            keys.add(bytes.fromhex(row["school_key"]))
    return keys


# --- fingerprint checks -----------------------------------------------------------------------

@dataclass(frozen=True)
class KeyCheck:
    checked_with: str
    checked_how: str
    checked_on: dt.date
    recorded_by: str

    @property
    def text(self) -> str:
        return (f"checked {self.checked_how} with {self.checked_with} on "
                f"{dates.format_uk(self.checked_on)}")


def key_check(db: Database, school: Mapping[str, Any], public_key_hex: str | None
              ) -> KeyCheck | None:
    """The recorded check of this key for this school (under any of its references), if any.
    Takes the database, not a session: the caller has checked the reader's permission."""
    refs = school_refs(school)
    if not refs or not public_key_hex:
        return None
    row = db.query_one(
        "SELECT k.checked_with, k.checked_how, k.checked_on, coalesce(u.full_name, '') AS who"
        " FROM key_checks k LEFT JOIN users u ON u.id = k.recorded_by WHERE k.public_key = ? AND"
        f" k.school_ref IN ({','.join('?' * len(refs))}) ORDER BY k.id LIMIT 1",
        [public_key_hex, *refs])
    if row is None:
        return None
    return KeyCheck(row["checked_with"], row["checked_how"],
                    dt.date.fromisoformat(row["checked_on"]), row["who"])


def transfer_school(row: Mapping[str, Any]) -> dict[str, Any]:
    """The other school of a transfer row, in the form school_refs reads."""
    return {"urn": row["school_urn"], "la_code": row["school_la"], "estab": row["school_estab"]}


@operation(Permission.EXPORT_TRANSFER, audit="recorded a signing key check")
def confirm_key(session: Session, transfer_id: int, checked_with: str, how: str,
                checked_on: dt.date | str | None) -> KeyCheck:
    """Record that the other school's key fingerprint, as shown on this transfer, was read out
    and matched: with whom, how (never by the email the file came by) and on which day. The
    check covers every transfer with that school signed by that key."""
    row = session.db.query_one("SELECT * FROM transfers WHERE id = ?", (int(transfer_id),))
    if row is None:
        raise ValidationError("That transfer is not in this database.", field="transfer")
    if not row["school_key"]:
        raise ValidationError("No signing key is known for this transfer yet: it arrives with "
                              "the receiving school's receipt.", field="transfer")
    person = clean_line(str(checked_with or ""), "Checked with", max_length=200)
    if how not in CHECK_WAYS:
        raise ValidationError("Say how the fingerprint was checked: " + ", ".join(CHECK_WAYS)
                              + ".", field="how")
    day = dates.require_date(checked_on, "Checked on")
    dates.not_after(day, session.clock.today(), "Checked on")
    school = transfer_school(row)
    refs = school_refs(school)
    if not refs:
        raise ValidationError("This transfer does not name the school by URN or LA and "
                              "establishment number, so the check cannot be filed.")
    if key_check(session.db, school, row["school_key"]) is not None:
        raise ValidationError(f"The key of {row['school_name']} has already been checked. "
                              "Nothing was changed.")
    session.db.executemany(
        "INSERT INTO key_checks (school_ref, school_name, public_key, checked_with,"
        " checked_how, checked_on, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(ref, row["school_name"], row["school_key"], person, how, day.isoformat(),
          session.now_text(), session.user.id) for ref in refs])
    changed(session, Kind.TRANSFER, row["pupil_id"], transfer_id=row["id"],
            fingerprint=signing.fingerprint(bytes.fromhex(row["school_key"])), how=how,
            checked_with=person, checked_on=day.isoformat())
    return KeyCheck(person, how, day, session.user.full_name)
