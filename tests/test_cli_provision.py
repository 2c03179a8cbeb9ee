"""`sendesk-cli provision library export|import`: the contract the issue spells out, on a real
school database: export then import changes nothing, a file with bad rows changes nothing and
names each bad line, and the help says that import matches items by name."""

from __future__ import annotations

import csv
import io

from conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from sendesk.cli import main as cli_module
from sendesk.records import provision_library
from sendesk.services import lifecycle


def _run(capsys, *argv, password=SENCO_PASSWORD):
    code = cli_module.main([str(a) for a in argv], stdin=io.StringIO(password + "\n"))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _library(school, clock):
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    try:
        return provision_library.list_items(session, include_retired=True)
    finally:
        session.close()


def test_export_then_import_round_trips_without_changes(school, clock, tmp_path, capsys):
    out = tmp_path / "library.csv"
    before = _library(school, clock)
    code, printed, err = _run(capsys, "provision", "library", "export", school[0], "--out", out,
                              "--user", SENCO)
    assert (code, err) == (0, "") and f"Wrote {len(before)} interventions" in printed
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["name", "area", "description"] and len(rows) == len(before) + 1
    code, printed, err = _run(capsys, "provision", "library", "import", school[0], out,
                              "--user", SENCO)
    assert (code, err) == (0, "")
    assert f"0 added, 0 updated, {len(before)} unchanged" in printed
    assert _library(school, clock) == before


def test_a_file_with_bad_rows_names_each_line_and_changes_nothing(school, clock, tmp_path,
                                                                 capsys):
    out = tmp_path / "library.csv"
    _run(capsys, "provision", "library", "export", school[0], "--out", out, "--user", SENCO)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[2][rows[0].index("weeks")] = "60"
    rows[5][rows[0].index("hourly_cost")] = "lots"
    rows[6][0] = "Brand new intervention"
    with open(out, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    before = _library(school, clock)
    code, printed, err = _run(capsys, "provision", "library", "import", school[0], out,
                              "--user", SENCO)
    lines = err.strip().splitlines()
    assert code == 1 and printed == ""
    assert lines[0].startswith("Line 3: Weeks must be from 1 to 52")
    assert lines[1].startswith("Line 6: Hourly cost 'lots' is not an amount of money")
    assert lines[-1] == ("sendesk-cli: library.csv was not imported (2 faults, listed above); "
                         "nothing was changed.")
    assert _library(school, clock) == before


def test_staff_may_export_but_not_import(school, clock, tmp_path, capsys):
    out = tmp_path / "library.csv"
    code, _printed, _err = _run(capsys, "provision", "library", "export", school[0], "--out",
                                out, "--user", STAFF, password=STAFF_PASSWORD)
    assert code == 0
    code, _printed, err = _run(capsys, "provision", "library", "import", school[0], out,
                               "--user", STAFF, password=STAFF_PASSWORD)
    assert code == 1 and err.startswith("sendesk-cli: ") and len(err.strip().splitlines()) == 1
    assert "does not allow you to import into the provision library" in err
    assert "support plans" not in err


def test_the_provision_help_names_the_library_and_the_groups(capsys):
    code, printed, _err = _run(capsys, "provision", "--help")
    assert code == 0
    assert "library|groups" in printed
    code, printed, _err = _run(capsys, "--help")
    assert "provision library and provision groups" in " ".join(printed.split())


def test_the_import_help_says_it_matches_by_name(capsys):
    code, printed, _err = _run(capsys, "provision", "library", "import", "--help")
    assert code == 0
    text = " ".join(printed.split())
    assert "matches an intervention already in the library" in text
    assert "All rows or none" in text
