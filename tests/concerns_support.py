"""Shared by the concerns tests: a pupil with a parent, and named routes through the shipped
initial concerns flowchart (question id, answer id) with what each should lead to."""

from __future__ import annotations

from sendesk.models import upn
from sendesk.records import contacts, pupils

_BEFORE_BEHAVIOUR = [("teaching", "yes"), ("attendance", "no"), ("medical", "no"),
                     ("short_term", "no"), ("looked_after", "no"), ("family", "no"), ("eal", "no")]
_TO_SEN = _BEFORE_BEHAVIOUR + [("behaviour", "no"), ("attainment", "no"), ("additional", "yes"),
                               ("parents_agree", "yes")]

# name: (answers, outcome id, outcome kind, pathway, proposed need code)
ROUTES = {
    "adapt_teaching": ([("teaching", "not_yet")], "out_adapt_teaching", "monitoring", None, None),
    "attendance": ([("teaching", "yes"), ("attendance", "yes")], "out_attendance", "pathway",
                   "attendance", None),
    "ihp": ([("teaching", "yes"), ("attendance", "no"), ("medical", "no_plan")], "out_ihp",
            "pathway", "ihp", None),
    "early_help": ([("teaching", "yes"), ("attendance", "no"), ("medical", "has_plan"),
                    ("short_term", "no"), ("looked_after", "yes"), ("family", "needs_help")],
                   "out_early_help", "pathway", "early_help", None),
    "eal": ([*_BEFORE_BEHAVIOUR[:-1], ("eal", "yes"), ("eal_only", "only_english")], "out_eal",
            "pathway", "eal", None),
    "exclusion": ([*_BEFORE_BEHAVIOUR, ("behaviour", "yes"), ("exclusion", "yes"),
                   ("underlying_at_risk", "no")], "out_exclusion", "pathway",
                  "exclusion_prevention", None),
    "low_attainment": ([*_BEFORE_BEHAVIOUR, ("behaviour", "no"), ("attainment", "yes")],
                       "out_low_attainment", "monitoring", None, None),
    "talk_to_parents": ([*_TO_SEN[:-1], ("parents_agree", "not_yet")], "out_talk_to_parents",
                        "monitoring", None, None),
    "sen_support": ([*_TO_SEN, ("screen_area", "communication"),
                     ("screen_communication", "language"), ("screen_assessed", "yes")],
                    "out_sen_support", "sen_support", None, "SLCN"),
    "sen_unassessed": ([*_TO_SEN, ("screen_area", "semh"), ("screen_assessed", "not_yet")],
                       "out_sen_support_unassessed", "sen_support", None, "NSA"),
}

DISCUSSION = {
    "strengths": "Loves drawing and is kind to younger children.",
    "difficulties": "Struggles to follow spoken instructions with more than two steps.",
    "child_views": "Says maths is fine but 'the talking bits' are hard.",
    "who_took_part": "Mum, class teacher, SENCO",
    "parent_views": "Mum sees the same at home and would like more help with listening.",
    "agreed_outcomes": "Follow a three-step instruction in class by the review.",
    "next_steps": "Class teacher to use visual prompts every lesson.",
}

_serial = iter(range(1, 999))


def add_pupil(session, surname: str = "Okafor", forename: str = "Tobi", *, parent: bool = True) -> int:
    pupil_id = pupils.add_pupil(session, {
        "upn": upn.make_upn("937", "4001", 19, next(_serial)), "legal_surname": surname,
        "legal_forename": forename, "dob": "2018-03-14", "gender": "M", "year_group": "3",
        "class_name": "3B"})
    if parent:
        contacts.add_contact(session, pupil_id, {"name": "Grace Okafor", "relationship": "Mother",
                                                 "parental_responsibility": True})
    return pupil_id
