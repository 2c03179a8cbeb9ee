"""The agenda as a two-level tree model: a heading per week (or month) holding that period's
items, so the Calendar page's view can fold periods away. Past items are shaded; each item
row returns its AgendaItem for Qt.UserRole so the view can open the pupil's record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont

from ..models.agenda import AgendaItem, group_heading
from .apdr_models import RED

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Date", "What", "Pupil", "Details")
_GROUP = 0xFFFFFFFF  # internalId of a heading row; item rows carry their heading's position


class AgendaModel(QAbstractItemModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._groups: list[tuple[str, list[AgendaItem]]] = []

    def set_items(self, items: Sequence[AgendaItem], by: str) -> None:
        self.beginResetModel()
        groups: dict[str, list[AgendaItem]] = {}
        for item in items:
            groups.setdefault(group_heading(item.day, by), []).append(item)
        self._groups = list(groups.items())
        self.endResetModel()

    def headings(self) -> list[str]:
        return [heading for heading, _ in self._groups]

    # --- Qt model API ------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _GROUP)
        return self.createIndex(row, column, parent.row())

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(int(index.internalId()), 0, _GROUP)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == _GROUP and parent.column() == 0:
            return len(self._groups[parent.row()][1])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def item(self, index: Index) -> AgendaItem | None:
        if not index.isValid() or index.internalId() == _GROUP:
            return None
        return self._groups[int(index.internalId())][1][index.row()]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == _GROUP:
            heading, items = self._groups[index.row()]
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return f"{heading} ({len(items)})"
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        item = self.item(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return (item.day.strftime("%a %d/%m/%Y"), item.label_on_screen,
                    item.pupil_name or "Whole school", item.detail_on_screen)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return item.detail_on_screen
        if role == Qt.ItemDataRole.BackgroundRole and item.overdue:
            return QBrush(RED)
        if role == Qt.ItemDataRole.UserRole:
            return item
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
