"""How the pupil record's window and tabs share one OpRunner and hear about changes.

Every tab of a record window runs its database work through the window's runner and refreshes
when ``runner.changed`` says its pupil and its kinds of record changed, whoever changed them:
no tab calls another tab's refresh, and no tab connects to another's signal.

Every write is a core ``@operation`` that reports its own :class:`~sendesk.operations.Changes`,
so a tab writes with ``runner.call`` and refreshes from the broadcast like everyone else.
:func:`runner_for` gives a widget built on its own (a test, or a dialog opened without a
window) a runner of its own, so it still works.

:func:`pupil_line` is the tabs' typed read of the pupil's status and whether they have left
(the pupil list's own row, not audited: it shows no more than the list does).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from ..errors import ValidationError
from ..operations import Changes, Kind
from ..records import pupil_list
from ..records.pupil_list import PupilRow
from ..session import Session
from .runner import OpRunner

T = TypeVar("T")


def runner_for(session: Session, runner: OpRunner | None, parent: QObject | None) -> OpRunner:
    """The runner a record widget was given, or one of its own when built on its own."""
    return runner if runner is not None else OpRunner(session, parent)


def touches(changes: Changes, pupil_id: int, *kinds: Kind) -> bool:
    """Whether a change is to this pupil (or the whole school) and of one of these kinds."""
    return changes.touches_pupil(pupil_id) and (not kinds or changes.touches(*kinds))


def pupil_line(runner: OpRunner, pupil_id: int, sender: QWidget | None = None) -> PupilRow:
    """The pupil's list line (SEN status in force, whether they have left)."""
    return runner.call(read_pupil_line, pupil_id, sender=sender)


def read_pupil_line(session: Session, pupil_id: int) -> PupilRow:
    """:func:`pupil_line` on the worker, for a tab reading several things in one trip."""
    found = pupil_list.fetch_rows(session, [int(pupil_id)])
    if not found:
        raise ValidationError("That pupil is not in this database (they may have been deleted "
                              "after their retention date).", field="pupil")
    return found[0]


def one_at_a_time(refresh: Callable[..., None]) -> Callable[..., None]:
    """For a widget's refresh(): while it waits on the runner the event loop runs, and another
    change may ask for a refresh; that one runs once the first has finished, not inside it."""
    @functools.wraps(refresh)
    def run(self: Any, *args: Any, **kwargs: Any) -> None:
        state = self.__dict__.setdefault("_refresh_state", {"running": False, "again": None})
        if state["running"]:
            state["again"] = (args, kwargs)
            return
        state["running"] = True
        try:
            refresh(self, *args, **kwargs)
            while state["again"] is not None:
                again, state["again"] = state["again"], None
                refresh(self, *again[0], **again[1])
        finally:
            state["running"] = False
            state["again"] = None
    return run
