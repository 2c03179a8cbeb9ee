"""Entry and exit measures: the kinds of score a school judges provision by, how each is typed
and bounded, and the gain between the two.

Impact is shown by a baseline taken as a pupil starts a provision and the same measure taken
as it ends. Each kind keeps its own units, because averaging a reading age with a standardised
score means nothing:

* a standardised score (mean 100, usually 40-160, such as Sandwell or the NGRT);
* a reading or spelling age, held in whole months and typed as years and months ("7y 4m" or
  "7:04"), for which the gain is in months and the ratio gain is the months gained divided by
  the months elapsed between the two dates (Brooks: 2 or more is a substantial impact, 1.4 to
  1.9 a useful one, under 1.4 modest). Months elapsed are the days between the dates divided
  by 30.44 (the average month), not whole calendar months: counting whole months would call
  1 September to 31 October one month and double the ratio gain;
* a scaled score (the national tests' 80-120);
* the school's own scale, any number the school uses.

Most measures improve as they rise; some improve as they fall (an SDQ difficulties score, a
count of behaviour incidents, a school scale where 1 is best). The school says which, once
for each measure's name (records/measure_directions.py), and every gain sendesk shows is the
improvement: exit less entry, or entry less exit where lower is better, so a falling SDQ
score is a positive gain and its cost per point means something. Ages and scaled scores are
always better higher, so they are never lower-is-better.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..errors import FaultFinder, ValidationError
from . import dates
from .text import clean_line, clean_text

MIN_AGE_MONTHS = 12
MAX_AGE_MONTHS = 240
SCHOOL_SCALE_LIMIT = 1_000_000
# Brooks, "What works for children and young people with literacy difficulties?" (2016).
SUBSTANTIAL_RATIO = Decimal(2)
USEFUL_RATIO = Decimal("1.4")


class MeasureKind(str, enum.Enum):
    STANDARDISED = "standardised"
    READING_AGE = "reading_age"
    SPELLING_AGE = "spelling_age"
    SCALED = "scaled"
    SCHOOL_SCALE = "school_scale"

    @property
    def label(self) -> str:
        return {"standardised": "Standardised score", "reading_age": "Reading age",
                "spelling_age": "Spelling age", "scaled": "Scaled score",
                "school_scale": "School's own scale"}[self.value]

    @property
    def is_age(self) -> bool:
        return self in (MeasureKind.READING_AGE, MeasureKind.SPELLING_AGE)

    @property
    def hint(self) -> str:
        """What a person types, shown beside the value boxes."""
        return {"standardised": "a score from 40 to 160 (100 is average)",
                "reading_age": "years and months, such as 7y 4m or 7:04",
                "spelling_age": "years and months, such as 7y 4m or 7:04",
                "scaled": "a score from 80 to 120",
                "school_scale": "any number on the school's own scale"}[self.value]

    @property
    def unit(self) -> str:
        return "months" if self.is_age else "points"

    @property
    def may_be_lower(self) -> bool:
        """Whether a measure of this kind can be better when lower: an age or a national
        scaled score never is (a reading age that falls is never an improvement)."""
        return self in (MeasureKind.STANDARDISED, MeasureKind.SCHOOL_SCALE)


def parse_kind(value: Any) -> MeasureKind:
    if isinstance(value, MeasureKind):
        return value
    text = str(value or "").strip().lower()
    for kind in MeasureKind:
        if text in (kind.value, kind.label.lower()):
            return kind
    raise ValidationError("Choose the kind of measure: a standardised score, a reading or "
                          "spelling age, a scaled score or the school's own scale.", field="kind")


_KIND_WORDS = ((re.compile(r"\bstandardi[sz]ed\b"), MeasureKind.STANDARDISED),
               (re.compile(r"\bscaled score\b"), MeasureKind.SCALED),
               (re.compile(r"\bspelling age\b"), MeasureKind.SPELLING_AGE),
               (re.compile(r"\bage\b"), MeasureKind.READING_AGE),
               (re.compile(r"\bschool'?s own\b|\bout of \d+|\bper cent\b|\bscale\b|"
                           r"\bscore\b|\ba minute\b|\bminutes\b"), MeasureKind.SCHOOL_SCALE))


def kind_of_name(name: str) -> MeasureKind | None:
    """The kind a measure's name says it is ("Sandwell numeracy standardised score", "Reading
    age", "Phonics screening check score"), or None when the name does not say: the form for
    a measure picks the kind from the name chosen, so a score out of 40 is not refused as a
    standardised score outside 40 to 160. The library's measures all say which they are."""
    text = " ".join(str(name or "").casefold().replace("\u2019", "'").split())
    for pattern, kind in _KIND_WORDS:
        if pattern.search(text):
            return kind
    return None


