"""Choosing a pupil's needs from the census list and ranking them, primary first.

The DfE's type-of-need list (resources/need_codes.json, read through models.sen) is offered by
its labels, so nobody has to remember that speech and language is "SLCN". The chosen needs are
a list ranked by dragging or with Move up / Move down (the keyboard's way); rank 1 is the
primary need. What a need may be combined with, or which status it suits (NSA only with SEN
support, and alone), is the core's to say when the form is saved.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from ..models.sen import need_codes

CODE = Qt.ItemDataRole.UserRole


def need_label(code: str) -> str:
    known = need_codes().get(code)
    return f"{known.label} ({code})" if known else code


class NeedsPicker(QWidget):
    """A form field: value() is the ranked list of need codes, primary first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = QComboBox(objectName="need_choice")
        self.choice.setAccessibleName("Need to add")
        for code in need_codes():
            self.choice.addItem(need_label(code), code)
        self.add_button = self._button("&Add need", "add_need", self.add_chosen)
        self.ranked = QListWidget(objectName="ranked_needs")
        self.ranked.setAccessibleName("Needs, primary first")
        self.ranked.setToolTip("Drag a need, or use Move up and Move down, to rank it; the first "
                               "is the primary need.")
        self.ranked.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.ranked.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.ranked.setMinimumHeight(90)
        self.ranked.setMinimumWidth(380)
        self.ranked.setWordWrap(True)
        self.ranked.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.ranked.model().rowsMoved.connect(lambda *_: self._number())
        self.up_button = self._button("Move &up", "need_up", lambda: self.move(-1))
        self.down_button = self._button("Move &down", "need_down", lambda: self.move(1))
        self.remove_button = self._button("&Remove need", "remove_need", self.remove_current)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.choice, 0, 0)
        grid.addWidget(self.add_button, 0, 1)
        grid.addWidget(self.ranked, 1, 0, 3, 1)
        grid.addWidget(self.up_button, 1, 1)
        grid.addWidget(self.down_button, 2, 1)
        grid.addWidget(self.remove_button, 3, 1)
        self.ranked.currentRowChanged.connect(lambda *_: self._enable())
        self._enable()

    @staticmethod
    def _button(text: str, name: str, slot) -> QPushButton:  # type: ignore[no-untyped-def]
        widget = QPushButton(text, objectName=name)
        widget.setAccessibleName(text.replace("&", ""))
        widget.clicked.connect(lambda _checked=False: slot())
        return widget

    # --- the form field's protocol ------------------------------------------------------
    def value(self) -> list[str]:
        return [self.ranked.item(row).data(CODE) for row in range(self.ranked.count())]

    def set_value(self, codes: Sequence[str] | None) -> None:
        self.ranked.clear()
        for code in codes or ():
            self._append(code)
        self._number()

    # --- editing ------------------------------------------------------------------------
    def add_chosen(self) -> None:
        code = self.choice.currentData()
        if code in self.value():
            self.ranked.setCurrentRow(self.value().index(code))
            return
        self._append(code)
        self._number()
        self.ranked.setCurrentRow(self.ranked.count() - 1)

    def move(self, step: int) -> None:
        row = self.ranked.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.ranked.count():
            return
        item = self.ranked.takeItem(row)
        self.ranked.insertItem(target, item)
        self._number()
        self.ranked.setCurrentRow(target)

    def remove_current(self) -> None:
        row = self.ranked.currentRow()
        if row >= 0:
            self.ranked.takeItem(row)
            self._number()

    def _append(self, code: str) -> None:
        item = QListWidgetItem(need_label(code))
        item.setData(CODE, code)
        self.ranked.addItem(item)

    def _number(self) -> None:
        """Each row says its rank, and the first that it is the primary need."""
        for row in range(self.ranked.count()):
            item = self.ranked.item(row)
            text = f"{row + 1}. {need_label(item.data(CODE))}"
            item.setText(text + (" - primary need" if row == 0 else ""))
        self._enable()

    def _enable(self) -> None:
        row, count = self.ranked.currentRow(), self.ranked.count()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)
        self.remove_button.setEnabled(row >= 0)
