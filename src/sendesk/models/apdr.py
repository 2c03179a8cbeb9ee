"""The graduated approach: a pupil's SEND pathway at the targeted or specialist stage, made of
numbered Assess-Plan-Do-Review cycles, and what a review may decide.

The next steps are the local authority pathway's own lists. At the targeted stage: back to
ordinarily available provision, continue at the targeted stage, move to the specialist stage,
or consider the attendance or exclusion prevention pathway. At the specialist stage: back to
ordinarily available provision, continue at the specialist stage, request an EHC needs
assessment, or consider the attendance or exclusion prevention pathway.

A pupil at SEN support who is at risk of exclusion is a sign that their needs are not being
met: the provision must change, so the next plan may not repeat the last one unchanged, and the
review cannot send the pupil back to ordinarily available provision.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import ValidationError
from . import provision


class Stage(str, enum.Enum):
    TARGETED = "targeted"
    SPECIALIST = "specialist"

    @property
    def label(self) -> str:
        return {"targeted": "Targeted stage", "specialist": "Specialist stage"}[self.value]


class Part(str, enum.Enum):
    ASSESS = "assess"
    PLAN = "plan"
    DO = "do"
    REVIEW = "review"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Effect(str, enum.Enum):
    NEXT_CYCLE = "next_cycle"   # another cycle, at the stage the decision names
    CLOSE = "close"             # the pathway ends


class Decision(str, enum.Enum):
    BACK_TO_ORDINARY = "back_to_ordinary"
    CONTINUE_TARGETED = "continue_targeted"
    MOVE_TO_SPECIALIST = "move_to_specialist"
    CONTINUE_SPECIALIST = "continue_specialist"
    REQUEST_EHCNA = "request_ehcna"
    ATTENDANCE = "attendance"
    EXCLUSION_PREVENTION = "exclusion_prevention"

    @property
    def label(self) -> str:
        return _DECISION_LABELS[self]

    @property
    def effect(self) -> Effect:
        if self in (Decision.BACK_TO_ORDINARY, Decision.ATTENDANCE, Decision.EXCLUSION_PREVENTION):
            return Effect.CLOSE
        return Effect.NEXT_CYCLE

    def next_stage(self, current: Stage) -> Stage | None:
        """The stage of the next cycle, or None when the decision ends the pathway."""
        if self.effect is Effect.CLOSE:
            return None
        if self is Decision.CONTINUE_TARGETED:
            return Stage.TARGETED
        return Stage.SPECIALIST

    @property
    def leaves_register(self) -> bool:
        """Only a return to ordinarily available provision takes the pupil off the SEN register
        (onto the monitoring register). Another pathway is a different route for the barrier
        found; whether the pupil still has SEN is the SENCO's separate decision."""
        return self is Decision.BACK_TO_ORDINARY

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self]


_DECISION_LABELS = {
    Decision.BACK_TO_ORDINARY: "Move back to ordinarily available provision",
    Decision.CONTINUE_TARGETED: "Continue at the targeted stage",
    Decision.MOVE_TO_SPECIALIST: "Move to the specialist stage",
    Decision.CONTINUE_SPECIALIST: "Continue at the specialist stage",
    Decision.REQUEST_EHCNA: "Request an EHC needs assessment",
    Decision.ATTENDANCE: "Move to the attendance pathway",
    Decision.EXCLUSION_PREVENTION: "Move to the exclusion prevention pathway",
}

_EXPLANATIONS = {
    Decision.BACK_TO_ORDINARY: "The pathway closes. The pupil comes off the SEN register (status N "
                               "until the next census), goes on the monitoring register so "
                               "progress is kept in view, and the parents are notified.",
    Decision.CONTINUE_TARGETED: "A new cycle starts at the targeted stage with new outcomes.",
    Decision.MOVE_TO_SPECIALIST: "A new cycle starts at the specialist stage: involve specialist "
                                 "services, with the parents' agreement.",
    Decision.CONTINUE_SPECIALIST: "A new cycle starts at the specialist stage with new outcomes.",
    Decision.REQUEST_EHCNA:
        "A new cycle starts at the specialist stage so support carries on while the request "
        "for an EHC needs assessment is prepared and considered.",
    Decision.ATTENDANCE: "The SEND pathway closes and the attendance pathway takes over. The "
                         "pupil's SEN status is not changed.",
    Decision.EXCLUSION_PREVENTION: "The SEND pathway closes and the exclusion prevention "
                                   "pathway takes over. The pupil's SEN status is not changed.",
}

