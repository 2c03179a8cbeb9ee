"""The forgotten-password dialog (set a new password with the recovery key) grows to show its
whole message, as the unlock window does: a long refusal was cut off mid-line, or squeezed the
boxes above it, in the height the dialog had when it opened."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.conftest import SENCO, SENCO_PASSWORD

from sendesk.services import lifecycle
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


def _ask(qtbot, dialog, key: str) -> str:
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.key, key)
    qtbot.keyClicks(dialog.passwords.password, NEW_PASSWORD)
    qtbot.keyClicks(dialog.passwords.confirm, NEW_PASSWORD)
    QTest.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    qtbot.wait(50)
    return dialog.message.text()


def test_a_long_path_without_spaces_wraps_instead_of_running_off_the_edge(qtbot, school, tmp_path):
    """Qt wraps only between words: a folder named without spaces ran past the right edge and
    the end of the sentence was lost ("...ForTheSE")."""
    folder = tmp_path / "RecordsKeptByTheSENCOUntilJulyForTheSENDTeamAndTheGovernorsOfBrambleton"
    path = folder / "BrambletonPrimarySchoolSENDRecords.sendesk"
    dialog = RecoverDialog(OpRunner(), str(path), SENCO)
    qtbot.addWidget(dialog)
    said = _ask(qtbot, dialog, "ABCD-EFGH-IJKL-MNOP")
    dialog.grab().save("/tmp/fix21c-recover-longpath.png")
    assert said.startswith(f"{path} cannot be found.")   # the words, as written
    message = dialog.message
    assert message.minimumSizeHint().width() <= message.width(), "a line wider than the window"
    assert message.height() >= message.heightForWidth(message.width()), "not cut off"
    assert message.mapTo(dialog, message.rect().bottomRight()).x() <= dialog.width()
    assert dialog.width() <= 720, "grown down, not stretched sideways"


def test_a_username_not_in_the_school_is_not_called_a_wrong_password(qtbot, school):
    """No password was asked for. The recovery key is checked first and opens every record,
    so naming the missing username tells its holder nothing they could not read."""
    path, recovery = school
    dialog = RecoverDialog(OpRunner(), str(path), "mpatell")
    qtbot.addWidget(dialog)
    said = _ask(qtbot, dialog, recovery)
    dialog.grab().save("/tmp/fix21c-recover-nouser.png")
    assert "Wrong username or password" not in said
    assert said == ("No one called mpatell can sign in to this school's database, so no "
                    "password was set. Check the username; the recovery key was right.")
    assert dialog.isVisible()
    lifecycle.open_school(path, SENCO, SENCO_PASSWORD).close()   # nobody's password changed


def test_breakable_leaves_short_words_and_the_words_themselves_alone():
    from sendesk.ui.breakable import ZERO_WIDTH_SPACE, breakable, plain
    sentence = "Wrong username or password. postgresql://127.0.0.1:5432/school_1 is short."
    assert breakable(sentence) == sentence
    for long in ("x" * 100, "C:\\Users\\SENCO\\" + "Documents" * 8, "/srv/" + "a" * 30 + "/b.sendesk"):
        broken = breakable(long)
        assert ZERO_WIDTH_SPACE in broken and plain(broken) == long
        assert all(len(part) <= 40 for part in broken.split(ZERO_WIDTH_SPACE))
