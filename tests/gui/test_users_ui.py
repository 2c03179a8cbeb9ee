"""Tools > Users: adding, changing, removing and resetting, clicked through the window.

Removing a user and a reset whose old password may be known re-encrypt the whole database: both
run on the runner's worker under a progress dialog that offers Cancel, and what the
re-encryption returns is shown once."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel
from tests.conftest import SENCO, SENCO_PASSWORD, STAFF

from sendesk.models.roles import Role
from sendesk.services import lifecycle, users
from sendesk.ui import runner as runner_mod
from sendesk.ui.runner import OpRunner
from sendesk.ui.users_dialog import ROTATE_TEXT, UsersDialog

NEW_PASSWORD = "window-pepper-orchard-12"


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def choose_row(qtbot, dialog: UsersDialog, username: str) -> None:
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    item = dialog.table.item(names.index(username), 0)
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=dialog.table.visualItemRect(item).center())
    assert dialog.selected_username() == username


def type_new_password(qtbot, editor) -> None:
    qtbot.keyClicks(editor.passwords.password, NEW_PASSWORD)
    qtbot.keyClicks(editor.passwords.confirm, NEW_PASSWORD)


def watch_progress(monkeypatch) -> list[tuple[str, bool]]:
    """Each progress dialog the runner opens: its label and whether it offers Cancel."""
    shown: list[tuple[str, bool]] = []
    original = runner_mod._ProgressShower.show

    def show(self):
        shown.append((self.label, self.progress is not None))
        original(self)

    monkeypatch.setattr(runner_mod._ProgressShower, "show", show)
    monkeypatch.setattr(runner_mod, "PROGRESS_DELAY_MS", 0)
    return shown


def users_window(qtbot, session) -> UsersDialog:
    dialog = UsersDialog(session, OpRunner(session))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_an_administrator_adds_then_removes_a_user_and_the_records_are_re_encrypted(
        qtbot, answers, senco_session, school, monkeypatch):
    shown = watch_progress(monkeypatch)
    dialog = users_window(qtbot, senco_session)
    assert dialog.table.rowCount() == 2
    click(qtbot, dialog.add_button)
    editor = dialog.editor
    qtbot.keyClicks(editor.username, "kfarah")
    qtbot.keyClicks(editor.full_name, "Khadija Farah")
    click(qtbot, editor.roles[list(editor.roles)[1]])   # staff
    assert not editor.rotate.isVisibleTo(editor), "a new user has no old password"
    type_new_password(qtbot, editor)
    click(qtbot, editor.ok)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=10_000)

    choose_row(qtbot, dialog, "kfarah")
    click(qtbot, dialog.remove_button)
    assert answers.messages[-1][0] == "confirm" and "re-encrypted" in answers.messages[-1][2]
    qtbot.waitUntil(lambda: dialog.rotation_dialog is not None, timeout=30_000)
    assert dialog.table.rowCount() == 2
    assert "kfarah" not in [u.username for u in users.list_users(senco_session)]
    assert any("re-encrypting" in label and cancel for label, cancel in shown), shown
    text = dialog.rotation_dialog.findChild(QLabel, "rotation_text").text()
    assert "encrypted under a new key" in text and "new password" not in text
    dialog.rotation_dialog.accept()
    senco_session.close()
    lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD).close()   # the new key opens


def test_a_reset_whose_old_password_may_be_known_re_encrypts_when_ticked(
        qtbot, answers, senco_session, school, monkeypatch):
    shown = watch_progress(monkeypatch)
    dialog = users_window(qtbot, senco_session)
    choose_row(qtbot, dialog, STAFF)
    click(qtbot, dialog.reset_button)
    editor = dialog.editor
    assert editor.rotate.text() == ROTATE_TEXT and editor.rotate.isVisible()
    assert editor.rotate.accessibleName() or editor.rotate.text()
    type_new_password(qtbot, editor)
    click(qtbot, editor.rotate)
    click(qtbot, editor.ok)
    qtbot.waitUntil(lambda: editor.result() == QDialog.DialogCode.Accepted, timeout=30_000)
    assert editor.rotation is not None and editor.rotation_dialog is not None
    assert editor.rotation_dialog.isVisible()
    assert any("Re-encrypting" in label and cancel for label, cancel in shown), shown
    editor.rotation_dialog.accept()
    senco_session.close()
    lifecycle.open_school(school[0], STAFF, NEW_PASSWORD).close()


def test_a_plain_reset_does_not_re_encrypt(qtbot, answers, senco_session, school):
    dialog = users_window(qtbot, senco_session)
    choose_row(qtbot, dialog, STAFF)
    click(qtbot, dialog.reset_button)
    editor = dialog.editor
    type_new_password(qtbot, editor)
    click(qtbot, editor.ok)
    qtbot.waitUntil(lambda: editor.result() == QDialog.DialogCode.Accepted, timeout=30_000)
    assert editor.rotation is None and editor.rotation_dialog is None
    senco_session.close()
    lifecycle.open_school(school[0], STAFF, NEW_PASSWORD).close()


def test_an_administrator_changes_a_users_name_and_roles_from_a_prefilled_form(
        qtbot, answers, senco_session):
    dialog = users_window(qtbot, senco_session)
    choose_row(qtbot, dialog, STAFF)
    click(qtbot, dialog.change_button)
    form = dialog.details
    assert form is not None and form.isVisible()
    assert form.full_name.text() == "Owen Williams", "the form holds what the record holds"
    assert form.roles[Role.STAFF].isChecked() and not form.roles[Role.SENCO].isChecked()
    form.full_name.selectAll()
    qtbot.keyClicks(form.full_name, "Owen Williams-Hart")
    click(qtbot, form.roles[Role.SENCO])
    form.grab().save("/tmp/w3-users-change.png")
    click(qtbot, form.ok)
    qtbot.waitUntil(lambda: form.result() == QDialog.DialogCode.Accepted, timeout=10_000)
    names = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}
    row = names[STAFF]
    assert dialog.table.item(row, 1).text() == "Owen Williams-Hart"
    assert "SENCO" in dialog.table.item(row, 2).text()
    kept = {u.username: u for u in users.list_users(senco_session)}[STAFF]
    assert kept.roles == {Role.STAFF, Role.SENCO}

    choose_row(qtbot, dialog, SENCO)
    click(qtbot, dialog.change_button)
    form = dialog.details
    click(qtbot, form.roles[Role.ADMIN])      # untick their own admin role
    qtbot.keyClick(form.ok, Qt.Key.Key_Space)
    assert "your own administrator role" in form.message.text()
    assert form.isVisible()
    dialog.grab().save("/tmp/w3-users-dialog.png")
    assert Role.ADMIN in {u.username: u for u in users.list_users(senco_session)}[SENCO].roles
