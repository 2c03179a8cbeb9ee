"""The one way the window runs core work: off the GUI thread, one piece at a time.

Every page, tab, dialog and wizard hands its database work to the :class:`OpRunner` instead of
calling the core itself. The runner

* runs the work on its single worker thread (the core's one connection never serves two pieces
  of work at once), so the event loop keeps answering while it runs;
* disables the widget that started the work until it is done;
* reports a failure in one place, as the core's own sentence;
* broadcasts the :class:`~sendesk.operations.Changes` the work made through ``changed``, so
  each page refreshes only what changed, and no page calls another page's refresh.

``call`` keeps the calling code simple (it returns the result, or raises), while waiting in a
local event loop; ``submit`` is the fire-and-forget form with callbacks.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from .. import operations
from ..operations import Changes
from ..session import Session
from .prompts import prompts

T = TypeVar("T")


class _Relay(QObject):
    done = Signal(object, object)     # result, Changes
    failed = Signal(object, object)   # exception, Changes


class _Job(QRunnable):
    def __init__(self, session: Session | None, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.session, self.work, self.relay = session, work, relay

    def run(self) -> None:
        boxes: list[Changes] = []
        try:
            if self.session is None:
                result = self.work()
            else:
                with operations.collect(self.session) as boxes:
                    result = self.work()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread to report
            self.relay.failed.emit(exc, operations.merged(boxes))
        else:
            self.relay.done.emit(result, operations.merged(boxes))


class OpRunner(QObject):
    """Runs core operations for one unlocked session (or, before unlocking, for none)."""

    changed = Signal(object)   # Changes, after any work that changed something

    def __init__(self, session: Session | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._relays: set[_Relay] = set()

    # -- the two ways in ---------------------------------------------------------------------

    def call(self, fn: Callable[..., T], *args: Any, sender: QWidget | None = None,
             **kwargs: Any) -> T:
        """Run ``fn(session, *args, **kwargs)`` on the worker; return its result or raise.

        The event loop keeps running while it waits, so the window answers; ``sender`` (the
        button or form that asked) is disabled meanwhile.
        """
        return self._call(lambda: fn(self._session(), *args, **kwargs), sender)

    def call_plain(self, work: Callable[[], T], *, sender: QWidget | None = None) -> T:
        """Run work that takes no session (opening a database, deriving a key) on the worker."""
        return self._call(work, sender)

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None] | None = None,
               sender: QWidget | None = None, **kwargs: Any) -> None:
        """Run ``fn(session, *args, **kwargs)`` on the worker and call back on the GUI thread."""
        self._start(lambda: fn(self._session(), *args, **kwargs), sender, on_done, on_error)

    def submit_plain(self, work: Callable[[], Any], *, on_done: Callable[[Any], None],
                     on_error: Callable[[BaseException], None] | None = None,
                     sender: QWidget | None = None) -> None:
        self._start(work, sender, on_done, on_error)

    # -- state --------------------------------------------------------------------------------

    def busy(self) -> bool:
        return bool(self._relays)

    def wait(self) -> None:
        """Block until the worker is idle (before locking drops the session)."""
        self.pool.waitForDone()

    # -- inside -------------------------------------------------------------------------------

    def _session(self) -> Session:
        if self.session is None:
            raise RuntimeError("This work needs an unlocked session.")
        return self.session

    def _call(self, work: Callable[[], T], sender: QWidget | None) -> T:
        loop = QEventLoop()
        outcome: dict[str, Any] = {}

        def done(result: Any) -> None:
            outcome["result"] = result
            loop.quit()

        def failed(exc: BaseException) -> None:
            outcome["error"] = exc
            loop.quit()

        self._start(work, sender, done, failed)
        if not outcome:
            loop.exec()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    def _start(self, work: Callable[[], Any], sender: QWidget | None,
               on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None] | None) -> None:
        relay = _Relay()
        self._relays.add(relay)
        if sender is not None:
            sender.setEnabled(False)

        def finish(callback: Callable[[Any], None] | None, value: Any, changes: Changes) -> None:
            self._relays.discard(relay)
            if sender is not None:
                sender.setEnabled(True)
            if changes:
                self.changed.emit(changes)
            if callback is not None:
                callback(value)

        relay.done.connect(lambda value, changes: finish(on_done, value, changes))
        relay.failed.connect(lambda exc, changes: finish(on_error or self._report, exc, changes))
        self.pool.start(_Job(self.session, work, relay))

    def _report(self, exc: BaseException) -> None:
        """Failures with no handler of their own are shown in one place."""
        prompts.report_failure(exc)
