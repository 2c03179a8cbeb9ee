"""The impact table: per library item and per group, pupils, measures, outcomes met and cost,
with small numbers hidden wherever a reader could count children."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from tests.impact_support import group_from_library, library_item, measure, pupil_on_item
from tests.pdf_text import pages_text

from sendesk.documents import impact_report
from sendesk.errors import PermissionDenied, ValidationError
from sendesk.pdf import render_pdf
from sendesk.records import impact

D = dt.date
ENTRIES = [(80, 86), (82, 90), (84, 88), (86, 95), (88, 91)]   # gains 6 8 4 9 3: mean 6


@pytest.fixture
def measured(senco_session):
    library = library_item(senco_session, "Precision teaching")
    library_item(senco_session, "Word Aware")          # never used: no row
    pupils = []
    for n, achieved in enumerate([True, True, True, False, False, None]):
        pupil, item = pupil_on_item(senco_session, f"Pupil{n}", library,
                                    gender="M" if n == 5 else "F", achieved=achieved)
        pupils.append(pupil)
        if n < 5:
            measure(senco_session, pupil, item_id=item, entry=ENTRIES[n][0], exit=ENTRIES[n][1])
        else:
            measure(senco_session, pupil, item_id=item, entry=79)   # no exit yet
    group = group_from_library(senco_session, library, pupils[:3])
    for pupil, (entry, exit_) in zip(pupils[:3], [(90, 96), (92, 97), (94, 99)], strict=True):
        measure(senco_session, pupil, group_id=group, kind="reading_age", name="YARC",
                entry=entry, exit=exit_)
    return senco_session


def _rows(found):
    return {(r["provision"], r["measure"], r["category"]): r for r in impact.shown_rows(found)}


def test_one_row_per_provision_and_measure_with_means_outcomes_and_cost(measured):
    found = impact.impact_table(measured)     # this school year so far
    assert (found.start, found.end) == (D(2026, 9, 2), D(2026, 11, 23))   # term began 2/9
    sandwell = next(r for r in found.lines if r.measure == "Sandwell")
    assert (sandwell.pupils, sandwell.pupils_measured) == (6, 5)
    assert (sandwell.mean_entry, sandwell.mean_exit, sandwell.mean_gain) == (84, 90, 6)
    assert (sandwell.pupils_reviewed, sandwell.pupils_met) == (5, 3)
    # Six lines at £513 a year for 75 days (£105.41 each) and the group's £600.
    assert sandwell.cost_pence == 6 * 10_541 + 60_000
    rows = _rows(found)
    shown = rows[("Precision teaching", "Sandwell", "")]
    assert [shown[c] for c in ("pupils", "pupils_measured", "mean_entry", "mean_exit",
                               "mean_gain", "met_outcomes_pct", "cost_total", "cost_per_pupil",
                               "cost_per_gain", "unit")] == [
        "6", "5", "84", "90", "+6", "fewer than 5 met, fewer than 5 did not", "1232.46",
        "205.41", "34", "points"]
    assert [k[:2] for k in rows] == [("Precision teaching", "Sandwell"),
                                    ("Precision teaching", "YARC"),
                                    ("Group: Year 4 reading group", "YARC")]
    assert "Word Aware" not in {k[0] for k in rows}


def test_a_few_pupils_are_never_countable(measured):
    rows = _rows(impact.impact_table(measured))
    group = rows[("Group: Year 4 reading group", "YARC", "")]
    # Three pupils: their count, their means (one child's reading age) and the cost per pupil
    # (which would give the count back) are hidden; the group's own cost is the school's.
    assert group["pupils"] == group["mean_exit"] == "fewer than 5"
    assert group["cost_per_pupil"] == "not shown"
    assert group["mean_ratio_gain"] == "fewer than 5" and group["cost_total"] == "600.00"
    yarc = rows[("Precision teaching", "YARC", "")]
    assert yarc["pupils"] == "6" and yarc["mean_gain"] == "fewer than 5"
    # Two pupils on their own lines of another item: its cost is two lines' cost, so a reader
    # who knows a line's price could count them; it is hidden too.
    other = library_item(measured, "Spelling group")
    for n in range(2):
        pupil_on_item(measured, f"Speller{n}", other)
    spelling = _rows(impact.impact_table(measured))[("Spelling group", "", "")]
    assert spelling["pupils"] == "fewer than 5"
    assert spelling["cost_total"] == "not shown"


def test_breakdown_by_sex_hides_the_small_group_so_it_cannot_be_worked_out(measured):
    rows = _rows(impact.impact_table(measured, breakdown="sex"))
    female = rows[("Precision teaching", "Sandwell", "Female")]
    male = rows[("Precision teaching", "Sandwell", "Male")]
    # Six pupils, five girls and a boy. "Girls 5 or more, boys fewer than 5" would still say
    # the boy is one (the sex is listed only because someone has it, and 6 - 5 leaves 1), so
    # both say "not shown", which promises nothing about either's size.
    assert (female["pupils"], male["pupils"]) == ("not shown", "not shown")
    assert male["mean_gain"] == "not shown" and male["cost_per_pupil"] == "not shown"
    # Each group's share of the cost is by head, so its total would count the pupils too.
    assert (male["cost_total"], female["cost_total"]) == ("not shown", "not shown")
    # Five measured girls and no boy: the girls' count and mean would give the boys' back
    # from the whole row's, so they are withheld as well.
    assert (female["pupils_measured"], female["mean_gain"]) == ("not shown", "not shown")


def test_period_is_typed_and_checked(measured, staff_session):
    empty = impact.impact_table(measured, "01/09/2025", "31/08/2026")
    assert empty.lines == ()
    with pytest.raises(ValidationError, match="ends on 01/11/2026, before it starts on 23/11/2026"):
        impact.impact_table(measured, "23/11/2026", "01/11/2026")
    with pytest.raises(ValidationError, match="'gender' is not a breakdown"):
        impact.impact_table(measured, breakdown="gender")
    assert impact.impact_table(staff_session).lines   # staff may view, not export


def test_the_period_is_whole_half_terms_and_ends_today(measured):
    # Two periods a day apart would differ by the one child measured that day: both are
    # widened to the half-terms they fall in, and nothing after today is counted.
    for start, end in (("10/11/2026", "19/11/2026"), ("11/11/2026", "20/11/2026"),
                       ("02/11/2026", "01/01/2099")):
        found = impact.impact_table(measured, start, end)
        assert (found.start, found.end) == (D(2026, 11, 2), D(2026, 11, 23))
    assert impact.impact_table(measured, "15/10/2026", "15/10/2026").end == D(2026, 11, 1)
    with pytest.raises(ValidationError, match="starts after today"):
        impact.impact_table(measured, "01/12/2026", "01/01/2099")


def test_the_command_line_says_the_period_it_used(measured, school, tmp_path, capsys):
    import io

    from tests.conftest import SENCO, SENCO_PASSWORD

    from sendesk.cli.main import main
    out = tmp_path / "impact.csv"
    code = main(["impact", str(school[0]), "--out", str(out), "--from", "10/11/2026", "--to",
                 "01/01/2099", "--user", SENCO], stdin=io.StringIO(SENCO_PASSWORD + "\n"))
    printed = capsys.readouterr()
    printed = printed.out + printed.err
    assert code == 0 and "from 02/11/2026 to " in printed and "2099" not in printed, printed
    assert "whole half-terms of the school's calendar, to today at the latest" in printed
    # --to alone: the start it took (the school year's) is said, not only that it is later.
    code = main(["impact", str(school[0]), "--out", str(out), "--to", "01/01/2026", "--user",
                 SENCO], stdin=io.StringIO(SENCO_PASSWORD + "\n"))
    printed = capsys.readouterr()
    assert code != 0 and "before it starts on 02/09/2026" in printed.out + printed.err
    assert "Without --from the period starts on the first day of this school year; give " \
        "--from for one before it." in printed.out + printed.err


def test_csv_has_the_issues_columns_first(measured, staff_session, tmp_path):
    out = tmp_path / "impact.csv"
    with pytest.raises(PermissionDenied):
        impact.export_csv(staff_session, out)
    impact.export_csv(measured, out, breakdown="status")
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[:10] == ["provision", "measure", "pupils", "pupils_measured", "mean_entry",
                           "mean_exit", "mean_gain", "met_outcomes_pct", "cost_total",
                           "cost_per_pupil"]
    assert {r["category"] for r in rows} == {"", "SEN support"}
    sandwell = next(r for r in rows if r["measure"] == "Sandwell" and not r["category"])
    assert sandwell["mean_gain"] == "6"      # a number a spreadsheet reads, not "'+6"
    audit = [r["action"] for r in measured.db.query("SELECT action FROM audit_log ORDER BY id")]
    assert "exported the impact of provision" in audit


def test_met_percent_says_what_is_fewer_than_5_on_screen_in_the_pdf_and_the_csv(measured,
                                                                               tmp_path):
    """Under "Met %" a bare "fewer than 5" read as under five per cent: where fewer than 5
    pupils were reviewed the cell says so, and the CSV's column names stay as they are."""
    other = library_item(measured, "Spelling group")
    for n in range(2):
        pupil_on_item(measured, f"Speller{n}", other, achieved=True)
    found = impact.impact_table(measured)
    assert _rows(found)[("Spelling group", "", "")]["met_outcomes_pct"] == "fewer than 5 reviewed"
    out = tmp_path / "impact.csv"
    impact.export_csv(measured, out)
    with out.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        written = {r["provision"]: r for r in reader if not r["category"]}
        assert list(reader.fieldnames or [])[:10] == [
            "provision", "measure", "pupils", "pupils_measured", "mean_entry", "mean_exit",
            "mean_gain", "met_outcomes_pct", "cost_total", "cost_per_pupil"]
    assert written["Spelling group"]["met_outcomes_pct"] == "fewer than 5 reviewed"
    text = " ".join(pages_text(render_pdf(impact_report.build(found, "Test school", found.end))))
    assert "fewer than 5 reviewed" in text


