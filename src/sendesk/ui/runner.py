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

Long work is named with ``progress_label=``: if it is still running after ``PROGRESS_DELAY_MS``
a progress dialog shows what is happening. Work whose function takes a ``progress`` argument
(an :class:`operations.Progress`) reports how far it is and gets a Cancel button: it stops at
its next report, inside its transaction, so nothing is written.

Locking calls :meth:`OpRunner.shutdown`, which never waits on the GUI thread (a package being
written takes seconds, and the window must vanish at once): it refuses new work, lets the work
not started fail at once without touching the session, drops every callback still to come
(their widgets are being deleted) and, once the piece under way has ended, calls back so the
session can be closed. A callback whose widget was deleted while its work ran (a window the
user closed) is not called either.
"""

from __future__ import annotations

import inspect
import itertools
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QProgressDialog, QWidget

from .. import operations
from ..operations import Changes
from ..session import Session
from .gui_gc import collect_on_the_gui_thread
from .prompts import prompts

T = TypeVar("T")
PROGRESS_DELAY_MS = 300
# How long the worker may keep Python's lock while the GUI thread waits for it. Python's 5 ms
# default made every call from Qt into Python (each cell painted, each key typed) wait up to
# 5 ms while the worker ran Python-heavy work (an MIS import, a PDF): with hundreds of such
# calls in one paint, the window stalled for 100-200 ms. At 0.5 ms the import's and the PDF's
# stalls halved (benchmarks/stall.py); with the GUI thread idle nothing changes for the worker.
GIL_SWITCH_SECONDS = 0.0005


def share_the_gil() -> None:
    """Make the worker hand Python's lock to the GUI thread promptly (process-wide)."""
    import sys
    if sys.getswitchinterval() > GIL_SWITCH_SECONDS:
        sys.setswitchinterval(GIL_SWITCH_SECONDS)


class Refused(RuntimeError):
    """Work handed to a runner whose session was locked."""


def takes_progress(fn: Callable[..., Any]) -> bool:
    try:
        return "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def alive(widget: QObject) -> bool:
    """Whether a widget still exists. Waiting for the worker runs the event loop, in which a
    window the user (or a broadcast) closed may be deleted; code that waited checks this
    before touching its widgets again."""
    return shiboken6.isValid(widget)


def _owner_alive(callback: Callable[..., Any], sender: QWidget | None) -> bool:
    """Whether a callback may still run: not when the widget that asked, or the widget whose
    method it is, was deleted while the work ran (its window closed)."""
    if sender is not None and not alive(sender):
        return False
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or alive(owner)


class _Relay(QObject):
    """The one way back from the workers: made once for the application, on the GUI thread,
    and never deleted. A relay made for each piece of work was a QObject a worker could hold
    the last reference to; let go of there, it was destroyed off its thread (the test workers'
    segfaults in a window's constructor soon after)."""

    done = Signal(int, object, object, object)     # job, result, Changes, the job's references
    failed = Signal(int, object, object, object)   # job, exception, Changes, its references
    progressed = Signal(int, int, int, str)         # job, done, total, text


class _Route:
    """Where a job's outcome and progress go, on the GUI thread (plain Python)."""

    def __init__(self, finish: Callable[[bool, Any, Changes], None]) -> None:
        self.finish = finish
        self.progress: Callable[[int, int, str], None] | None = None


_routes: dict[int, _Route] = {}
_job_numbers = itertools.count(1)
_relay: _Relay | None = None


def _the_relay() -> _Relay:
    global _relay
    if _relay is None or not shiboken6.isValid(_relay):
        _relay = _Relay(QCoreApplication.instance())
        _relay.done.connect(lambda job, value, changes, held: _arrived(job, True, value, changes,
                                                                       held))
        _relay.failed.connect(lambda job, exc, changes, held: _arrived(job, False, exc, changes,
                                                                       held))
        _relay.progressed.connect(_progressed)
    return _relay


def _arrived(job: int, ok: bool, value: Any, changes: Changes, held: list[Any]) -> None:
    held.clear()   # the job's references, let go here on the GUI thread (see _Job)
    route = _routes.pop(job, None)
    if route is not None:
        route.finish(ok, value, changes)


def _progressed(job: int, done: int, total: int, text: str) -> None:
    route = _routes.get(job)
    if route is not None and route.progress is not None:
        route.progress(done, total, text)


