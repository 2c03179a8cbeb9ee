"""The one painter for report charts, on screen and on paper.

A documents.model.Chart (horizontal bars: a row per label, a bar per series) is drawn here with
QPainter alone. The window's ChartView (ui/chart_view.py) and the PDF layout (pdf/layout.py)
both call paint_chart, handing in the font they draw with; every size is a multiple of that
font's height, so the chart has the same proportions at 96 dpi on a screen and at 1,200 dpi in
a PDF, and a governor holding the print-out sees what the SENCO saw.

A value of None (a count too small to show) gets no bar, only its words: a bar's length must
not give away the number the words hide. Negative values (a fall in scores) run left of a
zero line. A label too long for its column wraps between words onto up to three lines, the
row growing to hold them, so "Phonics catch-up group: Phonics check practice" and "...: Phonics
screening check score" can be told apart; only a label longer still is cut with "...". The
height therefore depends on the width the chart is drawn at.
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
LABEL_LINES = 3  # a label wraps onto at most this many lines before it is cut


def _line(used: QFont) -> float:
    return QFontMetricsF(used).height()


def chart_height(chart: Chart, used: QFont, width: float) -> float:
    """How tall the chart is when drawn with this font across this width (the same rule on
    screen and paper)."""
    line = _line(used)
    fm = QFontMetricsF(used)
    rows = sum(_row_lines(chart, labels) for labels in _labels(chart, fm, width)) \
        if chart.labels else 1
    return line * (TITLE + rows + max(1, len(chart.labels)) * ROW_GAP
                   + (LEGEND if len(chart.series) > 1 else 0) + (NOTE if chart.note else 0))


def wrap_label(label: str, fm: QFontMetricsF, width: float) -> list[str]:
    """The label's lines: broken between words to fit `width`, at most LABEL_LINES of them,
    the last cut with "..." only when the words still do not fit (or one word alone is wider
    than the column)."""
    lines: list[str] = []
    words = label.split()
    while words:
        if len(lines) == LABEL_LINES - 1:
            lines.append(" ".join(words))
            break
        taken = 1
        while taken < len(words) and fm.horizontalAdvance(" ".join(words[:taken + 1])) <= width:
            taken += 1
        lines.append(" ".join(words[:taken]))
        words = words[taken:]
    return [fm.elidedText(text, Qt.TextElideMode.ElideRight, width) for text in lines] or [""]


def _label_width(chart: Chart, fm: QFontMetricsF, width: float) -> float:
    return min(width * 0.38, max(fm.horizontalAdvance(label) for label in chart.labels)
               + fm.height())


def _labels(chart: Chart, fm: QFontMetricsF, width: float) -> list[list[str]]:
    room = _label_width(chart, fm, width) - fm.height() * 0.5
    return [wrap_label(label, fm, room) for label in chart.labels]


def _row_lines(chart: Chart, label_lines: list[str]) -> float:
    """A row's height in lines: its bars, or its label's lines if those are more."""
    return max(max(1, len(chart.series)) * BAR, len(label_lines))


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
    label_width = _label_width(chart, fm, rect.width())
    text_width = min(rect.width() * 0.22,
                     max(fm.horizontalAdvance(t) for s in chart.series for t in s.texts) + line)
    bars_left = rect.left() + label_width
    room = max(line, rect.width() - label_width - text_width)
    values = [v for s in chart.series for v in s.values if v is not None]
    high = max([0.0, *values])
    low = min([0.0, *values])
    span = (high - low) or 1.0
    zero = bars_left + room * (-low / span)
    bars = len(chart.series) * BAR * line
    top = y
    for row, label_lines in enumerate(_labels(chart, fm, rect.width())):
        group = _row_lines(chart, label_lines) * line
        painter.setPen(INK)
        first = top + (group - len(label_lines) * line) / 2
        for number, text in enumerate(label_lines):
            painter.drawText(QRectF(rect.left(), first + number * line, label_width - line * 0.5,
                                    line), Qt.AlignmentFlag.AlignRight
                             | Qt.AlignmentFlag.AlignVCenter, text)
        bars_top = top + (group - bars) / 2
        for index, series in enumerate(chart.series):
            bar_top = bars_top + index * BAR * line
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
        top += group + ROW_GAP * line
    painter.setPen(QPen(RULE, max(1.0, line * 0.05)))
    bottom = top - ROW_GAP * line
    painter.drawLine(QPointF(zero, y), QPointF(zero, bottom))
    if chart.note:
        painter.setPen(GREY)
        painter.drawText(QRectF(rect.left(), bottom + line * 0.3, rect.width(), line * 1.2),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(chart.note, Qt.TextElideMode.ElideRight, rect.width()))
