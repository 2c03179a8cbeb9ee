"""The school's other registers beside SEN: disability and medical needs (with individual
healthcare plans), English as an additional language, looked-after children (with PEP dates
and a protected address) and cause for concern / monitoring.

A pupil is on a register from a start date until an end date; ending an entry keeps it as
history. A looked-after child's protected address is stored only to be withheld: it must never
appear on any document.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from . import dates
from .flags import Flag
from .text import clean_line, clean_text


class RegisterKind(str, enum.Enum):
    MEDICAL = "medical"
    EAL = "eal"
    LOOKED_AFTER = "looked_after"
    MONITORING = "monitoring"

    @property
    def label(self) -> str:
        return {"medical": "Disability and medical needs",
                "eal": "English as an additional language",
                "looked_after": "Looked-after child",
                "monitoring": "Cause for concern / monitoring"}[self.value]

    @property
    def flag(self) -> Flag:
        return {"medical": Flag.MEDICAL, "eal": Flag.EAL, "looked_after": Flag.LOOKED_AFTER,
                "monitoring": Flag.MONITORING}[self.value]


# Fields that belong to one register only.
_ONLY_FOR = {"has_ihp": RegisterKind.MEDICAL, "first_language": RegisterKind.EAL,
             "pep_date": RegisterKind.LOOKED_AFTER, "pep_review_date": RegisterKind.LOOKED_AFTER,
             "responsible_la": RegisterKind.LOOKED_AFTER,
             "protected_address": RegisterKind.LOOKED_AFTER}


def clean_kind(value: str | RegisterKind) -> RegisterKind:
    try:
        return RegisterKind(value)
    except ValueError:
        raise ValidationError(f"'{value}' is not a register; use medical, eal, looked_after or "
                              "monitoring.", field="register") from None


@dataclass(frozen=True)
class RegisterEntry:
    id: int
    pupil_id: int
    kind: RegisterKind
    start_date: dt.date
    end_date: dt.date | None
    review_date: dt.date | None
    details: str
    has_ihp: bool
    first_language: str | None
    pep_date: dt.date | None
    responsible_la: str | None
    protected_address: str | None
    entered_at: str
    pep_review_date: dt.date | None = None   # the next PEP review (termly for a looked-after child)

    @property
    def open(self) -> bool:
        return self.end_date is None


def clean_entry(kind: RegisterKind, raw: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """The fields of a register entry, checked; fields of other registers are refused."""
    for name, owner in _ONLY_FOR.items():
        if raw.get(name) and owner is not kind:
            raise ValidationError(f"{name.replace('_', ' ').capitalize()} belongs on the "
                                  f"{owner.label.lower()} register only.", field=name)
    start = dates.require_date(raw.get("start_date"), "Start date")
    dates.not_after(start, today, "Start date")
    review = dates.parse_date(raw.get("review_date"), "Review date", required=False)
    dates.not_before(review, start, "Review date", "the start date")
    pep = dates.parse_date(raw.get("pep_date"), "PEP date", required=False)
    pep_review = dates.parse_date(raw.get("pep_review_date"), "Next PEP review", required=False)
    if pep is not None:
        dates.not_before(pep_review, pep, "Next PEP review", "the latest PEP")
    return {
        "start_date": start,
        "review_date": review,
        "details": clean_text(str(raw.get("details") or ""), "Details", max_length=4000),
        "has_ihp": bool(raw.get("has_ihp")),
        "first_language": clean_line(str(raw.get("first_language") or ""), "First language",
                                     max_length=60, required=False) or None,
        "pep_date": pep,
        "pep_review_date": pep_review,
        "responsible_la": clean_line(str(raw.get("responsible_la") or ""), "Responsible authority",
                                     max_length=100, required=False) or None,
        "protected_address": clean_text(str(raw.get("protected_address") or ""),
                                        "Protected address", max_length=400) or None,
    }
