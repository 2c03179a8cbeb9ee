"""The impact page sends out exactly what is on screen: the table shown is what Print, Save as
PDF and Export CSV use; a control changed after Show marks the table out of date; the message
counts the rows written; and the charts have their room on the very first showing."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.gui.test_impact_reports_ui import _school, shown_page

from sendesk.pdf.charts import chart_height
from sendesk.ui.impact_page import ImpactPage


def _page(qtbot, session):
    _school(session)
    return shown_page(qtbot, session, 2, (1100, 900))


def test_the_charts_have_their_room_on_the_first_showing(qtbot, senco_session):
    # As the main window holds it: built unread behind another page, read when first shown.
    from PySide6.QtWidgets import QLabel, QStackedWidget
    _school(senco_session)
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    stack.addWidget(QLabel("Home"))
    page = ImpactPage(senco_session, load=False)
    stack.addWidget(page)
    stack.resize(1100, 900)
    stack.show()
    qtbot.wait(20)
    stack.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    qtbot.wait(50)
    page.grab().save("/tmp/fix-c-impact-first.png")
    shown = [c for c in page.charts if c.isVisible()]
    assert len(shown) >= 2
    for chart in shown:
        assert chart.height() >= chart_height(chart.chart, chart.drawing_font(), chart.width() - 4)
    for above, below in zip(shown, shown[1:], strict=False):
        assert above.geometry().bottom() < below.geometry().top()


def test_every_export_is_the_table_on_screen(qtbot, senco_session, answers, tmp_path):
    page = _page(qtbot, senco_session)
    assert page.model.headerData(2, Qt.Orientation.Horizontal) == "Breakdown"
    # Choose a breakdown but do not press Show: the table on screen is still the whole one.
    page.breakdown.setFocus()
    QTest.keyClick(page.breakdown, Qt.Key.Key_End)
    assert "press Show" in page.heading.text()
    out = tmp_path / "impact.csv"
    answers.next_paths = [out]
    QTest.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert {r["category"] for r in rows} == {""} and len(rows) == page.model.rowCount()
    assert answers.messages[-1][-1] == f"Saved {len(rows)} rows to impact.csv."
    # Shown again: now the breakdown's rows are on screen, and in the file.
    QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert "press Show" not in page.heading.text()
    answers.next_paths = [out]
    QTest.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == page.model.rowCount() > 2
    assert answers.messages[-1][-1] == f"Saved {len(rows)} rows to impact.csv."
