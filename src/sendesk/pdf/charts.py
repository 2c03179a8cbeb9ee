"""The one painter for report charts, on screen and on paper.

A documents.model.Chart (horizontal bars: a row per label, a bar per series) is drawn here with
QPainter alone. The window's ChartView (ui/chart_view.py) and the PDF layout (pdf/layout.py)
both call paint_chart, handing in the font they draw with; every size is a multiple of that
font's height, so the chart has the same proportions at 96 dpi on a screen and at 1,200 dpi in
a PDF, and a governor holding the print-out sees what the SENCO saw.

A value of None (a count too small to show) gets no bar, only its words: a bar's length must
not give away the number the words hide. Negative values (a fall in scores) run left of a
zero line.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from ..documents.model import Chart

PALETTE = (QColor("#1d5c8c"), QColor("#d9822b"), QColor("#3f8f5a"), QColor("#8c3b6b"),
           QColor("#6b6b6b"), QColor("#2aa1c0"))
INK = QColor("#111111")
GREY = QColor("#5a5a5a")
RULE = QColor("#9e9e9e")
BAR = 1.0        # a bar's height, in lines of the font
ROW_GAP = 0.6    # between one label's bars and the next
TITLE = 1.8
LEGEND = 1.6
NOTE = 1.5


def _line(used: QFont) -> float:
    return QFontMetricsF(used).height()


def chart_height(chart: Chart, used: QFont) -> float:
    """How tall the chart is when drawn with this font (the same rule on screen and paper)."""
    line = _line(used)
    series = max(1, len(chart.series))
    rows = max(1, len(chart.labels))
    return line * (TITLE + rows * (series * BAR + ROW_GAP)
                   + (LEGEND if len(chart.series) > 1 else 0) + (NOTE if chart.note else 0))


def colour(index: int) -> QColor:
    return PALETTE[index % len(PALETTE)]


def paint_chart(painter: QPainter, rect: QRectF, chart: Chart, used: QFont) -> None:
    """Draw the chart inside rect with the given font (see chart_height for its height)."""
    painter.save()
    try:
        _paint(painter, rect, chart, used)
    finally:
        painter.restore()


def _paint(painter: QPainter, rect: QRectF, chart: Chart, used: QFont) -> None:
    fm = QFontMetricsF(used)
    line = fm.height()
    bold = QFont(used)
    bold.setBold(True)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(bold)
    painter.setPen(INK)
    painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), line * 1.4),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     QFontMetricsF(bold).elidedText(chart.title, Qt.TextElideMode.ElideRight,
                                                   rect.width()))
    painter.setFont(used)
    y = rect.top() + line * TITLE
    if len(chart.series) > 1:
        x = rect.left()
        for index, series in enumerate(chart.series):
            painter.fillRect(QRectF(x, y + line * 0.2, line * 0.8, line * 0.8), colour(index))
            x += line * 1.1
            painter.setPen(INK)
            painter.drawText(QPointF(x, y + fm.ascent() + line * 0.1), series.name)
            x += fm.horizontalAdvance(series.name) + line * 1.2
        y += line * LEGEND
    if not chart.labels or not chart.series:
        painter.setPen(GREY)
        painter.drawText(QPointF(rect.left(), y + fm.ascent()), "Nothing to show yet.")
        return
    label_width = min(rect.width() * 0.38,
                      max(fm.horizontalAdvance(label) for label in chart.labels) + line)
    text_width = min(rect.width() * 0.22,
                     max(fm.horizontalAdvance(t) for s in chart.series for t in s.texts) + line)
    bars_left = rect.left() + label_width
    room = max(line, rect.width() - label_width - text_width)
    values = [v for s in chart.series for v in s.values if v is not None]
    high = max([0.0, *values])
    low = min([0.0, *values])
    span = (high - low) or 1.0
    zero = bars_left + room * (-low / span)
    group = len(chart.series) * BAR * line
    for row, label in enumerate(chart.labels):
        top = y + row * (group + ROW_GAP * line)
        painter.setPen(INK)
        shown = fm.elidedText(label, Qt.TextElideMode.ElideRight, label_width - line * 0.5)
        painter.drawText(QRectF(rect.left(), top, label_width - line * 0.5, group),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shown)
        for index, series in enumerate(chart.series):
            bar_top = top + index * BAR * line
            value = series.values[row] if row < len(series.values) else None
            text = series.texts[row] if row < len(series.texts) else ""
            end = zero
            if value is not None:
                width = room * abs(value) / span
                start = zero if value >= 0 else zero - width
                painter.fillRect(QRectF(start, bar_top + line * 0.12, width, line * 0.76),
                                 colour(index))
                end = start + width if value >= 0 else zero
            painter.setPen(INK if value is not None else GREY)
            painter.drawText(QPointF(max(end, zero) + line * 0.3, bar_top + fm.ascent()
                                     + (BAR * line - line) / 2), text)
    painter.setPen(QPen(RULE, max(1.0, line * 0.05)))
    bottom = y + len(chart.labels) * (group + ROW_GAP * line) - ROW_GAP * line
    painter.drawLine(QPointF(zero, y), QPointF(zero, bottom))
    if chart.note:
        painter.setPen(GREY)
        painter.drawText(QRectF(rect.left(), bottom + line * 0.3, rect.width(), line * 1.2),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(chart.note, Qt.TextElideMode.ElideRight, rect.width()))
