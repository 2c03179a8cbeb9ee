"""The date rules of the EHC process and the school calendar, at their boundaries: terms that
span calendar years, leap years, 29 February anniversaries, Year 6 in December and a cut-off
that falls in the Easter holiday."""

from __future__ import annotations

import datetime as dt

import pytest

from sendesk.errors import ValidationError
from sendesk.models import reviews
from sendesk.models.calendar import (
    HalfTerm,
    SchoolCalendar,
    TermDates,
    check_term_dates,
    easter_sunday,
    england_default,
)
from sendesk.models.ehc import (
    AnnualReview,
    AssessDecision,
    EhcnaRequest,
    EhcPlan,
    MilestoneState,
    PlanDecision,
    ReviewRecommendation,
    cutoff_warning,
    review_schedule,
    timeline,
)

D = dt.date
CALENDAR = SchoolCalendar()


def request(sent: dt.date | None, **dates) -> EhcnaRequest:
    values = dict(consent_on=None, consent_from=None, head_name=None, head_signed_on=None,
                  decision=None, decision_on=None, plan_decision=None, draft_on=None,
                  final_on=None, withdrawn_on=None)
    values.update(dates)
    return EhcnaRequest(id=1, pupil_id=1, local_authority="Durham", submitted_on=sent, notes="",
                        entered_at="", **values)


def plan(issued: dt.date, *held: dt.date, booked: dt.date | None = None) -> EhcPlan:
    done = [AnnualReview(n, 1, day, None, day, ReviewRecommendation.MAINTAIN, False, "", None, "")
            for n, day in enumerate(held, start=1)]
    if booked:
        done.append(AnnualReview(99, 1, booked, None, None, None, False, "", None, ""))
    return EhcPlan(1, 1, None, issued, "Durham", "", "", None, None, (), tuple(done), "")


# --- the calendar -----------------------------------------------------------------------------
def test_the_default_english_year_has_six_half_terms_with_the_usual_holidays():
    year = england_default(2026)
    assert [(h.name, h.start, h.end) for h in year.half_terms] == [
        ("Autumn 1", D(2026, 9, 2), D(2026, 10, 23)), ("Autumn 2", D(2026, 11, 2), D(2026, 12, 18)),
        ("Spring 1", D(2027, 1, 4), D(2027, 2, 12)), ("Spring 2", D(2027, 2, 22), D(2027, 3, 19)),
        ("Summer 1", D(2027, 4, 5), D(2027, 5, 28)), ("Summer 2", D(2027, 6, 7), D(2027, 7, 22))]
    assert year.label == "2026/27"
    assert (D(2026, 12, 19), D(2027, 1, 3)) in year.holidays()   # Christmas spans two years


@pytest.mark.parametrize("year, easter", [(2026, D(2026, 4, 5)), (2027, D(2027, 3, 28)),
                                          (2028, D(2028, 4, 16)), (2038, D(2038, 4, 25))])
def test_easter_and_the_easter_break(year, easter):
    assert easter_sunday(year) == easter
    spring2 = england_default(year - 1).half_terms[3]
    summer1 = england_default(year - 1).half_terms[4]
    assert spring2.end < easter < summer1.start


def test_days_in_a_term_spanning_new_year_belong_to_the_right_school_year():
    assert CALENDAR.school_year_of(D(2027, 1, 1)) == 2026
    assert CALENDAR.school_year_of(D(2026, 8, 31)) == 2025   # summer holiday ends the old year
    assert CALENDAR.school_year_of(D(2026, 9, 2)) == 2026
    assert not CALENDAR.is_school_day(D(2026, 12, 25))
    assert CALENDAR.school_day_on_or_before(D(2027, 1, 1)) == D(2026, 12, 18)
    assert CALENDAR.half_term(D(2026, 12, 31)) == HalfTerm("Autumn 2", D(2026, 11, 2), D(2027, 1, 3))
    assert CALENDAR.teaching_half_term(D(2026, 12, 31)) is None


def test_the_review_rules_use_the_school_calendar_for_terms():
    # The next term after a December plan is spring, which ends on its last school day, not on
    # the last day of the Easter break after it.
    assert reviews.next_term(D(2026, 12, 10), CALENDAR).end == D(2027, 3, 19)


def test_a_schools_own_dates_replace_the_default_for_that_year_only():
    own = check_term_dates(2026, [(D(2026, 9, 3), D(2026, 10, 16)), (D(2026, 10, 26), D(2026, 12, 18)),
                                  (D(2027, 1, 5), D(2027, 2, 12)), (D(2027, 2, 22), D(2027, 3, 26)),
                                  (D(2027, 4, 12), D(2027, 5, 28)), (D(2027, 6, 7), D(2027, 7, 16))])
    calendar = SchoolCalendar({2026: own})
    assert calendar.is_custom(2026) and not calendar.is_custom(2027)
    assert calendar.summer_term_end(2026) == D(2027, 7, 16)
    assert calendar.term_dates(2027) == england_default(2027)
    assert not calendar.is_school_day(D(2026, 10, 20)) and CALENDAR.is_school_day(D(2026, 10, 20))


