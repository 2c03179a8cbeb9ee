"""The January census check: status and primary need as at census day, N only at the first
census after removal, problems flagged, and a formula-safe CSV export."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from tests.records_fixtures import add_pupil, audit_actions

from sendesk.errors import PermissionDenied
from sendesk.models.calendar import census_days, last_census_before, next_january_census
from sendesk.records import census, csv_safe, pupils, sen_register


def test_census_days_follow_the_dfe_pattern():
    assert census_days(2027) == [dt.date(2027, 1, 21), dt.date(2027, 5, 20), dt.date(2027, 10, 7)]
    assert next_january_census(dt.date(2026, 11, 23)) == dt.date(2027, 1, 21)
    assert next_january_census(dt.date(2027, 1, 21)) == dt.date(2027, 1, 21)
    assert next_january_census(dt.date(2027, 1, 22)) == dt.date(2028, 1, 20)
    assert last_census_before(dt.date(2026, 11, 23)) == dt.date(2026, 10, 1)


@pytest.fixture
def register(senco_session):
    s = senco_session
    ids = {name: add_pupil(s, serial, legal_surname=name, preferred_forename="")
           for serial, name in enumerate(["Ahmed", "Brown", "Chen", "Davies", "Evans"], start=1)}
    sen_register.change_status(s, ids["Ahmed"], "E", "01/09/2024", "EHC plan", ["ASD", "SLCN"])
    sen_register.change_status(s, ids["Brown"], "K", "01/09/2025", "Support", ["NSA"])
    sen_register.change_status(s, ids["Chen"], "K", "01/09/2025", "Support", ["MLD"])
    sen_register.change_status(s, ids["Chen"], "N", "10/11/2026", "Needs met")
    sen_register.change_status(s, ids["Davies"], "K", "01/09/2025", "Support", ["SEMH"])
    sen_register.change_status(s, ids["Davies"], "N", "01/09/2026", "Needs met")
    return ids


def test_the_check_reports_status_and_primary_need(senco_session, register):
    check = census.census_check(senco_session)
    assert check.census_day == dt.date(2027, 1, 21)
    assert [(r.surname, r.sen_status, r.primary_need) for r in check.rows] == [
        ("Ahmed", "E", "ASD"), ("Brown", "K", "NSA"), ("Chen", "N", None)]
    assert check.problems == []
    assert census.describe(check) == "January census 21/01/2027: 1 E, 1 K, 1 N; 0 to check."
    assert audit_actions(senco_session)[-1] == "viewed the census check"


def test_a_past_census_is_read_as_it_was(senco_session, register):
    check = census.census_check(senco_session, dt.date(2026, 1, 15))
    assert [(r.surname, r.sen_status, r.primary_need) for r in check.rows] == [
        ("Ahmed", "E", "ASD"), ("Brown", "K", "NSA"), ("Chen", "K", "MLD"), ("Davies", "K", "SEMH")]
    autumn = census.census_check(senco_session, dt.date(2026, 10, 1))
    assert ("Davies", "N") in [(r.surname, r.sen_status) for r in autumn.rows]


def test_leavers_and_pupils_not_yet_admitted_are_not_counted(senco_session, register):
    pupils.archive_leaver(senco_session, register["Ahmed"], "20/11/2026", "Moved away")
    late = add_pupil(senco_session, 9, legal_surname="Fox", admission_date="01/02/2027")
    sen_register.change_status(senco_session, late, "K", "20/11/2026", "Support", ["HI"])
    surnames = [r.surname for r in census.census_check(senco_session).rows]
    assert "Ahmed" not in surnames and "Fox" not in surnames


def test_problems_in_older_data_are_flagged(senco_session, register):
    # Data carried over from another system can break rules sendesk itself enforces.
    with senco_session.db.transaction():
        senco_session.db.execute("UPDATE sen_needs SET end_date = '2026-11-01' WHERE pupil_id = ?",
                                 (register["Ahmed"],))
        senco_session.db.execute("UPDATE sen_status_history SET status = 'E' WHERE pupil_id = ?",
                                 (register["Brown"],))
    problems = {r.surname: r.problems for r in census.census_check(senco_session).problems}
    assert problems == {"Ahmed": ("No primary need recorded; the census needs one for E and K.",),
                        "Brown": ("NSA is only used with SEN support (K).",)}


def test_the_export_is_csv_with_a_bom_and_safe_cells(senco_session, register, tmp_path):
    with senco_session.db.transaction():
        senco_session.db.execute("UPDATE pupils SET legal_forename = '=HYPERLINK(\"x\")'"
                                 " WHERE id = ?", (register["Ahmed"],))
    out = tmp_path / "census.csv"
    check = census.export_census(senco_session, out)
    assert len(check.rows) == 3
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == list(census.HEADER)
    assert rows[1][2] == "'=HYPERLINK(\"x\")"
    assert rows[1][6:8] == ["E", "ASD"]
    assert audit_actions(senco_session)[-1] == "exported the census check"
    assert not list(tmp_path.glob("*.partial"))


def test_staff_may_not_export_the_census(staff_session, tmp_path):
    with pytest.raises(PermissionDenied):
        census.export_census(staff_session, tmp_path / "census.csv")
    assert not (tmp_path / "census.csv").exists()


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+44 7700", "'+44 7700"), ("-2", "-2"), ("-1.5", "-1.5"), ("-2+3", "'-2+3"),
    ("-1.5e3", "'-1.5e3"), ("- 2", "'- 2"), ("-", "'-"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("O'Brien", "O'Brien"), ("a=b", "a=b"), (None, ""), (7, "7"),
])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(value, written):
    assert csv_safe.safe_cell(value) == written
