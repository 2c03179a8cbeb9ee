"""The whole-school costed provision map: what additional provision each pupil at SEN support
receives and what it costs a year, by pupil and by provision, with totals.

It shows the provision in force: the items still running in the latest agreed plan of every
open pathway (while a new plan is drafted, the last agreed one carries on), and the provision
groups running today. A group is counted once, not once per member, at the part of its cost
its members present today carry (a day with nobody in the group carries no cost); each
member's total includes their share of it (models.provision_groups' rule), so a
pupil in a group but with no agreed plan is on the map too. Each pupil's yearly total is set
against the £6,000 notional SEN support threshold. Anyone who may view records may
see it; exporting it is for those who may export documents, and is audited.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from ..models import provision
from ..models import provision_groups as rules
from ..models.apdr import Stage
from ..models.provision import CostBasis, CostLevel
from ..models.roles import Permission
from ..operations import operation, viewed
from ..session import Session
from ..store.database import Row
from . import csv_safe, ehc_costs, provision_groups, sen_budget
from ._common import chunks, placeholders
from .apdr import item_from_row


class MapRow(NamedTuple):
    """One pupil's provision line in force. A named tuple, not a frozen dataclass: a
    county's map has 16,000 of them, and a frozen dataclass's keyword construction was a
    fifth of building the map (docs/performance.md)."""

    pupil_id: int
    pupil_name: str
    year_group: str
    stage: Stage
    cycle_number: int
    item_id: int
    description: str
    area: str | None
    delivered_by: str
    frequency: str
    group_size: int
    cost_basis: CostBasis
    rate_pence: int
    yearly_cost_pence: int
    hours_per_year: Decimal
    from_specialist: bool


@dataclass(frozen=True)
class GroupRow:
    """A provision group running today, counted once, at the part of its cost its members
    present today carry (models.provision_groups.cost_in_period), so the map's total agrees
    with the pupils' totals: no cost that no pupil on the map carries."""

    group_id: int
    name: str
    area: str | None
    staff_name: str
    frequency: str
    members: int             # present today
    hours: Decimal           # the adult's hours over its planned weeks
    cost_pence: int


@dataclass(frozen=True)
class PupilTotal:
    pupil_id: int
    pupil_name: str
    year_group: str
    stage: Stage | None      # None: in a group, but with no agreed plan in force
    items: int
    yearly_cost_pence: int
    group_share_pence: int = 0

    @property
    def stage_label(self) -> str:
        return self.stage.label if self.stage is not None else "Group provision only"

    @property
    def level(self) -> CostLevel:
        return provision.cost_level(self.yearly_cost_pence)


@dataclass(frozen=True)
class ProvisionTotal:
    description: str
    pupils: int
    hours_per_year: Decimal
    yearly_cost_pence: int


@dataclass(frozen=True)
class ProvisionMap:
    rows: tuple[MapRow, ...]
    by_pupil: tuple[PupilTotal, ...]
    by_provision: tuple[ProvisionTotal, ...]
    groups: tuple[GroupRow, ...] = ()
    # EHC plans' costed provision, and the notional SEN budget it is all set against.
    ehc: tuple[ehc_costs.EhcMapRow, ...] = ()
    budget_pence: int | None = None

    @property
    def ehc_school_pence(self) -> int:
        return sum(r.line.school_pence for r in self.ehc)

    @property
    def ehc_topup_pence(self) -> int:
        return sum(r.line.topup_pence for r in self.ehc)

    @property
    def school_spend_pence(self) -> int:
        """What the school itself pays a year: SEN support provision and EHC plans' school part."""
        return self.total_pence + self.ehc_school_pence

    @property
    def total_pence(self) -> int:
        return provision.total_pence([*(row.yearly_cost_pence for row in self.rows),
                                      *(group.cost_pence for group in self.groups)])

    @property
    def pupils(self) -> int:
        return len(self.by_pupil)

    def over_threshold(self) -> tuple[PupilTotal, ...]:
        return tuple(p for p in self.by_pupil if p.level is CostLevel.OVER)


# The plan in force on each open pathway is its latest agreed one (records/impact_facts.py
# keeps which that is, so the map need not look for it pathway by pathway).
_IN_FORCE_FROM = """
    FROM plan_reviews f
    JOIN send_pathways w ON w.id = f.pathway_id
    JOIN pupils p ON p.id = f.pupil_id
    JOIN apdr_provision_items i ON i.plan_id = f.plan_id
    WHERE f.latest = 1 AND f.pathway_open = 1 AND p.archived_at IS NULL
      AND i.removed_at IS NULL AND i.ended_on IS NULL
"""
# The pupil's name, year and sort key come with each line (the same join), not in a second
# read of the pupils by id.
_PERSON = ("p.legal_surname, p.legal_forename, p.preferred_surname, p.preferred_forename,"
           " p.year_group, p.archived_at, p.sort_key")
