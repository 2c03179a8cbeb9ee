"""Small widget helpers the APDR pages share: watching edits, read-only forms, tables that fit
their text, scrolling pages and bullet lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QTableView,
    QTableWidget,
    QWidget,
)

from ...models import provision
from ..rows_model import RowsModel

ERROR = "color: #b3261e"
money = provision.format_money


def watch(widget: QWidget, slot: Callable[[], None]) -> None:
    """Call slot whenever the user changes the widget."""
    if isinstance(widget, QPlainTextEdit):
        widget.textChanged.connect(slot)
    elif isinstance(widget, QLineEdit):
        widget.textChanged.connect(slot)
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(slot)


def set_read_only(root: QWidget, read_only: bool) -> None:
    for widget in root.findChildren(QWidget):
        if isinstance(widget, (QLineEdit, QPlainTextEdit)):
            widget.setReadOnly(read_only)
        elif isinstance(widget, QTableWidget):
            widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if read_only
                                   else QAbstractItemView.EditTrigger.AllEditTriggers)
        elif isinstance(widget, (QCheckBox, QComboBox, QRadioButton)):
            widget.setEnabled(not read_only)


def make_view(name: str, title: str, model: RowsModel, height: int = 150,
              stretch: Sequence[int] = ()) -> QTableView:
    """A read-only table named `title` for a screen reader; the `stretch` columns share the
    width and wrap, the rest fit their text."""
    view = QTableView(objectName=name)
    view.setAccessibleName(title)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.setWordWrap(True)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for column in stretch:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(not stretch)
    view.setMinimumHeight(height)
    return view


def compact(root: QWidget, height: int = 76) -> None:
    """Keep free-text boxes a few lines high so a page reads as a form, not a wall of boxes."""
    for box in root.findChildren(QPlainTextEdit):
        box.setMinimumHeight(min(box.minimumHeight(), height))
        box.setMaximumHeight(height)


def scrolling(content: QWidget, name: str) -> QScrollArea:
    """A page too tall for a small screen scrolls; ``name`` is what a screen reader calls it."""
    scroll = QScrollArea()
    scroll.setAccessibleName(name)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(content)
    return scroll


def selected_row(view: QTableView) -> int | None:
    rows = view.selectionModel().selectedRows() if view.selectionModel() else []
    return rows[0].row() if rows else None


def bullet_list(lines: Sequence[str]) -> str:
    return "".join(f"&bull; {escape(line)}<br>" for line in lines)
