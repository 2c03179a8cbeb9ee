"""Which school is which: normalised references, and the signing keys pinned for them.

A school may be named by its URN, by its LA and establishment number, or both, and either
may be written with spaces or a slash. Keys are filed under every normalised reference, so a
package (or a receipt) cannot dodge a pinned key by writing the reference differently.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..models.roles import Permission
from ..models.school import SchoolIdentity
from ..operations import operation
from ..session import Session


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
