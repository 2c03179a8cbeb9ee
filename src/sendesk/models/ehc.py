"""EHC needs assessment requests and EHC plans: the records and their statutory dates.

A request to the local authority needs the parents' consent and the head teacher's
countersignature (the LA sends back a request without them). From the day it is received the
statutory assessment runs to 20 weeks (SEND Code of Practice 9.40-9.42): the decision whether to
assess by week 6, a draft plan (or notice that no plan will be issued) by week 16, the final
plan by week 20. The LA also asks schools to send requests at least 16 weeks before the last
week of the summer term so an outcome can come before the new school year; a later request is
still accepted, but a manager will talk to the school and parents about waiting.

An EHC plan is reviewed every year (003 "Reviewing EHC plans"): the meeting about four weeks
before the anniversary of issue, so the LA can decide by the anniversary (and never more than a
year after the last review was completed, which brings the anniversary forward); every
specialist involved is given at least six weeks' notice; papers go out two weeks before the
meeting; the school sends its report to the LA within two weeks after it. In Year 6 the review
is done by 31 December so the plan is ready for secondary school; Preparing for Adulthood is
part of every review from Year 9; the Year 11 review is the transition review for post-16.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import ValidationError
from . import dates
from .calendar import SchoolCalendar
from .outcomes import PFA_AREAS
from .pupils import YEAR_RANK
from .text import clean_line, clean_text

STATUTORY_WEEKS = 20
DECISION_WEEKS = 6
DRAFT_WEEKS = 16
DUE_SOON_DAYS = 14
MEETING_BEFORE_ANNIVERSARY = dt.timedelta(weeks=4)
SPECIALIST_NOTICE = dt.timedelta(weeks=6)
PAPERS_BEFORE_MEETING = dt.timedelta(weeks=2)
REPORT_AFTER_MEETING = dt.timedelta(weeks=2)
YEAR6_REVIEW_BY = (12, 31)
PLANS_BEGAN = dt.date(2014, 9, 1)   # Children and Families Act 2014: EHC plans replace statements
BOOK_AHEAD_YEARS = 2
PFA_FROM_YEAR = 9
TRANSITION_YEAR = 11


# --- EHC needs assessment requests -----------------------------------------------------------
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
    values["decision"] = _choice(AssessDecision, raw.get("decision"),
                                 "Choose the local authority's decision.", "decision")
    values["plan_decision"] = _choice(PlanDecision, raw.get("plan_decision"),
                                      "Choose whether the LA will issue a plan.", "plan_decision")
    if values["head_signed_on"] is not None and not values["head_name"]:
        raise ValidationError("Give the name of the head teacher who countersigned.",
                              field="head_name")
    sent = values["submitted_on"]
    if sent is not None:
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


# --- EHC plans --------------------------------------------------------------------------------
class ReviewRecommendation(str, enum.Enum):
    MAINTAIN = "maintain"
    AMEND = "amend"
    CEASE = "cease"

    @property
    def label(self) -> str:
        return {"maintain": "Keep the plan as it is", "amend": "Amend the plan",
                "cease": "Cease the plan"}[self.value]


@dataclass(frozen=True)
class OutcomeStep:
    """A shorter-term step towards one of the plan's long-term outcomes."""

    id: int
    position: int
    text: str
    target_date: dt.date | None
    achieved_on: dt.date | None


@dataclass(frozen=True)
class EhcOutcome:
    id: int
    position: int
    text: str
    pfa_area: str | None
    steps: tuple[OutcomeStep, ...]


@dataclass(frozen=True)
class AnnualReview:
    id: int
    plan_id: int
    meeting_on: dt.date | None          # the date booked (or held)
    invitations_sent_on: dt.date | None
    held_on: dt.date | None
    recommendation: ReviewRecommendation | None
    pfa_discussed: bool
    notes: str
    report_sent_on: dt.date | None      # the review report to the LA
    entered_at: str

    @property
    def held(self) -> bool:
        return self.held_on is not None


@dataclass(frozen=True)
class EhcPlan:
    id: int
    pupil_id: int
    request_id: int | None
    issued_on: dt.date
    local_authority: str
    caseworker: str
    caseworker_contact: str
    ceased_on: dt.date | None
    ceased_reason: str | None
    outcomes: tuple[EhcOutcome, ...]
    reviews: tuple[AnnualReview, ...]
    entered_at: str

    @property
    def current(self) -> bool:
        return self.ceased_on is None

    @property
    def held_reviews(self) -> tuple[AnnualReview, ...]:
        return tuple(sorted((r for r in self.reviews if r.held), key=lambda r: r.held_on))

    @property
    def booked_review(self) -> AnnualReview | None:
        """The review being arranged (booked, not yet held), if any."""
        pending = [r for r in self.reviews if not r.held]
        return pending[-1] if pending else None


