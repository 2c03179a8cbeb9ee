"""The MIS import a SENCO can check (issues 17 and 18): the same-child rule, conflicts the user
decides, the round trip of sendesk's own `pupils list`, the usual MIS header spellings, a year
group that does not fit the date of birth, columns that will not be imported, each change shown
was -> now, and Cancel leaving nothing written."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from tests.records_fixtures import add_pupil, snapshot, upn

from sendesk.errors import ValidationError
from sendesk.models import matching, year_fit
from sendesk.operations import Cancelled, Progress
from sendesk.records import mis_import, pupil_list, pupils, registers, sen_register

README_HEADER = "UPN,Surname,Forename,DOB,Gender,Year,Class/Reg\r\n"


def noah(session) -> int:
    pupil_id = add_pupil(session, 1, legal_surname="Chapman", legal_forename="Noah",
                         preferred_forename=None, dob="12/05/2014", gender="M",
                         year_group="7", class_name="7C")
    registers.add_entry(session, pupil_id, "monitoring", {
        "start_date": "01/10/2026", "review_date": "01/12/2026", "details": "Watch reading"})
    return pupil_id


def test_an_existing_upn_with_another_childs_name_and_birthday_is_a_conflict(senco_session):
    """Noah Chapman (born 2014) must never become Amy Smith (born 2019)."""
    pupil_id = noah(senco_session)
    text = README_HEADER + f"{upn(1)},Smith,Amy,03/02/2019,F,2,2S\r\n"
    plan = mis_import.preview(senco_session, text.encode())
    (row,) = plan.rows
    assert row.action == "conflict" and row.pupil_id == pupil_id
    assert row.conflict.choices == (mis_import.SKIP,), "a different child can only be skipped"
    assert "is Noah Chapman, born 12/05/2014, here, but the file names Amy Smith" in row.conflict.reason
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="1 rows need a decision.*line 2 .*Nothing was imported"):
        mis_import.commit(senco_session, plan)
    with pytest.raises(ValidationError, match="can only be: skip"):
        mis_import.commit(senco_session, plan, {2: mis_import.UPDATE})
    assert snapshot(senco_session) == before
    result = mis_import.commit(senco_session, plan, {2: mis_import.SKIP})
    assert (result.added, result.updated, result.skipped) == (0, 0, 1)
    kept = pupils.get_pupil(senco_session, pupil_id)
    assert (kept.details.legal_forename, kept.details.dob) == ("Noah", dt.date(2014, 5, 12))
    assert snapshot(senco_session)["pupil_rows"] == before["pupil_rows"]


def test_one_field_apart_may_be_confirmed_as_the_same_child(senco_session):
    pupil_id = noah(senco_session)
    text = README_HEADER + f"{upn(1)},Chapman-Reid,Noah,12/05/2014,M,7,7C\r\n"
    plan = mis_import.preview(senco_session, text.encode())
    (row,) = plan.rows
    assert row.action == "conflict" and row.conflict.choices == (mis_import.SKIP, mis_import.UPDATE)
    assert "legal surname has changed" in row.conflict.reason
    assert [str(change) for change in row.diffs] == ["Legal surname: Chapman -> Chapman-Reid"]
    mis_import.commit(senco_session, plan, {row.line: mis_import.UPDATE})
    assert pupils.get_pupil(senco_session, pupil_id).details.legal_surname == "Chapman-Reid"


def test_case_accents_and_spaces_are_the_same_child(senco_session):
    add_pupil(senco_session, 1, legal_surname="Núñez", legal_forename="Zoë", dob="03/04/2016",
              year_group="6")
    text = README_HEADER + f"{upn(1)},NUNEZ,Zoe,03/04/2016,F,6,5W\r\n"
    (row,) = mis_import.preview(senco_session, text.encode()).rows
    assert row.action == "update"
    assert matching.same_child(matching.Identity.of("O'Brien", "Mary Jane", "2016-01-02"),
                               matching.Identity.of("obrien", "Mary-Jane", dt.date(2016, 1, 2)))
    assert not matching.same_child(matching.Identity.of("A", "B", "2016-01-02"),
                                   matching.Identity.of("A", "B", "not a date"))


def test_a_name_and_birthday_under_another_upn_is_skipped_or_added_as_the_user_decides(senco_session):
    add_pupil(senco_session, 1, legal_surname="Nowak", legal_forename="Zuzanna", dob="03/04/2016")
    text = README_HEADER + f"{upn(7)},Nowak,Zuzanna,03/04/2016,F,6,6W\r\n"
    plan = mis_import.preview(senco_session, text.encode())
    (row,) = plan.rows
    assert row.action == "conflict" and row.conflict.choices == (mis_import.SKIP, mis_import.ADD)
    assert f"already recorded under UPN {upn(1)}" in row.conflict.reason
    assert mis_import.commit(senco_session, plan, {2: mis_import.ADD}).added == 1
    assert pupils.find_by_upn(senco_session, upn(7)) is not None


# --- the round trip of `pupils list` ---------------------------------------------------------

def school_for_export(session) -> None:
    """Pupils that between them fill every column `pupils list` writes."""
    add_pupil(session, 1, legal_surname="Ali", legal_forename="Maryam", preferred_forename=None,
              dob="14/03/2016", year_group="6", class_name="6A")
    add_pupil(session, 2, legal_surname="Smith-Jones", legal_forename="Mohammed",
              preferred_surname="Jones", preferred_forename="Mo", dob="01/09/2020",
              year_group="R", class_name=None, gender="M")
    third = add_pupil(session, 3, legal_surname="O'Neill", legal_forename="Siobhán",
                      preferred_forename="Shiv", dob="31/08/2015", year_group="7",
                      class_name="-7X", gender="U")
    sen_register.change_status(session, third, "K", "01/10/2026", "Assessed", ["SLCN"])
    registers.add_entry(session, third, "monitoring", {
        "start_date": "01/10/2026", "review_date": "01/12/2026", "details": "Watch"})


def exported(session) -> str:
    out = io.StringIO()
    pupil_list.export_csv(session, out)
    return out.getvalue()


def test_reimporting_pupils_list_changes_nothing(senco_session):
    school_for_export(senco_session)
    text = exported(senco_session)
    assert "Ali, Maryam" in text and "'-7X" in text
    plan = mis_import.preview(senco_session, text.encode(), name="list.csv")
    assert plan.ok and [row.action for row in plan.rows] == ["unchanged"] * 3, [
        (row.errors, row.diffs) for row in plan.rows]
    assert plan.mapping == {"upn": "upn", "legal_surname": "surname", "legal_forename": "forename",
                            "dob": "dob", "year_group": "year", "class_name": "class",
                            "known_as": "known_as", "gender": "gender"}
    assert plan.not_imported == ("These columns will not be imported: sen_status, primary_need, "
                                 "next_review, flags.")
    before = snapshot(senco_session)
    mis_import.commit(senco_session, plan)
    after = snapshot(senco_session)
    assert after["pupil_rows"] == before["pupil_rows"]
    assert after["field_changes"] == before["field_changes"]
    assert exported(senco_session) == text
    names = {row.upn: row.name for row in pupil_list.fetch_rows(
        senco_session, pupil_list.search_ids(senco_session))}
    assert names[upn(1)] == "Ali, Maryam", "not 'Ali, Ali, Maryam'"
    assert names[upn(2)] == "Jones, Mo"


# Each column of the export, a changed value in it, and the change the preview must show
# (None: the column is not imported, and says so).
EDITS = {
    "upn": None,   # a changed UPN is another pupil: checked by the conflict tests
    # known_as still says "Ali, Maryam": she goes by the name she had.
    "surname": ("Alli", "Legal surname: Ali -> Alli; Preferred surname: (blank) -> Ali"),
    "forename": ("Mariam", "Legal forename: Maryam -> Mariam; Preferred forename: (blank) -> Maryam"),
    "dob": ("2016-03-15", "Date of birth: 14/03/2016 -> 15/03/2016"),
    "year": ("5", "Year group: Year 6 -> Year 5"),
    "class": ("6B", "Class: 6A -> 6B"),
    "sen_status": ("K", None),
    "primary_need": ("ASD", None),
    "known_as": ("Ali, Mimi", "Preferred forename: (blank) -> Mimi"),
    "gender": ("M", "Gender: F -> M"),
    "next_review": ("2027-01-01", None),
    "flags": ("Monitoring", None),
}


@pytest.mark.parametrize("column", pupil_list.EXPORT_HEADER)
def test_every_column_of_pupils_list_is_read_back_into_its_own_field(senco_session, column):
    import csv
    school_for_export(senco_session)
    rows = list(csv.DictReader(io.StringIO(exported(senco_session))))
    assert column in EDITS, "a new export column needs a round-trip case here"
    edit = EDITS[column]
    if edit is None:
        return
    value, shown = edit
    first = next(row for row in rows if row["upn"] == upn(1))
    first[column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(pupil_list.EXPORT_HEADER))
    writer.writeheader()
    writer.writerows(rows)
    plan = mis_import.preview(senco_session, out.getvalue().encode())
    changed = {row.upn: "; ".join(str(change) for change in row.diffs)
               for row in plan.rows if row.diffs}
    if shown is None:
        assert changed == {} and column in plan.unused_headers
        return
    assert changed == {upn(1): shown}
    assert column not in plan.unused_headers


# --- headers, checks and the preview ----------------------------------------------------------

@pytest.mark.parametrize("header, cells, unused", [
    # The README's own columns.
    ("UPN,Surname,Forename,DOB,Gender,Year,Class/Reg", "Nowak,Zuzanna,F,03/04/2016,6,6W", []),
    # SIMS.
    ("UPN,Legal Surname,Legal Forename,Preferred Surname,Preferred Forename,Date of Birth,Gender,"
     "Year Group,Reg Group,Adno", "Nowak,Zuzanna,,Zuza,03/04/2016,F,6,6W,001234", ["Adno"]),
    # Arbor.
    ("UPN,Legal Last Name,Legal First Name,Preferred First Name,Date of Birth,Sex,Year Group,"
     "Registration Form,Admission Date", "Nowak,Zuzanna,Zuza,03/04/2016,Female,Year 6,6W,01/09/2021",
     []),
    # Bromcom.
    ("UPN,Legal Surname,Legal First Name,Preferred Surname,Preferred Forename,DOB,Gender,NC Year,"
     "Registration Group,Date of Admission,Admission Number",
     "Nowak,Zuzanna,,,03/04/2016,F,6,6W,01/09/2021,A123", ["Admission Number"]),
    ("UPN,Surname,Forename,DOB,Sex,NC Year,Form", "Nowak,Zuzanna,03/04/2016,F,6,6W", []),
    ("UPN,Surname,Forename,DOB,Gender,Year,Registration Form", "Nowak,Zuzanna,03/04/2016,F,6,6W", []),
])
def test_the_usual_mis_header_spellings_are_recognised(senco_session, header, cells, unused):
    names = [name.strip() for name in header.split(",")]
    values = cells.split(",")
    # The README's row is written in its own order; others follow their header.
    if names[1] == "Surname" and names[3] == "DOB" and names[4] == "Gender":
        values = ["Nowak", "Zuzanna", "03/04/2016", "F", "6", "6W"]
    text = header + "\r\n" + upn(1) + "," + ",".join(values) + "\r\n"
    plan = mis_import.preview(senco_session, text.encode())
    assert plan.ok, [row.errors for row in plan.rows]
    assert set(plan.mapping) >= {"upn", "legal_surname", "legal_forename", "dob", "gender",
                                 "year_group", "class_name"}
    (row,) = plan.rows
    assert (row.details.legal_surname, row.details.dob, row.details.year_group,
            row.details.class_name) == ("Nowak", dt.date(2016, 4, 3), "6", "6W")
    assert plan.unused_headers == unused


def test_columns_not_recognised_are_said_before_anything_is_imported(senco_session):
    text = ("UPN,Surname,Forename,DOB,Gender,Year,Class/Reg,Tutor,Shoe size\r\n"
            f"{upn(1)},Nowak,Zuzanna,03/04/2016,F,6,6W,Mr Hall,3\r\n")
    plan = mis_import.preview(senco_session, text.encode())
    assert plan.not_imported == "These columns will not be imported: Tutor, Shoe size."
    assert senco_session.db.scalar("SELECT count(*) FROM pupils") == 0


def test_the_preview_shows_each_row_as_read_and_each_change_was_to_now(senco_session):
    add_pupil(senco_session, 1, legal_surname="Nowak", legal_forename="Zuzanna",
              preferred_forename=None, dob="03/04/2016", year_group="5", class_name="5W")
    text = (README_HEADER + f"{upn(1)},Nowak,Zuzanna,2016-04-03,F,6,6W\r\n"
            f"{upn(2)},Okafor,Chidi,30/11/2015,M,Year 6,6R\r\n")
    first, second = mis_import.preview(senco_session, text.encode()).rows
    assert first.action == "update"
    assert [str(c) for c in first.diffs] == ["Class: 5W -> 6W", "Year group: Year 5 -> Year 6"]
    assert (second.name, second.dob, second.year, second.class_name) == (
        "Okafor, Chidi", "30/11/2015", "Year 6", "6R")
    assert second.action == "add" and not second.diffs


def test_a_year_group_that_does_not_fit_the_date_of_birth_is_flagged_not_refused(senco_session):
    text = (README_HEADER + f"{upn(1)},Nowak,Zuzanna,03/04/2016,F,5,5W\r\n"
            f"{upn(2)},Okafor,Chidi,03/04/2016,M,6,6R\r\n")
    plan = mis_import.preview(senco_session, text.encode())
    assert plan.ok
    flagged, fits = plan.rows
    assert flagged.checks == ("Year 5 does not fit the date of birth 03/04/2016: a child born then "
                              "would be in Year 6 in 2026/27. Check the date and the year.",)
    assert fits.checks == ()
    assert mis_import.commit(senco_session, plan).added == 2


@pytest.mark.parametrize("dob, today, expected", [
    ("2022-08-31", "2026-11-23", "R"),    # 4 on 31 August 2026: Reception in 2026/27
    ("2022-09-01", "2026-11-23", "N2"),   # a day younger: a year below
    ("2021-09-01", "2026-11-23", "R"),
    ("2016-04-03", "2026-07-20", "5"),    # July: still the school year 2025/26
    ("2016-04-03", "2026-09-01", "6"),    # 1 September: the new school year
    ("2008-01-01", "2026-11-23", "14"),
    ("2000-01-01", "2026-11-23", None),
])
def test_englands_1_september_cut_off(dob, today, expected):
    assert year_fit.expected_year(dt.date.fromisoformat(dob), dt.date.fromisoformat(today)) == expected


def test_cancel_during_the_commit_leaves_nothing_written(senco_session):
    text = README_HEADER + "".join(f"{upn(n)},Pupil,Number{n},03/04/2016,F,6,6W\r\n"
                                   for n in range(1, 651))
    plan = mis_import.preview(senco_session, text.encode())
    reports: list[int] = []
    progress = Progress(lambda done, total, text: reports.append(done))

    def cancel_at_the_second_report(done, total, text):
        reports.append(done)
        if len(reports) == 2:
            progress.cancel()
    progress._on_report = cancel_at_the_second_report
    before = snapshot(senco_session)
    with pytest.raises(Cancelled):
        mis_import.commit(senco_session, plan, progress=progress)
    assert reports[:2] == [0, mis_import.PROGRESS_EVERY]
    assert snapshot(senco_session) == before
