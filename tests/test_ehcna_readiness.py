"""EHC needs assessment readiness: a pupil whose record meets every item is ready, and taking
away each piece of evidence makes exactly that item unmet, saying what is missing."""

from __future__ import annotations

import datetime as dt

import pytest

from apdr_support import sen_support_pupil
from ehc_support import ANSWERS, COSTLY_ITEMS, answer_all, educational_psychologist, ready_pupil, three_cycles
from records_fixtures import audit_actions
from sendesk.errors import PermissionDenied, ValidationError
from sendesk.models import ehcna as rules
from sendesk.records import ehcna, registers

D = dt.date


def unmet(readiness) -> dict[str, str]:
    return {item.key: item.missing for item in readiness.items if not item.met}


def test_a_pupil_with_the_whole_graduated_approach_on_record_is_ready(senco_session):
    pupil_id = ready_pupil(senco_session)
    readiness = ehcna.assess_readiness(senco_session, pupil_id)
    assert unmet(readiness) == {}
    assert readiness.ready and readiness.exception is None
    assert readiness.score == f"{len(readiness.items)} of {len(readiness.items)}"
    cycles = readiness.item("apdr_cycles")
    assert cycles.evidence[0].startswith("Cycle 1 (targeted stage): plan agreed 12/01/2026")
    assert "reviewed 30/06/2026 (request an EHC needs assessment)" in cycles.evidence[1]
    assert "£5,650.00" in readiness.item("notional_budget").evidence[0]
    assert any("Educational psychology" in e for e in readiness.item("specialists").evidence)
    assert "The review on 30/06/2026 decided" in readiness.item("best_pathway").evidence[0]
    assert all(item.missing is None for item in readiness.items)
    assert audit_actions(senco_session)[-1] == "checked EHC needs assessment readiness"


