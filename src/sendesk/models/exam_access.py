"""Exam access arrangements: what a pupil may have in tests and exams (25% extra time, a reader,
a scribe, rest breaks...), the assessment that showed the need, the evidence that it is their
normal way of working, and the dates it holds for.

Awarding bodies (JCQ "Access Arrangements and Reasonable Adjustments") expect the school to
keep, for each arrangement, who assessed the candidate and when, what the assessment found and
the evidence that the arrangement is how the pupil normally works in class. An assessment
supports arrangements for a limited time (for GCSEs, to the end of the course), so each
arrangement is valid from one date to another and shows as expired after that.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from . import dates
from .text import clean_line, clean_text

# One assessment supports arrangements for the length of a course; a range of more than five
# years is very likely a mistyped year.
LONGEST_VALIDITY_DAYS = 5 * 366


class Arrangement(str, enum.Enum):
    EXTRA_TIME_25 = "extra_time_25"
    EXTRA_TIME_50 = "extra_time_50"
    READER = "reader"
    COMPUTER_READER = "computer_reader"
    SCRIBE = "scribe"
    WORD_PROCESSOR = "word_processor"
    REST_BREAKS = "rest_breaks"
    SEPARATE_ROOM = "separate_room"
    PROMPTER = "prompter"
    MODIFIED_PAPERS = "modified_papers"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Arrangement.EXTRA_TIME_25: "25% extra time",
    Arrangement.EXTRA_TIME_50: "50% extra time",
    Arrangement.READER: "Reader",
    Arrangement.COMPUTER_READER: "Computer reader",
    Arrangement.SCRIBE: "Scribe",
    Arrangement.WORD_PROCESSOR: "Word processor",
    Arrangement.REST_BREAKS: "Supervised rest breaks",
    Arrangement.SEPARATE_ROOM: "Separate room",
    Arrangement.PROMPTER: "Prompter",
    Arrangement.MODIFIED_PAPERS: "Modified papers (enlarged, coloured or braille)",
    Arrangement.OTHER: "Other arrangement",
}


@dataclass(frozen=True)
class ExamArrangement:
    id: int
    pupil_id: int
    arrangement: Arrangement
    detail: str              # what exactly (which papers, the colour of paper...)
    assessment: str          # what the assessment found (tests used, standardised scores)
    evidence: str            # the normal way of working: how it is used in class and tests
    assessor: str            # who assessed, with their qualification
    assessed_on: dt.date
    valid_from: dt.date
    valid_to: dt.date
    withdrawn_on: dt.date | None
    entered_at: str

    @property
    def label(self) -> str:
        return self.arrangement.label + (f": {self.detail}" if self.detail else "")

    def state(self, today: dt.date) -> str:
        if self.withdrawn_on is not None:
            return f"Withdrawn {dates.format_uk(self.withdrawn_on)}"
        if today < self.valid_from:
            return f"From {dates.format_uk(self.valid_from)}"
        if today > self.valid_to:
            return f"Expired {dates.format_uk(self.valid_to)}"
        return f"Valid to {dates.format_uk(self.valid_to)}"


def clean_arrangement(raw: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """The fields of an arrangement, checked: assessed before it starts, starts before it ends,
    and a date range no single assessment covers is refused as a mistyped year."""
    try:
        kind = Arrangement(raw.get("arrangement"))
    except ValueError:
        raise ValidationError("Choose the arrangement (extra time, reader, scribe...).",
                              field="arrangement") from None
    detail = clean_line(str(raw.get("detail") or ""), "Details", max_length=200, required=False)
    if kind is Arrangement.OTHER and not detail:
        raise ValidationError("Say what the other arrangement is.", field="detail")
    assessed = dates.require_date(raw.get("assessed_on"), "Date assessed")
    dates.not_after(assessed, today, "Date assessed")
    start = dates.parse_date(raw.get("valid_from"), "Valid from", required=False) or assessed
    end = dates.require_date(raw.get("valid_to"), "Valid to")
    dates.not_before(start, assessed, "Valid from", "the date assessed")
    dates.not_before(end, start, "Valid to", "the date it is valid from")
    if (end - start).days > LONGEST_VALIDITY_DAYS:
        raise ValidationError(f"Valid to ({dates.format_uk(end)}) is more than five years after "
                              "it starts; one assessment does not cover that long. Check the "
                              "year.", field="valid_to")
    return {
        "arrangement": kind.value, "detail": detail,
        "assessment": clean_text(str(raw.get("assessment") or ""), "What the assessment found",
                                 max_length=4000),
        "evidence": clean_text(str(raw.get("evidence") or ""), "Evidence of the normal way of "
                               "working", max_length=4000),
        "assessor": clean_line(str(raw.get("assessor") or ""), "Assessor", max_length=100),
        "assessed_on": assessed.isoformat(), "valid_from": start.isoformat(),
        "valid_to": end.isoformat(),
    }
