"""Issue 20 review, dates that can happen (today is Monday 23/11/2026): a booked EHC review
meeting and a register review date are school days, a booked meeting stays on its own day on
the agenda, and the leaving date a transfer counts from is the one on the record, may be ahead
up to the end of the school year, and a late file says by how many school days."""

from __future__ import annotations

import datetime as dt

import pytest

from apdr_support import sen_support_pupil
from ehc_support import issued_plan
from sendesk.errors import ValidationError
from sendesk.models import calendar, reviews
from sendesk.models.agenda import AgendaKind
from sendesk.models.calendar import SchoolCalendar
from sendesk.records import agenda, dashboard, ehc, pupils, registers
from sendesk.transfer import sending
from transfer_support import consent_to_share, fake_pdf, recipient

D = dt.date


# --- 1. a booked EHC review meeting --------------------------------------------------------
def test_an_ehc_review_meeting_cannot_be_booked_on_a_saturday(senco_session):
    plan_id = issued_plan(senco_session, sen_support_pupil(senco_session), D(2026, 3, 10))
    with pytest.raises(ValidationError, match=r"^05/12/2026 is a Saturday; choose a school day\.$"):
        ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 12, 5)})
    with pytest.raises(ValidationError, match="25/12/2026 is a bank holiday"):
        ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 12, 25)})
    assert senco_session.db.scalar("SELECT count(*) FROM ehc_reviews") == 0
    review_id = ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 12, 4)})
    with pytest.raises(ValidationError, match="in the school holidays; choose a school day"):
        ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 12, 23)}, review_id)
    assert ehc.list_plans(senco_session, ehc_pupil(senco_session, plan_id))[0] \
        .booked_review.meeting_on == D(2026, 12, 4)


def ehc_pupil(session, plan_id: int) -> int:
    return session.db.scalar("SELECT pupil_id FROM ehc_plans WHERE id = ?", (plan_id,))


def test_a_booked_meeting_stays_on_its_day_on_the_agenda(senco_session):
    # It was shown on Friday 04/12 "Brought forward", a day nobody booked it for.
    plan_id = issued_plan(senco_session, sen_support_pupil(senco_session), D(2026, 3, 10))
    review_id = ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 12, 4)})
    # Booked before bookings were checked: for a Saturday.
    senco_session.db.execute("UPDATE ehc_reviews SET meeting_on = '2026-12-05' WHERE id = ?",
                             (review_id,))
    items = agenda.agenda(senco_session, D(2026, 11, 1), D(2027, 3, 31))
    meeting = next(i for i in items if i.kind is AgendaKind.EHC_REVIEW_MEETING)
    assert meeting.day == D(2026, 12, 5)
    assert "Brought forward" not in meeting.detail
    assert "Not a school day, as it is a Saturday: check the booking." in meeting.detail
    assert meeting.label_on_screen.endswith("(not a school day)")
    # Deadlines still move: the papers, two weeks before, are due on a school day.
    papers = next(i for i in items if i.kind is AgendaKind.EHC_PAPERS)
    assert SchoolCalendar().is_school_day(papers.day)


def test_the_completed_by_date_in_a_meeting_detail_is_a_school_day(senco_session):
    # "the review must be completed by 02/01/2027", a Saturday in the Christmas holidays.
    issued_plan(senco_session, sen_support_pupil(senco_session), D(2026, 1, 2))
    items = agenda.agenda(senco_session, D(2026, 11, 23), D(2027, 1, 31))
    meeting = next(i for i in items if i.kind is AgendaKind.EHC_REVIEW_MEETING)
    assert "completed by 18/12/2026" in meeting.detail and "02/01/2027" not in meeting.detail


# --- 2. register review dates ----------------------------------------------------------------
def test_a_register_review_date_is_a_school_day(senco_session):
    pupil = sen_support_pupil(senco_session)
    with pytest.raises(ValidationError, match=r"^26/12/2026 is a Saturday; choose a school day\.$"):
        registers.add_entry(senco_session, pupil, "monitoring", {"start_date": D(2026, 11, 2),
                                                                 "review_date": D(2026, 12, 26)})
    assert senco_session.db.scalar("SELECT count(*) FROM register_entries") == 0
    entry = registers.add_entry(senco_session, pupil, "monitoring",
                                {"start_date": D(2026, 11, 2), "review_date": D(2026, 12, 18)})
    with pytest.raises(ValidationError, match="28/12/2026 is a bank holiday"):
        registers.update_entry(senco_session, entry, {"review_date": D(2026, 12, 28)})
    with pytest.raises(ValidationError, match="is in the school holidays"):
        registers.update_entry(senco_session, entry, {"review_date": D(2026, 12, 30)})
    assert registers.list_entries(senco_session, pupil)[0].review_date == D(2026, 12, 18)
    # A date already on the record (set before the check) does not stop other changes.
    senco_session.db.execute("UPDATE register_entries SET review_date = '2026-12-26'")
    assert registers.update_entry(senco_session, entry, {"details": "Friendships"}) == ["details"]


# --- 4. the leaving date -----------------------------------------------------------------------
def test_a_pupil_who_left_keeps_the_recorded_leaving_date(senco_session, tmp_path):
    # The CLI's --leaving-date was silently ignored.
    pupil_id = sen_support_pupil(senco_session)
    consent_to_share(senco_session, pupil_id)
    pupils.archive_leaver(senco_session, pupil_id, D(2026, 11, 20), "Moved away")
    with pytest.raises(ValidationError, match="their record gives the leaving date 20/11/2026"):
        sending.send(senco_session, pupil_id, recipient(), tmp_path / "x.sendesk-transfer",
                     fake_pdf, leaving_date="13/11/2026")
    assert not (tmp_path / "x.sendesk-transfer").exists()
    assert sending.leaving_deadline(senco_session, pupil_id).left == D(2026, 11, 20)
    sent = sending.send(senco_session, pupil_id, recipient(), tmp_path / "p.sendesk-transfer",
                        fake_pdf, leaving_date="20/11/2026")
    assert sent.deadline == D(2026, 12, 11) and sent.late is None


