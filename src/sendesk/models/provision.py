"""Provision items and what they cost: the costed provision map's arithmetic.

Costing model (one rule for the whole app, shown to users beside the cost fields):

* An item's cost is worked out for a year, because the notional SEN support threshold
  (£6,000 per pupil) is a yearly figure. "Weeks" means the weeks a year the item runs:
  38 for a whole school year, fewer for a short programme.
* The rate is charged one of three ways:
  - per hour of adult time: sessions a week x minutes / 60 x weeks x hourly rate;
  - per session (a bought-in session, such as a therapist's visit): sessions a week x weeks x
    rate;
  - per year (equipment, a licence, a package bought for this pupil): the rate as it stands.
* An adult's time, or a bought-in session, is shared by the pupils in the group, so the hourly
  and session costs are divided by the group size. A yearly amount is already this pupil's share.
* Money is held in whole pence; each item's yearly cost is rounded to the nearest penny (halves
  up) and a plan's cost is the sum of its items.

A pupil's yearly cost is compared with the threshold: a warning once it reaches 80 % (£4,800)
and another once it goes above £6,000.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..errors import ValidationError
from .sen import areas
from .text import clean_line

NOTIONAL_THRESHOLD_PENCE = 600_000
NEAR_THRESHOLD_FRACTION = Decimal("0.8")
DEFAULT_WEEKS = 38
MAX_GROUP = 40
MAX_SESSIONS_PER_WEEK = Decimal(25)
MAX_MINUTES = 480
MAX_WEEKS = 52
MAX_RATE_PENCE = 10_000_000  # £100,000: anything larger is a typing slip

class CostBasis(str, enum.Enum):
    HOUR = "hour"
    SESSION = "session"
    YEAR = "year"

    @property
    def label(self) -> str:
        return {"hour": "per hour of adult time", "session": "per session",
                "year": "per year"}[self.value]

    @property
    def rate_label(self) -> str:
        return {"hour": "Hourly rate", "session": "Cost of a session",
                "year": "Cost for the year"}[self.value]


class CostLevel(str, enum.Enum):
    UNDER = "under"
    NEAR = "near"
    OVER = "over"


@dataclass(frozen=True)
class Costing:
    """The figures a yearly cost is worked out from."""

    basis: CostBasis
    rate_pence: int
    sessions_per_week: Decimal = Decimal(0)
    minutes: int = 0
    weeks: int = DEFAULT_WEEKS
    group_size: int = 1


def yearly_cost_pence(costing: Costing) -> int:
    """This pupil's share of the item's cost over a year, in whole pence, rounded half up.

    Worked out in whole numbers (sessions a week are whole or half, so counted in halves) so
    the answer is exact: a Decimal quotient such as 50 / 60 is cut at 28 digits, which could
    put an exact half a hair below it. The impact table sums the same rule in SQL over every
    plan line (records/impact.py's _YEARLY); a test holds the two equal on both engines."""
    if costing.basis is CostBasis.YEAR:
        return int(costing.rate_pence)
    group = max(costing.group_size, 1)
    halves = int((costing.sessions_per_week * 2).to_integral_value(rounding=ROUND_HALF_UP))
    if costing.basis is CostBasis.HOUR:
        share, per = halves * costing.minutes * costing.weeks * costing.rate_pence, 120 * group
    else:
        share, per = halves * costing.weeks * costing.rate_pence, 2 * group
    return (2 * share + per) // (2 * per)


def hours_per_year(costing: Costing) -> Decimal:
    """The pupil's hours of provision in a year (nought for a yearly amount with no sessions)."""
    return costing.sessions_per_week * Decimal(costing.minutes) * Decimal(costing.weeks) / Decimal(60)


def total_pence(costs: Iterable[int]) -> int:
    return sum(costs, 0)


def cost_level(total: int, threshold: int = NOTIONAL_THRESHOLD_PENCE) -> CostLevel:
    """Under 80 % of the threshold; near it (80 % up to and including the threshold); over it."""
    if total > threshold:
        return CostLevel.OVER
    if Decimal(total) >= NEAR_THRESHOLD_FRACTION * Decimal(threshold):
        return CostLevel.NEAR
    return CostLevel.UNDER


def cost_warning(total: int, threshold: int = NOTIONAL_THRESHOLD_PENCE) -> str | None:
    """What to tell the SENCO about a pupil's yearly provision cost, or None when well under."""
    level = cost_level(total, threshold)
    share = Decimal(total) * 100 / Decimal(threshold)
    percent = int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if level is CostLevel.OVER:
        return (f"This pupil's provision costs {format_money(total)} a year, which is more than "
                f"the {format_money(threshold)} notional SEN support threshold. Check the costs; "
                "if the provision is right, consider whether an EHC needs assessment or top-up "
                "funding is the next step.")
    if level is CostLevel.NEAR:
        return (f"This pupil's provision costs {format_money(total)} a year: {percent} % of the "
                f"{format_money(threshold)} notional SEN support threshold.")
    return None


# --- money ---------------------------------------------------------------------------------
_MONEY = re.compile(r"£?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?")


def money_in_pence(text: str) -> int | None:
    """'£1,250.50', '1250.5' or '18' (spaces already removed) as whole pence; None if the text
    is not an amount of money."""
    match = _MONEY.fullmatch(text)
    if not match:
        return None
    return int(match.group(1).replace(",", "")) * 100 + int((match.group(2) or "0").ljust(2, "0"))


MINUS_SIGNS = "-\u2212\u2013"   # a hyphen, the minus sign and an en dash (Word and Excel paste them)


def written_negative(text: str) -> bool:
    """'-£50' or '£-50': an amount of money with a minus sign, so the refusal can say that
    rather than that it is not money at all."""
    rest = text.lstrip("£")
    return bool(rest) and rest[0] in MINUS_SIGNS and \
        money_in_pence(text.replace(rest[0], "", 1)) is not None


def parse_money(value: str | int | None, label: str, *, required: bool = True) -> int | None:
    """'£1,250.50', '1250.5' or '18' as whole pence; None only when blank and not required."""
    if isinstance(value, int):
        pence = value
    else:
        text = (value or "").strip().replace(" ", "")
        if not text:
            if required:
                raise ValidationError(f"{label} is required.", field=label)
            return None
        if written_negative(text):
            raise ValidationError(f"{label} cannot be negative.", field=label)
        parsed = money_in_pence(text)
        if parsed is None:
            raise ValidationError(f"{label} '{text}' is not an amount of money; write it like "
                                  "18.50 or £1,200.", field=label)
        pence = parsed
    if pence < 0 or pence > MAX_RATE_PENCE:
        raise ValidationError(f"{label} must be between £0 and {format_money(MAX_RATE_PENCE)}.",
                              field=label)
    return pence


def format_money(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def format_pounds(pence: int) -> str:
    """Whole pounds for summaries (rounded half up): £4,800."""
    pounds = (Decimal(pence) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"£{int(pounds):,}"


def money_for_csv(pence: int) -> str:
    """Plain decimal pounds (1250.50) that spreadsheets read as a number."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(int(pence)), 100)
    return f"{sign}{pounds}.{rest:02d}"


# --- checking what people type ---------------------------------------------------------------
def _whole(value: Any, label: str, low: int, high: int) -> int:
    text = str(value if value is not None else "").strip()
    if not re.fullmatch(r"\d+", text):
        raise ValidationError(f"{label} must be a whole number from {low} to {high}.", field=label)
    number = int(text)
    if not low <= number <= high:
        raise ValidationError(f"{label} must be from {low} to {high}.", field=label)
    return number


# A number as a SENCO types one: digits with at most one decimal point. Not Decimal()'s wider
# grammar, which took "1e1" as 10 and "nan" / "inf" as numbers out of range.
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")


def parse_sessions(value: Any, label: str = "Sessions a week") -> Decimal:
    """Sessions a week: a whole number or a half (0.5 is once a fortnight), from 0.5 to
    MAX_SESSIONS_PER_WEEK; the one rule for a plan line, a group and a library item."""
    number: Decimal | None = None
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    elif _PLAIN_NUMBER.fullmatch(text := str(value if value is not None else "").strip()):
        number = Decimal(text)
    if number is None or not number.is_finite():
        raise ValidationError(f"{label} must be a number, such as 3 or 0.5 (once a fortnight).",
                              field=label)
    if number <= 0 or number > MAX_SESSIONS_PER_WEEK:
        raise ValidationError(f"{label} must be more than 0 and at most {MAX_SESSIONS_PER_WEEK}.",
                              field=label)
    if (number * 2) != (number * 2).to_integral_value():
        raise ValidationError(f"{label} must be a whole number or a half (0.5 is once a "
                              "fortnight).", field=label)
    return number.normalize() if number != number.to_integral_value() else Decimal(int(number))


def stored_sessions(value: Any) -> Decimal:
    """Sessions a week as a table holds them (REAL) read back as parse_sessions gives them:
    3, not 3.0, and 0.5."""
    number = Decimal(str(value if value is not None else 0))
    return Decimal(int(number)) if number == number.to_integral_value() else number.normalize()


def sessions_shown(value: Any) -> str:
    """Sessions a week as a person types them: '3', '0.5' (never '3.0' or '1E+1')."""
    return f"{Decimal(str(value)).normalize():f}"


def session_times(sessions: Any, minutes: int) -> str:
    """'3 x 20 min' or, for a half, '20 min once a fortnight'."""
    if Decimal(str(sessions)) == Decimal("0.5"):
        return f"{minutes} min once a fortnight"
    return f"{sessions_shown(sessions)} x {minutes} min"


def clean_area(value: str | None, *, required: bool = False) -> str | None:
    text = (value or "").strip().upper()
    if not text:
        if required:
            raise ValidationError("Choose the area of need.", field="area")
        return None
    if text not in areas():
        raise ValidationError(f"'{value}' is not a broad area of need; use "
                              + ", ".join(areas()) + ".", field="area")
    return text


def clean_item(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A provision item's fields, checked. The first fault is raised, naming the field."""
    description = clean_line(str(raw.get("description") or ""), "What the provision is",
                             max_length=200)
    try:
        basis = CostBasis(raw.get("cost_basis") or "hour")
    except ValueError:
        raise ValidationError("Choose how the cost is charged: per hour, per session or per year.",
                              field="cost_basis") from None
    yearly_only = basis is CostBasis.YEAR
    sessions_raw = raw.get("sessions_per_week")
    minutes_raw = raw.get("minutes")
    if yearly_only and str(sessions_raw if sessions_raw is not None else "").strip() in ("", "0"):
        sessions = Decimal(0)
    else:
        sessions = parse_sessions(sessions_raw)
    if yearly_only and str(minutes_raw if minutes_raw is not None else "").strip() in ("", "0"):
        minutes = 0
    else:
        minutes = _whole(minutes_raw, "Minutes a session", 1, MAX_MINUTES)
    weeks_raw = raw.get("weeks")
    weeks = DEFAULT_WEEKS if str(weeks_raw if weeks_raw is not None else "").strip() == "" \
        else _whole(weeks_raw, "Weeks a year", 1, MAX_WEEKS)
    group_raw = raw.get("group_size")
    group = 1 if str(group_raw if group_raw is not None else "").strip() == "" \
        else _whole(group_raw, "Group size", 1, MAX_GROUP)
    rate = parse_money(raw.get("rate_pence") if "rate_pence" in raw else raw.get("rate"),
                       basis.rate_label)
    return {
        "description": description,
        "area": clean_area(raw.get("area")),
        "delivered_by": clean_line(str(raw.get("delivered_by") or ""), "Who delivers it",
                                   max_length=100, required=False),
        "group_size": group,
        "sessions_per_week": sessions,
        "minutes": minutes,
        "weeks": weeks,
        "cost_basis": basis,
        "rate_pence": rate,
    }


def costing_of(fields: Mapping[str, Any]) -> Costing:
    """The costing of a checked item (clean_item's result or a stored row)."""
    return Costing(CostBasis(fields["cost_basis"]), int(fields["rate_pence"]),
                   Decimal(str(fields["sessions_per_week"])), int(fields["minutes"]),
                   int(fields["weeks"]), int(fields["group_size"]))


def describe_frequency(fields: Mapping[str, Any]) -> str:
    """'3 x 20 min a week, 38 weeks, group of 4' for lists and the plan document."""
    sessions = Decimal(str(fields["sessions_per_week"]))
    minutes = int(fields["minutes"])
    if not sessions and CostBasis(fields["cost_basis"]) is CostBasis.YEAR:
        return "for the year"
    parts = []
    if sessions and minutes:
        times = session_times(sessions, minutes)
        parts.append(times if sessions == Decimal("0.5") else f"{times} a week")
    elif sessions:
        parts.append(f"{sessions.normalize():f} a week")
    parts.append(f"{int(fields['weeks'])} weeks")
    group = int(fields["group_size"])
    parts.append("1:1" if group == 1 else f"group of {group}")
    return ", ".join(parts)


def signature(fields: Mapping[str, Any]) -> tuple:
    """What makes two provision items the same provision (used to tell whether it changed)."""
    return (" ".join(str(fields["description"]).casefold().split()),
            str(fields.get("delivered_by") or "").casefold().strip(),
            int(fields["group_size"]), Decimal(str(fields["sessions_per_week"])),
            int(fields["minutes"]), int(fields["weeks"]), str(CostBasis(fields["cost_basis"]).value),
            int(fields["rate_pence"]))
