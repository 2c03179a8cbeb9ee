"""Which protected addresses a pupil's record holds, now or in its change history.

A looked-after pupil's placement address and a contact's address marked 'do not disclose'
must never leave the school, and neither must their earlier values, which the change trail
(field_changes) keeps. Everything that leaves (a transfer's record, every document) is
redacted with the full list from secrets_of().

Redaction must also leave alone what is no secret (disclosable_of()): a town or street that is
also in the school's name, in another person's unprotected address or in the pupil's own
details stays wherever it is written; redactor_for() puts the two lists together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..models.redaction import Redactor
from ..store.database import Database

_TRUE = ("1", "true", "yes")


def protected_contacts(db: Database, pupil_id: int) -> set[int]:
    """Contacts whose address is, or at any time was, marked 'do not disclose'."""
    ids = {r[0] for r in db.query("SELECT id FROM contacts WHERE pupil_id = ? AND"
                                  " do_not_disclose_address = 1", (pupil_id,))}
    for row in db.query("SELECT record_id, old_value, new_value FROM field_changes WHERE"
                        " pupil_id = ? AND record_type = 'contact' AND"
                        " field = 'do_not_disclose_address'", (pupil_id,)):
        if any(str(v or "").strip().lower() in _TRUE for v in (row[1], row[2])):
            ids.add(row[0])
    return ids


def is_protected_change(row: Mapping[str, Any], contacts: set[int]) -> bool:
    """A change-trail row that holds a protected address, then or now."""
    return ((row["record_type"], row["field"]) == ("register", "protected_address")
            or ((row["record_type"], row["field"]) == ("contact", "address")
                and row["record_id"] in contacts))


def secrets_of(db: Database, pupil_id: int) -> list[tuple[str, str]]:
    """Every protected address the pupil's record holds or ever held, with what it is.

    The change trail keeps earlier values, so an earlier placement address or an earlier
    'do not disclose' address is as secret as the current one.
    """
    found = []
    protected = protected_contacts(db, pupil_id)
    for row in db.query("SELECT id, name, address FROM contacts WHERE pupil_id = ? AND"
                        " address IS NOT NULL AND address != ''", (pupil_id,)):
        if row["id"] in protected:
            found.append((f"the address of {row['name']} (marked 'do not disclose')", row["address"]))
    for row in db.query("SELECT protected_address FROM register_entries WHERE pupil_id = ? AND"
                        " protected_address IS NOT NULL AND protected_address != ''", (pupil_id,)):
        found.append(("the protected address on the looked-after register", row[0]))
    for row in db.query("SELECT record_type, record_id, field, old_value, new_value FROM"
                        " field_changes WHERE pupil_id = ? AND field IN ('address',"
                        " 'protected_address')", (pupil_id,)):
        if is_protected_change(row, protected):
            for value in (row["old_value"], row["new_value"]):
                if value and value.strip() and value not in {v for _, v in found}:
                    found.append(("an earlier protected address kept in the change history", value))
    return found


def disclosable_of(db: Database, pupil_id: int) -> list[str]:
    """Text about the pupil that may be disclosed, so that words an address shares with it
    are no secret: every other contact's name and address (now and in the change history),
    the pupil's names, class and destination, and the local authorities on the registers."""
    protected = protected_contacts(db, pupil_id)
    found = [row["name"] for row in db.query("SELECT name FROM contacts WHERE pupil_id = ?",
                                             (pupil_id,)) if row["name"]]
    found += [row["address"] for row in db.query(
        "SELECT id, address FROM contacts WHERE pupil_id = ? AND address IS NOT NULL",
        (pupil_id,)) if row["id"] not in protected]
    found += [value for row in db.query(
        "SELECT record_id, old_value, new_value FROM field_changes WHERE pupil_id = ? AND"
        " record_type = 'contact' AND field = 'address'", (pupil_id,))
        if row["record_id"] not in protected for value in (row["old_value"], row["new_value"])
        if value]
    pupil = db.query_one("SELECT legal_surname, legal_forename, preferred_surname,"
                         " preferred_forename, class_name, destination FROM pupils WHERE id = ?",
                         (pupil_id,))
    if pupil is not None:
        found += [str(value) for value in tuple(pupil) if value]
    found += [row[0] for row in db.query("SELECT responsible_la FROM register_entries WHERE"
                                         " pupil_id = ? AND responsible_la IS NOT NULL",
                                         (pupil_id,))]
    return found


def redactor_for(db: Database, pupil_id: int, school_name: str, *,
                 secrets: Iterable[str] = (), disclosable: Iterable[str] = ()) -> Redactor:
    """The redactor for everything about one pupil that leaves the school: every protected
    address the record holds or held (plus `secrets`), leaving alone what the school's name,
    the record's other details and `disclosable` already say."""
    return Redactor([*secrets, *(value for _, value in secrets_of(db, pupil_id))],
                    [school_name, *disclosable, *disclosable_of(db, pupil_id)])
