"""The window on the school server (issue 21): the unlock window connects to it, two windows
signed in to one server see each other's changes and a save over someone else's is refused
with both versions shown, and a server that stops or a connection that is cut reads as one
sentence, after which the window carries on.

The two "PCs" are two AppControllers (two main windows, two sessions, two settings) in this
one test process against the run's real PostgreSQL server (tests/pg_server.py); starting two
Qt processes would double the time for no more of the path under test: each window has its
own connections, and the NOTIFY crosses the server between them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.conftest import SENCO, SENCO_PASSWORD
from tests.gui.test_foundation import unlock, wait_for_main_window
from tests.gui.test_pupils_ui import names
from tests.records_fixtures import add_pupil

from sendesk.records import pupils
from sendesk.services import lifecycle, users
from sendesk.settings import Settings
from sendesk.ui.load_on_show import unread_notice
from sendesk.ui.stale_dialog import StaleDialog

pytestmark = pytest.mark.server_only
OTHER, OTHER_NAME, OTHER_PASSWORD = "jjones", "Jo Jones", "copper-willow-station-62"


@pytest.fixture
def second_senco(school, clock):
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    users.add_user(session, OTHER, OTHER_NAME, "senco", OTHER_PASSWORD)
    pupil = add_pupil(session, legal_surname="Nowak", legal_forename="Zofia",
                      preferred_forename=None, preferred_surname=None)
    session.close()
    return pupil


def signed_in(qtbot, make_controller, url, user=SENCO, password=SENCO_PASSWORD):
    controller = make_controller(Settings(last_database=url))
    controller.start()
    unlock(qtbot, controller, user, password)
    wait_for_main_window(qtbot, controller)
    qtbot.waitUntil(lambda: controller.workspace.outside.listening.is_set(), timeout=10_000)
    return controller


def test_the_unlock_window_connects_to_the_school_server(qtbot, make_controller, school,
                                                        pg_server, server_database):
    controller = make_controller()
    controller.show_unlock()
    dialog = controller.unlock_dialog
    assert dialog.on_file.isChecked() and not dialog.server.isVisible()
    qtbot.mouseClick(dialog.on_server, Qt.MouseButton.LeftButton)
    assert dialog.server.isVisible() and not dialog.file_row.isVisible()
    assert not dialog.forgot_button.isEnabled() and "own server password" in dialog.forgot_button.toolTip()
    for widget in (dialog.server.host, dialog.server.port, dialog.server.database, dialog.server.ca):
        assert widget.accessibleName()
    qtbot.keyClicks(dialog.server.host, "127.0.0.1")
    dialog.server.port.selectAll()
    qtbot.keyClicks(dialog.server.port, str(pg_server.port))
    qtbot.keyClicks(dialog.server.database, server_database[1])
    qtbot.keyClicks(dialog.username, SENCO)
    qtbot.keyClicks(dialog.password, SENCO_PASSWORD)
    QTest.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "CA certificate" in dialog.message.text()          # one sentence: what is missing
    qtbot.keyClicks(dialog.server.ca, str(pg_server.ca))
    qtbot.keyClicks(dialog.password, "not-the-password-9")
    QTest.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    assert dialog.message.text() == "Wrong username or password."
    dialog.grab().save("/tmp/pg-multi-unlock.png")
    qtbot.keyClicks(dialog.password, SENCO_PASSWORD)
    QTest.keyClick(dialog.password, Qt.Key.Key_Return)
    window = wait_for_main_window(qtbot, controller)
    location = controller.session.location
    assert location.startswith(f"postgresql://127.0.0.1:{pg_server.port}/{server_database[1]}")
    assert controller.settings.last_database == controller.settings.last_server == location
    assert SENCO_PASSWORD not in location
    assert controller.quick_unlock_possible(location) is False
    window.grab().save("/tmp/pg-multi-main.png")
    # Locked, the window offers the server again with its address filled in.
    controller.lock()
    again = controller.unlock_dialog
    assert again.on_server.isChecked() and again.server.host.text() == "127.0.0.1"
    assert again.server.database.text() == server_database[1]


def test_a_long_connection_error_is_shown_whole(qtbot, make_controller, school, pg_server,
                                                server_database, tmp_path):
    """The wrong-CA sentence is three lines at the window's width: the window grows to show
    every line, and the buttons stay below it."""
    from tests.pg_server import _write_certificates
    other_ca, _, _ = _write_certificates(tmp_path)
    controller = make_controller()
    controller.show_unlock()
    dialog = controller.unlock_dialog
    qtbot.mouseClick(dialog.on_server, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.server.host, "127.0.0.1")
    dialog.server.port.selectAll()
    qtbot.keyClicks(dialog.server.port, str(pg_server.port))
    qtbot.keyClicks(dialog.server.database, server_database[1])
    qtbot.keyClicks(dialog.server.ca, str(other_ca))
    qtbot.keyClicks(dialog.username, SENCO)
    qtbot.keyClicks(dialog.password, SENCO_PASSWORD)
    QTest.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    assert "did not prove it is the school server" in dialog.message.text()
    qtbot.wait(50)
    message = dialog.message
    assert message.height() >= message.heightForWidth(message.width())
    assert message.geometry().bottom() < dialog.unlock_button.mapTo(dialog, dialog.unlock_button.rect().topLeft()).y()
    assert message.mapTo(dialog, message.rect().bottomLeft()).y() <= dialog.height()
    for field in (dialog.server.host, dialog.server.port, dialog.server.database,
                  dialog.server.ca, dialog.username, dialog.password):   # none squashed to fit it
        assert field.height() >= field.sizeHint().height(), field.accessibleName()
    dialog.grab().save("/tmp/fix-e-unlock-long.png")


def test_two_windows_on_one_server_see_each_others_changes(qtbot, make_controller, school,
                                                          second_senco, answers):
    mine = signed_in(qtbot, make_controller, school[0])
    theirs = signed_in(qtbot, make_controller, school[0], OTHER, OTHER_PASSWORD)
    page = mine.main_window.show_page("pupils")
    qtbot.waitUntil(lambda: "Nowak, Zofia" in names(page), timeout=10_000)

    # The other PC adds a pupil: this list shows it without a click.
    theirs.runner.call(pupils.add_pupil, {
        "upn": "K801200000999", "legal_surname": "Arrived", "legal_forename": "Newly",
        "dob": "2016-04-03", "gender": "F", "year_group": "5"})
    qtbot.waitUntil(lambda: "Arrived, Newly" in names(page), timeout=10_000)

    # Both open Zofia's record; the other PC changes her class; this record window follows.
    record = mine.workspace.open_pupil(second_senco)
    other = theirs.workspace.open_pupil(second_senco)
    qtbot.waitUntil(lambda: record.record is not None and other.record is not None, timeout=10_000)
    qtbot.keyClicks(record.profile_form.widgets["preferred_forename"], "Zosia")   # typing here
    other.profile_form.widgets["class_name"].clear()
    qtbot.keyClicks(other.profile_form.widgets["class_name"], "5 Oak")
    qtbot.mouseClick(other.save_profile_button, Qt.MouseButton.LeftButton)
    assert other.profile_message.text() == "Saved."
    qtbot.waitUntil(lambda: "5 Oak" in record.header.text(), timeout=10_000)
    # What was being typed here was not overwritten by the refresh...
    assert record.profile_form.widgets["preferred_forename"].text() == "Zosia"
    # ...and saving it is refused, with both versions side by side.
    qtbot.mouseClick(record.save_profile_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(getattr(record, "stale_dialog", None), StaleDialog)
                    and record.stale_dialog.isVisible(), timeout=10_000)
    dialog = record.stale_dialog
    assert dialog.exc.who == OTHER_NAME
    assert "Jo Jones changed Zofia Nowak's details on 23/11/2026 at" in dialog.exc.args[0]
    cells = {dialog.versions.item(r, 0).text(): (dialog.versions.item(r, 1).text(),
                                                 dialog.versions.item(r, 2).text())
             for r in range(dialog.versions.rowCount())}
    assert cells["Preferred forename"] == ("Zosia", "")
    assert cells["Class"] == ("unchanged by you", "5 Oak")   # only Jo changed the class
    dialog.grab().save("/tmp/pg-multi-stale.png")
    assert pupils.get_pupil(mine.session, second_senco).details.preferred_forename is None
    qtbot.mouseClick(dialog.keep, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: record.profile_message.text() == "Saved.", timeout=10_000)
    kept = pupils.get_pupil(mine.session, second_senco).details
    assert (kept.preferred_forename, kept.class_name) == ("Zosia", "5 Oak"), "nothing lost"
    qtbot.waitUntil(lambda: "Zosia" in other.header.text(), timeout=10_000)


def test_take_theirs_shows_the_saved_version(qtbot, make_controller, school, second_senco):
    mine = signed_in(qtbot, make_controller, school[0])
    record = mine.workspace.open_pupil(second_senco)
    qtbot.waitUntil(lambda: record.record is not None, timeout=10_000)
    qtbot.keyClicks(record.profile_form.widgets["class_name"], "5 Ash")
    elsewhere = lifecycle.open_school(school[0], OTHER, OTHER_PASSWORD)
    pupils.update_pupil(elsewhere, second_senco, {"class_name": "5 Oak"})
    elsewhere.close()
    qtbot.waitUntil(lambda: "5 Oak" in record.header.text(), timeout=10_000)
    qtbot.mouseClick(record.save_profile_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(record, "stale_dialog", None) is not None, timeout=10_000)
    versions = record.stale_dialog.versions
    assert [(versions.item(r, 0).text(), versions.item(r, 1).text())
            for r in range(versions.rowCount())] == [
        ("Class", record.profile_form.widgets["class_name"].text())]
    qtbot.mouseClick(record.stale_dialog.take, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: record.profile_form.widgets["class_name"].text() == "5 Oak",
                    timeout=10_000)
    assert not record.profile_unsaved()


def test_the_server_stopped_mid_work_reads_as_one_sentence_and_the_window_carries_on(
        qtbot, make_controller, school, second_senco, pg_server):
    mine = signed_in(qtbot, make_controller, school[0])
    record = mine.workspace.open_pupil(second_senco)
    qtbot.waitUntil(lambda: record.record is not None, timeout=10_000)
    outside = mine.workspace.outside
    pg_server.stop()
    try:
        qtbot.keyClicks(record.profile_form.widgets["class_name"], "5 Ash")
        qtbot.mouseClick(record.save_profile_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: record.profile_message.text() != "", timeout=10_000)
        assert record.profile_message.text().startswith("The school server is not answering.")
        assert "\n" not in record.profile_message.text() and "Traceback" not in record.profile_message.text()
        qtbot.waitUntil(lambda: not outside.listening.is_set(), timeout=10_000)
    finally:
        pg_server.restart()
    qtbot.waitUntil(outside.listening.is_set, timeout=15_000)   # the listener is back
    qtbot.mouseClick(record.save_profile_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: record.profile_message.text() == "Saved.", timeout=10_000)
    # Changes from another PC arrive again.
    elsewhere = lifecycle.open_school(school[0], OTHER, OTHER_PASSWORD)
    pupils.update_pupil(elsewhere, second_senco, {"preferred_forename": "Zosia"})
    elsewhere.close()
    qtbot.waitUntil(lambda: "Zosia" in record.header.text(), timeout=10_000)


def test_pages_reading_again_while_the_server_is_down_show_a_sentence_not_a_crash(
        qtbot, make_controller, school, second_senco, pg_server, monkeypatch):
    """A change heard just before the server stopped makes Home and the pupil list read
    again: the failure is the status bar's one sentence, never the unexpected-error box."""
    import sys

    from sendesk.operations import Changes, Kind
    escaped = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: escaped.append(info))
    mine = signed_in(qtbot, make_controller, school[0])
    window = mine.main_window
    pupils_page = window.show_page("pupils")
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.nav.visualItemRect(window.nav.item(0)).center())
    home = mine.workspace.home
    qtbot.waitUntil(lambda: home.isVisible() and home.loaded, timeout=10_000)
    pg_server.stop()
    try:
        mine.runner.changed.emit(Changes(frozenset({second_senco}), frozenset({Kind.PUPIL})))
        qtbot.waitUntil(lambda: window.statusBar().currentMessage() != "", timeout=10_000)
        assert window.statusBar().currentMessage().startswith("The school server is not answering")
        qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton,
                         pos=window.nav.visualItemRect(window.nav.item(1)).center())
        assert pupils_page.isVisible()
        assert escaped == []
    finally:
        pg_server.restart()
    window.statusBar().clearMessage()
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.nav.visualItemRect(window.nav.item(0)).center())
    qtbot.waitUntil(lambda: home.loaded, timeout=10_000)   # read again once it is back
    assert window.statusBar().currentMessage() == "" and escaped == []


