"""The impact page's period, chosen from the keyboard in the school's own terms: each period
shows the dates it covers, Show reads the table for it, and "Dates..." brings back From and To."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from tests.gui.test_impact_reports_ui import _school, shown_page

from sendesk.records import school_calendar

D = __import__("datetime").date
# The school's own 2026/27, each term starting with an INSET day.
OWN = [(D(2026, 9, 2), D(2026, 10, 23)), (D(2026, 11, 2), D(2026, 12, 18)),
       (D(2027, 1, 5), D(2027, 2, 12)), (D(2027, 2, 22), D(2027, 3, 26)),
       (D(2027, 4, 12), D(2027, 5, 28)), (D(2027, 6, 7), D(2027, 7, 21))]


def test_choosing_a_period_from_the_keyboard_changes_the_table(qtbot, senco_session):
    _school(senco_session)      # measured by 20/11/2026; today is 23/11/2026
    school_calendar.save_term_dates(senco_session, 2026, OWN)
    school_calendar.save_inset_days(senco_session, 2026, [D(2026, 9, 2)])
    page = shown_page(qtbot, senco_session, 2, (1200, 800))
    assert page.period.currentText() == "This school year"
    assert page.period_dates.text() == ("School year 2026/27: 02/09/2026 to 31/08/2027 "
                                        "(counted to today, 23/11/2026)")
    assert page.heading.text().startswith("School year 2026/27: 2 provisions from 02/09/2026 "
                                          "to 23/11/2026")
    assert not page.start.isVisible() and not page.end.isVisible()
    assert page.period.accessibleName() == "Period"
    page.grab().save("/tmp/impui19-period-year.png")

    # Alt+E reaches the period (Alt+R is the Reports menu); Down is last school year, before any of this provision.
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=2_000)
    page.view.setFocus()
    QTest.keyClick(page.view, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is page.period
    QTest.keyClick(page.period, Qt.Key.Key_Down)
    assert page.period_dates.text().startswith("School year 2025/26: ")
    assert "press Show" in page.heading.text()          # the table shown is not this one yet
    QTest.keyClick(page.period, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)   # &Show
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)   # a mnemonic clicks after a blink
    assert page.heading.text().startswith("School year 2025/26: No provision")

    # Home is this half-term: the school's Autumn 2, to today.
    QTest.keyClick(page.period, Qt.Key.Key_Home)
    assert page.period_dates.text() == ("Autumn 2 half-term 2026: 02/11/2026 to 04/01/2027 "
                                        "(counted to today, 23/11/2026)")
    QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 2
    assert page.heading.text().startswith("Autumn 2 half-term 2026: 2 provisions from "
                                          "02/11/2026 to 23/11/2026")
    page.grab().save("/tmp/impui19-period-half-term.png")

    # Last half-term starts on the INSET day; nobody's exit was in it, so nobody is measured.
    QTest.keyClick(page.period, Qt.Key.Key_Down)
    assert page.period_dates.text() == "Autumn 1 half-term 2026: 02/09/2026 to 01/11/2026"
    QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert page.heading.text().startswith("Autumn 1 half-term 2026: ")
    assert "02/09/2026 to 01/11/2026" in page.heading.text()
    assert {(page.model.data(page.model.index(r, 4)) or "").replace("\u00a0", " ")
            for r in range(page.model.rowCount())} <= {"fewer than 5", "none", ""}

    # Dates... shows From and To, holding the last period's dates to start from.
    QTest.keyClick(page.period, Qt.Key.Key_End)
    assert page.period.currentText() == "Dates..."
    assert page.start.isVisible() and page.end.isVisible() and not page.period_dates.isVisible()
    assert page.start.text() == "02/09/2026"
    qtbot.wait(50)                                    # the bar laid out again
    page.grab().save("/tmp/impui19-period-dates.png")
