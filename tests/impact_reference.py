"""The impact table counted the long way, in Python, as records/impact.py did before the
per-pupil rules moved into SQL (records/impact_sums.py): every plan line, measure and
reviewed outcome of the period fetched and counted pupil by pupil. The tests hold the two
equal, so the SQL is checked against the rules as first written, on both engines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sendesk.models import dates
from sendesk.models import impact as rules
from sendesk.models import provision_groups as group_rules
from sendesk.models.impact import ImpactLine, Score
from sendesk.models.measures import MeasureKind
from sendesk.models.pupils import GENDERS
from sendesk.models.sen import need_codes, statuses
from sendesk.records import measure_directions
from sendesk.records._common import chunks, placeholders
from sendesk.records.impact import Breakdown, ImpactTable, _line_costs
from sendesk.records.provision_groups import pounds_to_pence
from sendesk.records.school_calendar import calendar_of
from sendesk.session import Session


@dataclass
class _Provision:
    """One row's raw material: who had it, its cost in the period, its measures."""

    name: str
    kind: str
    pupils: set[int] = field(default_factory=set)
    cost: int = 0
    measure_ids: list[int] = field(default_factory=list)      # the groups whose measures count
    plans: dict[int, set[int]] = field(default_factory=dict)   # pupil -> plans with this line
    part_of: str = ""          # a group's library item
    outcomes: dict[int, list[tuple[str, bool]]] | None = None   # pupil -> (measure, achieved)


# A plan line ran in the period when it ran at all and its days overlap the period's
# (records/impact_facts.py keeps each line's first and last day, so a review held however late
# is found).
_RAN = "l.stopped >= ? AND l.began <= ? AND l.began <= l.stopped"
_LINE_PUPILS = f"SELECT l.library_id, l.pupil_id, l.plan_id FROM impact_lines l WHERE {_RAN}"


def _items(session: Session, start: dt.date, end: dt.date,
           rows: dict[tuple[str, int], _Provision]) -> None:
    """Plan lines filled from the library that ran in the period: who had each item, on which
    plans, and its cost in the period (a line runs from its start, or the plan's date, to its
    end, the review that closed its cycle, or the review date agreed)."""
    names = {r["id"]: r["name"] for r in session.db.query("SELECT id, name FROM provision_library")}
    costs = _line_costs(session, start, end)
    period = (start.isoformat(), end.isoformat())
    for library_id, pupil_id, plan_id in session.db.query(_LINE_PUPILS, period):
        row = rows.get(("library", library_id))
        if row is None:
            row = rows[("library", library_id)] = _Provision(
                names.get(library_id, "Library item"), "library", cost=costs[library_id])
        row.pupils.add(pupil_id)
        row.plans.setdefault(pupil_id, set()).add(plan_id)


def _groups(session: Session, start: dt.date, end: dt.date,
            rows: dict[tuple[str, int], _Provision]) -> None:
    """Groups that ran in the period: members present, and the cost falling in it. A group
    made from a library item counts towards that item's row too."""
    names = {r["id"]: r["name"] for r in session.db.query("SELECT id, name FROM provision_library")}
    members: dict[int, list[group_rules.Membership]] = defaultdict(list)
    for m in session.db.query("SELECT group_id, pupil_id, joined_on, left_on"
                              " FROM provision_group_members"):
        members[m["group_id"]].append(group_rules.Membership(
            m["pupil_id"], dt.date.fromisoformat(m["joined_on"]), dates.from_text(m["left_on"])))
    # The school's own days, worked out once for every group (as the groups page costs them).
    school_days = group_rules.SchoolDays(calendar_of(session))
    for g in session.db.query("SELECT * FROM provision_groups ORDER BY name, id"):
        run = group_rules.run_of(dt.date.fromisoformat(g["start_date"]),
                                 dates.from_text(g["end_date"]), g["weeks"],
                                 pounds_to_pence(g["cost_total"]), school_days)
        cost = group_rules.cost_in_period(run, members[g["id"]], start, end)
        first, last = max(start, run.start), min(end, run.end)
        present = {m.pupil_id for m in members[g["id"]]
                   if first <= last and m.joined_on <= last
                   and (m.left_on is None or m.left_on >= first)}
        if first > last:
            continue
        targets = [rows.setdefault(("group", g["id"]), _Provision(
            f"Group: {g['name']}", "group",
            part_of=names.get(g["library_id"], "Library item") if g["library_id"] else ""))]
        if g["library_id"] is not None:
            targets.append(rows.setdefault(("library", g["library_id"]), _Provision(
                names.get(g["library_id"], "Library item"), "library")))
        for row in targets:
            row.pupils |= present
            row.cost += cost
            row.measure_ids.append(g["id"])


