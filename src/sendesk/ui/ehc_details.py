"""What the EHC tab shows of its rows: the columns of its three lists and the documents-model
blocks (ui.document_view draws them) for the chosen readiness item, request and plan.

Kept apart from the tab's widgets so what a SENCO reads about a plan or a request can be changed
(and tested) without the forms and buttons around it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor

from ..documents.model import Builder, Heading, Paragraph, Table
from ..models import dates
from ..models import ehc as rules
from ..models import ehcna as checklist
from ..models.calendar import SchoolCalendar
from ..models.ehc import EhcnaRequest, EhcPlan, MilestoneState
from ..models.ehcna import ReadinessItem
from ..models.outcomes import PFA_AREAS
from ..models.provision import format_money as money
from .apdr_models import AMBER
from .dates import uk
from .document_view import Marked, Shown
from .rows_model import Col

GREEN = QColor("#e3f4e1")

READINESS_COLUMNS: list[Col[ReadinessItem]] = [
    Col("Met", lambda i: "Yes" if i.met else "No"),
    Col("Checklist item", lambda i: i.title),
    Col("What is missing", lambda i: i.missing or "", tooltip=lambda i: i.missing),
]


def _next_milestone(request: EhcnaRequest, today: dt.date) -> str:
    for milestone in rules.timeline(request, today):
        if milestone.done_on is None and milestone.state is not MilestoneState.NOT_NEEDED:
            return f"Week {milestone.week}: {uk(milestone.due)} ({milestone.state.label.lower()})"
    return ""


def request_columns(today: dt.date) -> list[Col[EhcnaRequest]]:
    return [
        Col("Sent", lambda r: uk(r.submitted_on) or "Not yet"),
        Col("Local authority", lambda r: r.local_authority),
        Col("Where it is", lambda r: r.stage.label),
        Col("Next statutory date", lambda r: _next_milestone(r, today)),
    ]


PLAN_COLUMNS: list[Col[EhcPlan]] = [
    Col("Issued", lambda p: uk(p.issued_on)),
    Col("Local authority", lambda p: p.local_authority),
    Col("Caseworker", lambda p: p.caseworker),
    Col("Outcomes", lambda p: len(p.outcomes), align_right=True),
    Col("Annual reviews held", lambda p: len(p.held_reviews), align_right=True),
    Col("Status", lambda p: "Current" if p.current else f"Ceased {uk(p.ceased_on)}"),
]


def _amber(text: str) -> Marked:
    return Marked(Paragraph(text), AMBER.name())


def readiness_blocks(item: ReadinessItem) -> list[Shown]:
    b = Builder()
    b.heading(item.title, 1)
    if item.key in checklist.QUESTION_KEYS:
        b.para(checklist.question(item.key).question, "small")
    shown: list[Shown] = [*b.blocks, Paragraph("Met") if item.met
                          else _amber(f"Missing: {item.missing or ''}")]
    b = Builder()
    if item.evidence:
        b.heading("What the record shows", 2)
        b.bullets(item.evidence)
    else:
        b.para("Nothing recorded yet.")
    return shown + b.blocks


def request_blocks(request: EhcnaRequest, today: dt.date, warning: str | None) -> list[Shown]:
    b = Builder()
    b.heading(f"Request to {request.local_authority}", 1)
    b.para(request.stage.label, "small")
    b.pairs([("Requested by", request.requested_by.label),
             ("Readiness when sent", f"{request.sent_readiness} checklist items met"
              if request.sent_readiness else ""),
             ("Why it was sent then", request.sent_below_readiness_reason or ""),
             ("Parents' consent", uk(request.consent_on)
              + (f" ({request.consent_from})" if request.consent_from else "")),
             ("Head teacher's countersignature",
              f"{request.head_name or ''} {uk(request.head_signed_on)}".strip()),
             ("Sent to the LA", uk(request.submitted_on)),
             ("LA's decision", f"{request.decision.label} ({uk(request.decision_on)})"
              if request.decision else ""),
             ("Plan", f"{request.plan_decision.label} (draft or notice {uk(request.draft_on)})"
              if request.plan_decision else ""),
             ("Final plan issued", uk(request.final_on)),
             ("Withdrawn", uk(request.withdrawn_on))])
    shown: list[Shown] = list(b.blocks)
    missing = request.missing_before_submission
    if request.submitted_on is None and missing:
        shown.append(_amber("Before it is sent: record " + " and ".join(missing) + "."))
    if warning:
        shown.append(_amber(warning))
    milestones = rules.timeline(request, today)
    if milestones:
        shown.append(Heading("The 20-week statutory timeline", 2))
        shown.append(Table(("Week", "Due", "What", "State"), tuple(
            (f"Week {m.week}", uk(m.due), m.title,
             m.state.label + (f" \u2013 done {uk(m.done_on)}" if m.done_on else ""))
            for m in milestones), widths=(0.8, 1.1, 4.0, 1.6)))
    if request.notes:
        b = Builder()
        b.heading("Notes", 3)
        b.para(request.notes)
        shown += b.blocks
    return shown


def booking_flag(day: dt.date, calendar: SchoolCalendar | None) -> str:
    """The agenda's flag on a meeting booked for a day the school is shut (booked before
    bookings were checked), with the way to move it; "" when the day is a school day."""
    why = calendar.not_a_school_day(day) if calendar is not None else None
    if why is None:
        return ""
    return (f"Not a school day, as it is {why}: check the booking. To move the meeting to a school "
            "day, choose Annual review... and change its date.")


def plan_blocks(plan: EhcPlan, schedule: rules.ReviewSchedule | None,
                calendar: SchoolCalendar | None = None) -> list[Shown]:
    """`calendar` flags a meeting booked for a day the school is shut, as the agenda does."""
    b = Builder()
    b.heading(f"EHC plan issued {uk(plan.issued_on)} by {plan.local_authority}", 1)
    b.para(f"Caseworker: {plan.caseworker or 'not recorded'}"
           + (f" ({plan.caseworker_contact})" if plan.caseworker_contact else "")
           + (f" \u00b7 ceased {uk(plan.ceased_on)}: {plan.ceased_reason or ''}"
              if plan.ceased_on else ""), "small")
    shown: list[Shown] = list(b.blocks)
    if schedule is not None:
        anniversary = dates.add_years(plan.issued_on, schedule.number)
        due = f"number {schedule.number}, to be completed by {uk(schedule.due_by)}"
        if anniversary != schedule.due_by:
            due += (f" (a year after the last review ended; the plan's anniversary is "
                    f"{uk(anniversary)})")
        rows = [("Annual review", due),
                ("Meeting", (f"booked for {uk(schedule.meeting_on)}"
                             + (f" (after {uk(schedule.meeting_by)})" if schedule.late else "")
                             if schedule.booked else f"hold by {uk(schedule.meeting_by)}")),
                ("Invite specialists by", f"{uk(schedule.invitations_by)} (six weeks' notice)"
                 + (" \u2013 short notice" if schedule.short_notice else "")),
                ("Send papers by", f"{uk(schedule.papers_by)} (two weeks before)"),
                ("Report to the LA by", f"{uk(schedule.report_by)} (two weeks after)")]
        if schedule.year_group is not None:
            rows.append(("Year group at the meeting", f"Year {schedule.year_group}"
                         if schedule.year_group > 0 else "Reception or nursery"))
        if schedule.transition:
            rows.append(("Transition", schedule.transition))
        flag = booking_flag(schedule.meeting_on, calendar) if schedule.booked else ""
        if flag:
            rows[1] = ("Meeting", rows[1][1] + " (not a school day)")
        b = Builder()
        b.heading("Next annual review", 2)
        b.pairs(rows)
        shown += b.blocks
        shown += [_amber(note) for note in ([flag] if flag else []) + list(schedule.notes)]
    b = Builder()
    b.heading("Long-term outcomes and shorter-term steps", 2)
    if not plan.outcomes:
        b.para("None recorded yet.")
    for outcome in plan.outcomes:
        pfa = f" ({PFA_AREAS[outcome.pfa_area]})" if outcome.pfa_area else ""
        b.heading(f"{outcome.position + 1}. {outcome.text}{pfa}", 3)
        b.bullets(step.text + (f" \u2013 achieved {uk(step.achieved_on)}" if step.achieved_on else (
            f" \u2013 by {uk(step.target_date)}" if step.target_date else ""))
            for step in outcome.steps)
    b.heading("Annual reviews", 2)
    annual = [r for r in plan.reviews if r.kind is rules.ReviewKind.ANNUAL]
    if not annual:
        b.para("None yet.")
    for review in annual:
        if review.held:
            text = (f"Held {uk(review.held_on)}: {review.recommendation.label.lower()}"
                    + ("; Preparing for Adulthood discussed" if review.pfa_discussed else "")
                    + (f"; report to the LA {uk(review.report_sent_on)}" if review.report_sent_on
                       else "; report not yet sent to the LA"))
        else:
            text = (f"Booked for {uk(review.meeting_on)}"
                    + (" (not a school day)" if review.meeting_on is not None
                       and booking_flag(review.meeting_on, calendar) else "")
                    + (f"; invitations sent {uk(review.invitations_sent_on)}"
                       if review.invitations_sent_on else "; invitations not yet sent"))
        b.para(text)
        b.para(review.notes, "small")
    if plan.interim_reviews:
        b.heading("Interim reviews", 2)
        for review in plan.interim_reviews:
            outcome = review.recommendation.label.lower() if review.recommendation else ""
            b.para(f"Held {uk(review.held_on)}: {outcome}"
                   + (f"; report to the LA {uk(review.report_sent_on)}" if review.report_sent_on
                      else ""))
            b.para(review.notes, "small")
    return shown + b.blocks

def provision_blocks(lines: list) -> list[Shown]:
    """The plan's costed provision: the school's notional part and the LA's top-up a year."""
    b = Builder()
    b.heading("Provision and its cost a year", 2)
    b.table(["Provision", "How often", "School's part", "LA top-up"],
            [(x.description, x.frequency, money(x.school_pence), money(x.topup_pence))
             for x in lines], empty="Not costed yet: use Provision and cost...")
    return list(b.blocks)