def clean_plan(raw: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    issued = dates.require_date(raw.get("issued_on"), "Date the plan was issued")
    dates.not_after(issued, today, "Date the plan was issued")
    dates.not_before(issued, PLANS_BEGAN, "Date the plan was issued",
                     "1 September 2014, when EHC plans began")
    return {
        "issued_on": issued,
        "local_authority": clean_line(str(raw.get("local_authority") or ""), "Local authority",
                                      max_length=100),
        "caseworker": clean_line(str(raw.get("caseworker") or ""), "Caseworker", max_length=120,
                                 required=False),
        "caseworker_contact": clean_line(str(raw.get("caseworker_contact") or ""),
                                         "Caseworker's phone or email", max_length=200,
                                         required=False),
    }


def clean_outcomes(raw: Any) -> list[dict[str, Any]]:
    """Long-term outcomes, each with its shorter-term steps (text, target date, achieved)."""
    cleaned = []
    for outcome in raw or []:
        text = clean_text(str(outcome.get("text") or ""), "Outcome", max_length=2000)
        steps = []
        for step in outcome.get("steps") or []:
            step_text = clean_text(str(step.get("text") or ""), "Step", max_length=1000)
            if not step_text:
                continue
            target = dates.parse_date(step.get("target_date"), "Step target date", required=False)
            achieved = dates.parse_date(step.get("achieved_on"), "Date the step was achieved",
                                        required=False)
            steps.append({"id": step.get("id"), "text": step_text, "target_date": target,
                          "achieved_on": achieved})
        if not text:
            if steps:
                raise ValidationError("Write the long-term outcome the steps lead to.",
                                      field="outcomes")
            continue
        pfa = (outcome.get("pfa_area") or "").strip() or None
        if pfa is not None and pfa not in PFA_AREAS:
            raise ValidationError(f"'{pfa}' is not a Preparing for Adulthood area.",
                                  field="pfa_area")
        cleaned.append({"id": outcome.get("id"), "text": text, "pfa_area": pfa, "steps": steps})
    return cleaned


def clean_review(raw: Mapping[str, Any], issued_on: dt.date, today: dt.date) -> dict[str, Any]:
    values = {
        "meeting_on": dates.parse_date(raw.get("meeting_on"), "Date of the review meeting",
                                       required=False),
        "invitations_sent_on": dates.parse_date(raw.get("invitations_sent_on"),
                                                "Date the invitations were sent", required=False),
        "held_on": dates.parse_date(raw.get("held_on"), "Date the review was held", required=False),
        "report_sent_on": dates.parse_date(raw.get("report_sent_on"),
                                           "Date the report went to the LA", required=False),
        "recommendation": _choice(ReviewRecommendation, raw.get("recommendation"),
                                  "Choose what the review recommends.", "recommendation"),
        "pfa_discussed": bool(raw.get("pfa_discussed")),
        "notes": clean_text(str(raw.get("notes") or ""), "Notes", max_length=8000),
    }
    if values["meeting_on"] is None and values["held_on"] is None:
        raise ValidationError("Give the date of the review meeting.", field="meeting_on")
    dates.not_before(values["meeting_on"], issued_on, "Date of the review meeting",
                     "the date the plan was issued")
    if values["meeting_on"] is not None and \
            values["meeting_on"] > dates.add_years(today, BOOK_AHEAD_YEARS):
        raise ValidationError(f"Date of the review meeting ({dates.format_uk(values['meeting_on'])})"
                              " is more than two years after today; check the year.",
                              field="meeting_on")
    for name, label in (("invitations_sent_on", "Date the invitations were sent"),
                        ("held_on", "Date the review was held"),
                        ("report_sent_on", "Date the report went to the LA")):
        dates.not_after(values[name], today, label)
        dates.not_before(values[name], issued_on, label, "the date the plan was issued")
    if values["held_on"] is not None:
        values["meeting_on"] = values["meeting_on"] or values["held_on"]
        if values["recommendation"] is None:
            raise ValidationError("Record what the review recommends to the local authority.",
                                  field="recommendation")
    elif values["recommendation"] is not None or values["report_sent_on"] is not None:
        raise ValidationError("Record the date the review was held first.", field="held_on")
    dates.not_before(values["report_sent_on"], values["held_on"], "Date the report went to the LA",
                     "the review meeting")
    dates.not_after(values["invitations_sent_on"], values["meeting_on"],
                    "Date the invitations were sent", "the meeting")
    return values


# --- the annual review schedule ---------------------------------------------------------------
def year_rank(year_group: str | None) -> int | None:
    return YEAR_RANK.get((year_group or "").strip().upper())


def year_group_on(year_group: str | None, today: dt.date, day: dt.date,
                  calendar: SchoolCalendar) -> int | None:
    """The national curriculum year a pupil in year_group today will be in on another day."""
    rank = year_rank(year_group)
    if rank is None:
        return None
    return rank + calendar.school_year_of(day) - calendar.school_year_of(today)


@dataclass(frozen=True)
class ReviewSchedule:
    number: int                     # 1 for the first annual review
    due_by: dt.date                 # the anniversary (or a year after the last review ended)
    meeting_by: dt.date             # the latest date the meeting should be held
    meeting_on: dt.date             # the booked date, or meeting_by when none is booked
    booked: bool
    invitations_by: dt.date         # six weeks' notice to specialists
    papers_by: dt.date              # advice and reports to everyone invited
    report_by: dt.date              # the review report to the LA
    year_group: int | None          # the pupil's year at the meeting
    year6_deadline: dt.date | None  # 31 December of Year 6
    pfa: bool
    transition: str | None
    notes: tuple[str, ...]
    late: bool                      # the booked date is after meeting_by
    notice_warning: str | None = None  # specialists get (or can now get) under six weeks' notice

    @property
    def short_notice(self) -> bool:
        return self.notice_warning is not None


def review_schedule(plan: EhcPlan, year_group: str | None, today: dt.date,
                    calendar: SchoolCalendar) -> ReviewSchedule | None:
    """When the next annual review of a current plan is due and what must happen before it."""
    if not plan.current:
        return None
    held = plan.held_reviews
    number = len(held) + 1
    due = dates.add_years(plan.issued_on, number)
    if held:
        # A review is complete when the LA decides, up to four weeks after the meeting; the next
        # one is due within a year of that, so an early meeting (Year 6) brings it forward.
        due = min(due, dates.add_years(held[-1].held_on + MEETING_BEFORE_ANNIVERSARY, 1))
    meeting_by = calendar.school_day_on_or_before(due - MEETING_BEFORE_ANNIVERSARY)
    notes: list[str] = []
    year = year_group_on(year_group, today, meeting_by, calendar)
    year6_deadline = None
    if year == 6:
        autumn_year = calendar.school_year_of(meeting_by)
        year6_deadline = dt.date(autumn_year, *YEAR6_REVIEW_BY)
        if meeting_by > year6_deadline:
            meeting_by = calendar.school_day_on_or_before(year6_deadline)
            notes.append("Year 6: the review is brought forward so it is done by 31 December, "
                         "in time to plan the move to secondary school.")
        else:
            notes.append("Year 6: done by 31 December; consider what will need to change at "
                         "secondary school.")
    booking = plan.booked_review
    booked = booking is not None and booking.meeting_on is not None
    meeting_on = booking.meeting_on if booked else meeting_by
    year = year_group_on(year_group, today, meeting_on, calendar)
    pfa = year is not None and year >= PFA_FROM_YEAR
    transition = None
    if year == 6:
        transition = "Transfer from primary to secondary school"
    elif year == TRANSITION_YEAR:
        transition = "Year 11 transition review: post-16 options and destinations"
        notes.append("Year 11: the transition review; invite the careers adviser.")
    if pfa:
        notes.append("Preparing for Adulthood: cover good health; friendships, relationships and "
                     "community; independent living; and employment.")
    invited = booking.invitations_sent_on if booking is not None else None
    notice_warning = None
    if (invited or today) > meeting_on - SPECIALIST_NOTICE:
        notice_warning = _short_notice_note(meeting_on, invited, today)
        notes.append(notice_warning)
    return ReviewSchedule(
        number=number, due_by=due, meeting_by=meeting_by, meeting_on=meeting_on, booked=booked,
        invitations_by=calendar.school_day_on_or_before(meeting_on - SPECIALIST_NOTICE),
        papers_by=calendar.school_day_on_or_before(meeting_on - PAPERS_BEFORE_MEETING),
        report_by=meeting_on + REPORT_AFTER_MEETING, year_group=year,
        year6_deadline=year6_deadline, pfa=pfa, transition=transition, notes=tuple(notes),
        late=booked and meeting_on > meeting_by, notice_warning=notice_warning)


def _short_notice_note(meeting_on: dt.date, invited: dt.date | None, today: dt.date) -> str:
    meeting = dates.format_uk(meeting_on)
    if invited is None and meeting_on < today:
        return (f"The meeting was due by {meeting} and no invitations have been sent: book it "
                "and invite everyone now, giving specialists as much notice as possible.")
    if invited is not None:
        return (f"Short notice: the invitations went out on {dates.format_uk(invited)}, giving "
                f"specialists fewer than six weeks' notice of the meeting on {meeting}. Check "
                "that they can come or send advice, or move the meeting.")
    return (f"Short notice: the invitations have not been sent and fewer than six weeks remain "
            f"before the meeting on {meeting}. Send them now, or move the meeting so "
            "specialists have six weeks' notice.")
