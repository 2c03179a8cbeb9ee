"""Tab leaves a table: one application-wide rule, so no view has to remember it.

Qt's tables and trees take Tab to move from cell to cell, so a keyboard user who tabs into the
pupil list or the provision library can never tab out again (only Ctrl+Tab escapes, which
nobody guesses). Every QAbstractItemView has tab-key navigation turned off as it is first
polished (just before it is shown), wherever it was made: Tab and Shift+Tab move to the next
and previous control, and the arrow keys still move between cells. A cell being edited still
hands Tab to the next cell, as a spreadsheet does (that is the editor's, not the view's).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractItemView, QApplication

_INSTALLED = "sendesk_tab_leaves_tables"


class TabLeavesTables(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Polish and isinstance(watched, QAbstractItemView):
            watched.setTabKeyNavigation(False)
        return False


def install(app: QApplication) -> None:
    """Once per application (the controller calls it as the app starts)."""
    if app.property(_INSTALLED):
        return
    app.installEventFilter(TabLeavesTables(app))
    app.setProperty(_INSTALLED, True)
