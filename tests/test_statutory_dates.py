"""Issue 20, items 1 to 4 and 9: termly reviews, no pupil at SEN support left unseen, school
days that leave out bank holidays and INSET days, the leaving date the transfer deadline counts
from, and dates that can happen (today is Monday 23/11/2026)."""

from __future__ import annotations

import datetime as dt

import pytest

from apdr_support import assess, plan, review, sen_support_pupil
from ehc_support import issued_plan
from records_fixtures import audit_actions
from sendesk.errors import ValidationError
from sendesk.models.agenda import AgendaKind
from sendesk.models.calendar import TRANSFER_SCHOOL_DAYS, add_school_days
from sendesk.models.reviews import ReviewState
from sendesk.records import (
    agenda,
    apdr,
    dashboard,
    pathway_plans,
    pupil_list,
    registers,
    school_calendar,
    sen_register,
)
from sendesk.transfer import sending
from transfer_support import consent_to_share, fake_pdf, recipient

D = dt.date


def _go_to(clock, day: dt.date) -> None:
    clock.advance(dt.datetime.combine(day, dt.time(9, 30), tzinfo=dt.UTC) - clock.now())


def _agreed(session, pupil_id: int, plan_on: dt.date, review_on: dt.date) -> int:
    apdr.open_pathway(session, pupil_id, plan_on)
    cycle = apdr.current_pathway(session, pupil_id).current_cycle.id
    assess(session, cycle, plan_on)
    plan(session, cycle, plan_on, review_on)
    return cycle


def _agreed_before_the_rule(session, pupil_id: int, plan_on: dt.date, review_on: dt.date) -> int:
    """A plan agreed under the old rule: its stored review date is what the rule now refuses."""
    apdr.open_pathway(session, pupil_id, plan_on)
    cycle = apdr.current_pathway(session, pupil_id).current_cycle.id
    assess(session, cycle, plan_on)
    plan(session, cycle, plan_on, plan_on + dt.timedelta(days=14), agree=False)
    session.db.execute("UPDATE apdr_plans SET review_date = ?, agreed_at = ? WHERE cycle_id = ?",
                       (review_on.isoformat(), session.now_text(), cycle))
    pathway_plans.refresh(session.db, [pupil_id])   # written by hand, not through the rules
    return cycle


# --- 1. termly reviews ------------------------------------------------------------------------
def test_a_plan_agreed_on_3_september_cannot_be_reviewed_in_april(senco_session, clock):
    _go_to(clock, D(2026, 9, 3))
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, D(2026, 9, 3))
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, D(2026, 9, 3))
    with pytest.raises(ValidationError, match="no later than 10/12/2026"):
        plan(senco_session, cycle, D(2026, 9, 3), D(2027, 4, 14))
    assert not apdr.get_cycle(senco_session, cycle).plan.agreed
    assert plan(senco_session, cycle, D(2026, 9, 3), D(2026, 12, 10)).problems == ()


def test_a_plan_that_breaks_the_rule_is_flagged_not_rewritten(senco_session, clock):
    _go_to(clock, D(2026, 9, 3))
    pupil = sen_support_pupil(senco_session)
    cycle = _agreed_before_the_rule(senco_session, pupil, D(2026, 9, 3), D(2027, 4, 14))
    _go_to(clock, D(2026, 11, 23))
    [due] = apdr.reviews_due(senco_session)
    assert "too far ahead" in due.rule_problem and "10/12/2026" in due.rule_problem
    assert apdr.get_cycle(senco_session, cycle).plan.review_date == D(2027, 4, 14)


def test_a_half_termly_review_is_suggested_when_the_needs_change(senco_session, clock):
    _go_to(clock, D(2026, 9, 3))
    pupil = sen_support_pupil(senco_session)
    _agreed(senco_session, pupil, D(2026, 9, 3), D(2026, 12, 10))
    [due] = apdr.reviews_due(senco_session)
    assert due.suggested_by is None
    _go_to(clock, D(2026, 9, 28))
    sen_register.set_needs(senco_session, pupil, ["SLCN", "SEMH"], D(2026, 9, 28))
    [due] = apdr.reviews_due(senco_session)
    assert due.needs_changed_on == D(2026, 9, 28)
    assert due.suggested_by == D(2026, 11, 16)      # seven weeks on, a school day


