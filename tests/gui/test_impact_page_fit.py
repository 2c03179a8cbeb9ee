"""The impact page on a 1366 x 768 laptop, in the real main window on the demo school: every
period, "Dates..." included, leaves the window its width (choosing Dates... once pushed it to
1,398 px, Export CSV off the screen), and the table's columns, cost per pupil and per point
gained among them, are all in view without scrolling sideways. A holiday-only period says so
in a sentence, and one provision is "1 provision"."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from sendesk.models.periods import Period

from .tour import make_demo, open_page_at, settle

WIDTH, HEIGHT = 1366, 768


@pytest.fixture(scope="module")
def demo_school(tmp_path_factory, qapp):
    # The demo's own size, so the table has its real provision and measure names and costs.
    return make_demo(tmp_path_factory.mktemp("impact-fit"), pupils=600)


def _impact(make_controller, demo_school):
    return open_page_at(make_controller, demo_school, "impact", WIDTH, HEIGHT)


def _in_view(window, widget) -> bool:
    place = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    return window.rect().contains(place)


def test_every_period_fits_a_laptop_screen_and_shows_every_column(make_controller, demo_school):
    window, page = _impact(make_controller, demo_school)
    for number, choice in enumerate(Period):
        page.period.setFocus()
        QTest.keyClick(page.period, Qt.Key.Key_Home)
        for _ in range(number):
            QTest.keyClick(page.period, Qt.Key.Key_Down)
        assert page.chosen_period() is choice
        if choice is Period.DATES:
            page.start.setFocus()
            page.start.selectAll()
            QTest.keyClicks(page.start, "01/09/2026")
        QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
        settle(300)
        window.grab().save(f"/tmp/fix19b-impact-{choice.value}.png")
        assert window.width() <= WIDTH, f"{choice.label}: the window grew to {window.width()}"
        for button in (page.show_button, page.print_button, page.pdf_button, page.csv_button):
            assert _in_view(window, button), f"{choice.label}: {button.text()} is off the window"
        if page.model.rowCount():
            bar = page.view.horizontalScrollBar()
            assert bar.maximum() == 0, f"{choice.label}: the columns need scrolling sideways"
    assert page.start.isVisible() and page.end.isVisible()
    # Broken down (the Breakdown column shown, its words wrapped): still in view.
    for number in range(1, page.breakdown.count()):
        page.breakdown.setCurrentIndex(number)
        QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
        settle(300)
        window.grab().save(f"/tmp/fix19b-impact-by-{page.breakdown.currentData()}.png")
        assert window.width() <= WIDTH
        assert not page.view.isColumnHidden(2) and page.model.rowCount()
        assert page.view.horizontalScrollBar().maximum() == 0, page.breakdown.currentText()


def test_a_holiday_only_period_says_so(make_controller, demo_school):
    window, page = _impact(make_controller, demo_school)
    page.period.setFocus()
    QTest.keyClick(page.period, Qt.Key.Key_End)
    assert page.chosen_period() is Period.DATES
    for field, typed in ((page.start, "25/12/2025"), (page.end, "26/12/2025")):
        field.setFocus()
        field.selectAll()
        QTest.keyClicks(field, typed)
    QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    settle(300)
    window.grab().save("/tmp/fix19b-impact-holiday.png")
    assert page.heading.text().startswith("25/12/2025 to 26/12/2025 falls in the school "
                                          "holidays"), page.heading.text()
    assert "nothing to show" in page.heading.text()


def test_one_provision_is_one_provision(qtbot, senco_session):
    from tests.gui.test_impact_reports_ui import shown_page
    from tests.impact_support import library_item, measure, pupil_on_item
    library = library_item(senco_session, "Precision teaching")
    pupil, item = pupil_on_item(senco_session, "Pupil", library)
    measure(senco_session, pupil, item_id=item, entry=80, exit=86)
    page = shown_page(qtbot, senco_session, 1, None)
    assert ": 1 provision from " in page.heading.text(), page.heading.text()


def _tabbing_from(window, start, count: int) -> list[str]:
    """The object names Tab reaches from `start`, pressed `count` times."""
    start.setFocus()
    reached = []
    for _ in range(count):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget().objectName())
    return reached


def test_tab_follows_the_reading_order(make_controller, demo_school):
    """Print, Save as PDF and Export CSV are drawn above the table: Tab reaches them after
    Show and before the table, not after leaving the page through the list of pages."""
    window, page = _impact(make_controller, demo_school)
    window.activateWindow()
    settle(100)
    assert _tabbing_from(window, page.period, 7) == [
        "impact_breakdown", "impact_show", "impact_print", "impact_pdf", "impact_csv",
        "impact_table", "impact_charts"]
    assert _tabbing_from(window, page.period, 3)[-1] == "impact_print"
    window.grab().save("/tmp/ux23-impact-tab-print.png")          # the focus frame on Print
    page.period.setFocus()
    QTest.keyClick(page.period, Qt.Key.Key_End)                    # Dates...: From and To
    assert _tabbing_from(window, page.period, 4) == [
        "impact_from", "impact_to", "impact_breakdown", "impact_show"]