def test_a_cut_connection_mid_save_writes_nothing_and_the_next_save_works(
        qtbot, make_controller, school, second_senco, pg_server, server_database):
    mine = signed_in(qtbot, make_controller, school[0])
    record = mine.workspace.open_pupil(second_senco)
    qtbot.waitUntil(lambda: record.record is not None, timeout=10_000)
    outside = mine.workspace.outside
    with pg_server.admin(server_database[1]) as conn:   # every connection of this school's
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    qtbot.keyClicks(record.profile_form.widgets["class_name"], "5 Ash")
    qtbot.mouseClick(record.save_profile_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: record.profile_message.text() != "", timeout=10_000)
    if record.profile_message.text() != "Saved.":
        assert record.profile_message.text().startswith("The school server is not answering.")
        check = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD)
        assert pupils.get_pupil(check, second_senco).details.class_name != "5 Ash"
        check.close()
        qtbot.mouseClick(record.save_profile_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: record.profile_message.text() == "Saved.", timeout=10_000)
    qtbot.waitUntil(outside.listening.is_set, timeout=15_000)
    elsewhere = lifecycle.open_school(school[0], OTHER, OTHER_PASSWORD)
    pupils.update_pupil(elsewhere, second_senco, {"preferred_forename": "Zosia"})
    elsewhere.close()
    qtbot.waitUntil(lambda: "Zosia" in record.header.text(), timeout=10_000)



