"""The Qt binding must keep Python's reference counts straight: PySide6 6.12.0 dropped a
reference to None on every call of a method that returns nothing, so on Python 3.11 (where None
is still counted) a PDF of a few pages, or an afternoon in the app, aborted the interpreter."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor, QFont


def test_methods_that_return_nothing_leave_none_alone():
    holder, chosen = QObject(), QFont()
    before = sys.getrefcount(None)
    for _ in range(2000):
        holder.setObjectName("probe")
        chosen.setBold(True)
        QColor().setRed(3)
    assert sys.getrefcount(None) >= before - 50
