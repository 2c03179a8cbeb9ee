"""Locks the app after a spell with no keyboard or mouse input.

One small object fed by an application-wide event filter, as in KeePassXC: any input event
anywhere restarts the countdown.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
             QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.InputMethod}


class InactivityTimer(QObject):
    inactive = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.inactive)

    def start(self, milliseconds: int) -> None:
        self._timer.setInterval(milliseconds)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    @property
    def interval(self) -> int:
        return self._timer.interval()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if self._timer.isActive() and event.type() in _ACTIVITY:
            self._timer.start()
        return False