def test_a_new_pupil_fails_every_evidence_item_and_each_says_what_is_missing(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    readiness = ehcna.assess_readiness(senco_session, pupil_id)
    missing = unmet(readiness)
    assert not readiness.ready
    assert set(missing) == {"holistic", "disruption", "social_care", "apdr_cycles",
                            "reviewed_plans", "current_plan", "expertise", "notional_budget",
                            "specialists", "best_pathway"}
    assert "0 of 3 cycles" in missing["apdr_cycles"]
    assert missing["holistic"].startswith("Answer on the checklist: Have the pupil's")
    assert "Open a SEND pathway" in missing["current_plan"]
    assert "educational service" in missing["specialists"]
    assert readiness.item("eal").met  # not on the EAL register


def test_two_cycles_are_not_enough_and_the_current_plan_must_be_agreed(senco_session, clock):
    pupil_id = three_cycles(senco_session)
    # Drop the third cycle's agreement by looking at a pupil stopped before it.
    evidence = ehcna.gather_evidence(senco_session, pupil_id)
    two = rules.ReadinessEvidence(cycles=evidence.cycles[:2] + (
        rules.CycleEvidence(3, "Specialist stage", None, None, 0, 0, None),),
        current_cycle=3, provision_cost_pence=None)
    missing = unmet(rules.assess(two))
    assert "2 of 3 cycles" in missing["apdr_cycles"]
    assert "Agree cycle 3's plan" in missing["current_plan"]
    assert "reviewed_plans" not in missing


def test_plans_without_measures_or_dates_are_not_smart(senco_session):
    vague = [{"text": "Improve reading", "measure": "better", "target_date": None, "area": "CL"}]
    pupil_id = three_cycles(senco_session, outcomes=vague)
    missing = unmet(ehcna.assess_readiness(senco_session, pupil_id))
    assert "0 of 2 reviewed plans have SMART outcomes" in missing["reviewed_plans"]
    assert "apdr_cycles" not in missing


def test_cheap_provision_is_well_within_the_notional_budget(senco_session):
    cheap = [dict(COSTLY_ITEMS[1], rate="500")]
    pupil_id = three_cycles(senco_session, items=cheap)
    educational_psychologist(senco_session, pupil_id)
    answer_all(senco_session, pupil_id)
    readiness = ehcna.assess_readiness(senco_session, pupil_id)
    assert list(unmet(readiness)) == ["notional_budget"]
    assert "£500.00 a year (8 %" in readiness.item("notional_budget").evidence[0]


@pytest.mark.parametrize("consent, recommendation, expected", [
    ("pending", False, "educational service"),
    ("given", False, "report or recommendations"),
])
def test_specialists_need_consent_and_advice(senco_session, consent, recommendation, expected):
    pupil_id = three_cycles(senco_session)
    educational_psychologist(senco_session, pupil_id, consent=consent, recommendation=recommendation)
    answer_all(senco_session, pupil_id)
    missing = unmet(ehcna.assess_readiness(senco_session, pupil_id))
    assert list(missing) == ["specialists"] and expected in missing["specialists"]


@pytest.mark.parametrize("key", list(ANSWERS))
def test_each_unanswered_question_is_missing_and_a_no_says_what_to_do(senco_session, key):
    pupil_id = three_cycles(senco_session)
    educational_psychologist(senco_session, pupil_id)
    answer_all(senco_session, pupil_id, skip=(key,))
    assert list(unmet(ehcna.assess_readiness(senco_session, pupil_id))) == [key]
    ehcna.answer_question(senco_session, pupil_id, key, False, "Not yet.")
    missing = unmet(ehcna.assess_readiness(senco_session, pupil_id))
    assert missing == {key: rules.question(key).if_no}


def test_the_best_pathway_needs_a_review_decision_or_the_sencos_answer(senco_session):
    pupil_id = three_cycles(senco_session, last_decision="continue_specialist")
    educational_psychologist(senco_session, pupil_id)
    answer_all(senco_session, pupil_id)
    assert list(unmet(ehcna.assess_readiness(senco_session, pupil_id))) == ["best_pathway"]
    ehcna.answer_question(senco_session, pupil_id, "best_pathway", True,
                          "Agreed at a meeting with the EP and parents on 10/11/2026.")
    assert ehcna.assess_readiness(senco_session, pupil_id).ready


def test_a_pupil_learning_english_needs_a_note_on_the_eal_question(senco_session):
    pupil_id = ready_pupil(senco_session)
    registers.add_entry(senco_session, pupil_id, "eal", {"start_date": D(2026, 1, 5),
                                                         "first_language": "Polish"})
    readiness = ehcna.assess_readiness(senco_session, pupil_id)
    assert list(unmet(readiness)) == ["eal"]
    assert "first language: Polish" in readiness.item("eal").evidence[0]
    ehcna.answer_question(senco_session, pupil_id, "eal", True, "")
    assert unmet(ehcna.assess_readiness(senco_session, pupil_id)) == {
        "eal": "Add a note to the answer saying how you know."}
    ehcna.answer_question(senco_session, pupil_id, "eal", True,
                          "Fluent in English; EAL team assessment found the same gaps in Polish.")
    assert ehcna.assess_readiness(senco_session, pupil_id).ready


def test_an_exception_skips_the_cycles_with_its_reason(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    ehcna.record_exception(senco_session, pupil_id, "sudden_change",
                           "Acquired brain injury in September 2026.")
    readiness = ehcna.assess_readiness(senco_session, pupil_id)
    assert readiness.exception == "Sudden and significant change in need"
    assert readiness.exception_reason == "Acquired brain injury in September 2026."
    for key in ("apdr_cycles", "reviewed_plans"):
        assert readiness.item(key).met
        assert "Acquired brain injury" in readiness.item(key).evidence[0]
    assert not readiness.item("current_plan").met
    with pytest.raises(ValidationError, match="already recorded"):
        ehcna.record_exception(senco_session, pupil_id, "newly_arrived", "Arrived from Spain.")
    ehcna.withdraw_exception(senco_session, pupil_id, "Recorded in error.")
    assert ehcna.assess_readiness(senco_session, pupil_id).exception is None


def test_changing_an_answer_keeps_the_old_one_in_the_trail(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    assert ehcna.answer_question(senco_session, pupil_id, "holistic", False, "Health not asked.")
    assert not ehcna.answer_question(senco_session, pupil_id, "holistic", False, "Health not asked.")
    assert ehcna.answer_question(senco_session, pupil_id, "holistic", True, "School nurse seen.")
    old = senco_session.db.query("SELECT field, old_value, new_value FROM field_changes WHERE"
                                 " record_type = 'EHC checklist' ORDER BY id")
    assert ("holistic answer", "0", "1") in [tuple(r) for r in old]


def test_staff_may_read_readiness_but_not_answer(senco_session, staff_session):
    pupil_id = sen_support_pupil(senco_session)
    assert not ehcna.assess_readiness(staff_session, pupil_id).ready
    with pytest.raises(PermissionDenied):
        ehcna.answer_question(staff_session, pupil_id, "holistic", True, "")
    with pytest.raises(PermissionDenied):
        ehcna.record_exception(staff_session, pupil_id, "sudden_change", "x")


def test_unknown_questions_and_exceptions_are_refused(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    with pytest.raises(ValidationError, match="not a question"):
        ehcna.answer_question(senco_session, pupil_id, "favourite_colour", True, "")
    with pytest.raises(ValidationError, match="Choose the circumstance"):
        ehcna.record_exception(senco_session, pupil_id, "bored", "x")
    with pytest.raises(ValidationError, match="Reason is required"):
        ehcna.record_exception(senco_session, pupil_id, "newly_arrived", "  ")
