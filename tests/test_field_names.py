"""The change history names every field in plain words: each record type the core writes to
field_changes is known, and every field of its table has a label."""

from __future__ import annotations

import re
from pathlib import Path

import sqlcipher3

from sendesk.models import field_names
from sendesk.store import migrations

SRC = Path(__file__).resolve().parents[1] / "src" / "sendesk"
# Bookkeeping every table carries, which no one edits and the trail never records.
BOOKKEEPING = re.compile(r"^(id|pupil_id|plan_id|cycle_id|assessment_id|review_id|position|"
                         r"question|\w+_at|\w+_by|author_id|year_rank|sort_key|search_text|"
                         r"retain_until|sen_since|next_review|flags|sen_status|filename|size)$")
CALLS = re.compile(r"(?:record_changes|_trail)\(\s*session,\s*[^,]+,\s*\"([^\"]+)\"|"
                   r"(?:_save_part|_save_rows)\(\s*session,\s*ctx,\s*(?:plan_id,\s*)?\"\w+\",\s*"
                   r"\"([^\"]+)\"")


def _written_record_types() -> set[str]:
    found = set()
    for path in (SRC / "records").rglob("*.py"):
        for match in CALLS.finditer(path.read_text()):
            found.add(match.group(1) or match.group(2))
    return found


def _columns(table: str) -> list[str]:
    # Read from the schema the migrations build: a column added by ALTER TABLE is appended to
    # the CREATE TABLE text in a form no simple pattern reads.
    conn = sqlcipher3.connect(":memory:", isolation_level=None)
    try:
        migrations.upgrade(conn)
        names = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()
    assert names, table
    return names


def test_every_record_type_written_to_the_trail_is_named():
    written = _written_record_types()
    assert {"contact", "plan", "EHC checklist", "review progress"} <= written  # the scan works
    assert written <= set(field_names.RECORD_TYPES), written - set(field_names.RECORD_TYPES)


def test_every_field_of_every_record_type_has_a_plain_label():
    missing = []
    for record_type, (_label, table) in field_names.RECORD_TYPES.items():
        for column in _columns(table):
            if BOOKKEEPING.match(column) or record_type == "EHC checklist":
                continue
            if column not in field_names.LABELS and (record_type, column) not in \
                    field_names.RECORD_LABELS:
                missing.append(f"{record_type}.{column}")
    assert missing == []


def test_history_values_read_as_a_teacher_would_write_them():
    assert field_names.field_label("plan", "shared_on") == "Shared with parents on"
    assert field_names.field_label("contact", "do_not_disclose_address") == \
        "Never disclose the address"
    assert field_names.field_label("EHC checklist", "eal answer") == \
        "Not explained by English as an additional language: answer"
    assert field_names.shown_value("plan", "shared_on", "2026-09-12") == "12/09/2026"
    assert field_names.shown_value("contact", "parental_responsibility", "1") == "Yes"
    assert field_names.shown_value("contact", "phone", None) == "(blank)"
    assert field_names.shown_value("EHC provision", "school_pence", "600050") == "£6,000.50"
    assert field_names.uk_moment("2026-09-12T13:32:00.000000+00:00")[:10] == "12/09/2026"