# --- which way a measure improves -------------------------------------------------------------
LOWER_IS_BETTER = "lower is better"
HIGHER_IS_BETTER = "higher is better"
DIRECTION_CHOICES = (("Higher is better", "higher"), ("Lower is better", "lower"))


def direction_key(name: str) -> str:
    """How measure names are matched for their direction: whatever the case or spacing."""
    return " ".join(str(name or "").split()).casefold()


def parse_direction(value: Any) -> bool | None:
    """True for lower-is-better, False for higher, None when not given (left as it is)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = " ".join(str(value).strip().lower().split())
    if text in ("lower", LOWER_IS_BETTER, "yes", "1", "true"):
        return True
    if text in ("higher", HIGHER_IS_BETTER, "no", "0", "false"):
        return False
    raise ValidationError(f"'{value}' does not say which way the measure improves; choose "
                          "higher is better or lower is better.", field="Better when")


def check_direction(kind: MeasureKind, lower: bool, name: str = "") -> None:
    """Refuse lower-is-better for a kind that never is (an age, a scaled score)."""
    if lower and not kind.may_be_lower:
        what = f"'{name}' is a {kind.label.lower()}" if name else f"A {kind.label.lower()}"
        raise ValidationError(f"{what}, which is always better higher; choose higher is "
                              "better, or change the kind of measure.", field="Better when")


def labelled(name: str, lower: bool) -> str:
    """The measure's name as a reader sees it: '(lower is better)' after it when it is."""
    return f"{name} ({LOWER_IS_BETTER})" if lower and name else name


# --- ages -----------------------------------------------------------------------------------
_AGE_WORDS = re.compile(r"(\d{1,2})\s*(?:y|yr|yrs|year|years)\s*,?\s*(?:(\d{1,2})\s*"
                        r"(?:m|mo|mth|mths|month|months))?")
_AGE_COLON = re.compile(r"(\d{1,2})\s*:\s*(\d{1,2})")


def parse_age(value: Any, label: str) -> int:
    """'7y 4m', '7 years 4 months', '7y' or '7:04' as whole months (12 to 240)."""
    text = str(value if value is not None else "").strip().lower()
    match = _AGE_WORDS.fullmatch(text) or _AGE_COLON.fullmatch(text)
    if not match:
        raise ValidationError(f"{label} '{text}' is not an age; write it in years and months, "
                              "such as 7y 4m or 7:04.", field=label)
    years, months = int(match.group(1)), int(match.group(2) or 0)
    if months > 11:
        raise ValidationError(f"{label}: the months must be from 0 to 11 (write 8y 0m, not "
                              "7y 12m).", field=label)
    total = years * 12 + months
    if not MIN_AGE_MONTHS <= total <= MAX_AGE_MONTHS:
        raise ValidationError(f"{label} must be from {format_age(MIN_AGE_MONTHS)} to "
                              f"{format_age(MAX_AGE_MONTHS)}.", field=label)
    return total


def format_age(months: float | int) -> str:
    years, rest = divmod(int(round(months)), 12)
    return f"{years}y {rest}m"


# --- values of each kind --------------------------------------------------------------------
_NUMBER = re.compile(r"[-+]?\d{1,7}(?:\.\d{1,2})?")


