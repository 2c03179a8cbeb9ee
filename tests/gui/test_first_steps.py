"""A new school's first steps: Home says what to do first and each button does it; the
recovery key sheet saved as a real PDF, read back."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from tests.conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from tests.gui.test_foundation import unlock, wait_for_main_window
from tests.gui.test_pupils_ui import upn_for
from tests.pdf_text import pages_text

from sendesk.documents.recovery_sheet import build_recovery_sheet
from sendesk.models.school import SchoolIdentity
from sendesk.records import pupils
from sendesk.services import lifecycle
from sendesk.ui.import_wizard import ImportWizard
from sendesk.ui.recovery_dialog import RecoveryKeyDialog
from sendesk.ui.users_dialog import UsersDialog

KEY = "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567"


def open_home(qtbot, make_controller, school, user=None):
    controller = make_controller()
    controller.start(school[0])
    if user:
        unlock(qtbot, controller, *user)
    else:
        unlock(qtbot, controller)
    window = wait_for_main_window(qtbot, controller)
    home = controller.workspace.home
    qtbot.waitUntil(lambda: home.data is not None, timeout=10_000)
    return controller, window, home


def button(home, name: str) -> QPushButton:
    found = home.findChild(QPushButton, name)
    assert found is not None, name
    return found


def test_new_school_home_says_what_to_do_first(qtbot, make_controller, school):
    controller, window, home = open_home(qtbot, make_controller, school)
    assert home.first_steps.isVisible()
    said = " ".join(label.text() for label in home.first_steps.findChildren(QLabel))
    assert "no pupils yet" in said
    for name in ("first_import", "first_add_pupil", "first_term_dates", "first_staff"):
        assert button(home, name).isVisible() and button(home, name).accessibleName()

    # Import from the MIS opens the import wizard.
    qtbot.mouseClick(button(home, "first_import"), Qt.MouseButton.LeftButton)
    wizard = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ImportWizard))
    assert wizard.isVisible()
    wizard.reject()

    # Add a pupil does what File > New pupil does.
    new_pupil = window.findChild(QAction, "new_pupil")
    add = button(home, "first_add_pupil")
    fired = []
    new_pupil.triggered.connect(lambda *_: fired.append(True))
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert fired
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible() and widget not in (window, controller.unlock_dialog):
            widget.close()

    # Set the term dates: the Calendar page, with the term dates table ready to type in.
    qtbot.mouseClick(button(home, "first_term_dates"), Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is controller.workspace.calendar
    assert window.nav.currentItem().text() == "Calendar"
    assert window.focusWidget() is controller.workspace.calendar.terms.table

    # Add staff opens the Users window (modal: looked at, then closed).
    seen = []

    def close_users() -> None:
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        dialog.reject()
    QTimer.singleShot(200, close_users)
    window.show_page("home")
    qtbot.mouseClick(button(home, "first_staff"), Qt.MouseButton.LeftButton)
    assert seen and isinstance(seen[0], UsersDialog)


def test_first_steps_go_once_the_school_has_a_pupil_or_are_hidden(qtbot, make_controller, school):
    controller, window, home = open_home(qtbot, make_controller, school)
    assert home.first_steps.isVisible()
    qtbot.mouseClick(button(home, "hide_first_steps"), Qt.MouseButton.LeftButton)
    assert not home.first_steps.isVisible()
    home.refresh()
    assert not home.first_steps.isVisible(), "hidden stays hidden"


    # Remembered for this user: signing in again (a new session) does not bring them back ...
    controller.lock()
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    home = controller.workspace.home
    qtbot.waitUntil(lambda: home.data is not None, timeout=10_000)
    assert not home.first_steps.isVisible(), "hidden once, hidden at the next sign-in"
    # ... while another user of the same school, who has not hidden them, still sees them.
    controller.lock()
    unlock(qtbot, controller, STAFF, STAFF_PASSWORD)
    wait_for_main_window(qtbot, controller)
    home = controller.workspace.home
    qtbot.waitUntil(lambda: home.data is not None and home.first_steps.isVisible(), timeout=10_000)
    # A pupil added (here by the SENCO at another computer) ends them for everyone.
    other = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, controller.clock)
    try:
        pupils.add_pupil(other, {
            "upn": upn_for(1), "legal_surname": "Hughes", "legal_forename": "Ava",
            "dob": "2016-03-04", "gender": "F", "year_group": "5", "class_name": "5H"})
    finally:
        other.close()
    qtbot.waitUntil(lambda: not home.first_steps.isVisible(), timeout=10_000)


def test_staff_see_why_a_step_is_not_theirs(qtbot, make_controller, school):
    _controller, _window, home = open_home(qtbot, make_controller, school, (STAFF, STAFF_PASSWORD))
    assert home.first_steps.isVisible()
    new_pupil = _window.findChild(QAction, "new_pupil")
    assert new_pupil in _window.file_menu.actions() and not new_pupil.isEnabled()
    assert "Your role (Staff) does not allow this" in new_pupil.toolTip()
    assert _window.file_menu.toolTipsVisible()
    for name, why in (("first_import", "Ask your SENCO"), ("first_staff", "administrator"),
                      ("first_add_pupil", "Ask your SENCO")):
        assert not button(home, name).isEnabled()
        assert why in button(home, name).toolTip()


def test_recovery_key_saved_as_a_pdf_carries_school_urn_date_marking_and_the_key(
        qtbot, answers, tmp_path):
    school = SchoolIdentity("Hollybank Academy", urn="123456")
    dialog = RecoveryKeyDialog(school, KEY, today=dt.date(2026, 11, 23))
    qtbot.addWidget(dialog)
    dialog.show()
    out = tmp_path / "safe" / "recovery.pdf"
    out.parent.mkdir()
    answers.next_paths.append(out)
    qtbot.mouseClick(dialog.pdf_button, Qt.MouseButton.LeftButton)
    assert out.exists() and out.read_bytes().startswith(b"%PDF")
    assert answers.messages[-1][0] == "info" and "delete the file" in answers.messages[-1][2]
    pages = PdfReader(io.BytesIO(out.read_bytes())).pages
    assert len(pages) == 1
    lines = [line.strip() for line in pages[0].extract_text().splitlines()]
    assert KEY in lines, "the key prints on one line of its own"
    text = pages_text(out.read_bytes())[0]
    assert text.count("OFFICIAL-SENSITIVE") >= 2            # head and foot of the page
    assert "Hollybank Academy" in text and "123456" in text and "23/11/2026" in text


def test_recovery_key_prints_the_same_sheet(qtbot, answers, tmp_path):
    school = SchoolIdentity("Hollybank Academy", la_code="937", estab="4001")
    dialog = RecoveryKeyDialog(school, KEY, today=dt.date(2026, 11, 23))
    qtbot.addWidget(dialog)
    answers.next_print = tmp_path / "printed.pdf"
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    printed = answers.next_print.read_bytes()
    lines = PdfReader(io.BytesIO(printed)).pages[0].extract_text().splitlines()
    text = pages_text(printed)[0]
    assert KEY in [line.strip() for line in lines]
    assert "937/4001" in text and "OFFICIAL-SENSITIVE" in text and "Hollybank Academy" in text


def test_the_sheet_is_a_document_like_any_other():
    sheet = build_recovery_sheet(SchoolIdentity("Hollybank Academy"), KEY, dt.date(2026, 1, 5))
    assert sheet.marking == "OFFICIAL-SENSITIVE"
    assert "URN not recorded" in sheet.text() and "05/01/2026" in sheet.text()
