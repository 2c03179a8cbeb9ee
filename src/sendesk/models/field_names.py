"""How the change history reads: each field the core writes to field_changes, in plain words.

The trail keeps the storage names (`shared_on`, `pfa_area`) and ISO dates, which are exact and
never change; a SENCO reading a pupil's history needs "Shared with parents on" and 12/09/2026.
Every record type that writes to the trail is named here with the table its fields come from,
and every field of it has a label (tests/test_field_names.py checks both against the code and
the schema), so a new field cannot reach the window as an internal name.
"""

from __future__ import annotations

import datetime as dt
import re

from . import dates
from .ehcna import QUESTIONS
from .pupils import FIELD_LABELS as PUPIL_LABELS

# Each record type the core writes to field_changes: how the history names it, and its table.
RECORD_TYPES: dict[str, tuple[str, str]] = {
    "pupil": ("Pupil", "pupils"),
    "contact": ("Contact", "contacts"),
    "consent": ("Consent", "consents"),
    "note": ("Note", "short_notes"),
    "register": ("Register entry", "register_entries"),
    "SEN status": ("SEN status", "sen_status_history"),
    "specialist": ("Specialist", "specialist_involvements"),
    "recommendation": ("Recommendation", "specialist_recommendations"),
    "assessment": ("Assessment", "apdr_assessments"),
    "assessment tool": ("Assessment tool", "apdr_assessment_tools"),
    "plan": ("Support plan", "apdr_plans"),
    "outcome": ("Plan outcome", "apdr_outcomes"),
    "provision": ("Provision", "apdr_provision_items"),
    "review": ("Review", "apdr_reviews"),
    "review progress": ("Review: progress", "apdr_review_progress"),
    "review specialist view": ("Review: specialist's view", "apdr_review_specialist_views"),
    "review shared": ("Review: shared with parents", "apdr_review_shares"),
    "review request": ("Review asked for", "review_requests"),
    "handover": ("Handed over to the next teacher", "class_handovers"),
    "EHC request": ("EHC request", "ehcna_requests"),
    "EHC plan": ("EHC plan", "ehc_plans"),
    "EHC outcome": ("EHC outcome", "ehc_outcomes"),
    "EHC step": ("EHC step", "ehc_outcome_steps"),
    "EHC review": ("EHC review", "ehc_reviews"),
    "EHC checklist": ("EHC readiness", "ehcna_checklist"),
    "exam access": ("Exam access arrangement", "exam_access_arrangements"),
    "my story": ("My Story", "my_story"),
    "EHC provision": ("EHC plan provision", "ehc_provision"),
    "measure": ("Entry and exit measure", "provision_measures"),
}

