"""The costed provision map as a document: for one pupil (the provision in force and what it
costs a year, set against the notional SEN support threshold) or for the whole school (each
pupil's total, each kind of provision, then every item).

It shows what records.provision_map shows on screen and in the CSV: the items still running
in the latest agreed plan of each open pathway, and the provision groups (on the school's map
once each with the group's cost; on a pupil's, the groups they are in with their share).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..models import provision
from ..models.dates import format_uk
from ..models.ehc_costs import EhcProvisionLine
from ..models.provision import NOTIONAL_THRESHOLD_PENCE, CostLevel, format_money
from ..records import provision_map as records_map
from ..records.provision_groups import PupilGroup, counted_shares
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


def _groups_section(b: Builder, groups: Sequence[PupilGroup], today: dt.date) -> int:
    """The pupil's groups with their share of each cost; returns the shares' total of those
    begun by today. One still to begin is listed as such and left out of the total, as the
    whole-school map and the plan leave it out (the review found the three disagreeing)."""
    if not groups:
        return 0
    total = counted_shares(groups, today)
    b.heading("Group provision")
    b.table(["Group", "Area", "Who", "How often", "Since", "Group's cost", "Share"],
            [(g.group.name, area_label(g.group.area), g.group.staff_name, g.group.frequency,
              format_uk(g.member.joined_on) if g.begun_by(today)
              else f"Begins {format_uk(g.group.start_date)}", format_money(g.group.cost_total_pence),
              format_money(g.share_pence)) for g in groups],
            widths=[2.2, 1.4, 1.3, 2.2, 1.0, 1.1, 1.0],
            total=["Share of group costs", "", "", "", "", "",
                   format_money(total)])
    b.para("A group's cost is shared among the members present each day, for the days the "
           "pupil is in it" + ("; a group still to begin is counted once it does." if
                               not all(g.begun_by(today) for g in groups) else "."), "small")
    return total


def build_pupil_map(facts: PupilFacts, school_name: str,
                    groups: Sequence[PupilGroup] = (),
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
    total = 0
    if plan is None and not groups:
        b.para(f"{facts.name} has no agreed support plan in force"
               + ("; the EHC plan's provision is costed below." if ehc_lines else
                  ", so no additional provision is costed."), "small")
    elif plan is None:
        total = _groups_section(b, groups, facts.today)
        if not ehc_lines:   # beside an EHC plan, _school_and_topup says what is paid
            _against_threshold(b, total)
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
        total = plan.yearly_cost_pence + _groups_section(b, groups, facts.today)
        if not ehc_lines:   # beside an EHC plan, _school_and_topup says what is paid
            _against_threshold(b, total)
    _ehc_lines(b, ehc_lines)
    if ehc_lines:
        _school_and_topup(b, total, ehc_lines)
    return Document("Costed provision map", facts.name, facts.today, tuple(b.blocks),
                    subtitle=f"{facts.name} · {school_name}", kind="provision-map")


def _against_threshold(b: Builder, total: int) -> None:
    """Support set against the threshold: for a pupil without costed EHC provision ("well
    within" beside a plan's £6,000 school part misled the review)."""
    b.heading("Against the notional SEN support threshold")
    warning = provision.cost_warning(total)
    b.para(warning or f"{format_money(total)} a year, well within the "
                      f"{_THRESHOLD} notional SEN support threshold.")


def _school_and_topup(b: Builder, support: int, lines: Sequence[EhcProvisionLine]) -> None:
    school = sum(x.school_pence for x in lines)
    topup = sum(x.topup_pence for x in lines)
    b.heading("What the school pays")
    paid = (f"{format_money(support + school)} a year from the school: {format_money(support)} "
            f"of the support above and {format_money(school)}, its part of the EHC plan's "
            "provision." if support else
            f"{format_money(school)} a year from the school, its part of the EHC plan's "
            "provision.")
    b.para(f"{paid} The local authority's top-up is {format_money(topup)} a year.")


def build_school_map(session: Session) -> Document:
    """Every pupil's provision in force, for the governors, the head teacher and funding bids."""
    found = records_map.build(session, audit=False)
    b = Builder()
    b.pairs([("Pupils with costed provision", str(found.pupils)),
             ("Provision items", str(len(found.rows))),
             ("Provision groups", str(len(found.groups))),
             ("Total a year", format_money(found.total_pence)),
             (f"Pupils over {_THRESHOLD}", str(len(found.over_threshold())))])
    b.heading("By pupil")
    b.table(["Pupil", "Year", "Stage", "Items", "Cost a year", "Threshold"],
            [(t.pupil_name, t.year_group, t.stage_label, str(t.items),
              format_money(t.yearly_cost_pence), _LEVEL_WORDS[t.level]) for t in found.by_pupil],
            widths=[2.6, 0.7, 1.6, 0.7, 1.2, 1.6],
            total=["School total", "", "", str(len(found.rows) + len(found.groups)),
                   format_money(found.total_pence), ""],
            empty="No pupil has an agreed plan with provision in force.")
    if found.groups:
        b.para("Pupils' totals include their share of each group's cost; the school total "
               "counts each group's cost once.", "small")
    b.heading("By provision")
    b.table(["Provision", "Pupils", "Pupil hours a year", "Cost a year"],
            [(t.description, str(t.pupils), _hours(t.hours_per_year),
              format_money(t.yearly_cost_pence)) for t in found.by_provision],
            widths=[3.6, 0.9, 1.4, 1.2], empty="None.")
    _school_ehc_and_budget(b, found)
    if found.groups:
        b.heading("Provision groups")
        b.table(["Group", "Who", "How often", "Pupils", "Group's cost"],
                [(g.name, g.staff_name, g.frequency, str(g.members), format_money(g.cost_pence))
                 for g in found.groups], widths=[2.6, 1.5, 2.4, 0.8, 1.2],
                total=["Groups' total", "", "", "",
                       format_money(sum(g.cost_pence for g in found.groups))])
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
