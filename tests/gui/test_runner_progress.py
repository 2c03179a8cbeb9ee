"""The window's runner: long work shows its progress after a moment and can be cancelled when
it reports progress; once the session is locked the runner refuses work and drops callbacks."""

from __future__ import annotations

import time

import pytest
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from sendesk.operations import Cancelled, Progress
from sendesk.ui import runner as runner_mod
from sendesk.ui.runner import OpRunner, Refused


def slow_count(session, steps: int, progress: Progress) -> int:
    for done in range(steps):
        progress.report(done, steps, f"step {done}")
        time.sleep(0.02)
    return steps


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