# Fields named the same way wherever they appear.
LABELS: dict[str, str] = {
    **PUPIL_LABELS,
    # contacts and consent
    "title": "Title", "name": "Name", "relationship": "Relationship",
    "parental_responsibility": "Parental responsibility", "address": "Address",
    "phone": "Phone", "email": "Email", "do_not_disclose_address": "Never disclose the address",
    "ended_on": "Ended on", "given_by": "Given by", "giver_kind": "Given by (who)",
    "given_on": "Date given", "scope": "What may be shared", "withdrawn_on": "Withdrawn on",
    "contact_id": "Contact",
    # notes and registers
    "event_date": "Date of the discussion", "concern": "Concern",
    "parent_discussion": "Discussion with parents", "agreed_actions": "Agreed actions",
    "review_date": "Review by", "reviewed_on": "Reviewed on", "register": "Register",
    "start_date": "From", "end_date": "To", "details": "Details",
    "has_ihp": "Has an individual healthcare plan", "first_language": "First language",
    "pep_date": "Latest PEP", "pep_review_date": "Next PEP review", "responsible_la": "Responsible local authority",
    "protected_address": "Protected address",
    # SEN status
    "status": "Status", "reason": "Reason",
    # specialists
    "service": "Service", "service_detail": "Service (details)", "professional": "Professional",
    "referral_date": "Referral date", "consent": "Parents' consent",
    "consent_date": "Date of consent", "consent_from": "Consent from",
    "text": "Text", "recommended_on": "Date of the recommendation",
    "not_adopted_reason": "Why it was not adopted", "report_id": "Report",
    # the graduated approach (assess, plan, do, review)
    "assessed_on": "Date of the assessment", "parent_views": "Parents' views",
    "child_views": "Pupil's views", "strengths": "Strengths", "needs": "Needs",
    "primary_need": "Primary need", "tool": "Assessment tool", "used_on": "Used on",
    "result": "Result", "aspirations": "Aspirations", "plan_date": "Plan agreed on",
    "shared_on": "Shared on", "responsible_teacher": "Responsible teacher",
    "key_worker": "Key worker", "measure": "How it is measured",
    "target_date": "To achieve by", "area": "Area of need", "pfa_area": "Preparing for adulthood area",
    "description": "Provision", "delivered_by": "Delivered by", "group_size": "Group size",
    "sessions_per_week": "Sessions a week", "minutes": "Minutes a session", "weeks": "Weeks",
    "cost_basis": "Costed as", "rate_pence": "Rate", "recommendation_id": "Recommendation",
    "started_on": "Starts on", "end_reason": "Why it ended", "held_on": "Date of the review",
    "attendees": "Who attended", "staff_views": "Staff views",
    "at_risk_of_exclusion": "At risk of exclusion", "decision": "Decision",
    "decision_notes": "Decision notes", "progress": "Progress", "comment": "Comment",
    "view": "Specialist's view", "given_as": "Given as", "involvement_id": "Specialist",
    "outcome_id": "Outcome",
    # EHC
    "local_authority": "Local authority", "consent_on": "Parents' consent on",
    "head_name": "Headteacher", "head_signed_on": "Signed by the head on",
    "submitted_on": "Sent to the LA on", "decision_on": "Date of the decision",
    "plan_decision": "Decision on a plan", "draft_on": "Draft plan on",
    "final_on": "Final plan on", "notes": "Notes", "request_id": "Request",
    "issued_on": "Issued on", "caseworker": "Caseworker",
    "caseworker_contact": "Caseworker's contact", "ceased_on": "Ceased on",
    "ceased_reason": "Why it ceased", "next_review_by": "Next annual review by",
    "achieved_on": "Achieved on", "meeting_on": "Meeting on",
    "invitations_sent_on": "Invitations sent on", "recommendation": "Recommendation",
    "pfa_discussed": "Preparing for adulthood discussed", "report_sent_on": "Report sent on",
    "answer": "Answer", "answered_on": "Answered on", "note": "Note",
    "requested_by": "Requested by", "sent_readiness": "Readiness when sent",
    "sent_below_readiness_reason": "Why it was sent before it was ready",
    "kind": "Annual or interim",
    # exam access arrangements and My Story
    "arrangement": "Arrangement", "detail": "Details", "assessment": "What the assessment found",
    "evidence": "Normal way of working", "assessor": "Assessor",
    "valid_from": "Valid from", "valid_to": "Valid to",
    "written_on": "Written on", "story": "My Story", "consent_by": "Consent given by",
    "consent_as": "Consent given as", "share_staff": "May be shared with staff here",
    "share_specialists": "May be shared with specialists",
    "share_la": "May be shared with the local authority",
    "share_next_school": "May be shared with the next school",
}
# The same name reads differently in some records.
RECORD_LABELS: dict[tuple[str, str], str] = {
    ("outcome", "measure_name"): "Measure used",
    ("provision", "library_id"): "From the provision library",
    ("EHC provision", "frequency"): "How often",
    ("EHC provision", "school_pence"): "School's part a year",
    ("EHC provision", "topup_pence"): "LA top-up a year",
    ("measure", "item_id"): "Provision line", ("measure", "group_id"): "Provision group",
    ("measure", "entry_value"): "Entry score", ("measure", "entry_date"): "Entry date",
    ("measure", "exit_value"): "Exit score", ("measure", "exit_date"): "Exit date",
    ("note", "review_date"): "Review by",
    ("register", "review_date"): "Review by",
    ("EHC review", "held_on"): "Held on",
    ("EHC step", "text"): "Step", ("EHC outcome", "text"): "Outcome",
    ("outcome", "text"): "Outcome", ("recommendation", "text"): "Recommendation",
    ("recommendation", "status"): "Decision",
    ("SEN status", "status"): "SEN status", ("SEN status", "reason"): "Reason for the change",
    ("plan", "shared_on"): "Shared with parents on",
    ("review shared", "shared_on"): "Shared with parents on",
    ("review request", "review_date"): "Review due by", ("review request", "detail"): "Why",
    ("review request", "reason"): "Reason", ("review request", "raised_on"): "Asked for on",
    ("handover", "handed_to"): "Handed to", ("handover", "handed_on"): "Handed over on",
    ("handover", "class_name"): "Class",
}
# Stored as 1 or 0.
YES_NO = {"parental_responsibility", "do_not_disclose_address", "has_ihp", "protected_address",
          "at_risk_of_exclusion", "answer", "pfa_discussed", "share_staff", "share_specialists",
          "share_la", "share_next_school"}
_QUESTIONS = {q.key: q.title for q in QUESTIONS}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def record_label(record_type: str) -> str:
    return RECORD_TYPES.get(record_type, (record_type.capitalize(), ""))[0]


def field_label(record_type: str, field: str) -> str:
    """A field in plain words ("Shared with parents on"); an unknown one still reads as words."""
    if record_type == "EHC checklist":  # "<question> <field>", one row per readiness question
        question, _, part = field.rpartition(" ")
        title = _QUESTIONS.get(question, question.replace("_", " "))
        return f"{title}: {LABELS.get(part, part).lower()}"
    found = RECORD_LABELS.get((record_type, field)) or LABELS.get(field)
    return found or field.replace("_", " ").capitalize()


def uk_moment(text: str | None) -> str:
    """A stored UTC moment as the school's local time: 12/09/2026 14:32."""
    if not text:
        return ""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return f"{dates.format_uk(moment.date())} {moment:%H:%M}"


def shown_value(record_type: str, field: str, value: str | None) -> str:
    """A value from the trail as the window shows it: UK dates, Yes/No, (blank) for nothing."""
    if value is None or value == "":
        return "(blank)"
    part = field.rpartition(" ")[2] if record_type == "EHC checklist" else field
    if part in YES_NO and value in ("0", "1"):
        return "Yes" if value == "1" else "No"
    if part.endswith("_pence") and value.lstrip("-").isdigit():
        pence = int(value)
        return f"{'-' if pence < 0 else ''}£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"
    if _ISO_DAY.fullmatch(value):
        return dates.format_uk(dt.date.fromisoformat(value))
    if _ISO_MOMENT.match(value):
        return uk_moment(value)
    return value
