"""The governors' SEND report and SEN Information Report figures: the register counted at each
census day (as the census check counts it), movement, reviews, requests, spend and impact, in a
PDF with charts and a CSV that never name a child and hide every count under 5."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from tests.apdr_support import sen_support_pupil
from tests.conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from tests.impact_support import library_item, measure, pupil_on_item
from tests.pdf_text import pages_text

from sendesk.cli.main import main
from sendesk.documents import governors_report as document
from sendesk.errors import ValidationError
from sendesk.records import census, ehc, governors_report, sen_budget, sen_register

D = dt.date
SENT = {"local_authority": "Durham", "consent_on": D(2026, 9, 1), "consent_from": "Mrs Okafor",
        "head_name": "Mr J Lowe", "head_signed_on": D(2026, 9, 2), "submitted_on": D(2026, 9, 3),
        "below_readiness_reason": "The LA asked for the request at the annual review."}


@pytest.fixture
def register(senco_session):
    """Seven at SEN support from 1/9/2026 on a Precision teaching line (reviewed 20/11), one of
    whom came off the register on 2/11; two more with other needs; an EHCNA request."""
    library = library_item(senco_session, "Precision teaching")
    pupils = []
    for n in range(7):
        pupil, item = pupil_on_item(senco_session, f"Surname{n}", library, achieved=n < 4,
                                    gender="M" if n < 3 else "F")
        measure(senco_session, pupil, item_id=item, entry=80 + n, exit=88 + n)
        pupils.append(pupil)
    for n, need in enumerate(("SEMH", "ASD")):
        sen_support_pupil(senco_session, surname=f"Other{n}", since=D(2026, 9, 1), needs=(need,))
    sen_register.change_status(senco_session, pupils[6], "N", D(2026, 11, 2), "Needs met.")
    ehc.add_request(senco_session, pupils[0], SENT)
    sen_budget.set_notional_budget(senco_session, "£40,000")
    return senco_session


def test_the_register_is_counted_as_the_census_check_counts_it(register):
    found = governors_report.figures(register, "2026/27")
    assert found.register.census_days == (D(2026, 10, 1),)     # the only one passed so far
    check = census.census_check(register, D(2026, 10, 1))
    assert found.register.by_status.column(0) == [check.count("E"), check.count("K")] == [0, 9]
    needs = dict(zip(found.register.by_need.labels, found.register.by_need.column(0), strict=True))
    assert needs["SLCN: Speech, language and communication needs"] == 7
    assert dict(found.register.movement)["Taken off the register (needs met)"] == 1
    # Added on 1 September 2026, before the autumn term starts (2 September): by the one
    # definition of a school year (the statutory one: from the first day of the autumn term
    # to the day before the next), that is the last day of 2025/26.
    assert dict(found.register.movement)["Added to SEN support (K)"] == 0
    before = governors_report.figures(register, "2025/26")
    assert dict(before.register.movement)["Added to SEN support (K)"] == 9
    assert dict(found.sen_reviews)["Held by the date agreed"] == 7
    assert dict(found.requests)["Decision overdue"] == 1
    assert found.spend.budget_pence == 4_000_000
    assert [line.pupils for line in found.impact.lines] == [7]


def test_a_year_not_yet_begun_or_mistyped_is_one_sentence(register):
    with pytest.raises(ValidationError, match="'2026' is not a school year; write it like"):
        governors_report.figures(register, "2026")
    with pytest.raises(ValidationError, match="second year must follow"):
        governors_report.figures(register, "2026/28")
    with pytest.raises(ValidationError, match="from 2014/15 to 2026/27"):
        governors_report.figures(register, "2027/28")


def test_the_csv_and_the_pdf_count_and_never_name(register, school, tmp_path, capsys):
    out, figures = tmp_path / "governors.pdf", tmp_path / "governors.csv"
    code = main(["report", "governors", str(school[0]), "--year", "2026/27", "--out", str(out),
                 "--csv", str(figures), "--user", SENCO],
                stdin=io.StringIO(SENCO_PASSWORD + "\n"))
    printed, err = capsys.readouterr()
    assert code == 0 and err == "" and "Wrote the governors' report for 2026/27" in printed
    rows = list(csv.reader(figures.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["section", "measure", "when", "value"]
    values = {(r[0], r[1]): r[3] for r in rows[1:]}
    assert values[("register", "On the SEN register (E and K)")] == "9"
    # No EHC plans is "fewer than 5", so K beside the total of 9 is hidden too.
    assert values[("register by status", "E: Education, health and care plan")] == "fewer than 5"
    assert values[("register by status", "K: SEN support")] == "5 or more"
    # Two girls' needs, one of each: hidden, and the lone small sex cell's neighbour too.
    assert values[("register by primary need", "SEMH: Social, emotional and mental health")] \
        == "fewer than 5"
    assert values[("register by sex", "Male")] == "fewer than 5"
    assert values[("register by sex", "Female")] == "5 or more"
    assert values[("movement", "Taken off the register (needs met)")] == "fewer than 5"
    assert values[("spend", "Notional SEN budget")] == "40000.00"
    text = " ".join(pages_text(out.read_bytes()))
    assert "SEND report to governors 2026/27" in text and "fewer than 5" in text
    everything = text + figures.read_text(encoding="utf-8-sig")
    assert not any(f"Surname{n}" in everything for n in range(7)) and "Other0" not in everything
    audit = [r["action"] for r in register.db.query("SELECT action FROM audit_log ORDER BY id")]
    assert "exported a document" in audit and "exported the governors' report figures" in audit


def test_the_document_has_its_charts(register):
    found = governors_report.figures(register, "2026/27")
    doc = document.build(found, "Brambleton Primary")
    charts = [b for b in doc.blocks if type(b).__name__ == "Chart"]
    assert [c.title for c in charts][:2] == ["The register at each census day",
                                             "By primary need, Autumn census 01/10/2026"]
    need = charts[1]
    semh = need.labels.index("SEMH: Social, emotional and mental health")
    assert need.series[0].values[semh] is None and need.series[0].texts[semh] == "fewer than 5"


def test_a_bad_year_on_the_command_line_writes_nothing(register, school, tmp_path, capsys):
    out = tmp_path / "governors.pdf"
    code = main(["report", "governors", str(school[0]), "--year", "last year", "--out",
                 str(out), "--user", SENCO], stdin=io.StringIO(SENCO_PASSWORD + "\n"))
    assert code == 1 and not out.exists()
    assert capsys.readouterr().err.strip() == ("sendesk-cli: 'last year' is not a school year; "
                                               "write it like 2025/26.")


def test_one_who_may_not_export_is_refused_before_anything_is_worked_out_or_recorded(
        register, school, tmp_path, capsys):
    out = tmp_path / "governors.pdf"
    before = register.db.scalar("SELECT count(*) FROM audit_log")
    code = main(["report", "governors", str(school[0]), "--year", "2026/27", "--out", str(out),
                 "--user", STAFF], stdin=io.StringIO(STAFF_PASSWORD + "\n"))
    assert code != 0 and not out.exists()
    err = capsys.readouterr().err
    assert "does not allow documents to leave sendesk" in err and "Ask a SENCO." in err
    assert "administrator" not in err     # an administrator may not export either
    actions = [r["action"] for r in register.db.query(
        "SELECT action FROM audit_log ORDER BY id")][before:]
    assert "viewed the governors' report figures" not in actions



def test_every_page_says_the_report_counts_and_names_no_one(register, school, tmp_path):
    out = tmp_path / "governors.pdf"
    code = main(["report", "governors", str(school[0]), "--year", "2026/27", "--out", str(out),
                 "--user", SENCO], stdin=io.StringIO(SENCO_PASSWORD + "\n"))
    pages = pages_text(out.read_bytes())
    assert code == 0 and pages
    assert all("Whole school: counts only, no pupil named" in page for page in pages)
    assert not any("All pupils" in page for page in pages)


def test_the_census_chart_hides_what_the_table_hides(register):
    """The table shows K as "5 or more" beside E's "fewer than 5" and the total: a bar of K's
    real height (or its number) would give E's count back."""
    found = governors_report.figures(register, "2026/27")
    doc = document.build(found, "Brambleton Primary")
    trend = [b for b in doc.blocks if type(b).__name__ == "Chart"][0]
    by_status = {s.name: s for s in trend.series}
    k = next(s for name, s in by_status.items() if name.startswith("K"))
    assert k.values[0] is None and k.texts[0] == "5 or more"


