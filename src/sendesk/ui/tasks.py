"""The old name for the window's worker: the one implementation is now :mod:`.runner`.

Kept so widgets not yet handed an :class:`~.runner.OpRunner` keep working; new code takes a
``runner`` instead.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from .runner import OpRunner


class TaskRunner(OpRunner):
    """An OpRunner without a session, for work that does not touch the database."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(None, parent)
