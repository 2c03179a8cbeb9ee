"""A table model that holds only the ids a search returned and fetches each row's cells the
first time it is shown, in blocks, caching them (Anki's browser does the same). It is what
keeps a list of 60,000 pupils instant: searching costs one id query; scrolling costs a block
fetch per screenful.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

BLOCK = 200
STALE_SECONDS = 30.0

Index = QModelIndex | QPersistentModelIndex
_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.UserRole})
_SELECTABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int = 100
    align_right: bool = False


class LazyTableModel(QAbstractTableModel):
    """`fetch_rows(ids)` returns one mapping per id (same order) with a value per column key."""

    def __init__(self, columns: Sequence[Column],
                 fetch_rows: Callable[[list[int]], Sequence[dict[str, Any]]],
                 tooltip: Callable[[dict[str, Any], str], str | None] = lambda row, key: None,
                 parent=None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._fetch_rows = fetch_rows
        self._tooltip = tooltip
        self._ids: list[int] = []
        self._cache: dict[int, tuple[float, dict[str, Any]]] = {}

    # --- Qt model API --------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Painting one cell asks for a dozen roles; answering the unused ones before touching
        # the index keeps a screen of the 60,000-pupil list quick to paint.
        if role not in _ROLES or not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.row(index.row()).get(column.key)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(self.row(index.row()), column.key)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[index.row()]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _SELECTABLE if index.isValid() else Qt.ItemFlag.NoItemFlags

    # --- our API ----------------------------------------------------------------
    def set_ids(self, ids: list[int]) -> None:
        """Show a new search result; cached rows stay valid for ids that remain."""
        self.beginResetModel()
        self._ids = list(ids)
        self.endResetModel()

    def ids(self) -> list[int]:
        return list(self._ids)

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, item_id: int) -> int | None:
        try:
            return self._ids.index(item_id)
        except ValueError:
            return None

    def row(self, row: int) -> dict[str, Any]:
        item_id = self._ids[row]
        cached = self._cache.get(item_id)
        if cached is None or time.monotonic() - cached[0] > STALE_SECONDS:
            self._load_block(row)
            cached = self._cache.get(item_id)
        return cached[1] if cached else {}

    def _load_block(self, row: int) -> None:
        start = max(0, row - BLOCK // 4)
        block = self._ids[start:start + BLOCK]
        fetched = self._fetch_rows(block)
        now = time.monotonic()
        for item_id, values in zip(block, fetched):
            self._cache[item_id] = (now, values)

    def invalidate(self, changed_ids: list[int] | None = None) -> None:
        """Forget cached cells (all, or just for ids an operation changed) and repaint them."""
        if changed_ids is None:
            self._cache.clear()
            if self._ids:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(self.columns) - 1))
            return
        for item_id in changed_ids:
            self._cache.pop(item_id, None)
            position = self.row_of(item_id)
            if position is not None:
                self.dataChanged.emit(self.index(position, 0), self.index(position, len(self.columns) - 1))
