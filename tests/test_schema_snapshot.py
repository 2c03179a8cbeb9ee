"""The schema is visible: docs/schema.sql is what the migrations build, and stays so.

A migration that changes the schema without the snapshot being regenerated fails here, with
the difference and the command that rewrites it."""

from __future__ import annotations

import difflib
from pathlib import Path

from sendesk.services import lifecycle
from sendesk.store import migrations, schema_snapshot

SNAPSHOT = Path(__file__).resolve().parent.parent / "docs" / "schema.sql"
REGENERATE = ("docs/schema.sql is not the schema the migrations build. If the change is meant, "
              "regenerate it with `./dev schema` (python -m sendesk.store.schema_snapshot "
              "docs/schema.sql) and commit it with the migration.")


def _difference(expected: str, found: str) -> str:
    diff = difflib.unified_diff(expected.splitlines(), found.splitlines(), "docs/schema.sql",
                                "the migrations", lineterm="", n=2)
    return "\n".join(list(diff)[:60])


def test_the_committed_snapshot_is_what_the_migrations_build():
    committed = SNAPSHOT.read_text(encoding="utf-8")
    built = schema_snapshot.snapshot()
    assert committed == built, f"{REGENERATE}\n{_difference(committed, built)}"


def test_the_snapshot_names_the_latest_version_and_every_table():
    text = SNAPSHOT.read_text(encoding="utf-8")
    assert f"migration version {migrations.LATEST}," in text
    tables = {name for kind, name, _, _ in schema_snapshot.fresh_schema_rows() if kind == "table"}
    assert {"pupils", "contacts", "audit_log", "apdr_plans", "ehc_plans"} <= tables
    assert all(f"CREATE TABLE {name} (" in text for name in tables)


def test_a_school_created_by_the_app_has_exactly_the_snapshot_schema(tmp_path, clock):
    """lifecycle.create adds rows, never schema of its own outside the migrations."""
    session, _ = lifecycle.create(tmp_path / "school.sendesk", school_name="Schema School",
                                  school_reference="940/4321", username="schemasenco",
                                  full_name="Schema SENCO",
                                  password="harbour-lantern-quietly-47", clock=clock)
    try:
        rows = schema_snapshot.schema_rows(session.db)
        found = schema_snapshot.render(rows, int(session.db.scalar("PRAGMA user_version")))
    finally:
        session.close()
    assert found == schema_snapshot.snapshot(), _difference(schema_snapshot.snapshot(), found)


def test_the_check_would_see_a_migration_that_changed_the_schema():
    """Guard against a vacuous pass: a new migration step shows up in the rendered schema."""
    rows = schema_snapshot.fresh_schema_rows()
    changed = rows + [("index", "pupils_by_mood", "pupils",
                       "CREATE INDEX pupils_by_mood ON pupils(upn)")]
    assert schema_snapshot.render(changed, migrations.LATEST) != schema_snapshot.snapshot()
    assert "pupils_by_mood" in _difference(schema_snapshot.snapshot(),
                                           schema_snapshot.render(changed, migrations.LATEST))
