"""EHC plans: the plan, its long-term outcomes and steps, and its annual reviews as records,
with the checks on what is typed for each."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import ValidationError
from .. import bank_holidays, dates
from ..outcomes import PFA_AREAS
from ..text import clean_line, clean_text

PLANS_BEGAN = dt.date(2014, 9, 1)   # Children and Families Act 2014: EHC plans replace statements
BOOK_AHEAD_YEARS = 2


def _choice(enum_type: type[enum.Enum], value: Any, message: str, field: str) -> Any:
    if value in (None, ""):
        return None
    try:
        return enum_type(value)
    except ValueError:
        raise ValidationError(message, field=field) from None


class ReviewRecommendation(str, enum.Enum):
    MAINTAIN = "maintain"
    AMEND = "amend"
    CEASE = "cease"

    @property
    def label(self) -> str:
        return {"maintain": "Keep the plan as it is", "amend": "Amend the plan",
                "cease": "Cease the plan"}[self.value]


class ReviewKind(str, enum.Enum):
    """An annual review, or an interim one called between them (needs changed, a placement is
    at risk): both are recorded with what they recommend; only annual ones set the yearly
    schedule."""

    ANNUAL = "annual"
    INTERIM = "interim"

    @property
    def label(self) -> str:
        return {"annual": "Annual review", "interim": "Interim review"}[self.value]


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
    kind: ReviewKind = ReviewKind.ANNUAL

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
        # Every held review has held_on; date.min only gives the key a type that always sorts.
        return tuple(sorted((r for r in self.reviews if r.held and r.kind is ReviewKind.ANNUAL),
                            key=lambda r: r.held_on or dt.date.min))

    @property
    def interim_reviews(self) -> tuple[AnnualReview, ...]:
        return tuple(sorted((r for r in self.reviews if r.kind is ReviewKind.INTERIM),
                            key=lambda r: r.held_on or dt.date.min))

    @property
    def booked_review(self) -> AnnualReview | None:
        """The review being arranged (booked, not yet held), if any."""
        pending = [r for r in self.reviews if not r.held and r.kind is ReviewKind.ANNUAL]
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


# Parents (or the young person) have at least 15 days to comment on a draft EHC plan before
# the local authority issues it final (SEND Code of Practice 9.77 and 9.79).
DRAFT_COMMENT_DAYS = 15


def require_working_day(issued: dt.date) -> dt.date:
    """A local authority issues a plan on a working day: a Saturday or a bank holiday is a
    slip of the keyboard (the school's holidays are the LA's working days)."""
    if issued.weekday() >= 5 or bank_holidays.is_bank_holiday(issued):
        why = ("a bank holiday" if issued.weekday() < 5 else "at the weekend")
        raise ValidationError(f"{bank_holidays.WEEKDAYS[issued.weekday()]} "
                              f"{dates.format_uk(issued)} is {why}: a local authority issues "
                              "a plan on a working day. Give the date on the plan.",
                              field="issued_on")
    return issued


def timing_warning(issued: dt.date, draft: dt.date | None) -> str | None:
    """What to ask before a final plan is recorded that came too soon after its draft (the
    parents' time to comment), or with no draft date known; None when the timing is plausible.
    The person may still go on: a date typed wrongly is the likely cause, and they can check."""
    if draft is None:
        return (f"No date is recorded for the draft plan. Parents have at least "
                f"{DRAFT_COMMENT_DAYS} days to comment on a draft before the final plan is "
                f"issued; if you go on, the draft is recorded as dated {dates.format_uk(issued)}, "
                "the day the plan was issued.")
    gap = (issued - draft).days
    if 0 <= gap < DRAFT_COMMENT_DAYS:   # (a draft after the plan is refused elsewhere)
        return (f"The final plan ({dates.format_uk(issued)}) comes {gap} "
                f"day{'' if gap == 1 else 's'} after the draft ({dates.format_uk(draft)}); "
                f"parents have at least {DRAFT_COMMENT_DAYS} days to comment on a draft before "
                "the final plan is issued. Check both dates.")
    return None


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
        "kind": _choice(ReviewKind, raw.get("kind"), "Choose an annual or an interim review.",
                        "kind") or ReviewKind.ANNUAL,
    }
    if values["kind"] is ReviewKind.INTERIM:
        # Recorded once held, with what it decided: an interim review is called when needed.
        if values["held_on"] is None:
            raise ValidationError("Give the date the interim review was held.", field="held_on")
        if values["recommendation"] is None:
            raise ValidationError("Record the outcome of the interim review.",
                                  field="recommendation")
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
