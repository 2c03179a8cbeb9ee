"""EHC needs assessment requests: the record and its statutory timeline.

EHC needs assessment requests and EHC plans: the records and their statutory dates.

A request to the local authority needs the parents' consent and the head teacher's
countersignature (the LA sends back a request without them). From the day it is received the
statutory assessment runs to 20 weeks (SEND Code of Practice 9.40-9.42): the decision whether to
assess by week 6, a draft plan (or notice that no plan will be issued) by week 16, the final
plan by week 20. The LA also asks schools to send requests at least 16 weeks before the last
week of the summer term so an outcome can come before the new school year; a later request is
still accepted, but a manager will talk to the school and parents about waiting.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import ValidationError
from .. import dates
from ..calendar import SchoolCalendar
from ..school_contacts import YOUNG_PERSON_AGE, is_young_person
from ..text import clean_line, clean_text

STATUTORY_WEEKS = 20
DECISION_WEEKS = 6
DRAFT_WEEKS = 16
DUE_SOON_DAYS = 14


class RequestedBy(str, enum.Enum):
    """Who asked the LA for the assessment: the school, or a parent or young person themselves
    (SEND Code of Practice 9.8: they need not go through the school)."""

    SCHOOL = "school"
    PARENT = "parent"
    YOUNG_PERSON = "young_person"

    @property
    def label(self) -> str:
        return {"school": "The school", "parent": "A parent",
                "young_person": "The young person"}[self.value]


def who_may_ask(dob: dt.date, today: dt.date) -> list[RequestedBy]:
    """Who the request form offers: a young person asks for themselves only from 16 (before
    then it is a child, whose parent asks for them)."""
    return [r for r in RequestedBy
            if r is not RequestedBy.YOUNG_PERSON or is_young_person(dob, today)]


def check_requested_by(requested_by: RequestedBy, dob: dt.date, asked_on: dt.date,
                       forename: str) -> None:
    """A request recorded as the young person's own must come from a pupil of 16 or over on
    the day it was made (the day sent to the LA, or today while it is being prepared)."""
    if requested_by is RequestedBy.YOUNG_PERSON and not is_young_person(dob, asked_on):
        raise ValidationError(
            f"{forename} was under {YOUNG_PERSON_AGE} on {dates.format_uk(asked_on)}, so the "
            "request cannot be the young person's own; choose the school or a parent.",
            field="requested_by")


class AssessDecision(str, enum.Enum):
    ASSESS = "assess"
    NOT_ASSESS = "not_assess"

    @property
    def label(self) -> str:
        return {"assess": "Agreed to assess", "not_assess": "Decided not to assess"}[self.value]


class PlanDecision(str, enum.Enum):
    ISSUE = "issue"
    NOT_ISSUE = "not_issue"

    @property
    def label(self) -> str:
        return {"issue": "EHC plan to be issued", "not_issue": "No EHC plan to be issued"}[self.value]


class RequestStage(str, enum.Enum):
    PREPARING = "preparing"
    SUBMITTED = "submitted"
    ASSESSING = "assessing"
    NOT_ASSESSED = "not_assessed"
    PLAN_ISSUED = "plan_issued"
    NO_PLAN = "no_plan"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"preparing": "Being prepared", "submitted": "Sent; awaiting the LA's decision",
                "assessing": "Being assessed", "not_assessed": "LA decided not to assess",
                "plan_issued": "EHC plan issued", "no_plan": "No EHC plan issued",
                "withdrawn": "Withdrawn"}[self.value]

    @property
    def finished(self) -> bool:
        return self in (RequestStage.NOT_ASSESSED, RequestStage.PLAN_ISSUED, RequestStage.NO_PLAN,
                        RequestStage.WITHDRAWN)


@dataclass(frozen=True)
class EhcnaRequest:
    id: int
    pupil_id: int
    local_authority: str
    consent_on: dt.date | None          # the parents' signed consent form
    consent_from: str | None
    head_name: str | None               # the head teacher who countersigned
    head_signed_on: dt.date | None
    submitted_on: dt.date | None        # the day the LA received it
    decision: AssessDecision | None
    decision_on: dt.date | None
    plan_decision: PlanDecision | None
    draft_on: dt.date | None            # draft plan, or notice that no plan will be issued
    final_on: dt.date | None            # the final plan was issued
    withdrawn_on: dt.date | None
    notes: str
    entered_at: str
    requested_by: RequestedBy = RequestedBy.SCHOOL
    sent_readiness: str | None = None          # the checklist score when it went ("3 of 11")
    sent_below_readiness_reason: str | None = None

    @property
    def stage(self) -> RequestStage:
        if self.withdrawn_on is not None:
            return RequestStage.WITHDRAWN
        if self.submitted_on is None:
            return RequestStage.PREPARING
        if self.decision is None:
            return RequestStage.SUBMITTED
        if self.decision is AssessDecision.NOT_ASSESS:
            return RequestStage.NOT_ASSESSED
        if self.plan_decision is PlanDecision.NOT_ISSUE:
            return RequestStage.NO_PLAN
        if self.final_on is not None:
            return RequestStage.PLAN_ISSUED
        return RequestStage.ASSESSING

    @property
    def missing_before_submission(self) -> list[str]:
        if self.requested_by is not RequestedBy.SCHOOL:
            return []
        return submission_missing(self.consent_on, self.head_name, self.head_signed_on)


def submission_missing(consent_on: dt.date | None, head_name: str | None,
                       head_signed_on: dt.date | None) -> list[str]:
    """What the LA would send the request back for."""
    missing = []
    if consent_on is None:
        missing.append("the parents' signed consent")
    if not head_name or head_signed_on is None:
        missing.append("the head teacher's countersignature (name and date)")
    return missing


_REQUEST_DATES = (("consent_on", "Date of the parents' consent"),
                  ("head_signed_on", "Date the head teacher countersigned"),
                  ("submitted_on", "Date sent to the local authority"),
                  ("decision_on", "Date of the LA's decision"),
                  ("draft_on", "Date of the draft plan or notice"),
                  ("final_on", "Date the final plan was issued"),
                  ("withdrawn_on", "Date withdrawn"))


def _choice(enum_type: type[enum.Enum], value: Any, message: str, field: str) -> Any:
    if value in (None, ""):
        return None
    try:
        return enum_type(value)
    except ValueError:
        raise ValidationError(message, field=field) from None


def clean_request(raw: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """The fields of a request, checked for the order things happen in.

    Nothing may be dated in the future; it cannot be sent before the parents consented and the
    head teacher countersigned; the LA decides after receiving it; a draft follows an agreement
    to assess and the final plan follows a decision to issue one.
    """
    values: dict[str, Any] = {}
    for name, label in _REQUEST_DATES:
        values[name] = dates.parse_date(raw.get(name), label, required=False)
        dates.not_after(values[name], today, label)
    values["local_authority"] = clean_line(str(raw.get("local_authority") or ""),
                                           "Local authority", max_length=100)
    values["consent_from"] = clean_line(str(raw.get("consent_from") or ""), "Consent given by",
                                        max_length=120, required=False) or None
    values["head_name"] = clean_line(str(raw.get("head_name") or ""), "Head teacher's name",
                                     max_length=120, required=False) or None
    values["notes"] = clean_text(str(raw.get("notes") or ""), "Notes", max_length=8000)
    values["requested_by"] = _choice(RequestedBy, raw.get("requested_by"),
                                     "Choose who asked for the assessment: the school, a parent "
                                     "or the young person.", "requested_by") or RequestedBy.SCHOOL
    values["decision"] = _choice(AssessDecision, raw.get("decision"),
                                 "Choose the local authority's decision.", "decision")
    values["plan_decision"] = _choice(PlanDecision, raw.get("plan_decision"),
                                      "Choose whether the LA will issue a plan.", "plan_decision")
    if values["head_signed_on"] is not None and not values["head_name"]:
        raise ValidationError("Give the name of the head teacher who countersigned.",
                              field="head_name")
    sent = values["submitted_on"]
    if sent is not None and values["requested_by"] is RequestedBy.SCHOOL:
        # A parent or young person sends their own request; the school's steps do not apply.
        missing = submission_missing(values["consent_on"], values["head_name"],
                                     values["head_signed_on"])
        if missing:
            raise ValidationError("The local authority returns a request without "
                                  + " and ".join(missing) + "; record them before the date it "
                                  "was sent.", field="submitted_on")
        dates.not_before(sent, values["consent_on"], "Date sent to the local authority",
                         "the parents' consent")
        dates.not_before(sent, values["head_signed_on"], "Date sent to the local authority",
                         "the head teacher's countersignature")
    if (values["decision"] is None) != (values["decision_on"] is None):
        raise ValidationError("Record the LA's decision and the date it was made together.",
                              field="decision")
    if values["decision"] is not None:
        if sent is None:
            raise ValidationError("Record the date the request was sent before the LA's decision.",
                                  field="decision")
        dates.not_before(values["decision_on"], sent, "Date of the LA's decision",
                         "the date the request was sent")
    if values["plan_decision"] is not None or values["draft_on"] is not None \
            or values["final_on"] is not None:
        if values["decision"] is not AssessDecision.ASSESS:
            raise ValidationError("A draft or final plan comes only after the LA agrees to assess.",
                                  field="plan_decision")
        if values["plan_decision"] is None or values["draft_on"] is None:
            raise ValidationError("Record whether the LA will issue a plan and the date of the "
                                  "draft plan (or of the notice that none will be issued).",
                                  field="plan_decision")
        dates.not_before(values["draft_on"], values["decision_on"],
                         "Date of the draft plan or notice", "the decision to assess")
    if values["final_on"] is not None:
        if values["plan_decision"] is not PlanDecision.ISSUE:
            raise ValidationError("There is no final plan when the LA decided not to issue one.",
                                  field="final_on")
        # A final date made the block above insist on a draft date, so there is one.
        assert values["draft_on"] is not None
        dates.not_before(values["final_on"], values["draft_on"], "Date the final plan was issued",
                         "the draft plan")
    return values


class MilestoneState(str, enum.Enum):
    DONE = "done"
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    LATE = "late"            # done, but after the statutory date
    NOT_NEEDED = "not_needed"

    @property
    def label(self) -> str:
        return {"done": "Done", "upcoming": "Upcoming", "due": "Due soon", "overdue": "Overdue",
                "late": "Done late", "not_needed": "Not needed"}[self.value]


@dataclass(frozen=True)
class Milestone:
    key: str
    title: str
    week: int
    due: dt.date
    done_on: dt.date | None
    state: MilestoneState


def _state(due: dt.date, done_on: dt.date | None, today: dt.date) -> MilestoneState:
    if done_on is not None:
        return MilestoneState.LATE if done_on > due else MilestoneState.DONE
    if due < today:
        return MilestoneState.OVERDUE
    if due <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return MilestoneState.DUE
    return MilestoneState.UPCOMING


def week_date(submitted_on: dt.date, week: int) -> dt.date:
    return submitted_on + dt.timedelta(weeks=week)


def timeline(request: EhcnaRequest, today: dt.date) -> list[Milestone]:
    """The statutory milestones of a sent request, each with its state. Empty until it is sent;
    the later ones are not needed once the LA declines to assess or to issue a plan."""
    sent = request.submitted_on
    if sent is None:
        return []
    stopped = request.withdrawn_on is not None
    declined = request.decision is AssessDecision.NOT_ASSESS
    no_plan = request.plan_decision is PlanDecision.NOT_ISSUE

    def make(key: str, title: str, week: int, done_on: dt.date | None, not_needed: bool) -> Milestone:
        due = week_date(sent, week)
        state = MilestoneState.NOT_NEEDED if not_needed and done_on is None else _state(due, done_on, today)
        if stopped and done_on is None:
            state = MilestoneState.NOT_NEEDED
        return Milestone(key, title, week, due, done_on, state)

    return [
        make("decision", "LA decides whether to assess", DECISION_WEEKS, request.decision_on, False),
        make("draft", "Draft EHC plan, or notice that no plan will be issued", DRAFT_WEEKS,
             request.draft_on, declined),
        make("final", "Final EHC plan issued", STATUTORY_WEEKS, request.final_on,
             declined or no_plan),
    ]


def cutoff_warning(sent_on: dt.date, calendar: SchoolCalendar, *,
                   prospective: bool = False) -> str | None:
    """Said when a request goes after the LA's preferred cut-off in its school year (and before
    the summer holiday, after which the next year's cut-off applies). With prospective, said of
    a request still being prepared, as if it were sent on sent_on (today): that is when the
    SENCO can still choose to wait."""
    year = calendar.school_year_of(sent_on)
    cutoff = calendar.ehcna_cutoff(year)
    if cutoff < sent_on <= calendar.summer_term_end(year):
        opening = ("If it is sent now, it will be after" if prospective else "Sent after")
        return (f"{opening} the local authority's preferred date of {dates.format_uk(cutoff)} "
                f"({calendar.ehcna_cutoff_weeks} weeks before the last week of the summer term). "
                "It will still be considered, but a manager will talk to the school and parents "
                "about whether it can wait until September.")
    return None


def cutoff_advice(today: dt.date, calendar: SchoolCalendar) -> str:
    """The cut-off as the EHC tab states it today: this school year's date until it has passed,
    then that it has passed and next year's date, and next year's in the summer holiday."""
    year = calendar.school_year_of(today)
    cutoff = calendar.ehcna_cutoff(year)
    weeks = (f"({calendar.ehcna_cutoff_weeks} weeks before the last week of the summer term)")
    if today <= cutoff:
        return (f"The local authority's preferred last date for requests this school year is "
                f"{dates.format_uk(cutoff)} {weeks}.")
    following = dates.format_uk(calendar.ehcna_cutoff(year + 1))
    if today <= calendar.summer_term_end(year):
        return (f"The local authority's preferred last date for requests this school year "
                f"({dates.format_uk(cutoff)}) has passed: a request sent now will still be "
                "considered, but a manager will talk to the school and parents about whether it "
                f"can wait until September. Next school year's date is {following}.")
    return (f"The local authority's preferred last date for requests next school year is "
            f"{following} {weeks}.")
