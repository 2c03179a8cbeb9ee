"""Issue 20, items 7 and 9 (EHC): who asked for an assessment, interim reviews, an NSA primary
need questioned after a specialist's report, PEP and SEN reviews brought together, an issued
plan closing its request, no plan without a decision to assess, and a request sent below full
readiness keeping its reason. Today is 23/11/2026."""

from __future__ import annotations

import datetime as dt

import pytest

from apdr_support import sen_support_pupil
from ehc_support import educational_psychologist, issued_plan, ready_pupil
from records_fixtures import snapshot
from sendesk.errors import ValidationError
from sendesk.models.agenda import AgendaKind
from sendesk.models.ehc import MilestoneState, RequestedBy, RequestStage, timeline
from sendesk.records import agenda, apdr, ehc, pupil_record, registers, sen_register, specialists

D = dt.date
TODAY = D(2026, 11, 23)
SENT = {"local_authority": "Durham", "consent_on": D(2026, 9, 1), "consent_from": "Mrs Okafor",
        "head_name": "Mr J Lowe", "head_signed_on": D(2026, 9, 2), "submitted_on": D(2026, 9, 3)}
REASON = {"below_readiness_reason": "Needs changed suddenly after a hospital stay."}


# --- who asked --------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["parent", "young_person"])
def test_a_parent_or_young_person_can_be_recorded_as_asking(senco_session, who):
    pupil_id = sen_support_pupil(senco_session, year_group="12")
    # They ask the LA themselves: no school countersignature, no readiness reason asked for.
    ehc.add_request(senco_session, pupil_id, {"local_authority": "Durham", "requested_by": who,
                                              "submitted_on": D(2026, 9, 3)})
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert request.requested_by is RequestedBy(who)
    assert request.stage is RequestStage.SUBMITTED
    assert request.sent_readiness is None


def test_who_asked_is_one_of_three(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="school, a parent or the young person"):
        ehc.add_request(senco_session, pupil_id, {**SENT, **REASON, "requested_by": "uncle"})
    assert snapshot(senco_session) == before


# --- below full readiness ---------------------------------------------------------------------
def test_sending_below_full_readiness_asks_for_the_reason_and_keeps_it(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match=r"shows 1 of 11 items met\. Say why"):
        ehc.add_request(senco_session, pupil_id, SENT)
    assert snapshot(senco_session) == before
    ehc.add_request(senco_session, pupil_id, {**SENT, **REASON})
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert (request.sent_readiness, request.sent_below_readiness_reason) == (
        "1 of 11", REASON["below_readiness_reason"])


