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
  too). Means of different kinds are never mixed: each measure is its own row. A measure the
  school says improves as it falls (an SDQ score: records/measure_directions.py) has its gain
  turned round after the sums (directed): entry less exit, so an improvement is a positive
  gain and buys a cost per point, and its row says "lower is better" wherever it is shown.
* "Met their outcomes": of the pupils whose outcomes were reviewed in the period, those for
  whom every outcome reviewed was achieved. Where an outcome names the measure (the plan's
  "measured by"), only those outcomes are counted for that measure's row.
* Cost is the provision's cost falling in the period, in pence; cost per pupil divides it by
  the pupils; cost per point (or month) of gain divides the cost per pupil by the mean gain,
  and is left blank when there was no gain to buy.

What may be shown: models.small_numbers, applied to each count a row is worked out from
(pupils, measured, reviewed, met and not met), one rule for all of them. A count under 5 is
"fewer than 5"; and wherever rows add up (a breakdown's rows to their whole row, a library
item's groups to the item's row) more are hidden ("5 or more", or "not shown"), statistic by
statistic, until no hidden count can be pinned down by subtracting (shown_counts). Everything worked out from a
hidden count is hidden with it: the means over hidden measured pupils, the share over hidden
reviewed (or met, or not met) pupils, the cost per pupil and per point of gain ("fewer than
5" for a small count, "not shown" for one hidden to protect another). Met outcomes % is shown
only when both the pupils who met and those who did not are 5 or more; otherwise it says
"fewer than 5 met" or "fewer than 5 did not" (9% of 11 is one child), or "fewer than 5
reviewed" (a bare "fewer than 5" under "Met %" read as a percentage). A group's total cost is
the school's spending whoever is in it, and is shown; a hidden library item's or breakdown
group's total is hidden, as dividing it by a line's cost (or the cost per pupil) would count
the pupils. Means are rounded to one decimal place and the cost per point of gain to whole
pounds before they leave sendesk: an unrounded figure from two nearly identical periods
pins down the one child between them (docs/security.md, Reports).

A pupil measured twice on the same provision and measure with the same exit date counts by
the score entered last, whatever order the rows are read in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from ..errors import ValidationError
from .calendar import SchoolCalendar
from .dates import format_uk
from .measures import MeasureKind, direction_key, labelled, ratio_gain
from .small_numbers import FEWER, NOT_SHOWN, hidden, plain, protect, shown, withheld

# The Measure of a provision none of whose pupils has both an entry and an exit score in the
# period (measures begun but not finished, or none recorded): a blank read as a fault.
NO_PAIR_YET = "No entry and exit scores yet"


@dataclass(frozen=True)
class Score:
    """One pupil's complete measure (entry and exit) on a provision."""

    pupil_id: int
    entry: float
    exit: float
    entry_date: dt.date | None
    exit_date: dt.date
    entered: int = 0           # the row's id: of two exits on one day, the later entered counts

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
    part_of: str = ""          # a group's library item, whose row counts the group's pupils too
    lower_is_better: bool = False   # the gain is entry less exit (directed)

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
        """The cost a pupil over the mean gain (as shown, to 1 dp), in whole pounds."""
        per_pupil = self.cost_per_pupil_pence
        if per_pupil is None or not self.mean_gain or self.mean_gain <= 0:
            return None
        return 100 * _round(per_pupil / self.mean_gain / 100)

    @property
    def pupils_not_met(self) -> int:
        return self.pupils_reviewed - self.pupils_met

    # -- what may be shown -------------------------------------------------------------------
    @property
    def pupils_hidden(self) -> bool:
        return hidden(self.pupils)

    @property
    def means_hidden(self) -> bool:
        return hidden(self.pupils_measured)

    @property
    def share_hidden(self) -> bool:
        return hidden(self.pupils_reviewed) or hidden(self.pupils_met) or \
            hidden(self.pupils_not_met)

    def counts(self) -> dict[str, int]:
        """Each count the row's figures are worked out from."""
        return {"pupils": self.pupils, "measured": self.pupils_measured,
                "reviewed": self.pupils_reviewed, "met": self.pupils_met,
                "not_met": self.pupils_not_met}

    def summary(self, counts: dict[str, str] | None = None) -> str:
        """One line for the governors' impact summary, from the cells as they may be shown
        (counts: the row's counts as its table shows them, shown_counts)."""
        cells = shown_cells(self, counts)
        parts = [f"{cells['pupils']} pupils"]
        if plain(cells["pupils_measured"]) and self.mean_gain is not None:
            parts.append(f"mean gain {cells['mean_gain']} {self.unit}"
                         + (" (lower is better)" if self.lower_is_better else ""))
        outcome = cells["met_outcomes_pct"]
        if outcome.isdigit():
            parts.append(f"{outcome}% met their outcomes")
        elif outcome == FEWER + " met":
            parts.append("fewer than 5 of those reviewed met their outcomes")
        elif outcome == FEWER + " did not":
            parts.append("fewer than 5 of those reviewed did not meet their outcomes")
        if plain(cells["cost_per_pupil"]) and cells["cost_per_pupil"]:
            parts.append(f"£{float(cells['cost_per_pupil']):,.2f} a pupil")
        return "; ".join(parts)


def _round(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _mean(values: Sequence[float], places: int = 1) -> float | None:
    """The mean rounded as it is shown (half up), so no figure worked out from it (a cost per
    point, a chart's bar) carries more than the table does."""
    if not values:
        return None
    return float(Decimal(str(sum(values) / len(values))).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def format_number(value: float | None, *, sign: bool = False, places: int = 1) -> str:
    if value is None:
        return ""
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return ("+" + text) if sign and value > 0 else text


def directed(row: ImpactLine, lower: frozenset[str]) -> ImpactLine:
    """The row with its gain as an improvement: turned round (entry less exit) when the school
    says its measure is better lower (`lower`: names by models.measures.direction_key) and
    the measure's kind can be (never an age or a scaled score). The means are rounded half
    away from nought, so turning the rounded mean round is the rounded turned-round mean."""
    kind = row.measure_kind
    if kind is None or not kind.may_be_lower or direction_key(row.measure) not in lower:
        return row
    gain = row.mean_gain
    return replace(row, mean_gain=-gain if gain else gain, lower_is_better=True)


def whole_half_terms(start: dt.date, end: dt.date, calendar: SchoolCalendar,
                     today: dt.date) -> tuple[dt.date, dt.date]:
    """The period a report covers: widened to the whole half-terms of the school's calendar
    that the dates asked for fall in (a start in a holiday from the half-term after it; an
    end runs to the day before the next half-term), and never past today, as provision not
    yet delivered has no cost or outcome to count. Two periods a day apart would otherwise
    differ by the one child measured that day. Dates wholly in a holiday (Christmas Day to
    Boxing Day) are refused in a sentence saying so, rather than widened to a day of the
    holiday on which nothing ran."""
    if end < start:
        # Both dates said: from the command line a start left out is the school year's.
        raise ValidationError(f"The period ends on {format_uk(end)}, before it starts on "
                              f"{format_uk(start)}.", field="period")
    if start > today:
        raise ValidationError("The period starts after today, so there is nothing to count "
                              "yet.", field="period")
    teaching = calendar.teaching_half_term(start)
    first = teaching.start if teaching is not None else \
        calendar.half_term(start).end + dt.timedelta(days=1)
    last = min(calendar.half_term(end).end, today)
    if first > last:
        raise ValidationError(_all_holiday(start, end, first, calendar, today), field="period")
    return first, last


def _all_holiday(start: dt.date, end: dt.date, resumes: dt.date, calendar: SchoolCalendar,
                 today: dt.date) -> str:
    """Why a period has nothing to show: every day of it (to today) is in the school
    holidays; the half-terms either side are named so the reader can choose again."""
    days = format_uk(start) if start == end else \
        f"{format_uk(start)} to {'today' if end > today else format_uk(end)}"
    before = calendar.teaching_half_term(calendar.half_term(start).start)
    after = calendar.teaching_half_term(resumes)
    either_side = f" ({before.name} ran to {format_uk(before.end)} and {after.name} from " \
        f"{format_uk(after.start)})" if before is not None and after is not None else ""
    return (f"{days} falls in the school holidays{either_side}, so no provision ran and there "
            "is nothing to show: choose dates in term time.")


def latest_scores(scores: Iterable[Score]) -> list[Score]:
    """One score a pupil: the one with the latest exit, and of two on the same day the one
    entered last (not whichever the database happened to return last)."""
    best: dict[int, Score] = {}
    for score in scores:
        kept = best.get(score.pupil_id)
        if kept is None or (score.exit_date, score.entered) > (kept.exit_date, kept.entered):
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
            ratio = ratio_gain(s.gain, s.entry_date, s.exit_date) if s.entry_date else None
            if ratio is not None:
                ratios.append(float(ratio))
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
           "category", "better")


def _cost_counts(row: ImpactLine, pupils_cell: str) -> bool:
    """Whether a hidden row's total cost would give its pupils back by division: a breakdown
    group's share of the cost is by head, and a library item's cost is the sum of each pupil's
    line. (A group's cost is the same however many are in it, so it may be shown.)"""
    return not plain(pupils_cell) and (bool(row.category) or row.kind == "library")


_BY_PROVISION = ("pupils", "reviewed")            # the same in every measure's row
_BY_MEASURE = ("measured", "met", "not_met")
Counts = dict[str, str]


def shown_counts(lines: Sequence[ImpactLine],
                 parts: Mapping[tuple[str, str], Sequence[ImpactLine]] | None = None
                 ) -> tuple[dict[tuple[str, str], Counts], dict[tuple[str, str], list[Counts]]]:
    """Every row's counts as the table may show them: by (provision, measure), the whole
    rows' and each breakdown's rows'.

    The sums a reader could subtract along (models.small_numbers.protect): a row is the sum
    of its breakdown's rows (a pupil is in one category); and a library item's row is the sum
    of its groups' rows and of those who had it on a plan line alone (a count no row shows,
    but the item's row less its groups' rows gives it), category by category too, so the item
    row less one group's row cannot give another group's count, nor the few outside the
    groups (or, with either, their means). Pupils and pupils reviewed are one count a
    provision, the same cell in each of its measures' rows, so a count hidden in one row is
    hidden in them all. A breakdown lists a category only when it has a pupil, so its pupils
    cells are known to be at least 1."""
    parts = parts or {}
    counts: dict[tuple, int] = {}
    floors: dict[tuple, int] = {}
    by_provision: dict[str, list[str]] = {}              # provision -> its categories
    measures: dict[str, list[str]] = {}

    def key(name: str, provision: str, measure: str, category: str) -> tuple:
        return (name, provision, category) if name in _BY_PROVISION else \
            (name, provision, measure, category)

    def add(row: ImpactLine, category: str) -> None:
        for name, count in row.counts().items():
            k = key(name, row.provision, row.measure, category)
            counts[k] = count
            if category and name == "pupils":
                floors[k] = 1

    for row in lines:
        add(row, "")
        measures.setdefault(row.provision, []).append(row.measure)
        for part in parts.get((row.provision, row.measure), ()):
            add(part, part.category)
            cats = by_provision.setdefault(row.provision, [])
            if part.category not in cats:
                cats.append(part.category)
    sums: list[tuple[tuple, list[tuple]]] = []
    for provision, cats in by_provision.items():         # a row is the sum of its breakdown
        for name in _BY_PROVISION:
            sums.append((key(name, provision, "", ""),
                         [key(name, provision, "", c) for c in cats]))
        for measure in measures[provision]:
            here = [p.category for p in parts.get((provision, measure), ())]
            for name in _BY_MEASURE:
                sums.append((key(name, provision, measure, ""),
                             [key(name, provision, measure, c) for c in here]))
    groups: dict[str, list[str]] = {}                    # library item -> its groups' rows
    for row in lines:
        if row.kind == "group" and row.part_of and row.provision not in groups.get(
                row.part_of, []):
            groups.setdefault(row.part_of, []).append(row.provision)
    for item, members in groups.items():                 # an item is the sum of its groups
        for measure in measures.get(item, []):
            for name in _BY_PROVISION + _BY_MEASURE:
                for category in ["", *by_provision.get(item, [])]:
                    whole = key(name, item, measure, category)
                    inside = [k for g in members
                              if (k := key(name, g, measure, category)) in counts]
                    if whole not in counts or not inside:
                        continue
                    rest = counts[whole] - sum(counts[k] for k in inside)
                    if rest > 0:
                        # Those who had the item on a plan line alone: never a row, but the
                        # item's row less its groups' rows counts them (and gives their means).
                        outside = ("outside groups", *whole)
                        counts[outside] = rest
                        inside = [*inside, outside]
                    if rest >= 0:
                        sums.append((whole, inside))
    cells = protect(counts, sums, floors=floors)

    def row_counts(row: ImpactLine, category: str) -> Counts:
        return {name: cells[key(name, row.provision, row.measure, category)].replace(",", "")
                for name in row.counts()}

    wholes = {(r.provision, r.measure): row_counts(r, "") for r in lines}
    broken = {(r.provision, r.measure): [row_counts(p, p.category)
                                         for p in parts.get((r.provision, r.measure), ())]
              for r in lines}
    return wholes, broken


def shown_table(lines: Sequence[ImpactLine],
                parts: Mapping[tuple[str, str], Sequence[ImpactLine]], breakdown: str, *,
                signed: bool = True) -> Iterator[dict[str, str]]:
    """Every row as it may be shown (the screen, the CSV, the PDFs): each provision and
    measure, then its breakdown's rows, with the counts of shown_counts and everything worked
    out from a hidden count hidden with it."""
    wholes, broken = shown_counts(lines, parts)
    for row in lines:
        key = (row.provision, row.measure)
        yield {**shown_cells(row, wholes[key], signed=signed), "breakdown": "", "category": ""}
        for part, counts in zip(parts.get(key, ()), broken[key], strict=True):
            yield {**shown_cells(part, counts, signed=signed), "breakdown": breakdown,
                   "category": part.category}


def public_names(lines: Sequence[ImpactLine]) -> dict[str, str]:
    """The names a report for governors gives the rows: a group by its library item and a
    number ("Phonics catch-up group: group 2"), never by the name the school typed for it,
    which may name a child ("Leo's 1:1"); a library item by its own name."""
    names: dict[str, str] = {}
    numbered: dict[str, int] = {}
    for row in lines:
        if row.provision in names:
            continue
        if row.kind == "group":
            numbered[row.part_of] = numbered.get(row.part_of, 0) + 1
            number = numbered[row.part_of]
            names[row.provision] = f"{row.part_of}: group {number}" if row.part_of \
                else f"Group {number}"
        else:
            names[row.provision] = row.provision
    return names


def outcome_cell(row: ImpactLine, counts: dict[str, str]) -> str:
    """Met outcomes %, only when both those who met and those who did not are 5 or more
    (and shown): a share of a few gives their number back. A bare "fewer than 5" under
    "Met %" read as under five per cent, so it says what is fewer than 5: the pupils
    reviewed."""
    reviewed, met, not_met = counts["reviewed"], counts["met"], counts["not_met"]
    if not plain(reviewed):
        return FEWER + " reviewed" if reviewed == FEWER else NOT_SHOWN
    if met == FEWER and not_met == FEWER:
        return FEWER + " met, " + FEWER + " did not"
    if met == FEWER:
        return FEWER + " met"
    if not_met == FEWER:
        return FEWER + " did not"
    if not (plain(met) and plain(not_met)):
        return NOT_SHOWN
    return format_number(row.met_pct, places=0)


def shown_cells(row: ImpactLine, counts: dict[str, str] | None = None, *,
                signed: bool = True) -> dict[str, str]:
    """The row's values as they may leave sendesk (the table, the CSV, the PDF): money in
    plain pounds, small numbers and everything worked out from them hidden. counts, when
    given, are the row's counts as its table shows them (shown_counts); otherwise the row's
    own, as if it stood alone. A CSV asks for signed=False: a cell starting "+" would be read as a
    formula (and so written as text)."""
    def money(pence: int | None) -> str:
        return "" if pence is None else f"{pence / 100:.2f}"

    if counts is None:
        counts = {name: shown(count).replace(",", "") for name, count in row.counts().items()}
    pupils, measured = counts["pupils"], counts["measured"]
    if not row.measure:
        # No pupil has both scores (NO_PAIR_YET says so): the means are blank, not hidden,
        # and "fewer than 5" beside it read as if some had been measured. (The blank measure
        # says as much already, so this tells a reader nothing more.)
        measured = "none"
    means = plain(measured)
    ages = row.measure_kind is not None and row.measure_kind.is_age
    gain_cell = (money(row.cost_per_gain_pence)[:-3] if row.cost_per_gain_pence is not None
                 else "")
    return {
        "provision": row.provision, "measure": row.measure,
        # The measure as a reader sees it (the screen, the PDF, the charts; not the CSV,
        # whose "better" column says it): "(lower is better)" after it when it is.
        "measure_label": labelled(row.measure, row.lower_is_better) if row.measure
        else NO_PAIR_YET,
        "pupils": pupils, "pupils_measured": measured,
        "mean_entry": format_number(row.mean_entry) if means else withheld(measured),
        "mean_exit": format_number(row.mean_exit) if means else withheld(measured),
        "mean_gain": format_number(row.mean_gain, sign=signed) if means else withheld(measured),
        "met_outcomes_pct": outcome_cell(row, counts),
        # Money hidden says "not shown": under "Cost £", "fewer than 5" would read as less
        # than five pounds; the pupils column beside it says why.
        "cost_total": NOT_SHOWN if _cost_counts(row, pupils) else money(row.cost_pence),
        "cost_per_pupil": money(row.cost_per_pupil_pence) if plain(pupils) else NOT_SHOWN,
        "cost_per_gain": gain_cell if plain(pupils) and means else NOT_SHOWN,
        "mean_ratio_gain": "" if not ages else (
            format_number(row.mean_ratio_gain) if means else withheld(measured)),
        "unit": row.unit,
        "pupils_reviewed": counts["reviewed"],
        "provision_type": row.kind,
        # Which way the gain was counted: "lower" is entry less exit (directed).
        "better": "" if not row.measure else "lower" if row.lower_is_better else "higher",
    }
