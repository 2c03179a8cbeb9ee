"""The impact table's Provision and Measure columns on a 1366 x 768 laptop, in the real main
window on the demo school: they have the width to be read (each name on at most two lines,
beside a breakdown too), the figures beside them take no more than their words need on two
lines, nothing is cut (a name too long for its cell says itself in full on hover) and nothing
needs scrolling sideways."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from sendesk.models.periods import Period
from sendesk.models.small_numbers import FEWER, FIVE_OR_MORE, NOT_SHOWN
from sendesk.ui.impact_page import (
    CELL_PADDING,
    COLUMNS,
    NO_BREAK,
    TEXT_COLUMNS,
    WHOLE_IF_ROOM,
    lines_width,
)

from .tour import make_demo, open_page_at, settle

WIDTH, HEIGHT = 1366, 768


@pytest.fixture(scope="module")
def demo_school(tmp_path_factory, qapp):
    return make_demo(tmp_path_factory.mktemp("impact-columns"), pupils=600)


def _impact(make_controller, demo_school):
    return open_page_at(make_controller, demo_school, "impact", WIDTH, HEIGHT)


def _names_fit(page, lines: int) -> None:
    view, metrics = page.view, page.view.fontMetrics()
    for column in TEXT_COLUMNS:
        width = view.columnWidth(column)
        for row in range(page.model.rowCount()):
            index = page.model.index(row, column)
            text = index.data() or ""
            assert lines_width(metrics, text, lines) + CELL_PADDING <= width, \
                f"{text!r} needs more than {lines} lines in {width} px"
            # Every row is tall enough for the lines its names take: nothing cut off below.
            assert view.rowHeight(row) >= view.sizeHintForRow(row) - 1
            if len(text) > 16:
                assert index.data(Qt.ItemDataRole.ToolTipRole) == text


def test_provision_and_measure_are_readable_at_1366(make_controller, demo_school):
    window, page = _impact(make_controller, demo_school)
    QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    settle(300)
    window.grab().save("/tmp/ux19-impact-1366.png")
    assert window.width() <= WIDTH and page.model.rowCount() >= 8
    assert page.view.horizontalScrollBar().maximum() == 0
    _names_fit(page, 2)
    labels = [page.model.index(r, 1).data() for r in range(page.model.rowCount())]
    assert "SDQ emotional symptoms score (lower is better)" in labels

    # Broken down by area of need: the Breakdown column joins them and they still read.
    page.breakdown.setFocus()
    QTest.keyClick(page.breakdown, Qt.Key.Key_Home)
    QTest.keyClick(page.breakdown, Qt.Key.Key_Down)
    assert page.breakdown.currentData() == "area"
    QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    settle(300)
    window.grab().save("/tmp/ux19-impact-1366-by-area.png")
    assert not page.view.isColumnHidden(2)
    assert page.view.horizontalScrollBar().maximum() == 0
    _names_fit(page, 2)


def _met_readable(page) -> None:
    """Met %'s title on one line, and each value with "fewer than 5" whole on a line: set as
    the figures are ("fewer / than 5"), it read "fewer than" with "5 met" cut below it."""
    view, cells = page.view, page.view.fontMetrics()
    titles = view.horizontalHeader().fontMetrics()
    column = [c.key for c in COLUMNS].index("met_outcomes_pct")
    width = view.columnWidth(column)
    assert titles.horizontalAdvance(COLUMNS[column].title) + CELL_PADDING <= width
    shown = [page.model.index(row, column).data() or "" for row in range(page.model.rowCount())]
    assert any(FEWER in text.replace(NO_BREAK, " ") for text in shown)
    # Wide enough for "fewer than 5" on one line, which is never broken within a value.
    assert cells.horizontalAdvance(FEWER) + CELL_PADDING <= width, f"{FEWER!r} in {width} px"
    for row, text in enumerate(shown):
        assert FEWER not in text, f"{text!r} may be broken within 'fewer than 5'"
        assert lines_width(cells, text, 2) + CELL_PADDING <= width, f"{text!r} in {width} px"
        assert view.rowHeight(row) >= view.sizeHintForRow(row) - 1


def _hidden_counts_whole(page) -> set[str]:
    """In each column of figures the page has the room for, a hidden count's words are whole
    on one line: they were set "fewer / than 5" and "not / shown", half the table's rows two
    lines tall. Returns the phrases seen."""
    view, cells = page.view, page.view.fontMetrics()
    seen = set()
    for number, column in enumerate(COLUMNS):
        if column.key not in page.model.whole:
            continue
        width = view.columnWidth(number)
        for row in range(page.model.rowCount()):
            text = page.model.index(row, number).data() or ""
            for phrase in (FEWER, FIVE_OR_MORE, NOT_SHOWN):
                assert phrase not in text, f"{text!r} in {column.title} may be broken"
                if phrase.replace(" ", NO_BREAK) in text:
                    seen.add(phrase)
                    assert cells.horizontalAdvance(phrase) + CELL_PADDING <= width, \
                        f"{phrase!r} in {column.title}: {width} px"
    return seen


def test_met_outcomes_is_readable_at_1366(make_controller, demo_school):
    window, page = _impact(make_controller, demo_school)
    seen: set[str] = set()
    for breakdown in (0, 1):
        page.breakdown.setCurrentIndex(breakdown)
        for period in (Period.THIS_YEAR, Period.LAST_THREE_YEARS):
            page.period.setCurrentIndex(list(Period).index(period))
            QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
            settle(300)
            window.grab().save(f"/tmp/fix24-impact-{period.value}-{breakdown}.png")
            assert page.view.horizontalScrollBar().maximum() == 0
            _met_readable(page)
            seen |= _hidden_counts_whole(page)
            if not breakdown and period is Period.THIS_YEAR:
                # Without a breakdown there is the room for every column's at 1366 px.
                assert WHOLE_IF_ROOM <= page.model.whole
    assert {FEWER, NOT_SHOWN} <= seen