def test_figures_kept_between_previews_are_never_stale(register, school, clock):
    """The figures are kept for the next preview only while nothing has changed: a change
    made here, a change another window or the command line commits to the file, and a new
    day each show at once. On the server, where other PCs' writes leave no counter to
    check, nothing is kept."""
    from sendesk.records import pupils as pupil_records
    from sendesk.services import lifecycle
    kept = not register.on_server

    def same(found, before) -> bool:
        return found is before if kept else (found is not before and found == before)

    first = governors_report.figures(register, "2026/27")
    assert same(governors_report.figures(register, "2026/27"), first)
    taken_off = "Taken off the register (needs met)"
    assert dict(first.register.movement)[taken_off] == 1
    # A change here (through the operations seam).
    on_register = [r["id"] for r in register.db.query("SELECT id FROM pupils ORDER BY id")]
    pupil_id = on_register[5]                                    # Surname5, at SEN support
    sen_register.change_status(register, pupil_id, "N", D(2026, 11, 3), "Needs met.")
    second = governors_report.figures(register, "2026/27")
    assert dict(second.register.movement)[taken_off] == 2
    # A change another process commits to the same file.
    other = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    try:
        moved = on_register[4]
        sen_register.change_status(other, moved, "N", D(2026, 11, 4), "Needs met.")
    finally:
        other.close()
    third = governors_report.figures(register, "2026/27")
    assert dict(third.register.movement)[taken_off] == 3
    assert same(governors_report.figures(register, "2026/27"), third)
    # Only a change to the record: an audited read elsewhere keeps them.
    pupil_records.get_pupil(register, moved)
    assert same(governors_report.figures(register, "2026/27"), third)
    clock.advance(dt.timedelta(days=1))
    assert governors_report.figures(register, "2026/27").as_of == D(2026, 11, 24)


