"""The unlock window as a person uses it: keys pressed in the password box, the show toggle,
the Caps Lock warning, the demo's sign-in details and the notice saying why it is locked.
Signing in runs on both engines: on the server, the remembered address fills the server's
fields and Enter signs in the same way."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from tests.conftest import SENCO, SENCO_PASSWORD
from tests.gui.test_foundation import wait_for_main_window

from sendesk.ui.unlock_dialog import UnlockDialog

pytestmark = pytest.mark.both_engines
DEMO_HINT = "Demo school (invented pupils only). Username: demo   Password: demo-password"


def shown_text(dialog) -> str:
    """Everything the window says, as a person reads it: the visible labels."""
    return "\n".join(label.text() for label in dialog.findChildren(QLabel) if label.isVisible())


def active(qtbot, dialog: UnlockDialog) -> UnlockDialog:
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2_000)
    return dialog


def type_password(qtbot, dialog: UnlockDialog, password: str, *, username: str = SENCO) -> None:
    dialog.username.setText(username)
    dialog.password.setFocus()
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)


def test_enter_in_the_password_box_unlocks(qtbot, make_controller, school):
    controller = make_controller()
    controller.start(school[0])
    dialog = active(qtbot, controller.unlock_dialog)
    assert dialog.quick_button.isHidden()
    type_password(qtbot, dialog, SENCO_PASSWORD)
    window = wait_for_main_window(qtbot, controller)
    assert controller.session.user.username == SENCO and window.isVisible()


def test_enter_with_a_wrong_password_says_so(qtbot, make_controller, school):
    controller = make_controller()
    controller.start(school[0])
    dialog = active(qtbot, controller.unlock_dialog)
    type_password(qtbot, dialog, "not-the-password")
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    assert dialog.message.text() == "Wrong username or password."
    assert controller.session is None


def test_show_password_toggle_from_the_keyboard(qtbot, make_controller):
    controller = make_controller()
    controller.show_unlock()   # the password box alone: no school is opened
    dialog = active(qtbot, controller.unlock_dialog)
    field = dialog.password_field
    dialog.password.setFocus()
    qtbot.keyClicks(dialog.password, "secret-words")
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClick(dialog.password, Qt.Key.Key_Tab)
    assert field.show_button.hasFocus(), "Tab from the password reaches the show button"
    assert field.show_button.accessibleName() == "Show password"
    qtbot.keyClick(field.show_button, Qt.Key.Key_Space)
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Normal
    assert field.show_button.accessibleName() == "Hide password"
    qtbot.mouseClick(field.show_button, Qt.MouseButton.LeftButton)
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.password.text() == "secret-words"


def test_caps_lock_warning_while_typing(qtbot, make_controller):
    controller = make_controller()
    controller.show_unlock()   # the password box alone: no school is opened
    dialog = active(qtbot, controller.unlock_dialog)
    dialog.password.setFocus()
    assert "Caps Lock" not in shown_text(dialog)
    qtbot.keyClicks(dialog.password, "SUMMER")          # capitals with no Shift held
    assert "Caps Lock may be on" in shown_text(dialog)
    qtbot.keyClick(dialog.password, Qt.Key.Key_CapsLock)  # switched off
    assert "Caps Lock" not in shown_text(dialog)
    qtbot.keyClick(dialog.password, "a", Qt.KeyboardModifier.ShiftModifier)  # Shift gave 'a'
    assert "Caps Lock may be on" in shown_text(dialog)
    qtbot.keyClicks(dialog.password, "x")               # small letter, no Shift: it is off
    assert "Caps Lock" not in shown_text(dialog)
    qtbot.keyClick(dialog.password, "A", Qt.KeyboardModifier.ShiftModifier)
    assert "Caps Lock" not in shown_text(dialog), "a capital with Shift says nothing"


@pytest.mark.sqlcipher_only(reason="`sendesk --demo` makes the demo school as a file on this PC")
def test_demo_sign_in_details_stay_until_unlocked(qtbot, make_controller, school):
    controller = make_controller()
    controller.unlock_hint = DEMO_HINT          # as `sendesk --demo` sets it
    controller.start(school[0])
    dialog = active(qtbot, controller.unlock_dialog)
    assert "Username: demo" in shown_text(dialog)
    type_password(qtbot, dialog, "wrong-guess")
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    assert "Wrong username or password." in shown_text(dialog)
    assert "Username: demo" in shown_text(dialog), "a wrong password must not hide the details"
    type_password(qtbot, dialog, SENCO_PASSWORD)
    wait_for_main_window(qtbot, controller)
    controller.lock()
    assert "Username: demo" not in shown_text(controller.unlock_dialog)


def test_after_a_lock_the_window_says_when_and_why(qtbot, make_controller, school, clock):
    controller = make_controller()
    controller.start(school[0])
    assert "Locked" not in shown_text(controller.unlock_dialog), "nothing was locked at start"
    type_password(qtbot, active(qtbot, controller.unlock_dialog), SENCO_PASSWORD)
    window = wait_for_main_window(qtbot, controller)
    at = clock.now().astimezone().strftime("%H:%M")
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: controller.session is None, timeout=5_000)
    assert f"Locked at {at} (Ctrl+L)" in shown_text(controller.unlock_dialog)

    # A wrong password does not take the notice away; unlocking does.
    dialog = active(qtbot, controller.unlock_dialog)
    type_password(qtbot, dialog, "wrong-guess")
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    assert f"Locked at {at} (Ctrl+L)" in shown_text(dialog)
    type_password(qtbot, dialog, SENCO_PASSWORD)
    wait_for_main_window(qtbot, controller)
    controller.inactivity.start(100)                    # the five minutes, shortened
    qtbot.waitUntil(lambda: controller.session is None, timeout=5_000)
    assert (f"Locked at {at} after 5 minutes without use"
            in shown_text(controller.unlock_dialog))
