"""How the pupil record's window and tabs share one OpRunner and hear about changes.

Every tab of a record window runs its database work through the window's runner and refreshes
when ``runner.changed`` says its pupil and its kinds of record changed, whoever changed them:
no tab calls another tab's refresh, and no tab connects to another's signal.

Two things here keep that true while the rest of the app catches up:

* :func:`runner_for` gives a widget built on its own (a test, or a dialog opened without a
  window) a runner of its own, so it still works.
* :func:`write` runs a write and, if the core did not report a change to the pupil (a core
  function not yet converted to ``@operation``, or a widget outside the record window that
  still writes on its own, such as the APDR wizard or the concerns panel, announced through
  :func:`announce`), broadcasts the change the caller declares. Once every write reports its
  own changes the declared kinds are never used.

:func:`pupil_line` is the tabs' typed read of the pupil's status and whether they have left
(the pupil list's own row, not audited: it shows no more than the list does).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from ..errors import ValidationError
from ..operations import Changes, Kind
from ..records import pupil_list
from ..records.pupil_list import PupilRow
from ..session import Session
from .prompts import prompts
from .runner import OpRunner

T = TypeVar("T")


def runner_for(session: Session, runner: OpRunner | None, parent: QObject | None) -> OpRunner:
    """The runner a record widget was given, or one of its own when built on its own."""
    return runner if runner is not None else OpRunner(session, parent)


def announce(runner: OpRunner, pupil_id: int | None, kinds: Iterable[Kind]) -> None:
    """Tell every page that this pupil's records (None: the school's) of these kinds changed."""
    runner.changed.emit(Changes(frozenset() if pupil_id is None else frozenset({int(pupil_id)}),
                                frozenset(kinds), whole_school=pupil_id is None))


def _reported(heard: list[Changes], pupil_id: int | None) -> bool:
    return any(c.touches_pupil(pupil_id) if pupil_id is not None else bool(c) for c in heard)


def write(runner: OpRunner, pupil_id: int | None, kinds: Iterable[Kind], fn: Callable[..., T],
          *args: Any, sender: QWidget | None = None, **kwargs: Any) -> T:
    """Run a write on the runner; make sure its change to the pupil is broadcast."""
    heard: list[Changes] = []
    runner.changed.connect(heard.append)
    try:
        result = runner.call(fn, *args, sender=sender, **kwargs)
    finally:
        runner.changed.disconnect(heard.append)
    if not _reported(heard, pupil_id):
        announce(runner, pupil_id, kinds)
    return result


def submit_write(runner: OpRunner, pupil_id: int | None, kinds: Iterable[Kind],
                 fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None],
                 on_error: Callable[[BaseException], None] | None = None,
                 sender: QWidget | None = None, **kwargs: Any) -> None:
    """:func:`write` in the callback form, for long work (a transfer package)."""
    heard: list[Changes] = []
    kinds = tuple(kinds)
    runner.changed.connect(heard.append)

    def done(result: Any) -> None:
        runner.changed.disconnect(heard.append)
        if not _reported(heard, pupil_id):
            announce(runner, pupil_id, kinds)
        on_done(result)

    def failed(exc: BaseException) -> None:
        runner.changed.disconnect(heard.append)
        (on_error or prompts.report_failure)(exc)

    runner.submit(fn, *args, on_done=done, on_error=failed, sender=sender, **kwargs)


def touches(changes: Changes, pupil_id: int, *kinds: Kind) -> bool:
    """Whether a change is to this pupil (or the whole school) and of one of these kinds."""
    return changes.touches_pupil(pupil_id) and (not kinds or changes.touches(*kinds))


def pupil_line(runner: OpRunner, pupil_id: int, sender: QWidget | None = None) -> PupilRow:
    """The pupil's list line (SEN status in force, whether they have left)."""
    found = runner.call(pupil_list.fetch_rows, [int(pupil_id)], sender=sender)
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