class _Job(QRunnable):
    """One piece of work on the worker thread.

    What it holds (the work's closure, which may hold a page's bound method and so the page;
    the runner) goes back to the GUI thread with the outcome and is let go there (_arrived
    empties it). Held by the job, the last reference could be dropped on the worker as the
    pool deleted the job, after the GUI thread had let its own go: a parentless widget (a
    closed dialog, a test's page) would then be destroyed on the worker."""

    def __init__(self, session: Session | None, work: Callable[[], Any], runner: OpRunner,
                 job: int) -> None:
        super().__init__()
        self.held: list[Any] | None = [session, work, runner]
        self.job = job

    def run(self) -> None:
        # No local name for the runner: a local is let go of on this thread when run() ends.
        held, self.held = self.held, None
        assert held is not None
        relay, job = _relay, self.job   # the application's relay, never deleted
        assert relay is not None
        boxes: list[Changes] = []
        if held[2].closed:   # locked while this waited its turn: the session is gone
            relay.failed.emit(job, Refused("The database was locked."), operations.NOTHING,
                              held)
            return
        try:
            if held[0] is None:
                result = held[1]()
            else:
                with operations.collect(held[0]) as boxes:
                    result = held[1]()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread to report
            # Its frames' locals go now, while the job still holds the work: a frame of the
            # work's own closure, let go last on the worker, would let go what it holds there.
            traceback.clear_frames(exc.__traceback__)
            relay.failed.emit(job, exc, operations.merged(boxes), held)
        else:
            relay.done.emit(job, result, operations.merged(boxes), held)


class OpRunner(QObject):
    """Runs core operations for one unlocked session (or, before unlocking, for none)."""

    changed = Signal(object)   # Changes, after any work that changed something

    def __init__(self, session: Session | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        collect_on_the_gui_thread()   # never on this runner's worker (see gui_gc)
        self.session = session
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._jobs: set[int] = set()
        self.closed = False
        self._when_idle: Callable[[], None] | None = None

    # -- the two ways in ---------------------------------------------------------------------

    def call(self, fn: Callable[..., T], *args: Any, sender: QWidget | None = None,
             progress_label: str | None = None, **kwargs: Any) -> T:
        """Run ``fn(session, *args, **kwargs)`` on the worker; return its result or raise.

        The event loop keeps running while it waits, so the window answers; ``sender`` (the
        button or form that asked) is disabled meanwhile. ``progress_label`` names long work
        (see the module's docstring).
        """
        work, progress = self._bind(fn, args, kwargs, progress_label)
        return self._call(work, sender, progress_label, progress)

    def call_plain(self, work: Callable[[], T], *, sender: QWidget | None = None,
                   progress_label: str | None = None) -> T:
        """Run work that takes no session (opening a database, deriving a key) on the worker."""
        return self._call(work, sender, progress_label, None)

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None] | None = None,
               sender: QWidget | None = None, progress_label: str | None = None,
               **kwargs: Any) -> None:
        """Run ``fn(session, *args, **kwargs)`` on the worker and call back on the GUI thread."""
        work, progress = self._bind(fn, args, kwargs, progress_label)
        self._start(work, sender, on_done, on_error, progress_label, progress)

    def submit_plain(self, work: Callable[[], Any], *, on_done: Callable[[Any], None],
                     on_error: Callable[[BaseException], None] | None = None,
                     sender: QWidget | None = None, progress_label: str | None = None) -> None:
        self._start(work, sender, on_done, on_error, progress_label, None)

    # -- state --------------------------------------------------------------------------------

    def busy(self) -> bool:
        return bool(self._jobs)

    def wait(self) -> None:
        """Block until the worker is idle (quitting, when nothing is left to answer)."""
        self.pool.waitForDone()

    def shutdown(self, when_idle: Callable[[], None] | None = None) -> None:
        """Locking: refuse new work and drop every callback to come, without waiting; call
        ``when_idle`` (on the GUI thread) once the work under way has ended, at once if none.

        Work queued behind it fails with Refused before touching the session (_Job.run), so
        every piece handed in reports back exactly once and the count of pieces reaches zero.
        """
        self.closed = True
        self._when_idle = when_idle
        self._idle_check()

    def _idle_check(self) -> None:
        if self.closed and not self._jobs and self._when_idle is not None:
            then, self._when_idle = self._when_idle, None
            then()

    # -- inside -------------------------------------------------------------------------------

    def _session(self) -> Session:
        if self.session is None:
            raise RuntimeError("This work needs an unlocked session.")
        return self.session

    def _bind(self, fn: Callable[..., Any], args: tuple, kwargs: dict[str, Any],
              label: str | None) -> tuple[Callable[[], Any], operations.Progress | None]:
        progress = None
        if label is not None and "progress" not in kwargs and takes_progress(fn):
            progress = operations.Progress()
            kwargs = dict(kwargs, progress=progress)
        return (lambda: fn(self._session(), *args, **kwargs)), progress

    def _call(self, work: Callable[[], T], sender: QWidget | None, label: str | None = None,
              progress: operations.Progress | None = None) -> T:
        loop = QEventLoop()
        outcome: dict[str, Any] = {}

        def done(result: Any) -> None:
            outcome["result"] = result
            loop.quit()

        def failed(exc: BaseException) -> None:
            outcome["error"] = exc
            loop.quit()

        self._start(work, sender, done, failed, label, progress, unwind=True)
        if not outcome:
            loop.exec()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    def _start(self, work: Callable[[], Any], sender: QWidget | None,
               on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None] | None,
               label: str | None = None, progress: operations.Progress | None = None,
               unwind: bool = False) -> None:
        """Start one piece of work. ``unwind`` marks call()'s own callbacks, which end its
        local event loop and so must run even after a lock (call then raises Refused)."""
        if self.closed:
            (on_error or self._report)(Refused("The database is locked; unlock it first."))
            return
        relay = _the_relay()
        job = next(_job_numbers)
        self._jobs.add(job)
        if sender is not None:
            sender.setEnabled(False)
        shown = _ProgressShower(label, progress, sender, self) if label is not None else None

        def finish(ok: bool, value: Any, changes: Changes) -> None:
            self._jobs.discard(job)
            if shown is not None:
                shown.close()
            if self.closed:
                # Locked while this ran: its windows are gone, nothing may be shown or
                # refreshed; call() is only told to stop waiting.
                if unwind and on_error is not None:
                    on_error(Refused("The database was locked."))
                self._idle_check()
                return
            if sender is not None and alive(sender):
                sender.setEnabled(True)
            if changes:
                self.changed.emit(changes)
            callback = on_done if ok else (on_error or self._report)
            if unwind or _owner_alive(callback, sender):
                callback(value)

        route = _routes[job] = _Route(finish)
        if shown is not None:
            route.progress = shown.report
        if progress is not None:   # emitted on the worker, queued here
            progress._on_report = lambda done, total, text: relay.progressed.emit(
                job, done, total, text)
        self.pool.start(_Job(self.session, work, self, job))

    def _report(self, exc: BaseException) -> None:
        """Failures with no handler of their own are shown in one place."""
        prompts.report_failure(exc)


