"""Shared pieces of the graduated-approach screens: threshold colours and plurals. Their tables
use rows_model.RowsModel."""

from __future__ import annotations

from PySide6.QtGui import QColor

from ..models.provision import CostLevel

AMBER = QColor("#fff4d6")
RED = QColor("#fbe0de")


def plural(count: int, noun: str) -> str:
    """'1 pupil', '3 pupils'."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def level_colour(level: CostLevel | None) -> QColor | None:
    return {CostLevel.NEAR: AMBER, CostLevel.OVER: RED}.get(level) if level else None
