"""The impact of provision as a document (the impact page's Print and Save PDF, and the
governors' report's impact section): the table as it may be shown, with the same charts."""

from __future__ import annotations

from ..models import dates
from ..records.impact import ImpactTable, shown_rows
from . import report_charts
from .model import Block, Builder, Document

KIND = "impact"
_HEADER = ["Provision", "Measure", "Pupils", "Measured", "Entry", "Exit", "Gain", "Met %",
           "Cost £", "A pupil £", "A point £"]
_KEYS = ["provision", "measure", "pupils", "pupils_measured", "mean_entry", "mean_exit",
         "mean_gain", "met_outcomes_pct", "cost_total", "cost_per_pupil", "cost_per_gain"]


def impact_section(found: ImpactTable, *, summary: bool = False) -> tuple[Block, ...]:
    b = Builder()
    period = f"{dates.format_uk(found.start)} to {dates.format_uk(found.end)}"
    if not found.lines:
        b.para(f"No provision from the library or in groups ran from {period}.", "small")
        return tuple(b.blocks)
    b.para(f"Provision from the school's library and its groups, {period}. Gains are in each "
           "measure's own units (points, or months for reading and spelling ages); cost is "
           "what fell in the period.", "small")
    rows = list(shown_rows(found))
    if summary:
        rows = [r for r in rows if not r["category"]]
    split = bool(found.breakdown.value) and not summary
    b.table([*_HEADER[:2], *(["Group"] if split else []), *_HEADER[2:]],
            [(r["provision"], r["measure"] + (f" ({r['unit']})" if r["unit"] else ""),
              *([r["category"]] if split else []), *(r[k] for k in _KEYS[2:]))
             for r in rows],
            widths=[2.0, 1.4, *([1.2] if split else []), 1.0, 1.0, 0.8, 0.8, 0.8, 0.7, 0.9,
                    0.9, 0.9])
    b.para("Entry, exit and gain are means over the pupils measured; \"A point £\" is the cost "
           "a pupil of each point (or month) gained; Met % is the share of pupils reviewed in "
           "the period who met every outcome.", "small")
    b.add(*report_charts.impact_charts(found.lines))
    b.add(report_charts.cost_chart(found.lines))
    return tuple(b.blocks)


def build(found: ImpactTable, school_name: str) -> Document:
    period = f"{dates.format_uk(found.start)} to {dates.format_uk(found.end)}"
    title = "Impact of provision" + (f" by {found.breakdown.label.lower()}"
                                     if found.breakdown.value else "")
    return Document(title, "", found.end, impact_section(found),
                    subtitle=f"{school_name} · {period}", kind=KIND)
