"""Impact figures: for one provision (a library item, or a group) and one measure, over a
period, how many pupils had it, how many have both an entry and an exit, the mean entry, exit
and gain in the measure's own units, the share who met their outcomes, and what it cost.
Pure arithmetic over what records/impact.py reads.

Rules, one place:

* A pupil's measure counts when both values are recorded and the exit was taken in the period
  (the entry may be earlier); a pupil measured twice on the same provision and measure counts
  once, by the latest exit.
* Gains are exit less entry in the measure's own units: points for scores, months for reading
  and spelling ages (for which the mean ratio gain, months gained per month elapsed, is given
  too). Means of different kinds are never mixed: each measure is its own row.
* "Met their outcomes": of the pupils whose outcomes were reviewed in the period, those for
  whom every outcome reviewed was achieved. Where an outcome names the measure (the plan's
  "measured by"), only those outcomes are counted for that measure's row.
* Cost is the provision's cost falling in the period, in pence; cost per pupil divides it by
  the pupils; cost per point (or month) of gain divides the cost per pupil by the mean gain,
  and is left blank when there was no gain to buy.

What may be shown: models.small_numbers. A row about fewer than 5 pupils hides its pupil count
and everything worked out over them (cost per pupil would give the count back by division);
means over fewer than 5 measured pupils are hidden (a mean of one is that child's score); a
share over fewer than 5 reviewed pupils is hidden. A group's total cost is the school's
spending whoever is in it, and is shown; a hidden library item's or breakdown group's total is
hidden, as dividing it by a line's cost (or the cost per pupil) would count the pupils.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .measures import MeasureKind, months_elapsed
from .small_numbers import FEWER, hidden


@dataclass(frozen=True)
class Score:
    """One pupil's complete measure (entry and exit) on a provision."""

    pupil_id: int
    entry: float
    exit: float
    entry_date: dt.date | None
    exit_date: dt.date

    @property
    def gain(self) -> float:
        return self.exit - self.entry


@dataclass(frozen=True)
class ImpactLine:
    provision: str
    kind: str                  # "library" or "group"
    measure: str               # the measure's name ("" for a provision with none recorded)
    measure_kind: MeasureKind | None
    pupils: int
    pupils_measured: int
    mean_entry: float | None
    mean_exit: float | None
    mean_gain: float | None
    mean_ratio_gain: float | None
    pupils_reviewed: int
    pupils_met: int
    cost_pence: int
    category: str = ""         # the breakdown's group ("" for the whole provision)

    @property
    def unit(self) -> str:
        return self.measure_kind.unit if self.measure_kind else ""

    @property
    def met_pct(self) -> float | None:
        return 100.0 * self.pupils_met / self.pupils_reviewed if self.pupils_reviewed else None

    @property
    def cost_per_pupil_pence(self) -> int | None:
        return _round(self.cost_pence / self.pupils) if self.pupils else None

    @property
    def cost_per_gain_pence(self) -> int | None:
        per_pupil = self.cost_per_pupil_pence
        if per_pupil is None or not self.mean_gain or self.mean_gain <= 0:
            return None
        return _round(per_pupil / self.mean_gain)

    # -- what may be shown -------------------------------------------------------------------
    @property
    def pupils_hidden(self) -> bool:
        return hidden(self.pupils)

    @property
    def means_hidden(self) -> bool:
        return hidden(self.pupils_measured)

    @property
    def share_hidden(self) -> bool:
        return hidden(self.pupils_reviewed)

    def summary(self) -> str:
        """One line for the governors' impact summary (only for a row that may be shown)."""
        parts = [f"{self.pupils} pupils"]
        if not self.means_hidden and self.mean_gain is not None:
            parts.append(f"mean gain {format_number(self.mean_gain, sign=True)} {self.unit}")
        if not self.share_hidden and self.met_pct is not None:
            parts.append(f"{self.met_pct:.0f}% met their outcomes")
        per_pupil = self.cost_per_pupil_pence
        if per_pupil is not None:
            parts.append(f"£{per_pupil / 100:,.2f} a pupil")
        return "; ".join(parts)


