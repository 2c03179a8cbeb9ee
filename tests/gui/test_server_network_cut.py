"""The window when the school server cannot be heard (issue 21, item 9): a network that goes
silent mid-save (a relay that freezes, tests/net_relay.py) gives the sentence within the bound
with Save usable again and the typing kept; a COMMIT whose answer is lost says it may or may
not have saved, and the record shows which once the network is back; a page that cannot be
read says so rather than showing an empty table, and fills in by itself when the server is
back."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from tests.conftest import SENCO, SENCO_PASSWORD
from tests.groups_support import make_group
from tests.gui.test_server_window import OTHER, OTHER_PASSWORD, second_senco, signed_in  # noqa: F401
from tests.net_relay import Relay

from sendesk.records import pupils
from sendesk.services import lifecycle
from sendesk.store import server_watch
from sendesk.store.server_database import ServerDatabase
from sendesk.store.server_errors import MAY_HAVE_SAVED
from sendesk.ui.load_on_show import unread_notice

pytestmark = pytest.mark.server_only
BOUND_MS = int((server_watch.ANSWER_SECONDS + 4) * 1000)


@pytest.fixture
def relay(pg_server):
    relay = Relay(pg_server.port)
    yield relay
    relay.close()


def _class_on_server(school, pupil_id):
    check = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD)
    try:
        return pupils.get_pupil(check, pupil_id).details.class_name
    finally:
        check.close()


def test_a_save_into_a_silent_network_says_not_answering_and_the_next_save_works(
        qtbot, make_controller, school, second_senco, pg_server, relay):  # noqa: F811
    mine = signed_in(qtbot, make_controller, relay.url(school[0], pg_server.port))
    record = mine.workspace.open_pupil(second_senco)
    qtbot.waitUntil(lambda: record.record is not None, timeout=10_000)
    box = record.profile_form.widgets["class_name"]
    qtbot.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(box, "5 Ash")
    relay.freeze()
    started = time.monotonic()
    qtbot.mouseClick(record.save_profile_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: record.profile_message.text() != "", timeout=BOUND_MS)
    assert time.monotonic() - started < BOUND_MS / 1000
    assert record.profile_message.text().startswith("The school server is not answering.")
    assert record.save_profile_button.isEnabled() and box.text() == "5 Ash"
    record.grab().save("/tmp/fix21b-record-cut.png")
    relay.thaw()
    assert _class_on_server(school, second_senco) != "5 Ash"    # nothing landed, nor later
    qtbot.mouseClick(record.save_profile_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: record.profile_message.text() == "Saved.", timeout=10_000)
    assert _class_on_server(school, second_senco) == "5 Ash"


def test_a_commit_with_no_answer_says_it_may_have_saved_and_the_record_then_shows_it(
        qtbot, make_controller, school, second_senco, pg_server, relay, monkeypatch):  # noqa: F811
    mine = signed_in(qtbot, make_controller, relay.url(school[0], pg_server.port))
    outside = mine.workspace.outside
    record = mine.workspace.open_pupil(second_senco)
    qtbot.waitUntil(lambda: record.record is not None, timeout=10_000)
    commit = ServerDatabase._commit

    def answer_lost(db):   # the COMMIT reaches the server; its answer never comes back
        relay.freeze(toward_server=False)
        commit(db)
    monkeypatch.setattr(ServerDatabase, "_commit", answer_lost)
    box = record.profile_form.widgets["class_name"]
    qtbot.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(box, "5 Elm")
    qtbot.mouseClick(record.save_profile_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: record.profile_message.text() != "", timeout=BOUND_MS)
    assert record.profile_message.text() == MAY_HAVE_SAVED
    message = record.profile_message
    assert message.height() >= message.heightForWidth(message.width()), "the sentence is cut off"
    record.grab().save("/tmp/fix21b-record-uncertain.png")
    monkeypatch.setattr(ServerDatabase, "_commit", commit)
    qtbot.waitUntil(lambda: not outside.listening.is_set(), timeout=30_000)   # heard the silence
    assert "5 Elm" not in record.header.text()
    relay.thaw()
    # Back: the window reads the record again by itself, and it shows the save did land.
    qtbot.waitUntil(lambda: "5 Elm" in record.header.text(), timeout=30_000)
    assert not record.profile_unsaved()


def test_a_page_that_cannot_be_read_says_so_and_fills_in_when_the_server_is_back(
        qtbot, make_controller, school, pg_server, clock):
    setup = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    make_group(setup)
    setup.close()
    mine = signed_in(qtbot, make_controller, school[0])
    window = mine.main_window
    window.resize(900, 600)
    outside = mine.workspace.outside
    groups = mine.workspace.groups
    pg_server.stop()
    try:
        qtbot.waitUntil(lambda: not outside.listening.is_set(), timeout=15_000)
        row = window._page_keys.index("groups")
        qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton,
                         pos=window.nav.visualItemRect(window.nav.item(row)).center())
        qtbot.waitUntil(lambda: unread_notice(groups) is not None
                        and unread_notice(groups).isVisible(), timeout=15_000)
        notice = unread_notice(groups)
        assert notice.text().startswith("This page could not be read. The school server is not answering.")
        assert notice.geometry() == groups.rect()   # over the empty table, not beside it
        bar = window.statusBar()
        assert bar.currentMessage() == "The school server is not answering."
        assert bar.toolTip().startswith("The school server is not answering. Check this PC's")
        window.grab().save("/tmp/fix21b-groups-down.png")

        # The pupil list searched meanwhile says so over the list too, not in a box that
        # waits to be clicked (a search set off by another PC's change finds nobody there).
        boxes: list[str] = []

        def close_any_box() -> None:
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                boxes.append(box.text())
                box.done(0)
        closer = QTimer(window, interval=200, timeout=close_any_box)
        closer.start()
        row = window._page_keys.index("pupils")
        qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton,
                         pos=window.nav.visualItemRect(window.nav.item(row)).center())
        listed = mine.workspace.pupils
        QTest.keyClicks(listed.search, "ab")
        qtbot.waitUntil(lambda: unread_notice(listed) is not None
                        and unread_notice(listed).isVisible() or bool(boxes), timeout=15_000)
        closer.stop()
        assert boxes == [], "a box to click instead of the notice over the list"
        assert unread_notice(listed).text().startswith("This page could not be read.")
        row = window._page_keys.index("groups")           # back to the groups for the rest
        qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton,
                         pos=window.nav.visualItemRect(window.nav.item(row)).center())
    finally:
        pg_server.restart()
    # Back: the page reads again on its own, without leaving it and coming back.
    qtbot.waitUntil(lambda: groups.model.rowCount() == 1, timeout=30_000)
    assert not unread_notice(groups).isVisible()
    window.grab().save("/tmp/fix21b-groups-back.png")
