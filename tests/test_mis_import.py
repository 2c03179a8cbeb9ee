"""Importing pupils from a MIS CSV: encodings, header mapping, per-row errors, limits, and an
all-or-nothing commit that updates by UPN on re-import. Every refusal leaves the database as
it was (row counts and the audit head)."""

from __future__ import annotations

import pytest
from tests.records_fixtures import add_pupil, audit_actions, snapshot, upn

from sendesk.errors import PermissionDenied, ValidationError
from sendesk.records import mis_file, mis_import, pupil_list, pupils

HEADER = "UPN,Surname,Forename,Preferred Forename,DOB,Gender,Year,Reg Group\r\n"


def line(serial: int, surname: str = "Nowak", forename: str = "Zuzanna", dob: str = "03/04/2016",
         year: str = "5", reg: str = "5W", gender: str = "F", preferred: str = "") -> str:
    return f"{upn(serial)},{surname},{forename},{preferred},{dob},{gender},{year},{reg}\r\n"


def good_file(count: int = 3) -> str:
    return HEADER + "".join(line(n, forename=f"Pupil{n}") for n in range(1, count + 1))


def test_a_clean_file_is_previewed_then_committed(senco_session):
    plan = mis_import.preview(senco_session, good_file().encode(), name="pupils.csv")
    assert plan.ok and plan.count("add") == 3
    assert plan.mapping["class_name"] == "Reg Group" and plan.mapping["legal_surname"] == "Surname"
    assert senco_session.db.scalar("SELECT count(*) FROM pupils") == 0
    result = mis_import.commit(senco_session, plan)
    assert (result.added, result.updated) == (3, 0)
    assert len(pupil_list.search_ids(senco_session)) == 3
    assert audit_actions(senco_session)[-1] == "imported pupils from the MIS"


def test_reimport_updates_by_upn_without_duplicates(senco_session):
    mis_import.commit(senco_session, mis_import.preview(senco_session, good_file().encode()))
    changed = good_file().replace("5W", "6W").replace(",5,", ",6,")
    plan = mis_import.preview(senco_session, changed.encode())
    assert [row.action for row in plan.rows] == ["update"] * 3
    assert plan.rows[0].changes == ("class_name", "year_group")
    mis_import.commit(senco_session, plan)
    assert senco_session.db.scalar("SELECT count(*) FROM pupils") == 3
    pupil_id = pupils.find_by_upn(senco_session, upn(1))
    assert [(c.field, c.old_value, c.new_value) for c in pupils.change_history(senco_session,
                                                                                pupil_id)] == [
        ("class_name", "5W", "6W"), ("year_group", "5", "6")]
    again = mis_import.preview(senco_session, changed.encode())
    assert [row.action for row in again.rows] == ["unchanged"] * 3


@pytest.mark.parametrize("header", [
    "UPN,Legal Surname,Legal Forename,Preferred Forename,Date of Birth,Sex,NC Year,Reg\r\n",
    "upn,surname,forename,preferred name,dob,gender,year group,class\r\n",
    "Unique Pupil Number\tLast Name\tFirst Name\tKnown As\tBirth Date\tGender\tNC Year Actual\tForm\r\n",
    "UPN;Surname;Forename;Preferred Forename;DOB;Gender;Year;Registration Group\r\n",
])
def test_usual_mis_headers_and_separators_are_recognised(senco_session, header):
    separator = "\t" if "\t" in header else ";" if ";" in header else ","
    body = line(1, reg="5W").replace(",", separator)
    plan = mis_import.preview(senco_session, (header + body).encode())
    assert plan.ok, [row.errors for row in plan.rows]
    assert set(plan.mapping) >= {"upn", "legal_surname", "legal_forename", "dob", "gender",
                                 "year_group", "class_name"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings_a_school_will_meet(senco_session, encoding):
    text = HEADER + line(1, surname="Núñez", forename="Zoë")
    plan = mis_import.preview(senco_session, text.encode(encoding))
    assert plan.ok and plan.rows[0].details.legal_surname == "Núñez"
    assert plan.headers[0] == "UPN"


def test_iso_and_uk_dates_are_both_read(senco_session):
    text = HEADER + line(1, dob="2016-04-03") + line(2, dob="3/4/2016")
    plan = mis_import.preview(senco_session, text.encode())
    assert [row.details.dob.isoformat() for row in plan.rows] == ["2016-04-03", "2016-04-03"]


@pytest.mark.parametrize("data, words", [
    (b"\x00\x01\x02" * 100, "binary data"),
    (b"UPN,Surname\r\n\x81\x8d\x8f\x90\x9d\r\n", "UTF-8 or Windows-1252"),
    (b"", "is empty"),
    (HEADER.encode(), "no pupils"),
    (b"Name,Age\r\nSam,7\r\n", "no column for: UPN, Legal surname, Legal forename, Date of birth"),
    (b"UPN,Surname,Forename,DOB,Gender\r\nx,y,z,1,F\r\n", "no column for: Year group"),
    (b'UPN,Surname\r\n"unterminated' + b"x" * 200_000, "could not be read as CSV"),
])
def test_unreadable_files_get_a_clear_message_and_change_nothing(senco_session, data, words):
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match=words):
        mis_import.preview(senco_session, data, name="pupils.csv")
    assert snapshot(senco_session) == before


