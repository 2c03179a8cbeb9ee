"""What an EHC plan's provision costs the school and the local authority.

Each line of the provision an EHC plan specifies (its section F) is costed a year in two parts:
the school's own part, met from its notional SEN budget (the first £6,000 of a pupil's
additional support, models.provision.NOTIONAL_THRESHOLD_PENCE), and the local authority's
top-up from its high-needs funding. The split is the LA's (its banding or top-up letter), so
both parts are typed; a line that costs nothing either way is still kept (it says what the
plan requires).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from . import provision
from .text import clean_line

MAX_LINES = 40


@dataclass(frozen=True)
class EhcProvisionLine:
    id: int
    plan_id: int
    pupil_id: int
    position: int
    description: str
    area: str | None
    delivered_by: str
    frequency: str
    school_pence: int      # a year, from the school's notional SEN budget
    topup_pence: int       # a year, the LA's top-up

    @property
    def total_pence(self) -> int:
        return self.school_pence + self.topup_pence


def school_total(lines: Iterable[EhcProvisionLine]) -> int:
    return sum(line.school_pence for line in lines)


def topup_total(lines: Iterable[EhcProvisionLine]) -> int:
    return sum(line.topup_pence for line in lines)


def clean_lines(raw: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The lines as typed, checked (blank rows dropped); the first fault names its line."""
    cleaned = []
    for number, line in enumerate(raw or [], start=1):
        texts = [str(line.get(k) or "").strip() for k in
                 ("description", "delivered_by", "frequency", "school", "topup")]
        if not any(texts):
            continue
        where = f"Line {number}: "
        try:
            values = {
                "id": int(line["id"]) if line.get("id") else None,
                "description": clean_line(str(line.get("description") or ""),
                                          "What the provision is", max_length=200),
                "area": provision.clean_area(line.get("area")),
                "delivered_by": clean_line(str(line.get("delivered_by") or ""), "Who delivers it",
                                           max_length=120, required=False),
                "frequency": clean_line(str(line.get("frequency") or ""), "How often",
                                        max_length=120, required=False),
                "school_pence": provision.parse_money(line.get("school") or "0",
                                                      "The school's part a year") or 0,
                "topup_pence": provision.parse_money(line.get("topup") or "0",
                                                     "The LA's top-up a year") or 0,
            }
        except ValidationError as exc:
            raise ValidationError(where + str(exc), field="provision") from None
        cleaned.append(values)
    if len(cleaned) > MAX_LINES:
        raise ValidationError(f"An EHC plan's provision is kept in at most {MAX_LINES} lines.",
                              field="provision")
    return cleaned


def school_total_pence(lines: Iterable[Mapping[str, Any]]) -> int:
    """The school's part of checked lines (as clean_lines returns them)."""
    return sum(int(line["school_pence"]) for line in lines)


def topup_total_pence(lines: Iterable[Mapping[str, Any]]) -> int:
    return sum(int(line["topup_pence"]) for line in lines)
