"""The one date field: typed as dd/mm/yyyy, a calendar from the keyboard, a bad date refused
with one sentence before anything is saved."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCalendarWidget, QPushButton

from sendesk.ui.date_field import DateField
from sendesk.ui.fault_outline import has_fault
from sendesk.ui.forms import FieldSpec, FormDialog


def _dialog(saved: list) -> FormDialog:
    fields = [FieldSpec("given_on", "Date given", "date"), FieldSpec("scope", "What may be shared")]
    dialog = FormDialog("Record consent", fields, saved.append)
    dialog.show()
    return dialog


def test_a_date_is_typed_day_first_and_saved_as_typed(qapp):
    saved: list = []
    dialog = _dialog(saved)
    field = dialog.form.widgets["given_on"]
    assert isinstance(field, DateField)
    assert field.accessibleName() == "Date given (dd/mm/yyyy)"
    field.setFocus()
    QTest.keyClicks(field, "12/09/2026")
    QTest.keyClicks(field, "x")  # letters cannot be typed into a date
    assert field.text() == "12/09/2026"
    assert field.day() == dt.date(2026, 9, 12)
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved == [{"given_on": "12/09/2026", "scope": ""}]


def test_the_calendar_opens_from_the_keyboard_and_enter_picks_a_day(qapp):
    saved: list = []
    dialog = _dialog(saved)
    field = dialog.form.widgets["given_on"]
    field.setFocus()
    QTest.keyClicks(field, "12/09/2026")
    QTest.keyClick(field, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    popup = field.popup
    assert popup is not None and popup.isVisible()
    calendar = popup.findChild(QCalendarWidget)
    assert calendar.selectedDate() == QDate(2026, 9, 12)
    target = QApplication.focusWidget()
    assert target is calendar or calendar.isAncestorOf(target)
    QTest.keyClick(target, Qt.Key.Key_Right)
    QTest.keyClick(target, Qt.Key.Key_Return)
    assert not popup.isVisible()
    assert field.text() == "13/09/2026"
    # Esc closes the calendar and leaves the date as it was.
    QTest.keyClick(field, Qt.Key.Key_F4)
    assert popup.isVisible()
    target = QApplication.focusWidget()
    QTest.keyClick(target, Qt.Key.Key_Right)
    QTest.keyClick(target, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert field.text() == "13/09/2026"


def test_a_date_that_cannot_exist_is_refused_in_one_sentence_and_nothing_is_saved(qapp):
    saved: list = []
    dialog = _dialog(saved)
    field = dialog.form.widgets["given_on"]
    field.setFocus()
    QTest.keyClicks(field, "31/02/2026")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved == []
    assert dialog.isVisible()
    assert dialog.message.text() == ("Date given '31/02/2026' is not a real date (there is no day "
                                     "31 in month 2 of 2026).")
    assert has_fault(field)


def test_a_short_date_reads_back_in_full_when_the_field_is_left(qapp):
    saved: list = []
    dialog = _dialog(saved)
    dialog.activateWindow()
    assert QTest.qWaitForWindowActive(dialog)
    field = dialog.form.widgets["given_on"]
    field.setFocus()
    QTest.keyClicks(field, "1/9/2026")
    QTest.keyClick(field, Qt.Key.Key_Tab)
    assert field.text() == "01/09/2026"


def test_the_agenda_range_is_typed_into_date_fields(qapp, senco_session):
    from sendesk.ui.calendar_page import CalendarPage
    page = CalendarPage(senco_session)
    page.show()
    assert isinstance(page.end, DateField)
    page.end.selectAll()
    QTest.keyClicks(page.end, "09/23/2026")
    QTest.mouseClick(page.findChild(QPushButton, "show"), Qt.MouseButton.LeftButton)
    assert page.message.text() == ("Agenda to '09/23/2026' looks like month/day; write dates day "
                                   "first (dd/mm/yyyy).")


def test_a_date_box_labelled_with_a_mnemonic_is_named_without_its_ampersand(qtbot):
    """A screen reader reads the accessible name aloud: "S&tart date" must be heard as
    "Start date", and the box's error sentences say it the same way."""
    dialog = FormDialog("New group", [FieldSpec("start_date", "S&tart date", "date")],
                        lambda _values: None)
    qtbot.addWidget(dialog)
    box = dialog.form.widgets["start_date"]
    assert box.accessibleName() == "Start date (dd/mm/yyyy)"
    assert "&" not in box.toolTip()
