"""The whole-school costed provision map: what additional provision each pupil at SEN support
receives and what it costs a year, by pupil and by provision, with totals.

It shows the provision in force: the items still running in the latest agreed plan of every
open pathway (while a new plan is drafted, the last agreed one carries on). Each pupil's yearly
total is set against the £6,000 notional SEN support threshold. Anyone who may view records may
see it; exporting it is for those who may export documents, and is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..models import provision
from ..models.apdr import Stage
from ..models.provision import CostBasis, CostLevel
from ..models.pupils import Pupil
from ..models.roles import Permission
from ..operations import operation, viewed
from ..session import Session
from . import csv_safe, ehc_costs, sen_budget
from ._common import chunks, placeholders
from .apdr import item_from_row
from .pupils import pupil_from_row


@dataclass(frozen=True)
class MapRow:
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
class PupilTotal:
    pupil_id: int
    pupil_name: str
    year_group: str
    stage: Stage
    items: int
    yearly_cost_pence: int

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
        return provision.total_pence(row.yearly_cost_pence for row in self.rows)

    @property
    def pupils(self) -> int:
        return len(self.by_pupil)

    def over_threshold(self) -> tuple[PupilTotal, ...]:
        return tuple(p for p in self.by_pupil if p.level is CostLevel.OVER)


_IN_FORCE = """
    SELECT i.*, c.number AS cycle_number, w.stage AS pathway_stage, w.pupil_id
    FROM send_pathways w
    JOIN pupils p ON p.id = w.pupil_id
    JOIN apdr_cycles c ON c.pathway_id = w.id
    JOIN apdr_plans pl ON pl.cycle_id = c.id
    JOIN apdr_provision_items i ON i.plan_id = pl.id
    WHERE w.status = 'open' AND p.archived_at IS NULL AND pl.agreed_at IS NOT NULL
      AND i.removed_at IS NULL AND i.ended_on IS NULL
      AND c.number = (SELECT max(c2.number) FROM apdr_cycles c2 JOIN apdr_plans p2
                      ON p2.cycle_id = c2.id WHERE c2.pathway_id = w.id AND p2.agreed_at IS NOT NULL)
    ORDER BY p.sort_key, p.id, i.position, i.id
"""


def _pupils(session: Session, ids: list[int]) -> dict[int, Pupil]:
    found: dict[int, Pupil] = {}
    for chunk in chunks(ids):
        for row in session.db.query(f"SELECT * FROM pupils WHERE id IN ({placeholders(len(chunk))})",
                                    list(chunk)):
            found[row["id"]] = pupil_from_row(row)
    return found


@operation(Permission.VIEW_RECORDS, writes=False, audit="viewed the costed provision map")
def build(session: Session, *, audit: bool = True) -> ProvisionMap:
    """The map as it stands today (viewing it is audited once, unless a caller that audits
    its own use, such as the export, says audit=False)."""
    items = session.db.query(_IN_FORCE)
    people = _pupils(session, sorted({r["pupil_id"] for r in items}))
    rows = []
    for r in items:
        item = item_from_row(r)
        pupil = people[r["pupil_id"]]
        rows.append(MapRow(
            pupil_id=pupil.id, pupil_name=pupil.display_name, year_group=pupil.details.year_group,
            stage=Stage(r["pathway_stage"]), cycle_number=r["cycle_number"], item_id=item.id,
            description=item.description, area=item.area, delivered_by=item.delivered_by,
            frequency=item.frequency, group_size=item.group_size, cost_basis=item.cost_basis,
            rate_pence=item.rate_pence, yearly_cost_pence=item.yearly_cost_pence,
            hours_per_year=provision.hours_per_year(provision.costing_of(item.fields())),
            from_specialist=item.recommendation_id is not None))
    ehc = ehc_costs.map_rows(session)
    if audit:
        viewed(session, None, None, pupils=len(people), items=len(rows), ehc_lines=len(ehc))
    return ProvisionMap(tuple(rows), _by_pupil(rows), _by_provision(rows), ehc,
                        sen_budget.budget_of(session))


def _by_pupil(rows: list[MapRow]) -> tuple[PupilTotal, ...]:
    totals: dict[int, PupilTotal] = {}
    for row in rows:
        before = totals.get(row.pupil_id)
        totals[row.pupil_id] = PupilTotal(
            row.pupil_id, row.pupil_name, row.year_group, row.stage,
            (before.items if before else 0) + 1,
            (before.yearly_cost_pence if before else 0) + row.yearly_cost_pence)
    return tuple(totals.values())


def _provision_key(description: str) -> str:
    return " ".join(description.casefold().split())


def _by_provision(rows: list[MapRow]) -> tuple[ProvisionTotal, ...]:
    """Provision with the same name (ignoring case and spacing) counted together, dearest first."""
    grouped: dict[str, list[MapRow]] = {}
    for row in rows:
        grouped.setdefault(_provision_key(row.description), []).append(row)
    totals = [ProvisionTotal(group[0].description, len({r.pupil_id for r in group}),
                             sum((r.hours_per_year for r in group), Decimal(0)),
                             provision.total_pence(r.yearly_cost_pence for r in group))
              for group in grouped.values()]
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
    for total in found.by_pupil:
        yield ("pupil total", total.pupil_name, total.year_group, total.stage.value, "",
               f"{total.items} item{'s' if total.items != 1 else ''}", "", "", "", "", "", "", "",
               provision.money_for_csv(total.yearly_cost_pence), _threshold_words(total.level))
    yield ("school total", f"{found.pupils} pupils", "", "", "", f"{len(found.rows)} items", "",
           "", "", "", "", "", provision.money_for_csv(found.total_pence), "",
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
