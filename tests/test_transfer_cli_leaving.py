"""sendesk-cli transfer export --leaving-date: a late file is said to be late, by how many
school days, and a pupil who has already left keeps the leaving date on their record (a
different one given was silently ignored)."""

from __future__ import annotations

import datetime as dt

from sendesk.models import dates
from sendesk.records import school_calendar
from sendesk.services import lifecycle
from sendesk.transfer import sending
from test_transfer_cli import SENDER_PASSWORD, a_pupil_on_the_register, demo_sender, run


def test_the_cli_says_the_file_is_late_and_keeps_the_recorded_leaving_date(
        tmp_path, capsys, qapp, engine, request):
    sender = demo_sender(tmp_path, capsys, engine, request)
    upn = a_pupil_on_the_register(sender)
    session = lifecycle.open_school(sender, "ssenco", SENDER_PASSWORD)
    try:
        today = session.clock.today()
        calendar = school_calendar.load(session)
        left = calendar.school_day_on_or_before(today - dt.timedelta(days=45))
        pupil_id = session.db.scalar("SELECT id FROM pupils WHERE upn = ?", (upn,))
        expected = sending.leaving_deadline(session, pupil_id, left)
    finally:
        session.close()
    assert expected.late_by, "45 days back is more than 15 school days"
    args = ("transfer", "export", sender, "--upn", upn, "--to-urn", "123456", "--to-name",
            "Brambleton Primary School", "--user", "ssenco", "--without-consent", "By phone")
    code, out, err = run(capsys, *args, "--out", tmp_path / "a.sendesk-transfer",
                         "--leaving-date", dates.format_uk(left), stdin=SENDER_PASSWORD + "\n")
    assert code == 0, err
    assert f"The file is {expected.late_by} school day" in out and "late: it was due" in out
    assert f"left on {dates.format_uk(left)}" in out and "Send it by" not in out

    other = left - dt.timedelta(days=1)
    code, out, err = run(capsys, *args, "--out", tmp_path / "b.sendesk-transfer",
                         "--leaving-date", dates.format_uk(other), stdin=SENDER_PASSWORD + "\n")
    assert code == 1
    assert f"their record gives the leaving date {dates.format_uk(left)}" in err
    assert not (tmp_path / "b.sendesk-transfer").exists()