def test_a_late_file_says_by_how_many_school_days(senco_session, tmp_path):
    pupil_id = sen_support_pupil(senco_session)
    consent_to_share(senco_session, pupil_id)
    # Left Friday 16/10/2026: 15 school days, with the October half-term, end on 13/11/2026;
    # today, 23/11, is six school days after it.
    found = sending.leaving_deadline(senco_session, pupil_id, "16/10/2026")
    assert (found.deadline, found.late_by) == (D(2026, 11, 13), 6)
    sent = sending.send(senco_session, pupil_id, recipient(), tmp_path / "p.sendesk-transfer",
                        fake_pdf, leaving_date="16/10/2026")
    assert sent.late == ("The file is 6 school days late: it was due at the new school by "
                         "13/11/2026 (15 school days after the pupil left on 16/10/2026). "
                         "Send it now.")
    assert calendar.school_days_late(D(2026, 11, 13), D(2026, 11, 13)) == 0
    assert calendar.school_days_late(D(2026, 12, 18), D(2027, 1, 4)) == 1   # over Christmas


def test_a_file_can_be_prepared_before_the_last_day(senco_session, tmp_path):
    # A leaving date ahead was refused; it may now be up to the end of the school year.
    pupil_id = sen_support_pupil(senco_session)
    consent_to_share(senco_session, pupil_id)
    with pytest.raises(ValidationError, match=r"after the end of this school year \(22/07/2027\)"):
        sending.leaving_deadline(senco_session, pupil_id, "02/09/2027")
    sent = sending.send(senco_session, pupil_id, recipient(), tmp_path / "p.sendesk-transfer",
                        fake_pdf, leaving_date="18/12/2026")
    assert sent.deadline == D(2027, 1, 22) and sent.late is None   # counted from 18/12
    assert pupils.get_pupil(senco_session, pupil_id).leaving_date == D(2026, 12, 18)


# --- 6 and 7. the words -----------------------------------------------------------------------
def test_the_limit_says_at_most_and_home_gives_the_half_terms_school_days(senco_session):
    # 14 weeks on is in the February half-term: the limit is brought back to 12/02/2027.
    problem = reviews.review_date_problem(D(2026, 11, 13), D(2027, 3, 1))
    assert problem is not None
    assert "no later than 12/02/2027 (at most 14 weeks after the plan was agreed" in problem
    data = dashboard.dashboard(senco_session)
    assert data.half_term.name == "Autumn 2"
    assert data.half_term_days == (D(2026, 11, 2), D(2026, 12, 18))


def test_a_review_in_the_holiday_past_the_limit_names_the_last_school_day_before_it():
    # rev20b's finding 2: 22/03/2027 (limit 19/03/2027) was told "the next school day is
    # Monday 05/04/2027", a date that is refused too. The refusal names the limit, the last
    # school day before the holiday, and never the day after it.
    problem = reviews.review_date_problem(D(2026, 12, 14), D(2027, 3, 22))
    assert problem == ("Monday 22/03/2027 is in the school holidays, not a school day, and is "
                       "too far ahead: SEN support is reviewed at least once a term, so review "
                       "no later than Friday 19/03/2027 (at most 14 weeks after the plan was "
                       "agreed, on a school day).")
    saturday = reviews.review_date_problem(D(2026, 12, 14), D(2027, 3, 27))
    assert saturday is not None and "05/04/2027" not in saturday
    assert saturday.startswith("Saturday 27/03/2027 is not a school day, and is too far ahead")
    # Inside the limit the next school day is still the one offered.
    assert reviews.review_date_problem(D(2026, 12, 14), D(2027, 3, 13)) == (
        "Saturday 13/03/2027 is not a school day; the next school day is Monday 15/03/2027.")


def test_a_substitute_bank_holiday_is_worded_without_brackets_in_brackets(senco_session):
    # rev20b's finding 4: "a bank holiday (Boxing Day (substitute day))", and on the agenda
    # "Not a school day (a bank holiday (Boxing Day (substitute day))): check the booking."
    school = SchoolCalendar()
    assert school.not_a_school_day(D(2026, 12, 28)) == \
        "a bank holiday (Boxing Day, moved to the Monday)"
    plan_id = issued_plan(senco_session, sen_support_pupil(senco_session), D(2026, 3, 10))
    review_id = ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 12, 4)})
    senco_session.db.execute("UPDATE ehc_reviews SET meeting_on = '2026-12-28' WHERE id = ?",
                             (review_id,))
    items = agenda.agenda(senco_session, D(2026, 11, 1), D(2027, 3, 31))
    meeting = next(i for i in items if i.kind is AgendaKind.EHC_REVIEW_MEETING)
    assert ("Not a school day, as it is a bank holiday (Boxing Day, moved to the Monday): "
            "check the booking.") in meeting.detail
    for text in (meeting.detail, reviews.review_date_problem(D(2026, 11, 2), D(2026, 12, 28))):
        assert "((" not in text.replace(" ", "") and "))" not in text
        assert text.count("(") == text.count(")") and "substitute" not in text
