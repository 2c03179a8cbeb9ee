"""Issue 20 review, in the window (today is Monday 23/11/2026): an EHC review meeting typed for a
Saturday is refused in the form, a booked one stays on its own day in the Calendar, the send
wizard shows a leaver's recorded date and says a late file is late, the pupil list's overdue
tick says what it counts and its Next review column fits, Home names its half-term by its
school days, and staff are told who can change the default term dates."""

from __future__ import annotations

import datetime as dt
import os

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QPushButton
from tests.apdr_support import sen_support_pupil
from tests.ehc_support import issued_plan
from tests.transfer_support import consent_to_share, fake_pdf

from sendesk.records import ehc, pupils, registers
from sendesk.ui.calendar_page import CalendarPage
from sendesk.ui.dashboard_page import DashboardPage
from sendesk.ui.ehc_tab import EhcTab
from sendesk.ui.forms import FormDialog
from sendesk.ui.pupil_list_page import COLUMNS, PupilListPage
from sendesk.ui.transfers_tab import TransfersTab

D = dt.date


def _shot(widget, name: str) -> None:
    if os.environ.get("FIXB_SHOTS"):
        widget.grab().save(f"/tmp/fix-b-{name}.png")


def _retype(widget, text: str) -> None:
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(widget, text)


def _save(dialog: FormDialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    QTest.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def test_a_saturday_meeting_is_refused_in_the_annual_review_form(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    plan_id = issued_plan(senco_session, pupil_id, D(2026, 3, 10))
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()
    tab.plans.table.selectRow(0)
    QTest.mouseClick(tab.findChild(QPushButton, "review"), Qt.MouseButton.LeftButton)
    dialog = tab.findChild(FormDialog)
    assert dialog is not None and dialog.isVisible()
    _retype(dialog.form.widgets["meeting_on"], "05/12/2026")
    _save(dialog)
    assert dialog.message.text() == "05/12/2026 is a Saturday; choose a school day."
    assert dialog.isVisible()
    _shot(dialog, "ehc-review-saturday")
    assert ehc.list_plans(senco_session, pupil_id)[0].booked_review is None
    _retype(dialog.form.widgets["meeting_on"], "04/12/2026")
    _save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert ehc.list_plans(senco_session, pupil_id)[0].booked_review.meeting_on == D(2026, 12, 4)
    assert plan_id


def test_a_meeting_booked_for_a_saturday_stays_on_its_day_in_the_calendar(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    plan_id = issued_plan(senco_session, pupil_id, D(2026, 3, 10))
    review_id = ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 12, 4)})
    senco_session.db.execute("UPDATE ehc_reviews SET meeting_on = '2026-12-05' WHERE id = ?",
                             (review_id,))   # booked before bookings were checked
    page = CalendarPage(senco_session)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    QTest.mouseClick(page.findChild(QPushButton, "show"), Qt.MouseButton.LeftButton)
    meeting = next(i for i in page.items if i.label_on_screen.startswith("EHC annual review meeting"))
    assert meeting.day == D(2026, 12, 5)
    assert meeting.label_on_screen.endswith("(not a school day)")
    page.tree.expandAll()
    _shot(page, "calendar-booked-saturday")