# Only the columns the map shows (a plan line has 31), in this order, read by position.
_MAP_COLUMNS = ("i.id", "i.description", "i.area", "i.delivered_by", "i.group_size",
                "i.cost_basis", "i.rate_pence", "i.sessions_per_week", "i.minutes", "i.weeks",
                "i.recommendation_id", "f.cycle_number", "w.stage", "f.pupil_id")
_IN_FORCE = ("SELECT " + ", ".join(_MAP_COLUMNS) + ", " + _PERSON
             + _IN_FORCE_FROM + " ORDER BY p.sort_key, p.id, i.position, i.id")
_COSTING = ("cost_basis", "rate_pence", "sessions_per_week", "minutes", "weeks", "group_size")
# The same lines counted by costing, for the spend alone (the governors' figures).
_IN_FORCE_COSTINGS = (f"SELECT {', '.join('i.' + c for c in _COSTING)}, count(*) AS lines"
                      + _IN_FORCE_FROM + f" GROUP BY {', '.join('i.' + c for c in _COSTING)}")


class _Person(NamedTuple):
    """What the map shows of a pupil: the name they are known by (models.pupils.Pupil's
    display_name: surname first), their year, whether they have left, and the list's sort key
    (stored with the names)."""

    name: str
    year_group: str
    archived: bool
    sort_key: str


def _person(row: Row) -> _Person:
    return _Person(f"{row['preferred_surname'] or row['legal_surname']}, "
                   f"{row['preferred_forename'] or row['legal_forename']}",
                   row["year_group"], row["archived_at"] is not None, row["sort_key"])


def _pupils(session: Session, ids: list[int]) -> dict[int, _Person]:
    found: dict[int, _Person] = {}
    for chunk in chunks(ids):
        for row in session.db.query(
                "SELECT id, legal_surname, legal_forename, preferred_surname, preferred_forename,"
                " year_group, archived_at, sort_key FROM pupils"
                f" WHERE id IN ({placeholders(len(chunk))})", list(chunk)):
            found[row["id"]] = _person(row)
    return found


_STAGES = {stage.value: stage for stage in Stage}
# What a costing's frequency and cost are worked out from, beside its costing columns.
_NO_LINE = {"id": 0, "plan_id": 0, "position": 0, "description": "", "area": None,
            "delivered_by": "", "recommendation_id": None, "started_on": None, "ended_on": None,
            "end_reason": None, "library_id": None}


@operation(Permission.VIEW_RECORDS, writes=False, audit="viewed the costed provision map")
def build(session: Session, *, audit: bool = True) -> ProvisionMap:
    """The map as it stands today (viewing it is audited once, unless a caller that audits
    its own use, such as the export, says audit=False)."""
    people: dict[int, _Person] = {}
    rows = []
    # A school repeats its provision (the same frequency and rate on many plans): each
    # costing is worked out once, which keeps a county's map quick.
    costed: dict[tuple, tuple] = {}
    for r in session.db.query(_IN_FORCE):
        (item_id, description, area, delivered_by, group_size, basis_value, rate, sessions,
         minutes, weeks, recommendation, cycle_number, stage, pupil_id) = tuple(r[:14])
        key = (basis_value, rate, sessions, minutes, weeks, group_size)
        found = costed.get(key)
        if found is None:
            item = item_from_row({**_NO_LINE, "cost_basis": basis_value, "rate_pence": rate,
                                  "sessions_per_week": sessions, "minutes": minutes,
                                  "weeks": weeks, "group_size": group_size})
            found = costed[key] = (item.frequency, item.cost_basis, item.yearly_cost_pence,
                                   provision.hours_per_year(provision.costing_of(item.fields())))
        pupil = people.get(pupil_id)
        if pupil is None:
            pupil = people[pupil_id] = _person(r)
        frequency, basis, yearly, hours = found
        rows.append(MapRow(pupil_id, pupil.name, pupil.year_group, _STAGES[stage], cycle_number,
                           item_id, description, area, delivered_by, frequency, group_size,
                           basis, rate, yearly, hours, recommendation is not None))
    group_rows, shares = _groups(session)
    by_pupil = _by_pupil(session, rows, shares, people)
    ehc = ehc_costs.map_rows(session)
    if audit:
        viewed(session, None, None, pupils=len(by_pupil), items=len(rows), groups=len(group_rows),
               ehc_lines=len(ehc))
    return ProvisionMap(tuple(rows), by_pupil, _by_provision(rows, group_rows), group_rows, ehc,
                        sen_budget.budget_of(session))


