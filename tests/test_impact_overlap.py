"""Hidden counts that subtraction must not give back (issue 19, rev19 findings 1 and 2): a
library item's row less one of its groups' rows, and a breakdown whose hidden cells the total
pins down exactly. Built as the reviewer built them; read back from the screen's rows, the CSV
(`sendesk-cli impact`), the impact PDF and the governors' report."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from tests.apdr_support import sen_support_pupil
from tests.conftest import SENCO, SENCO_PASSWORD
from tests.impact_support import library_item, measure
from tests.pdf_text import pages_text

from sendesk.cli.main import main
from sendesk.documents import governors_report as governors_document
from sendesk.documents import impact_report
from sendesk.models import impact as rules
from sendesk.models.measures import MeasureKind
from sendesk.models.small_numbers import FEWER, plain, shown_all
from sendesk.pdf import render_pdf
from sendesk.records import governors_report, impact, provision_groups
from sendesk.records.impact import Breakdown, ImpactTable, shown_rows
from sendesk.records.register_figures import Breakdown as RegisterBreakdown

D = dt.date
PHONICS = "Phonics catch-up group"


def _group(session, library_id: int, name: str, size: int, surname: str) -> None:
    group = provision_groups.create_group(session, {
        "name": name, "library_id": library_id, "area": "CL", "staff_name": "Mrs Khan",
        "start_date": "07/09/2026", "end_date": "20/11/2026", "cost_total": "300",
        "sessions_per_week": "3", "minutes": "30", "weeks": "11"})
    for n in range(size):
        pupil = sen_support_pupil(session, surname=f"{surname}{n}", year_group="2",
                                  since=D(2026, 9, 1))
        provision_groups.add_member(session, group, pupil, D(2026, 9, 7))
        measure(session, pupil, group_id=group, name="Phonics screening check score",
                entry=10 + n, exit=20 + 2 * n)


@pytest.fixture
def two_groups(senco_session):
    """The reviewer's case: two groups of one library item, 7 and 3 pupils, every pupil
    measured and none on a plan line of the item, so the item's row is the two added up."""
    library = library_item(senco_session, PHONICS)
    _group(senco_session, library, "Year 2 Tuesdays", 7, "Tuesday")
    _group(senco_session, library, "Leo's 1:1 and friends", 3, "Friday")
    return senco_session


def _by_provision(rows):
    return {r["provision"]: r for r in rows if not r["category"]}


def _nothing_pinned(item, groups):
    """No group's pupils or measured count is the item's less the groups shown, and no hidden
    group's mean is the item's total less the shown groups' totals over its count."""
    for column in ("pupils", "pupils_measured"):
        shown = [g for g in groups if plain(g[column])]
        assert len(shown) != len(groups) - 1, (column, item, groups)


def test_an_items_row_less_a_group_row_does_not_give_the_other_group(two_groups):
    found = impact.impact_table(two_groups)
    rows = _by_provision(shown_rows(found))
    item = rows[PHONICS]
    small, large = rows["Group: Leo's 1:1 and friends"], rows["Group: Year 2 Tuesdays"]
    assert (item["pupils"], item["pupils_measured"]) == ("10", "10")
    assert small["pupils"] == small["pupils_measured"] == small["mean_exit"] == FEWER
    # 10 - 7 would be 3: the larger group's counts (and everything worked out from them) are
    # hidden as well, so the two are only known to add up to 10.
    assert (large["pupils"], large["pupils_measured"]) == ("5 or more", "5 or more")
    assert large["mean_entry"] == large["mean_gain"] == large["cost_per_pupil"] == "not shown"
    assert large["cost_total"] == "300.00"        # the school's spending, whoever is in it
    _nothing_pinned(item, [small, large])


def test_the_csv_and_the_impact_pdf_hide_the_same(two_groups, school, tmp_path):
    path = tmp_path / "impact.csv"
    code = main(["impact", str(school[0]), "--out", str(path), "--user", SENCO],
                stdin=io.StringIO(SENCO_PASSWORD + "\n"))
    assert code == 0
    with path.open(newline="", encoding="utf-8-sig") as f:
        written = {r["provision"]: r for r in csv.DictReader(f) if not r["category"]}
    assert written["Group: Year 2 Tuesdays"]["pupils"] == "5 or more"
    assert written["Group: Year 2 Tuesdays"]["mean_exit"] == "not shown"
    found = impact.impact_table(two_groups)
    text = " ".join(pages_text(_pdf(impact_report.build(found, "Test school", found.end), tmp_path)))
    assert "5 or more" in text
    # The chart draws what the table shows: no bar (and no number) for the hidden means.
    charts = {c.title: c for c in impact_report.impact_section(found)
              if getattr(c, "series", None)}
    means = charts["Mean entry and exit scores (points)"]
    at = means.labels.index("Group: Year 2 Tuesdays: Phonics screening check score")
    assert means.series[0].values[at] is None and means.series[0].texts[at] == "not shown"


