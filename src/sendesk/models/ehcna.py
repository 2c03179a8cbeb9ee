"""Is a pupil ready for a request for an EHC needs assessment? The checklist, scored.

The items come from the local authority's specialist-stage pathway (000: the questions a school
should consider before requesting an assessment) and the county's expectation (003): evidence
of at least three Assess-Plan-Do-Review cycles, two SEN support plans with SMART outcomes that
were reviewed fully, and the current plan; specialist services engaged (at least one
educational service); provision costed against the notional SEN budget.

Some items are facts the record already holds (cycles, plans, specialists, costs); the others
are judgements only the SENCO can make (was the assessment holistic, is the lack of progress
explained by attendance or EAL, were social care needs considered), answered on the checklist
with a note of how they know. Each item says what was found and, when it is not met, what is
missing. In a few circumstances the cycles may be skipped (000): a sudden and significant
change in need, a pupil newly arrived in the country who had specialist provision before, or
needs that cannot be safely met in a mainstream school. The exception is recorded with its
reason and stands in for the cycle items; everything else still applies.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import dates, provision

CYCLES_EXPECTED = 3
REVIEWED_PLANS_EXPECTED = 2


class ExceptionKind(str, enum.Enum):
    SUDDEN_CHANGE = "sudden_change"
    NEWLY_ARRIVED = "newly_arrived"
    NOT_SAFE_IN_MAINSTREAM = "not_safe_in_mainstream"

    @property
    def label(self) -> str:
        return {"sudden_change": "Sudden and significant change in need",
                "newly_arrived": "Newly arrived in the country, with specialist provision before",
                "not_safe_in_mainstream": "Needs cannot be safely met in a mainstream school",
                }[self.value]


@dataclass(frozen=True)
class Question:
    key: str
    title: str
    question: str
    if_no: str   # what to do when the honest answer is no


QUESTIONS: tuple[Question, ...] = (
    Question("holistic", "Needs assessed holistically",
             "Have the pupil's education, health and care needs been assessed holistically and "
             "explored fully through the graduated approach?",
             "Explore the pupil's needs fully (education, health and care) through the graduated "
             "approach before requesting an assessment."),
    Question("disruption", "Not explained by disruption to education",
             "Is it clear that the lack of progress is not fully accounted for by low attendance, "
             "absence through illness, a reduced timetable or frequent school moves?",
             "Deal with the disruption first (for example through the attendance pathway)."),
    Question("eal", "Not explained by English as an additional language",
             "Is it clear that the lack of progress is not fully accounted for by the pupil "
             "learning English as an additional language?",
             "Work with the EAL team to separate language learning from special educational needs."),
    Question("social_care", "Social care needs considered",
             "Have the social care needs of the pupil and their family been considered, identified "
             "and supported through an Early Help assessment (or another assessment showing there "
             "are none)?",
             "Consider an Early Help assessment with the family."),
    Question("expertise", "School's own expertise used",
             "Has the school exhausted its own expertise and provision through reasonable "
             "adjustments and its notional SEN budget?",
             "Use the school's own expertise and reasonable adjustments first."),
    Question("best_pathway", "EHC needs assessment is the best pathway",
             "Is an EHC needs assessment the best way to put the support the pupil needs in "
             "place (rather than continuing at SEN support)?",
             "Continue at the specialist stage of SEN support."),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)


def question(key: str) -> Question:
    return next(q for q in QUESTIONS if q.key == key)


@dataclass(frozen=True)
class ReadinessItem:
    key: str
    title: str
    met: bool
    evidence: list[str]
    missing: str | None


@dataclass(frozen=True)
class Readiness:
    items: list[ReadinessItem]
    ready: bool
    exception: str | None                 # the exception's label, when one is recorded
    exception_reason: str | None = None

    @property
    def met_count(self) -> int:
        return sum(1 for item in self.items if item.met)

    @property
    def score(self) -> str:
        return f"{self.met_count} of {len(self.items)}"

    def item(self, key: str) -> ReadinessItem:
        return next(item for item in self.items if item.key == key)


# --- what the record holds, gathered by the repository --------------------------------------
@dataclass(frozen=True)
class CycleEvidence:
    number: int                  # counted across all the pupil's pathways, from 1
    stage_label: str
    plan_date: dt.date | None    # None until a plan is agreed
    reviewed_on: dt.date | None  # None until the review is held
    outcomes: int
    smart_faults: int            # outcomes with no measure, a vague one, or no date
    decision_label: str | None


@dataclass(frozen=True)
class SpecialistEvidence:
    service: str
    educational: bool
    consent_given: bool
    referral_date: dt.date
    ended_on: dt.date | None
    reports: int
    recommendations: int
    recommendations_in_plan: int


@dataclass(frozen=True)
class Answer:
    answer: bool | None
    note: str
    answered_on: dt.date | None
    answered_by: str = ""


@dataclass(frozen=True)
class RecordedException:
    kind: ExceptionKind
    reason: str
    recorded_on: dt.date


@dataclass(frozen=True)
class ReadinessEvidence:
    cycles: tuple[CycleEvidence, ...] = ()
    current_cycle: int | None = None        # number of the open pathway's latest cycle
    provision_cost_pence: int | None = None  # the current plan's yearly cost; None if no plan
    specialists: tuple[SpecialistEvidence, ...] = ()
    answers: Mapping[str, Answer] = field(default_factory=dict)
    on_eal_register: bool = False
    first_language: str | None = None
    facts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # more evidence per item
    exception: RecordedException | None = None
    ehcna_decision: tuple[str, dt.date] | None = None   # the latest review that chose EHCNA


def _uk(day: dt.date | None) -> str:
    return dates.format_uk(day)


def _cycle_sentence(cycle: CycleEvidence) -> str:
    text = f"Cycle {cycle.number} ({cycle.stage_label.lower()}): "
    if cycle.plan_date is None:
        return text + "no agreed plan yet."
    text += f"plan agreed {_uk(cycle.plan_date)} with {cycle.outcomes} outcome" \
            + ("s" if cycle.outcomes != 1 else "")
    if cycle.reviewed_on is None:
        return text + "; not yet reviewed."
    text += f"; reviewed {_uk(cycle.reviewed_on)}"
    if cycle.decision_label:
        # The label's first letter only: "Request an EHC needs assessment" keeps its EHC.
        label = cycle.decision_label
        text += f" ({label[:1].lower()}{label[1:]})"
    return text + "."


def _exception_evidence(exception: RecordedException) -> list[str]:
    return [f"Exception recorded on {_uk(exception.recorded_on)}: {exception.kind.label}. "
            f"Reason: {exception.reason}"]


def _cycles_item(evidence: ReadinessEvidence) -> ReadinessItem:
    planned = [c for c in evidence.cycles if c.plan_date is not None]
    found = [_cycle_sentence(c) for c in evidence.cycles]
    title = f"At least {CYCLES_EXPECTED} Assess-Plan-Do-Review cycles"
    if evidence.exception is not None:
        return ReadinessItem("apdr_cycles", title, True,
                             _exception_evidence(evidence.exception) + found, None)
    if len(planned) >= CYCLES_EXPECTED:
        return ReadinessItem("apdr_cycles", title, True, found, None)
    missing = (f"{len(planned)} of {CYCLES_EXPECTED} cycles with an agreed plan so far. The county "
               f"expects at least {CYCLES_EXPECTED} cycles of Assess, Plan, Do, Review (or record "
               "an exception with its reason).")
    return ReadinessItem("apdr_cycles", title, False, found or ["No SEND pathway recorded."], missing)


def _reviewed_plans_item(evidence: ReadinessEvidence) -> ReadinessItem:
    title = f"{REVIEWED_PLANS_EXPECTED} reviewed SEN support plans with SMART outcomes"
    reviewed = [c for c in evidence.cycles if c.plan_date is not None and c.reviewed_on is not None]
    good = [c for c in reviewed if c.outcomes > 0 and c.smart_faults == 0]
    found = []
    for cycle in reviewed:
        if cycle in good:
            found.append(f"Cycle {cycle.number}'s plan: reviewed {_uk(cycle.reviewed_on)}; every "
                         "outcome has a measure and a date.")
        elif cycle.outcomes == 0:
            found.append(f"Cycle {cycle.number}'s plan: reviewed {_uk(cycle.reviewed_on)} but it "
                         "has no outcomes.")
        else:
            found.append(f"Cycle {cycle.number}'s plan: reviewed {_uk(cycle.reviewed_on)}; "
                         f"{cycle.smart_faults} of {cycle.outcomes} outcomes lack a clear measure "
                         "or a date.")
    if evidence.exception is not None:
        return ReadinessItem("reviewed_plans", title, True,
                             _exception_evidence(evidence.exception) + found, None)
    if len(good) >= REVIEWED_PLANS_EXPECTED:
        return ReadinessItem("reviewed_plans", title, True, found, None)
    if len(reviewed) > len(good):
        missing = (f"{len(good)} of {REVIEWED_PLANS_EXPECTED} reviewed plans have SMART outcomes. "
                   "Outcomes need a measure and a date so the review can show the progress made.")
    else:
        missing = (f"{len(good)} of {REVIEWED_PLANS_EXPECTED} plans reviewed so far. Review plans "
                   "fully, recording progress against each SMART outcome.")
    return ReadinessItem("reviewed_plans", title, False, found or ["No plan has been reviewed yet."],
                         missing)


def _current_plan_item(evidence: ReadinessEvidence) -> ReadinessItem:
    title = "A current SEN support plan"
    current = next((c for c in evidence.cycles if c.number == evidence.current_cycle), None)
    if current is not None and current.plan_date is not None and current.reviewed_on is None:
        return ReadinessItem("current_plan", title, True,
                             [f"Cycle {current.number}'s plan, agreed {_uk(current.plan_date)}, is "
                              "in place."], None)
    if current is None:
        return ReadinessItem("current_plan", title, False, ["The pupil has no open SEND pathway."],
                             "Open a SEND pathway and agree a current SEN support plan.")
    return ReadinessItem("current_plan", title, False,
                         [f"Cycle {current.number} has no agreed plan yet."],
                         f"Agree cycle {current.number}'s plan with the parents: the request must "
                         "include the current plan.")


def _budget_item(evidence: ReadinessEvidence) -> ReadinessItem:
    title = "Provision costed against the notional SEN budget"
    threshold = provision.format_money(provision.NOTIONAL_THRESHOLD_PENCE)
    cost = evidence.provision_cost_pence
    if not cost:
        return ReadinessItem("notional_budget", title, False,
                             ["No costed provision in a current plan."],
                             "Cost the current plan's provision (what, who, how often, for how "
                             f"long) so it can be compared with the {threshold} notional threshold.")
    level = provision.cost_level(cost)
    share = round(cost * 100 / provision.NOTIONAL_THRESHOLD_PENCE)
    found = [f"The current plan's provision costs {provision.format_money(cost)} a year "
             f"({share} % of the {threshold} notional SEN support threshold)."]
    if level is provision.CostLevel.UNDER:
        return ReadinessItem("notional_budget", title, False, found,
                             f"The provision is well within the {threshold} the school's notional "
                             "SEN budget is expected to fund. Show what more the school has put in "
                             "place, or why the needs cannot be met within it.")
    return ReadinessItem("notional_budget", title, True, found, None)


def _specialists_item(evidence: ReadinessEvidence) -> ReadinessItem:
    title = "Specialist services engaged (including an educational service)"
    found = []
    for s in evidence.specialists:
        if not s.consent_given:
            found.append(f"{s.service}: referred {_uk(s.referral_date)}, parents' consent not given.")
            continue
        text = f"{s.service}: involved from {_uk(s.referral_date)}"
        if s.ended_on is not None:
            text += f" to {_uk(s.ended_on)}"
        text += f"; {s.reports} report" + ("s" if s.reports != 1 else "")
        text += (f", {s.recommendations} recommendation" + ("s" if s.recommendations != 1 else "")
                 + f" ({s.recommendations_in_plan} carried into the plan).")
        found.append(text)
    educational = [s for s in evidence.specialists if s.educational and s.consent_given]
    if not educational:
        return ReadinessItem("specialists", title, False,
                             found or ["No specialist services recorded."],
                             "Involve at least one educational service (an educational "
                             "psychologist, a specialist teacher, sensory support or outreach) with "
                             "the parents' consent, and use their advice in the plan.")
    if not any(s.reports or s.recommendations for s in educational):
        return ReadinessItem("specialists", title, False, found,
                             "Record the educational service's report or recommendations: the "
                             "request must show how their advice shaped the provision.")
    return ReadinessItem("specialists", title, True, found, None)


def _answer_item(q: Question, evidence: ReadinessEvidence, facts: list[str], *,
                 note_required: bool = False, met_without_answer: bool = False) -> ReadinessItem:
    answer = evidence.answers.get(q.key)
    found = list(facts)
    if answer is not None and answer.answer is not None:
        said = "Yes" if answer.answer else "No"
        who = f" by {answer.answered_by}" if answer.answered_by else ""
        text = f"SENCO's answer ({_uk(answer.answered_on)}{who}): {said}."
        if answer.note:
            text += f" {answer.note}"
        found.append(text)
    if met_without_answer and (answer is None or answer.answer is None):
        return ReadinessItem(q.key, q.title, True, found, None)
    if answer is None or answer.answer is None:
        return ReadinessItem(q.key, q.title, False, found, f"Answer on the checklist: {q.question}")
    if not answer.answer:
        return ReadinessItem(q.key, q.title, False, found, q.if_no)
    if note_required and not answer.note.strip():
        return ReadinessItem(q.key, q.title, False, found,
                             "Add a note to the answer saying how you know.")
    return ReadinessItem(q.key, q.title, True, found, None)


def _facts(evidence: ReadinessEvidence, key: str) -> list[str]:
    return list(evidence.facts.get(key, ()))


def assess(evidence: ReadinessEvidence) -> Readiness:
    """Score the checklist; ready when every item is met."""
    eal_facts = _facts(evidence, "eal")
    if evidence.on_eal_register:
        language = f" (first language: {evidence.first_language})" if evidence.first_language else ""
        eal_facts.insert(0, f"On the English as an additional language register{language}.")
    else:
        eal_facts.insert(0, "Not on the English as an additional language register.")
    pathway_facts = _facts(evidence, "best_pathway")
    if evidence.ehcna_decision is not None:
        label, held = evidence.ehcna_decision
        pathway_facts.insert(0, f"The review on {_uk(held)} decided: {label}.")
    best = _answer_item(question("best_pathway"), evidence, pathway_facts,
                        met_without_answer=evidence.ehcna_decision is not None)
    items = [
        _answer_item(question("holistic"), evidence, _facts(evidence, "holistic")),
        _answer_item(question("disruption"), evidence, _facts(evidence, "disruption")),
        _answer_item(question("eal"), evidence, eal_facts, note_required=evidence.on_eal_register,
                     met_without_answer=not evidence.on_eal_register),
        _answer_item(question("social_care"), evidence, _facts(evidence, "social_care")),
        _cycles_item(evidence),
        _reviewed_plans_item(evidence),
        _current_plan_item(evidence),
        _answer_item(question("expertise"), evidence, _facts(evidence, "expertise")),
        _budget_item(evidence),
        _specialists_item(evidence),
        best,
    ]
    exception = evidence.exception
    return Readiness(items, all(item.met for item in items),
                     exception.kind.label if exception else None,
                     exception.reason if exception else None)