_KINDS = {kind.value: kind for kind in MeasureKind}


_COMPLETE = ("m.removed_at IS NULL AND m.entry_value IS NOT NULL AND m.exit_value IS NOT NULL"
             " AND m.exit_date >= ? AND m.exit_date <= ?")
# Measures on the library's plan lines that ran in the period, by library item; and those on
# groups. In order of exit (then entry), so that of a pupil's two measures taken the same day
# the later one entered counts.
_LINE_MEASURES = f"""
    SELECT l.library_id AS ref, m.id, m.pupil_id, m.kind, m.name, m.entry_value, m.entry_date,
           m.exit_value, m.exit_date, m.group_id
    FROM provision_measures m CROSS JOIN impact_lines l
    WHERE {_COMPLETE} AND l.item_id = m.item_id AND {_RAN}
    ORDER BY m.exit_date, m.id
"""
_GROUP_MEASURES = f"""
    SELECT m.group_id AS ref, m.id, m.pupil_id, m.kind, m.name, m.entry_value, m.entry_date,
           m.exit_value, m.exit_date, m.group_id
    FROM provision_measures m
    WHERE {_COMPLETE} AND m.group_id IS NOT NULL
    ORDER BY m.exit_date, m.id
"""
_Found = tuple[MeasureKind, str, Score]


def _measures(session: Session, start: dt.date, end: dt.date
              ) -> tuple[dict[int, list[_Found]], dict[int, list[_Found]]]:
    """Complete measures whose exit fell in the period, by library item (those on its plan
    lines that ran in the period) and by group."""
    period = (start.isoformat(), end.isoformat())
    days: dict[str | None, dt.date | None] = {None: None}   # measures share their dates
    found: list[dict[int, list[_Found]]] = []
    for sql, params in ((_LINE_MEASURES, (*period, *period)), (_GROUP_MEASURES, period)):
        by_ref: dict[int, list[_Found]] = defaultdict(list)
        for m in session.db.query(sql, params):
            if sql is _LINE_MEASURES and m["group_id"] is not None:
                continue    # a group's measure counts for the group (filtered here, not in
                #             SQL, so the exit-date index is the one read)
            entry_date, exit_date = m["entry_date"], m["exit_date"]
            if entry_date not in days:
                days[entry_date] = dt.date.fromisoformat(entry_date)
            if exit_date not in days:
                days[exit_date] = dt.date.fromisoformat(exit_date)
            by_ref[m["ref"]].append((_KINDS[m["kind"]], m["name"].strip(), Score(
                m["pupil_id"], float(m["entry_value"]), float(m["exit_value"]),
                days[entry_date], days[exit_date], m["id"])))   # type: ignore[arg-type]
        found.append(by_ref)
    return found[0], found[1]


# One row per pupil, plan and measure named: how many outcomes were reviewed, how many achieved
# (records/impact_facts.py keeps the counts per held review).
_REVIEWED = """
    SELECT pupil_id, plan_id, measure_name, SUM(reviewed) AS reviewed, SUM(achieved) AS achieved
    FROM impact_reviews WHERE held_on >= ? AND held_on <= ?
    GROUP BY pupil_id, plan_id, measure_name
"""


def _reviews(session: Session, start: dt.date, end: dt.date
             ) -> dict[int, list[tuple[int, str, bool]]]:
    """Outcomes reviewed in the period, by pupil: (plan, measure named, all achieved)."""
    found: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    for r in session.db.query(_REVIEWED, (start.isoformat(), end.isoformat())):
        found[r["pupil_id"]].append((r["plan_id"], r["measure_name"].strip().casefold(),
                                     r["achieved"] == r["reviewed"]))
    return found


