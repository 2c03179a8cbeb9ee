"""The graduated approach in a real encrypted database: pathways, the four parts of a cycle,
decisions, the SEN register, specialists, permissions, audit and what may not be changed."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlcipher3
from tests.apdr_support import ITEMS, OUTCOMES, assess, plan, review, sen_support_pupil

from sendesk.errors import PermissionDenied, ValidationError
from sendesk.models.apdr import Decision, Progress, Stage
from sendesk.models.reviews import ReviewState
from sendesk.records import apdr, registers, sen_register, specialists
from sendesk.store import audit

D = dt.date
DAY = dt.timedelta(days=1)


def _go_to(clock, day: dt.date) -> None:
    clock.advance(dt.datetime.combine(day, dt.time(9, 30), tzinfo=dt.UTC) - clock.now())


def _actions(session) -> list[str]:
    return [row["action"] for row in session.db.query("SELECT action FROM audit_log ORDER BY id")]


def test_a_pathway_needs_sen_support(senco_session):
    pupil = sen_support_pupil(senco_session)
    sen_register.change_status(senco_session, pupil, "N", senco_session.clock.today(), "Error")
    with pytest.raises(ValidationError, match="SEN support"):
        apdr.open_pathway(senco_session, pupil, "23/11/2026")


def test_one_open_pathway_at_a_time(senco_session):
    pupil = sen_support_pupil(senco_session)
    pathway_id = apdr.open_pathway(senco_session, pupil, "23/11/2026")
    with pytest.raises(ValidationError, match="already has an open"):
        apdr.open_pathway(senco_session, pupil, "23/11/2026")
    pathway = apdr.current_pathway(senco_session, pupil)
    assert pathway.id == pathway_id and pathway.stage is Stage.TARGETED and pathway.open
    assert [c.number for c in pathway.cycles] == [1]
    assert pathway.current_cycle.next_part.value == "assess"
    with pytest.raises(ValidationError, match="after today"):
        apdr.open_pathway(senco_session, sen_support_pupil(senco_session), "24/11/2026")


def test_staff_may_read_but_not_plan(senco_session, staff_session):
    pupil = sen_support_pupil(senco_session)
    with pytest.raises(PermissionDenied):
        apdr.open_pathway(staff_session, pupil, "23/11/2026")
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(staff_session, pupil).current_cycle
    with pytest.raises(PermissionDenied):
        apdr.save_assessment(staff_session, cycle.id, {"needs": "x"})
    with pytest.raises(PermissionDenied):
        apdr.save_plan(staff_session, cycle.id, {"aspirations": "x"})


def test_assessment_drafts_resume_and_keep_their_history(senco_session):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle_id = apdr.current_pathway(senco_session, pupil).current_cycle.id
    apdr.save_assessment(senco_session, cycle_id, {"needs": "Slow reading",
                                                   "tools": [{"tool": "YARC", "result": "SS 81"}]})
    draft = apdr.save_assessment(senco_session, cycle_id, {"needs": "Slow word reading"})
    assert draft.needs == "Slow word reading" and not draft.completed
    assert [t.tool for t in draft.tools] == ["YARC"]          # tools untouched when not given
    trail = senco_session.db.query("SELECT field, old_value, new_value FROM field_changes"
                                   " WHERE record_type = 'assessment'")
    assert [tuple(r) for r in trail] == [("needs", "Slow reading", "Slow word reading")]
    with pytest.raises(ValidationError, match="date of the assessment"):
        apdr.complete_assessment(senco_session, cycle_id)
    tools = apdr.save_assessment(senco_session, cycle_id, {"tools": []}).tools
    assert tools == ()
    assert senco_session.db.scalar("SELECT count(*) FROM apdr_assessment_tools WHERE removed_at"
                                   " IS NOT NULL") == 1


def test_finishing_the_assessment_updates_the_primary_need(senco_session):
    pupil = sen_support_pupil(senco_session, needs=("NSA",))
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle_id = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle_id, D(2026, 11, 23), primary_need="SLCN")
    assert [n.code for n in sen_register.needs_history(senco_session, pupil, current_only=True)] \
        == ["SLCN"]
    with pytest.raises(ValidationError, match="finished"):
        apdr.save_assessment(senco_session, cycle_id, {"needs": "changed"})
    # The database itself refuses to change a finished assessment.
    with pytest.raises(sqlcipher3.IntegrityError, match="finished assessment"):
        senco_session.db.execute("UPDATE apdr_assessments SET needs = 'x'")


def test_plan_checks_review_dates_smart_and_cost(senco_session):
    pupil = sen_support_pupil(senco_session, year_group="9")
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle_id = apdr.current_pathway(senco_session, pupil).current_cycle.id
    check = apdr.save_plan(senco_session, cycle_id, {"aspirations": "Work with animals"})
    assert "Finish the Assess part first." in check.problems
    assess(senco_session, cycle_id, D(2026, 11, 23))
    check = apdr.save_plan(senco_session, cycle_id, {
        "plan_date": "23/11/2026", "review_date": "14/04/2027",
        "outcomes": [{"text": "Read more fluently", "measure": "", "target_date": ""}],
        "items": [{"description": "1:1 reading with a TA", "sessions_per_week": "5",
                   "minutes": "60", "rate": "25", "weeks": "38"}]})
    assert check.latest_review_date == D(2027, 3, 1)   # 14 weeks on, a school day
    assert any("no later than 01/03/2027" in p for p in check.problems)
    assert [w.code for w in check.smart] == ["no_measure", "no_date", "no_pfa"]
    # 5 hours a week x 38 weeks x £25 = £4,750: just under 80 % of £6,000.
    assert check.yearly_cost_pence == 475_000 and check.cost_level.value == "under"
    with pytest.raises(ValidationError, match="at least once a term"):
        apdr.agree_plan(senco_session, cycle_id)
    plan_now = apdr.get_cycle(senco_session, cycle_id).plan
    check = apdr.save_plan(senco_session, cycle_id, {
        "review_date": "01/03/2027",
        "items": [{"id": plan_now.items[0].id, **ITEMS[0], "description": "1:1 reading with a TA",
                   "sessions_per_week": "5", "minutes": "60", "rate": "25.27", "group_size": "1"}]})
    assert check.problems == ()
    assert check.cost_level.value == "near" and "80 %" in check.cost_warning
    agreed = apdr.agree_plan(senco_session, cycle_id)
    assert agreed.smart == check.smart       # warnings do not stop agreement
    plan_now = apdr.get_cycle(senco_session, cycle_id).plan
    assert plan_now.agreed and plan_now.items[0].started_on == D(2026, 11, 23)
    with pytest.raises(ValidationError, match="agreed"):
        apdr.save_plan(senco_session, cycle_id, {"aspirations": "changed"})
    with pytest.raises(sqlcipher3.IntegrityError, match="agreed plan"):
        senco_session.db.execute("UPDATE apdr_outcomes SET text = 'x'")
    with pytest.raises(sqlcipher3.IntegrityError, match="agreed plan"):
        senco_session.db.execute("UPDATE apdr_provision_items SET rate_pence = 1")


def test_over_the_threshold(senco_session):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle_id = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle_id, D(2026, 11, 23))
    check = plan(senco_session, cycle_id, D(2026, 11, 23), D(2027, 2, 12), items=ITEMS + [
        {"description": "Full-time 1:1 support", "sessions_per_week": "5", "minutes": "300",
         "rate": "14", "weeks": "38"}])
    assert check.cost_level.value == "over" and "more than" in check.cost_warning


def test_three_cycles_targeted_then_specialist(senco_session, staff_session, clock):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    # Cycle 1: targeted.
    c1 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c1, D(2026, 11, 23))
    plan(senco_session, c1, D(2026, 11, 23), D(2027, 2, 12))
    item = apdr.get_cycle(senco_session, c1).plan.items[0]
    _go_to(clock, D(2026, 11, 30))
    apdr.log_delivery(staff_session, item.id, "26/11/2026", True)
    missed = apdr.log_delivery(staff_session, item.id, "27/11/2026", False, "Pupil absent")
    with pytest.raises(ValidationError, match="why the session was missed"):
        apdr.log_delivery(staff_session, item.id, "27/11/2026", False)
    with pytest.raises(ValidationError, match="before the start"):
        apdr.log_delivery(staff_session, item.id, "22/11/2026", True)
    apdr.withdraw_delivery(staff_session, missed, "Logged for the wrong pupil")
    log = apdr.delivery_log(senco_session, c1)
    assert [(e.delivered, e.withdrawn) for e in log] == [(True, False), (False, True)]
    assert log[0].entered_by == "Owen Williams"

    _go_to(clock, D(2027, 2, 12))
    due = apdr.reviews_due(senco_session)
    assert due[0].state is ReviewState.DUE and due[0].review_date == D(2027, 2, 12)
    result = review(senco_session, c1, D(2027, 2, 12), "continue_targeted")
    assert result.stage is Stage.TARGETED and not result.pathway_closed
    # Cycle 2 begins the day of the review; it starts from the last plan.
    pathway = apdr.current_pathway(senco_session, pupil)
    c2 = pathway.current_cycle
    assert c2.number == 2 and c2.started_on == D(2027, 2, 12)
    assert apdr.reviews_due(senco_session)[0].state is ReviewState.NO_PLAN
    assess(senco_session, c2.id, D(2027, 2, 12))
    copied = apdr.copy_previous_plan(senco_session, c2.id)
    assert copied.yearly_cost_pence == apdr.get_cycle(senco_session, c1).plan.yearly_cost_pence
    draft = apdr.get_cycle(senco_session, c2.id).plan
    assert [o.text for o in draft.outcomes] == [o["text"] for o in OUTCOMES]
    assert all(o.target_date is None for o in draft.outcomes)
    plan(senco_session, c2.id, D(2027, 2, 12), D(2027, 5, 14))

    # A specialist is involved during cycle 2, with the parents' consent.
    _go_to(clock, D(2027, 3, 1))
    involvement = specialists.add_involvement(senco_session, pupil, {
        "service": "SALT", "referral_date": "01/03/2027", "consent": "pending",
        "reason": "Limited progress with vocabulary"})
    _go_to(clock, D(2027, 3, 20))
    with pytest.raises(ValidationError, match="consent"):
        specialists.add_visit(senco_session, involvement, "15/03/2027")
    specialists.update_involvement(senco_session, involvement, {
        "consent": "given", "consent_date": "03/03/2027", "consent_from": "Mrs Okafor"})
    specialists.add_visit(senco_session, involvement, "15/03/2027", "Assessed in school")
    report = specialists.attach_report(senco_session, involvement, "SALT report.pdf",
                                       b"%PDF-1.7 invented report", "Speech and language report",
                                       "18/03/2027")
    rec = specialists.add_recommendation(senco_session, involvement, "Daily 10-minute "
                                         "narrative therapy", "18/03/2027", report)
    assert [r.id for r in specialists.recommendations_not_in_plan(senco_session, pupil)] == [rec]

    _go_to(clock, D(2027, 5, 14))
    result = review(senco_session, c2.id, D(2027, 5, 14), "move_to_specialist",
                    progress="not_yet", specialist_views={involvement: {
                        "view": "Some progress with vocabulary", "given_as": "report"}})
    assert result.stage is Stage.SPECIALIST
    pathway = apdr.current_pathway(senco_session, pupil)
    assert pathway.stage is Stage.SPECIALIST
    c3 = pathway.current_cycle
    assert (c3.number, c3.stage) == (3, Stage.SPECIALIST)
    assert apdr.get_cycle(senco_session, c2.id).review.specialist_views[0].view \
        == "Some progress with vocabulary"

    # Cycle 3: the specialist's recommendation is carried into the plan.
    assess(senco_session, c3.id, D(2027, 5, 14))
    plan(senco_session, c3.id, D(2027, 5, 14), D(2027, 7, 16), items=ITEMS + [
        {"description": "Narrative therapy", "area": "CI", "delivered_by": "TA trained by SALT",
         "sessions_per_week": "5", "minutes": "10", "rate": "18", "recommendation_id": rec}])
    assert specialists.recommendations_not_in_plan(senco_session, pupil) == []
    carried = [i for i in apdr.get_cycle(senco_session, c3.id).plan.items if i.recommendation_id]
    assert [i.description for i in carried] == ["Narrative therapy"]
    assert specialists.involvements(senco_session, pupil)[0].recommendations[0].item_ids \
        == (carried[0].id,)

    _go_to(clock, D(2027, 7, 16))
    result = review(senco_session, c3.id, D(2027, 7, 16), "request_ehcna", progress="partly")
    assert result.decision is Decision.REQUEST_EHCNA and result.stage is Stage.SPECIALIST
    counts = apdr.cycle_counts(senco_session, pupil)
    assert (counts.total, counts.completed, counts.targeted, counts.specialist) == (4, 3, 2, 1)
    history = apdr.pathways(senco_session, pupil)[0]
    assert [(c.number, c.stage.value, c.reviewed) for c in history.cycles] == [
        (1, "targeted", True), (2, "targeted", True), (3, "specialist", True), (4, "specialist", False)]
    actions = _actions(senco_session)
    for expected in ("opened a SEND pathway", "finished an assessment", "agreed a support plan",
                     "logged provision delivery", "withdrew a delivery log entry",
                     "held a review", "stored a specialist report",
                     "recorded a specialist recommendation"):
        assert expected in actions
    assert audit.verify(senco_session.db).intact
    with pytest.raises(ValidationError, match="finished and kept"):
        apdr.save_plan(senco_session, c1, {"aspirations": "rewrite history"})
    with pytest.raises(sqlcipher3.IntegrityError, match="held review"):
        senco_session.db.execute("UPDATE apdr_reviews SET decision = 'attendance'")


def test_back_to_ordinary_provision_takes_the_pupil_off_the_register(senco_session, clock):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    c1 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c1, D(2026, 11, 23))
    plan(senco_session, c1, D(2026, 11, 23), D(2027, 2, 12))
    _go_to(clock, D(2027, 2, 15))
    assert apdr.reviews_due(senco_session)[0].state is ReviewState.OVERDUE
    assert apdr.reviews_due(senco_session)[0].days_overdue == 3
    _go_to(clock, D(2027, 2, 22))   # the review is held after the half-term holiday
    result = review(senco_session, c1, D(2027, 2, 22), "back_to_ordinary", progress="achieved")
    assert result.pathway_closed and result.register_changed and result.next_cycle_id is None
    assert sen_register.status_history(senco_session, pupil)[-1].status == "N"
    monitoring = [e for e in registers.list_entries(senco_session, pupil)
                  if e.kind.value == "monitoring"]
    assert monitoring[0].start_date == D(2027, 2, 22) and monitoring[0].review_date is not None
    pathway = apdr.pathways(senco_session, pupil)[0]
    assert not pathway.open and pathway.close_decision is Decision.BACK_TO_ORDINARY
    assert apdr.current_pathway(senco_session, pupil) is None
    assert apdr.reviews_due(senco_session) == []


def test_other_pathways_close_without_touching_the_register(senco_session, clock):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    c1 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c1, D(2026, 11, 23))
    plan(senco_session, c1, D(2026, 11, 23), D(2027, 2, 12))
    _go_to(clock, D(2027, 2, 12))
    result = review(senco_session, c1, D(2027, 2, 12), "attendance")
    assert result.pathway_closed and not result.register_changed
    assert sen_register.status_history(senco_session, pupil)[-1].status == "K"


def test_a_failed_register_update_leaves_the_review_open(senco_session, clock, monkeypatch):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    c1 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c1, D(2026, 11, 23))
    plan(senco_session, c1, D(2026, 11, 23), D(2027, 2, 12))
    _go_to(clock, D(2027, 2, 12))

    def broken(*args, **kwargs):
        raise ValidationError("The register could not be changed.")
    monkeypatch.setattr(registers, "add_entry", broken)
    with pytest.raises(ValidationError, match="register could not"):
        review(senco_session, c1, D(2027, 2, 12), "back_to_ordinary", progress="achieved")
    assert apdr.current_pathway(senco_session, pupil).open
    assert not apdr.get_cycle(senco_session, c1).review.completed
    assert sen_register.status_history(senco_session, pupil)[-1].status == "K"


def test_risk_of_exclusion_forces_a_change_of_provision(senco_session, clock):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    c1 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c1, D(2026, 11, 23))
    plan(senco_session, c1, D(2026, 11, 23), D(2027, 2, 12))
    _go_to(clock, D(2027, 2, 12))
    with pytest.raises(ValidationError, match="risk of exclusion"):
        review(senco_session, c1, D(2027, 2, 12), "back_to_ordinary", at_risk=True)
    apdr.save_review(senco_session, c1, {"decision": "continue_targeted"})
    apdr.complete_review(senco_session, c1)
    c2 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c2, D(2027, 2, 12))
    apdr.copy_previous_plan(senco_session, c2)
    check = apdr.save_plan(senco_session, c2, {"plan_date": D(2027, 2, 12),
                                               "review_date": D(2027, 5, 14)})
    assert any("provision must change" in p for p in check.problems)
    with pytest.raises(ValidationError, match="provision must change"):
        apdr.agree_plan(senco_session, c2)
    items = [i for i in apdr.get_cycle(senco_session, c2).plan.items]
    apdr.save_plan(senco_session, c2, {"items": [
        {"id": i.id, **i.fields(), "rate_pence": i.rate_pence} for i in items] + [
        {"description": "Daily check-in with a key adult", "sessions_per_week": "5",
         "minutes": "10", "rate": "18", "area": "SEMH"}]})
    apdr.agree_plan(senco_session, c2)


def test_a_review_needs_progress_on_every_outcome(senco_session, clock):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    c1 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c1, D(2026, 11, 23))
    plan(senco_session, c1, D(2026, 11, 23), D(2027, 2, 12))
    _go_to(clock, D(2027, 1, 20))   # sooner than agreed is allowed
    first = apdr.get_cycle(senco_session, c1).plan.outcomes[0]
    apdr.save_review(senco_session, c1, {
        "held_on": "20/01/2027", "attendees": "Mother; SENCO", "child_views": "ok",
        "parent_views": "ok", "decision": "continue_targeted",
        "progress": {first.id: {"progress": "achieved"}}})
    with pytest.raises(ValidationError, match="outcome 2"):
        apdr.complete_review(senco_session, c1)
    with pytest.raises(ValidationError, match="not a next step"):
        apdr.save_review(senco_session, c1, {"decision": "request_ehcna"})
    draft = apdr.get_cycle(senco_session, c1).review
    assert draft.progress[first.id][0] is Progress.ACHIEVED and not draft.completed


def test_provision_added_and_ended_mid_cycle(senco_session, clock):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    c1 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c1, D(2026, 11, 23))
    before = plan(senco_session, c1, D(2026, 11, 23), D(2027, 2, 12)).yearly_cost_pence
    _go_to(clock, D(2026, 12, 1))
    added = apdr.add_provision(senco_session, c1, {"description": "Writing slope",
                                                   "cost_basis": "year", "rate": "24.99"}, "01/12/2026")
    plan_now = apdr.get_cycle(senco_session, c1).plan
    assert plan_now.yearly_cost_pence == before + 2499
    apdr.end_provision(senco_session, added, "01/12/2026", "Not needed after all")
    plan_now = apdr.get_cycle(senco_session, c1).plan
    assert plan_now.yearly_cost_pence == before and len(plan_now.items) == 3
    apdr.log_delivery(senco_session, added, "01/12/2026", True)
    _go_to(clock, D(2026, 12, 3))
    with pytest.raises(ValidationError, match="after the day the provision ended"):
        apdr.log_delivery(senco_session, added, "02/12/2026", True)
    apdr.record_plan_shared(senco_session, c1, "01/12/2026")
    assert apdr.get_cycle(senco_session, c1).plan.shared_on == D(2026, 12, 1)


def test_too_few_reviews_in_the_first_year_of_sen_support(senco_session, clock):
    # Once only a pathway open a year or more was counted, so nine months with one review
    # passed unflagged.
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    c1 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c1, D(2026, 11, 23))
    plan(senco_session, c1, D(2026, 11, 23), D(2027, 2, 26))
    _go_to(clock, D(2027, 2, 26))
    review(senco_session, c1, D(2027, 2, 26), "continue_targeted")
    c2 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c2, D(2027, 2, 26))
    plan(senco_session, c2, D(2027, 2, 26), D(2027, 5, 28))
    _go_to(clock, D(2027, 5, 20))
    due = apdr.reviews_due(senco_session)[0]
    assert due.reviews_last_year == 1 and not due.too_few_reviews    # six months: one is enough
    _go_to(clock, D(2027, 8, 23))
    due = apdr.reviews_due(senco_session)[0]
    assert due.reviews_last_year == 1 and due.too_few_reviews
    assert due.state is ReviewState.OVERDUE


@pytest.mark.sqlcipher_only(reason="reads the database file's bytes")
def test_reports_are_stored_encrypted_and_audited_when_opened(senco_session, staff_session, school):
    pupil = sen_support_pupil(senco_session)
    involvement = specialists.add_involvement(senco_session, pupil, {
        "service": "EP", "referral_date": "02/11/2026", "consent": "given",
        "consent_date": "01/11/2026"})
    marker = b"%PDF-1.7 ZEBRAFINCH-REPORT-MARKER"
    report = specialists.attach_report(senco_session, involvement, "ep.pdf", marker, "", "20/11/2026")
    name, media, content = specialists.report_content(staff_session, report)
    assert (name, media, content) == ("ep.pdf", "application/pdf", marker)
    assert "opened a specialist report" in _actions(staff_session)
    assert marker not in school[0].read_bytes()
    with pytest.raises(PermissionDenied):
        specialists.attach_report(staff_session, involvement, "ep.pdf", marker, "", "20/11/2026")
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be changed"):
        senco_session.db.execute("UPDATE specialist_reports SET content = x'00'")
    info = specialists.involvements(staff_session, pupil)[0]
    assert info.educational and info.reports[0].size == len(marker)


def test_recommendations_not_adopted_leave_the_waiting_list(senco_session):
    pupil = sen_support_pupil(senco_session)
    involvement = specialists.add_involvement(senco_session, pupil, {
        "service": "OT", "referral_date": "02/11/2026", "consent": "given",
        "consent_date": "01/11/2026"})
    rec = specialists.add_recommendation(senco_session, involvement, "Weighted blanket",
                                         "20/11/2026")
    assert len(specialists.recommendations_not_in_plan(senco_session, pupil)) == 1
    specialists.mark_not_adopted(senco_session, rec, "Parents prefer to try a wobble cushion first")
    assert specialists.recommendations_not_in_plan(senco_session, pupil) == []
    other = sen_support_pupil(senco_session, surname="Nowak")
    apdr.open_pathway(senco_session, other, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, other).current_cycle.id
    with pytest.raises(ValidationError, match="not one of this pupil's"):
        apdr.save_plan(senco_session, cycle, {"items": [dict(ITEMS[0], recommendation_id=rec)]})


def test_archived_pupils_are_read_only(senco_session):
    from sendesk.records import pupils
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    pupils.archive_leaver(senco_session, pupil, "23/11/2026", "Moved away")
    with pytest.raises(PermissionDenied, match="archived"):
        apdr.save_assessment(senco_session, cycle, {"needs": "x"})
    assert apdr.reviews_due(senco_session) == []


def test_report_files_are_read_with_the_size_limit_and_copies_need_export(
        senco_session, staff_session, tmp_path, monkeypatch):
    from sendesk.models import specialists as rules
    pupil = sen_support_pupil(senco_session)
    involvement = specialists.add_involvement(senco_session, pupil, {
        "service": "SALT", "referral_date": "02/11/2026", "consent": "given",
        "consent_date": "01/11/2026"})
    source = tmp_path / "salt.pdf"
    source.write_bytes(b"%PDF-1.7 report")
    report = specialists.attach_report_file(senco_session, involvement, source, "SALT report",
                                            "20/11/2026")
    monkeypatch.setattr(rules, "MAX_REPORT_BYTES", 10)
    with pytest.raises(ValidationError, match="up to 0 MB"):
        specialists.attach_report_file(senco_session, involvement, source, "", "20/11/2026")
    with pytest.raises(ValidationError, match="could not be read"):
        specialists.attach_report_file(senco_session, involvement, tmp_path / "gone.pdf", "",
                                       "20/11/2026")
    copy = tmp_path / "copy.pdf"
    with pytest.raises(PermissionDenied):
        specialists.save_report_copy(staff_session, report, copy)
    assert specialists.save_report_copy(senco_session, report, copy) == 15
    assert copy.read_bytes() == b"%PDF-1.7 report"
    assert "saved a copy of a specialist report" in _actions(senco_session)


def test_a_plan_meeting_or_review_is_not_held_when_the_school_is_shut(senco_session, clock):
    # rev20's finding 4: a plan agreed on Saturday 21/11/2026 or Christmas Day, and a review
    # held on a Saturday, were all accepted. Refused in one sentence naming the next school
    # day, and nothing is saved; a date stored before the rule is kept when other fields change.
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "16/11/2026")
    c1 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c1, D(2026, 11, 16))
    with pytest.raises(ValidationError, match=r"^Saturday 21/11/2026 is not a school day; the "
                                              r"next school day is Monday 23/11/2026\.$") as no:
        plan(senco_session, c1, D(2026, 11, 21), D(2027, 2, 12))
    assert no.value.field == "plan_date"
    with pytest.raises(ValidationError, match=r"^Friday 25/12/2026 is a bank holiday \(Christmas "
                                              r"Day\), not a school day"):
        apdr.save_plan(senco_session, c1, {"plan_date": D(2026, 12, 25)})
    assert apdr.get_cycle(senco_session, c1).plan is None
    apdr.save_plan(senco_session, c1, {"plan_date": D(2026, 11, 20)})
    senco_session.db.execute("UPDATE apdr_plans SET plan_date = '2026-11-21'")  # before the rule
    apdr.save_plan(senco_session, c1, {"aspirations": "To be a vet."})
    assert apdr.get_cycle(senco_session, c1).plan.plan_date == D(2026, 11, 21)
    plan(senco_session, c1, D(2026, 11, 20), D(2027, 2, 12))
    _go_to(clock, D(2027, 2, 12))
    with pytest.raises(ValidationError, match=r"^Saturday 06/02/2027 is not a school day") as no:
        apdr.save_review(senco_session, c1, {"held_on": D(2027, 2, 6)})
    assert no.value.field == "held_on"
    assert apdr.get_cycle(senco_session, c1).review is None
    apdr.save_review(senco_session, c1, {"held_on": D(2027, 2, 5)})
    senco_session.db.execute("UPDATE apdr_reviews SET held_on = '2027-02-06'")
    apdr.save_review(senco_session, c1, {"attendees": "Ms Patel (SENCO)"})
    assert apdr.get_cycle(senco_session, c1).review.held_on == D(2027, 2, 6)


def test_a_draft_kept_on_a_saturday_cannot_be_agreed_on_it(senco_session, clock):
    # rev20b's finding 1: a draft whose plan date was a Saturday (saved before the rule) was
    # agreed as held on Saturday 21/11/2026. Keeping the date while the draft is edited is
    # fine; agreeing is a new act on that day, refused with the sentence naming the next
    # school day, and the plan stays a draft.
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "16/11/2026")
    c1 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c1, D(2026, 11, 16))
    plan(senco_session, c1, D(2026, 11, 20), D(2027, 2, 12), agree=False)
    senco_session.db.execute("UPDATE apdr_plans SET plan_date = '2026-11-21'")  # before the rule
    check = apdr.check_plan(senco_session, c1)
    assert "Saturday 21/11/2026 is not a school day; the next school day is Monday 23/11/2026." \
        in check.problems
    with pytest.raises(ValidationError, match=r"^Saturday 21/11/2026 is not a school day; the "
                                              r"next school day is Monday 23/11/2026\.$"):
        apdr.agree_plan(senco_session, c1)
    assert not apdr.get_cycle(senco_session, c1).plan.agreed