def _round(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def format_number(value: float | None, *, sign: bool = False, places: int = 1) -> str:
    if value is None:
        return ""
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return ("+" + text) if sign and value > 0 else text


def latest_scores(scores: Iterable[Score]) -> list[Score]:
    """One score a pupil: the one with the latest exit."""
    best: dict[int, Score] = {}
    for score in scores:
        kept = best.get(score.pupil_id)
        if kept is None or score.exit_date >= kept.exit_date:
            best[score.pupil_id] = score
    return list(best.values())


def line(provision: str, kind: str, measure: str, measure_kind: MeasureKind | None,
         pupils: Iterable[int], scores: Iterable[Score], reviewed: dict[int, bool],
         cost_pence: int, category: str = "") -> ImpactLine:
    """The figures for one provision and measure (and one breakdown group) from its parts:
    the pupils who had it, their complete scores, whether each reviewed pupil met their
    outcomes, and the cost in the period."""
    people = set(pupils)
    kept = [s for s in latest_scores(scores) if s.pupil_id in people]
    ratios = []
    if measure_kind is not None and measure_kind.is_age:
        for s in kept:
            elapsed = months_elapsed(s.entry_date, s.exit_date) if s.entry_date else 0
            if elapsed:
                ratios.append(s.gain / float(elapsed))   # months_elapsed is a Decimal
    outcome = {p: met for p, met in reviewed.items() if p in people}
    return ImpactLine(
        provision=provision, kind=kind, measure=measure, measure_kind=measure_kind,
        pupils=len(people), pupils_measured=len(kept),
        mean_entry=_mean([s.entry for s in kept]), mean_exit=_mean([s.exit for s in kept]),
        mean_gain=_mean([s.gain for s in kept]), mean_ratio_gain=_mean(ratios),
        pupils_reviewed=len(outcome), pupils_met=sum(1 for met in outcome.values() if met),
        cost_pence=int(cost_pence), category=category)


# --- shown ------------------------------------------------------------------------------------
COLUMNS = ("provision", "measure", "pupils", "pupils_measured", "mean_entry", "mean_exit",
           "mean_gain", "met_outcomes_pct", "cost_total", "cost_per_pupil", "cost_per_gain",
           "mean_ratio_gain", "unit", "pupils_reviewed", "provision_type", "breakdown",
           "category")


def _cost_counts(row: ImpactLine, pupils_cell: str | None) -> bool:
    """Whether a hidden row's total cost would give its pupils back by division: a breakdown
    group's share of the cost is by head, and a library item's cost is the sum of each pupil's
    line. (A group's cost is the same however many are in it, so it may be shown.)"""
    count_hidden = row.pupils_hidden or (pupils_cell is not None and pupils_cell != str(row.pupils))
    return count_hidden and (bool(row.category) or row.kind == "library")


def shown_cells(row: ImpactLine, pupils_cell: str | None = None, *,
                signed: bool = True) -> dict[str, str]:
    """The row's values as they may leave sendesk (the table, the CSV, the PDF): money in
    plain pounds, small numbers hidden. pupils_cell, when given, is the count as the
    breakdown's rule shows it (which may be "5 or more" to stop a subtraction). A CSV asks
    for signed=False: a cell starting "+" would be read as a formula (and so written as text)."""
    def money(pence: int | None) -> str:
        return "" if pence is None else f"{pence / 100:.2f}"

    ages = row.measure_kind is not None and row.measure_kind.is_age
    means_hidden, share_hidden = row.means_hidden, row.share_hidden
    cells = {
        "provision": row.provision, "measure": row.measure,
        "pupils": pupils_cell if pupils_cell is not None else (
            FEWER if row.pupils_hidden else str(row.pupils)),
        "pupils_measured": FEWER if means_hidden else str(row.pupils_measured),
        "mean_entry": FEWER if means_hidden else format_number(row.mean_entry),
        "mean_exit": FEWER if means_hidden else format_number(row.mean_exit),
        "mean_gain": FEWER if means_hidden else format_number(row.mean_gain, sign=signed),
        "met_outcomes_pct": FEWER if share_hidden else format_number(row.met_pct, places=0),
        "cost_total": FEWER if _cost_counts(row, pupils_cell) else money(row.cost_pence),
        "cost_per_pupil": FEWER if row.pupils_hidden else money(row.cost_per_pupil_pence),
        "cost_per_gain": FEWER if means_hidden or row.pupils_hidden else
        money(row.cost_per_gain_pence),
        "mean_ratio_gain": "" if not ages else (
            FEWER if means_hidden else format_number(row.mean_ratio_gain)),
        "unit": row.unit,
        "pupils_reviewed": FEWER if share_hidden else str(row.pupils_reviewed),
        "provision_type": row.kind,
    }
    return cells
