"""The charts of the impact and governors' reports, as data (documents.model.Chart): built once
here and drawn by the one painter (sendesk.pdf.charts) on screen and in the PDF.

A bar is drawn only for a number that may be shown: a hidden count or a mean over too few
pupils gets its words ("fewer than 5") and no bar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..models.small_numbers import hidden
from ..records.governors_report import shown_pairs
from ..records.register_figures import Breakdown
from .model import Chart, ChartSeries

Row = Mapping[str, str]          # one row of the impact table as shown


def _series(name: str, counts: Sequence[int], cells: Sequence[str]) -> ChartSeries:
    """Bars for the counts whose cell shows the number itself; words and no bar for the rest."""
    return ChartSeries(name, tuple(None if hidden(c) or cell != f"{c:,}" else float(c)
                                   for c, cell in zip(counts, cells, strict=True)),
                       tuple(cells))


def breakdown_chart(found: Breakdown, column: int, title: str) -> Chart:
    """One census day's breakdown (by need, year group or sex) as bars."""
    return Chart(title, found.labels, (_series(found.columns[column], found.column(column),
                                               found.shown(column)),))


def trend_chart(found: Breakdown, title: str) -> Chart:
    """The register at each census day of the year, one bar per status. Each day's statuses
    are hidden together, beside that day's total, exactly as the day's column of the table is:
    hiding them status by status across the days would draw K's real bar where the table says
    "5 or more" to keep E's small count from being worked out."""
    days = [found.shown(i) for i in range(len(found.columns))]
    series = []
    for index, label in enumerate(found.labels):
        series.append(_series(label, found.counts[index], [day[index] for day in days]))
    short = tuple(c.replace(" census", "") for c in found.columns)
    return Chart(title, short, tuple(series))


def pairs_chart(title: str, pairs: tuple[tuple[str, int], ...]) -> Chart:
    """Counts with their labels (movement, reviews, requests), hidden as their table hides
    them (records.governors_report.shown_pairs)."""
    return Chart(title, tuple(label for label, _ in pairs),
                 (_series("", [c for _, c in pairs], shown_pairs(pairs)),))


def _number(cell: str) -> float | None:
    """A shown cell's number, or None for words ("fewer than 5", "not shown") or a blank."""
    try:
        return float(cell.replace(",", ""))
    except ValueError:
        return None


def _mean_series(name: str, rows: Sequence[Row], column: str) -> ChartSeries:
    return ChartSeries(name, tuple(_number(r[column]) for r in rows),
                       tuple(r[column] for r in rows))


def impact_charts(rows: Sequence[Row]) -> list[Chart]:
    """Mean entry against mean exit for each provision and measure, one chart per unit
    (points, months), so bars of different units are never set side by side. rows are the
    table's whole rows as shown (records.impact.shown_rows): a mean the table hides (over too
    few pupils, or hidden so another cannot be worked out) has its words and no bar. A measure
    that improves as it falls is labelled "(lower is better)", so an exit bar shorter than its
    entry bar reads as the improvement it is."""
    charts = []
    for unit, title in (("points", "Mean entry and exit scores (points)"),
                        ("months", "Mean entry and exit reading and spelling ages (months)")):
        chosen = [r for r in rows if r["unit"] == unit and not r["category"]]
        if not chosen:
            continue
        labels = tuple(f"{r['provision']}: {r['measure_label']}" for r in chosen)
        charts.append(Chart(title, labels, (_mean_series("Entry", chosen, "mean_entry"),
                                            _mean_series("Exit", chosen, "mean_exit")),
                            note="Means over fewer than 5 measured pupils are not shown."))
    return charts


def cost_chart(rows: Sequence[Row]) -> Chart:
    """Cost per pupil of each provision (once per provision, not per measure), as the table
    shows it."""
    seen: dict[str, Row] = {}
    for row in rows:
        if not row["category"]:
            seen.setdefault(row["provision"], row)
    chosen = list(seen.values())
    values = tuple(_number(r["cost_per_pupil"]) for r in chosen)
    texts = tuple(r["cost_per_pupil"] if v is None else f"£{v:,.2f}"
                  for r, v in zip(chosen, values, strict=True))
    return Chart("Cost per pupil", tuple(seen), (ChartSeries("", values, texts),))
