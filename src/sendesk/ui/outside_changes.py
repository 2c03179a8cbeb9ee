"""Notices when another process changed the open database, and refreshes the window.

The window's pages refresh from the runner's ``changed`` broadcast, which only carries this
window's own work. An MIS import run with `sendesk-cli pupils import` while the window is open
(issue 18, item 13) commits through another connection, so without this the pupil list would
show the old school until the user clicked something.

The check is cheap: the database's data version (Database.data_version, which reads no table)
is asked on the runner's worker every few seconds while the window is open and whenever the app
becomes the active one again, and only when the runner is idle. When it moved, one
whole-school Changes goes out through the runner, exactly as the window's own work would send.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication

from ..operations import Changes, Kind
from ..session import Session
from .runner import OpRunner

CHECK_EVERY_MS = 3_000
EVERYTHING = Changes(kinds=frozenset(Kind), whole_school=True)


def data_version(session: Session) -> int:
    return session.db.data_version()


class OutsideChanges(QObject):
    def __init__(self, runner: OpRunner, parent: QObject) -> None:
        super().__init__(parent)
        self.runner = runner
        self.seen: int | None = None
        self.asking = False
        self.timer = QTimer(self, interval=CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._state_changed)
        self.check()

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.check()

    def check(self) -> None:
        """Ask for the data version, unless the runner is busy (its own work may be the
        change; the next tick asks again) or locked."""
        if self.asking or self.runner.closed or self.runner.busy():
            return
        self.asking = True
        self.runner.submit(data_version, on_done=self._answered, on_error=self._not_answered)

    def _answered(self, version: int) -> None:
        self.asking = False
        if self.seen is not None and version != self.seen:
            self.runner.changed.emit(EVERYTHING)
        self.seen = version

    def _not_answered(self, _exc: BaseException) -> None:
        """Locked meanwhile, or the file was busy: nothing to say; the next tick asks again."""
        self.asking = False
