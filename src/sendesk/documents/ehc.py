"""EHC documents: the evidence summary for a request for an EHC needs assessment (the readiness
checklist with what the record shows for each item), the EHC chapter of the full file
(requests, plans with their outcomes and steps, annual reviews), and the summary of the plan in
force for the staff who teach the pupil (the handover pack's current plan)."""

from __future__ import annotations

from ..models import dates
from ..models.ehc import EhcnaRequest, EhcPlan, ReviewKind
from ..models.outcomes import PFA_AREAS
from ..models.sen import areas
from ..records import ehc as ehc_records
from ..records import ehc_costs, ehcna
from ..session import Session
from .facts import PupilFacts, year_label
from .model import Builder, Document, SignatureBoxes


def build_evidence(session: Session, facts: PupilFacts, school_name: str) -> Document:
    readiness = ehcna.assess_readiness(session, facts.pupil.id)
    b = Builder()
    b.pairs([*facts.identity_rows(), ("SEN status", facts.status_label),
             ("Primary need", facts.need_label(facts.pupil.primary_need))])
    b.heading("Summary")
    verdict = ("The record shows every item of the checklist met: the request is ready to "
               "prepare." if readiness.ready else
               "Not every item of the checklist is met yet; what is missing is listed under "
               "each item.")
    b.para(f"{readiness.score} items met. {verdict}")
    if readiness.exception:
        b.para(f"Exception recorded: {readiness.exception}."
               + (f" {readiness.exception_reason}" if readiness.exception_reason else ""))
    b.table(["Checklist item", "Met"], [(item.title, "Yes" if item.met else "Not yet")
                                        for item in readiness.items], widths=[6.0, 1.2])
    b.heading("The evidence, item by item")
    for number, item in enumerate(readiness.items, start=1):
        b.heading(f"{number}. {item.title}: {'met' if item.met else 'not yet met'}", 2)
        if item.evidence:
            b.bullets(item.evidence)
        else:
            b.para("Nothing in the record yet.", "small")
        if item.missing:
            b.para(f"Missing: {item.missing}")
    b.heading("Before the request is sent")
    b.para("The local authority needs the parents' signed consent with the request, and the head "
           "teacher must check the request and countersign it; a request without both is "
           "returned to the school.")
    b.add(SignatureBoxes(("SENCO", "Head teacher")))
    return Document("EHC needs assessment: evidence summary", facts.name, facts.today,
                    tuple(b.blocks), subtitle=f"{facts.name} · "
                    f"{year_label(facts.pupil.details.year_group)} · {school_name}",
                    kind="ehcna-evidence")


def _request(b: Builder, request: EhcnaRequest) -> None:
    b.heading(f"Request to {request.local_authority}: {request.stage.label}", 3)
    b.pairs([("Requested by", request.requested_by.label),
             ("Readiness when sent", (f"{request.sent_readiness} checklist items met"
                                      if request.sent_readiness else "")),
             ("Why it was sent then", request.sent_below_readiness_reason or ""),
             ("Parents' consent", dates.format_uk(request.consent_on)
              + (f" ({request.consent_from})" if request.consent_from else "")),
             ("Countersigned by", (request.head_name or "")
              + (f" on {dates.format_uk(request.head_signed_on)}" if request.head_signed_on else "")),
             ("Received by the LA", dates.format_uk(request.submitted_on)),
             ("Decision to assess", (request.decision.label if request.decision else "")
              + (f" ({dates.format_uk(request.decision_on)})" if request.decision_on else "")),
             ("Decision on a plan", request.plan_decision.label if request.plan_decision else ""),
             ("Draft", dates.format_uk(request.draft_on)),
             ("Final plan issued", dates.format_uk(request.final_on)),
             ("Withdrawn", dates.format_uk(request.withdrawn_on)),
             ("Notes", request.notes)])


def _outcomes(b: Builder, plan: EhcPlan) -> None:
    """The plan's outcomes with the steps towards each, as one table."""
    rows = []
    for outcome in plan.outcomes:
        bullet = "\u2022 " if len(outcome.steps) > 1 else ""
        steps = "\n".join(bullet + s.text
                          + (f" (by {dates.format_uk(s.target_date)})" if s.target_date else "")
                          + (f" achieved {dates.format_uk(s.achieved_on)}" if s.achieved_on else "")
                          for s in outcome.steps)
        rows.append((str(outcome.position + 1), outcome.text,
                     PFA_AREAS.get(outcome.pfa_area or "", ""), steps))
    b.table(["", "Outcome", "Preparing for adulthood", "Steps towards it"], rows,
            widths=[0.3, 3.0, 1.5, 3.2], empty="No outcomes recorded from the plan.")