def test_a_removed_user_is_told_so_opening_a_record_reading_a_page_and_signing_in(
        qtbot, make_controller, school, second_senco, answers):
    """On the server the app does not ask before each action whether the account is still
    there: the server refuses, and each place a person meets that refusal says it in the
    removal's own sentence, not a technical error or a network fault (review 24 F7.1-F7.3)."""
    mine = signed_in(qtbot, make_controller, school[0], OTHER, OTHER_PASSWORD)
    window = mine.main_window
    page = window.show_page("pupils")
    qtbot.waitUntil(lambda: "Nowak" in " ".join(names(page)), timeout=10_000)
    admin = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD)
    users.remove_user(admin, OTHER)
    admin.close()
    row = next(r for r, name in enumerate(names(page)) if "Nowak" in name)
    page.table.setCurrentIndex(page.model.index(row, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert ("error", "Open a pupil's record",
            "Your account has been removed. Ask your administrator.") in answers.messages
    assert mine.workspace.records == {}
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.nav.visualItemRect(window.nav.item(0)).center())
    home = mine.workspace.home
    # (a bool, not the label or None: waitUntil takes a None as "nothing was asserted: done").
    # The page's own notice. (The next window made here used to crash over a dangling screen:
    # not the lookup, as first thought, but widget.screen(), see ui/screen_fit.py.)
    qtbot.waitUntil(lambda: unread_notice(home) is not None, timeout=10_000)
    notice = unread_notice(home)
    qtbot.waitUntil(notice.isVisible, timeout=10_000)
    assert notice.text() == ("This page could not be read. Your account has been removed. Ask "
                             "your administrator.")   # no "read again when the server answers"
    again = make_controller(Settings(last_database=school[0]))
    again.start()
    unlock(qtbot, again, OTHER, OTHER_PASSWORD)
    message = again.unlock_dialog.message
    qtbot.waitUntil(lambda: message.text() != "", timeout=10_000)
    assert "can no longer sign in" in message.text() and "removed" in message.text()
    assert "not answering" not in message.text()


def test_the_listener_ends_with_its_session(qtbot, school, clock):
    """Its session closed without a lock (a window thrown away), the listening thread ends
    too: it went on trying to reconnect every few seconds for the life of the process."""
    from PySide6.QtCore import QObject

    from sendesk.ui.runner import OpRunner
    from sendesk.ui.server_changes import ServerChanges
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    holder = QObject()
    runner = OpRunner(session, holder)
    watcher = ServerChanges(runner, holder)
    qtbot.waitUntil(watcher.listening.is_set, timeout=10_000)
    session.close()
    qtbot.waitUntil(lambda: not watcher._thread.is_alive(), timeout=10_000)
