"""The documents of the graduated approach: My SEN Support Plan, the review record and the
one-page profile, and the pieces of them the full SEND file reuses for every cycle.

A plan for parents says what the school will do and how everyone will know it is working; it
carries no costs (those are in the provision map). The profile is written in the pupil's own
voice when the SENCO recorded their words that way (first person), and about them otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import ValidationError
from ..models import dates, sen
from ..models.apdr import Assessment, Cycle, Plan, Review
from ..models.outcomes import PFA_AREAS
from ..models.provision import format_money
from ..models.registers import RegisterKind
from .facts import PupilFacts, year_label
from .model import Builder, Document, SignatureBoxes

_FIRST_PERSON = re.compile(r"(^|[\s\"'(])(I|I'm|I've|I'd|I'll|me|my|mine|myself)\b", re.IGNORECASE)


def area_label(code: str | None) -> str:
    return sen.areas().get(code or "", code or "")


def written_in_first_person(*texts: str) -> bool:
    """True when the SENCO wrote the pupil's words as the pupil would say them."""
    return any(_FIRST_PERSON.search(text or "") and re.search(r"\bI\b|\bmy\b", text or "",
                                                              re.IGNORECASE)
               for text in texts)


# --- pieces --------------------------------------------------------------------------------------
def outcomes_table(b: Builder, plan: Plan, review: Review | None = None) -> None:
    header = ["", "Outcome: what I will be able to do", "How we will know", "By"]
    widths = [0.3, 3.2, 3.0, 1.1]
    has_pfa = any(o.pfa_area for o in plan.outcomes)
    if has_pfa:
        header.append("Preparing for adulthood")
        widths.append(1.6)
    if review is not None:
        header.append("Progress at review")
        widths.append(2.2)
    rows = []
    for number, outcome in enumerate(plan.outcomes, start=1):
        row = [str(number), outcome.text, outcome.measure or "Not set",
               dates.format_uk(outcome.target_date) or "Not set"]
        if has_pfa:
            row.append(PFA_AREAS.get(outcome.pfa_area or "", ""))
        if review is not None:
            progress, comment = review.progress.get(outcome.id, (None, ""))
            row.append("\n".join(part for part in ((progress.label if progress else "Not recorded"),
                                                   comment) if part))
        rows.append(row)
    b.table(header, rows, widths=widths, empty="No outcomes have been written yet.")


def provision_table(b: Builder, plan: Plan, *, costs: bool) -> None:
    header = ["Provision", "Area", "Who", "How often"]
    widths = [3.0, 1.7, 1.8, 2.8]
    if costs:
        header.append("Cost a year")
        widths.append(1.3)
    rows = []
    for item in plan.items:
        description = item.description
        if item.ended_on is not None:
            description += f"\n(ended {dates.format_uk(item.ended_on)}: {item.end_reason or ''})"
        elif item.started_on is not None and plan.plan_date and item.started_on > plan.plan_date:
            description += f"\n(added {dates.format_uk(item.started_on)})"
        row = [description, area_label(item.area), item.delivered_by or "", item.frequency]
        if costs:
            row.append(format_money(item.yearly_cost_pence))
        rows.append(row)
    total = None
    if costs and rows:
        total = ["Total of provision still running", "", "", "",
                 format_money(plan.yearly_cost_pence)]
    b.table(header, rows, widths=widths, total=total,
            empty="No provision has been added to the plan yet.")


def assessment_section(b: Builder, facts: PupilFacts, assessment: Assessment | None,
                       level: int = 2) -> None:
    b.heading("Assess", level)
    if assessment is None:
        b.para("The assessment has not been started.", "small")
        return
    b.pairs([("Assessed on", dates.format_uk(assessment.assessed_on) or "Not recorded"),
             ("Primary need", facts.need_label(assessment.primary_need)),
             ("State", "Finished" if assessment.completed else "Draft, not finished")])
    for label, text in (("Strengths", assessment.strengths), ("Needs", assessment.needs),
                        ("Parents' views", assessment.parent_views),
                        ("Child's views", assessment.child_views)):
        b.heading(label, 3)
        b.text_or(text, "Not recorded.", "emphasis" if label == "Child's views" else "body")
    if assessment.tools:
        b.heading("Assessment tools", 3)
        b.table(["Tool", "Used on", "Result"],
                [(t.tool, dates.format_uk(t.used_on), t.result) for t in assessment.tools],
                widths=[2.5, 1.2, 3.5])


