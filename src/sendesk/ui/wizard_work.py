"""How the two wizards (APDR and initial concerns) reach the core: through the OpRunner.

Reads return their result; writes also make sure the window hears what changed, so every page
(the wizard's own included) refreshes from ``runner.changed`` and nothing else. The core's
operations report their own :class:`~sendesk.operations.Changes`; for one that does not yet,
the wizard says which pupil and kind of record it wrote, once, on the runner's behalf.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from ..operations import Changes, Kind
from ..session import Session
from .runner import OpRunner

T = TypeVar("T")


class WizardWork:
    """One pupil's core work for a wizard, on the runner's worker thread."""

    def __init__(self, session: Session, pupil_id: int, kinds: Iterable[Kind],
                 runner: OpRunner | None = None, owner: QObject | None = None) -> None:
        self.runner = runner if runner is not None else OpRunner(session, owner)
        self.pupil_id = int(pupil_id)
        self.kinds = frozenset(kinds)

    def read(self, fn: Callable[..., T], *args: Any, sender: QWidget | None = None,
             **kwargs: Any) -> T:
        return self.runner.call(fn, *args, sender=sender, **kwargs)

    def write(self, fn: Callable[..., T], *args: Any, sender: QWidget | None = None,
              **kwargs: Any) -> T:
        """Run a write; afterwards everyone listening to ``runner.changed`` has heard of it."""
        heard: list[Changes] = []

        def hear(changes: Changes) -> None:
            heard.append(changes)

        self.runner.changed.connect(hear)
        try:
            result = self.runner.call(fn, *args, sender=sender, **kwargs)
        finally:
            self.runner.changed.disconnect(hear)
        if not any(c.touches_pupil(self.pupil_id) for c in heard):
            self.runner.changed.emit(Changes(frozenset({self.pupil_id}), self.kinds))
        return result

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None], sender: QWidget | None = None,
               **kwargs: Any) -> None:
        """The callback form of :meth:`write`."""
        heard: list[Changes] = []

        def hear(changes: Changes) -> None:
            heard.append(changes)

        self.runner.changed.connect(hear)

        def finish(value: Any) -> None:
            self.runner.changed.disconnect(hear)
            if not any(c.touches_pupil(self.pupil_id) for c in heard):
                self.runner.changed.emit(Changes(frozenset({self.pupil_id}), self.kinds))
            on_done(value)

        def fail(exc: BaseException) -> None:
            self.runner.changed.disconnect(hear)
            on_error(exc)

        self.runner.submit(fn, *args, on_done=finish, on_error=fail, sender=sender, **kwargs)
