"""The impact of provision as a document (the impact page's Print and Save PDF, and the
governors' report's impact section): the table as it may be shown, with the same charts."""

from __future__ import annotations

import datetime as dt

from ..models import dates
from ..models.impact import NO_PAIR_YET, public_names
from ..records.impact import ImpactTable, shown_rows
from . import report_charts
from .model import Block, Builder, Document

KIND = "impact"
# The header band of a report that counts pupils and never names one (reports count, never name).
COVERS = "Whole school: counts only, no pupil named"


def impact_section(found: ImpactTable, *, summary: bool = False) -> tuple[Block, ...]:
    b = Builder()
    period = f"{dates.format_uk(found.start)} to {dates.format_uk(found.end)}"
    if not found.lines:
        b.para(f"No provision from the library or in groups ran from {period}.", "small")
        return tuple(b.blocks)
    b.para(f"Provision from the school's library and its groups, {period}. Gains are in each "
           "measure's own units (points, or months for reading and spelling ages) and are the "
           "improvement: for a measure marked lower is better, how far it fell. Cost is what "
           "fell in the period.", "small")
    rows = list(shown_rows(found))
    if summary:
        # For governors: whole rows only, and groups by their library item and a number.
        names = public_names(found.lines)
        rows = [{**r, "provision": names[r["provision"]]} for r in rows if not r["category"]]
        if any(line.kind == "group" for line in found.lines):
            b.para("Groups are named by the intervention they run and a number, not by the "
                   "school's own names for them, which can name a child; the impact page "
                   "and its export use the school's names.", "small")
    split = bool(found.breakdown.value) and not summary
    # Headed with the dimension chosen ("Sex", "Year group"), never "Group": that is a
    # provision group's word.
    group = [found.breakdown.label] if split else []

    def lead(r: dict[str, str]) -> list[str]:
        unit = "; ".join(([r["unit"]] if r["unit"] else [])
                         + (["lower is better"] if r["better"] == "lower" else []))
        return [r["provision"], (r["measure"] or NO_PAIR_YET) + (f" ({unit})" if unit else ""),
                *([r["category"]] if split else [])]

    b.heading("Measures and outcomes", 2)
    b.table(["Provision", "Measure", *group, "Pupils", "Measured", "Mean entry", "Mean exit",
             "Mean gain", "Met outcomes %"],
            [(*lead(r), *(r[k] for k in ("pupils", "pupils_measured", "mean_entry", "mean_exit",
                                         "mean_gain", "met_outcomes_pct"))) for r in rows],
            widths=[2.0, 1.6, *([1.2] if split else []), 1.0, 1.0, 1.0, 1.0, 1.0, 1.1])
    b.heading("Cost", 2)
    b.table(["Provision", "Measure", *group, "Pupils", "Cost £", "Cost a pupil £",
             "Cost a point or month gained £"],
            [(*lead(r), *(r[k] for k in ("pupils", "cost_total", "cost_per_pupil",
                                         "cost_per_gain"))) for r in rows],
            widths=[2.0, 1.6, *([1.2] if split else []), 1.0, 1.1, 1.1, 1.3])
    b.para("Means are over the pupils measured; the cost a point (or month) gained is the cost "
           "a pupil divided by the mean gain; Met outcomes % is the share of the pupils reviewed "
           "in the period who met every outcome.", "small")
    b.add(*report_charts.impact_charts(rows))
    b.add(report_charts.cost_chart(rows))
    return tuple(b.blocks)


def build(found: ImpactTable, school_name: str, made_on: dt.date) -> Document:
    """The impact PDF: dated the day it is made (the period's dates are in its subtitle)."""
    period = f"{dates.format_uk(found.start)} to {dates.format_uk(found.end)}"
    title = "Impact of provision" + (f" by {found.breakdown.phrase}"
                                     if found.breakdown.value else "")
    return Document(title, "", made_on, impact_section(found),
                    subtitle=f"{school_name} · {period}", kind=KIND, covers=COVERS)
