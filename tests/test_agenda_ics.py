"""The SEND agenda and its iCalendar export: everything due between two dates, events that a
real calendar program reads back, and no pupil's name anywhere in the file."""

from __future__ import annotations

import datetime as dt
import io

import icalendar
import pytest
from tests.conftest import SENCO, SENCO_PASSWORD

from apdr_support import sen_support_pupil
from ehc_support import issued_plan, ready_pupil
from records_fixtures import audit_actions
from sendesk.cli.main import main
from sendesk.errors import ValidationError
from sendesk.models.agenda import AgendaItem, AgendaKind, group_heading, initials
from sendesk.models.ical import calendar_bytes, escape_text, fold
from sendesk.records import agenda, calendar_export, ehc, pupils, registers

D = dt.date
NAMES = ("Okafor", "Amara", "Brightwater", "Zoë")


def kinds(items) -> set[AgendaKind]:
    return {item.kind for item in items}


@pytest.fixture
def busy_school(senco_session):
    """An APDR pupil, a Year 6 pupil with an EHC plan, and a request awaiting a decision."""
    apdr_pupil = ready_pupil(senco_session)                     # review due 11/12/2026
    ehc_pupil = sen_support_pupil(senco_session, surname="Brightwater", forename="Zoë",
                                  year_group="6", since=D(2025, 9, 1))
    issued_plan(senco_session, ehc_pupil, D(2026, 3, 10))
    registers.add_entry(senco_session, ehc_pupil, "monitoring", {
        "start_date": D(2026, 11, 2), "review_date": D(2027, 1, 15), "details": "Friendships"})
    ehc.add_request(senco_session, apdr_pupil, {
        "local_authority": "Durham", "consent_on": D(2026, 11, 2), "head_name": "Mr J Lowe",
        "head_signed_on": D(2026, 11, 3), "submitted_on": D(2026, 11, 4),
        "below_readiness_reason": "The family cannot wait for the next cycle."})
    return apdr_pupil, ehc_pupil


def test_the_agenda_holds_everything_due_in_the_range_in_date_order(senco_session, busy_school):
    apdr_pupil, ehc_pupil = busy_school
    items = agenda.agenda(senco_session, D(2026, 11, 1), D(2027, 7, 31))
    assert [i.day for i in items] == sorted(i.day for i in items)
    assert {AgendaKind.SUPPORT_REVIEW, AgendaKind.REGISTER_REVIEW, AgendaKind.EHC_REVIEW_MEETING,
            AgendaKind.EHC_INVITATIONS, AgendaKind.EHC_PAPERS, AgendaKind.EHC_ANNIVERSARY,
            AgendaKind.EHCNA_DEADLINE, AgendaKind.EHCNA_CUTOFF, AgendaKind.CENSUS} <= kinds(items)
    by_key = {i.key: i for i in items}
    assert by_key["ehcna-1-decision"].day == D(2026, 12, 16)
    assert by_key["ehcna-cutoff-2026"].day == D(2027, 3, 19)
    # The Year 6 pupil's review (anniversary 10/03/2027) must be done by 31 December.
    meeting = next(i for i in items if i.kind is AgendaKind.EHC_REVIEW_MEETING)
    assert meeting.day == D(2026, 12, 18) and meeting.pupil_id == ehc_pupil
    assert "Transfer from primary to secondary school" in meeting.detail
    assert meeting.title == f"EHC annual review meeting: Z.B. ref {ehc_pupil}"
    assert meeting.pupil_name == "Brightwater, Zoë"
    invite = next(i for i in items if i.kind is AgendaKind.EHC_INVITATIONS)
    assert invite.day == D(2026, 11, 6) and invite.overdue
    assert audit_actions(senco_session)[-1] == "viewed the SEND agenda"


def test_a_narrow_range_holds_only_its_own_days(senco_session, busy_school):
    items = agenda.agenda(senco_session, D(2026, 12, 11), D(2026, 12, 11))
    assert [(i.kind, i.day) for i in items] == [(AgendaKind.SUPPORT_REVIEW, D(2026, 12, 11))]


def test_parent_notifications_and_left_pupils(senco_session):
    pupil_id = sen_support_pupil(senco_session)   # added to the register today: letter due
    items = agenda.agenda(senco_session, D(2026, 11, 1), D(2026, 11, 30))
    assert AgendaKind.PARENT_NOTIFICATION in kinds(items)
    pupils.archive_leaver(senco_session, pupil_id, D(2026, 11, 23), "Moved away")
    items = agenda.agenda(senco_session, D(2026, 11, 1), D(2026, 11, 30))
    assert AgendaKind.PARENT_NOTIFICATION not in kinds(items)


