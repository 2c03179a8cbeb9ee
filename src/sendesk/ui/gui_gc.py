"""Python's garbage collection, run on the GUI thread only.

Python collects reference cycles in whichever thread happens to allocate when a generation's
count passes its threshold, which in this app is often the runner's worker thread. A cycle
holding a Qt wrapper (a closed window's slot, a dialog's lambda) then destroys a QObject on a
thread it does not belong to, and the app crashes some time later. So automatic collection is
switched off and a timer on the GUI thread collects instead, generation by generation when the
counts pass the usual thresholds (the scheme calibre uses for the same reason).
"""

from __future__ import annotations

import gc

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer

_INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(_INTERVAL_MS)

    def check(self) -> None:
        first, second, third = gc.get_count()
        if first > self.threshold[0]:
            gc.collect(0)
            if second > self.threshold[1]:
                gc.collect(1)
                if third > self.threshold[2]:
                    gc.collect(2)


_installed: GuiThreadCollector | None = None


def collect_on_the_gui_thread() -> None:
    """Install the collector once for the running application (idempotent), remembered here
    rather than found again among the application's children each time."""
    global _installed
    app = QCoreApplication.instance()
    if app is None or (_installed is not None and shiboken6.isValid(_installed)):
        return
    _installed = GuiThreadCollector(app)
