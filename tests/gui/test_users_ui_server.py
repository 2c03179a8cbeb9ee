"""Tools > Users on a school-server session: the same dialog adds, resets and removes users,
and on the server that means login roles (no key to re-encrypt, so no re-encryption offered)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog
from tests.conftest import STAFF, STAFF_PASSWORD
from tests.gui.test_users_ui import NEW_PASSWORD, choose_row, click, type_new_password, users_window

from sendesk.errors import SendeskError
from sendesk.services import lifecycle

pytestmark = pytest.mark.server_only


def test_the_users_dialog_manages_server_logins(qtbot, answers, senco_session, school):
    dialog = users_window(qtbot, senco_session)
    click(qtbot, dialog.add_button)
    editor = dialog.editor
    qtbot.keyClicks(editor.username, "kfarah")
    qtbot.keyClicks(editor.full_name, "Khadija Farah")
    click(qtbot, editor.roles[list(editor.roles)[1]])   # staff
    type_new_password(qtbot, editor)
    click(qtbot, editor.ok)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=10_000)
    lifecycle.open_school(school[0], "kfarah", NEW_PASSWORD).close()   # a login of its own

    choose_row(qtbot, dialog, STAFF)
    click(qtbot, dialog.reset_button)
    editor = dialog.editor
    assert not editor.rotate.isVisibleTo(editor), "nothing to re-encrypt on the server"
    type_new_password(qtbot, editor)
    click(qtbot, editor.ok)
    qtbot.waitUntil(lambda: editor.result() == QDialog.DialogCode.Accepted, timeout=30_000)
    assert editor.rotation is None and editor.rotation_dialog is None
    with pytest.raises(SendeskError, match="Wrong username or password"):
        lifecycle.open_school(school[0], STAFF, STAFF_PASSWORD)
    lifecycle.open_school(school[0], STAFF, NEW_PASSWORD).close()

    choose_row(qtbot, dialog, "kfarah")
    click(qtbot, dialog.remove_button)
    assert answers.messages[-1][0] == "confirm"
    assert "school server is switched off" in answers.messages[-1][2]
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=30_000)
    assert dialog.rotation_dialog is None
    dialog.grab().save("/tmp/pg-secure-users.png")
    with pytest.raises(SendeskError):
        lifecycle.open_school(school[0], "kfarah", NEW_PASSWORD)
