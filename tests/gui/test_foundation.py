"""The foundation's windows driven for real: create, unlock, wrong password, lock, auto-lock,
quick unlock, recovery. On both engines (the server through the unlock window's server
fields); what belongs to the file alone (its key file, quick unlock, the recovery key) is not."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel
from tests.conftest import SCHOOL_NAME, SENCO, SENCO_NAME, SENCO_PASSWORD, STAFF, STAFF_PASSWORD

from sendesk.services import lifecycle
from sendesk.settings import Settings, data_dir
from sendesk.ui.create_dialog import CreateDatabaseDialog
from sendesk.ui.inactivity import InactivityTimer
from sendesk.ui.main_window import MainWindow
from sendesk.ui.settings_dialog import SettingsDialog
from sendesk.ui.unlock_dialog import RecoverDialog, UnlockDialog

pytestmark = pytest.mark.both_engines


def unlock(qtbot, controller, username=SENCO, password=SENCO_PASSWORD) -> None:
    dialog = controller.unlock_dialog
    dialog.username.setText(username)
    dialog.password.setText(password)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)


def wait_for_main_window(qtbot, controller) -> MainWindow:
    qtbot.waitUntil(lambda: controller.main_window is not None and controller.main_window.isVisible(),
                    timeout=10_000)
    # The pages read through the runner while the window opens; let the window system finish
    # activating it (unless a dialog opened on top of it), as a person waits to see it.
    try:
        qtbot.waitUntil(controller.main_window.isActiveWindow, timeout=1_000)
    except qtbot.TimeoutError:
        pass
    return controller.main_window


def test_first_run_creates_database_and_shows_recovery_key_once(qtbot, make_controller, tmp_path):
    controller = make_controller()
    controller.start()
    dialog = controller.create_dialog
    assert isinstance(dialog, CreateDatabaseDialog) and dialog.isVisible()
    path = tmp_path / "new.sendesk"
    dialog.school_name.setText("Hollybank Academy")
    dialog.school_ref.setText("937/4001")
    dialog.username.setText("rjones")
    dialog.full_name.setText("Rhiannon Jones")
    dialog.path.setText(str(path))
    dialog.passwords.password.setText("summer2024")
    dialog.passwords.confirm.setText("summer2024")
    assert not dialog.create_button.isEnabled(), "a weak password must be refused"
    assert "not strong enough" in dialog.passwords.advice.text().lower()
    dialog.passwords.password.setText("copper-lighthouse-wander-61")
    dialog.passwords.confirm.setText("copper-lighthouse-wander-6")
    assert not dialog.create_button.isEnabled(), "mismatched passwords must be refused"
    dialog.passwords.confirm.setText("copper-lighthouse-wander-61")
    assert dialog.create_button.isEnabled()
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: controller.recovery_dialog is not None and controller.recovery_dialog.isVisible(),
                    timeout=10_000)
    recovery = controller.recovery_dialog
    key = recovery.findChild(QLabel, "recovery_key").text()
    assert len(key.replace("-", "")) == 32
    assert not recovery.ok.isEnabled(), "continuing needs confirmation that the key was kept"
    recovery.reject()
    assert recovery.isVisible(), "Escape must not throw away the only sight of the key"
    recovery.kept.setChecked(True)
    qtbot.mouseClick(recovery.ok, Qt.MouseButton.LeftButton)
    window = wait_for_main_window(qtbot, controller)
    assert "Hollybank Academy" in window.school_label.text()
    assert "Rhiannon Jones" in window.user_label.text()
    assert "SENCO" in window.role_label.text() and "Administrator" in window.role_label.text()

    # The recovery key shown really opens the database.
    controller.lock()
    session = lifecycle.recover(path, key, "rjones", "another-strong-phrase-here-9")
    assert session.user.full_name == "Rhiannon Jones"
    session.close()


def test_settings_remember_the_database_but_hold_no_names(qtbot, make_controller, school):
    path, _ = school
    controller = make_controller()
    controller.start(path)
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    stored = json.loads((data_dir() / "settings.json").read_text())
    assert stored["last_database"] == str(path)
    assert stored["last_username"] == SENCO
    raw = (data_dir() / "settings.json").read_text()
    assert SCHOOL_NAME not in raw and SENCO_NAME not in raw
    assert Settings.load().last_database == str(path)


def test_wrong_password_says_so_and_opens_nothing(qtbot, make_controller, school):
    path, _ = school
    controller = make_controller()
    controller.start(path)
    assert isinstance(controller.unlock_dialog, UnlockDialog)
    unlock(qtbot, controller, password="not-the-password")
    dialog = controller.unlock_dialog
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    assert dialog.message.text() == "Wrong username or password."
    assert dialog.password.text() == ""
    assert controller.session is None and controller.main_window is None
    assert "Traceback" not in dialog.message.text()


@pytest.mark.sqlcipher_only(reason="the key file lies beside the database file")
def test_damaged_key_file_message_is_plain(qtbot, make_controller, school):
    path, _ = school
    keyfile = path.with_name(path.name + "-keys")
    keyfile.write_bytes(b"{not json")
    controller = make_controller()
    controller.start(path)
    unlock(qtbot, controller)
    dialog = controller.unlock_dialog
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    assert "key file" in dialog.message.text() and "damaged" in dialog.message.text()


def test_status_bar_shows_school_user_and_role(qtbot, make_controller, school):
    controller = make_controller()
    controller.start(school[0])
    unlock(qtbot, controller, STAFF, STAFF_PASSWORD)
    window = wait_for_main_window(qtbot, controller)
    assert SCHOOL_NAME in window.school_label.text() and "URN 123456" in window.school_label.text()
    assert "Owen Williams" in window.user_label.text()
    assert window.role_label.text() == "Role: Staff"
    backup = window.findChild(type(window.lock_action), "backup")
    assert not backup.isEnabled() and "Staff" in backup.toolTip(), "staff may not back up"


def test_every_page_name_fits_in_the_page_list(qtbot, make_controller, school):
    controller = make_controller()
    controller.start(school[0])
    unlock(qtbot, controller)
    window = wait_for_main_window(qtbot, controller)
    nav = window.nav
    assert nav.count() >= 7, "the SENCO sees every page, transfers and calendar included"
    room = nav.viewport().width()
    for row in range(nav.count()):
        item = nav.item(row)
        assert nav.visualItemRect(item).width() <= room
        assert nav.fontMetrics().horizontalAdvance(item.text()) < room, item.text()


def test_ctrl_l_discards_the_session_and_every_window(qtbot, make_controller, school):
    controller = make_controller()
    controller.start(school[0])
    unlock(qtbot, controller)
    window = wait_for_main_window(qtbot, controller)
    session = controller.session
    extra = QDialog()  # stands for any other window with pupil data in it
    extra.show()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: controller.session is None, timeout=5_000)
    assert not session.is_open and not session.db.is_open
    assert session._data_key is None
    assert not extra.isVisible()
    assert controller.main_window is None
    assert isinstance(controller.unlock_dialog, UnlockDialog) and controller.unlock_dialog.isVisible()
    visible = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert visible == [controller.unlock_dialog]
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)


def test_auto_lock_after_idle_time(qtbot, make_controller, school):
    settings = Settings()
    assert settings.idle_lock_minutes == 5
    controller = make_controller(settings)
    controller.start(school[0])
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    assert controller.inactivity.active and controller.inactivity.interval == 5 * 60_000
    controller.inactivity.start(150)
    qtbot.waitUntil(lambda: controller.session is None, timeout=5_000)
    assert controller.unlock_dialog.isVisible()


def test_activity_postpones_the_lock(qtbot):
    timer = InactivityTimer()
    QApplication.instance().installEventFilter(timer)
    fired = []
    timer.inactive.connect(lambda: fired.append(True))
    try:
        timer.start(400)
        for _ in range(6):
            qtbot.wait(120)
            QApplication.sendEvent(QApplication.instance(),
                                   QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier))
        assert not fired, "typing must keep the app unlocked"
        qtbot.waitUntil(lambda: bool(fired), timeout=3_000)
    finally:
        QApplication.instance().removeEventFilter(timer)


@pytest.mark.sqlcipher_only(reason="quick unlock keeps a file's data key; the server has none")
def test_quick_unlock_after_lock_until_sign_out(qtbot, make_controller, school, memory_keyring):
    settings = Settings(quick_unlock=True)
    controller = make_controller(settings)
    controller.start(school[0])
    # Before the first unlock nothing is kept for quick unlock, so it is not offered.
    assert memory_keyring.store == {} and controller.unlock_dialog.quick_button.isHidden()
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    assert len(memory_keyring.store) == 1
    controller.lock()
    dialog = controller.unlock_dialog
    assert not dialog.quick_button.isHidden()
    qtbot.mouseClick(dialog.quick_button, Qt.MouseButton.LeftButton)
    window = wait_for_main_window(qtbot, controller)
    assert controller.session.user.username == SENCO
    assert controller.session.db.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'signed in with quick unlock'") == 1
    window.sign_out_requested.emit()
    assert controller.session is None
    assert memory_keyring.store == {}, "signing out wipes the quick-unlock key"
    assert controller.unlock_dialog.quick_button.isHidden()


@pytest.mark.sqlcipher_only(reason="quick unlock keeps a file's data key; the server has none")
def test_quick_unlock_expires(qtbot, make_controller, school, memory_keyring, clock):
    controller = make_controller(Settings(quick_unlock=True, quick_unlock_hours=1))
    controller.start(school[0])
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    controller.lock()
    assert not controller.unlock_dialog.quick_button.isHidden()
    clock.advance(dt.timedelta(hours=1, seconds=1))
    controller.unlock_dialog.refresh_quick_unlock()
    assert controller.unlock_dialog.quick_button.isHidden()
    assert memory_keyring.store == {}, "an expired key is removed from the keyring"


@pytest.mark.sqlcipher_only(reason="quick unlock keeps a file's data key; the server has none")
def test_quick_unlock_is_wiped_on_quit(qtbot, make_controller, school, memory_keyring):
    controller = make_controller(Settings(quick_unlock=True))
    controller.start(school[0])
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    assert memory_keyring.store
    controller.quit()
    assert memory_keyring.store == {}


@pytest.mark.sqlcipher_only(reason="quick unlock keeps a file's data key; the server has none")
def test_quick_unlock_option_hidden_without_a_keyring(qtbot, make_controller, school, no_keyring):
    controller = make_controller(Settings(quick_unlock=True), backend=no_keyring)
    controller.start(school[0])
    assert controller.unlock_dialog.quick_button.isHidden()
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    dialog = SettingsDialog(controller.settings, controller.quick.available)
    qtbot.addWidget(dialog)
    assert dialog.quick.isHidden() and dialog.expiry.isHidden()


def test_settings_dialog_changes_idle_time(qtbot, make_controller, school, memory_keyring):
    controller = make_controller()
    controller.start(school[0])
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    dialog = SettingsDialog(controller.settings, True)
    qtbot.addWidget(dialog)
    dialog.idle.setValue(12)
    dialog.quick.setChecked(True)
    dialog._save()
    saved = Settings.load()
    assert saved.idle_lock_minutes == 12 and saved.quick_unlock is True


@pytest.mark.sqlcipher_only(reason="the recovery key opens the file's key slots")
def test_forgotten_password_with_recovery_key(qtbot, make_controller, school):
    path, recovery = school
    controller = make_controller()
    controller.start(path)
    dialog = RecoverDialog(controller.entry_runner, str(path), SENCO)
    qtbot.addWidget(dialog)
    opened = []
    dialog.recovered.connect(opened.append)
    dialog.key.setText("AAAA-" + recovery[5:])
    dialog.passwords.password.setText("fresh-garden-pebble-tune-5")
    dialog.passwords.confirm.setText("fresh-garden-pebble-tune-5")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    if recovery[:4] != "AAAA":
        assert "recovery key does not open" in dialog.message.text()
    dialog.key.setText(recovery.lower())
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    opened[0].close()
    lifecycle.open_school(path, SENCO, "fresh-garden-pebble-tune-5").close()


def test_staff_has_no_users_menu(qtbot, make_controller, school):
    controller = make_controller()
    controller.start(school[0])
    unlock(qtbot, controller, STAFF, STAFF_PASSWORD)
    window = wait_for_main_window(qtbot, controller)
    actions = {a.objectName(): a for a in window.tools_menu.actions()}
    assert not actions["users"].isEnabled() and not actions["backup"].isEnabled()
    assert actions["settings"].isEnabled()