def test_bad_ranges_are_refused(senco_session):
    with pytest.raises(ValidationError, match="before 'From'"):
        agenda.agenda(senco_session, D(2027, 1, 2), D(2027, 1, 1))
    with pytest.raises(ValidationError, match="at most three years"):
        agenda.agenda(senco_session, D(2026, 1, 1), D(2030, 1, 1))


def test_the_ics_file_parses_back_with_no_pupil_names(senco_session, busy_school, tmp_path):
    path = tmp_path / "send.ics"
    count = calendar_export.export_ics(senco_session, path, D(2026, 11, 23), D(2027, 7, 31))
    data = path.read_bytes()
    text = data.decode("utf-8")
    for name in NAMES:
        assert name not in text
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert b"\n" not in data.replace(b"\r\n", b"")
    parsed = icalendar.Calendar.from_ical(data)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == count and count > 10
    assert parsed["PRODID"] and str(parsed["VERSION"]) == "2.0"
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is dt.date and end == start + dt.timedelta(days=1)
        assert event.decoded("DTSTAMP") == dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
    meeting = next(e for e in events if str(e["SUMMARY"]).startswith("EHC annual review meeting"))
    assert str(meeting["SUMMARY"]) == f"EHC annual review meeting: Z.B. ref {busy_school[1]}"
    assert meeting.decoded("DTSTART") == D(2026, 12, 18)
    assert audit_actions(senco_session)[-1] == "exported the SEND agenda as a calendar"


def test_exporting_again_keeps_the_same_uids(senco_session, busy_school, tmp_path):
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    calendar_export.export_ics(senco_session, first, D(2026, 11, 23), D(2027, 7, 31))
    calendar_export.export_ics(senco_session, second, D(2026, 11, 23), D(2027, 7, 31))
    uids = [{str(e["UID"]) for e in icalendar.Calendar.from_ical(p.read_bytes()).walk("VEVENT")}
            for p in (first, second)]
    assert uids[0] == uids[1]


def test_escaping_and_folding_follow_rfc_5545():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    long = "SUMMARY:" + "é" * 80
    lines = fold(long)
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    assert "".join(line[1:] if i else line for i, line in enumerate(lines)) == long
    item = AgendaItem(D(2028, 2, 29), AgendaKind.CENSUS, "Census, spring; check", "Line one\nTwo, "
                      + "x" * 120, "k1")
    data = calendar_bytes([item], name="Test", uid_domain="example", stamp=dt.datetime(
        2028, 2, 1, tzinfo=dt.UTC))
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Census, spring; check"
    assert str(event["DESCRIPTION"]) == item.detail
    assert event.decoded("DTEND") == D(2028, 3, 1)


def test_initials_and_grouping():
    assert initials("Amara", "Okafor-Smith") == "A.O." and initials("", "Lee") == "L."
    assert group_heading(D(2027, 1, 1), "week") == "Week of 28 December 2026"
    assert group_heading(D(2027, 1, 1), "month") == "January 2027"


def run(capsys, *argv, stdin=""):
    code = main([str(arg) for arg in argv], stdin=io.StringIO(stdin))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_writes_the_calendar(busy_school, school, tmp_path, capsys):
    out_file = tmp_path / "agenda.ics"
    code, out, err = run(capsys, "calendar", school[0], "--out", out_file, "--user", SENCO,
                         "--from", "23/11/2026", "--to", "2027-07-31", stdin=SENCO_PASSWORD + "\n")
    assert code == 0 and err == ""
    events = list(icalendar.Calendar.from_ical(out_file.read_bytes()).walk("VEVENT"))
    assert out.startswith(f"Wrote {len(events)} events from 23/11/2026 to 31/07/2027")
    assert not any(name in out_file.read_text(encoding="utf-8") for name in NAMES)


def test_the_cli_refuses_a_bad_range_in_one_line(busy_school, school, tmp_path, capsys):
    out_file = tmp_path / "agenda.ics"
    code, out, err = run(capsys, "calendar", school[0], "--out", out_file, "--user", SENCO,
                         "--from", "01/02/2027", "--to", "01/01/2027", stdin=SENCO_PASSWORD + "\n")
    assert code == 1 and out == "" and err.count("\n") == 1 and "before 'From'" in err
    assert not out_file.exists()
    code, _, err = run(capsys, "calendar", school[0], "--out", out_file, "--user", SENCO,
                       "--from", "31/02/2027", stdin=SENCO_PASSWORD + "\n")
    assert code == 1 and "not a real date" in err
