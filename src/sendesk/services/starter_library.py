"""The suggested interventions put into a school's provision library: on creation, so a new
school starts with a menu to keep or drop from, and later on request ("Add the suggested
interventions"), which adds only those whose names the library does not already hold.

Plain inserts on the database (no session or audit of their own): creating a school writes
them inside its first transaction, and the library's own operation calls them inside its own.
"""

from __future__ import annotations

from typing import Any

from ..models import provision_library as library
from ..models.measures import direction_key
from ..store.database import Database

INSERT = ("INSERT INTO provision_library (name, name_key, area, description, evidence_summary,"
          " evidence_reference, staff_role, group_size, sessions_per_week, minutes, weeks,"
          " hourly_cost, measures, created_at, created_by) VALUES (:name, :name_key, :area,"
          " :description, :evidence_summary, :evidence_reference, :staff_role, :group_size,"
          " :sessions_per_week, :minutes, :weeks, :hourly_cost, :measures, :at, :user)"
          " RETURNING id")


def columns(fields: dict[str, Any]) -> dict[str, Any]:
    """A checked item's fields as the table's columns (cost in pounds, sessions a week as a
    number, measures one a line)."""
    values = {name: fields[name] for name in library.FIELDS if name not in ("hourly_cost",)}
    values["sessions_per_week"] = float(fields["sessions_per_week"])   # REAL: 0.5 is exact
    values["hourly_cost"] = fields["hourly_cost_pence"] / 100
    values["measures"] = "\n".join(fields["measures"])
    values["name_key"] = library.name_key(fields["name"])
    return values


def add_suggested(db: Database, at: str, user_id: int | None) -> list[str]:
    """Add each suggested intervention the library does not hold by name; returns the names
    added (none when every one is already there, retired or not). The measures they mark
    lower-is-better (the SDQ scores) are marked so for the school where it has not said."""
    held = {row["name_key"] for row in db.query("SELECT name_key FROM provision_library")}
    added = []
    for fields in library.load_suggested():
        values = columns(fields)
        if values["name_key"] in held:
            continue
        db.scalar(INSERT, {**values, "at": at, "user": user_id})
        added.append(fields["name"])
        _mark_lower([name for name, lower in fields["directions"].items() if lower], db, at,
                    user_id)
    return added


def _mark_lower(names: list[str], db: Database, at: str, user_id: int | None) -> None:
    """Mark these measures lower-is-better where the school has not answered for them
    (records/measure_directions.py): a school's own answer is never overwritten."""
    held = {row["name_key"] for row in db.query("SELECT name_key FROM measure_directions")}
    for name in names:
        key = direction_key(name)
        if key not in held:
            db.execute("INSERT INTO measure_directions (name_key, name, lower_is_better,"
                       " updated_at, updated_by) VALUES (?, ?, 1, ?, ?)", (key, name, at, user_id))
            held.add(key)