def plan_section(b: Builder, plan: Plan | None, level: int = 2) -> None:
    b.heading("Plan", level)
    if plan is None:
        b.para("No plan has been written for this cycle.", "small")
        return
    b.pairs([("Plan date", dates.format_uk(plan.plan_date) or "Not set"),
             ("Review date", dates.format_uk(plan.review_date) or "Not set"),
             ("Agreed with parents", "Yes" if plan.agreed else "No (draft)"),
             ("Copy given to parents", dates.format_uk(plan.shared_on)),
             ("Responsible teacher", plan.responsible_teacher), ("Key worker", plan.key_worker)])
    b.heading("Aspirations", 3)
    b.text_or(plan.aspirations, "Not recorded.")
    b.heading("Outcomes", 3)
    outcomes_table(b, plan)
    b.heading("Provision", 3)
    provision_table(b, plan, costs=True)


def review_section(b: Builder, cycle: Cycle, level: int = 2) -> None:
    review = cycle.review
    b.heading("Review", level)
    if review is None:
        due = cycle.plan.review_date if cycle.plan else None
        b.para("The review has not been held yet"
               + (f"; it is due by {dates.format_uk(due)}." if due else "."), "small")
        return
    b.pairs([("Held on", dates.format_uk(review.held_on) or "Not recorded"),
             ("State", "Held" if review.completed else "Draft, not finished"),
             ("Who took part", ", ".join(line for line in review.attendees.splitlines() if line)),
             ("At risk of exclusion", "Yes" if review.at_risk_of_exclusion else "No"),
             ("Shared with parents on", dates.format_uk(review.shared_on))])
    if cycle.plan is not None and cycle.plan.outcomes:
        b.heading("Progress towards the outcomes", 3)
        rows = []
        for number, outcome in enumerate(cycle.plan.outcomes, start=1):
            progress, comment = review.progress.get(outcome.id, (None, ""))
            rows.append((str(number), outcome.text,
                         progress.label if progress else "Not recorded", comment))
        b.table(["", "Outcome", "Progress", "Comment"], rows, widths=[0.3, 3.4, 1.4, 3.0])
    for label, text in (("The child's views", review.child_views),
                        ("The parents' views", review.parent_views),
                        ("Staff views", review.staff_views)):
        b.heading(label, 3)
        b.text_or(text, "Not recorded.", "emphasis" if label == "The child's views" else "body")
    if review.specialist_views:
        b.heading("Specialists' views", 3)
        b.table(["Service", "View", "Given as"],
                [(v.service, v.view, v.given_as) for v in review.specialist_views],
                widths=[2.0, 4.5, 1.3])
    b.heading("Decision", 3)
    if review.decision is None:
        b.para("No decision recorded yet.", "small")
    else:
        b.para(review.decision.label + ".")
        b.para(review.decision.explanation, "small")
    b.para(review.decision_notes)


# --- the documents -------------------------------------------------------------------------------
def _current_cycle(facts: PupilFacts) -> Cycle:
    pathway = facts.latest_pathway
    if pathway is None or pathway.current_cycle is None:
        raise ValidationError(f"{facts.name} has no SEND pathway, so there is no support plan to "
                              "print. Start the graduated approach from the Plans tab.",
                              field="kind")
    return pathway.current_cycle


def _plan_cycle(facts: PupilFacts) -> Cycle:
    """The cycle whose plan is printed: the current one if its plan is written, else the
    latest one with an agreed plan (the provision in force while a new plan is drafted)."""
    current = _current_cycle(facts)
    if current.plan is not None and (current.plan.outcomes or current.plan.agreed):
        return current
    for cycle in reversed(facts.cycles()):
        if cycle.plan is not None and cycle.plan.agreed:
            return cycle
    if current.plan is not None:
        return current
    raise ValidationError(f"{facts.name}'s current cycle has no plan yet; write the plan first.",
                          field="kind")