def test_the_school_sets_the_review_weeks(senco_session):
    school_calendar.set_review_weeks(senco_session, 10)
    assert school_calendar.load(senco_session).review_weeks == 10
    for bad in (5, 17, "a term"):
        with pytest.raises(ValidationError, match="weeks"):
            school_calendar.set_review_weeks(senco_session, bad)
    assert school_calendar.load(senco_session).review_weeks == 10
    assert "changed the support plan review limit" in audit_actions(senco_session)


# --- 2. no one unseen -------------------------------------------------------------------------
def test_a_pupil_at_k_with_no_plan_or_at_e_with_no_ehc_plan_is_seen(senco_session):
    # Before, a K pupil with MLD and no plan appeared in no list at all.
    at_k = sen_support_pupil(senco_session, surname="Quinn", needs=("MLD",))
    at_e = sen_support_pupil(senco_session, surname="Ellis")
    sen_register.change_status(senco_session, at_e, "E", D(2026, 11, 23), "EHC plan issued")
    planned = sen_support_pupil(senco_session, surname="Patel")
    _agreed(senco_session, planned, D(2026, 11, 23), D(2027, 2, 26))
    with_ehc_plan = sen_support_pupil(senco_session, surname="Hale")
    issued_plan(senco_session, with_ehc_plan, D(2026, 3, 10))     # records E as well
    due = {d.pupil_id: d for d in apdr.reviews_due(senco_session)}
    assert due[at_k].state is ReviewState.NO_PATHWAY and due[at_k].unseen
    assert due[at_e].state is ReviewState.NO_EHC_PLAN and due[at_e].unseen
    assert not due[planned].unseen and with_ehc_plan not in due
    assert sorted(dashboard.dashboard(senco_session).no_current_plan) == sorted([at_k, at_e])
    assert sorted(pupil_list.search_ids(senco_session, pupil_list.PupilFilter(
        no_current_plan=True))) == sorted([at_k, at_e])


def test_home_and_reviews_due_count_the_same_overdue_reviews(senco_session, clock):
    _go_to(clock, D(2026, 9, 3))
    late = sen_support_pupil(senco_session, surname="Late")
    _agreed(senco_session, late, D(2026, 9, 3), D(2026, 11, 2))
    # An overdue register review is not a support plan review: it made Home say more.
    other = sen_support_pupil(senco_session, surname="Other")
    registers.add_entry(senco_session, other, "monitoring", {"start_date": D(2026, 9, 3),
                                                             "review_date": D(2026, 10, 1)})
    _go_to(clock, D(2026, 11, 23))
    home = dashboard.dashboard(senco_session)
    found = apdr.reviews_due(senco_session)
    assert home.reviews_overdue == [d.pupil_id for d in found if d.state is ReviewState.OVERDUE]
    assert home.reviews_overdue == [late]


# --- 3. school days ---------------------------------------------------------------------------
def test_inset_days_are_stored_and_left_out_of_every_count(senco_session):
    before = add_school_days(D(2026, 11, 23), TRANSFER_SCHOOL_DAYS,
                             school_calendar.load(senco_session))
    school_calendar.save_inset_days(senco_session, 2026, ["27/11/2026", D(2026, 12, 1)])
    calendar = school_calendar.load(senco_session)
    assert calendar.inset_days(2026) == {D(2026, 11, 27), D(2026, 12, 1)}
    assert not calendar.is_school_day(D(2026, 11, 27))
    assert add_school_days(D(2026, 11, 23), TRANSFER_SCHOOL_DAYS, calendar) == \
        before + dt.timedelta(days=2)
    assert "changed the INSET days" in audit_actions(senco_session)
    for bad, message in ((["28/11/2026"], "Saturday"), (["25/12/2026"], "bank holiday"),
                         (["01/09/2027"], "outside the 2026/27"), (["31/02/2027"], "not a real")):
        with pytest.raises(ValidationError, match=message):
            school_calendar.save_inset_days(senco_session, 2026, bad)
    assert school_calendar.load(senco_session).inset_days(2026) == {D(2026, 11, 27), D(2026, 12, 1)}
    school_calendar.save_inset_days(senco_session, 2026, [])
    assert school_calendar.load(senco_session).inset_days(2026) == frozenset()


