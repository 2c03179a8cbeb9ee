"""`sendesk-cli provision groups list` and `... timetable`: what a technician expects, one
line on stderr for anything refused."""

from __future__ import annotations

import io

from tests.conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from tests.groups_support import make_group, pupils
from tests.pdf_text import contains, pages_text

from sendesk.cli.main import main
from sendesk.records import provision_groups


def _run(args, password=SENCO_PASSWORD):
    return main(args, stdin=io.StringIO(password + "\n"))


def test_list_and_timetables(senco_session, school, tmp_path, capsys):
    a, = pupils(senco_session, "Adeyemi")
    upn = senco_session.db.scalar("SELECT upn FROM pupils WHERE id = ?", (a,))
    group_id = make_group(senco_session, end_date="")     # the CLI runs on today's real date
    provision_groups.add_member(senco_session, group_id, a, "02/11/2026")
    provision_groups.add_slot(senco_session, group_id, {"day": 1, "start_time": "09:00",
                                                        "end_time": "09:30", "place": "Room 4"})
    assert _run(["provision", "groups", "list", str(school[0]), "--user", SENCO]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "id\tgroup\trun by\tstarts\tends\tpupils\tcost"
    assert printed[1] == f"{group_id}\tYear 4 phonics group\tMrs Khan\t02/11/2026\t\t1\t£400.00"

    out = tmp_path / "week.pdf"
    assert _run(["provision", "groups", "timetable", str(school[0]), "--upn", upn, "--week",
                 "23/11/2026", "--out", str(out), "--user", SENCO]) == 0
    assert "Wrote the support timetable (1 page)" in capsys.readouterr().out
    assert contains(pages_text(out.read_bytes())[0], "With Mrs Khan")
    staff = tmp_path / "staff.pdf"
    assert _run(["provision", "groups", "timetable", str(school[0]), "--staff", "mrs khan",
                 "--week", "30/11/2026", "--out", str(staff), "--user", SENCO]) == 0
    assert contains(pages_text(staff.read_bytes())[0], "Monday 30/11/2026")

    refused = tmp_path / "refused.pdf"
    assert _run(["provision", "groups", "timetable", str(school[0]), "--upn", upn, "--out",
                 str(refused), "--user", STAFF], STAFF_PASSWORD) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "export documents" in err
    assert not refused.exists()
