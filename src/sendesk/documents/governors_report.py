"""The governors' SEND report and the SEN Information Report figures as a document: counts with
charts, no names, small numbers hidden (records/governors_report.py works the figures out)."""

from __future__ import annotations

from ..models import dates
from ..models.provision import format_money
from ..models.small_numbers import FEWER, NOT_SHOWN, shown
from ..records.governors_report import PAST_SPEND, GovernorsFigures, Spend, shown_pairs
from ..records.register_figures import Breakdown
from . import report_charts
from .impact_report import COVERS, impact_section
from .model import Block, Builder, Chart, Document

KIND = "governors-report"
# Under the requests table when any row says "not shown": a block of them read as missing
# figures, with nothing to say they are hidden on purpose.
HIDDEN_TOGETHER = ('Rows marked "not shown" are hidden together, so that small numbers cannot '
                   "be worked out from the others.")


def _chart(b: Builder, chart: Chart) -> None:
    b.add(chart)


def _breakdown_table(b: Builder, found: Breakdown) -> None:
    columns = [found.shown(i) for i in range(len(found.columns))]
    totals = [shown(found.total(i)) for i in range(len(found.columns))]
    b.table(["", *found.columns],
            [(label, *(columns[i][row] for i in range(len(found.columns))))
             for row, label in enumerate(found.labels)],
            widths=[2.6] + [1.3] * len(found.columns), total=["On the register", *totals])


def _pairs_table(b: Builder, pairs: tuple[tuple[str, int], ...], heading: str) -> None:
    b.table(["", heading], list(zip((label for label, _ in pairs), shown_pairs(pairs),
                                    strict=True)), widths=[3.6, 1.4])


def _spend(b: Builder, spend: Spend) -> None:
    rows = [("SEN support provision a year", format_money(spend.sen_support_pence)),
            ("EHC plans: the school's part", format_money(spend.ehc_school_pence)),
            ("School's spend a year", format_money(spend.school_pence)),
            ("EHC plans: the LA's top-up", format_money(spend.ehc_topup_pence))]
    if spend.budget_pence is None:
        rows.append(("Notional SEN budget", "Not set (the SENCO sets it on the provision map)"))
    else:
        left = spend.budget_pence - spend.school_pence
        rows += [("Notional SEN budget", format_money(spend.budget_pence)),
                 ("Left" if left >= 0 else "Over budget", format_money(abs(left)))]
    b.pairs(rows)
    b.para(f"Provision in force on {dates.format_uk(spend.as_of)}, costed for a year.", "small")


def build(found: GovernorsFigures, school_name: str) -> Document:
    reg = found.register
    last = len(reg.census_days) - 1
    b = Builder()
    b.para(f"Figures for the {found.year.label} school year as recorded in sendesk on "
           f"{dates.format_uk(found.as_of)}. They count pupils and never name them; any count "
           f"under 5 is shown as \"{FEWER}\", and where a hidden count could be worked out from "
           "a total, more are shown as \"5 or more\" (or \"not shown\") so that it cannot.",
           "small")
    b.heading("The SEN register")
    b.table(["", *reg.by_status.columns],
            [("Pupils on roll", *(shown(n) for n in reg.on_roll)),
             ("On the SEN register", *(shown(n) for n in reg.register_size))],
            widths=[2.6] + [1.3] * len(reg.census_days))
    _chart(b, report_charts.trend_chart(reg.by_status, "The register at each census day"))
    for found_breakdown in (reg.by_status, reg.by_need, reg.by_year, reg.by_sex):
        b.heading(found_breakdown.title, 2)
        _breakdown_table(b, found_breakdown)
    _chart(b, report_charts.breakdown_chart(reg.by_need, last,
                                            f"By primary need, {reg.by_need.columns[last]}"))
    b.heading("Movement on and off the register")
    _pairs_table(b, reg.movement, found.year.label)
    b.heading("Reviews held on time")
    b.heading("SEN support reviews due in the year", 2)
    _pairs_table(b, found.sen_reviews, "Reviews")
    b.heading("EHC plan annual reviews", 2)
    _pairs_table(b, found.ehc_reviews, "Reviews")
    _chart(b, report_charts.pairs_chart("SEN support reviews", found.sen_reviews))
    b.heading("EHC needs assessment requests")
    b.para("Requests the school sent to the local authority in the year, and whether the LA "
           "kept to the statutory weeks (a decision within 6 weeks, the final plan within 20). "
           "Each request sent is decided, overdue, not yet due or withdrawn; each decided was "
           "decided within 6 weeks or late, and to assess or not. Each request the LA agreed "
           "to assess is counted in one of the last six rows.", "small")
    _pairs_table(b, found.requests, found.year.label)
    if NOT_SHOWN in shown_pairs(found.requests):
        b.para(HIDDEN_TOGETHER, "small")
    b.heading("Provision spend against the notional SEN budget")
    if found.spend is None:
        b.para(PAST_SPEND, "small")
    else:
        _spend(b, found.spend)
    b.heading("Impact of provision")
    b.add(*impact_section(found.impact, summary=True))
    return Document(f"SEND report to governors {found.year.label}", "", found.as_of,
                    tuple(b.blocks), subtitle=f"{school_name} · SEN Information Report figures",
                    kind=KIND, covers=COVERS)


def blocks(found: GovernorsFigures, school_name: str) -> tuple[Block, ...]:
    """The same content for the window's preview."""
    return build(found, school_name).blocks
