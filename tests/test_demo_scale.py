"""The synthetic school the benchmarks measure: realistic shares, records that follow the
app's rules, an intact audit chain, and the same school every time for the same seed.

Small sizes only: the benchmark itself (./dev bench) builds the large ones.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from benchmarks.scale_school import create_scale_school, row_counts
from pypdf import PdfReader

from conftest import SENCO, SENCO_NAME, SENCO_PASSWORD
from sendesk.clock import FixedClock, isoformat
from sendesk.records import apdr, pupil_record, specialists
from sendesk.services import verify

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


def build(folder, name: str, pupils: int = 400, seed: int = 2026):
    session, _ = create_scale_school(folder / f"{name}.sendesk", SENCO, SENCO_NAME,
                                     SENCO_PASSWORD, pupils=pupils, clock=FixedClock(NOW),
                                     seed=seed)
    return session


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    session = build(tmp_path_factory.mktemp("scale"), "school")
    yield session
    session.close()


def test_the_register_has_realistic_shares(school):
    on_roll = school.db.scalar("SELECT count(*) FROM pupils WHERE archived_at IS NULL")
    statuses = dict(school.db.query(
        "SELECT sen_status, count(*) FROM pupils WHERE archived_at IS NULL"
        " AND sen_status IS NOT NULL GROUP BY sen_status"))
    # England: about 13% at SEN support and 4% with an EHC plan.
    assert 0.09 < statuses["K"] / on_roll < 0.18
    assert 0.02 < statuses["E"] / on_roll < 0.07
    with_pathway = school.db.scalar(
        "SELECT count(DISTINCT w.pupil_id) FROM send_pathways w JOIN pupils p ON p.id ="
        " w.pupil_id WHERE w.status = 'open' AND p.sen_status = 'K'")
    assert with_pathway / statuses["K"] > 0.6


def test_history_spans_years_and_outnumbers_the_pupils(school):
    counts = row_counts(school)
    assert counts["pupils"] == 400
    assert sum(counts.values()) > 40 * counts["pupils"]
    for table in ("apdr_cycles", "apdr_outcomes", "apdr_provision_items", "apdr_delivery_log",
                  "apdr_reviews", "short_notes", "field_changes", "specialist_reports"):
        assert counts[table] > 0, table
    first, last = school.db.query_one("SELECT min(at), max(at) FROM audit_log")
    assert first.startswith("2016-11-23") and last.startswith("2026-11-23")
    assert school.db.scalar("SELECT count(*) FROM audit_log WHERE at > ?",
                            (isoformat(NOW),)) == 0


def test_records_follow_the_apps_rules(school):
    assert school.db.query("PRAGMA foreign_key_check") == []
    # Cycles are numbered from 1 without gaps, and each pathway has at most one open cycle.
    assert school.db.scalar(
        "SELECT count(*) FROM (SELECT pathway_id FROM apdr_cycles GROUP BY pathway_id"
        " HAVING min(number) != 1 OR max(number) != count(*))") == 0
    # Pathways ran only while the pupil was at SEN support.
    assert school.db.scalar(
        "SELECT count(*) FROM send_pathways w WHERE NOT EXISTS (SELECT 1 FROM"
        " sen_status_history h WHERE h.pupil_id = w.pupil_id AND h.status = 'K'"
        " AND h.start_date <= w.opened_on)") == 0
    # Agreed plans review no later than the end of the next term, after the plan date.
    assert school.db.scalar("SELECT count(*) FROM apdr_plans WHERE agreed_at IS NOT NULL"
                            " AND NOT (review_date > plan_date)") == 0
    pupil_id = school.db.scalar(
        "SELECT w.pupil_id FROM apdr_cycles c JOIN send_pathways w ON w.id = c.pathway_id"
        " GROUP BY w.pupil_id ORDER BY count(*) DESC LIMIT 1")
    record = pupil_record.open_record(school, pupil_id)
    found = apdr.pathways(school, pupil_id)
    assert record.changes and found and len(found[0].cycles) >= 2
    held = [c for c in found[0].cycles if c.review and c.review.completed]
    assert held and all(c.plan.agreed for c in held)


def test_stored_reports_are_real_pdfs(school):
    report_id, pupil_id = school.db.query_one(
        "SELECT r.id, i.pupil_id FROM specialist_reports r JOIN specialist_involvements i"
        " ON i.id = r.involvement_id ORDER BY r.id LIMIT 1")
    _, media_type, content = specialists.report_content(school, report_id)
    assert media_type == "application/pdf" and len(content) > 4096
    assert "invented for the sendesk demo" in PdfReader(io.BytesIO(content)).pages[0].extract_text()


def test_the_audit_chain_verifies(school):
    report = verify.verify(school)
    assert report.ok, report.lines()
    assert school.db.scalar("SELECT count FROM audit_head") == school.db.scalar(
        "SELECT count(*) FROM audit_log")


def test_the_same_seed_builds_the_same_school(tmp_path):
    first, second, other = (build(tmp_path, name, pupils=150, seed=seed)
                            for name, seed in (("a", 7), ("b", 7), ("c", 8)))
    try:
        def fingerprint(session):
            return (session.db.scalar("SELECT last_hash FROM audit_head"),
                    session.db.query("SELECT upn, legal_surname, sen_status FROM pupils"
                                     " ORDER BY id"))
        assert fingerprint(first) == fingerprint(second)
        assert fingerprint(first) != fingerprint(other)
    finally:
        for session in (first, second, other):
            session.close()


def test_the_history_columns_come_from_the_live_schema(school):
    """The generator names its columns; the table's own columns (PRAGMA table_info) say
    whether those exist and which required ones it left out, so a migration cannot leave the
    synthetic school silently out of step."""
    from benchmarks.live_rows import LiveRows, SchemaMismatch

    rows = LiveRows(school.db, "apdr_review_progress")
    rows.add(review_id=1, outcome_id=2, progress="achieved", comment="")
    assert rows.columns == tuple(name for name in rows.live if name in rows.columns)
    assert rows.rows == [(1, 2, "achieved", "")]
    with pytest.raises(SchemaMismatch, match="no column mood"):
        LiveRows(school.db, "apdr_review_progress").add(review_id=1, outcome_id=2,
                                                         progress="achieved", mood="fine")
    with pytest.raises(SchemaMismatch, match="requires .*review_id"):
        LiveRows(school.db, "apdr_review_progress").add(outcome_id=2, progress="achieved")
    with pytest.raises(SchemaMismatch, match="leaves out"):
        rows.add(review_id=1, outcome_id=2, progress="achieved", mood="")
    with pytest.raises(SchemaMismatch, match="lacks"):
        LiveRows(school.db, "no_such_table")
