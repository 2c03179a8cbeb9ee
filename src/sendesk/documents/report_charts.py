"""The charts of the impact and governors' reports, as data (documents.model.Chart): built once
here and drawn by the one painter (sendesk.pdf.charts) on screen and in the PDF.

A bar is drawn only for a number that may be shown: a hidden count or a mean over too few
pupils gets its words ("fewer than 5") and no bar.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models.impact import ImpactLine, format_number
from ..models.small_numbers import FEWER, hidden, shown_all
from ..records.register_figures import Breakdown
from .model import Chart, ChartSeries


def _count_series(name: str, counts: Sequence[int], *, total_shown: bool = True) -> ChartSeries:
    return _series(name, counts, shown_all(counts, total_shown=total_shown))


def _series(name: str, counts: Sequence[int], cells: Sequence[str]) -> ChartSeries:
    """Bars for the counts whose cell shows the number itself; words and no bar for the rest."""
    return ChartSeries(name, tuple(None if hidden(c) or cell != f"{c:,}" else float(c)
                                   for c, cell in zip(counts, cells, strict=True)),
                       tuple(cells))


def breakdown_chart(found: Breakdown, column: int, title: str) -> Chart:
    """One census day's breakdown (by need, year group or sex) as bars."""
    return Chart(title, found.labels, (_count_series(found.columns[column],
                                                    found.column(column)),))


def trend_chart(found: Breakdown, title: str) -> Chart:
    """The register at each census day of the year, one bar per status. Each day's statuses
    are hidden together, beside that day's total, exactly as the day's column of the table is:
    hiding them status by status across the days would draw K's real bar where the table says
    "5 or more" to keep E's small count from being worked out."""
    days = [shown_all(found.column(i)) for i in range(len(found.columns))]
    series = []
    for index, label in enumerate(found.labels):
        series.append(_series(label, found.counts[index], [day[index] for day in days]))
    short = tuple(c.replace(" census", "") for c in found.columns)
    return Chart(title, short, tuple(series))


def pairs_chart(title: str, pairs: Sequence[tuple[str, int]]) -> Chart:
    """Counts with their labels (movement, reviews, requests), each shown or hidden alone."""
    counts = [c for _, c in pairs]
    return Chart(title, tuple(label for label, _ in pairs),
                 (_count_series("", counts, total_shown=False),))


def _mean_series(name: str, rows: Sequence[ImpactLine], values: list[float | None]
                 ) -> ChartSeries:
    return ChartSeries(name, tuple(None if r.means_hidden else v
                                   for r, v in zip(rows, values, strict=True)),
                       tuple(FEWER if r.means_hidden else format_number(v)
                             for r, v in zip(rows, values, strict=True)))


def impact_charts(lines: Sequence[ImpactLine]) -> list[Chart]:
    """Mean entry against mean exit for each provision and measure that may be shown, one chart
    per unit (points, months), so bars of different units are never set side by side."""
    charts = []
    for unit, title in (("points", "Mean entry and exit scores (points)"),
                        ("months", "Mean entry and exit reading and spelling ages (months)")):
        rows = [r for r in lines if r.unit == unit]
        if not rows:
            continue
        labels = tuple(f"{r.provision}: {r.measure}" for r in rows)
        charts.append(Chart(title, labels, (_mean_series("Entry", rows, [r.mean_entry for r in rows]),
                                            _mean_series("Exit", rows, [r.mean_exit for r in rows])),
                            note="Means over fewer than 5 measured pupils are not shown."))
    return charts


def cost_chart(lines: Sequence[ImpactLine]) -> Chart:
    """Cost per pupil of each provision (once per provision, not per measure)."""
    seen: dict[str, ImpactLine] = {}
    for row in lines:
        seen.setdefault(row.provision, row)
    rows = list(seen.values())
    values = tuple(None if r.pupils_hidden or r.cost_per_pupil_pence is None
                   else r.cost_per_pupil_pence / 100 for r in rows)
    texts = tuple(FEWER if r.pupils_hidden else f"£{(r.cost_per_pupil_pence or 0) / 100:,.2f}"
                  for r in rows)
    return Chart("Cost per pupil", tuple(seen), (ChartSeries("", values, texts),))
