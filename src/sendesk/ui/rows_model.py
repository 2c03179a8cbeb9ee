"""A read-only table model over a list of rows of any kind, configured by its columns: each
screen's table is a list of column definitions, not a model class of its own. Used by the
graduated-approach screens, the census check, the import preview and the dashboard lists.

A cell too long for its column is shown in full on hover: every cell of more than a few words
answers Qt's tooltip role with its whole text (a column's own tooltip, if it has one, first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
# Characters: a shorter cell (a date, a UPN, "Yes") always fits a column sized to its content.
FULL_TEXT_FROM = 16


def full_text(text: str) -> str | None:
    """The tooltip that shows a cell in full, for text long enough to be cut off."""
    return text if len(text) >= FULL_TEXT_FROM or "\n" in text else None


@dataclass(frozen=True)
class Col(Generic[T]):
    title: str
    text: Callable[[T], Any]
    align_right: bool = False
    tooltip: Callable[[T], str | None] | None = None


class RowsModel(QAbstractTableModel, Generic[T]):
    """Rows of any objects shown through columns; an optional total row is drawn in bold.

    `background(row)` may colour a row (amber near the cost threshold, red over it). Each row's
    object is also returned for Qt.UserRole, so views can act on what was clicked.
    """

    def __init__(self, columns: Sequence[Col[T]], rows: Sequence[T] = (),
                 background: Callable[[T], QColor | None] | None = None,
                 total: Sequence[Any] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[T] = list(rows)
        self._background = background
        self._total: list[Any] | None = list(total) if total is not None else None

    # --- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        if parent.isValid():
            return 0
        return len(self._rows) + (1 if self._total is not None else 0)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < self.rowCount()) \
                or not (0 <= index.column() < len(self.columns)):
            return None
        column = self.columns[index.column()]
        if self.is_total(index.row()):
            if role == Qt.ItemDataRole.DisplayRole:
                value = self._total[index.column()] if index.column() < len(self._total) else ""
                return "" if value is None else str(value)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        else:
            item = self._rows[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                value = column.text(item)
                return "" if value is None else str(value)
            if role == Qt.ItemDataRole.ToolTipRole:
                own = column.tooltip(item) if column.tooltip is not None else None
                value = column.text(item)
                return own or full_text("" if value is None else str(value))
            if role == Qt.ItemDataRole.BackgroundRole and self._background is not None:
                colour = self._background(item)
                return QBrush(colour) if colour is not None else None
            if role == Qt.ItemDataRole.UserRole:
                return item
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- our API -----------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[T], total: Sequence[Any] | None = None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._total = list(total) if total is not None else None
        self.endResetModel()

    def rows(self) -> list[T]:
        return list(self._rows)

    def row_object(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def is_total(self, row: int) -> bool:
        return self._total is not None and row == len(self._rows)
