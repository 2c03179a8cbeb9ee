"""The EHC and calendar rules that protect pupils and the record's meaning: only roles that may
take documents out of sendesk export the agenda, the exported calendar does not say who is
looked after or has medical needs, the stored EHC review date follows the pupil's year group,
short notice to specialists is flagged, hostile dates get a message, and a plan is never
"issued" without the pupil becoming E (or left with an empty K period)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from tests.conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD

from apdr_support import sen_support_pupil
from ehc_support import issued_plan
from records_fixtures import snapshot, upn
from sendesk.cli.main import main
from sendesk.errors import PermissionDenied, ValidationError
from sendesk.models import dates
from sendesk.models import ehc as ehc_rules
from sendesk.models.agenda import AgendaKind
from sendesk.models.calendar import SchoolCalendar
from sendesk.models.ehc import AnnualReview, EhcPlan, cutoff_warning, review_schedule
from sendesk.records import agenda, calendar_export, ehc, mis_import, pupils, registers, sen_register

D = dt.date
CALENDAR = SchoolCalendar()
TODAY = D(2026, 11, 23)


def run(capsys, *argv, stdin=""):
    code = main([str(arg) for arg in argv], stdin=io.StringIO(stdin))
    out, err = capsys.readouterr()
    return code, out, err


def stored_review(session, plan_id: int) -> str | None:
    return session.db.scalar("SELECT next_review_by FROM ehc_plans WHERE id = ?", (plan_id,))


# --- finding 5: the agenda leaves sendesk only with EXPORT_DOCUMENTS -------------------------
def test_staff_may_not_export_the_agenda(senco_session, staff_session, tmp_path):
    sen_support_pupil(senco_session)
    path = tmp_path / "agenda.ics"
    with pytest.raises(PermissionDenied, match="export documents"):
        calendar_export.export_ics(staff_session, path, TODAY, D(2027, 11, 1))
    assert not path.exists()
    assert calendar_export.export_ics(senco_session, path, TODAY, D(2027, 11, 1)) > 0


def test_the_cli_refuses_staff_in_one_line(school, tmp_path, capsys):
    out_file = tmp_path / "agenda.ics"
    code, out, err = run(capsys, "calendar", school[0], "--out", out_file, "--user", STAFF,
                         stdin=STAFF_PASSWORD + "\n")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "does not allow you to export documents" in err
    assert not out_file.exists()


# --- finding 6: no looked-after or medical status in the .ics ---------------------------------
def test_the_ics_does_not_say_which_register_a_pupil_is_on(senco_session, tmp_path):
    pupil_id = sen_support_pupil(senco_session, forename="Zara", surname="Quinn")
    registers.add_entry(senco_session, pupil_id, "looked_after", {
        "start_date": "2025-09-01", "pep_date": "2026-10-01", "responsible_la": "Durham",
        "protected_address": "7 Willow Close\nLarkbridge\nLK9 3QT", "review_date": "2027-01-11"})
    registers.add_entry(senco_session, pupil_id, "medical", {
        "start_date": "2026-09-01", "details": "Epilepsy", "has_ihp": True,
        "review_date": "2027-01-12"})
    path = tmp_path / "agenda.ics"
    calendar_export.export_ics(senco_session, path, TODAY, D(2027, 3, 1))
    text = path.read_text(encoding="utf-8").lower()
    for secret in ("looked", "medical", "disability", "epilepsy", "willow"):
        assert secret not in text
    assert text.count(f"summary:register review: z.q. ref {pupil_id}") == 2
    # The app's own screen still says which register.
    items = [i for i in agenda.agenda(senco_session, TODAY, D(2027, 3, 1))
             if i.kind is AgendaKind.REGISTER_REVIEW]
    assert sorted(i.screen_label for i in items) == [
        "Disability and medical needs register review", "Looked-after child register review"]
    assert any("looked-after" in i.screen_detail for i in items)


# --- finding 3: the stored review date follows the year group ---------------------------------
def test_a_year_group_change_moves_the_stored_ehc_review(senco_session):
    pupil_id = sen_support_pupil(senco_session, year_group="5")
    plan_id = issued_plan(senco_session, pupil_id, D(2026, 3, 10))
    assert stored_review(senco_session, plan_id) == "2027-02-10"
    pupils.update_pupil(senco_session, pupil_id, {"year_group": "6"})
    assert stored_review(senco_session, plan_id) == "2026-12-18"     # Year 6: by 31 December
    assert pupils.get_pupil(senco_session, pupil_id).next_review == D(2026, 12, 18)


def test_a_mis_import_that_changes_the_year_group_moves_the_stored_ehc_review(senco_session):
    header = "UPN,Surname,Forename,DOB,Gender,Year\r\n"
    row = f"{upn(1)},Nowak,Zuzanna,03/04/2016,F,{{}}\r\n"
    mis_import.commit(senco_session, mis_import.preview(senco_session,
                                                        (header + row.format("5")).encode()))
    pupil_id = pupils.find_by_upn(senco_session, upn(1))
    sen_register.change_status(senco_session, pupil_id, "K", TODAY, "Needs identified", ["SLCN"])
    plan_id = issued_plan(senco_session, pupil_id, D(2026, 3, 10))
    assert stored_review(senco_session, plan_id) == "2027-02-10"
    mis_import.commit(senco_session, mis_import.preview(senco_session,
                                                        (header + row.format("6")).encode()))
    assert stored_review(senco_session, plan_id) == "2026-12-18"


# --- finding 4: six weeks' notice --------------------------------------------------------------
def booked_plan(meeting: dt.date, invited: dt.date | None) -> EhcPlan:
    review = AnnualReview(1, 1, meeting, invited, None, None, False, "", None, "")
    return EhcPlan(1, 1, None, D(2026, 1, 10), "Durham", "", "", None, None, (), (review,), "")


def test_invitations_exactly_six_weeks_before_the_meeting_are_in_time():
    meeting = D(2027, 1, 29)
    on_time = review_schedule(booked_plan(meeting, meeting - dt.timedelta(days=42)), "10",
                              TODAY, CALENDAR)
    assert not on_time.short_notice
    assert not any("notice" in note for note in on_time.notes)
    short = review_schedule(booked_plan(meeting, meeting - dt.timedelta(days=41)), "10",
                            TODAY, CALENDAR)
    assert short.short_notice
    assert any("fewer than six weeks' notice" in note for note in short.notes)


def test_a_meeting_booked_too_soon_with_no_invitations_sent_is_short_notice():
    # Today is 23/11/2026: a meeting on 04/01/2027 is exactly 42 days away.
    assert not review_schedule(booked_plan(D(2027, 1, 4), None), "10", TODAY, CALENDAR).short_notice
    soon = review_schedule(booked_plan(D(2027, 1, 3), None), "10", TODAY, CALENDAR)
    assert soon.short_notice
    assert any("invitations have not been sent" in note for note in soon.notes)


def test_short_notice_is_on_the_agenda(senco_session):
    pupil_id = sen_support_pupil(senco_session, year_group="10")
    plan_id = issued_plan(senco_session, pupil_id, D(2026, 1, 12))
    ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 12, 4),
                                             "invitations_sent_on": D(2026, 11, 23)})
    [meeting] = [i for i in agenda.agenda(senco_session, TODAY, D(2027, 1, 31))
                 if i.kind is AgendaKind.EHC_REVIEW_MEETING]
    assert "fewer than six weeks' notice" in meeting.detail
    assert meeting.label_on_screen == "EHC annual review meeting (short notice)"


# --- finding 7: the cut-off, said right after it has passed -------------------------------------
def test_the_cutoff_advice_after_this_years_cutoff_has_passed():
    before = ehc_rules.cutoff_advice(TODAY, CALENDAR)
    assert "this school year is 19/03/2027" in before
    after = ehc_rules.cutoff_advice(D(2027, 5, 1), CALENDAR)
    assert "19/03/2027" in after and "has passed" in after and "27/03/2028" in after
    assert "this school year is 27/03/2028" not in after
    holiday = ehc_rules.cutoff_advice(D(2027, 8, 10), CALENDAR)
    assert "next school year is 27/03/2028" in holiday


def test_a_request_being_prepared_is_warned_before_it_is_sent():
    assert cutoff_warning(D(2027, 5, 1), CALENDAR, prospective=True).startswith(
        "If it is sent now, it will be after the local authority's preferred date of 19/03/2027")
    assert cutoff_warning(TODAY, CALENDAR, prospective=True) is None


# --- finding 8: hostile dates give a message ---------------------------------------------------
@pytest.mark.parametrize("text", ["31/12/9999", "01/01/0001", "1899-12-31", "2201-01-01"])
def test_dates_outside_a_sane_window_are_refused(text):
    with pytest.raises(ValidationError, match="give a year between 1900 and 2200"):
        dates.parse_date(text, "Date of birth")


@pytest.mark.parametrize("meeting, message", [
    (D(9999, 12, 31), "more than two years after today"),
    (D(2029, 1, 1), "more than two years after today"),
    (D(2025, 12, 1), "cannot be before the date the plan was issued"),
])
def test_review_meetings_far_away_are_refused(senco_session, meeting, message):
    pupil_id = sen_support_pupil(senco_session, year_group="5")
    plan_id = issued_plan(senco_session, pupil_id, D(2026, 3, 10))
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match=message):
        ehc.save_review(senco_session, plan_id, {"meeting_on": meeting})
    assert snapshot(senco_session) == before


def test_a_plan_from_before_ehc_plans_existed_is_refused(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    with pytest.raises(ValidationError, match="1 September 2014"):
        issued_plan(senco_session, pupil_id, D(1, 3, 1))


@pytest.mark.parametrize("first, last", [(D(9998, 1, 1), D(9999, 12, 31)),
                                         (D(1, 1, 1), D(1, 12, 31)),
                                         (D(1989, 12, 1), D(1990, 1, 31))])
def test_agenda_ranges_outside_1990_to_2100_are_refused(senco_session, first, last):
    with pytest.raises(ValidationError, match="between 1990 and 2100"):
        agenda.agenda(senco_session, first, last)


@pytest.mark.parametrize("extra", [["--from", "01/01/9998"], ["--from", "31/12/9999"],
                                   ["--from", "01/01/2101"], ["--to", "01/01/0001"]])
def test_the_cli_refuses_hostile_dates_in_one_line(school, tmp_path, capsys, extra):
    out_file = tmp_path / "agenda.ics"
    code, out, err = run(capsys, "calendar", school[0], "--out", out_file, "--user", SENCO, *extra,
                         stdin=SENCO_PASSWORD + "\n")
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert "year between" in err
    assert not out_file.exists()


# --- finding 12: "plan issued" only by recording the plan ---------------------------------------
SENT = {"local_authority": "Durham", "consent_on": D(2026, 9, 1), "head_name": "Mr J Lowe",
        "head_signed_on": D(2026, 9, 2), "submitted_on": D(2026, 9, 3),
        "below_readiness_reason": "The family cannot wait for the next cycle."}
ASSESSED = {"decision": "assess", "decision_on": D(2026, 10, 9), "plan_decision": "issue",
            "draft_on": D(2026, 11, 2)}


def test_a_request_cannot_be_marked_as_ending_in_a_plan_without_the_plan(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    request_id = ehc.add_request(senco_session, pupil_id, {**SENT, **ASSESSED})
    other = sen_support_pupil(senco_session, surname="Lowe")
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="Record an issued plan"):
        ehc.update_request(senco_session, request_id, {"final_on": D(2026, 11, 23)})
    assert snapshot(senco_session) == before
    with pytest.raises(ValidationError, match="Record an issued plan"):
        ehc.add_request(senco_session, other, {**SENT, **ASSESSED, "final_on": D(2026, 11, 23)})
    assert snapshot(senco_session) == before
    issued_plan(senco_session, pupil_id, D(2026, 11, 23), request_id=request_id)
    assert pupils.get_pupil(senco_session, pupil_id).sen_status == "E"
    assert ehc.update_request(senco_session, request_id, {"notes": "Final plan received."}) == [
        "notes"]


# --- finding 10: a plan issued before the pupil's K start ---------------------------------------
def test_a_plan_issued_before_the_k_start_replaces_the_k_period(senco_session):
    pupil_id = sen_support_pupil(senco_session, year_group="5", since=D(2026, 1, 5))
    issued_plan(senco_session, pupil_id, D(2025, 12, 1))
    history = sen_register.status_history(senco_session, pupil_id)
    assert [(p.status, p.start_date, p.end_date) for p in history] == [("E", D(2026, 1, 5), None)]
    assert "EHC plan issued by Durham on 01/12/2025" in history[0].reason
    trail = [(c.field, c.old_value, c.new_value) for c in pupils.change_history(senco_session,
                                                                                 pupil_id)]
    assert ("status", "K", "E") in trail
    assert senco_session.db.query_one("SELECT sen_status, sen_since FROM pupils WHERE id = ?",
                                      (pupil_id,))[:] == ("E", "2026-01-05")
    # The parents' notification of the pupil joining the register still stands.
    assert senco_session.db.scalar("SELECT count(*) FROM parent_notifications_due WHERE"
                                   " pupil_id = ? AND cleared_at IS NULL", (pupil_id,)) == 1


def test_a_plan_issued_after_the_k_start_closes_the_k_period(senco_session):
    pupil_id = sen_support_pupil(senco_session, year_group="5", since=D(2026, 1, 5))
    issued_plan(senco_session, pupil_id, D(2026, 3, 10))
    history = sen_register.status_history(senco_session, pupil_id)
    assert [(p.status, p.start_date, p.end_date) for p in history] == [
        ("K", D(2026, 1, 5), D(2026, 3, 10)), ("E", D(2026, 3, 10), None)]