DECISIONS: dict[Stage, tuple[Decision, ...]] = {
    Stage.TARGETED: (Decision.BACK_TO_ORDINARY, Decision.CONTINUE_TARGETED,
                     Decision.MOVE_TO_SPECIALIST, Decision.ATTENDANCE,
                     Decision.EXCLUSION_PREVENTION),
    Stage.SPECIALIST: (Decision.BACK_TO_ORDINARY, Decision.CONTINUE_SPECIALIST,
                       Decision.REQUEST_EHCNA, Decision.ATTENDANCE,
                       Decision.EXCLUSION_PREVENTION),
}


def decisions_for(stage: Stage) -> tuple[Decision, ...]:
    return DECISIONS[Stage(stage)]


def allowed_decisions(stage: Stage, at_risk_of_exclusion: bool) -> tuple[Decision, ...]:
    """The stage's list, less a return to ordinarily available provision when at risk."""
    choices = decisions_for(stage)
    if at_risk_of_exclusion:
        return tuple(choice for choice in choices if choice is not Decision.BACK_TO_ORDINARY)
    return choices


def check_decision(stage: Stage, decision: Decision | str, at_risk_of_exclusion: bool) -> Decision:
    try:
        chosen = Decision(decision)
    except ValueError:
        raise ValidationError("Choose the decision the review reached.", field="decision") from None
    if chosen not in decisions_for(stage):
        raise ValidationError(f"'{chosen.label}' is not a next step at the {Stage(stage).label.lower()}.",
                              field="decision")
    if chosen not in allowed_decisions(stage, at_risk_of_exclusion):
        raise ValidationError("The pupil is at risk of exclusion, so their needs are not being "
                              "met: the provision must change, not be withdrawn. Choose another "
                              "next step.", field="decision")
    return chosen


# --- risk of exclusion ------------------------------------------------------------------------
def provision_changed(previous: Iterable[Mapping[str, Any]],
                      new: Iterable[Mapping[str, Any]]) -> bool:
    """True when the new plan's provision is not simply the last plan's provision again."""
    return sorted(map(provision.signature, previous)) != sorted(map(provision.signature, new))


def check_exclusion_rule(at_risk_of_exclusion: bool, previous: Iterable[Mapping[str, Any]],
                         new: Iterable[Mapping[str, Any]]) -> None:
    """Refuse to agree a plan that repeats the provision a review found was not preventing the
    risk of exclusion."""
    if at_risk_of_exclusion and not provision_changed(previous, new):
        raise ValidationError(
            "The last review found the pupil at risk of exclusion, so the provision must change. "
            "Add, alter or replace provision before agreeing the plan (involving specialist "
            "services should be considered).", field="provision")


# --- cycles -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CycleCount:
    total: int          # cycles started
    completed: int      # cycles whose review has been held
    targeted: int       # completed at the targeted stage
    specialist: int     # completed at the specialist stage


def count_cycles(cycles: Iterable[tuple[Stage | str, bool]]) -> CycleCount:
    """(stage, reviewed) for each cycle of a pupil, across all their pathways."""
    total = completed = targeted = specialist = 0
    for stage, reviewed in cycles:
        total += 1
        if reviewed:
            completed += 1
            if Stage(stage) is Stage.TARGETED:
                targeted += 1
            else:
                specialist += 1
    return CycleCount(total, completed, targeted, specialist)


def next_part(assess_done: bool, plan_agreed: bool, review_done: bool) -> Part | None:
    """Where a cycle is: the first part not yet finished (Do runs until the review is held)."""
    if not assess_done:
        return Part.ASSESS
    if not plan_agreed:
        return Part.PLAN
    if not review_done:
        return Part.DO
    return None


# --- the stored record, as the repositories return it ----------------------------------------
@dataclass(frozen=True)
class AssessmentTool:
    id: int
    tool: str
    used_on: dt.date | None
    result: str


@dataclass(frozen=True)
class Assessment:
    id: int
    cycle_id: int
    assessed_on: dt.date | None
    parent_views: str
    child_views: str
    strengths: str
    needs: str
    primary_need: str | None
    tools: tuple[AssessmentTool, ...]
    completed: bool
    entered_at: str


