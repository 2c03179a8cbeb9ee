"""A record a SENCO can read: the change history in plain words with UK dates and times, the
header's flags as separate badges, forms at a readable width, a cut-off cell in full on hover
and the whole EHC readiness checklist on screen at once."""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QLabel, QTableView, QToolTip
from tests.ehc_support import answer_all, educational_psychologist, three_cycles

from sendesk.records import contacts, pupils, registers
from sendesk.ui.ehc_tab import EhcTab
from sendesk.ui.pupil_record_window import PupilRecordWindow
from sendesk.ui.rows_model import Col, RowsModel

PUPIL = {"upn": "A801200000011", "legal_surname": "Hughes", "legal_forename": "Ellis",
         "dob": "2016-07-02", "gender": "U", "year_group": "5", "class_name": "5H"}


def _pupil(session) -> int:
    from sendesk.models.upn import check_letter
    body = "801200000011"
    return pupils.add_pupil(session, {**PUPIL, "upn": check_letter(body) + body})


def _rows(table) -> list[tuple[str, ...]]:
    return [tuple(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())]


def test_the_change_history_names_fields_in_plain_words_with_uk_dates(qtbot, senco_session):
    pupil_id = _pupil(senco_session)
    pupils.update_pupil(senco_session, pupil_id, {"dob": "03/07/2016"})
    contact_id = contacts.add_contact(senco_session, pupil_id, {
        "name": "Claire Hughes", "relationship": "Mother", "parental_responsibility": True})
    contacts.update_contact(senco_session, contact_id, {"do_not_disclose_address": True})
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    rows = _rows(window.history_table)
    assert [row[1:5] for row in rows] == [
        ("Contact", "Never disclose the address", "No", "Yes"),
        ("Pupil", "Date of birth", "02/07/2016", "03/07/2016")]
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", row[0]) for row in rows)
    headers = [window.history_table.horizontalHeaderItem(c).text()
               for c in range(window.history_table.columnCount())]
    assert headers == ["When", "Record", "Field", "Was", "Now", "Changed by"]


def test_the_header_shows_each_flag_as_its_own_badge(qtbot, senco_session):
    pupil_id = _pupil(senco_session)
    today = senco_session.clock.today()
    registers.add_entry(senco_session, pupil_id, "eal",
                        {"start_date": today, "first_language": "Polish"})
    registers.add_entry(senco_session, pupil_id, "monitoring",
                        {"start_date": today, "review_date": today + dt.timedelta(days=24),
                         "details": "Friendship worries"})
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    window.resize(1000, 720)
    window.show()
    badges = window.badges.findChildren(QLabel, "badge")
    assert [b.text() for b in badges] == ["EAL", "Monitoring"]
    first, second = (b.geometry() for b in badges)
    assert second.left() - first.right() >= 4, "badges are apart, not run together"
    assert "EAL" not in window.header.text()


def test_forms_stay_a_readable_width_in_a_wide_window(qtbot, senco_session):
    window = PupilRecordWindow(senco_session, _pupil(senco_session))
    qtbot.addWidget(window)
    window.resize(1600, 800)
    window.show()
    assert window.profile_form.width() <= 640


def test_a_cut_off_cell_shows_in_full_on_hover(qtbot):
    long = "E - Education, health and care plan, agreed with the local authority"
    model = RowsModel([Col("Date", lambda r: r[0]), Col("Status", lambda r: r[1])],
                      [("12/09/2026", long)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setColumnWidth(1, 80)
    view.horizontalHeader().setStretchLastSection(False)
    view.resize(300, 200)
    view.show()
    qtbot.waitExposed(view)
    cell = view.visualRect(model.index(0, 1)).center()
    QApplication.sendEvent(view.viewport(), QHelpEvent(
        QHelpEvent.Type.ToolTip, cell, view.viewport().mapToGlobal(cell)))
    assert QToolTip.isVisible() and QToolTip.text() == long
    QToolTip.hideText()
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) is None  # a date fits


def test_the_whole_ehc_readiness_checklist_fits_on_screen(qtbot, senco_session):
    pupil_id = three_cycles(senco_session)
    educational_psychologist(senco_session, pupil_id)
    answer_all(senco_session, pupil_id, skip=("social_care",))
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    window.resize(1000, 720)
    window.show()
    window.tabs.setCurrentWidget(window.placeholders["ehc"])
    tab = window.ehc
    assert isinstance(tab, EhcTab)
    table = tab.readiness.table
    rows = tab.readiness_model.rowCount()
    assert rows == 11
    line = table.fontMetrics().height()
    assert all(table.rowHeight(r) < 2 * line for r in range(rows)), "one line a row"
    last = rows - 1
    assert table.rowViewportPosition(last) + table.rowHeight(last) <= table.viewport().height()
    missing = next(i for i, item in enumerate(tab.readiness_model.rows()) if item.missing)
    index = tab.readiness_model.index(missing, 2)
    assert tab.readiness_model.data(index, Qt.ItemDataRole.ToolTipRole) == \
        tab.readiness_model.rows()[missing].missing