# --- one school year everywhere (rev19 findings 4 and 5) ------------------------------------
def _last_years_group(session) -> int:
    """A group made from Precision teaching in 2025/26, running into the summer holiday, whose
    two pupils join after Christmas (so which days count changes its cost)."""
    from tests.groups_support import make_group, pupils

    from sendesk.records import provision_groups
    library = library_item(session, "Precision teaching")
    group = make_group(session, name="Reading recovery", library_id=library,
                       start_date="03/11/2025", end_date="28/08/2026", cost_total="750",
                       weeks="30")
    for pupil in pupils(session, "Ashby", "Bell"):
        provision_groups.add_member(session, group, pupil, D(2026, 1, 5))
    return group


def test_a_school_year_is_the_same_days_and_figures_in_every_report(senco_session, school,
                                                                     tmp_path, capsys):
    """2025/26 in the governors' report, the impact page's "Last school year" and `sendesk-cli
    impact --from 01/09/2025 --to 31/08/2026` cover the same days (the first day of the autumn
    term to the day before the next one) and so give the same cost."""
    from sendesk.cli.main import main
    from sendesk.models import periods
    from sendesk.records import impact, school_calendar
    _last_years_group(senco_session)
    calendar = school_calendar.load(senco_session)
    year = governors_report.figures(senco_session, "2025/26").impact
    last = periods.span(periods.Period.LAST_YEAR, calendar, senco_session.clock.today())
    page = impact.impact_table(senco_session, last.start, last.end)
    out = tmp_path / "impact.csv"
    assert main(["impact", str(school[0]), "--out", str(out), "--from", "01/09/2025", "--to",
                 "31/08/2026", "--user", SENCO], stdin=io.StringIO(SENCO_PASSWORD + "\n")) == 0
    printed = capsys.readouterr().out
    first, final = calendar.school_year_span(2025)
    assert (year.start, year.end) == (page.start, page.end) == (last.start, last.end) == \
        (first, final) == (D(2025, 9, 3), D(2026, 9, 1))
    assert f"from {first:%d/%m/%Y} to {final:%d/%m/%Y}" in printed
    cli = {r["provision"]: r["cost_total"] for r in csv.DictReader(
        out.read_text(encoding="utf-8-sig").splitlines())}
    costs = {r.provision: f"{r.cost_pence / 100:.2f}" for r in year.lines}
    assert costs == {r.provision: f"{r.cost_pence / 100:.2f}" for r in page.lines}
    # £750 over its school days from 03/11/2025, nobody in it until 05/01/2026: those days
    # carry no cost (finding 8), the rest is the year's.
    assert cli["Group: Reading recovery"] == costs["Group: Reading recovery"] == "582.80"


def test_this_years_default_period_starts_on_the_first_day_of_the_autumn_term(senco_session):
    from sendesk.records import impact
    from sendesk.records.school_calendar import calendar_of
    this = governors_report.figures(senco_session, "2026/27").impact
    default = impact.impact_table(senco_session)
    start = calendar_of(senco_session).school_year_span(2026)[0]
    assert (this.start, this.end) == (default.start, default.end) == \
        (start, senco_session.clock.today())


def test_the_cli_help_says_what_the_default_period_is(capsys):
    from sendesk.cli.main import main
    main(["impact", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "1 September" not in text
    assert "the first day of this school year's autumn term" in text


def test_a_past_years_report_leaves_the_spend_out_and_says_why(register, school, tmp_path,
                                                               capsys):
    """Spend is the provision in force today: under 2025/26's name it would be this year's."""
    found = governors_report.figures(register, "2025/26")
    assert found.spend is None
    assert governors_report.figures(register, "2026/27").spend is not None
    out, figures = tmp_path / "governors.pdf", tmp_path / "governors.csv"
    assert main(["report", "governors", str(school[0]), "--year", "2025/26", "--out", str(out),
                 "--csv", str(figures), "--user", SENCO],
                stdin=io.StringIO(SENCO_PASSWORD + "\n")) == 0
    text = " ".join(" ".join(pages_text(out.read_bytes())).split())
    assert "Provision in force on" not in text and "School's spend a year" not in text
    assert "Spend against the notional SEN budget is shown in the report for the current school year only" in text
    rows = list(csv.reader(figures.read_text(encoding="utf-8-sig").splitlines()))
    spend = [r for r in rows if r[0] == "spend"]
    assert spend == [["spend", "Not shown for a past year", "2025/26", governors_report.PAST_SPEND]]
