"""The window's runner: long work shows its progress after a moment and can be cancelled when
it reports progress; once the session is locked the runner refuses work and drops callbacks."""

from __future__ import annotations

import gc
import time
import weakref

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QProgressDialog, QPushButton

from sendesk.operations import Cancelled, Progress
from sendesk.ui import runner as runner_mod
from sendesk.ui.runner import OpRunner, Refused


def slow_count(session, steps: int, progress: Progress) -> int:
    for done in range(steps):
        progress.report(done, steps, f"step {done}")
        time.sleep(0.02)
    return steps


def sleepy(session, steps: int) -> str:
    time.sleep(0.02 * steps)
    return f"slept {steps}"


def progress_dialog() -> QProgressDialog | None:
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QProgressDialog) and w.isVisible()]
    return found[0] if found else None


def test_long_work_shows_progress_and_cancel_stops_it(qtbot, senco_session, monkeypatch):
    monkeypatch.setattr(runner_mod, "PROGRESS_DELAY_MS", 50)
    runner = OpRunner(senco_session)
    button = QPushButton("Go")
    qtbot.addWidget(button)
    outcome: list = []
    runner.submit(slow_count, 500, sender=button, progress_label="Counting...",
                  on_done=outcome.append, on_error=outcome.append)
    assert not button.isEnabled()
    qtbot.waitUntil(lambda: progress_dialog() is not None, timeout=3_000)
    dialog = progress_dialog()
    qtbot.waitUntil(lambda: dialog.value() > 0, timeout=3_000)
    cancel = dialog.findChild(QPushButton)
    qtbot.mouseClick(cancel, runner_mod.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(outcome), timeout=5_000)
    assert isinstance(outcome[0], Cancelled)
    assert button.isEnabled() and progress_dialog() is None


def test_short_work_shows_no_dialog_and_returns_its_result(qtbot, senco_session):
    runner = OpRunner(senco_session)
    assert runner.call(slow_count, 2, progress_label="Counting...") == 2
    assert progress_dialog() is None


def test_a_locked_runner_refuses_work(qtbot, senco_session):
    runner = OpRunner(senco_session)
    runner.shutdown()
    with pytest.raises(Refused):
        runner.call(slow_count, 1, progress_label="Counting...")


def test_locking_while_work_runs_does_not_wait_and_drops_what_would_follow(qtbot, senco_session):
    """shutdown returns at once; call() waiting on the work raises Refused; submitted work's
    callbacks never run; the session is let go only once the work has ended."""
    runner = OpRunner(senco_session)
    done: list = []
    idle: list = []
    runner.submit(sleepy, 25, on_done=done.append, on_error=done.append)   # about 0.5 s
    runner.submit(sleepy, 1, on_done=done.append, on_error=done.append)    # queued behind

    def lock() -> None:
        started = time.monotonic()
        runner.shutdown(when_idle=lambda: idle.append(time.monotonic()))
        idle.append(time.monotonic() - started)

    QTimer.singleShot(50, lock)
    with pytest.raises(Refused):
        runner.call(sleepy, 1)   # queued: refused, without running on the locked session
    qtbot.waitUntil(lambda: len(idle) == 2, timeout=5_000)
    assert idle[0] < 0.05, "locking waited for the work"
    assert done == [], "no callback runs after the lock"
    assert not runner.busy()


def test_a_callback_of_a_deleted_widget_is_not_called(qtbot, senco_session):
    runner = OpRunner(senco_session)
    label = QLabel()
    runner.submit(sleepy, 10, on_done=label.setText)   # would raise on a deleted label
    label.deleteLater()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5_000)
    qtbot.wait(20)


class Result:
    """A result a test can watch for (a weak reference says when it has gone)."""


def _gone(qtbot, ref: weakref.ref) -> None:
    def let_go() -> bool:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        return ref() is None
    qtbot.waitUntil(let_go, timeout=3_000)


def test_a_result_is_let_go_once_it_has_been_handed_back(qtbot, senco_session):
    """Each page refresh hands back its whole table (tens of megabytes at a county's size):
    the runner must not keep one alive after the page has taken it, or memory grows with every
    refresh of the day."""
    runner = OpRunner(senco_session)
    called = runner.call(lambda session: Result())
    ref = weakref.ref(called)
    del called
    _gone(qtbot, ref)

    handed: list = []
    runner.submit(lambda session: Result(), on_done=handed.append)
    qtbot.waitUntil(lambda: bool(handed), timeout=3_000)
    ref = weakref.ref(handed.pop())
    _gone(qtbot, ref)

    failed: list = []

    class Failure(Exception):
        pass

    def fail(session):
        raise Failure()
    runner.submit(fail, on_done=failed.append, on_error=failed.append)
    qtbot.waitUntil(lambda: bool(failed), timeout=3_000)
    ref = weakref.ref(failed.pop())
    _gone(qtbot, ref)


class _Page(QLabel):
    """A parentless widget whose method is the work, as a dashboard page's read is."""

    def read(self, session) -> int:
        time.sleep(0.002)
        return 1


def test_a_widget_whose_method_ran_is_never_destroyed_on_the_worker(qtbot, senco_session):
    """The work's closure holds the page's bound method: once the page has let go of the
    result and the test of the page, the last reference must go on the GUI thread. Let go on
    the worker, as the pool deleted the job, a parentless widget was destroyed there, off its
    thread (before the fix, some of these pages were not destroyed on the GUI thread)."""
    import threading
    runner = OpRunner(senco_session)
    where: list[str] = []
    for _ in range(60):
        page = _Page()
        page.destroyed.connect(lambda *_: where.append(threading.current_thread().name))
        assert runner.call(page.read) == 1
        del page                     # the test's reference: any left are the runner's
        time.sleep(0.003)            # the worker finishes deleting its job meanwhile
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5_000)
    QCoreApplication.processEvents()
    gc.collect()
    assert len(where) == 60 and set(where) == {threading.main_thread().name}
