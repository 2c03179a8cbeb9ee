"""The governors' report preview paints only the pages in view (the report runs to dozens of
pages at a county's size), scrolls to the others with the keys, zooms with the buttons, and
its pages are the PDF's own pages."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolButton
from tests.impact_support import library_item, measure, pupil_on_item

from sendesk.ui import governors_report_window, page_view
from sendesk.ui.governors_report_window import GovernorsReportWindow


def test_only_the_pages_in_view_are_painted_and_the_keys_reach_the_rest(
        qtbot, senco_session, monkeypatch):
    library = library_item(senco_session, "Precision teaching")
    for n in range(6):
        pupil, item = pupil_on_item(senco_session, f"Pupil{n}", library, achieved=n < 4)
        measure(senco_session, pupil, item_id=item, entry=80 + n, exit=86 + n)
    painted: list[int] = []
    real_band = page_view.paint_band

    def band(painter, metrics, document, number, total):
        painted.append(number)
        real_band(painter, metrics, document, number, total)

    monkeypatch.setattr(page_view, "paint_band", band)
    window = GovernorsReportWindow(senco_session)
    qtbot.addWidget(window)
    window.resize(900, 820)
    window.show()
    QTest.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    view = window.panel.page_view
    pages = window.panel.page_count()
    assert pages >= 3 and window.panel.pages.text() == f"{pages} pages"
    painted.clear()
    first = view.grab().toImage()
    assert painted and set(painted) <= {1, 2}               # the first screen only
    view.setFocus()
    for _ in range(12):
        QTest.keyClick(view, Qt.Key.Key_PageDown)
    painted.clear()
    later = view.grab().toImage()
    assert painted and min(painted) >= 3 and len(set(painted)) <= 2
    assert later != first
    # Zoom in: fewer of a page fits, the label says so; fit page shows one page whole.
    before = window.panel.zoom_label.text()
    QTest.mouseClick(window.panel.findChild(QToolButton, "zoom_in"), Qt.MouseButton.LeftButton)
    assert int(window.panel.zoom_label.text().rstrip("%")) > int(before.rstrip("%"))
    QTest.mouseClick(window.panel.findChild(QToolButton, "fit_page"), Qt.MouseButton.LeftButton)
    view.verticalScrollBar().setValue(0)
    painted.clear()
    view.grab()
    assert painted == [1]                                   # one whole page in view
    window.grab().save("/tmp/speed19b-governors.png")


def test_the_pages_are_laid_out_again_only_when_the_figures_change(
        qtbot, senco_session, monkeypatch):
    """Shown again with nothing changed, the preview shows the pages it laid out (at a county's
    size laying them out was most of the preview); after a change it shows the new figures."""
    library = library_item(senco_session, "Precision teaching")
    for n in range(5):
        pupil_on_item(senco_session, f"Pupil{n}", library, achieved=True)
    laid: list[int] = []
    real_lay_out = governors_report_window.lay_out

    def lay_out(documents):
        laid.append(len(documents))
        return real_lay_out(documents)

    monkeypatch.setattr(governors_report_window, "lay_out", lay_out)
    window = GovernorsReportWindow(senco_session)
    qtbot.addWidget(window)
    window.show()
    QTest.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    first, pages = window.panel.documents, window.panel.page_count()
    assert laid == [1] and pages >= 1
    QTest.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    assert laid == [1] and window.panel.documents == first
    assert window.panel.page_count() == pages
    pupil_on_item(senco_session, "Later", library, achieved=True)     # one more on the register
    QTest.mouseClick(window.show_button, Qt.MouseButton.LeftButton)
    assert laid == [1, 1] and window.panel.documents != first
