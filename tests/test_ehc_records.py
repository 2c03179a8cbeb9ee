"""EHC needs assessment requests and EHC plans, stored: the order of events is enforced, an
issued plan puts the pupil on the register as E, every change is audited and trailed."""

from __future__ import annotations

import datetime as dt

import pytest

from apdr_support import sen_support_pupil
from ehc_support import issued_plan
from records_fixtures import audit_actions, snapshot
from sendesk.errors import PermissionDenied, ValidationError
from sendesk.models.ehc import MilestoneState, RequestStage, timeline
from sendesk.records import ehc, pupils

D = dt.date

SENT = {"local_authority": "Durham", "consent_on": D(2026, 9, 1), "consent_from": "Mrs Okafor",
        "head_name": "Mr J Lowe", "head_signed_on": D(2026, 9, 2), "submitted_on": D(2026, 9, 3),
        "below_readiness_reason": "The family cannot wait for the next cycle."}


def test_a_request_goes_from_sent_to_a_final_plan(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    request_id = ehc.add_request(senco_session, pupil_id, SENT)
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert request.stage is RequestStage.SUBMITTED
    states = {m.key: (m.due, m.state) for m in timeline(request, D(2026, 11, 23))}
    assert states["decision"] == (D(2026, 10, 15), MilestoneState.OVERDUE)
    assert states["final"] == (D(2027, 1, 21), MilestoneState.UPCOMING)
    ehc.update_request(senco_session, request_id, {"decision": "assess", "decision_on": D(2026, 10, 9)})
    assert ehc.list_requests(senco_session, pupil_id)[0].stage is RequestStage.ASSESSING
    ehc.update_request(senco_session, request_id, {"plan_decision": "issue", "draft_on": D(2026, 11, 2)})
    plan_id = issued_plan(senco_session, pupil_id, D(2026, 11, 23), request_id=request_id)
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert request.stage is RequestStage.PLAN_ISSUED and request.final_on == D(2026, 11, 23)
    [plan] = ehc.list_plans(senco_session, pupil_id)
    assert plan.id == plan_id and plan.request_id == request_id
    assert [s.text for s in plan.outcomes[0].steps] == ["Read 100 high-frequency words",
                                                        "Read a level 8 book aloud"]
    found = pupils.get_pupil(senco_session, pupil_id)
    assert found.sen_status == "E"
    assert "recorded an EHC plan" in audit_actions(senco_session)
    assert "read EHC plans" in audit_actions(senco_session)


@pytest.mark.parametrize("changes, message", [
    ({"consent_on": None}, "parents' signed consent"),
    ({"head_name": ""}, "name of the head teacher who countersigned"),
    ({"head_name": "", "head_signed_on": None}, "head teacher's countersignature"),
    ({"head_signed_on": D(2026, 9, 10)}, "cannot be before the head teacher's countersignature"),
    ({"submitted_on": D(2026, 12, 1)}, "cannot be after today"),
    ({"decision": "assess"}, "decision and the date it was made together"),
    ({"decision": "not_assess", "decision_on": D(2026, 9, 1)}, "cannot be before the date"),
    ({"final_on": D(2026, 11, 1)}, "only after the LA agrees to assess"),
    ({"local_authority": ""}, "Local authority is required"),
])
def test_requests_out_of_order_are_refused_and_change_nothing(senco_session, changes, message):
    pupil_id = sen_support_pupil(senco_session)
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match=message):
        ehc.add_request(senco_session, pupil_id, {**SENT, **changes})
    assert snapshot(senco_session) == before