def test_the_demo_school_shows_impact_at_once(tmp_path, clock):
    from sendesk.demo import create_demo_school
    session, _ = create_demo_school(tmp_path / "demo.sendesk", "demo", "Demo SENCO",
                                    "copper-pylon-saffron-21", clock=clock)
    try:
        found = impact.impact_table(session, "01/09/2025", None)
        measured = [r for r in found.lines if r.measure and not r.means_hidden]
        assert len(measured) >= 2 and all(r.mean_gain and r.mean_gain > 0 for r in measured)
        groups = [r for r in found.lines if r.kind == "group"]
        assert len(groups) >= 2 and all(r.pupils >= 5 for r in groups)
        slots = session.db.scalar("SELECT count(*) FROM provision_group_slots")
        assert slots >= 6
    finally:
        session.close()


def test_a_provision_with_two_measures_repeats_its_whole_cost_and_the_help_says_so(
        measured, tmp_path, capsys):
    """Precision teaching is measured by Sandwell and by YARC: each row carries the whole cost
    (it is the provision's, not the measure's), and the CSV's help says to add up one row per
    provision rather than the column."""
    from sendesk.cli.main import main
    out = tmp_path / "impact.csv"
    impact.export_csv(measured, out)
    rows = [r for r in csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines())
            if r["provision"] == "Precision teaching"]
    assert sorted(r["measure"] for r in rows) == ["Sandwell", "YARC"]
    assert len({r["cost_total"] for r in rows}) == 1
    main(["impact", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "repeated on each of its measure rows" in text and "one row per provision" in text


def test_a_provision_with_no_entry_and_exit_pair_says_so_on_screen_and_in_the_pdf(
        senco_session):
    """A group whose pupils have entry scores only (or none) is not shown with a blank
    Measure, which reads as a fault: it says there is no pair to count yet. The CSV's measure
    column stays empty, for a spreadsheet to filter on."""
    library = library_item(senco_session, "Precision teaching")
    pupils = [pupil_on_item(senco_session, f"Pupil{n}", library)[0] for n in range(5)]
    group = group_from_library(senco_session, library, pupils)
    for pupil in pupils:
        measure(senco_session, pupil, group_id=group, entry=85)        # no exit yet
    found = impact.impact_table(senco_session, "01/09/2026", "30/11/2026")
    rows = [r for r in impact.shown_rows(found) if r["provision"] == "Group: Year 4 reading group"]
    assert [(r["measure"], r["measure_label"]) for r in rows] == [
        ("", "No entry and exit scores yet")]
    assert [(r["pupils_measured"], r["mean_entry"], r["mean_gain"]) for r in rows] == [
        ("none", "", "")]
    text = pages_text(render_pdf(impact_report.build(found, "Brambleton", D(2026, 11, 30))))
    assert "No entry and exit scores yet" in " ".join(text)


def test_year_groups_come_in_school_order_and_the_title_keeps_sen_capitals(senco_session):
    """"Year 10, Year 11, Year 5" read as a muddle (the review); and "by sen status"."""
    library = library_item(senco_session, "Precision teaching")
    for n, year in enumerate(["10", "5", "11", "R", "5", "10"]):
        pupil_on_item(senco_session, f"Pupil{n}", library, year_group=year)
    found = impact.impact_table(senco_session, "01/09/2026", "30/11/2026", "year")
    [parts] = found.parts.values()
    assert [p.category for p in parts] == ["Reception", "Year 5", "Year 10", "Year 11"]
    by_status = impact.impact_table(senco_session, "01/09/2026", "30/11/2026", "status")
    assert impact_report.build(by_status, "Brambleton", D(2026, 11, 30)).title == \
        "Impact of provision by SEN status"


def test_the_sql_yearly_cost_is_the_python_rule_for_every_kind_of_costing(senco_session):
    """The impact table costs every plan line in SQL (records/impact.py's _YEARLY), the plan and
    the provision map in Python (models.provision.yearly_cost_pence): one rule, so the same
    line must cost the same penny in both, on both engines. The grid includes exact halves
    (50 minutes for 3 weeks at 1p an hour is 2.5p) and the largest figures a line may hold."""
    from decimal import Decimal

    from sendesk.models import provision
    from sendesk.records.impact import _YEARLY

    costings = [
        provision.Costing(basis, rate, Decimal(halves) / 2, minutes, weeks, group)
        for basis in provision.CostBasis
        for rate in (0, 1, 7, 1500, 2_857, provision.MAX_RATE_PENCE)
        for halves in (1, 3, 6, 50)
        for minutes in ((0,) if basis is provision.CostBasis.YEAR else (1, 20, 45, 50, 480))
        for weeks in (1, 3, 38, 52)
        for group in (1, 3, 4, 7, 40)]
    columns = ("CAST(column1 AS TEXT) AS cost_basis, CAST(column2 AS BIGINT) AS rate_pence, "
               "CAST(column3 AS DOUBLE PRECISION) AS sessions_per_week, "
               "CAST(column4 AS BIGINT) AS minutes, CAST(column5 AS BIGINT) AS weeks, "
               "CAST(column6 AS BIGINT) AS group_size, CAST(column7 AS BIGINT) AS n")
    found = []
    for at in range(0, len(costings), 400):
        chunk = costings[at:at + 400]
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
        params = [v for n, c in enumerate(chunk) for v in (
            c.basis.value, c.rate_pence, float(c.sessions_per_week), c.minutes, c.weeks,
            c.group_size, n)]
        found += [int(r[0]) for r in senco_session.db.query(
            f"SELECT {_YEARLY} FROM (SELECT {columns} FROM (VALUES {values}) v) l ORDER BY l.n",
            params)]
    expected = [provision.yearly_cost_pence(c) for c in costings]
    assert found == expected
    # The exact half is rounded up, as a person would: not cut a hair below it.
    assert provision.yearly_cost_pence(provision.Costing(
        provision.CostBasis.HOUR, 1, Decimal(1), 50, 3, 1)) == 3
