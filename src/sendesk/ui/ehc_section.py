"""One section of the EHC tab (readiness, requests, plans): a list, the chosen row's details
below it and a row of buttons above, greyed with the reason when the user may not use them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .rows_model import RowsModel
from .rows_table import rows_table


def compact_rows(table: QTableView) -> None:
    """One line a row, so the whole readiness checklist fits on screen at once: a long "what
    is missing" is cut off in the row and read in full on hover or in the details below."""
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 8)

class Section(QWidget):
    """A list, the chosen row's details below it and a row of buttons above."""

    def __init__(self, name: str, intro: str, model: RowsModel, buttons: list[tuple[str, str, Any, str]],
                 sizes: tuple[int, int] = (330, 270), parent: QWidget | None = None) -> None:
        """`buttons` are (key, text, slot, why not): a button the user may not use is greyed,
        never hidden, with the reason in its tooltip ("" when it may be used)."""
        super().__init__(parent)
        self.setObjectName(name)
        self.model = model
        self.table = rows_table(f"{name}_table", model)
        self.details = QTextBrowser(objectName=f"{name}_details")
        self.buttons: dict[str, QPushButton] = {}
        self.denied: dict[str, str] = {}
        bar = QHBoxLayout()
        for key, text, slot, why_not in buttons:
            widget = QPushButton(text, objectName=key)
            widget.clicked.connect(slot)
            if why_not:
                self.denied[key] = why_not
                widget.setEnabled(False)
                widget.setToolTip(why_not)
            self.buttons[key] = widget
            bar.addWidget(widget)
        bar.addStretch(1)
        self.summary = QLabel(objectName=f"{name}_summary", wordWrap=True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setSizes(list(sizes))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(intro, wordWrap=True))
        layout.addWidget(self.summary)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_object(rows[0].row()) if rows else None

    def enable(self, key: str, usable: bool) -> None:
        """Enable a button when what it acts on is there, unless the user may not use it."""
        self.buttons[key].setEnabled(usable and key not in self.denied)

    def set_summary(self, text: str) -> None:
        self.summary.setText(text)
        self.summary.setVisible(bool(text))

    def select(self, row: int) -> None:
        if self.model.rows():
            self.table.selectRow(max(0, min(row, len(self.model.rows()) - 1)))
