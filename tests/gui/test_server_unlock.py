"""The unlock window's "Connect to the school server" as a school PC uses it day to day
(issue 21, items 1 and 3): the address typed once is there the next morning (remembered on
this PC, never the password), and what goes wrong on the way in is one sentence an IT
technician can act on, naming the server, the database or the person, with nothing opened.

The first sign-in, the missing CA file and the wrong CA are in test_server_window.py."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.conftest import SENCO, SENCO_PASSWORD
from tests.gui.test_foundation import wait_for_main_window
from tests.pg_server import SUPERUSER, SUPERUSER_PASSWORD, _free_port

from sendesk.services import server_school
from sendesk.settings import Settings, data_dir

pytestmark = pytest.mark.server_only


def type_address(qtbot, dialog, port: int, database: str, ca) -> None:
    """Fill in the server's fields from the keyboard, as IT's note tells the person to."""
    qtbot.mouseClick(dialog.on_server, Qt.MouseButton.LeftButton)
    for field in (dialog.server.host, dialog.server.database, dialog.server.ca):
        field.clear()
    qtbot.keyClicks(dialog.server.host, "127.0.0.1")
    dialog.server.port.selectAll()
    qtbot.keyClicks(dialog.server.port, str(port))
    qtbot.keyClicks(dialog.server.database, database)
    qtbot.keyClicks(dialog.server.ca, str(ca))


def sign_in(qtbot, dialog, username=SENCO, password=SENCO_PASSWORD) -> None:
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    QTest.keyClick(dialog.password, Qt.Key.Key_Return)


def refused(qtbot, controller) -> str:
    dialog = controller.unlock_dialog
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=15_000)
    assert controller.session is None and controller.main_window is None
    assert dialog.password.text() == "" and dialog.isVisible()
    return dialog.message.text()


def test_the_server_typed_once_is_there_the_next_time_the_app_starts(
        qtbot, make_controller, school, pg_server, server_database):
    first = make_controller()
    first.show_unlock()
    type_address(qtbot, first.unlock_dialog, pg_server.port, server_database[1], pg_server.ca)
    sign_in(qtbot, first.unlock_dialog)
    wait_for_main_window(qtbot, first)
    first.quit()

    raw = (data_dir() / "settings.json").read_text()
    assert SENCO_PASSWORD not in raw
    assert json.loads(raw)["last_server"].startswith(f"postgresql://127.0.0.1:{pg_server.port}/")

    # The next morning: the app starts on this PC's settings, the server already chosen.
    again = make_controller(Settings.load())
    again.start()
    dialog = again.unlock_dialog
    assert dialog.on_server.isChecked() and dialog.server.isVisible()
    assert not dialog.file_row.isVisible() and dialog.path.text() == ""
    assert (dialog.server.host.text(), dialog.server.port.value(), dialog.server.database.text(),
            dialog.server.ca.text()) == ("127.0.0.1", pg_server.port, server_database[1],
                                         str(pg_server.ca))
    assert dialog.username.text() == SENCO and dialog.focusWidget() is dialog.password
    qtbot.keyClicks(dialog.password, SENCO_PASSWORD)
    QTest.keyClick(dialog.password, Qt.Key.Key_Return)
    window = wait_for_main_window(qtbot, again)
    assert "Brambleton Primary School" in window.school_label.text()


def test_a_database_not_on_the_server_is_named(qtbot, make_controller, school, pg_server,
                                               server_database):
    controller = make_controller()
    controller.show_unlock()
    type_address(qtbot, controller.unlock_dialog, pg_server.port, "brambelton", pg_server.ca)
    sign_in(qtbot, controller.unlock_dialog)
    assert refused(qtbot, controller) == (
        "There is no database called brambelton on the school server (127.0.0.1). Check the "
        "address, or set it up with sendesk-cli server init.")


def test_nothing_answering_at_the_address_says_so_and_that_nothing_changed(
        qtbot, make_controller, school, pg_server, server_database):
    controller = make_controller()
    controller.show_unlock()
    port = _free_port()   # nothing listens there: a server switched off, or the wrong port
    type_address(qtbot, controller.unlock_dialog, port, server_database[1], pg_server.ca)
    sign_in(qtbot, controller.unlock_dialog)
    said = refused(qtbot, controller)
    assert said.startswith("The school server is not answering at "
                           f"postgresql://127.0.0.1:{port}/{server_database[1]}.")
    assert "network connection" in said and "nothing was changed" in said
    # Put right, the same window signs in.
    controller.unlock_dialog.server.port.selectAll()
    qtbot.keyClicks(controller.unlock_dialog.server.port, str(pg_server.port))
    qtbot.keyClicks(controller.unlock_dialog.password, SENCO_PASSWORD)
    QTest.keyClick(controller.unlock_dialog.password, Qt.Key.Key_Return)
    wait_for_main_window(qtbot, controller)


def test_a_login_of_another_school_on_the_same_server_is_told_whose_it_is_not(
        qtbot, make_controller, school, pg_server, server_database, clock):
    """A trust's server holds several schools: a person of one school typing another's
    database signs in to the server but is not that school's user, and is told so."""
    other = pg_server.acquire()
    try:
        server_school.create_on_server(
            pg_server.url(other, user=SUPERUSER), SUPERUSER_PASSWORD,
            school_name="Hollybank Academy", school_reference="654321", username="rjones",
            full_name="Rhiannon Jones", password="copper-lighthouse-wander-61",
            clock=clock).close()
        controller = make_controller()
        controller.show_unlock()
        type_address(qtbot, controller.unlock_dialog, pg_server.port, server_database[1],
                     pg_server.ca)
        sign_in(qtbot, controller.unlock_dialog, "rjones", "copper-lighthouse-wander-61")
        assert refused(qtbot, controller) == (
            f"rjones can sign in to the school server but is not a sendesk user of this "
            f"school ({server_database[1]}). Ask your administrator.")
    finally:
        controller.unlock_dialog.close()
        pg_server.release(other)