@dataclass(frozen=True)
class Spend:
    """What the map's totals come to, without its rows: SEN support provision in force (plan
    lines and the groups running today) and EHC plans' parts, a year, and the budget."""

    sen_support_pence: int
    ehc_school_pence: int
    ehc_topup_pence: int
    budget_pence: int | None


def spend(session: Session) -> Spend:
    """The map's totals as build() works them out (a test holds the two equal), read as a
    handful of sums instead of the map's 16,000 named rows at a county's size. No check or
    audit: the governors' report, its caller, does both."""
    lines = 0
    for r in session.db.query(_IN_FORCE_COSTINGS):
        costing = provision.costing_of({c: r[c] for c in _COSTING})
        lines += provision.yearly_cost_pence(costing) * int(r["lines"])
    group_rows, _ = _groups(session)
    ehc = ehc_costs.current_lines(session)
    return Spend(provision.total_pence([lines, *(g.cost_pence for g in group_rows)]),
                 sum(line.school_pence for line in ehc), sum(line.topup_pence for line in ehc),
                 sen_budget.budget_of(session))


def _groups(session: Session) -> tuple[tuple[GroupRow, ...], dict[int, list[int]]]:
    """The groups running today, and each member's shares of them (pupils on roll only)."""
    day = session.clock.today()
    running = provision_groups.load_groups(session, session.db.query(
        "SELECT * FROM provision_groups WHERE start_date <= ? AND (end_date IS NULL OR"
        " end_date >= ?) ORDER BY name, id", (day.isoformat(), day.isoformat())))
    rows: list[GroupRow] = []
    shares: dict[int, list[int]] = {}
    for group in running:
        present = {m.pupil_id for m in group.present_on(day)}
        # The part its members on the map carry (days with nobody in it carry none).
        carried = rules.cost_in_period(group.run, [m.membership for m in group.members],
                                       of=present)
        rows.append(GroupRow(group.id, group.name, group.area, group.staff_name,
                             group.frequency, len(present), group.hours, carried))
        for pupil_id, pence in group.shares().items():
            if pupil_id in present:
                shares.setdefault(pupil_id, []).append(pence)
    return tuple(rows), shares


def _by_pupil(session: Session, rows: list[MapRow], shares: dict[int, list[int]],
              people: dict[int, _Person]) -> tuple[PupilTotal, ...]:
    counted: dict[int, list] = {}      # pupil -> [first row, items, yearly pence]
    for row in rows:
        found = counted.get(row.pupil_id)
        if found is None:
            counted[row.pupil_id] = [row, 1, row.yearly_cost_pence]
        else:
            found[1] += 1
            found[2] += row.yearly_cost_pence
    totals = {pupil_id: PupilTotal(first.pupil_id, first.pupil_name, first.year_group,
                                   first.stage, items, pence)
              for pupil_id, (first, items, pence) in counted.items()}
    if not shares:
        return tuple(totals.values())
    people = {**people, **_pupils(session, sorted(set(shares) - set(people)))}
    for pupil_id, pence in shares.items():
        before = totals.get(pupil_id)
        if before is None:
            pupil = people.get(pupil_id)
            if pupil is None or pupil.archived:
                continue
            before = PupilTotal(pupil_id, pupil.name, pupil.year_group, None, 0, 0)
        totals[pupil_id] = dataclasses.replace(
            before, items=before.items + len(pence),
            yearly_cost_pence=before.yearly_cost_pence + sum(pence),
            group_share_pence=before.group_share_pence + sum(pence))
    return tuple(sorted(totals.values(), key=lambda t: (people[t.pupil_id].sort_key,
                                                        t.pupil_id)))


def _provision_key(description: str) -> str:
    return " ".join(description.casefold().split())


def _by_provision(rows: list[MapRow], groups: tuple[GroupRow, ...] = ()
                  ) -> tuple[ProvisionTotal, ...]:
    """Provision with the same name (ignoring case and spacing) counted together, dearest first;
    a group counts its members and their hours with it (the adult's hours times the members),
    and its cost once."""
    grouped: dict[str, list[MapRow]] = {}
    keys: dict[str, str] = {}      # a county's 16,000 lines share a few hundred descriptions
    for row in rows:
        key = keys.get(row.description)
        if key is None:
            key = keys[row.description] = _provision_key(row.description)
        grouped.setdefault(key, []).append(row)
    by_name: dict[str, list[GroupRow]] = {}
    for group_row in groups:
        by_name.setdefault(_provision_key(group_row.name), []).append(group_row)
    totals = [ProvisionTotal(
        group[0].description if group else named[0].name,
        len({r.pupil_id for r in group}) + sum(g.members for g in named),
        sum((r.hours_per_year for r in group), Decimal(0))
        + sum((g.hours * g.members for g in named), Decimal(0)),
        provision.total_pence([*(r.yearly_cost_pence for r in group),
                               *(g.cost_pence for g in named)]))
        for key in dict.fromkeys([*grouped, *by_name])
        for group, named in [(grouped.get(key, []), by_name.get(key, []))]]
    totals.sort(key=lambda t: (-t.yearly_cost_pence, _provision_key(t.description)))
    return tuple(totals)


