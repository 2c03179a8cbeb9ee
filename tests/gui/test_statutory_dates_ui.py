"""Issue 20's date rules in the window: INSET days and the review limit edited beside the term
dates (greyed for other roles), the pupils with no current plan on Home, in Reviews due and by
a pupil-list filter, the leaving date in the send wizard, and the EHC tab opening on the plan."""

from __future__ import annotations

import datetime as dt
import os

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from tests.apdr_support import sen_support_pupil
from tests.ehc_support import issued_plan
from tests.transfer_support import consent_to_share, fake_pdf

from sendesk.records import school_calendar
from sendesk.ui.calendar_page import CalendarPage
from sendesk.ui.dashboard_page import DashboardPage
from sendesk.ui.ehc_tab import EhcTab
from sendesk.ui.pupil_list_page import PupilListPage
from sendesk.ui.reviews_due import ReviewsDueView
from sendesk.ui.transfers_tab import TransfersTab

D = dt.date


def _shot(widget, name: str) -> None:
    if os.environ.get("RD_SHOTS"):
        widget.grab().save(f"/tmp/rules-dates-{name}.png")


def test_inset_days_are_typed_and_saved_beside_the_term_dates(qtbot, senco_session):
    page = CalendarPage(senco_session)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    editor = page.terms
    editor.inset.setFocus()
    QTest.keyClicks(editor.inset, "02/09/2026, 30/11/2026")
    QTest.mouseClick(editor.findChild(QPushButton, "save_inset"), Qt.MouseButton.LeftButton)
    assert editor.message.text() == ""
    assert school_calendar.load(senco_session).inset_days(2026) == {D(2026, 9, 2), D(2026, 11, 30)}
    assert editor.inset.text() == "02/09/2026, 30/11/2026"
    editor.inset.clear()
    QTest.keyClicks(editor.inset, "28/11/2026")
    QTest.mouseClick(editor.findChild(QPushButton, "save_inset"), Qt.MouseButton.LeftButton)
    assert "is a Saturday" in editor.message.text()
    assert school_calendar.load(senco_session).inset_days(2026) == {D(2026, 9, 2), D(2026, 11, 30)}
    editor.review_weeks.setValue(12)
    QTest.mouseClick(editor.findChild(QPushButton, "save_review_weeks"), Qt.MouseButton.LeftButton)
    assert school_calendar.load(senco_session).review_weeks == 12
    page.show()
    _shot(page, "calendar")


def test_staff_see_the_school_dates_greyed_with_the_reason(qtbot, staff_session):
    page = CalendarPage(staff_session)
    qtbot.addWidget(page)
    for name in ("save_inset", "save_review_weeks", "save_cutoff", "reset_terms"):
        button = page.terms.findChild(QPushButton, name)
        assert button.isVisibleTo(page) and not button.isEnabled()
        assert "Only the SENCO or an administrator" in button.toolTip()
    assert not page.terms.inset.isEnabled() and not page.terms.review_weeks.isEnabled()


def test_a_pupil_at_k_with_no_plan_is_on_home_reviews_due_and_the_pupil_list(qtbot, senco_session):
    unseen = sen_support_pupil(senco_session, surname="Quinn", needs=("MLD",))
    sen_support_pupil(senco_session, surname="Other")
    senco_session.db.execute("UPDATE pupils SET sen_status = 'N' WHERE legal_surname = 'Other'")
    home = DashboardPage(senco_session)
    qtbot.addWidget(home)
    assert home.no_plan.title() == "On the SEN register with no current plan (1)"
    assert home.no_plan.model.rowCount() == 1
    due = ReviewsDueView(senco_session)
    qtbot.addWidget(due)
    assert "1 on the SEN register with no current plan" in due.summary.text()
    assert due.model.row_object(0).pupil_id == unseen
    page = PupilListPage(senco_session)
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 2
    QTest.mouseClick(page.no_plan, Qt.MouseButton.LeftButton)
    assert page.no_plan.isChecked()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.id_at(0) == unseen
    home.resize(1200, 900)
    home.show()
    _shot(home, "home")
    due.resize(1200, 400)
    due.show()
    _shot(due, "reviews-due")


def test_the_leaving_date_is_typed_in_the_send_wizard(qtbot, senco_session, answers, tmp_path):
    pupil_id = sen_support_pupil(senco_session)
    consent_to_share(senco_session, pupil_id)
    tab = TransfersTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()
    wizard = tab.start_sending()
    wizard.render_pdf = fake_pdf
    page = wizard.school_page
    assert page.leaving.day() == D(2026, 11, 23)          # today unless changed
    QTest.keyClicks(page.school_name, "Brambleton Primary School")
    QTest.keyClicks(page.reference, "123456")
    page.leaving.clear()
    QTest.keyClicks(page.leaving, "23/07/2027")
    wizard.next()
    assert wizard.currentPage() is page
    assert "after the end of this school year" in page.message.text()
    page.leaving.clear()
    QTest.keyClicks(page.leaving, "13/11/2026")
    _shot(wizard, "send-wizard")
    wizard.next()
    checks = wizard.checks_page
    assert wizard.currentPage() is checks
    checks.confirm.setChecked(True)
    wizard.next()
    write = wizard.write_page
    answers.next_paths.append(tmp_path / "p.sendesk-transfer")
    write.choose.click()
    write.write.click()
    qtbot.waitUntil(lambda: wizard.result is not None, timeout=30_000)
    assert wizard.result.deadline == D(2026, 12, 4)
    assert "04/12/2026" in write.details.text()


def test_the_ehc_tab_of_a_pupil_with_a_plan_opens_on_the_plan(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    issued_plan(senco_session, pupil_id, D(2026, 3, 10))
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    assert tab.sections.currentWidget() is tab.plans
    without = EhcTab(senco_session, sen_support_pupil(senco_session, surname="Lowe"))
    qtbot.addWidget(without)
    assert without.sections.currentWidget() is without.readiness
