"""Rows held as mappings keyed by column (census, import preview, dashboard lists): a
RowsModel whose rows with a truthy `_problem` are tinted red."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QColor

from .lazy_table import Column
from .rows_model import Col, RowsModel

PROBLEM = QColor("#fdecea")


class RowListModel(RowsModel[dict[str, Any]]):
    def __init__(self, columns: Sequence[Column], parent=None) -> None:
        super().__init__([Col(c.title, lambda row, key=c.key: row.get(key), c.align_right)
                          for c in columns],
                         background=lambda row: PROBLEM if row.get("_problem") else None,
                         parent=parent)