@pytest.mark.parametrize("spans, message", [
    ([(D(2026, 9, 3), D(2026, 10, 16))], "all six"),
    ([(D(2026, 10, 16), D(2026, 9, 3))] + [(D(2027, 1, 1), D(2027, 1, 2))] * 5, "ends"),
    ([(D(2026, 9, 3), D(2026, 10, 16)), (D(2026, 10, 10), D(2026, 12, 18))]
     + [(D(2027, 1, 5), D(2027, 1, 6))] * 4, "before the half-term before it has ended"),
    ([(D(2025, 9, 3), D(2025, 10, 16))] + [(D(2027, 1, 1), D(2027, 1, 2))] * 5, "outside the 2026/27"),
])
def test_impossible_term_dates_are_refused(spans, message):
    with pytest.raises(ValidationError, match=message):
        check_term_dates(2026, spans)


# --- the LA's preferred cut-off ---------------------------------------------------------------
def test_the_cutoff_is_sixteen_weeks_before_the_last_week_of_summer_term():
    # Summer 2027 ends Thursday 22 July: its last week starts Monday 19 July; 16 weeks before is
    # Monday 29 March 2027, in the Easter break, so the cut-off is the last day before it.
    assert CALENDAR.ehcna_cutoff(2026) == D(2027, 3, 19)
    assert SchoolCalendar(ehcna_cutoff_weeks=12).ehcna_cutoff(2026) == D(2027, 4, 26)


def test_the_cutoff_in_term_time_is_the_monday_itself():
    own = TermDates(2026, england_default(2026).half_terms[:5] + (
        HalfTerm("Summer 2", D(2027, 6, 7), D(2027, 7, 16)),))
    assert SchoolCalendar({2026: own}).ehcna_cutoff(2026) == D(2027, 3, 19)
    later = TermDates(2027, england_default(2027).half_terms)
    assert SchoolCalendar({2027: later}).ehcna_cutoff(2027) == D(2028, 3, 27)  # a Monday in term


def test_a_request_after_the_cutoff_is_warned_about_until_the_summer_holiday():
    assert cutoff_warning(D(2027, 3, 19), CALENDAR) is None
    warning = cutoff_warning(D(2027, 3, 22), CALENDAR)
    assert warning.startswith("Sent after the local authority's preferred date of 19/03/2027")
    assert cutoff_warning(D(2027, 7, 22), CALENDAR) is not None
    assert cutoff_warning(D(2027, 7, 23), CALENDAR) is None      # next year's count has begun
    assert cutoff_warning(D(2026, 11, 23), CALENDAR) is None


# --- the 20-week timeline ---------------------------------------------------------------------
def test_the_statutory_weeks_count_from_the_day_the_request_is_sent():
    states = timeline(request(D(2026, 11, 2)), D(2026, 11, 23))
    assert [(m.key, m.week, m.due, m.state) for m in states] == [
        ("decision", 6, D(2026, 12, 14), MilestoneState.UPCOMING),
        ("draft", 16, D(2027, 2, 22), MilestoneState.UPCOMING),
        ("final", 20, D(2027, 3, 22), MilestoneState.UPCOMING)]


def test_the_timeline_across_29_february_in_a_leap_year():
    states = timeline(request(D(2028, 1, 10)), D(2028, 2, 20))
    assert states[0].due == D(2028, 2, 21) and states[0].state is MilestoneState.DUE
    assert states[2].due == D(2028, 5, 29)
    assert timeline(request(D(2027, 1, 10)), D(2027, 1, 10))[2].due == D(2027, 5, 30)


def test_done_on_time_late_and_withdrawn_milestones():
    sent = D(2026, 5, 1)
    found = timeline(request(sent, decision=AssessDecision.ASSESS, decision_on=D(2026, 6, 12),
                             plan_decision=PlanDecision.ISSUE, draft_on=D(2026, 8, 14)),
                     D(2026, 11, 23))
    assert [m.state for m in found] == [MilestoneState.DONE, MilestoneState.DONE,
                                        MilestoneState.OVERDUE]
    late = timeline(request(sent, decision=AssessDecision.ASSESS, decision_on=D(2026, 6, 13)),
                    D(2026, 6, 13))
    assert late[0].state is MilestoneState.LATE
    withdrawn = timeline(request(sent, withdrawn_on=D(2026, 5, 20)), D(2026, 11, 23))
    assert {m.state for m in withdrawn} == {MilestoneState.NOT_NEEDED}


# --- annual reviews ---------------------------------------------------------------------------
def test_the_meeting_is_four_weeks_before_the_anniversary_with_six_weeks_notice():
    schedule = review_schedule(plan(D(2026, 3, 10)), "4", D(2026, 11, 23), CALENDAR)
    assert schedule.number == 1 and schedule.due_by == D(2027, 3, 10)
    assert schedule.meeting_by == D(2027, 2, 10)
    assert schedule.invitations_by == D(2026, 12, 18)   # 30/12 is in the Christmas holiday
    assert schedule.papers_by == D(2027, 1, 27) and schedule.report_by == D(2027, 2, 24)
    assert schedule.year_group == 4 and not schedule.pfa and schedule.transition is None


