"""Upgrades you can trust: a database made by an earlier release (tests/fixtures/, see its
README) still opens with today's code, is upgraded to the latest schema, verifies (cipher,
structure, the audit chain, the safeguards) and reads back what it held."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sendesk.records import apdr, contacts, pupil_list, pupils
from sendesk.services import lifecycle, verify
from sendesk.store import keyfile, migrations

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RELEASES = sorted(FIXTURES.glob("release-*.sendesk"))
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