def stage_rows(facts: PupilFacts, cycle: Cycle) -> list[tuple[str, object]]:
    return [("Stage", f"{cycle.stage.label}, cycle {cycle.number}"),
            ("Primary need", facts.need_label(facts.pupil.primary_need)),
            ("Other needs", ", ".join(n.label for n in facts.current_needs if n.rank > 1))]


def build_plan(facts: PupilFacts, school_name: str) -> Document:
    cycle = _plan_cycle(facts)
    plan = cycle.plan
    assert plan is not None
    assessment = cycle.assessment or next(
        (c.assessment for c in reversed(facts.cycles()) if c.assessment is not None), None)
    b = Builder()
    b.pairs([*facts.identity_rows()[:5], *stage_rows(facts, cycle),
             ("Plan agreed", dates.format_uk(plan.plan_date) if plan.agreed else
              "Not yet: this is a draft to discuss"),
             ("Next review", dates.format_uk(plan.review_date) or "To be agreed"),
             ("Teacher responsible for my support", plan.responsible_teacher),
             ("My key worker", plan.key_worker)])
    b.heading("My strengths and aspirations")
    b.heading("What people like and admire about me", 3)
    b.text_or(assessment.strengths if assessment else "", "Not recorded yet.")
    b.heading("What I say", 3)
    b.text_or(assessment.child_views if assessment else "", "Not recorded yet.", "emphasis")
    b.heading("My aspirations", 3)
    b.text_or(plan.aspirations, "Not recorded yet.")
    b.heading("What my parents or carers say", 3)
    b.text_or(assessment.parent_views if assessment else "", "Not recorded yet.")
    b.heading("My needs")
    b.text_or(assessment.needs if assessment else "", "Not recorded yet.")
    if facts.current_needs:
        b.bullets(f"{'Primary need' if n.rank == 1 else 'Also'}: {n.label}"
                  for n in facts.current_needs)
    b.heading("Provision to meet my needs")
    b.para("Support additional to, or different from, the teaching every pupil in the class "
           "receives.", "small")
    provision_table(b, plan, costs=False)
    b.heading("My shorter-term outcomes")
    outcomes_table(b, plan)
    b.heading("Review")
    if cycle.review is not None and cycle.review.completed:
        b.para(f"The plan was reviewed on {dates.format_uk(cycle.review.held_on)}.")
        outcomes_table(b, plan, cycle.review)
        if cycle.review.decision is not None:
            b.para(f"Decision: {cycle.review.decision.label}.")
    else:
        b.para(f"We will meet to review this plan by "
               f"{dates.format_uk(plan.review_date) or 'a date we agree'}: how far each outcome has "
               "been achieved, whether the provision is working, and what happens next. Please "
               "bring your views and your child's.")
        b.table(["Outcome", "Progress at review", "Comments"],
                [(o.text, "\n\n", "") for o in plan.outcomes], widths=[3.5, 1.6, 3.0])
    b.add(SignatureBoxes(("Parent or carer", "Pupil", "SENCO", "Class teacher")))
    return Document("My SEN Support Plan", facts.name, facts.today, tuple(b.blocks),
                    subtitle=f"{facts.name} · {year_label(facts.pupil.details.year_group)} · "
                             f"{school_name}", kind="plan")


def build_review(facts: PupilFacts, school_name: str) -> Document:
    reviewed = [c for c in facts.cycles() if c.review is not None]
    if not reviewed:
        raise ValidationError(f"{facts.name} has had no review yet, so there is no review record "
                              "to print.", field="kind")
    completed = [c for c in reviewed if c.review and c.review.completed]
    cycle = (completed or reviewed)[-1]
    b = Builder()
    b.pairs([*facts.identity_rows()[:5], *stage_rows(facts, cycle),
             ("Plan date", dates.format_uk(cycle.plan.plan_date) if cycle.plan else "")])
    review_section(b, cycle, level=1)
    b.add(SignatureBoxes(("Parent or carer", "SENCO")))
    subtitle = f"{facts.name} · cycle {cycle.number} · {school_name}"
    if cycle.review and not cycle.review.completed:
        subtitle += " · draft: the review has not been finished"
    return Document("SEN support review record", facts.name, facts.today, tuple(b.blocks),
                    subtitle=subtitle, kind="review")


