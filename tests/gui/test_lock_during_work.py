"""Locking while work is under way, as a person does it: Ctrl+L pressed while a transfer
package is being written, and a record window closed while its Documents tab builds.

The window must vanish at once (no wait on the GUI thread), nothing may then be shown on the
dead windows ("Something unexpected went wrong" over the unlock window), and the package's
passphrase must not be lost: it is on screen before "Write the package" is pressed."""

from __future__ import annotations

import time

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton, QWizard
from tests.gui.test_foundation import unlock, wait_for_main_window
from tests.transfer_support import SENDER_PASSWORD, SENDER_USER, make_sender, richest_pupil

from sendesk.records import pupils
from sendesk.transfer.package import read_package
from sendesk.ui.documents_tab import DocumentsTab
from sendesk.ui.unlock_dialog import UnlockDialog

LEFT = Qt.MouseButton.LeftButton


def click_tab(qtbot, window, title: str) -> None:
    bar = window.tabs.tabBar()
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(titles.index(title)).center())


def longest_gap_while(qtbot, condition, timeout_ms: int) -> int:
    """Wait for `condition`, returning the longest the event loop went without running a
    10 ms timer (how long the window stood frozen)."""
    clock, gaps = QElapsedTimer(), [0]
    clock.start()

    def tick() -> None:
        gaps[0] = max(gaps[0], clock.restart())

    timer = QTimer(interval=10)
    timer.timeout.connect(tick)
    timer.start()
    try:
        qtbot.waitUntil(condition, timeout=timeout_ms)
    finally:
        timer.stop()
    return gaps[0]


def _unlocked_on_a_rich_pupil(qtbot, make_controller, tmp_path, clock):
    """A sender school with one long history, unlocked in the app: (controller, pupil id)."""
    path = tmp_path / "sender.sendesk"
    made = make_sender(path, clock)
    pupil_id = richest_pupil(made)
    made.close()
    controller = make_controller()
    controller.start(path)
    unlock(qtbot, controller, SENDER_USER, SENDER_PASSWORD)
    wait_for_main_window(qtbot, controller)
    return controller, pupil_id


def test_ctrl_l_while_the_package_is_written_locks_at_once_and_keeps_the_passphrase(
        qtbot, make_controller, answers, tmp_path, clock):
    controller, pupil_id = _unlocked_on_a_rich_pupil(qtbot, make_controller, tmp_path, clock)
    old_session = controller.session
    record = controller.workspace.open_pupil(pupil_id)
    qtbot.waitUntil(record.isVisible)
    click_tab(qtbot, record, "Transfers")
    tab = record.findChild(QPushButton, "send").parent()
    qtbot.mouseClick(tab.send, LEFT)
    wizard = tab.wizard
    qtbot.waitUntil(wizard.isVisible)
    page = wizard.school_page
    qtbot.keyClicks(page.school_name, "Brambleton Primary School")
    qtbot.keyClicks(page.reference, "123456")
    qtbot.keyClicks(page.contact, "Ms Jo Jones (SENCO)")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), LEFT)
    checks = wizard.checks_page
    qtbot.waitUntil(lambda: wizard.currentPage() is checks)
    if not wizard.checks.consents:
        qtbot.mouseClick(checks.no_consent, LEFT, pos=checks.no_consent.rect().center())
        qtbot.keyClicks(checks.no_consent_reason, "Parents not reachable")
    checks.confirm.setFocus()
    qtbot.keyClick(checks.confirm, Qt.Key.Key_Space)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), LEFT)
    write = wizard.write_page
    qtbot.waitUntil(lambda: wizard.currentPage() is write)
    shown = write.passphrase.text()
    assert write.passphrase.isVisible() and len(shown) == 24, "shown before anything is written"
    assert "write it down now" in write.advice.text()
    package = tmp_path / "pupil.sendesk-transfer"
    answers.next_paths.append(package)
    qtbot.mouseClick(write.choose, LEFT)
    qtbot.mouseClick(write.write, LEFT)
    qtbot.wait(600)
    assert wizard.result is None, "still writing when the lock comes"

    started = time.monotonic()
    qtbot.keyClick(wizard, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    took = time.monotonic() - started
    assert took < 0.5, f"locking froze the window for {took:.1f} s"
    assert controller.session is None and controller.main_window is None
    assert isinstance(controller.unlock_dialog, UnlockDialog)
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [controller.unlock_dialog]

    # The write goes on behind the unlock window, which keeps answering; its end closes the
    # locked session and shows nothing.
    gap = longest_gap_while(qtbot, lambda: not old_session.is_open, 60_000)
    assert gap < 1_000, f"the unlock window froze for {gap} ms while the package was written"
    assert old_session._data_key is None
    qtbot.wait(50)
    assert answers.messages == [], "nothing may be reported over the unlock window"
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [controller.unlock_dialog]

    # The package was written, and the passphrase shown before writing opens it.
    opened = read_package(package.read_bytes(), shown)
    assert opened.manifest["pupil"]["legal_surname"]
    unlock(qtbot, controller, SENDER_USER, SENDER_PASSWORD)
    wait_for_main_window(qtbot, controller)
    assert pupils.get_pupil(controller.session, pupil_id).archived


def test_closing_a_record_window_while_its_documents_build_shows_nothing(
        qtbot, make_controller, answers, tmp_path, clock):
    controller, pupil_id = _unlocked_on_a_rich_pupil(qtbot, make_controller, tmp_path, clock)
    record = controller.workspace.open_pupil(pupil_id)
    qtbot.waitUntil(record.isVisible)
    click_tab(qtbot, record, "Documents")
    tab = record.findChild(DocumentsTab)
    qtbot.waitUntil(lambda: not controller.runner.busy(), timeout=30_000)
    closed_while_busy = []
    watch = QTimer(interval=5)

    def close_while_building() -> None:
        if controller.runner.busy():
            watch.stop()
            closed_while_busy.append(tab.kind())
            record.close()

    # Choosing the Full SEND file builds it on the worker; the window closes meanwhile.
    watch.timeout.connect(close_while_building)
    watch.start()
    tab.kinds.setFocus()
    qtbot.keyClick(tab.kinds, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: pupil_id not in controller.workspace.records, timeout=20_000)
    qtbot.waitUntil(lambda: not controller.runner.busy(), timeout=30_000)
    qtbot.wait(50)
    assert closed_while_busy == ["file"], "the window closed while the file was being built"
    assert answers.messages == []
    assert controller.main_window.isVisible()
