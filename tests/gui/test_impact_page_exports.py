"""The impact page sends out exactly what is on screen and what its controls say: a control
changed after Show marks the table out of date, and Print, Save as PDF and Export CSV show the
table for the new choices before they send it; the message counts the rows written; and the
charts have their room on the very first showing."""

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


def test_every_export_is_the_table_on_screen_for_the_choices_made(qtbot, senco_session, answers,
                                                                  tmp_path):
    page = _page(qtbot, senco_session)
    assert page.model.headerData(2, Qt.Orientation.Horizontal) == "Breakdown"
    whole = page.model.rowCount()
    # Choose a breakdown but do not press Show: the heading says the table is out of date.
    page.breakdown.setFocus()
    QTest.keyClick(page.breakdown, Qt.Key.Key_End)
    assert "press Show" in page.heading.text() and page.model.rowCount() == whole
    # Export CSV shows the table for the breakdown first, then writes that table.
    out = tmp_path / "impact.csv"
    answers.next_paths = [out]
    QTest.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    assert "press Show" not in page.heading.text()
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == page.model.rowCount() > whole
    assert {r["category"] for r in rows} > {""}
    assert answers.messages[-1][-1] == f"Saved {len(rows)} rows to impact.csv."
    # And the PDF, after going back to no breakdown without pressing Show.
    page.breakdown.setFocus()
    QTest.keyClick(page.breakdown, Qt.Key.Key_Home)
    pdf_out = tmp_path / "impact.pdf"
    answers.next_paths = [pdf_out]
    QTest.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == whole and "press Show" not in page.heading.text()
    assert pdf_out.exists() and answers.messages[-1][-1].startswith("Saved ")


def _typed_dates(page, start: str, end: str | None = None) -> None:
    """Choose "Dates..." and type over From (and To) as a person would."""
    page.period.setFocus()
    QTest.keyClick(page.period, Qt.Key.Key_End)        # "Dates..."
    for field, text in ((page.start, start), (page.end, end)):
        if text is not None:
            field.setFocus()
            field.selectAll()
            QTest.keyClicks(field, text)


def test_a_refused_choice_sends_nothing(qtbot, senco_session, answers, tmp_path):
    """Dates typed the wrong way round and Save as PDF pressed: the refusal is said and no
    file is asked for or written (not last table's figures under the new dates)."""
    page = _page(qtbot, senco_session)
    _typed_dates(page, "30/11/2026", "23/11/2026")
    pdf_out = tmp_path / "impact.pdf"
    answers.next_paths = [pdf_out]
    QTest.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    assert page.heading.text().startswith("The period ends on 23/11/2026")
    assert not pdf_out.exists() and answers.next_paths == [pdf_out]


def test_enter_in_a_date_shows_the_table(qtbot, senco_session):
    page = _page(qtbot, senco_session)
    _typed_dates(page, "01/10/2026")
    assert "press Show" in page.heading.text()
    QTest.keyClick(page.start, Qt.Key.Key_Return)
    assert "press Show" not in page.heading.text()