def test_a_request_being_prepared_has_no_timeline_yet(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    request_id = ehc.add_request(senco_session, pupil_id, {"local_authority": "Durham",
                                                           "consent_on": D(2026, 11, 2)})
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert request.stage is RequestStage.PREPARING and timeline(request, D(2026, 11, 23)) == []
    assert request.missing_before_submission == [
        "the head teacher's countersignature (name and date)"]
    with pytest.raises(ValidationError, match="already has a request in progress"):
        ehc.add_request(senco_session, pupil_id, {"local_authority": "Durham"})
    assert ehc.update_request(senco_session, request_id, {"withdrawn_on": D(2026, 11, 20)}) == ["withdrawn_on"]
    assert ehc.list_requests(senco_session, pupil_id)[0].stage is RequestStage.WITHDRAWN


def test_a_declined_request_needs_no_draft_or_final(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    request_id = ehc.add_request(senco_session, pupil_id, SENT)
    ehc.update_request(senco_session, request_id, {"decision": "not_assess",
                                                   "decision_on": D(2026, 10, 20)})
    [request] = ehc.list_requests(senco_session, pupil_id)
    states = [m.state for m in timeline(request, D(2026, 11, 23))]
    assert states == [MilestoneState.LATE, MilestoneState.NOT_NEEDED, MilestoneState.NOT_NEEDED]
    assert request.stage is RequestStage.NOT_ASSESSED


def test_only_the_senco_records_plans_and_requests(senco_session, staff_session):
    pupil_id = sen_support_pupil(senco_session)
    with pytest.raises(PermissionDenied):
        ehc.add_request(staff_session, pupil_id, SENT)
    with pytest.raises(PermissionDenied):
        issued_plan(staff_session, pupil_id, D(2026, 11, 1))
    assert ehc.list_plans(staff_session, pupil_id) == []


def test_plan_outcomes_and_steps_are_edited_in_place_with_a_trail(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    plan_id = issued_plan(senco_session, pupil_id, D(2026, 3, 2))
    [plan] = ehc.list_plans(senco_session, pupil_id)
    outcome = plan.outcomes[0]
    changed = ehc.update_plan(senco_session, plan_id, {"caseworker": "Ali Khan", "outcomes": [
        {"id": outcome.id, "text": outcome.text, "pfa_area": "independent_living",
         "steps": [{"id": outcome.steps[0].id, "text": outcome.steps[0].text,
                    "target_date": outcome.steps[0].target_date, "achieved_on": D(2026, 11, 2)}]}]})
    assert changed == ["caseworker", "outcomes", "steps"]
    [plan] = ehc.list_plans(senco_session, pupil_id)
    assert plan.caseworker == "Ali Khan" and plan.outcomes[0].pfa_area == "independent_living"
    assert [s.achieved_on for s in plan.outcomes[0].steps] == [D(2026, 11, 2)]
    fields = {r["field"] for r in senco_session.db.query("SELECT field FROM field_changes WHERE"
                                                         " record_type LIKE 'EHC%'")}
    assert {"caseworker", "pfa_area", "achieved_on"} <= fields


def test_one_current_plan_and_a_ceased_plan_is_kept_as_it_was(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    plan_id = issued_plan(senco_session, pupil_id, D(2026, 3, 2))
    with pytest.raises(ValidationError, match="already has a current EHC plan"):
        issued_plan(senco_session, pupil_id, D(2026, 4, 1))
    ehc.cease_plan(senco_session, plan_id, D(2026, 11, 1), "Needs met at SEN support.")
    with pytest.raises(ValidationError, match="ceased"):
        ehc.update_plan(senco_session, plan_id, {"caseworker": "Someone"})
    [plan] = ehc.list_plans(senco_session, pupil_id)
    assert not plan.current and plan.ceased_reason == "Needs met at SEN support."


def test_the_pupil_list_shows_the_apdr_review_and_the_ehc_review(senco_session):
    from ehc_support import three_cycles
    apdr_pupil = three_cycles(senco_session)
    assert pupils.get_pupil(senco_session, apdr_pupil).next_review == D(2026, 12, 11)
    ehc_pupil = sen_support_pupil(senco_session, surname="Hale", year_group="4")
    issued_plan(senco_session, ehc_pupil, D(2026, 3, 10))
    assert pupils.get_pupil(senco_session, ehc_pupil).next_review == D(2027, 2, 10)
    [plan] = ehc.list_plans(senco_session, ehc_pupil)
    ehc.save_review(senco_session, plan.id, {"meeting_on": D(2027, 2, 3)})
    assert pupils.get_pupil(senco_session, ehc_pupil).next_review == D(2027, 2, 3)


def test_annual_reviews_are_booked_then_recorded(senco_session):
    pupil_id = sen_support_pupil(senco_session, year_group="9")
    plan_id = issued_plan(senco_session, pupil_id, D(2025, 12, 1))
    review_id = ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 11, 3),
                                                         "invitations_sent_on": D(2026, 9, 15)})
    with pytest.raises(ValidationError, match="already booked"):
        ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 11, 10)})
    with pytest.raises(ValidationError, match="what the review recommends"):
        ehc.save_review(senco_session, plan_id, {"held_on": D(2026, 11, 3)}, review_id)
    ehc.save_review(senco_session, plan_id, {"held_on": D(2026, 11, 3), "recommendation": "amend",
                                             "pfa_discussed": True}, review_id)
    [plan] = ehc.list_plans(senco_session, pupil_id)
    [review] = plan.reviews
    assert review.held and review.pfa_discussed and review.recommendation.value == "amend"
    schedule = ehc.review_schedule(senco_session, plan)
    assert schedule.number == 2 and schedule.due_by == D(2027, 12, 1) and schedule.pfa