def _pdf(document, tmp_path):
    pdf = render_pdf(document)
    (tmp_path / "out.pdf").write_bytes(pdf)
    return pdf


def test_the_governors_report_hides_the_same_and_names_no_group(two_groups, tmp_path):
    found = governors_report.figures(two_groups, "2026/27")
    rows = {r[1]: r[3] for r in governors_report.csv_rows(found) if r[0] == "impact"}
    assert rows == {
        f"{PHONICS} (Phonics screening check score)": rows[
            f"{PHONICS} (Phonics screening check score)"],
        f"{PHONICS}: group 1 (Phonics screening check score)": "fewer than 5 pupils",
        f"{PHONICS}: group 2 (Phonics screening check score)": "5 or more pupils"}
    document = governors_document.build(found, "Test school")
    text = " ".join(pages_text(_pdf(document, tmp_path)))
    assert "Leo" not in text and "Tuesdays" not in text and "group 2" in text
    # and says why the names differ from the impact page's
    assert "Groups are named by the intervention they run and a number" in text


# --- breakdowns whose hidden cells the total would pin down -----------------------------------
def test_two_hidden_cells_of_a_total_of_8_are_not_both_4():
    # Sex, 8 measured: "girls fewer than 5, boys fewer than 5" says each is 4.
    assert shown_all([4, 4], floor=1) == ["not shown", "not shown"]


def test_three_areas_listed_because_each_has_a_pupil_are_not_each_1():
    # Precision teaching, 20 pupils: C&L 17 and three areas of one pupil each.
    assert shown_all([17, 1, 1, 1], floor=1) == ["5 or more", FEWER, FEWER, FEWER]


def test_a_census_column_with_three_hidden_year_groups():
    # 85 on the register, 73 in the year groups shown, three year groups of 4: 12 left over
    # for three cells under 5 leaves each exactly 4.
    year = RegisterBreakdown("By year group", tuple(f"Year {n}" for n in range(1, 8)),
                             ("Summer census",), ((20,), (18,), (20,), (15,), (4,), (4,), (4,)))
    cells = year.shown(0)
    assert cells[4:] == [FEWER] * 3 and cells.count("5 or more") == 1
    assert cells[3] == "5 or more"                # the smallest shown, 15
    # 11 left for three cells under 5 leaves each 3 or 4: all but the number (and a parent
    # who knows one child's year rules one out), so the smallest shown is hidden too.
    assert shown_all([20, 18, 20, 15, 4, 4, 3], floor=1)[3] == "5 or more"
    # A remainder the three could share with at least three values each needs nothing more.
    assert shown_all([20, 18, 20, 15, 4, 2, 1], floor=1)[:4] == ["20", "18", "20", "15"]
    # Two cells sharing 7 are 3 or 4 each; sharing 5, each may be 1 to 4.
    assert shown_all([30, 4, 3])[0] == "5 or more"
    assert shown_all([30, 3, 2]) == ["30", FEWER, FEWER]


def test_an_impact_breakdown_by_sex_of_4_and_4():
    kind = MeasureKind("standardised")
    scores = [rules.Score(p, 80, 85 + p, D(2026, 9, 7), D(2026, 11, 20)) for p in range(8)]
    met = dict.fromkeys(range(8), True)

    def row(members, label=""):
        return rules.line("Reading", "library", "Sandwell", kind, members, scores, met,
                          80_000, label)
    parts = (row(range(4), "Female"), row(range(4, 8), "Male"))
    table = ImpactTable(D(2026, 9, 2), D(2026, 11, 23), Breakdown.SEX, (row(range(8)),),
                        {("Reading", "Sandwell"): parts})
    whole, female, male = list(shown_rows(table))
    assert whole["pupils"] == "8"
    for part in (female, male):
        assert part["pupils"] == part["pupils_measured"] == part["mean_gain"] == "not shown"
        assert part["cost_total"] == "not shown"