def test_a_large_junk_file_is_refused_before_it_is_read(senco_session, tmp_path):
    junk = tmp_path / "export.csv"
    with open(junk, "wb") as handle:
        handle.seek(100 * 1024 * 1024)
        handle.write(b"\xff")
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="export.csv is 100 MB; sendesk imports pupil lists of up to 20 MB"):
        mis_import.preview(senco_session, junk)
    assert snapshot(senco_session) == before


def test_too_many_rows_are_refused(senco_session):
    text = HEADER + "x,y,z,,1,F,1,A\r\n" * (mis_file.MAX_ROWS + 1)
    with pytest.raises(ValidationError, match="more than 100,000 pupils"):
        mis_import.preview(senco_session, text.encode())


def test_row_errors_are_all_listed_and_nothing_is_imported(senco_session):
    add_pupil(senco_session, 50, legal_surname="Existing")
    text = (HEADER + line(1) + line(2, dob="31/02/2016", gender="X") + line(1, forename="Twin")
            + line(3, surname="=cmd|' /C calc'!A0") + line(4, year="15")
            + "A801200005001,Bad,Upn,,01/01/2016,F,5,5W\r\n")
    plan = mis_import.preview(senco_session, text.encode())
    errors = {row.line: row.errors for row in plan.errors}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7]
    assert any("also on line 4" in e for e in errors[2])
    assert len(errors[3]) == 2 and "not a real date" in errors[3][0]
    assert "spreadsheet formula" in errors[5][0]
    assert "national curriculum year" in errors[6][0]
    assert "check letter" in errors[7][0]
    assert mis_import.describe_row(plan.errors[-1]).startswith("line 7 (UPN A801200005001): ")
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="6 rows have errors; .* Nothing was imported"):
        mis_import.commit(senco_session, plan)
    assert snapshot(senco_session) == before


def test_an_explicit_mapping_overrides_the_guess(senco_session):
    text = ("Pupil ID,Family,Given,Born,Sex,Year,Reg Group,Tutor\r\n"
            f"{upn(1)},Nowak,Zuzanna,03/04/2016,F,5,5W,Mr Hall\r\n")
    with pytest.raises(ValidationError, match="Map the columns by hand"):
        mis_import.preview(senco_session, text.encode())
    plan = mis_import.preview(senco_session, text.encode(), {
        "upn": "pupil id", "legal_surname": "Family", "legal_forename": "Given", "dob": "Born",
        "class_name": ""})
    assert plan.ok and "class_name" not in plan.mapping and plan.rows[0].details.class_name is None
    assert plan.unused_headers == ["Reg Group", "Tutor"]
    with pytest.raises(ValidationError, match="no column called 'Birthday'"):
        mis_import.preview(senco_session, text.encode(), {"dob": "Birthday"})
    with pytest.raises(ValidationError, match="not a field sendesk imports"):
        mis_import.preview(senco_session, text.encode(), {"shoe_size": "Born"})
    with pytest.raises(ValidationError, match="mapped to both"):
        mis_import.preview(senco_session, text.encode(), {"upn": "Born", "dob": "Born"})


def test_a_changed_upn_is_not_merged_silently(senco_session):
    add_pupil(senco_session, 1, legal_surname="Nowak", legal_forename="Zuzanna", dob="03/04/2016")
    plan = mis_import.preview(senco_session, (HEADER + line(7)).encode())
    (row,) = plan.conflicts
    assert f"already recorded under UPN {upn(1)}" in row.conflict.reason
    with pytest.raises(ValidationError, match="need a decision"):
        mis_import.commit(senco_session, plan)


def test_leavers_in_the_file_are_skipped(senco_session):
    pupil_id = add_pupil(senco_session, 1, legal_surname="Nowak", legal_forename="Zuzanna",
                         dob="03/04/2016")
    pupils.archive_leaver(senco_session, pupil_id, "01/11/2026")
    plan = mis_import.preview(senco_session, (HEADER + line(1, reg="6A")).encode())
    assert plan.ok and plan.rows[0].action == "skip" and plan.rows[0].warnings
    assert mis_import.commit(senco_session, plan).skipped == 1


def test_a_commit_is_all_or_nothing(senco_session):
    plan = mis_import.preview(senco_session, good_file(3).encode())
    add_pupil(senco_session, 3, legal_surname="Someone", legal_forename="Else")
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="added by someone else since the preview"):
        mis_import.commit(senco_session, plan)
    assert snapshot(senco_session) == before


def test_staff_may_not_import(staff_session):
    with pytest.raises(PermissionDenied):
        mis_import.preview(staff_session, good_file().encode())
