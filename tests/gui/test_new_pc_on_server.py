"""A school's second PC, the day IT installs sendesk on it (issue 21, item 1): its data folder
is empty, so the app opens on "Create a school database", yet the school's records are on the
school server already. That first window leads to the server's fields and signs in there,
with nothing typed into settings.json by hand; and `sendesk "postgresql://..."` (a shortcut IT
can make) opens the unlock window on that server.

Before, the first window's only other way in was a file picker, and the address given on the
command line was read as a file path ('//' folded to '/'), so it showed the create window."""

from __future__ import annotations

import json
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.conftest import SENCO, SENCO_PASSWORD
from tests.gui.test_foundation import wait_for_main_window
from tests.gui.test_server_unlock import sign_in

from sendesk.settings import Settings, data_dir
from sendesk.ui import app as app_module

pytestmark = pytest.mark.server_only


def test_a_new_pc_signs_in_to_the_school_server_from_its_first_window(
        qtbot, make_controller, school, pg_server, server_database):
    assert list(data_dir().iterdir()) == []   # a PC sendesk has never run on
    controller = make_controller(Settings.load())
    controller.start()
    create = controller.create_dialog
    assert create is not None and create.isVisible() and controller.unlock_dialog is None
    qtbot.waitExposed(create)
    create.grab().save("/tmp/fix21c-create.png")
    assert "school server" in create.server_button.text().replace("&", "")

    qtbot.mouseClick(create.server_button, Qt.MouseButton.LeftButton)
    dialog = controller.unlock_dialog
    assert dialog is not None and dialog.isVisible() and controller.create_dialog is None
    assert dialog.on_server.isChecked() and dialog.server.isVisible()
    assert not dialog.file_row.isVisible()
    # The keyboard starts in the first empty box, the server's name, and Tab goes on from
    # there, as IT's note reads: server, port, database, certificate.
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.server.host, timeout=2_000)
    for field, typed in ((dialog.server.host, "127.0.0.1"), (dialog.server.port, str(pg_server.port)),
                         (dialog.server.database, server_database[1]),
                         (dialog.server.ca, str(pg_server.ca))):
        assert dialog.focusWidget() is field
        QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(field, typed)
        QTest.keyClick(field, Qt.Key.Key_Tab)
    assert dialog.server.port.value() == pg_server.port
    dialog.grab().save("/tmp/fix21c-first-unlock.png")
    sign_in(qtbot, dialog)
    window = wait_for_main_window(qtbot, controller)
    assert "Brambleton Primary School" in window.school_label.text()
    assert controller.session.on_server
    remembered = json.loads((data_dir() / "settings.json").read_text())
    assert remembered["last_server"] == pg_server.url(server_database[1])
    assert SENCO_PASSWORD not in json.dumps(remembered)


def test_sendesk_given_the_servers_address_opens_the_unlock_window_on_it(
        qtbot, qapp, monkeypatch, make_controller, school, pg_server, server_database):
    made = []

    def controller_for(app):
        made.append(make_controller(Settings.load()))
        return made[-1]

    monkeypatch.setattr(app_module, "AppController", controller_for)
    monkeypatch.setattr(qapp, "exec", lambda: 0)       # the test is the event loop
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    url = pg_server.url(server_database[1])
    assert app_module.main([url]) == 0

    controller, = made
    dialog = controller.unlock_dialog
    assert controller.create_dialog is None and dialog is not None and dialog.isVisible()
    assert dialog.on_server.isChecked() and dialog.path.text() == ""
    assert (dialog.server.host.text(), dialog.server.port.value(), dialog.server.database.text(),
            dialog.server.ca.text()) == ("127.0.0.1", pg_server.port, server_database[1],
                                         str(pg_server.ca))
    sign_in(qtbot, dialog, SENCO, SENCO_PASSWORD)
    wait_for_main_window(qtbot, controller)
    assert controller.session.location == url
