"""A small horizontal bar chart, drawn with QPainter: counts people would rather look at
than read (pupils by status and by need on the home page)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR = QColor("#1d5c8c")
ROW_HEIGHT = 22


class BarChart(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.items: list[tuple[str, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_items(self, items: list[tuple[str, int]]) -> None:
        self.items = items
        self.setFixedHeight(self.sizeHint().height())
        self.setAccessibleDescription(self.title + ": " + "; ".join(f"{k} {v}" for k, v in items))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, 30 + ROW_HEIGHT * max(1, len(self.items)))

    def paintEvent(self, event) -> None:  # noqa: N802, ARG002
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(QRectF(0, 0, self.width(), 24), Qt.AlignmentFlag.AlignLeft, self.title)
        font.setBold(False)
        painter.setFont(font)
        if not self.items:
            painter.drawText(QRectF(0, 26, self.width(), ROW_HEIGHT), Qt.AlignmentFlag.AlignLeft, "None yet")
            return
        largest = max(value for _, value in self.items) or 1
        metrics = painter.fontMetrics()
        label_width = min(self.width() // 2, max(metrics.horizontalAdvance(label) for label, _ in self.items) + 12)
        room = max(10, self.width() - label_width - 60)
        for row, (label, value) in enumerate(self.items):
            top = 28 + row * ROW_HEIGHT
            painter.setPen(self.palette().text().color())
            shown = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_width - 8)
            painter.drawText(QRectF(0, top, label_width - 8, ROW_HEIGHT - 4),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shown)
            width = room * value / largest
            painter.fillRect(QRectF(label_width, top + 3, width, ROW_HEIGHT - 8), BAR)
            painter.drawText(QRectF(label_width + width + 6, top, 60, ROW_HEIGHT - 4),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, str(value))