def test_term_dates_are_saved_and_move_the_ehc_review(senco_session, staff_session):
    from sendesk.models.calendar import england_default
    from sendesk.records import school_calendar
    pupil_id = sen_support_pupil(senco_session, year_group="4")
    issued_plan(senco_session, pupil_id, D(2026, 3, 10))        # meeting by 10/02/2027
    spans = [(h.start, h.end) for h in england_default(2026).half_terms]
    spans[2] = (spans[2][0], D(2027, 2, 5))                     # half-term a week earlier
    spans[3] = (D(2027, 2, 15), spans[3][1])
    with pytest.raises(PermissionDenied):
        school_calendar.save_term_dates(staff_session, 2026, spans)
    school_calendar.save_term_dates(senco_session, 2026, spans)
    calendar = school_calendar.load(senco_session)
    assert calendar.is_custom(2026) and not calendar.is_school_day(D(2027, 2, 10))
    assert pupils.get_pupil(senco_session, pupil_id).next_review == D(2027, 2, 5)
    assert "changed the term dates" in audit_actions(senco_session)
    school_calendar.reset_term_dates(senco_session, 2026)
    assert pupils.get_pupil(senco_session, pupil_id).next_review == D(2027, 2, 10)
    school_calendar.set_cutoff_weeks(senco_session, 12)
    assert school_calendar.load(senco_session).ehcna_cutoff(2026) == D(2027, 4, 26)
    with pytest.raises(ValidationError, match="between 1 and 39"):
        school_calendar.set_cutoff_weeks(senco_session, 0)


def test_the_schools_term_dates_set_the_support_plan_review_limit(senco_session):
    from apdr_support import assess
    from sendesk.models.calendar import england_default
    from sendesk.records import apdr, school_calendar
    pupil_id = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil_id, D(2026, 11, 23))
    cycle = apdr.current_pathway(senco_session, pupil_id).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 23))
    check = apdr.save_plan(senco_session, cycle, {"plan_date": D(2026, 11, 23)})
    assert check.latest_review_date == D(2027, 3, 1)     # 14 weeks on, a Monday in term
    spans = [(h.start, h.end) for h in england_default(2026).half_terms]
    spans[2] = (spans[2][0], D(2027, 2, 19))      # a later February half-term: 22/02 to 05/03
    spans[3] = (D(2027, 3, 8), spans[3][1])
    school_calendar.save_term_dates(senco_session, 2026, spans)
    assert apdr.check_plan(senco_session, cycle).latest_review_date == D(2027, 2, 19)
    school_calendar.set_review_weeks(senco_session, 12)
    assert apdr.check_plan(senco_session, cycle).latest_review_date == D(2027, 2, 15)