class _ProgressShower(QObject):
    """A progress dialog for one piece of long work, shown only if it lasts."""

    def __init__(self, label: str, progress: operations.Progress | None, sender: QWidget | None,
                 runner: OpRunner) -> None:
        super().__init__(runner)
        self.label, self.progress, self.dialog = label, progress, None
        self.parent_widget = sender.window() if sender is not None else None
        self.last: tuple[int, int, str] | None = None
        self.finished = False
        QTimer.singleShot(PROGRESS_DELAY_MS, self, self.show)

    def show(self) -> None:
        if self.finished or (self.parent_widget is not None and not alive(self.parent_widget)):
            return
        cancel = "Cancel" if self.progress is not None else None
        dialog = QProgressDialog(self.label, cancel, 0, 0, self.parent_widget)
        dialog.setObjectName("work_progress")
        dialog.setWindowTitle("sendesk")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if cancel is None:
            dialog.setCancelButton(None)
        else:
            dialog.canceled.connect(self.cancel)
        self.dialog = dialog
        if self.last is not None:
            self.report(*self.last)
        dialog.show()

    def report(self, done: int, total: int, text: str) -> None:
        self.last = (done, total, text)
        dialog = self.dialog
        if dialog is None:
            return
        dialog.setMaximum(max(total, 0))
        # A modal progress dialog's setValue runs the event loop, in which the work may finish
        # and close the dialog: check before touching it again.
        dialog.setValue(min(done, total) if total > 0 else 0)
        if text and not self.finished:
            dialog.setLabelText(f"{self.label}\n{text}")

    def cancel(self) -> None:
        if self.progress is not None:
            self.progress.cancel()
            if self.dialog is not None:
                self.dialog.setLabelText("Stopping...")

    def close(self) -> None:
        self.finished = True
        if self.dialog is not None and alive(self.dialog):   # gone with a window closed by a lock
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.deleteLater()