@dataclass(frozen=True)
class Outcome:
    id: int
    position: int
    text: str
    measure: str
    target_date: dt.date | None
    area: str | None
    pfa_area: str | None
    measure_name: str = ""       # the named measure it is judged by, e.g. "YARC reading age"

    def fields(self) -> dict[str, Any]:
        return {"text": self.text, "measure": self.measure, "target_date": self.target_date,
                "area": self.area, "pfa_area": self.pfa_area, "measure_name": self.measure_name}


@dataclass(frozen=True)
class ProvisionItem:
    id: int
    plan_id: int
    position: int
    description: str
    area: str | None
    delivered_by: str
    group_size: int
    sessions_per_week: Decimal
    minutes: int
    weeks: int
    cost_basis: provision.CostBasis
    rate_pence: int
    recommendation_id: int | None
    started_on: dt.date | None
    ended_on: dt.date | None
    end_reason: str | None
    library_id: int | None = None   # the library item the line was filled from, if any

    def fields(self) -> dict[str, Any]:
        return {"description": self.description, "area": self.area,
                "delivered_by": self.delivered_by, "group_size": self.group_size,
                "sessions_per_week": self.sessions_per_week, "minutes": self.minutes,
                "weeks": self.weeks, "cost_basis": self.cost_basis, "rate_pence": self.rate_pence}

    @property
    def yearly_cost_pence(self) -> int:
        return provision.yearly_cost_pence(provision.costing_of(self.fields()))

    @property
    def frequency(self) -> str:
        return provision.describe_frequency(self.fields())

    @property
    def active(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True)
class Plan:
    id: int
    cycle_id: int
    aspirations: str
    plan_date: dt.date | None
    review_date: dt.date | None
    shared_on: dt.date | None
    outcomes: tuple[Outcome, ...]
    items: tuple[ProvisionItem, ...]
    agreed: bool
    entered_at: str
    # Who is responsible for the support (people's names; they may change after agreement).
    responsible_teacher: str = ""
    key_worker: str = ""

    @property
    def active_items(self) -> tuple[ProvisionItem, ...]:
        return tuple(item for item in self.items if item.active)

    @property
    def yearly_cost_pence(self) -> int:
        """The cost of the provision still running (items ended early no longer count)."""
        return provision.total_pence(item.yearly_cost_pence for item in self.active_items)


@dataclass(frozen=True)
class DeliveryEntry:
    id: int
    item_id: int
    item: str
    delivered_on: dt.date
    delivered: bool
    note: str
    entered_by: str
    entered_at: str
    withdrawn: bool
    withdrawn_reason: str | None


class Progress(str, enum.Enum):
    ACHIEVED = "achieved"
    PARTLY = "partly"
    NOT_YET = "not_yet"

    @property
    def label(self) -> str:
        return {"achieved": "Achieved", "partly": "Partly achieved",
                "not_yet": "Not yet achieved"}[self.value]


@dataclass(frozen=True)
class SpecialistView:
    involvement_id: int
    service: str
    view: str
    given_as: str


@dataclass(frozen=True)
class Review:
    id: int
    cycle_id: int
    held_on: dt.date | None
    attendees: str
    child_views: str
    parent_views: str
    staff_views: str
    at_risk_of_exclusion: bool
    decision: Decision | None
    decision_notes: str
    progress: dict[int, tuple[Progress | None, str]]   # outcome id -> (progress, comment)
    specialist_views: tuple[SpecialistView, ...]
    completed: bool
    entered_at: str
    shared_on: dt.date | None = None    # the day the held review's record went to the parents


@dataclass(frozen=True)
class Cycle:
    id: int
    pathway_id: int
    number: int
    stage: Stage
    started_on: dt.date
    assessment: Assessment | None
    plan: Plan | None
    review: Review | None

    @property
    def next_part(self) -> Part | None:
        return next_part(bool(self.assessment and self.assessment.completed),
                         bool(self.plan and self.plan.agreed),
                         bool(self.review and self.review.completed))

    @property
    def reviewed(self) -> bool:
        return bool(self.review and self.review.completed)


@dataclass(frozen=True)
class Pathway:
    id: int
    pupil_id: int
    stage: Stage
    open: bool
    opened_on: dt.date
    closed_on: dt.date | None
    close_decision: Decision | None
    cycles: tuple[Cycle, ...]

    @property
    def current_cycle(self) -> Cycle | None:
        return self.cycles[-1] if self.cycles else None

    @property
    def current_plan(self) -> Plan | None:
        """The latest agreed plan: the provision in force while a new plan is drafted."""
        for cycle in reversed(self.cycles):
            if cycle.plan is not None and cycle.plan.agreed:
                return cycle.plan
        return None
