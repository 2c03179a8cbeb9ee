"""The impact page and the governors' report window on real widgets: keys typed, buttons
clicked, charts drawn by the PDF's own painter, files written and read back."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from tests.impact_support import group_from_library, library_item, measure, pupil_on_item
from tests.pdf_text import pages_text

from sendesk.ui.governors_report_window import GovernorsReportWindow
from sendesk.ui.impact_page import ImpactPage


def _school(session):
    library = library_item(session, "Precision teaching")
    pupils = []
    for n in range(6):
        pupil, item = pupil_on_item(session, f"Pupil{n}", library, achieved=n < 4,
                                    gender="M" if n == 5 else "F")
        measure(session, pupil, item_id=item, entry=80 + n, exit=86 + n)
        pupils.append(pupil)
    group_from_library(session, library, pupils[:3])


def shown_page(qtbot, session, rows: int, size: tuple[int, int] | None = (1100, 800)) -> ImpactPage:
    """The impact page as the window builds it (it loads before it is first shown), at a
    size, shown, once its table holds `rows` rows."""
    page = ImpactPage(session)
    qtbot.addWidget(page)
    if size is not None:
        page.resize(*size)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == rows)
    return page


def _cell(model, row, column):
    """The cell's words (a hidden count's kept whole on a line with no-break spaces)."""
    return (model.data(model.index(row, column)) or "").replace("\u00a0", " ")


def test_the_impact_page_shows_the_table_and_charts_and_saves_them(qtbot, senco_session, answers,
                                                                   tmp_path):
    _school(senco_session)
    page = shown_page(qtbot, senco_session, 2)
    assert [_cell(page.model, r, 0) for r in range(2)] == ["Precision teaching",
                                                           "Group: Year 4 reading group"]
    assert (_cell(page.model, 0, 3), _cell(page.model, 0, 7)) == ("6", "+6")
    assert _cell(page.model, 1, 3) == "fewer than 5"
    chart = page.charts[0]
    assert chart.isVisible() and "Precision teaching: Sandwell" in chart.accessibleDescription()
    page.grab().save("/tmp/prov-impact-page.png")
    # Break it down by sex from the keyboard, then show it again.
    page.breakdown.setFocus()
    QTest.keyClick(page.breakdown, Qt.Key.Key_End)
    assert page.breakdown.currentData() == "status"
    QTest.keyClick(page.breakdown, Qt.Key.Key_Up)
    assert page.breakdown.currentData() == "sex"
    QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    categories = [_cell(page.model, r, 2) for r in range(page.model.rowCount())]
    assert categories[:3] == ["", "Female", "Male"]
    # Five girls and a boy of six: "5 or more" beside "fewer than 5" would still say one boy.
    assert _cell(page.model, 1, 3) == "not shown" and _cell(page.model, 2, 3) == "not shown"
    page.grab().save("/tmp/fix19a-impact-page-by-sex.png")
    out_csv, out_pdf = tmp_path / "impact.csv", tmp_path / "impact.pdf"
    answers.next_paths = [out_csv]
    QTest.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    rows = list(csv.DictReader(out_csv.read_text(encoding="utf-8-sig").splitlines()))
    assert {r["category"] for r in rows} == {"", "Female", "Male"}
    answers.next_paths = [out_pdf]
    QTest.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    text = " ".join(pages_text(out_pdf.read_bytes()))
    assert "Impact of provision by sex" in text and "Cost per pupil" in text
    # Last school year's, saved today, is dated today (it said the period's last day).
    page.period.setFocus()
    QTest.keyClick(page.period, Qt.Key.Key_Down)
    QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    answers.next_paths = [out_pdf]
    QTest.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    text = " ".join(pages_text(out_pdf.read_bytes()))
    assert "Date: 23/11/2026" in text and "to 01/09/2026" in text


def test_a_bad_period_is_one_sentence(qtbot, senco_session):
    page = ImpactPage(senco_session)
    qtbot.addWidget(page)
    page.show()
    page.period.setFocus()
    QTest.keyClick(page.period, Qt.Key.Key_End)        # "Dates...": From and To appear
    assert page.start.isVisible()
    page.start.clear()
    QTest.keyClicks(page.start, "30/11/2026")
    page.end.clear()
    QTest.keyClicks(page.end, "23/11/2026")
    QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert page.heading.text() == ("The period ends on 23/11/2026, before it starts on "
                                   "30/11/2026.")


def test_a_cleared_date_is_refused_not_filled_in(qtbot, senco_session):
    """Under "Dates..." a blank From or To is not taken as the school year's first or last
    day: the person is told which to type, the cursor goes there, and the table stays."""
    _school(senco_session)
    page = shown_page(qtbot, senco_session, rows=2)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    shown = page.heading.text()
    page.period.setFocus()
    QTest.keyClick(page.period, Qt.Key.Key_End)        # "Dates..."
    page.start.setFocus()
    page.start.selectAll()
    QTest.keyClick(page.start, Qt.Key.Key_Delete)
    QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert page.heading.text() == "Type the first day of the period in From."
    assert QApplication.focusWidget() is page.start and page.model.rowCount() == 2 and page.found is not None
    assert page.heading.styleSheet() == "color: #b3261e"
    # Another choice made: the table's own heading again, not in the refusal's red
    page.breakdown.setFocus()
    QTest.keyClick(page.breakdown, Qt.Key.Key_Down)
    assert page.heading.styleSheet() == "" and "press Show" in page.heading.text()
    QTest.keyClick(page.breakdown, Qt.Key.Key_Up)
    page.start.setFocus()
    QTest.keyClicks(page.start, "02/09/2026")
    page.end.setFocus()
    page.end.selectAll()
    QTest.keyClick(page.end, Qt.Key.Key_Delete)
    QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert page.heading.text() == "Type the last day of the period in To."
    assert QApplication.focusWidget() is page.end and page.model.rowCount() == 2
    QTest.keyClicks(page.end, "30/11/2026")
    QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert page.heading.text() != shown and "02/09/2026" in page.heading.text()


def test_the_governors_window_previews_and_saves(qtbot, senco_session, answers, tmp_path):
    _school(senco_session)
    window = GovernorsReportWindow(senco_session)
    qtbot.addWidget(window)
    window.show()
    assert window.year.currentText() == "2026/27"
    QTest.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    assert window.panel.page_count() >= 3 and window.panel.save_button.isEnabled()
    window.grab().save("/tmp/prov-impact-governors.png")
    out_pdf, out_csv = tmp_path / "governors.pdf", tmp_path / "governors.csv"
    answers.next_paths = [out_pdf]
    QTest.mouseClick(window.panel.save_button, Qt.MouseButton.LeftButton)
    assert "SEND report to governors 2026/27" in " ".join(pages_text(out_pdf.read_bytes()))
    answers.next_paths = [out_csv]
    QTest.mouseClick(window.csv_button, Qt.MouseButton.LeftButton)
    text = out_csv.read_text(encoding="utf-8-sig")
    assert "fewer than 5" in text and "Pupil0" not in text
    # A year before anything was recorded still has its census days: all counts hidden.
    window.year.setCurrentIndex(window.year.findText("2025/26"))
    QTest.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    assert window.panel.documents and not window.panel.message.isVisible()


def test_a_year_with_no_census_yet_says_so(qtbot, senco_session, clock):
    import datetime as dt
    clock.advance(dt.datetime(2027, 9, 10, 9, 30, tzinfo=dt.UTC) - clock.now())
    window = GovernorsReportWindow(senco_session)
    qtbot.addWidget(window)
    assert window.year.currentText() == "2027/28"
    QTest.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    assert window.panel.message.text().startswith("No census day of 2027/28 has come yet")
    assert not window.panel.save_button.isEnabled()


def test_the_governors_window_opens_on_its_report_with_the_cursor_in_the_year(qtbot, senco_session):
    """Opened, it shows the chosen year's report at once (Save as PDF ready), the cursor is in
    the year box, and Tab goes on in reading order: Preview, then Save figures as CSV."""
    _school(senco_session)
    window = GovernorsReportWindow(senco_session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.panel.page_count() >= 3)
    assert window.panel.save_button.isEnabled()
    assert QApplication.focusWidget() is window.year
    QTest.keyClick(window.year, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.show_button
    QTest.keyClick(window.show_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.csv_button
    window.grab().save("/tmp/ux22-governors-open.png")


def test_a_period_still_running_says_it_is_counted_to_today(qtbot, senco_session):
    """The heading counts to today; the period's label must not promise the year's end."""
    _school(senco_session)
    page = shown_page(qtbot, senco_session, 2)
    label = page.period_dates.text()
    assert label == "School year 2026/27: 02/09/2026 to 31/08/2027 (counted to today, 23/11/2026)"
    assert "to 23/11/2026" in page.heading.text()
    assert page.period.accessibleDescription() == label
    page.grab().save("/tmp/b1-impact-period-label.png")
    page.period.setFocus()
    QTest.keyClick(page.period, Qt.Key.Key_Down)      # Last school year: whole, nothing to add
    assert page.chosen_period().value == "last-year"
    assert page.period_dates.text().startswith("School year 2025/26: ")
    assert "counted to today" not in page.period_dates.text()
