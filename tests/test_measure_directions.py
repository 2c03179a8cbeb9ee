"""Measures that improve as they fall (an SDQ difficulties score, a count of incidents): the
school's one answer for each measure's name, given in the library (a "(lower is better)" mark
on a measure's line, the lower_is_better column of its CSV file) or on a pupil's entry and exit,
turns every gain shown the right way round: the pupil's own, the impact table's mean and its
cost per point, its breakdown's rows, the CSV (`sendesk-cli impact` keeps its columns and adds
"better") and the governors' summary. Ages and scaled scores are never better lower. A school
made before migration 20 has its suggested SDQ scores marked as it upgrades."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from tests.conftest import SENCO, SENCO_PASSWORD
from tests.impact_support import library_item, measure, pupil_on_item
from tests.schema_before import old_school as make_old_school
from tests.schema_before import upgraded

from sendesk.errors import SendeskError, ValidationError
from sendesk.models import measures as rules
from sendesk.models import provision_library as library
from sendesk.records import governors_report, impact, measure_directions, measures
from sendesk.records import provision_library as records
from sendesk.services import lifecycle
from sendesk.store import migrations

D = dt.date
SDQ = "SDQ total difficulties score"
ELSA = "Emotional literacy support (ELSA)"


def _item(session, name):
    return next(i for i in records.list_items(session, True) if i.name == name)


def _sdq_pupils(session, count=6, *, name=SDQ, kind="school_scale"):
    elsa = _item(session, ELSA).id
    for n in range(count):
        pupil, item = pupil_on_item(session, f"Pupil{n}", elsa, achieved=n < 3,
                                    gender="M" if n % 2 else "F")
        measure(session, pupil, item_id=item, kind=kind, name=name, entry=20 + n, exit=14 + n)


def test_a_new_school_knows_the_sdq_scores_are_better_lower(senco_session):
    lower = measure_directions.lower_names(senco_session.db)
    assert {SDQ.casefold(), "sdq peer problems score", "sdq emotional symptoms score",
            "boxall profile diagnostic profile score"} <= lower
    assert "boxall profile developmental strands score" not in lower
    assert _item(senco_session, ELSA).lower_is_better == (SDQ,)
    assert _item(senco_session, ELSA).values()["measures"].endswith(f"{SDQ} (lower is better)")


def test_the_impact_table_counts_a_fall_as_a_gain_everywhere_it_is_shown(senco_session,
                                                                       tmp_path):
    _sdq_pupils(senco_session)
    found = impact.impact_table(senco_session)
    [row] = found.lines
    assert (row.mean_entry, row.mean_exit, row.mean_gain) == (22.5, 16.5, 6)
    assert row.lower_is_better and row.cost_per_gain_pence and row.cost_per_gain_pence > 0
    [cells] = impact.shown_rows(found)
    assert (cells["mean_gain"], cells["better"], cells["measure_label"]) == (
        "+6", "lower", f"{SDQ} (lower is better)")
    by_sex = impact.impact_table(senco_session, breakdown="sex")
    assert all(p.mean_gain == 6 and p.lower_is_better for p in by_sex.parts[(ELSA, SDQ)])
    out = tmp_path / "impact.csv"
    impact.export_csv(senco_session, out)
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[:10] == ["provision", "measure", "pupils", "pupils_measured", "mean_entry",
                           "mean_exit", "mean_gain", "met_outcomes_pct", "cost_total",
                           "cost_per_pupil"] and header[-1] == "better"
    [written] = csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines())
    assert (written["measure"], written["mean_gain"], written["better"]) == (SDQ, "6", "lower")
    assert float(written["cost_per_gain"]) > 0
    figures = governors_report.figures(senco_session, "2026/27")
    [(_section, label, _year, text)] = [r for r in governors_report.csv_rows(figures)
                                        if r[0] == "impact"]
    assert label == f"{ELSA} ({SDQ}, lower is better)"
    assert "mean gain +6 points (lower is better)" in text


def test_the_cli_impact_csv_keeps_its_columns_and_turns_the_gain(school, clock, tmp_path,
                                                                 capsys):
    from sendesk.cli.main import main
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    try:
        _sdq_pupils(session)
    finally:
        session.close()
    out = tmp_path / "impact.csv"
    code = main(["impact", str(school[0]), "--out", str(out), "--user", SENCO],
                stdin=io.StringIO(SENCO_PASSWORD + "\n"))
    capsys.readouterr()
    assert code == 0
    [row] = csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines())
    assert list(row)[:10] == ["provision", "measure", "pupils", "pupils_measured",
                              "mean_entry", "mean_exit", "mean_gain", "met_outcomes_pct",
                              "cost_total", "cost_per_pupil"]
    assert (row["measure"], row["mean_gain"], row["better"]) == (SDQ, "6", "lower")


def test_an_age_is_never_better_lower(senco_session):
    # Even named like a lower-is-better measure, a reading age's gain is exit less entry.
    _sdq_pupils(senco_session, name=SDQ, kind="reading_age")
    [row] = impact.impact_table(senco_session).lines
    assert row.mean_gain == -6 and not row.lower_is_better
    pupil, item = pupil_on_item(senco_session, "Reader", library_item(senco_session, "Spelling group"))
    with pytest.raises(ValidationError, match="always better higher"):
        measures.record_measure(senco_session, item, {
            "kind": "reading_age", "name": "YARC", "entry_value": "7y 2m",
            "entry_date": "07/09/2026", "lower_is_better": "lower"})
    with pytest.raises(ValidationError, match="always better higher"):
        records.add_item(senco_session, {"name": "Reading recovery", "area": "CL",
                                         "sessions_per_week": "5", "minutes": "30",
                                         "measures": "Reading age (lower is better)"})


def test_a_pupils_measure_says_it_and_changing_it_turns_everyones(senco_session):
    elsa = _item(senco_session, ELSA).id
    pupil, item = pupil_on_item(senco_session, "Calm", elsa)
    first = measures.record_measure(senco_session, item, {
        "kind": "school_scale", "name": "Incidents a week", "entry_value": "9",
        "entry_date": "07/09/2026", "exit_value": "3", "exit_date": "20/11/2026",
        "lower_is_better": "lower"})
    [stored] = measures.measures_for_item(senco_session, item)
    assert stored.id == first and stored.gain == 6 and stored.lower_is_better
    assert stored.gain_text() == "+6 points (lower is better)"
    assert measure_directions.pupils_measured_by(senco_session, " incidents  A week") == 1
    assert measure_directions.pupils_measured_by(senco_session, "Incidents a week", pupil) == 0
    measures.update_measure(senco_session, first, {"lower_is_better": "higher"})
    [stored] = measures.measures_for_item(senco_session, item)
    assert stored.gain == -6 and stored.gain_text() == "-6 points"
    # Left out, it stays as the school has it.
    measures.update_measure(senco_session, first, {"note": "Checked"})
    assert not measures.measures_for_item(senco_session, item)[0].lower_is_better


def test_the_library_marks_change_the_schools_answer_for_the_name(senco_session):
    # Unmarked on a new item: the school's answer stands (the SDQ score stays lower).
    added = records.add_item(senco_session, {
        "name": "Calm club", "area": "SEMH", "sessions_per_week": "1", "minutes": "30",
        "measures": f"{SDQ}\nCalm checklist (lower is better)"})
    item = records.get_item(senco_session, added)
    assert item.lower_is_better == (SDQ, "Calm checklist")
    assert item.values()["measures"] == (f"{SDQ} (lower is better)\n"
                                         "Calm checklist (lower is better)")
    # Unmarked on a line the item had (the form showed it marked): higher is better.
    shown = f"{SDQ} (lower is better)\nCalm checklist"
    assert records.edit_item(senco_session, added, {"measures": shown}) == ["lower_is_better"]
    assert records.get_item(senco_session, added).lower_is_better == (SDQ,)
    assert records.edit_item(senco_session, added, {"measures": shown}) == []
    # For every item that lists it: the school's one answer for the name.
    records.edit_item(senco_session, added, {"measures": SDQ})
    assert _item(senco_session, ELSA).lower_is_better == ()


def test_the_csv_carries_the_direction_and_old_files_still_import(senco_session, tmp_path):
    out = tmp_path / "library.csv"
    records.export_csv(senco_session, out)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    header = table[0]
    assert header == list(library.COLUMNS)
    column = header.index("lower_is_better")
    elsa = next(n for n, r in enumerate(table) if r[0] == ELSA)
    assert table[elsa][column] == SDQ
    # One measure better lower on one row and higher on another: refused, naming the line.
    mentoring = next(n for n, r in enumerate(table) if r[0] == "Mentoring")
    table[mentoring][header.index("measures")] += f"; {SDQ}"
    bad = [r[:] for r in table]
    bad[elsa][column] = ""
    bad[mentoring][column] = SDQ
    with open(out, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(bad)
    with pytest.raises(records.LibraryFileRefused) as refused:
        records.import_csv(senco_session, out)
    line = max(elsa, mentoring) + 1
    assert refused.value.faults == [
        f"Line {line}: '{SDQ}' is lower is better here but not on line {min(elsa, mentoring) + 1}"
        ", or the other way round; a measure improves the same way on every intervention."]
    bad[mentoring][column] = "Attendance"
    with open(out, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(bad)
    with pytest.raises(records.LibraryFileRefused, match="not one of its measures"):
        records.import_csv(senco_session, out)
    # The column says it: the SDQ score is higher-is-better now, on both rows.
    bad[mentoring][column] = ""
    with open(out, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(bad)
    assert records.import_csv(senco_session, out)["updated"] == 2
    assert SDQ.casefold() not in measure_directions.lower_names(senco_session.db)
    # A file from before the column: it imports, and says nothing of which way is better.
    table[elsa][column] = table[mentoring][column] = SDQ
    records.import_csv(senco_session, _written(tmp_path, table))
    assert _item(senco_session, ELSA).lower_is_better == (SDQ,)
    old = [[c for n, c in enumerate(r) if n != column] for r in table]
    old.append(["Anger group", "SEMH", "", "", "", "", "4", "1", "40", "10", "20",
                "Outbursts a week", ""])
    counts = records.import_csv(senco_session, _written(tmp_path, old))
    assert counts["added"] == 1
    assert _item(senco_session, "Anger group").lower_is_better == ()
    assert _item(senco_session, ELSA).lower_is_better == (SDQ,)


def _written(tmp_path, table):
    path = tmp_path / "written.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(table)
    return path


def test_the_shipped_library_marks_only_its_measures():
    entries = {e["name"]: e for e in library.load_suggested()}
    assert entries[ELSA]["directions"] == {"Emotional literacy checklist score": False,
                                           SDQ: True}
    entry = {"name": "Calm club", "area": "SEMH", "sessions_per_week": 1, "minutes": 30,
             "evidence_summary": "Small trials.", "measures": [SDQ, "Calm checklist"]}
    with pytest.raises(SendeskError, match="lower_is_better must be a list"):
        library.check_suggested({"format": 1, "interventions": [
            {**entry, "lower_is_better": SDQ}]}, "test.json")
    with pytest.raises(SendeskError, match="'Reading age', which is not one of its measures"):
        library.check_suggested({"format": 1, "interventions": [
            {**entry, "lower_is_better": ["Reading age"]}]}, "test.json")


def test_direction_words_are_read_and_checked():
    assert rules.parse_direction("Lower is better") is True
    assert rules.parse_direction("higher") is False
    assert rules.parse_direction("") is None
    with pytest.raises(ValidationError, match="which way the measure improves"):
        rules.parse_direction("sideways")
    names, marks = library.marked_measures("Incidents (Lower is better)\nScore [higher is better]")
    assert names == ("Incidents", "Score") and marks == {"Incidents": True, "Score": False}


@pytest.fixture
def old_school(engine, request, tmp_path, clock, monkeypatch):
    """A school whose schema stopped at 19, its library the suggested one."""
    return make_old_school(engine, request, tmp_path, clock, monkeypatch, 19)


def test_a_school_from_before_migration_20_has_its_sdq_scores_marked(old_school, clock,
                                                                     monkeypatch):
    session, location, upgrade = old_school
    try:
        assert session.db.schema_version() == 19
        session.db.execute("UPDATE provision_library SET measures = 'Attendance'"
                           " WHERE name = 'Self-regulation group'")
    finally:
        session.close()
    session = upgraded(location, upgrade, monkeypatch, clock)
    try:
        assert session.db.schema_version() == migrations.LATEST >= 20
        assert measure_directions.lower_names(session.db) == {
            SDQ.casefold(), "sdq peer problems score", "boxall profile diagnostic profile score"}
    finally:
        session.close()


def test_the_sums_turned_round_equal_the_long_count(senco_session):
    """records/impact.py turns the SQL sums round (models.impact.directed) as the count of
    the rules the long way turns its own: every row and breakdown part alike."""
    from tests import impact_reference
    _sdq_pupils(senco_session)
    for by in impact.Breakdown:
        summed = impact._build(senco_session, D(2026, 9, 1), D(2026, 11, 23), by)
        counted = impact_reference.build(senco_session, D(2026, 9, 1), D(2026, 11, 23), by)
        assert summed.lines == counted.lines and summed.parts == counted.parts, by
        assert all(line.lower_is_better for line in summed.lines)
