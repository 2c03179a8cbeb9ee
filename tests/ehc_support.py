"""Pupils for the EHC tests: one whose record meets every readiness item, built through the same
graduated-approach steps a SENCO takes, and the plan and request helpers."""

from __future__ import annotations

import datetime as dt

from apdr_support import assess, plan, review, sen_support_pupil
from sendesk.records import apdr, ehc, ehcna, specialists

D = dt.date

# Costly enough to reach the notional budget: 1:1 TA for an hour a day (£4,750) and a package.
COSTLY_ITEMS = [
    {"description": "1:1 teaching assistant for literacy", "area": "CL", "delivered_by":
     "Teaching assistant", "sessions_per_week": "5", "minutes": "60", "weeks": "38", "rate": "25",
     "group_size": "1"},
    {"description": "Specialist teacher programme", "area": "CL", "delivered_by":
     "Specialist teacher", "cost_basis": "year", "rate": "900"},
]

ANSWERS = {
    "holistic": "Education, health (school nurse) and care views gathered at each assessment.",
    "disruption": "Attendance 97 %; no reduced timetable; one school since Reception.",
    "social_care": "Early Help assessment in March 2026 found no unmet family needs.",
    "expertise": "Precision teaching, 1:1 support and specialist teacher advice all used.",
}


def three_cycles(session, *, surname: str = "Okafor", year_group: str = "4",
                 items=None, outcomes=None, last_decision: str = "request_ehcna") -> int:
    """A pupil with two reviewed plans and a current agreed one (today is 23/11/2026)."""
    pupil_id = sen_support_pupil(session, surname=surname, year_group=year_group,
                                 since=D(2026, 1, 5))
    pathway_id = apdr.open_pathway(session, pupil_id, D(2026, 1, 5))
    cycle = apdr.pathways(session, pupil_id)[0].cycles[0].id
    assess(session, cycle, D(2026, 1, 7))
    plan(session, cycle, D(2026, 1, 12), D(2026, 3, 27), outcomes=outcomes, items=items)
    cycle = review(session, cycle, D(2026, 3, 20), "move_to_specialist").next_cycle_id
    assess(session, cycle, D(2026, 3, 23))
    plan(session, cycle, D(2026, 3, 25), D(2026, 7, 1), outcomes=outcomes, items=items)
    cycle = review(session, cycle, D(2026, 6, 30), last_decision).next_cycle_id
    assess(session, cycle, D(2026, 9, 7))
    plan(session, cycle, D(2026, 9, 10), D(2026, 12, 11), outcomes=outcomes,
         items=COSTLY_ITEMS if items is None else items)
    assert apdr.current_pathway(session, pupil_id).id == pathway_id
    return pupil_id


def educational_psychologist(session, pupil_id: int, *, consent: str = "given",
                             recommendation: bool = True) -> int:
    involvement = specialists.add_involvement(session, pupil_id, {
        "service": "EP", "professional": "Dr Ruth Ames", "referral_date": D(2026, 4, 1),
        "reason": "Slow progress in literacy despite targeted support.", "consent": consent,
        "consent_date": D(2026, 4, 2) if consent != "pending" else None,
        "consent_from": "Mrs Okafor"})
    if recommendation and consent == "given":
        specialists.add_recommendation(session, involvement, "Daily precision teaching.",
                                       D(2026, 5, 1))
    return involvement


def answer_all(session, pupil_id: int, skip: tuple[str, ...] = ()) -> None:
    for key, note in ANSWERS.items():
        if key not in skip:
            ehcna.answer_question(session, pupil_id, key, True, note)


def ready_pupil(session, **kwargs) -> int:
    pupil_id = three_cycles(session, **kwargs)
    educational_psychologist(session, pupil_id)
    answer_all(session, pupil_id)
    return pupil_id


def issued_plan(session, pupil_id: int, issued_on: dt.date, request_id: int | None = None,
                timing_acknowledged: bool = False, **extra) -> int:
    return ehc.record_plan(session, pupil_id, {
        "issued_on": issued_on, "local_authority": "Durham", "caseworker": "Sam Reid",
        "caseworker_contact": "sam.reid@example.org",
        "outcomes": [{"text": "Read age-appropriate books independently by the end of Key Stage 2",
                      "pfa_area": None,
                      "steps": [{"text": "Read 100 high-frequency words", "target_date": D(2027, 3, 1)},
                                {"text": "Read a level 8 book aloud", "target_date": D(2027, 7, 1)}]}],
        **extra}, request_id=request_id, timing_acknowledged=timing_acknowledged)