def _number(text: str, label: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise ValidationError(f"{label} '{text}' is not a number; write it like 92 or 3.5.",
                              field=label)
    return float(text)


def parse_value(kind: MeasureKind, value: Any, label: str) -> float:
    """A typed value in the kind's own units (ages in months), checked against its bounds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValidationError(f"{label} is not a number.", field=label)
        text = f"{value:g}" if not kind.is_age else ""
        number = float(value)
    else:
        text = str(value if value is not None else "").strip()
        if not text:
            raise ValidationError(f"{label} is required.", field=label)
        if kind.is_age:
            return float(parse_age(text, label))
        number = _number(text, label)
    if kind.is_age:
        if number != int(number) or not MIN_AGE_MONTHS <= number <= MAX_AGE_MONTHS:
            raise ValidationError(f"{label} must be whole months from {MIN_AGE_MONTHS} to "
                                  f"{MAX_AGE_MONTHS}.", field=label)
        return number
    low, high = {MeasureKind.STANDARDISED: (40, 160), MeasureKind.SCALED: (80, 120)}.get(
        kind, (-SCHOOL_SCALE_LIMIT, SCHOOL_SCALE_LIMIT))
    if not low <= number <= high:
        raise ValidationError(f"{label} {text} is outside {low} to {high}, the range of a "
                              f"{kind.label.lower()}.", field=label)
    return number


def format_value(kind: MeasureKind, value: float | None) -> str:
    if value is None:
        return ""
    if kind.is_age:
        return format_age(value)
    return f"{value:g}"


DAYS_PER_MONTH = Decimal("30.44")  # 365.25 / 12


def exact_months(start: dt.date, end: dt.date) -> Decimal:
    """Months from one date to another as days / 30.44, unrounded (never below nothing)."""
    return Decimal(max((end - start).days, 0)) / DAYS_PER_MONTH


def months_elapsed(start: dt.date, end: dt.date) -> Decimal:
    """Months from one date to another, to one decimal place: the days between them divided by
    30.44, the average length of a month (1 September to 31 October is 60 days, 2.0 months).
    Whole calendar months would round that down to one and overstate the ratio gain."""
    return _rounded(exact_months(start, end), "0.1")


def months_text(months: Decimal) -> str:
    """'2 months', '1 month', '1.5 months': the tenth shown only when it is not nought."""
    shown = f"{months:f}".removesuffix(".0")
    return f"{shown} month" + ("" if months == 1 else "s")


def elapsed_text(start: dt.date, end: dt.date) -> str:
    """The time from entry to exit as a teacher says it: in months from a month on ('2.5
    months'); under that in weeks, from the days themselves ('3 weeks'), and under a week
    'under a week' or 'the same day': "+4 months in 0.7 months" read oddly (the review)."""
    days = (end - start).days
    if exact_months(start, end) >= 1:
        return months_text(months_elapsed(start, end))
    if days == 0:
        return "the same day"
    if days < 7:
        return "under a week"
    weeks = int((Decimal(days) / 7).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{weeks} week" + ("" if weeks == 1 else "s")


def ratio_gain(gain: float, start: dt.date, end: dt.date) -> Decimal | None:
    """Months gained per month elapsed, unrounded, from the days themselves; none when under a
    month has passed, where a month or two of gain would read as a huge ratio. The pupil's own
    figure (Measure.ratio_gain) and the impact table's mean both come from here."""
    elapsed = exact_months(start, end)
    if elapsed < 1:
        return None
    return Decimal(str(gain)) / elapsed


def _rounded(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Measure:
    """One pupil's entry and exit on one provision line, in the kind's own units."""

    id: int
    pupil_id: int
    item_id: int | None
    kind: MeasureKind
    name: str
    entry_value: float | None
    entry_date: dt.date | None
    exit_value: float | None
    exit_date: dt.date | None
    note: str = ""
    group_id: int | None = None     # set (with item_id None) for a group member's measure
    lower_is_better: bool = False   # the school's word for the measure's name

    @property
    def complete(self) -> bool:
        return self.entry_value is not None and self.exit_value is not None

    @property
    def improves_downwards(self) -> bool:
        return self.lower_is_better and self.kind.may_be_lower

    @property
    def label(self) -> str:
        return labelled(self.name, self.improves_downwards)

    @property
    def gain(self) -> float | None:
        """The improvement in the measure's own units (months for an age): exit less entry,
        or entry less exit where lower is better."""
        if self.entry_value is None or self.exit_value is None:
            return None
        gain = self.exit_value - self.entry_value
        return -gain if self.improves_downwards and gain else gain

    @property
    def months_elapsed(self) -> Decimal | None:
        """Months between the entry and the exit, to one decimal (days / 30.44)."""
        if self.entry_date is None or self.exit_date is None:
            return None
        return months_elapsed(self.entry_date, self.exit_date)

    @property
    def ratio_gain(self) -> Decimal | None:
        """Months gained per month elapsed, to one decimal, from the days themselves
        (reading and spelling ages only; none when under a month has passed, where a month or
        two of gain would read as a huge ratio, or nothing would be divided by)."""
        gain = self.gain
        if not self.kind.is_age or gain is None or self.entry_date is None \
                or self.exit_date is None:
            return None
        ratio = ratio_gain(gain, self.entry_date, self.exit_date)
        return None if ratio is None else _rounded(ratio, "0.1")

    def gain_text(self, *, say_direction: bool = True) -> str:
        """The gain as a teacher reads it: '+6 points', '+9 months in 2 months (ratio gain
        4.6)', or '' while the exit is still to come; '(lower is better)' after the points
        unless say_direction is False (a table that says it after the measure's name)."""
        gain = self.gain
        if gain is None:
            return ""
        sign = "+" if gain > 0 else ""
        if not self.kind.is_age:
            return f"{sign}{gain:g} point" + ("" if abs(gain) == 1 else "s") + (
                f" ({LOWER_IS_BETTER})" if self.improves_downwards and say_direction else "")
        text = f"{sign}{int(gain)} month" + ("" if abs(gain) == 1 else "s")
        if self.entry_date is not None and self.exit_date is not None:
            when = elapsed_text(self.entry_date, self.exit_date)
            text += f" on {when}" if when == "the same day" else f" in {when}"
        ratio = self.ratio_gain
        if ratio is not None:
            text += f" (ratio gain {ratio})"
        return text


BASELINE_MARGIN = dt.timedelta(weeks=6)


def earliest_entry(born: dt.date | None, started: dt.date | None, started_what: str
                   ) -> list[tuple[dt.date, str]]:
    """The days an entry cannot be before, each with how a teacher would say it: the pupil's
    date of birth, and six weeks before the provision started (a baseline is often taken a
    little before, never a term or more before: that is a typing slip such as 1900)."""
    limits = []
    if born is not None:
        limits.append((born, f"the pupil's date of birth ({dates.format_uk(born)})"))
    if started is not None:
        limits.append((started - BASELINE_MARGIN, f"{dates.format_uk(started - BASELINE_MARGIN)}"
                       f", six weeks before {started_what} ({dates.format_uk(started)})"))
    return limits


# The dates' names in faults: the form's labels, so the sentence names the field the user
# sees (and a screen reader reads) beside it.
ENTRY_DATE = "Entry taken on"
EXIT_DATE = "Exit taken on"


def clean_measure(raw: Mapping[str, Any], today: dt.date,
                  earliest: Iterable[tuple[dt.date, str]] = ()) -> dict[str, Any]:
    """A measure's fields typed and checked: the kind, its name, the entry (required) and the
    exit (both value and date, or neither), the exit not before the entry, neither in the
    future, and the entry not before any of the `earliest` days (see earliest_entry). Every
    fault is raised together (FieldFaults), in the form's order, a date that cannot be read
    (the form's text, passed as typed) among them. Values come back in the
    kind's units (ages in months); lower_is_better is None unless the raw values say which
    way the measure improves."""
    finder = FaultFinder()
    name = finder.check(lambda: clean_line(str(raw.get("name") or ""), "Name of the measure",
                                           max_length=100))
    kind = finder.check(lambda: parse_kind(raw.get("kind")))
    lower = finder.check(lambda: parse_direction(raw.get("lower_is_better")))
    if lower is not None and kind is not None:
        finder.check(lambda: check_direction(kind, lower, name or ""))

    def value(text: Any, label: str) -> float | None:
        # A value is read in its kind's units: none to read it by when the kind is refused.
        return None if kind is None else finder.check(lambda: parse_value(kind, text, label))

    def entry_day() -> dt.date:
        day = dates.require_date(raw.get("entry_date"), ENTRY_DATE)
        dates.not_after(day, today, ENTRY_DATE)
        for limit, what in earliest:
            dates.not_before(day, limit, ENTRY_DATE, what)
        return day

    entry_value = value(raw.get("entry_value"), "Entry value")
    entry_date = finder.check(entry_day)
    exit_raw, exit_day_raw = raw.get("exit_value"), raw.get("exit_date")
    has_exit = str(exit_raw if exit_raw is not None else "").strip() != ""
    has_exit_day = str(exit_day_raw if exit_day_raw is not None else "").strip() != ""
    exit_value: float | None = None
    exit_date: dt.date | None = None
    if has_exit and not has_exit_day:
        finder.faults.append(ValidationError("Give the date the exit value was taken.",
                                             field=EXIT_DATE))
    elif has_exit_day and not has_exit:
        finder.faults.append(ValidationError("Give the exit value as well as its date, or "
                                             "neither.", field="Exit value"))
    if has_exit:
        exit_value = value(exit_raw, "Exit value")
    if has_exit_day:
        def exit_day() -> dt.date:
            day = dates.require_date(exit_day_raw, EXIT_DATE)
            dates.not_after(day, today, EXIT_DATE)
            if entry_date is not None:
                dates.not_before(day, entry_date, EXIT_DATE, "the entry date")
            return day
        exit_date = finder.check(exit_day)
    note = finder.check(lambda: clean_text(str(raw.get("note") or ""), "Note", max_length=1000))
    finder.raise_any()
    return {"kind": kind, "name": name, "entry_value": entry_value, "entry_date": entry_date,
            "exit_value": exit_value, "exit_date": exit_date, "note": note,
            "lower_is_better": lower}