def test_a_meeting_date_in_the_holidays_moves_back_to_the_last_school_day():
    # Anniversary 28/11/2027: four weeks before is Sunday 31/10/2027, in half-term, so the
    # meeting should be by Friday 22 October.
    schedule = review_schedule(plan(D(2026, 11, 28)), "3", D(2026, 11, 28), CALENDAR)
    assert schedule.meeting_by == D(2027, 10, 22)


def test_a_29_february_plan_is_reviewed_by_28_february_in_ordinary_years():
    schedule = review_schedule(plan(D(2028, 2, 29)), "2", D(2028, 3, 1), CALENDAR)
    assert schedule.due_by == D(2029, 2, 28) and schedule.meeting_by == D(2029, 1, 31)
    fourth = review_schedule(plan(D(2028, 2, 29), D(2029, 1, 31), D(2030, 1, 31), D(2031, 1, 31)),
                             "2", D(2031, 2, 1), CALENDAR)
    assert fourth.number == 4 and fourth.due_by == D(2032, 2, 28)  # a year after 28/02/2031


def test_a_meeting_held_on_time_keeps_the_anniversary_and_an_early_one_moves_it():
    on_time = review_schedule(plan(D(2025, 3, 10), D(2026, 2, 10)), "4", D(2026, 11, 23), CALENDAR)
    assert on_time.due_by == D(2027, 3, 10)
    early = review_schedule(plan(D(2025, 3, 10), D(2025, 12, 10)), "7", D(2026, 11, 23), CALENDAR)
    assert early.due_by == D(2027, 1, 7) and early.meeting_by == D(2026, 12, 10)


def test_year_6_reviews_are_brought_forward_to_december():
    # Issued in May of Year 5; next May the pupil is in Year 6, so the review must be done by
    # 31 December, which is in the holiday: the last day of the autumn term.
    schedule = review_schedule(plan(D(2026, 5, 14)), "5", D(2026, 6, 10), CALENDAR)
    assert schedule.year_group == 6 and schedule.year6_deadline == D(2026, 12, 31)
    assert schedule.meeting_by == D(2026, 12, 18)
    assert schedule.transition == "Transfer from primary to secondary school"
    assert "brought forward" in schedule.notes[0]


def test_a_year_6_review_already_due_in_the_autumn_is_left_alone():
    schedule = review_schedule(plan(D(2025, 11, 20)), "6", D(2026, 9, 10), CALENDAR)
    assert schedule.meeting_by == D(2026, 10, 23)
    assert schedule.year6_deadline == D(2026, 12, 31) and "done by 31 December" in schedule.notes[0]


def test_year_6_when_the_pupil_is_in_year_5_on_31_december_of_the_previous_year():
    # A Year 5 pupil in December 2026 whose review falls on 9 December 2026 is not yet in Year 6.
    schedule = review_schedule(plan(D(2026, 1, 6)), "5", D(2026, 11, 23), CALENDAR)
    assert schedule.year_group == 5 and schedule.year6_deadline is None


def test_preparing_for_adulthood_from_year_9_and_the_year_11_transition_review():
    year9 = review_schedule(plan(D(2026, 6, 1)), "9", D(2026, 11, 23), CALENDAR)
    assert year9.pfa and year9.transition is None
    same_year = review_schedule(plan(D(2026, 6, 1)), "8", D(2026, 11, 23), CALENDAR)
    assert same_year.year_group == 8 and not same_year.pfa
    year8 = review_schedule(plan(D(2026, 10, 1)), "8", D(2026, 11, 23), CALENDAR)
    assert year8.meeting_by == D(2027, 9, 3) and year8.year_group == 9 and year8.pfa
    year11 = review_schedule(plan(D(2026, 3, 1)), "11", D(2026, 11, 23), CALENDAR)
    assert year11.transition.startswith("Year 11 transition review")
    assert any("careers adviser" in note for note in year11.notes)


def test_a_booked_meeting_sets_the_notice_dates_and_is_flagged_when_late():
    schedule = review_schedule(plan(D(2026, 3, 10), booked=D(2027, 3, 3)), "4", D(2026, 11, 23),
                               CALENDAR)
    assert schedule.booked and schedule.meeting_on == D(2027, 3, 3) and schedule.late
    assert schedule.invitations_by == D(2027, 1, 20)


def test_a_ceased_plan_has_no_schedule():
    ceased = EhcPlan(1, 1, None, D(2026, 3, 10), "Durham", "", "", D(2026, 10, 1), "Moved away",
                     (), (), "")
    assert review_schedule(ceased, "4", D(2026, 11, 23), CALENDAR) is None