# --- CSV ----------------------------------------------------------------------------------------
CSV_HEADER = ("row", "pupil", "year", "stage", "cycle", "provision", "area_of_need",
              "delivered_by", "frequency", "group_size", "charged", "rate_gbp", "yearly_cost_gbp",
              "pupil_total_gbp", "threshold")


def csv_rows(found: ProvisionMap) -> Iterator[tuple]:
    """One row per pupil and provision item, then a total row per pupil and one for the school."""
    for row in found.rows:
        yield ("provision", row.pupil_name, row.year_group, row.stage.value, row.cycle_number,
               row.description, row.area or "", row.delivered_by, row.frequency, row.group_size,
               row.cost_basis.label, provision.money_for_csv(row.rate_pence),
               provision.money_for_csv(row.yearly_cost_pence), "", "")
    for group in found.groups:
        yield ("group", f"{group.members} pupil{'s' if group.members != 1 else ''}", "", "", "",
               group.name, group.area or "", group.staff_name, group.frequency, group.members,
               "shared by the group", "", provision.money_for_csv(group.cost_pence), "", "")
    for total in found.by_pupil:
        yield ("pupil total", total.pupil_name, total.year_group,
               total.stage.value if total.stage else "group only", "",
               f"{total.items} item{'s' if total.items != 1 else ''}", "", "", "", "", "", "", "",
               provision.money_for_csv(total.yearly_cost_pence), _threshold_words(total.level))
    groups = f", {len(found.groups)} group{'s' if len(found.groups) != 1 else ''}" \
        if found.groups else ""
    yield ("school total", f"{found.pupils} pupils", "", "", "", f"{len(found.rows)} items{groups}",
           "", "", "", "", "", "", provision.money_for_csv(found.total_pence), "",
           f"{len(found.over_threshold())} over {_THRESHOLD}")
    yield from _ehc_csv_rows(found)


def _ehc_csv_rows(found: ProvisionMap) -> Iterator[tuple]:
    """EHC plans' lines (the school's part as the yearly cost, the LA's top-up beside it), then
    the school's spend against its notional SEN budget."""
    money = provision.money_for_csv
    for r in found.ehc:
        line = r.line
        yield ("ehc provision", r.pupil_name, r.year_group, "ehc plan", "", line.description,
               line.area or "", line.delivered_by, line.frequency, "", "school's part a year", "",
               money(line.school_pence), "", f"LA top-up {money(line.topup_pence)}")
    yield ("ehc total", f"{len({r.pupil_id for r in found.ehc})} pupils", "", "", "",
           f"{len(found.ehc)} items", "", "", "", "", "", "", money(found.ehc_school_pence), "",
           f"LA top-up {money(found.ehc_topup_pence)}")
    budget = found.budget_pence
    yield ("school spend", "", "", "", "", "SEN support and EHC plans' school part", "", "", "",
           "", "", "", money(found.school_spend_pence), "",
           "notional SEN budget not set" if budget is None else
           f"notional SEN budget {money(budget)}; {money(abs(budget - found.school_spend_pence))}"
           + (" left" if budget >= found.school_spend_pence else " over"))


_THRESHOLD = provision.format_pounds(provision.NOTIONAL_THRESHOLD_PENCE)


def _threshold_words(level: CostLevel) -> str:
    return {CostLevel.UNDER: "", CostLevel.NEAR: f"nearing {_THRESHOLD}",
            CostLevel.OVER: f"over {_THRESHOLD}"}[level]


@operation(Permission.EXPORT_DOCUMENTS, writes=False, audit="exported the costed provision map")
def export_csv(session: Session, path: Path) -> ProvisionMap:
    """Write the map as formula-safe CSV (all or nothing); audited as an export."""
    found = build(session, audit=False)
    csv_safe.export_file(Path(path), CSV_HEADER, csv_rows(found))
    viewed(session, None, None, pupils=found.pupils, items=len(found.rows))
    return found