def test_the_send_wizard_shows_a_leavers_recorded_date_and_says_the_file_is_late(
        qtbot, senco_session, answers, tmp_path):
    # It showed today, greyed, for a pupil who had left on 16/10/2026.
    pupil_id = sen_support_pupil(senco_session)
    consent_to_share(senco_session, pupil_id)
    pupils.archive_leaver(senco_session, pupil_id, D(2026, 10, 16), "Moved away")
    tab = TransfersTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()
    QTest.mouseClick(tab.send, Qt.MouseButton.LeftButton)
    wizard = tab.wizard
    wizard.render_pdf = fake_pdf
    page = wizard.school_page
    assert page.leaving.text() == "16/10/2026" and not page.leaving.isEnabled()
    late = ("The file is 6 school days late: it was due at the new school by 13/11/2026 (15 "
            "school days after the pupil left on 16/10/2026). Send it now.")
    assert page.deadline.text() == late
    QTest.keyClicks(page.school_name, "Brambleton Primary School")
    QTest.keyClicks(page.reference, "123456")
    wizard.resize(820, 620)
    wizard.show()
    _shot(wizard, "send-wizard-late")
    QTest.mouseClick(wizard.button(wizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.checks_page, page.message.text()
    QTest.mouseClick(wizard.checks_page.confirm, Qt.MouseButton.LeftButton)
    QTest.mouseClick(wizard.button(wizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    write = wizard.write_page
    answers.next_paths.append(tmp_path / "p.sendesk-transfer")
    QTest.mouseClick(write.choose, Qt.MouseButton.LeftButton)
    QTest.mouseClick(write.write, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.result is not None, timeout=30_000)
    assert wizard.result.deadline == D(2026, 11, 13)
    assert late in write.details.text()
    _shot(wizard, "send-wizard-written-late")


def test_the_deadline_follows_the_leaving_date_as_it_is_typed(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    consent_to_share(senco_session, pupil_id)
    tab = TransfersTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    wizard = tab.start_sending()
    page = wizard.school_page
    assert page.deadline.text() == ("The file must reach the new school by 14/12/2026 (15 school "
                                    "days after leaving on 23/11/2026).")
    _retype(page.leaving, "18/12/2026")     # ahead, before the last day: allowed
    assert "by 22/01/2027" in page.deadline.text()
    _retype(page.leaving, "16/10/2026")
    assert page.deadline.text().startswith("The file is 6 school days late")
    _retype(page.leaving, "02/09/2027")
    assert "after the end of this school year (22/07/2027)" in page.deadline.text()


def test_the_pupil_lists_overdue_tick_says_what_it_counts(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    # A monitoring register review a week ago: overdue, though not a support plan review.
    registers.add_entry(senco_session, pupil_id, "monitoring",
                        {"start_date": D(2026, 9, 7), "review_date": D(2026, 11, 16)})
    page = PupilListPage(senco_session)
    qtbot.addWidget(page)
    page.resize(1400, 500)
    page.show()
    assert page.overdue.text() == "Any review overdue"
    assert "Home and Reviews due count support plan reviews only" in page.overdue.toolTip()
    QTest.mouseClick(page.overdue, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    column = [c.key for c in COLUMNS].index("review")
    text = page.model.data(page.model.index(0, column))
    assert text == "16/11/2026 (overdue)"
    assert page.table.columnWidth(column) > page.table.fontMetrics().horizontalAdvance(text) + 8
    _shot(page, "pupil-list")


def test_home_gives_the_half_terms_school_days_and_names_its_review_lists(qtbot, senco_session):
    home = DashboardPage(senco_session)
    qtbot.addWidget(home)
    home.resize(1200, 900)
    home.show()
    qtbot.waitUntil(lambda: home.data is not None)
    assert "Autumn 2: 02/11/2026 to 18/12/2026." in home.summary.text()
    assert home.overdue.title().startswith("Support plan reviews overdue")
    assert home.reviews_due.title().startswith("Support plan reviews due this half-term")
    assert "Reviews due page" in home.overdue.toolTip()
    _shot(home, "home")


def test_staff_are_told_who_can_change_the_default_dates(qtbot, staff_session, senco_session):
    staff = CalendarPage(staff_session)
    qtbot.addWidget(staff)
    assert staff.terms.source.text().startswith("England's default dates. The SENCO or an "
                                                "administrator can enter the school's own")
    senco = CalendarPage(senco_session)
    qtbot.addWidget(senco)
    assert senco.terms.source.text() == ("England's default dates: change them to the school's "
                                         "own and save.")
    staff.resize(1200, 900)
    staff.show()
    _shot(staff.terms, "calendar-staff")
