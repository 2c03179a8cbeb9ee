"""The costed provision map as a document: for one pupil (the provision in force and what it
costs a year, set against the notional SEN support threshold) or for the whole school (each
pupil's total, each kind of provision, then every item).

It shows what records.provision_map shows on screen and in the CSV: the items still running
in the latest agreed plan of each open pathway.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import provision
from ..models.ehc_costs import EhcProvisionLine
from ..models.provision import NOTIONAL_THRESHOLD_PENCE, CostLevel, format_money
from ..records import provision_map as records_map
from ..session import Session
from .facts import PupilFacts
from .model import Builder, Document
from .support import area_label

_LEVEL_WORDS = {CostLevel.UNDER: "", CostLevel.NEAR: "Nearing the threshold",
                CostLevel.OVER: "Over the threshold"}
_THRESHOLD = format_money(NOTIONAL_THRESHOLD_PENCE)

_EHC_HEADER = ["Provision", "Area", "Who", "How often", "School's part", "LA top-up"]
_EHC_WIDTHS = [2.6, 1.4, 1.4, 2.0, 1.1, 1.1]


def _ehc_lines(b: Builder, lines: Sequence[EhcProvisionLine]) -> None:
    """A pupil's EHC plan provision: the school's notional part and the LA's top-up a year."""
    if not lines:
        return
    b.heading("EHC plan provision")
    b.table(_EHC_HEADER, [(line.description, area_label(line.area), line.delivered_by,
                           line.frequency, format_money(line.school_pence),
                           format_money(line.topup_pence)) for line in lines],
            widths=_EHC_WIDTHS,
            total=["Total a year", "", "", "", format_money(sum(x.school_pence for x in lines)),
                   format_money(sum(x.topup_pence for x in lines))])


def _hours(value) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value else "0"


def build_pupil_map(facts: PupilFacts, school_name: str,
                    ehc_lines: Sequence[EhcProvisionLine] = ()) -> Document:
    b = Builder()
    pathway = facts.open_pathway
    plan = pathway.current_plan if pathway else None
    cycle = next((c for c in pathway.cycles if plan is not None and c.plan is plan), None) \
        if pathway else None
    b.pairs([(k, v) for k, v in facts.identity_rows() if k in ("Name", "Year group", "UPN")]
            + [("Stage", f"{cycle.stage.label}, cycle {cycle.number}" if cycle else ""),
               ("Plan agreed", plan.plan_date.strftime("%d/%m/%Y") if plan and plan.plan_date
                else "")])
    if plan is None:
        b.para(f"{facts.name} has no agreed support plan in force"
               + ("; the EHC plan's provision is costed below." if ehc_lines else
                  ", so no additional provision is costed."), "small")
    else:
        items = plan.active_items
        b.heading("Provision in force")
        b.table(["Provision", "Area", "Who", "How often", "Hours a year", "Charged",
                 "Cost a year"],
                [(i.description, area_label(i.area), i.delivered_by or "", i.frequency,
                  _hours(provision.hours_per_year(provision.costing_of(i.fields()))),
                  f"{format_money(i.rate_pence)} {i.cost_basis.label}",
                  format_money(i.yearly_cost_pence)) for i in items],
                widths=[2.4, 1.6, 1.4, 2.4, 0.9, 1.4, 1.1],
                total=["Total a year", "", "", "", "", "", format_money(plan.yearly_cost_pence)],
                empty="All the plan's provision has ended.")
        b.heading("Against the notional SEN support threshold")
        warning = provision.cost_warning(plan.yearly_cost_pence)
        b.para(warning or f"{format_money(plan.yearly_cost_pence)} a year, well within the "
                          f"{_THRESHOLD} notional SEN support threshold.")
    _ehc_lines(b, ehc_lines)
    return Document("Costed provision map", facts.name, facts.today, tuple(b.blocks),
                    subtitle=f"{facts.name} · {school_name}", kind="provision-map")


def build_school_map(session: Session) -> Document:
    """Every pupil's provision in force, for the governors, the head teacher and funding bids."""
    found = records_map.build(session, audit=False)
    b = Builder()
    b.pairs([("Pupils with costed provision", str(found.pupils)),
             ("Provision items", str(len(found.rows))),
             ("Total a year", format_money(found.total_pence)),
             (f"Pupils over {_THRESHOLD}", str(len(found.over_threshold())))])
    b.heading("By pupil")
    b.table(["Pupil", "Year", "Stage", "Items", "Cost a year", "Threshold"],
            [(t.pupil_name, t.year_group, t.stage.label, str(t.items),
              format_money(t.yearly_cost_pence), _LEVEL_WORDS[t.level]) for t in found.by_pupil],
            widths=[2.6, 0.7, 1.6, 0.7, 1.2, 1.6],
            total=["School total", "", "", str(len(found.rows)), format_money(found.total_pence),
                   ""], empty="No pupil has an agreed plan with provision in force.")
    b.heading("By provision")
    b.table(["Provision", "Pupils", "Pupil hours a year", "Cost a year"],
            [(t.description, str(t.pupils), _hours(t.hours_per_year),
              format_money(t.yearly_cost_pence)) for t in found.by_provision],
            widths=[3.6, 0.9, 1.4, 1.2], empty="None.")
    _school_ehc_and_budget(b, found)
    b.heading("Every item")
    b.table(["Pupil", "Provision", "Who", "How often", "Cost a year"],
            [(r.pupil_name, r.description + (" (specialist's advice)" if r.from_specialist else ""),
              r.delivered_by, r.frequency, format_money(r.yearly_cost_pence)) for r in found.rows],
            widths=[1.8, 2.4, 1.5, 2.3, 1.1], empty="None.")
    return Document("Costed provision map: whole school", "", session.clock.today(),
                    tuple(b.blocks), subtitle=session.school.name, kind="provision-map")


def _school_ehc_and_budget(b: Builder, found: records_map.ProvisionMap) -> None:
    """EHC plans' costed provision, then what the school spends against its notional budget."""
    b.heading("EHC plans")
    b.table(["Pupil", *_EHC_HEADER], [
        (r.pupil_name, r.line.description, area_label(r.line.area), r.line.delivered_by,
         r.line.frequency, format_money(r.line.school_pence), format_money(r.line.topup_pence))
        for r in found.ehc], widths=[1.8, *_EHC_WIDTHS],
        total=["Total a year", "", "", "", "", format_money(found.ehc_school_pence),
               format_money(found.ehc_topup_pence)] if found.ehc else None,
        empty="No current EHC plan has costed provision recorded.")
    b.heading("Against the notional SEN budget")
    b.pairs(spend_rows(found))


def spend_rows(found: records_map.ProvisionMap) -> list[tuple[str, str]]:
    """The school's spend set against its notional SEN budget, as label and value."""
    rows = [("SEN support provision a year", format_money(found.total_pence)),
            ("EHC plans: the school's part", format_money(found.ehc_school_pence)),
            ("School's spend a year", format_money(found.school_spend_pence)),
            ("EHC plans: the LA's top-up", format_money(found.ehc_topup_pence))]
    budget = found.budget_pence
    if budget is None:
        rows.append(("Notional SEN budget", "Not set: the SENCO sets it on the provision map."))
    else:
        left = budget - found.school_spend_pence
        rows += [("Notional SEN budget", format_money(budget)),
                 ("Left" if left >= 0 else "Over budget", format_money(abs(left)))]
    return rows
