"""A table model that holds only the ids a search returned and fetches each row's cells the
first time it is shown, in blocks, caching them (Anki's browser does the same). It is what
keeps a list of 60,000 pupils instant: searching costs one id query; scrolling costs a block
fetch per screenful.

Given ``fetch_async`` instead, the model never waits for a block: a row not fetched yet shows
blank cells (a placeholder) while the block is asked for, and the cells are filled in when it
arrives (``deliver``). The pupil list fetches through the window's runner this way, so a
backup holding the database does not stop the window from painting.

A cell too long for its column shows in full on hover.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from .rows_model import full_text

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
                 parent=None, *,
                 fetch_async: Callable[[list[int], Callable[[list[int], Sequence[dict[str, Any]]], None]],
                                       None] | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._fetch_rows = fetch_rows
        self._fetch_async = fetch_async
        self._tooltip = tooltip
        self._ids: list[int] = []
        self._cache: dict[int, tuple[float, dict[str, Any]]] = {}
        self._pending: set[int] = set()   # ids asked for and not delivered yet (async only)
        self._generation = 0              # bumped by invalidate(): older deliveries are dropped
        self._positions: dict[int, int] | None = None   # id -> row, built when first needed

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
            row = self.row(index.row())
            value = row.get(column.key)
            return self._tooltip(row, column.key) or full_text("" if value is None else str(value))
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
        self._positions = None
        self.endResetModel()

    def extend_ids(self, ids: list[int]) -> bool:
        """The rest of a result shown so far in part (the first screen of a search): rows are
        added after the ones shown, so the selection, the current row and the scroll position
        stay where they are. False, changing nothing, if `ids` does not start with the rows
        shown (the records changed in between): the caller shows the new result instead."""
        shown = len(self._ids)
        if ids[:shown] != self._ids:
            return False
        if len(ids) > shown:
            self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
            self._ids = list(ids)
            self._positions = None
            self.endInsertRows()
        return True

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
            if self._fetch_async is not None:
                if item_id not in self._pending:
                    self._request_block(row)
                return cached[1] if cached else {}   # a placeholder (or the stale cells) for now
            self._load_block(row)
            cached = self._cache.get(item_id)
        return cached[1] if cached else {}

    def is_loaded(self, row: int) -> bool:
        return 0 <= row < len(self._ids) and self._ids[row] in self._cache

    def preload(self, ids: Sequence[int], rows: Sequence[dict[str, Any]]) -> None:
        """Cells already fetched (with the search, for the first screen)."""
        now = time.monotonic()
        for item_id, values in zip(ids, rows, strict=False):
            self._cache[item_id] = (now, values)

    def _block(self, row: int) -> list[int]:
        start = max(0, row - BLOCK // 4)
        return self._ids[start:start + BLOCK]

    def _load_block(self, row: int) -> None:
        block = self._block(row)
        self.preload(block, self._fetch_rows(block))

    def _request_block(self, row: int) -> None:
        assert self._fetch_async is not None
        block = [i for i in self._block(row) if i not in self._pending]
        self._pending.update(block)
        generation = self._generation
        self._fetch_async(block, lambda ids, rows: self.deliver(ids, rows, generation))

    def deliver(self, ids: Sequence[int], rows: Sequence[dict[str, Any]] | None,
                generation: int | None = None) -> None:
        """A block fetched asynchronously arrived (rows None: it failed); repaint its rows."""
        self._pending.difference_update(ids)
        if rows is None or (generation is not None and generation != self._generation):
            return
        self.preload(ids, rows)
        if self._positions is None:
            self._positions = {item_id: position for position, item_id in enumerate(self._ids)}
        found = [p for p in (self._positions.get(i) for i in ids) if p is not None]
        if found:
            self.dataChanged.emit(self.index(min(found), 0),
                                  self.index(max(found), len(self.columns) - 1))

    def invalidate(self, changed_ids: list[int] | None = None) -> None:
        """Forget cached cells (all, or just for ids an operation changed) and repaint them."""
        self._generation += 1
        self._pending.clear()
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
