"""What the pupil record's own tabs (contacts, registers, notes) share: their tables, buttons,
the row a correction acts on, and forms that save through the window's runner.

A panel never reads the database itself to show the record: the window reads the whole record
once (audited) and hands it to each panel's ``show_record``; a save goes through the runner,
whose broadcast makes the window read the record again, so every list shows what was saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ..models.roles import Permission
from ..records.pupil_record import PupilRecord
from ..session import Session
from .forms import FieldSpec, FormDialog
from .prompts import prompts
from .rows_model import full_text
from .runner import OpRunner

T = TypeVar("T")


def make_table(name: str, headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), objectName=name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setWordWrap(True)
    return table


def fill_table(table: QTableWidget, rows: Sequence[Sequence[Any]], ids: Sequence[int] = ()) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem("" if value is None else str(value))
            item.setToolTip(full_text(item.text()) or "")  # a cut-off cell in full on hover
            if ids:
                item.setData(Qt.ItemDataRole.UserRole, ids[r])
            table.setItem(r, c, item)


def denied_text(session: Session) -> str:
    """Why a control is greyed: said the same way wherever a role stops the user."""
    return f"Your role ({session.user.role_label}) does not allow this. Ask your SENCO."


def button(text: str, name: str, slot: Callable[[], Any], enabled: bool = True) -> QPushButton:
    """A push button; one the role does not allow is greyed (never hidden) and, once
    explain_denied has named the role, says why."""
    widget = QPushButton(text, objectName=name)
    widget.clicked.connect(lambda _checked=False: slot())
    widget.setEnabled(enabled)
    widget.setAccessibleName(text.replace("&", "").rstrip("."))
    if not enabled:
        widget.setProperty("role_denied", True)
        widget.setToolTip("Your role does not allow this. Ask your SENCO.")
    return widget


def explain_denied(root: QWidget, session: Session) -> None:
    """Name the user's role in the tooltip of every button under root that it does not allow."""
    for widget in root.findChildren(QPushButton):
        if widget.property("role_denied"):
            widget.setToolTip(denied_text(session))


def button_row(*widgets: QWidget) -> QHBoxLayout:
    """A table's buttons, left-aligned in a row under it."""
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft)
    row.addStretch(1)
    return row


def selected_id(table: QTableWidget) -> int | None:
    """The id held by the table's selected row, if one is selected."""
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    if not rows:
        return None
    item = table.item(rows[0].row(), 0)
    return None if item is None else item.data(Qt.ItemDataRole.UserRole)


class RecordPanel(QWidget):
    """One part of a record tab: shows what the window read and saves through its runner."""

    def __init__(self, session: Session, pupil_id: int, runner: OpRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id, self.runner = session, pupil_id, runner
        self.record: PupilRecord | None = None

    def can(self, permission: Permission) -> bool:
        return self.session.can(permission)

    def today(self) -> dt.date:
        return self.session.clock.today()

    def show_record(self, record: PupilRecord) -> None:
        self.record = record
        self.refresh()

    def refresh(self) -> None:
        raise NotImplementedError

    @property
    def held(self) -> PupilRecord:
        if self.record is None:
            raise RuntimeError("The panel is shown before the record was read.")
        return self.record

    def chosen(self, table: QTableWidget, items: Sequence[T], what: str, title: str,
               is_open: Callable[[T], bool] = lambda item: True, closed: str = "") -> T | None:
        """The item whose row is selected, or the only open one when none is; otherwise one
        sentence saying what to do (and nothing is changed). An item that is no longer open
        (ended, withdrawn, reviewed) gets the sentence ``closed`` instead of a form."""
        wanted = selected_id(table)
        open_items = [item for item in items if is_open(item)]
        if wanted is None:
            if len(open_items) == 1:
                return open_items[0]
            prompts.error(self, title, f"Choose the {what} in the list first, then press the "
                          "button again." if open_items else f"This pupil has no {what} to change.")
            return None
        found = next((item for item in items if item.id == wanted), None)
        if found is None:
            return None
        if not is_open(found):
            prompts.error(self, title, closed)
            return None
        return found

    def write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a core write on the record window's runner; its broadcast refreshes the panels."""
        return self.runner.call(fn, *args, **kwargs)

    def open_form(self, title: str, fields: list[FieldSpec], save: Callable[[dict[str, Any]], Any],
                  values: dict[str, Any] | None = None, intro: str = "") -> FormDialog:
        """Open a form; what it saves reaches every tab through the runner's changes."""
        dialog = FormDialog(title, fields, save, intro, values, self.window())
        dialog.open()
        return dialog
