"""A dialog's 'working...' state while the worker thread derives keys or writes files."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget


def set_busy(widget: QWidget, busy: bool) -> None:
    widget.setEnabled(not busy)
    if busy:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    else:
        QApplication.restoreOverrideCursor()
