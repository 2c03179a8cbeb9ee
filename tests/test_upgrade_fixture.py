"""Upgrades you can trust: a database made by an earlier release (tests/fixtures/, see its
README) still opens with today's code, is upgraded to the latest schema, verifies (cipher,
structure, the audit chain, the safeguards) and reads back what it held.

Its upgraded schema is also compared with docs/schema.sql (what a new database gets): a
released migration edited afterwards changes what new schools get but never runs again on a
school already past it, so the two would differ, and regenerating docs/schema.sql cannot hide
that."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from sendesk.records import apdr, contacts, pupil_list, pupils
from sendesk.services import lifecycle, verify
from sendesk.store import keyfile, migrations, schema_snapshot

pytestmark = pytest.mark.sqlcipher_only(reason=(
    "released database files upgraded in place"))

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RELEASES = sorted(FIXTURES.glob("release-*.sendesk"))
SNAPSHOT = Path(__file__).resolve().parent.parent / "docs" / "schema.sql"
USERNAME, PASSWORD = "fixturesenco", "fixture-harbour-lantern-47"


def _copy(fixture: Path, folder: Path) -> Path:
    """Never open the committed file itself: opening upgrades and audits in place."""
    target = folder / "school.sendesk"
    shutil.copyfile(fixture, target)
    shutil.copyfile(keyfile.keyfile_path(fixture), keyfile.keyfile_path(target))
    return target


def test_there_is_a_fixture_from_a_release():
    assert RELEASES, "tests/fixtures/ holds no release-*.sendesk"
    assert all(keyfile.keyfile_path(path).exists() for path in RELEASES)


@pytest.mark.parametrize("fixture", RELEASES, ids=[path.stem for path in RELEASES])
def test_a_database_from_an_earlier_release_opens_upgrades_and_verifies(fixture, tmp_path, clock):
    path = _copy(fixture, tmp_path)
    session = lifecycle.open_school(path, USERNAME, PASSWORD, clock)
    try:
        assert session.db.scalar("PRAGMA user_version") == migrations.LATEST
        assert session.school.name == "Fixture Primary (invented)"
        report = verify.verify(session)
        assert report.ok, report
        assert report.audit_entries > 5
        ids = pupil_list.search_ids(session)
        found = {(p.details.legal_forename, p.details.legal_surname): p
                 for p in (pupils.get_pupil(session, pupil_id) for pupil_id in ids)}
        assert set(found) == {("Amara", "Okafor"), ("Theo", "Lindqvist")}
        amara = found["Amara", "Okafor"]
        assert {c.details.name for c in contacts.list_contacts(session, amara.id)} == {
            "Ngozi Okafor", "Chidi Okafor"}
        pathway = apdr.current_pathway(session, amara.id)
        assert pathway is not None and pathway.current_plan is not None
        assert pathway.current_cycle.plan.agreed
        assert [o.text for o in pathway.current_cycle.plan.outcomes] == [
            "Read the first 100 high-frequency words"]
    finally:
        session.close()
    # And again, now that it is upgraded: the second opening finds nothing to do.
    lifecycle.open_school(path, USERNAME, PASSWORD, clock).close()


def test_the_committed_fixture_is_encrypted():
    for fixture in RELEASES:
        assert fixture.read_bytes()[:16] != b"SQLite format 3\x00", "the fixture is not encrypted"


def test_a_migration_added_after_the_release_runs_on_it(tmp_path, clock, monkeypatch):
    """The path a real upgrade takes today, before any newer fixture exists: a step newer than
    the fixture's schema runs when the school is opened, and the school still verifies."""
    def upgrade_version_next(conn):
        migrations.run_script(conn, "CREATE TABLE upgrade_probe (id INTEGER PRIMARY KEY);")

    latest = migrations.LATEST + 1
    monkeypatch.setattr(migrations, "STEPS", {**migrations.STEPS, latest: upgrade_version_next})
    monkeypatch.setattr(migrations, "LATEST", latest)
    path = _copy(RELEASES[-1], tmp_path)
    session = lifecycle.open_school(path, USERNAME, PASSWORD, clock)
    try:
        assert session.db.scalar("PRAGMA user_version") == latest
        assert session.db.scalar("SELECT count(*) FROM upgrade_probe") == 0
        assert verify.verify(session).ok
    finally:
        session.close()


def _upgraded_schema(fixture: Path, folder: Path, clock) -> str:
    """The fixture's schema once today's code has opened (and so upgraded) it, rendered and
    normalised as docs/schema.sql is (tests/test_schema_snapshot.py)."""
    session = lifecycle.open_school(_copy(fixture, folder), USERNAME, PASSWORD, clock)
    try:
        return schema_snapshot.render(schema_snapshot.schema_rows(session.db),
                                      int(session.db.scalar("PRAGMA user_version")))
    finally:
        session.close()


@pytest.mark.parametrize("fixture", RELEASES, ids=[path.stem for path in RELEASES])
def test_an_upgraded_database_has_exactly_the_schema_a_new_one_gets(fixture, tmp_path, clock):
    """A released migration is never edited: a school upgraded from a release ends with the
    schema docs/schema.sql says a new school gets, object for object."""
    upgraded = _upgraded_schema(fixture, tmp_path, clock)
    committed = SNAPSHOT.read_text(encoding="utf-8")
    assert upgraded == committed, (
        "A school upgraded from " + fixture.name + " does not have the schema of docs/schema.sql:"
        " was a released migration edited? Add a new migration instead.\n"
        + "\n".join(difflib.unified_diff(committed.splitlines(), upgraded.splitlines(),
                                         "docs/schema.sql", "upgraded " + fixture.name,
                                         lineterm="", n=2)))


def test_the_comparison_would_see_an_edited_released_migration(tmp_path, clock, monkeypatch):
    """Guard against a vacuous pass: with a column added to migration 1 (and the snapshot built
    from the edited migrations, as `./dev schema` would), the upgraded fixture differs."""
    original = migrations.STEPS[1]

    def edited_version_1(conn):
        original(conn)
        migrations.run_script(conn, "ALTER TABLE users ADD COLUMN nickname TEXT;")

    monkeypatch.setattr(migrations, "STEPS", {**migrations.STEPS, 1: edited_version_1})
    regenerated = schema_snapshot.snapshot()
    assert "nickname" in regenerated
    upgraded = _upgraded_schema(RELEASES[-1], tmp_path, clock)
    assert "nickname" not in upgraded and upgraded != regenerated
