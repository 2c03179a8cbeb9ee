"""The forgotten-password dialog (set a new password with the recovery key) grows to show its
whole message, as the unlock window does: a long refusal was cut off mid-line, or squeezed the
boxes above it, in the height the dialog had when it opened."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.conftest import SENCO

from sendesk.ui.runner import OpRunner
from sendesk.ui.unlock_dialog import RecoverDialog

NEW_PASSWORD = "orchard-pebble-lantern-29"


def test_a_long_refusal_is_shown_whole_and_squeezes_nothing(qtbot, school, tmp_path):
    # The school's records moved to a folder with a long name: the refusal names the path.
    moved = tmp_path / "Shared drive for the SEND team" / "Records kept by the SENCO until July"
    moved.mkdir(parents=True)
    path = moved / "Brambleton Primary School records.sendesk"
    runner = OpRunner()
    dialog = RecoverDialog(runner, str(path), SENCO)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    opened_width = dialog.width()
    qtbot.keyClicks(dialog.key, "ABCD-EFGH-IJKL-MNOP")
    qtbot.keyClicks(dialog.passwords.password, NEW_PASSWORD)
    qtbot.keyClicks(dialog.passwords.confirm, NEW_PASSWORD)
    QTest.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    assert "cannot be found" in dialog.message.text()
    qtbot.wait(50)
    dialog.grab().save("/tmp/stale21-recover-long.png")
    message = dialog.message
    assert message.height() >= message.heightForWidth(message.width()), "not cut off"
    assert message.mapTo(dialog, message.rect().bottomLeft()).y() \
        < dialog.ok.mapTo(dialog, dialog.ok.rect().topLeft()).y()
    assert message.mapTo(dialog, message.rect().bottomLeft()).y() <= dialog.height()
    for field in (dialog.username, dialog.key, dialog.passwords.password,
                  dialog.passwords.confirm):   # none squashed to make room for it
        assert field.height() >= field.sizeHint().height(), field.objectName()
    assert dialog.width() <= max(opened_width, 720), "grown down, not stretched sideways"
    shutil.rmtree(moved)
