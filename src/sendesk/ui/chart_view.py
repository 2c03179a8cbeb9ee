"""A report chart on screen, drawn by the same painter as the PDF (sendesk.pdf.charts), so the
impact page and the governors' preview look as their print-outs do.

The chart's words (every label and value, "fewer than 5" included) are its accessible
description, so a screen reader user hears what a sighted user sees.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize
from PySide6.QtGui import QFont, QPainter, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..documents.model import Chart, block_text
from ..pdf.charts import chart_height, paint_chart


class ChartView(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.chart: Chart | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def drawing_font(self) -> QFont:
        used = QFont(self.font())
        used.setPixelSize(max(11, round(self.fontMetrics().height() * 0.8)))
        return used

    def set_chart(self, chart: Chart | None) -> None:
        self.chart = chart
        self._fit()
        self.setVisible(chart is not None)
        self.setAccessibleName(chart.title if chart else "")
        self.setAccessibleDescription(block_text(chart) if chart else "")
        self.update()

    def _fit(self) -> None:
        """The height the chart needs in the font it will be painted in. A page built before
        it is first shown has not had its style's font yet, so the height is worked out again
        when the widget is polished, shown or given another font (else the first showing's
        charts overlap, as each is painted taller than the room it was given), and when its
        width changes, as long labels wrap onto more lines in a narrower chart."""
        height = round(chart_height(self.chart, self.drawing_font(), self.width() - 4)) + 4 \
            if self.chart else 0
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange,
                            QEvent.Type.PolishRequest):
            self._fit()
        super().changeEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Polish, QEvent.Type.Show):
            self._fit()
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(520, self.height())

    def paintEvent(self, event) -> None:  # noqa: N802, ARG002
        if self.chart is None:
            return
        painter = QPainter(self)
        try:
            paint_chart(painter, QRectF(2, 2, self.width() - 4, self.height() - 4), self.chart,
                        self.drawing_font())
        finally:
            painter.end()
