"""Outcomes in a support plan, and the SMART check the plan form runs as the SENCO types.

An outcome is what the pupil will be able to do, how everyone will know (the measure) and by
when. The app cannot judge whether an outcome is achievable or realistic; it can tell when one
has nothing to measure it by or no date, which are the two faults that make an outcome
impossible to review. From Year 9 a plan should also work towards the Preparing for Adulthood
areas. These are warnings, not refusals: a plan with warnings can still be saved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from . import dates
from .provision import clean_area
from .text import clean_line, clean_text

PFA_AREAS: dict[str, str] = {
    "health": "Good health",
    "community": "Friendships, relationships and community",
    "independent_living": "Independent living",
    "employment": "Employment",
}
PFA_FROM_YEAR = 9
SUGGESTED_OUTCOMES = 6

# A measure needs a number, a count or a clear standard to be checked against.
_QUANTITY = re.compile(
    r"\d|%|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|hundred|half|quarter|all|every|each|always|twice|once|daily|weekly|"
    r"times?|out of|per cent|percent|independently|unaided|without (an? )?(adult |staff )?"
    r"(prompts?|help|support|reminders?))\b", re.IGNORECASE)


@dataclass(frozen=True)
class SmartWarning:
    code: str
    message: str
    outcome: int | None = None  # position in the plan (0-based); None for the plan as a whole

    def __str__(self) -> str:
        if self.outcome is None:
            return self.message
        return f"Outcome {self.outcome + 1}: {self.message}"


def clean_outcome(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of one outcome. Only the outcome itself is required; SMART faults are warnings."""
    text = clean_text(str(raw.get("text") or ""), "Outcome", max_length=1000)
    if not text:
        raise ValidationError("Write the outcome: what the pupil will be able to do.",
                              field="text")
    pfa = (raw.get("pfa_area") or "").strip() or None
    if pfa is not None and pfa not in PFA_AREAS:
        raise ValidationError(f"'{pfa}' is not a Preparing for Adulthood area.", field="pfa_area")
    return {
        "text": text,
        "measure": clean_text(str(raw.get("measure") or ""), "How it will be measured",
                              max_length=1000),
        "target_date": dates.parse_date(raw.get("target_date"), "Date to achieve it by",
                                        required=False),
        "area": clean_area(raw.get("area")),
        "pfa_area": pfa,
        "measure_name": clean_line(str(raw.get("measure_name") or ""), "Measure used",
                                   max_length=100, required=False),
    }


def is_measurable(measure: str) -> bool:
    return bool(_QUANTITY.search(measure or ""))


def outcome_warnings(outcome: Mapping[str, Any], *, position: int | None = None,
                     plan_date: dt.date | None = None,
                     review_date: dt.date | None = None) -> list[SmartWarning]:
    """SMART faults in one outcome (fields as clean_outcome returns them, or stored)."""
    found: list[SmartWarning] = []
    measure = (outcome.get("measure") or "").strip()
    if not measure:
        found.append(SmartWarning(
            "no_measure", "no measure. Say how everyone will know it has been achieved "
            "(for example '8 out of 10 tricky words', 'three times a week').", position))
    elif not is_measurable(measure):
        found.append(SmartWarning(
            "vague_measure", "the measure has no number, count or clear standard in it "
            "(for example '4 out of 5 days', 'without an adult prompt').", position))
    target = outcome.get("target_date")
    if isinstance(target, str):
        target = dates.from_text(target)
    if target is None:
        found.append(SmartWarning("no_date", "no date. Give the date it should be achieved by.",
                                  position))
    else:
        if plan_date is not None and target <= plan_date:
            found.append(SmartWarning(
                "date_not_ahead", f"the date ({dates.format_uk(target)}) is not after the plan "
                f"date ({dates.format_uk(plan_date)}).", position))
        if review_date is not None and target > review_date:
            found.append(SmartWarning(
                "date_after_review", f"the date ({dates.format_uk(target)}) is after the review "
                f"({dates.format_uk(review_date)}), so progress cannot be judged at that review.",
                position))
    return found


def needs_pfa(year_group: str | None) -> bool:
    """Preparing for Adulthood outcomes are expected from Year 9 onwards."""
    text = (year_group or "").strip()
    return text.isdigit() and int(text) >= PFA_FROM_YEAR


def plan_warnings(outcomes: Iterable[Mapping[str, Any]], *, year_group: str | None,
                  plan_date: dt.date | None = None,
                  review_date: dt.date | None = None) -> list[SmartWarning]:
    """Every SMART warning for a plan's outcomes, then those about the set as a whole."""
    outcomes = list(outcomes)
    found: list[SmartWarning] = []
    for position, outcome in enumerate(outcomes):
        found.extend(outcome_warnings(outcome, position=position, plan_date=plan_date,
                                      review_date=review_date))
    if not outcomes:
        found.append(SmartWarning("no_outcomes", "The plan has no outcomes yet."))
    elif len(outcomes) > SUGGESTED_OUTCOMES:
        found.append(SmartWarning(
            "many_outcomes", f"The plan has {len(outcomes)} outcomes. About "
            f"{SUGGESTED_OUTCOMES} keeps it focused and possible to review."))
    if needs_pfa(year_group) and not any(outcome.get("pfa_area") for outcome in outcomes):
        found.append(SmartWarning(
            "no_pfa", f"The pupil is in Year {year_group}: link at least one outcome to a "
            "Preparing for Adulthood area (" + "; ".join(PFA_AREAS.values()).lower() + ")."))
    return found