def profile_blocks(b: Builder, facts: PupilFacts, *, level: int = 1,
                   ehc_strategies: Sequence[str] = (), ehc_background: str = "") -> None:
    """The one-page profile's four parts, in the pupil's voice when recorded that way. A pupil
    with an EHC plan often has no SEN support assessment or plan: the plan's provision then
    says how best to support them, and the background says they hold one."""
    assessment = next((c.assessment for c in reversed(facts.cycles())
                       if c.assessment is not None), None)
    plan = next((c.plan for c in reversed(facts.cycles()) if c.plan is not None and c.plan.agreed),
                None) or next((c.plan for c in reversed(facts.cycles()) if c.plan), None)
    strengths = assessment.strengths if assessment else ""
    child = assessment.child_views if assessment else ""
    first = written_in_first_person(strengths, child)
    b.heading("What people like and admire about me" if first else "Strengths and interests",
              level)
    b.text_or(strengths, "Not recorded yet.")
    if child:
        b.para(child, "emphasis")
    if plan is not None and plan.aspirations:
        b.para(("My aspirations: " if first else "Aspirations: ") + plan.aspirations)
    b.heading("What I find difficult" if first else "Needs and difficulties", level)
    # A pupil at E often has no assessment written here: the needs on the register are then
    # what is known, and "Not recorded yet." above them would say there are none.
    described = assessment.needs if assessment else ""
    needs = [n.label for n in facts.current_needs]
    if described or not needs:
        b.text_or(described, "Not recorded yet.")
    b.bullets(needs)
    b.heading("How best to support me" if first else "Strategies that help", level)
    strategies = [f"{item.description} ({item.frequency})" for item in plan.active_items] \
        if plan else []
    strategies += list(ehc_strategies)
    strategies += [r.text for i in facts.involvements for r in i.recommendations
                   if r.status.value == "open"]
    if strategies:
        b.bullets(strategies)
    else:
        b.para("No strategies recorded yet.", "small")
    b.heading("Background" if not first else "Important things to know about me", level)
    background = [ehc_background] if ehc_background else []
    for entry in facts.registers:
        if not entry.open:
            continue
        if entry.kind is RegisterKind.EAL:
            background.append("English is an additional language"
                              + (f"; first language {entry.first_language}" if entry.first_language
                                 else ""))
        elif entry.kind is RegisterKind.MEDICAL:
            background.append("Medical needs: " + (entry.details or "see the healthcare plan")
                              + ("; has an individual healthcare plan" if entry.has_ihp else ""))
        elif entry.kind is RegisterKind.LOOKED_AFTER:
            background.append("Looked after; speak to the designated teacher before sharing "
                              "anything about home")
    involved = sorted({i.service for i in facts.involvements if i.active})
    if involved:
        background.append("Specialists involved: " + ", ".join(involved))
    if background:
        b.bullets(background)
    else:
        b.para("Nothing further recorded.", "small")


def build_profile(facts: PupilFacts, school_name: str, *, ehc_strategies: Sequence[str] = (),
                  ehc_background: str = "") -> Document:
    b = Builder()
    b.pairs([(k, v) for k, v in facts.identity_rows() if k in ("Name", "Known as", "Year group",
                                                               "Class")]
            + [("SEN status", facts.status_label)])
    profile_blocks(b, facts, ehc_strategies=ehc_strategies, ehc_background=ehc_background)
    return Document("One-page profile", facts.name, facts.today, tuple(b.blocks),
                    subtitle=f"{facts.name} · {school_name}", kind="profile")
