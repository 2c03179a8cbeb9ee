"""Shared steps for the graduated-approach tests: a pupil at SEN support and the parts of a cycle."""

from __future__ import annotations

import datetime as dt
from itertools import count

from sendesk.models.upn import check_letter
from sendesk.records import apdr, pupils, sen_register

_serial = count(1)


def make_upn() -> str:
    body = f"801200026{next(_serial) % 1000:03d}"
    return check_letter(body) + body


def sen_support_pupil(session, *, surname: str = "Okafor", forename: str = "Amara",
                      year_group: str = "4", since: dt.date | None = None,
                      needs: tuple[str, ...] = ("SLCN",)) -> int:
    """A pupil on the SEN register at K from `since` (default today)."""
    today = session.clock.today()
    pupil_id = pupils.add_pupil(session, {
        "upn": make_upn(), "legal_surname": surname, "legal_forename": forename,
        "dob": dt.date(today.year - 5 - int(year_group if year_group.isdigit() else 0), 3, 14),
        "gender": "F", "year_group": year_group, "admission_date": dt.date(2022, 9, 5)})
    sen_register.change_status(session, pupil_id, "K", since or today,
                               "Needs identified through the initial concerns flowchart", list(needs))
    return pupil_id


def assess(session, cycle_id: int, day: dt.date, primary_need: str = "SLCN") -> None:
    apdr.save_assessment(session, cycle_id, {
        "assessed_on": day, "parent_views": "Worried she is falling behind with reading.",
        "child_views": "Likes drawing; finds reading 'too hard'.",
        "strengths": "Kind, creative, good at maths facts.",
        "needs": "Limited vocabulary; slow word reading.", "primary_need": primary_need,
        "tools": [{"tool": "Phonics screening check", "result": "24/40", "used_on": day},
                  {"tool": "BPVS-3", "result": "Standard score 78"}]})
    apdr.complete_assessment(session, cycle_id)


OUTCOMES = [
    {"text": "Read the first 100 high-frequency words", "measure": "90 of 100 words read "
     "correctly on two checks", "area": "CL"},
    {"text": "Use new topic vocabulary in class", "measure": "Uses 5 taught words in a "
     "sentence without an adult prompt", "area": "CI"},
]

ITEMS = [
    {"description": "Precision teaching of sight words", "area": "CL", "delivered_by":
     "Teaching assistant", "sessions_per_week": "3", "minutes": "15", "weeks": "38",
     "rate": "18", "group_size": "1"},
    {"description": "Word Aware vocabulary group", "area": "CI", "delivered_by":
     "Teaching assistant", "sessions_per_week": "2", "minutes": "30", "weeks": "38",
     "rate": "18", "group_size": "4"},
]


def plan(session, cycle_id: int, plan_date: dt.date, review_date: dt.date,
         outcomes=None, items=None, agree: bool = True):
    target = review_date - dt.timedelta(days=7)
    check = apdr.save_plan(session, cycle_id, {
        "aspirations": "To be a vet; to read stories to her little brother.",
        "plan_date": plan_date, "review_date": review_date,
        "outcomes": [dict(o, target_date=o.get("target_date", target)) for o in (outcomes or OUTCOMES)],
        "items": items if items is not None else ITEMS})
    if agree:
        check = apdr.agree_plan(session, cycle_id)
    return check


def review(session, cycle_id: int, held_on: dt.date, decision: str, *, progress: str = "partly",
           at_risk: bool = False, specialist_views=None) -> apdr.ReviewResult:
    cycle = apdr.get_cycle(session, cycle_id)
    apdr.save_review(session, cycle_id, {
        "held_on": held_on, "attendees": "Mrs Okafor (mother)\nMs Patel (SENCO)\nMr Hughes (class teacher)",
        "child_views": "Reading is getting easier.", "parent_views": "Pleased with progress.",
        "staff_views": "Good engagement in sessions.", "at_risk_of_exclusion": at_risk,
        "decision": decision, "decision_notes": "Agreed together.",
        "progress": {o.id: {"progress": progress, "comment": ""} for o in cycle.plan.outcomes},
        **({"specialist_views": specialist_views} if specialist_views else {})})
    return apdr.complete_review(session, cycle_id)
