"""sendesk-cli demo, pupils import, pupils list and census: the same core, the same password
and exit-status rules as the other commands (0 on success, one plain line and 1 on failure)."""

from __future__ import annotations

import csv
import io

import pytest
from tests.conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from tests.records_fixtures import upn

from sendesk.cli.main import main

HEADER = "UPN,Surname,Forename,DOB,Gender,Year,Reg\r\n"


def run(capsys, *argv, stdin=""):
    code = main([str(arg) for arg in argv], stdin=io.StringIO(stdin))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_db(tmp_path, capsys):
    path = tmp_path / "demo.sendesk"
    code, out, _ = run(capsys, "demo", path, "--pupils", 120, "--user", "jsenco",
                       stdin="harbour-lantern-quietly-47\n")
    assert code == 0 and "120 invented pupils" in out and "Recovery key" in out
    return path


def test_list_writes_csv_with_the_agreed_columns_first(demo_db, capsys):
    code, out, _ = run(capsys, "pupils", "list", demo_db, "--user", "jsenco",
                       stdin="harbour-lantern-quietly-47\n")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[:8] == ["upn", "surname", "forename", "dob", "year", "class",
                                 "sen_status", "primary_need"]
    assert len(rows) > 100
    assert all(len(row["dob"]) == 10 and row["dob"][4] == "-" for row in rows)


def test_list_filters_by_status(demo_db, capsys):
    code, out, _ = run(capsys, "pupils", "list", demo_db, "--user", "jsenco", "--status", "K",
                       stdin="harbour-lantern-quietly-47\n")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and {row["sen_status"] for row in rows} == {"K"}
    assert all(row["primary_need"] for row in rows)


def test_a_wrong_password_fails_with_one_line(demo_db, capsys):
    code, out, err = run(capsys, "pupils", "list", demo_db, "--user", "jsenco",
                         stdin="not-the-password\n")
    assert code == 1 and out == "" and err.count("\n") == 1 and "Wrong username or password" in err


