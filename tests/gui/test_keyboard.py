"""The window worked from the keyboard alone, with real key presses: Ctrl+F to the pupil
search, Ctrl+1.. to each page, Down into the results and Enter to open one, Ctrl+Tab between
a record's tabs, Esc and Ctrl+W to close a record (asking first about unsaved changes), Esc
on a form asking before what was typed is lost, and focus back on the pupil's row after the
record closes. Greyed controls say which role stops the user."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from tests.conftest import STAFF, STAFF_PASSWORD
from tests.gui.test_foundation import unlock, wait_for_main_window
from tests.gui.test_pupils_ui import open_session, pupil_ids  # noqa: F401 - fixture

from sendesk.ui.forms import FieldSpec, FormDialog
from sendesk.ui.pupil_record_window import PupilRecordWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def main_window(qtbot, make_controller, school, user=None, password=None):
    controller = make_controller()
    controller.start(school[0])
    if user:
        unlock(qtbot, controller, user, password)
    else:
        unlock(qtbot, controller)
    return controller, wait_for_main_window(qtbot, controller)


def focused():
    return QApplication.focusWidget()


def test_ctrl_f_opens_the_pupil_search_from_any_page(qtbot, make_controller, school, pupil_ids):  # noqa: F811
    controller, window = main_window(qtbot, make_controller, school)
    window.show_page("calendar")
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    pupils = controller.workspace.pupils
    assert window.pages.currentWidget() is pupils
    qtbot.waitUntil(lambda: focused() is pupils.search, timeout=2_000)
    qtbot.keyClicks(pupils.search, "Okafor")
    qtbot.waitUntil(lambda: pupils.model.rowCount() == 1, timeout=2_000)


def test_each_page_has_a_shortcut_in_the_order_of_the_list(qtbot, make_controller, school):
    _controller, window = main_window(qtbot, make_controller, school)
    for position in range(window.nav.count()):
        key = getattr(Qt.Key, f"Key_{position + 1}")
        qtbot.keyClick(window, key, CTRL)
        assert window.nav.currentRow() == position
        assert window.pages.currentIndex() == position
        assert f"Ctrl+{position + 1}" in window.nav.item(position).toolTip()
    shown = [a.shortcut().toString() for a in window.view_menu.actions() if a.objectName().startswith("page_")]
    assert shown == [f"Ctrl+{n + 1}" for n in range(window.nav.count())]


def test_down_enter_esc_walk_from_search_to_record_and_back(qtbot, make_controller, school,
                                                            pupil_ids):  # noqa: F811
    controller, window = main_window(qtbot, make_controller, school)
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    pupils = controller.workspace.pupils
    qtbot.keyClicks(pupils.search, "Nowak")
    qtbot.waitUntil(lambda: pupils.model.rowCount() == 1, timeout=2_000)
    qtbot.keyClick(pupils.search, Qt.Key.Key_Down)
    assert focused() is pupils.table
    assert pupils.table.currentIndex().row() == 0
    qtbot.keyClick(pupils.table, Qt.Key.Key_Return)
    record = controller.workspace.records[pupil_ids["Nowak"]]
    qtbot.waitUntil(record.isVisible, timeout=2_000)
    record.activateWindow()
    qtbot.waitUntil(record.isActiveWindow, timeout=2_000)
    qtbot.keyClick(record, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: pupil_ids["Nowak"] not in controller.workspace.records, timeout=2_000)
    qtbot.waitUntil(lambda: focused() is pupils.table, timeout=2_000)
    assert pupils.table.currentIndex().row() == 0, "back on the row the user opened"


def test_ctrl_tab_walks_the_record_tabs_and_ctrl_w_asks_about_unsaved_changes(
        qtbot, school, clock, pupil_ids, answers):  # noqa: F811
    session = open_session(school, clock)
    record = PupilRecordWindow(session, pupil_ids["Okafor"])
    qtbot.addWidget(record)
    record.show()
    record.activateWindow()
    qtbot.waitUntil(record.isActiveWindow, timeout=2_000)
    forename = record.profile_form.widgets["preferred_forename"]
    forename.setFocus()
    qtbot.keyClick(forename, Qt.Key.Key_Tab, CTRL)
    assert record.tabs.currentIndex() == 1, "Ctrl+Tab from a field inside the tab"
    qtbot.keyClick(record.tabs.currentWidget(), Qt.Key.Key_Tab, CTRL)
    assert record.tabs.currentIndex() == 2
    qtbot.keyClick(record.tabs.currentWidget(), Qt.Key.Key_Tab, CTRL | SHIFT)
    assert record.tabs.currentIndex() == 1
    qtbot.keyClick(record.tabs.currentWidget(), Qt.Key.Key_Backtab, CTRL | SHIFT)
    assert record.tabs.currentIndex() == 0
    qtbot.keyClick(record.tabs.currentWidget(), Qt.Key.Key_Backtab, CTRL | SHIFT)
    assert record.tabs.currentIndex() == record.tabs.count() - 1, "round from the first tab"

    record.tabs.setCurrentIndex(0)
    forename.setFocus()
    qtbot.keyClicks(forename, "Chid")
    answers.confirm_answer = False
    qtbot.keyClick(forename, Qt.Key.Key_W, CTRL)
    assert answers.messages[-1][0] == "confirm" and "not saved" in answers.messages[-1][2]
    assert record.isVisible(), "kept open: the user wanted the changes"
    answers.confirm_answer = True
    qtbot.keyClick(forename, Qt.Key.Key_W, CTRL)
    qtbot.waitUntil(lambda: not record.isVisible(), timeout=2_000)
    session.close()


def test_esc_closes_a_record_with_nothing_unsaved_without_asking(qtbot, school, clock, pupil_ids,
                                                                  answers):  # noqa: F811
    session = open_session(school, clock)
    record = PupilRecordWindow(session, pupil_ids["Begum"])
    qtbot.addWidget(record)
    record.show()
    record.activateWindow()
    qtbot.waitUntil(record.isActiveWindow, timeout=2_000)
    qtbot.keyClick(record.tabs, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not record.isVisible(), timeout=2_000)
    assert not [m for m in answers.messages if m[0] == "confirm"]
    session.close()


def test_esc_on_a_form_asks_only_when_something_was_typed(qtbot, answers):
    saved = []
    dialog = FormDialog("Add a note", [FieldSpec("title", "Title"), FieldSpec("body", "Note", "text")],
                        saved.append, values={"title": "Held"})
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.form.widgets["title"], Qt.Key.Key_Escape)
    assert not dialog.isVisible() and not answers.messages, "nothing typed: closes, no question"

    dialog.show()
    box = dialog.form.widgets["body"]
    box.setFocus()
    qtbot.keyClicks(box, "Seen by the nurse")
    answers.confirm_answer = False
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert answers.messages[-1][0] == "confirm" and dialog.isVisible(), "kept: typing is not lost"
    assert box.toPlainText() == "Seen by the nurse"
    answers.confirm_answer = True
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and not saved


def test_what_a_role_may_not_use_is_greyed_and_says_why(qtbot, make_controller, school, clock,
                                                         pupil_ids):  # noqa: F811
    _controller, window = main_window(qtbot, make_controller, school, STAFF, STAFF_PASSWORD)
    why = "Your role (Staff) does not allow this. Ask your SENCO."
    menu = {a.objectName(): a for a in window.tools_menu.actions()}
    for name in ("users", "backup", "import_pupils"):
        assert not menu[name].isEnabled() and menu[name].toolTip() == why
    assert window.tools_menu.toolTipsVisible()
    steps = _controller.workspace.home.first_steps
    steps.update_buttons()   # what showing Home does (this school has pupils, so it is hidden)
    home_import = steps.findChild(QPushButton, "first_import")
    assert not home_import.isEnabled(), "Home's first step agrees with the greyed menu item"
    session = open_session(school, clock, STAFF, STAFF_PASSWORD)
    record = PupilRecordWindow(session, pupil_ids["Okafor"])
    qtbot.addWidget(record)
    assert not record.save_profile_button.isEnabled()
    assert record.save_profile_button.toolTip() == why
    from sendesk.records.sar import REFUSED  # says what to do instead (issue 18's wording)
    assert not record.sar_button.isEnabled() and record.sar_button.toolTip() == REFUSED
    for tab in (record.specialists, record.transfers):
        for widget in tab.findChildren(QPushButton):
            if not widget.isEnabled() and widget.objectName() not in ("save_report",):
                assert widget.isVisibleTo(tab) or not widget.isHidden(), widget.objectName()
                assert widget.toolTip() == why, widget.objectName()
    referral = record.specialists.buttons["add_referral"]
    assert not referral.isEnabled() and not referral.isHidden(), "greyed, not hidden"
    assert not record.transfers.send.isEnabled() and record.transfers.send.toolTip() == why
    record.close()
    session.close()


def test_the_calendars_reference_typed_in_the_search_finds_that_pupil(qtbot, school, clock,
                                                                      pupil_ids):  # noqa: F811
    from sendesk.models.agenda import pupil_reference
    from sendesk.ui.pupil_list_page import PupilListPage
    session = open_session(school, clock)
    page = PupilListPage(session)
    qtbot.addWidget(page)
    wanted = pupil_ids["Begum"]
    for typed in (pupil_reference(wanted, "Amina", "Begum"), f"ref {wanted}", f"REF {wanted}"):
        page.search.clear()
        qtbot.keyClicks(page.search, typed)
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2_000)
        assert page.model.id_at(0) == wanted, typed
    page.search.clear()
    qtbot.keyClicks(page.search, "ref 999999")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=2_000)
    page.close()
    session.close()


def test_file_dialogs_start_in_the_folder_last_chosen_for_that_purpose(tmp_path, monkeypatch):
    """The real Prompts (not the tests' stand-in), with Qt's dialog answering as a user would."""
    from PySide6.QtWidgets import QFileDialog

    from sendesk.ui.prompts import Prompts
    chosen = tmp_path / "letters"
    chosen.mkdir()
    offered: list[str] = []

    def dialog(parent, title, start, filters):
        offered.append(start)
        return str(chosen / "Letter.pdf"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", dialog)
    prompts = Prompts()
    assert prompts.save_file(None, "Save the letter", "/nowhere/Letter A.pdf", "PDF (*.pdf)") == chosen / "Letter.pdf"
    prompts.save_file(None, "Save the letter", "/nowhere/Letter B.pdf", "PDF (*.pdf)")
    assert offered[1] == str(chosen / "Letter B.pdf"), "the last folder, with the new name"
    prompts.open_file(None, "Import pupils", "/nowhere", "CSV (*.csv)")
    assert offered[2] == "/nowhere", "another purpose keeps its own start"


def mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&])", text)
    return found.group(1).lower() if found else None


def test_each_record_tab_has_its_buttons_on_distinct_alt_keys(qtbot, school, clock, pupil_ids):  # noqa: F811
    """Every button of the window and of its first four tabs has an Alt+letter, and the
    window's own and the shown tab's never share one (a shared letter only moves focus)."""
    session = open_session(school, clock)
    record = PupilRecordWindow(session, pupil_ids["Okafor"])
    qtbot.addWidget(record)
    window_level = [b for b in record.findChildren(QPushButton) if not record.tabs.isAncestorOf(b)]
    for position in range(4):
        tab = record.tabs.widget(position)
        buttons = window_level + [b for b in tab.findChildren(QPushButton) if b.text()]
        letters = [mnemonic(b.text()) for b in buttons]
        assert None not in letters, [b.text() for b in buttons if mnemonic(b.text()) is None]
        assert len(set(letters)) == len(letters), [b.text() for b in buttons]
    record.close()
    session.close()


def test_tab_leaves_the_pupil_list_and_the_library_tables(qtbot, make_controller, school,
                                                         pupil_ids):  # noqa: F811
    from PySide6.QtWidgets import QAbstractItemView
    controller, window = main_window(qtbot, make_controller, school)
    pupils = controller.workspace.pupils
    window.show_page("pupils")
    qtbot.waitUntil(lambda: pupils.model.rowCount() > 0, timeout=2_000)
    table = pupils.table
    table.setFocus()
    qtbot.waitUntil(lambda: focused() is table, timeout=2_000)
    qtbot.keyClick(table, Qt.Key.Key_Down)              # the arrows still move between rows
    assert focused() is table
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert focused() is not table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Backtab, SHIFT)
    assert focused() is not table

    library = next(a for a in window.tools_menu.actions() if a.objectName() == "provision_library")
    library.trigger()
    opened = next(w for w in QApplication.topLevelWidgets()
                  if w.objectName() == "provision_library_window" and w.isVisible())
    items = opened.table
    qtbot.waitUntil(lambda: opened.model.rowCount() > 0, timeout=2_000)
    items.setFocus()
    qtbot.waitUntil(lambda: focused() is items, timeout=2_000)
    items.setCurrentIndex(opened.model.index(0, 0))
    qtbot.keyClick(items, Qt.Key.Key_Right)              # to the next cell, still in the table
    assert focused() is items and items.currentIndex().column() == 1
    qtbot.keyClick(items, Qt.Key.Key_Tab)
    assert focused() is not items and not isinstance(focused(), QAbstractItemView)
    opened.close()
