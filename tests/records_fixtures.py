"""Helpers shared by the pupil and register tests: valid UPNs, quick pupils and families, and a
snapshot of the database to prove that refused input changed nothing."""

from __future__ import annotations

from typing import Any

from sendesk.models.upn import make_upn
from sendesk.records import contacts, pupils
from sendesk.session import Session

TABLES = ("pupils", "field_changes", "contacts", "consents", "sen_status_history", "sen_needs",
          "register_entries", "short_notes", "parent_notifications_due", "parent_notifications")


def upn(serial: int, la: str = "940", estab: str = "4001", year: int = 24) -> str:
    return make_upn(la, estab, year, serial)


def pupil_data(serial: int = 1, **overrides: Any) -> dict[str, Any]:
    data = {"upn": upn(serial), "legal_surname": "Adeyemi", "legal_forename": "Temitope",
            "preferred_forename": "Temi", "dob": "14/03/2016", "gender": "F",
            "year_group": "Year 5", "class_name": "5W", "admission_date": "01/09/2020"}
    data.update(overrides)
    return data


def add_pupil(session: Session, serial: int = 1, **overrides: Any) -> int:
    return pupils.add_pupil(session, pupil_data(serial, **overrides))


def add_parents(session: Session, pupil_id: int, count: int = 2) -> list[int]:
    people = [("Funmi Adeyemi", "Mother"), ("Tunde Adeyemi", "Father"), ("Kemi Bello", "Aunt")]
    return [contacts.add_contact(session, pupil_id, {
        "name": name, "relationship": relationship, "parental_responsibility": True,
        "address": "12 Heron Drive\nLarkfield\nLK4 7QT", "phone": "07700 900123",
        "email": f"parent{index}@example.org"})
        for index, (name, relationship) in enumerate(people[:count])]


def snapshot(session: Session) -> dict[str, Any]:
    """Row counts of every pupil table and the audit log's head: equal snapshots, no change."""
    state: dict[str, Any] = {table: session.db.scalar(f"SELECT count(*) FROM {table}")
                             for table in TABLES}
    head = session.db.query_one("SELECT count, last_hash FROM audit_head")
    state["audit"] = (head["count"], head["last_hash"])
    state["pupil_rows"] = [tuple(row) for row in session.db.query("SELECT * FROM pupils ORDER BY id")]
    return state


def audit_actions(session: Session) -> list[str]:
    return [row["action"] for row in session.db.query("SELECT action FROM audit_log ORDER BY id")]


def audit_text(session: Session) -> str:
    """Everything the audit log says, to check that no pupil's name ever reaches it."""
    return "\n".join(" ".join(str(value) for value in tuple(row))
                     for row in session.db.query("SELECT * FROM audit_log"))
