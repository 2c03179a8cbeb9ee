"""Notices when another process changed the open database, and refreshes the window.

The window's pages refresh from the runner's ``changed`` broadcast, which only carries this
window's own work. An MIS import run with `sendesk-cli pupils import` while the window is open
(issue 18, item 13) commits through another connection, so without this the pupil list would
show the old school until the user clicked something.

The check is cheap: the database's data version (Database.data_version, which reads no table)
is asked every few seconds while the window is open and whenever the app becomes the active
one again. It runs on the runner's own worker thread (so never beside other database work),
but not as runner work: the runner stays "not busy", so nothing the user does waits for or is
refused because of it. When the version moved, one whole-school Changes goes out through the
runner, exactly as the window's own work would send.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from ..errors import SendeskError
from ..operations import Changes, Kind
from .runner import OpRunner

CHECK_EVERY_MS = 3_000
EVERYTHING = Changes(kinds=frozenset(Kind), whole_school=True)


class _Answer(QObject):
    version = Signal(object)   # an int, or None when it could not be read (locked, busy)


class _Ask(QRunnable):
    def __init__(self, runner: OpRunner, answer: _Answer) -> None:
        super().__init__()
        self.runner, self.answer = runner, answer

    def run(self) -> None:
        version = None
        session = self.runner.session
        if not self.runner.closed and session is not None:
            try:
                version = session.db.data_version()
            except SendeskError:   # locked meanwhile, or the file busy: ask again later
                version = None
        self.answer.version.emit(version)


class OutsideChanges(QObject):
    def __init__(self, runner: OpRunner, parent: QObject) -> None:
        super().__init__(parent)
        self.runner = runner
        self.seen: int | None = None
        self.asking = False
        # No parent: each question holds it too, so it outlives a window closed by a lock
        # while the question is on the worker (the connection then simply goes).
        self.answer = _Answer()
        self.answer.version.connect(self._answered)
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
        self.runner.pool.start(_Ask(self.runner, self.answer))

    def _answered(self, version: int | None) -> None:
        self.asking = False
        if version is None or self.runner.closed:
            return
        if self.seen is not None and version != self.seen:
            self.runner.changed.emit(EVERYTHING)
        self.seen = version