def test_census_writes_the_file(demo_db, tmp_path, capsys):
    out_file = tmp_path / "census.csv"
    code, out, _ = run(capsys, "census", demo_db, "--out", out_file, "--user", "jsenco",
                       stdin="harbour-lantern-quietly-47\n")
    assert code == 0 and out.startswith("January census ")
    rows = list(csv.reader(out_file.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:8] == ["upn", "surname", "forename", "dob", "gender", "year", "sen_status",
                           "primary_need"]
    assert {row[6] for row in rows[1:]} <= {"E", "K", "N"}


def test_import_then_reimport(school, tmp_path, capsys):
    db = school[0]
    good = tmp_path / "pupils.csv"
    good.write_text(HEADER + f"{upn(1)},Nowak,Zuzanna,03/04/2016,F,6,6W\r\n"
                    f"{upn(2)},Okafor,Chidi,2015-11-30,M,Year 6,6R\r\n", encoding="utf-8-sig")
    code, out, err = run(capsys, "pupils", "import", db, good, "--user", SENCO,
                         stdin=SENCO_PASSWORD + "\n")
    assert (code, err) == (0, "") and "2 added" in out
    good.write_text(good.read_text(encoding="utf-8-sig").replace("6W", "6B"), encoding="utf-8")
    code, out, _ = run(capsys, "pupils", "import", db, good, "--user", SENCO,
                       stdin=SENCO_PASSWORD + "\n")
    assert code == 0 and "0 added, 1 updated, 1 unchanged" in out
    code, out, _ = run(capsys, "pupils", "list", db, "--user", SENCO, stdin=SENCO_PASSWORD + "\n")
    assert [row["class"] for row in csv.DictReader(io.StringIO(out))] == ["6B", "6R"]


def test_import_with_errors_saves_nothing(school, tmp_path, capsys):
    db = school[0]
    bad = tmp_path / "pupils.csv"
    bad.write_text(HEADER + f"{upn(1)},Nowak,Zuzanna,31/02/2016,F,5,5W\r\n"
                   f"{upn(2)},Okafor,Chidi,30/11/2015,M,6,6R\r\n", encoding="utf-8")
    code, out, err = run(capsys, "pupils", "import", db, bad, "--user", SENCO,
                         stdin=SENCO_PASSWORD + "\n")
    assert code == 1 and out == ""
    assert "line 2 (UPN" in err and "not a real date" in err
    assert "1 of 2 rows in pupils.csv have errors; nothing was imported." in err
    code, out, _ = run(capsys, "pupils", "list", db, "--user", SENCO, stdin=SENCO_PASSWORD + "\n")
    assert out.strip().count("\n") == 0


def test_import_dry_run_and_mapping(school, tmp_path, capsys):
    db = school[0]
    odd = tmp_path / "pupils.csv"
    odd.write_text("Pupil ID,Family,Given,Born,Sex,Year\r\n"
                   f"{upn(1)},Nowak,Zuzanna,03/04/2016,F,5\r\n", encoding="utf-8")
    code, _, err = run(capsys, "pupils", "import", db, odd, "--user", SENCO,
                       stdin=SENCO_PASSWORD + "\n")
    assert code == 1 and "no column for: UPN, Legal surname" in err
    code, out, err = run(capsys, "pupils", "import", db, odd, "--user", SENCO, "--dry-run",
                         "--map", "upn=Pupil ID", "--map", "legal_surname=Family",
                         "--map", "legal_forename=Given", "--map", "dob=Born",
                         stdin=SENCO_PASSWORD + "\n")
    assert code == 0 and "1 to add" in out and "Nothing was saved" in out
    code, _, err = run(capsys, "pupils", "import", db, odd, "--user", SENCO, "--map", "upn",
                       stdin=SENCO_PASSWORD + "\n")
    assert code == 1 and "FIELD=COLUMN" in err


def test_staff_cannot_export_or_import(school, tmp_path, capsys):
    db = school[0]
    code, _, err = run(capsys, "census", db, "--out", tmp_path / "c.csv", "--user", STAFF,
                       stdin=STAFF_PASSWORD + "\n")
    assert code == 1 and "Your role (Staff) does not allow you to" in err
    assert not (tmp_path / "c.csv").exists()
    code, _, err = run(capsys, "pupils", "list", db, "--user", STAFF, stdin=STAFF_PASSWORD + "\n")
    assert code == 1


def test_demo_refuses_an_existing_file_and_a_weak_password(tmp_path, capsys):
    code, _, err = run(capsys, "demo", tmp_path / "d.sendesk", "--user", "jsenco",
                       stdin="password1\n")
    assert code == 1 and "too weak" in err
    (tmp_path / "taken.sendesk").write_bytes(b"x")
    code, _, err = run(capsys, "demo", tmp_path / "taken.sendesk", "--user", "jsenco",
                       stdin="harbour-lantern-quietly-47\n")
    assert code == 1 and "already exists" in err


def test_demo_on_a_server_url_says_how_to_put_the_demo_on_the_server(capsys):
    url = "postgresql://jsenco@school-server.local/sendesk"
    code, out, err = run(capsys, "demo", url, "--user", "jsenco",
                         stdin="harbour-lantern-quietly-47\n")
    assert code == 1 and not out
    assert "made as a file" in err and f"server import FILE {url} --user jsenco" in err
    assert "folder" not in err


def test_pupils_list_reimported_changes_nothing(demo_db, tmp_path, capsys):
    password = "harbour-lantern-quietly-47\n"
    code, listed, _ = run(capsys, "pupils", "list", demo_db, "--user", "jsenco", stdin=password)
    assert code == 0
    again = tmp_path / "list.csv"
    again.write_text(listed, encoding="utf-8")
    code, out, _ = run(capsys, "pupils", "import", demo_db, again, "--user", "jsenco",
                       stdin=password)
    rows = len(list(csv.DictReader(io.StringIO(listed))))
    assert code == 0 and f"0 added, 0 updated, {rows} unchanged" in out
    assert ("These columns will not be imported: sen_status, primary_need, next_review, flags."
            in out)
    code, after, _ = run(capsys, "pupils", "list", demo_db, "--user", "jsenco", stdin=password)
    assert after == listed, "no known-as name grows a second surname"


def test_a_conflicting_line_is_refused_unless_a_flag_says_what_to_do(school, tmp_path, capsys):
    db = school[0]
    first = tmp_path / "first.csv"
    first.write_text(HEADER + f"{upn(1)},Chapman,Noah,12/05/2014,M,7,7C\r\n", encoding="utf-8")
    assert run(capsys, "pupils", "import", db, first, "--user", SENCO,
               stdin=SENCO_PASSWORD + "\n")[0] == 0
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(HEADER + f"{upn(1)},Smith,Amy,03/02/2019,F,2,2S\r\n"
                     f"{upn(2)},Okafor,Chidi,30/11/2015,M,6,6R\r\n", encoding="utf-8")
    code, out, err = run(capsys, "pupils", "import", db, wrong, "--user", SENCO,
                         stdin=SENCO_PASSWORD + "\n")
    assert code == 1
    assert err.splitlines()[0].startswith(f"line 2 (UPN {upn(1)}): UPN {upn(1)} is Noah Chapman, "
                                          "born 12/05/2014, here, but the file names Amy Smith")
    assert "--skip-conflicts" in err and "nothing was imported" in err
    code, out, err = run(capsys, "pupils", "import", db, wrong, "--user", SENCO, "--dry-run",
                         stdin=SENCO_PASSWORD + "\n")
    assert code == 0 and "1 to decide" in out and "(choices: skip)" in out
    code, out, err = run(capsys, "pupils", "import", db, wrong, "--user", SENCO, "--decide",
                         "2=update", stdin=SENCO_PASSWORD + "\n")
    assert code == 1 and "can only be: skip" in err
    code, out, err = run(capsys, "pupils", "import", db, wrong, "--user", SENCO,
                         "--skip-conflicts", stdin=SENCO_PASSWORD + "\n")
    assert code == 0 and "1 added, 0 updated, 0 unchanged, 1 skipped" in out
    code, out, _ = run(capsys, "pupils", "list", db, "--user", SENCO, stdin=SENCO_PASSWORD + "\n")
    names = {row["upn"]: row["known_as"] for row in csv.DictReader(io.StringIO(out))}
    assert names[upn(1)] == "Chapman, Noah"


def test_dry_run_lists_each_change_was_to_now_and_the_year_to_check(school, tmp_path, capsys):
    db = school[0]
    first = tmp_path / "first.csv"
    first.write_text(HEADER + f"{upn(1)},Nowak,Zuzanna,03/04/2016,F,6,6W\r\n", encoding="utf-8")
    run(capsys, "pupils", "import", db, first, "--user", SENCO, stdin=SENCO_PASSWORD + "\n")
    first.write_text(HEADER + f"{upn(1)},Nowak,Zuzanna,03/04/2016,F,5,5W\r\n", encoding="utf-8")
    code, out, err = run(capsys, "pupils", "import", db, first, "--user", SENCO, "--dry-run",
                         stdin=SENCO_PASSWORD + "\n")
    assert code == 0
    assert f"line 2 (UPN {upn(1)}): Class: 6W -> 5W; Year group: Year 6 -> Year 5" in out
    assert "Year 5 does not fit the date of birth 03/04/2016" in err