def test_sending_later_by_updating_the_request_asks_too(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    request_id = ehc.add_request(senco_session, pupil_id, {k: v for k, v in SENT.items()
                                                           if k != "submitted_on"})
    with pytest.raises(ValidationError, match="Say why the request is being sent"):
        ehc.update_request(senco_session, request_id, {"submitted_on": D(2026, 9, 3)})
    ehc.update_request(senco_session, request_id, {"submitted_on": D(2026, 9, 3), **REASON})
    assert ehc.list_requests(senco_session, pupil_id)[0].sent_readiness == "1 of 11"
    # Later updates do not ask again.
    ehc.update_request(senco_session, request_id, {"notes": "Chased by phone."})


def test_a_fully_ready_request_goes_without_a_reason(senco_session):
    pupil_id = ready_pupil(senco_session)
    ehc.add_request(senco_session, pupil_id, {**SENT, "submitted_on": D(2026, 11, 20),
                                              "consent_on": D(2026, 11, 16),
                                              "head_signed_on": D(2026, 11, 17)})
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert request.sent_readiness == "11 of 11" and request.sent_below_readiness_reason is None


# --- an issued plan closes its request --------------------------------------------------------
def test_an_issued_plan_closes_its_request_and_its_deadlines(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    request_id = ehc.add_request(senco_session, pupil_id, {**SENT, **REASON})
    ehc.update_request(senco_session, request_id, {"decision": "assess",
                                                   "decision_on": D(2026, 10, 9)})
    issued_plan(senco_session, pupil_id, D(2026, 11, 20),   # no request named, no draft date
                timing_acknowledged=True)
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert request.stage is RequestStage.PLAN_ISSUED
    assert (request.final_on, request.draft_on) == (D(2026, 11, 20), D(2026, 11, 20))
    states = {m.key: m.state for m in timeline(request, TODAY)}
    assert MilestoneState.UPCOMING not in states.values()
    assert MilestoneState.OVERDUE not in states.values()
    deadlines = [i for i in agenda.agenda(senco_session, TODAY, D(2027, 3, 1))
                 if i.kind is AgendaKind.EHCNA_DEADLINE]
    assert deadlines == []
    assert ehc.list_plans(senco_session, pupil_id)[0].request_id == request_id


def test_a_plan_without_a_decision_to_assess_is_refused_with_a_sentence(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    ehc.add_request(senco_session, pupil_id, {**SENT, **REASON})
    before = snapshot(senco_session)
    with pytest.raises(ValidationError) as caught:
        issued_plan(senco_session, pupil_id, D(2026, 9, 7))   # four days after it was sent
    assert str(caught.value) == (
        "The request sent on 03/09/2026 has no decision to assess recorded, and a plan comes "
        "only after the LA agrees to assess. Give the date the LA agreed.")
    assert caught.value.field == "decision_on"
    assert snapshot(senco_session) == before


def test_giving_the_decision_with_the_plan_closes_the_request(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    ehc.add_request(senco_session, pupil_id, {**SENT, **REASON})
    issued_plan(senco_session, pupil_id, D(2026, 11, 20), decision_on=D(2026, 10, 9),
                draft_on=D(2026, 11, 2))
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert request.stage is RequestStage.PLAN_ISSUED
    assert (request.decision_on, request.draft_on, request.final_on) == (
        D(2026, 10, 9), D(2026, 11, 2), D(2026, 11, 20))


def test_a_plan_issued_on_a_saturday_or_too_soon_after_its_draft_is_questioned(senco_session):
    # rev20's finding 6: request sent 04/11/2026, LA decision 05/11/2026, plan "issued"
    # Saturday 07/11/2026 was accepted without a word and the draft dated as the issue date.
    pupil_id = sen_support_pupil(senco_session)
    sent = {**SENT, "consent_on": D(2026, 11, 2), "head_signed_on": D(2026, 11, 3),
            "submitted_on": D(2026, 11, 4)}
    ehc.add_request(senco_session, pupil_id, {**sent, **REASON})
    before = snapshot(senco_session)
    with pytest.raises(ValidationError) as caught:
        issued_plan(senco_session, pupil_id, D(2026, 11, 7), decision_on=D(2026, 11, 5))
    assert str(caught.value) == ("Saturday 07/11/2026 is at the weekend: a local authority "
                                 "issues a plan on a working day. Give the date on the plan.")
    assert caught.value.field == "issued_on"
    with pytest.raises(ValidationError, match=r"^Monday 31/08/2026 is a bank holiday: a local"):
        issued_plan(senco_session, pupil_id, D(2026, 8, 31), decision_on=D(2026, 11, 5))
    with pytest.raises(ValidationError) as caught:
        issued_plan(senco_session, pupil_id, D(2026, 11, 6), decision_on=D(2026, 11, 5))
    assert str(caught.value).startswith("No date is recorded for the draft plan. Parents have at "
                                        "least 15 days to comment on a draft")
    assert caught.value.field == "timing_acknowledged"
    with pytest.raises(ValidationError) as caught:
        issued_plan(senco_session, pupil_id, D(2026, 11, 6), decision_on=D(2026, 11, 5),
                    draft_on=D(2026, 11, 5))
    assert str(caught.value) == (
        "The final plan (06/11/2026) comes 1 day after the draft (05/11/2026); parents have at "
        "least 15 days to comment on a draft before the final plan is issued. Check both dates.")
    assert snapshot(senco_session) == before   # asked, and nothing kept
    issued_plan(senco_session, pupil_id, D(2026, 11, 6), decision_on=D(2026, 11, 5),
                draft_on=D(2026, 11, 5), timing_acknowledged=True)   # the person said go on
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert (request.draft_on, request.final_on) == (D(2026, 11, 5), D(2026, 11, 6))
    [plan] = ehc.list_plans(senco_session, pupil_id)
    with pytest.raises(ValidationError, match="Sunday 08/11/2026 is at the weekend"):
        ehc.update_plan(senco_session, plan.id, {"issued_on": D(2026, 11, 8)})
    senco_session.db.execute("UPDATE ehc_plans SET issued_on = '2026-11-07'")  # before the rule
    assert ehc.update_plan(senco_session, plan.id, {"caseworker": "Ali Khan"}) == ["caseworker"]


def test_a_final_plan_fifteen_days_after_its_draft_is_not_questioned(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    ehc.add_request(senco_session, pupil_id, {**SENT, **REASON})
    issued_plan(senco_session, pupil_id, D(2026, 11, 20), decision_on=D(2026, 10, 9),
                draft_on=D(2026, 11, 5))
    assert ehc.list_requests(senco_session, pupil_id)[0].final_on == D(2026, 11, 20)


def test_a_decision_given_before_the_request_was_sent_is_refused(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    ehc.add_request(senco_session, pupil_id, {**SENT, **REASON})
    with pytest.raises(ValidationError, match="cannot be before the date the request was sent"):
        issued_plan(senco_session, pupil_id, D(2026, 11, 20), decision_on=D(2026, 8, 1))


# --- interim reviews --------------------------------------------------------------------------
def test_an_interim_review_is_recorded_with_its_outcome_and_leaves_the_annual_one(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    plan_id = issued_plan(senco_session, pupil_id, D(2025, 12, 1))
    schedule_before = ehc.review_schedule(senco_session, ehc.list_plans(senco_session, pupil_id)[0])
    with pytest.raises(ValidationError, match="outcome of the interim review"):
        ehc.save_review(senco_session, plan_id, {"kind": "interim", "held_on": D(2026, 6, 3)})
    ehc.save_review(senco_session, plan_id, {
        "kind": "interim", "held_on": D(2026, 6, 3), "recommendation": "amend",
        "notes": "Called after the move to a new class; speech and language advice added."})
    [plan] = ehc.list_plans(senco_session, pupil_id)
    [interim] = plan.interim_reviews
    assert (interim.held_on, interim.recommendation.value) == (D(2026, 6, 3), "amend")
    assert plan.held_reviews == ()    # it is not the annual review
    assert ehc.review_schedule(senco_session, plan).due_by == schedule_before.due_by
    # A booking for the annual review can still be made alongside it.
    ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 11, 2)})
    record = pupil_record.open_record(senco_session, pupil_id)
    trail = {(c.record_type, c.field, c.new_value) for c in record.changes}
    assert ("EHC review", "kind", "interim") in trail
    assert ("EHC review", "recommendation", "amend") in trail


# --- NSA after a specialist's report ----------------------------------------------------------
def test_a_report_for_a_pupil_with_nsa_asks_to_review_the_need_until_it_is(senco_session, clock):
    pupil_id = sen_support_pupil(senco_session, needs=("NSA",))
    involvement = educational_psychologist(senco_session, pupil_id, recommendation=False)
    assert specialists.need_review_due(senco_session, pupil_id) is None
    clock.advance(dt.timedelta(minutes=5))
    specialists.attach_report(senco_session, involvement, "report.pdf", b"%PDF-1.4 report",
                              "Educational psychology report", D(2026, 11, 20))
    notice = pupil_record.open_record(senco_session, pupil_id).need_review
    assert notice is not None and "review the primary need" in notice
    assert "20/11/2026" in notice and "Educational psycholog" in notice
    clock.advance(dt.timedelta(minutes=5))
    sen_register.set_needs(senco_session, pupil_id, ["SpLD"], TODAY)
    assert pupil_record.open_record(senco_session, pupil_id).need_review is None


def test_keeping_nsa_after_the_review_clears_the_notice(senco_session, clock):
    pupil_id = sen_support_pupil(senco_session, needs=("NSA",))
    involvement = educational_psychologist(senco_session, pupil_id, recommendation=False)
    specialists.attach_report(senco_session, involvement, "report.pdf", b"%PDF-1.4 report",
                              "Educational psychology report", D(2026, 11, 20))
    with pytest.raises(ValidationError, match="Why NSA still applies"):
        specialists.keep_nsa_after_review(senco_session, pupil_id, "")
    specialists.keep_nsa_after_review(senco_session, pupil_id,
                                      "The report found no specific type of need yet.")
    assert specialists.need_review_due(senco_session, pupil_id) is None


def test_a_pupil_with_a_named_need_is_not_asked(senco_session):
    pupil_id = sen_support_pupil(senco_session, needs=("SLCN",))
    involvement = educational_psychologist(senco_session, pupil_id, recommendation=False)
    specialists.attach_report(senco_session, involvement, "report.pdf", b"%PDF-1.4 report",
                              "Report", D(2026, 11, 20))
    assert specialists.need_review_due(senco_session, pupil_id) is None


# --- PEP and SEN reviews together -------------------------------------------------------------
def _looked_after_with_plan(session, pep_review: dt.date) -> int:
    from apdr_support import assess, plan
    pupil_id = sen_support_pupil(session, since=D(2026, 9, 7))
    apdr.open_pathway(session, pupil_id, D(2026, 9, 7))
    cycle = apdr.pathways(session, pupil_id)[0].cycles[0].id
    assess(session, cycle, D(2026, 9, 8))
    plan(session, cycle, D(2026, 9, 10), D(2026, 12, 11))
    registers.add_entry(session, pupil_id, "looked_after", {
        "start_date": D(2026, 1, 5), "pep_date": D(2026, 10, 1), "pep_review_date": pep_review,
        "responsible_la": "Durham"})
    return pupil_id


def test_the_calendar_proposes_holding_the_pep_and_sen_reviews_together(senco_session):
    _looked_after_with_plan(senco_session, D(2026, 12, 1))
    items = [i for i in agenda.agenda(senco_session, TODAY, D(2027, 1, 31))
             if i.kind is AgendaKind.JOINT_REVIEW]
    [item] = items
    assert item.day == D(2026, 12, 1)
    assert "PEP review (01/12/2026)" in item.detail_on_screen
    assert "SEN support plan review (11/12/2026)" in item.detail_on_screen
    # What leaves the app (a staff calendar) does not say the pupil is looked after.
    assert "PEP" not in item.title + item.detail and "looked" not in item.detail


def test_reviews_far_apart_are_not_paired(senco_session):
    _looked_after_with_plan(senco_session, D(2027, 2, 15))
    assert not [i for i in agenda.agenda(senco_session, TODAY, D(2027, 3, 31))
                if i.kind is AgendaKind.JOINT_REVIEW]


def test_the_next_pep_review_is_not_before_the_latest_pep(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    with pytest.raises(ValidationError, match="Next PEP review"):
        registers.add_entry(senco_session, pupil_id, "looked_after", {
            "start_date": D(2026, 1, 5), "pep_date": D(2026, 10, 1),
            "pep_review_date": D(2026, 9, 1)})
