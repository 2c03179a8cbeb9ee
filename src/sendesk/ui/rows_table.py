"""The read-only list table every record section and page shows over a RowsModel: whole rows
picked one at a time, no row numbers, columns as wide as their text and the last (or the named
ones) taking the spare width. One place, so the record tabs, the groups window and the
transfers page behave alike under the keyboard and a screen reader."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from .rows_model import RowsModel


def rows_table(name: str, model: RowsModel, title: str | None = None,
               stretch: Iterable[int] = ()) -> QTableView:
    """`title` is the table's accessible name (None where the section names it itself);
    the `stretch` columns share the spare width, else the last column takes it."""
    table = QTableView(objectName=name)
    if title is not None:
        table.setAccessibleName(title)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    columns = tuple(stretch)
    header.setStretchLastSection(not columns)
    for column in columns:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    return table
