"""Which interventions worked, for whom, at what cost: the impact table.

For each item of the school's provision library (every plan line filled from it, and every
group made from it) and for each group on its own, over a chosen period: the pupils who had
it, their entry and exit measures, the share who met their outcomes and the cost (the rules
and what may be shown are models.impact's). It can be broken down by area of need, year group,
sex and SEN status (the pupil's as they are now).

The database applies the per-pupil rules and returns sums, one row per provision, measure and
breakdown group (records/impact_sums.py), so the reads are the size of the table even for a
county's 60,000 pupils over years (benchmarks/, docs/performance.md). Which way each measure
improves (records/measure_directions.py) is applied to those sums here, row by row
(models.impact.directed), so a falling SDQ score is a positive gain. Viewing it is audited once;
exporting it is for those who may export documents.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ValidationError
from ..models import dates
from ..models import impact as rules
from ..models import provision_groups as group_rules
from ..models.calendar import SchoolCalendar
from ..models.impact import ImpactLine
from ..models.measures import MeasureKind
from ..models.pupils import GENDERS, YEAR_RANK
from ..models.roles import Permission
from ..models.sen import need_codes, statuses
from ..models.year_fit import describe_year
from ..operations import operation, viewed
from ..session import Session
from ..store.day_numbers import day_number
from . import csv_safe, measure_directions
from . import impact_sums as sums
from ._common import today
from .provision_groups import pounds_to_pence
from .school_calendar import calendar_of


class Breakdown(str, enum.Enum):
    NONE = ""
    AREA = "area"
    YEAR = "year"
    SEX = "sex"
    STATUS = "status"

    @property
    def label(self) -> str:
        return {"": "No breakdown", "area": "Area of need", "year": "Year group", "sex": "Sex",
                "status": "SEN status"}[self.value]

    @property
    def phrase(self) -> str:
        """As it reads inside a sentence or a title ("by area of need", "by SEN status")."""
        return self.label if self is Breakdown.STATUS else self.label.lower()

    def order(self, label: str) -> tuple[int, str]:
        """Where a breakdown's group comes: year groups in school order (Nursery to Year 14,
        not "Year 10" before "Year 5"), the rest by name."""
        if self is Breakdown.YEAR:
            return _YEAR_ORDER.get(label, len(_YEAR_ORDER)), label
        return 0, label


_YEAR_ORDER = {describe_year(code): rank for code, rank in YEAR_RANK.items()}


def parse_breakdown(value: str | Breakdown | None) -> Breakdown:
    if isinstance(value, Breakdown):
        return value
    text = (value or "").strip().lower()
    for choice in Breakdown:
        if text in (choice.value, choice.label.lower()):
            return choice
    raise ValidationError(f"'{value}' is not a breakdown; use area, year, sex or status.",
                          field="breakdown")


@dataclass(frozen=True)
class ImpactTable:
    start: dt.date
    end: dt.date
    breakdown: Breakdown
    lines: tuple[ImpactLine, ...]                       # one per provision and measure
    parts: dict[tuple[str, str], tuple[ImpactLine, ...]] = field(default_factory=dict)

    def summary_lines(self) -> list[ImpactLine]:
        """The rows with a measure, most pupils first (the governors' summary)."""
        return sorted((r for r in self.lines if r.measure), key=lambda r: (-r.pupils, r.provision))


@dataclass
class _Provision:
    """One row's name and its cost in the period (its pupils and measures are summed in SQL:
    records/impact_sums.py)."""

    name: str
    kind: str
    cost: int = 0
    part_of: str = ""          # a group's library item (models.impact.shown_counts)


# A plan line ran in the period when it ran at all and its days overlap the period's
# (records/impact_facts.py keeps each line's first and last day, so a review held however late
# is found).
_RAN = "l.stopped >= ? AND l.began <= ? AND l.began <= l.stopped"
# A line's yearly cost: models.provision.yearly_cost_pence's rule in whole numbers (sessions
# counted in halves, rounded half up by adding half the divisor), for both engines' 64-bit
# integers; a test holds it to the Python rule over every kind of costing on both.
_HALVES = "CAST(ROUND(l.sessions_per_week * 2) AS INTEGER)"
_GROUP = "(CASE WHEN l.group_size > 1 THEN l.group_size ELSE 1 END)"
_YEARLY = f"""(CASE l.cost_basis WHEN 'year' THEN l.rate_pence
    WHEN 'hour' THEN (2 * {_HALVES} * l.minutes * l.weeks * l.rate_pence + 120 * {_GROUP})
                     / (240 * {_GROUP})
    ELSE (2 * {_HALVES} * l.weeks * l.rate_pence + 2 * {_GROUP}) / (4 * {_GROUP}) END)"""
# Each line's yearly cost spread over the days of the period it ran, rounded to the penny line
# by line (round(yearly * days / 365) exactly: that is never a half, as 365 is odd) and summed
# by library item, reading the lines in that order (impact_lines_library): one pass.
_COST = f"""
    SELECT l.library_id, SUM((2 * {_YEARLY} * (
               (CASE WHEN l.stopped_day < ? THEN l.stopped_day ELSE ? END)
             - (CASE WHEN l.began_day > ? THEN l.began_day ELSE ? END) + 1) + 365) / 730) AS cost
    FROM impact_lines l WHERE {_RAN}
    GROUP BY l.library_id
"""


def _line_costs(session: Session, start: dt.date, end: dt.date) -> dict[int, int]:
    """The cost falling in the period of the library's plan lines, by library item (an item
    with lines in the period is here, at £0 if they cost nothing)."""
    first, last = day_number(start), day_number(end)
    return {r["library_id"]: int(r["cost"] or 0) for r in session.db.query(
        _COST, [last, last, first, first, start.isoformat(), end.isoformat()])}


def _rows(session: Session, start: dt.date, end: dt.date
          ) -> tuple[dict[sums.RowKey, _Provision], list[tuple[int, dt.date, dt.date]]]:
    """Every row the period has, with its name and cost: each library item whose plan lines
    ran in it, each group that ran in it (a group made from a library item counting towards
    that item's row too); and the groups that ran, with the days of their run in the period."""
    names = {r["id"]: r["name"] for r in session.db.query("SELECT id, name FROM provision_library")}
    rows: dict[sums.RowKey, _Provision] = {
        (sums.LIBRARY, library_id): _Provision(names.get(library_id, "Library item"),
                                               sums.LIBRARY, cost)
        for library_id, cost in _line_costs(session, start, end).items()}
    ran: list[tuple[int, dt.date, dt.date]] = []
    # Who was in each group when: a day with nobody in the group carries no cost. Read as
    # rows, made memberships only for the groups that ran in the period.
    members: dict[int, list[tuple]] = defaultdict(list)
    for group_id, pupil, joined, left in session.db.query(
            "SELECT group_id, pupil_id, joined_on, left_on FROM provision_group_members"):
        members[group_id].append((pupil, joined, left))
    # The school's own days, worked out once for every group (as the groups page costs them).
    school_days = group_rules.SchoolDays(calendar_of(session))
    for g in session.db.query("SELECT id, name, library_id, start_date, end_date, weeks,"
                              " cost_total FROM provision_groups ORDER BY name, id"):
        began, ended = dt.date.fromisoformat(g["start_date"]), dates.from_text(g["end_date"])
        if began > end or (ended is not None and max(ended, began) < start):
            continue        # its run (run_of: start to end) misses the period; no days counted
        run = group_rules.run_of(began, ended, g["weeks"], pounds_to_pence(g["cost_total"]),
                                 school_days)
        first, last = max(start, run.start), min(end, run.end)
        if first > last:
            continue
        ran.append((g["id"], first, last))
        cost = group_rules.cost_in_period(run, [
            group_rules.Membership(pupil, dt.date.fromisoformat(joined), dates.from_text(left))
            for pupil, joined, left in members[g["id"]]], start, end)
        rows.setdefault((sums.GROUP, g["id"]), _Provision(
            f"Group: {g['name']}", sums.GROUP,
            part_of=names.get(g["library_id"], "Library item") if g["library_id"] else "")
                        ).cost += cost
        if g["library_id"] is not None:
            rows.setdefault((sums.LIBRARY, g["library_id"]), _Provision(
                names.get(g["library_id"], "Library item"), sums.LIBRARY)).cost += cost
    return rows, ran


# The pupils' column each breakdown groups by, and the name of each group.
_COLUMNS = {Breakdown.AREA: "primary_need", Breakdown.YEAR: "year_group",
            Breakdown.SEX: "gender", Breakdown.STATUS: "sen_status"}


def _category_of(by: Breakdown) -> Callable[[bool, object], str]:
    codes = need_codes()
    labels = statuses()

    def name(known: bool, value: object) -> str:
        text = "" if value is None else str(value)
        if not known:
            return "Not known"
        if by is Breakdown.AREA:
            need = codes.get(text)
            return need.area_label if need and need.area_label else "No area recorded"
        if by is Breakdown.YEAR:
            return describe_year(text) if text else text
        if by is Breakdown.SEX:
            return GENDERS.get(text, text)
        return labels.get(text, "Not on the register")
    return name


def _merged(parts: dict[str, sums.Part]) -> sums.Part:
    """The whole row: its categories' counts added up (each pupil is in one category)."""
    whole = sums.Part()
    for part in parts.values():
        whole.pupils += part.pupils
        whole.reviewed += part.reviewed
        whole.all_met += part.all_met
        for key, (having, all_ok, named_ok) in part.named.items():
            was = whole.named.get(key, (0, 0, 0))
            whole.named[key] = (was[0] + having, was[1] + all_ok, was[2] + named_ok)
        for measure, found in part.measures.items():
            into = whole.measures.setdefault(measure, sums.Measured())
            into.pupils += found.pupils
            into.entry_hundredths += found.entry_hundredths
            into.exit_hundredths += found.exit_hundredths
            into.ratios += found.ratios
            into.ratio_sum += found.ratio_sum
    return whole


def _line(row: _Provision, name: str, kind: MeasureKind | None, part: sums.Part, met: int,
          cost: int, category: str = "", lower: frozenset[str] = frozenset()) -> ImpactLine:
    found = part.measures.get((name, kind)) if kind is not None else None
    found = found or sums.Measured()
    return rules.directed(ImpactLine(
        provision=row.name, kind=row.kind, measure=name, measure_kind=kind, pupils=part.pupils,
        pupils_measured=found.pupils, mean_entry=found.mean_entry(),
        mean_exit=found.mean_exit(), mean_gain=found.mean_gain(),
        mean_ratio_gain=found.mean_ratio_gain(), pupils_reviewed=part.reviewed,
        pupils_met=met, cost_pence=int(cost), category=category, part_of=row.part_of), lower)


def _build(session: Session, start: dt.date, end: dt.date, by: Breakdown) -> ImpactTable:
    if end < start:
        raise ValidationError(f"The period ends on {dates.format_uk(end)}, before it starts on "
                              f"{dates.format_uk(start)}.", field="period")
    rows, ran = _rows(session, start, end)
    found = sums.sums(session, start, end, ran, _COLUMNS.get(by), _category_of(by))
    lower = measure_directions.lower_names(session.db)
    lines: list[ImpactLine] = []
    parts: dict[tuple[str, str], tuple[ImpactLine, ...]] = {}
    ordered = sorted(rows.items(), key=lambda kr: (kr[1].kind != sums.LIBRARY,
                                                   kr[1].name.casefold()))
    for key, row in ordered:
        categories = found.parts.get(key, {})
        whole = _merged(categories)
        keys: list[tuple[str, MeasureKind | None]] = [
            *sorted(whole.measures, key=lambda k: (k[0].casefold(), k[1].value, k[0]))] or [("", None)]
        for name, kind in keys:
            outcome_key = found.key_of(name)
            lines.append(_line(row, name, kind, whole, whole.met(outcome_key), row.cost,
                               lower=lower))
            if by is not Breakdown.NONE:
                # The cost is shared by head: a group's cost is not split by who it helped.
                parts[(row.name, name)] = tuple(
                    _line(row, name, kind, part, part.met(outcome_key),
                          round(row.cost * part.pupils / whole.pupils), label, lower)
                    for label, part in sorted(categories.items(),
                                              key=lambda item: by.order(item[0])))
    return ImpactTable(start, end, by, tuple(lines), parts)


def default_period(day: dt.date, calendar: SchoolCalendar | None = None
                   ) -> tuple[dt.date, dt.date]:
    """This school year so far: from the first day of its autumn term by the school's calendar
    (SchoolCalendar.school_year_span, as the governors' report and the page's periods)."""
    calendar = calendar or SchoolCalendar()
    return calendar.school_year_span(calendar.school_year_of(day))[0], day


@operation(Permission.VIEW_RECORDS, writes=False, audit="viewed the impact of provision")
def impact_table(session: Session, start: dt.date | str | None = None,
                 end: dt.date | str | None = None,
                 breakdown: Breakdown | str | None = None, *, audit: bool = True) -> ImpactTable:
    """The impact table for the period (this school year so far unless given), widened to
    whole half-terms and ended at today (models.impact.whole_half_terms)."""
    day = today(session)
    calendar = calendar_of(session)
    first, last = default_period(day, calendar)
    chosen_start, chosen_end = rules.whole_half_terms(
        dates.parse_date(start, "From", required=False) or first,
        dates.parse_date(end, "To", required=False) or last, calendar, day)
    found = _build(session, chosen_start, chosen_end, parse_breakdown(breakdown))
    if audit:
        viewed(session, None, None, start=chosen_start.isoformat(), end=chosen_end.isoformat(),
               provisions=len(found.lines))
    return found


def table_for(session: Session, start: dt.date, end: dt.date) -> ImpactTable:
    """The table for another report's period (the governors'), inside its operation: no
    check or audit of its own."""
    return _build(session, start, end, Breakdown.NONE)


def shown_rows(found: ImpactTable, *, signed: bool = True) -> Iterator[dict[str, str]]:
    """Every row as it may be shown: each provision and measure, then (with a breakdown) its
    groups, hidden by models.impact.shown_table's rule."""
    return rules.shown_table(found.lines, found.parts, found.breakdown.label, signed=signed)


@operation(Permission.EXPORT_DOCUMENTS, writes=False, audit="exported the impact of provision")
def export_csv(session: Session, path: Path, start: dt.date | str | None = None,
               end: dt.date | str | None = None,
               breakdown: Breakdown | str | None = None) -> ImpactTable:
    """Write the impact table as formula-safe CSV, one row per provision and measure (and per
    breakdown group), all or nothing; audited as an export."""
    found = impact_table(session, start, end, breakdown, audit=False)
    csv_safe.export_file(Path(path), rules.COLUMNS,
                         ([cells[c] for c in rules.COLUMNS]
                          for cells in shown_rows(found, signed=False)))
    viewed(session, None, None, start=found.start.isoformat(), end=found.end.isoformat(),
           provisions=len(found.lines))
    return found