def _plan(b: Builder, plan: EhcPlan) -> None:
    state = "current" if plan.current else f"ceased {dates.format_uk(plan.ceased_on)}"
    b.heading(f"EHC plan issued {dates.format_uk(plan.issued_on)} by {plan.local_authority} "
              f"({state})", 3)
    b.pairs([("Caseworker", plan.caseworker), ("Caseworker contact", plan.caseworker_contact),
             ("Why it ceased", plan.ceased_reason or "")])
    _outcomes(b, plan)
    annual = [r for r in plan.reviews if r.kind is ReviewKind.ANNUAL]
    b.table(["Annual review", "Held", "Recommendation", "Report to the LA", "Notes"],
            [(dates.format_uk(r.meeting_on), dates.format_uk(r.held_on),
              r.recommendation.label if r.recommendation else "",
              dates.format_uk(r.report_sent_on), r.notes) for r in annual],
            widths=[1.2, 1.1, 1.6, 1.2, 3.0], empty="No annual review recorded yet.")
    if plan.interim_reviews:
        b.table(["Interim review held", "Outcome", "Report to the LA", "Notes"],
                [(dates.format_uk(r.held_on), r.recommendation.label if r.recommendation else "",
                  dates.format_uk(r.report_sent_on), r.notes) for r in plan.interim_reviews],
                widths=[1.3, 1.8, 1.3, 3.7])


def file_chapter(b: Builder, session: Session, facts: PupilFacts) -> None:
    """Requests and plans, for the full file (the caller has checked and audited the read)."""
    requests = ehc_records.requests_of(session, facts.pupil.id)
    plans = ehc_records.plans_of(session, facts.pupil.id)
    b.heading("Education, health and care (EHC)")
    if not requests and not plans:
        b.para("No EHC needs assessment has been requested and the pupil has no EHC plan.",
               "small")
        return
    for request in requests:
        _request(b, request)
    for plan in plans:
        _plan(b, plan)


def current_plan(session: Session, pupil_id: int) -> EhcPlan | None:
    """The pupil's EHC plan in force (the latest issued, not ceased), or None; the caller has
    checked the read."""
    found = [plan for plan in ehc_records.plans_of(session, pupil_id) if plan.current]
    return found[-1] if found else None


def profile_parts(session: Session, facts: PupilFacts) -> dict:
    """What the EHC plan in force adds to the one-page profile: its provision among the
    strategies that help, and a line in the background (nothing without one)."""
    plan = current_plan(session, facts.pupil.id)
    if plan is None:
        return {}
    return {"ehc_strategies": [line.description + (f" ({line.frequency})" if line.frequency else "")
                               for line in ehc_costs.lines_of(session, plan.id)],
            "ehc_background": f"Has an EHC plan, issued {dates.format_uk(plan.issued_on)} by "
                              f"{plan.local_authority}; the SENCO holds it in full"}


def plan_line(session: Session, plan: EhcPlan) -> str:
    """'EHC plan issued 04/02/2026 (Demo County Council); annual review by 07/01/2027', for a
    list of pupils such as the handover pack's cover."""
    schedule = ehc_records.review_schedule(session, plan)
    return (f"EHC plan issued {dates.format_uk(plan.issued_on)} ({plan.local_authority})"
            + (f"; annual review by {dates.format_uk(schedule.meeting_on)}" if schedule else ""))


def build_plan_summary(session: Session, facts: PupilFacts, plan: EhcPlan,
                       school_name: str) -> Document:
    """The EHC plan in force, for the staff who teach the pupil (the handover pack's current
    plan for a pupil with one): its dates and next annual review, the outcomes it sets with the
    steps towards them, and the provision it specifies (what, by whom, how often; the costs are
    the SENCO's, not the class teacher's). The plan itself is the LA's document: the SENCO holds
    it in full."""
    schedule = ehc_records.review_schedule(session, plan)
    held = plan.held_reviews
    b = Builder()
    b.pairs([(k, v) for k, v in facts.identity_rows() if k in ("Name", "Year group", "Class")]
            + [("Issued", f"{dates.format_uk(plan.issued_on)} by {plan.local_authority}"),
               ("Last annual review", dates.format_uk(held[-1].held_on) if held else
                "None held yet"),
               ("Next annual review", (f"meeting by {dates.format_uk(schedule.meeting_on)}"
                                       + ("" if schedule.booked else " (not booked yet)"))
                if schedule else ""),
               ("Caseworker at the LA", plan.caseworker)])
    b.para(f"{facts.name} has an education, health and care (EHC) plan: the provision below is "
           "what the law requires the school to make. The SENCO holds the full plan; ask to "
           "read it.")
    b.heading("Outcomes the plan sets")
    _outcomes(b, plan)
    b.heading("Provision")
    b.table(["What", "Area of need", "Delivered by", "How often"],
            [(line.description, areas().get(line.area or "", ""), line.delivered_by,
              line.frequency) for line in ehc_costs.lines_of(session, plan.id)],
            widths=[3.0, 1.6, 1.8, 1.6],
            empty="The plan's provision is not recorded here yet: ask the SENCO.")
    return Document("EHC plan: summary for staff", facts.name, facts.today, tuple(b.blocks),
                    subtitle=f"{facts.name} · {school_name}", kind="plan")