def test_an_inset_day_moves_an_ehc_review_meeting(senco_session):
    from sendesk.records import pupils
    pupil = sen_support_pupil(senco_session, year_group="4")
    issued_plan(senco_session, pupil, D(2026, 3, 10))
    assert pupils.get_pupil(senco_session, pupil).next_review == D(2027, 2, 10)
    school_calendar.save_inset_days(senco_session, 2026, [D(2027, 2, 10)])
    assert pupils.get_pupil(senco_session, pupil).next_review == D(2027, 2, 9)


# --- 9. dates that can happen -----------------------------------------------------------------
def test_the_agenda_books_nothing_at_weekends_or_on_christmas_day(senco_session, clock):
    _go_to(clock, D(2026, 9, 3))
    pupil = sen_support_pupil(senco_session)
    _agreed_before_the_rule(senco_session, pupil, D(2026, 9, 3), D(2026, 11, 28))  # a Saturday
    other = sen_support_pupil(senco_session, surname="Noel")
    entry = registers.add_entry(senco_session, other, "monitoring", {"start_date": D(2026, 9, 3)})
    # Set before review dates were checked: the register now refuses Christmas Day.
    senco_session.db.execute("UPDATE register_entries SET review_date = '2026-12-25' WHERE id = ?",
                             (entry,))
    calendar = school_calendar.load(senco_session)
    items = agenda.agenda(senco_session, D(2026, 9, 1), D(2027, 8, 31))
    assert all(calendar.is_school_day(i.day) for i in items if i.kind is not AgendaKind.CENSUS)
    review_item = next(i for i in items if i.kind is AgendaKind.SUPPORT_REVIEW)
    assert review_item.day == D(2026, 11, 27)
    assert "Brought forward from 28/11/2026, a Saturday" in review_item.detail
    register_item = next(i for i in items if i.kind is AgendaKind.REGISTER_REVIEW)
    assert register_item.day == D(2026, 12, 18)
    assert "a bank holiday (Christmas Day)" in register_item.detail


def test_back_to_ordinary_sets_a_monitoring_review_on_a_school_day(senco_session, clock):
    # The rule once set it for the day before the next term started, a Sunday.
    _go_to(clock, D(2026, 9, 3))
    pupil = sen_support_pupil(senco_session)
    cycle = _agreed(senco_session, pupil, D(2026, 9, 3), D(2026, 12, 10))
    _go_to(clock, D(2026, 12, 10))
    review(senco_session, cycle, D(2026, 12, 10), "back_to_ordinary", progress="achieved")
    day = senco_session.db.scalar("SELECT review_date FROM register_entries WHERE pupil_id = ? AND"
                                  " register = 'monitoring'", (pupil,))
    assert D.fromisoformat(day) == D(2027, 3, 19)     # the last school day of the spring term


# --- 4. the leaving date ----------------------------------------------------------------------
def test_the_deadline_counts_from_the_leaving_date(senco_session, tmp_path):
    # It counted from the day the file was sent.
    sender = senco_session
    pupil_id = sen_support_pupil(sender)
    consent_to_share(sender, pupil_id)
    for bad, message in (("23/07/2027", r"after the end of this school year \(22/07/2027\)"),
                         ("20/11/2025", "more than a year ago"), ("31/11/2026", "not a real date")):
        with pytest.raises(ValidationError, match=message):
            sending.send(sender, pupil_id, recipient(), tmp_path / "x.sendesk-transfer", fake_pdf,
                         leaving_date=bad)
    assert not (tmp_path / "x.sendesk-transfer").exists()
    result = sending.send(sender, pupil_id, recipient(), tmp_path / "p.sendesk-transfer",
                          fake_pdf, leaving_date="13/11/2026")
    assert result.deadline == D(2026, 12, 4)      # 15 school days from Friday 13/11/2026