def _met(row: _Provision, measure: str, reviews: dict[int, list[tuple[int, str, bool]]]
         ) -> dict[int, bool]:
    """Whether each reviewed pupil met every outcome reviewed (those naming the measure, if
    any do; for a library line only the outcomes of the plans that held it)."""
    if row.outcomes is None:    # each pupil's outcomes for this row, found once per row
        row.outcomes = {}
        for pupil in row.pupils:
            reviewed = reviews.get(pupil)
            if not reviewed:
                continue
            plans = row.plans.get(pupil) if row.kind == "library" else None
            outcomes = [(n, a) for plan, n, a in reviewed if not plans or plan in plans]
            if outcomes:
                row.outcomes[pupil] = outcomes
    named = measure.casefold()
    result = {}
    for pupil, outcomes in row.outcomes.items():
        matching = [a for n, a in outcomes if named and n == named] or [a for _, a in outcomes]
        result[pupil] = all(matching)
    return result


def _categories(session: Session, pupil_ids: set[int], by: Breakdown) -> dict[int, str]:
    if by is Breakdown.NONE:
        return {}
    codes = need_codes()
    found: dict[int, str] = {}
    for chunk in chunks(sorted(pupil_ids)):
        for p in session.db.query("SELECT id, gender, year_group, sen_status, primary_need FROM"
                                  f" pupils WHERE id IN ({placeholders(len(chunk))})", list(chunk)):
            if by is Breakdown.AREA:
                need = codes.get(p["primary_need"] or "")
                found[p["id"]] = (need.area_label if need and need.area_label
                                  else "No area recorded")
            elif by is Breakdown.YEAR:
                found[p["id"]] = f"Year {p['year_group']}" if p["year_group"].isdigit() \
                    else p["year_group"]
            elif by is Breakdown.SEX:
                found[p["id"]] = GENDERS.get(p["gender"], p["gender"])
            else:
                found[p["id"]] = statuses().get(p["sen_status"] or "", "Not on the register")
    return found


def build(session: Session, start: dt.date, end: dt.date, by: Breakdown) -> ImpactTable:
    """The table for the period, counted the long way."""
    rows: dict[tuple[str, int], _Provision] = {}
    _items(session, start, end, rows)
    _groups(session, start, end, rows)
    by_library, by_group = _measures(session, start, end)
    reviews = _reviews(session, start, end)
    everyone = set().union(*(r.pupils for r in rows.values())) if rows else set()
    category = _categories(session, everyone, by)
    lower = measure_directions.lower_names(session.db)
    lines: list[ImpactLine] = []
    parts: dict[tuple[str, str], tuple[ImpactLine, ...]] = {}
    ordered = sorted(rows.items(), key=lambda kr: (kr[1].kind != "library", kr[1].name.casefold()))
    for key, row in ordered:
        found = [*(by_library.get(key[1], []) if row.kind == "library" else []),
                 *(m for ref in row.measure_ids for m in by_group.get(ref, []))]
        measures: dict[tuple[str, MeasureKind], list[Score]] = defaultdict(list)
        for measured_by, name, score in found:
            if score.pupil_id in row.pupils:
                measures[(name, measured_by)].append(score)
        keys: list[tuple[str, MeasureKind | None]] = [
            # Names differing only in case in the order of the name itself (one rule with
            # records/impact.py; they were in the order the rows were read).
            *sorted(measures, key=lambda k: (k[0].casefold(), k[1].value, k[0]))] or [("", None)]
        for name, kind in keys:
            scores = measures[(name, kind)] if kind is not None else []
            met = _met(row, name, reviews)
            whole = rules.directed(dataclasses.replace(rules.line(
                row.name, row.kind, name, kind, row.pupils, scores, met, row.cost),
                part_of=row.part_of), lower)
            lines.append(whole)
            if by is not Breakdown.NONE:
                groups: dict[str, set[int]] = defaultdict(set)
                for pupil in row.pupils:
                    groups[category.get(pupil, "Not known")].add(pupil)
                # The cost is shared by head: a group's cost is not split by who it helped.
                parts[(row.name, name)] = tuple(
                    rules.directed(dataclasses.replace(rules.line(
                        row.name, row.kind, name, kind, members, scores, met,
                        round(row.cost * len(members) / len(row.pupils)), label),
                        part_of=row.part_of), lower)
                    for label, members in sorted(groups.items()))
    return ImpactTable(start, end, by, tuple(lines), parts)
