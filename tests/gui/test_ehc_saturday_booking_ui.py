"""An annual review meeting booked for a Saturday before bookings were checked (issue 20, item
9) is flagged on the pupil's EHC tab beside the booking, as the agenda flags it, with the way
to move it; moving it through the Annual review form to a school day clears the flag."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QPushButton
from tests.apdr_support import sen_support_pupil
from tests.ehc_support import issued_plan
from tests.gui.test_review_dates_checked_ui import _retype, _save

from sendesk.records import ehc
from sendesk.ui.ehc_tab import EhcTab
from sendesk.ui.forms import FormDialog

D = dt.date
FLAG = ("Not a school day, as it is a Saturday: check the booking. To move the meeting to a school day, "
        "choose Annual review... and change its date.")


def test_a_saturday_booking_is_flagged_on_the_ehc_tab_and_moved_from_it(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    plan_id = issued_plan(senco_session, pupil_id, D(2026, 3, 10))
    review_id = ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 12, 4)})
    with senco_session.db.transaction():   # booked before bookings were checked
        senco_session.db.execute("UPDATE ehc_reviews SET meeting_on = '2026-12-05' WHERE id = ?",
                                 (review_id,))
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.resize(1000, 760)
    tab.show()
    assert tab.sections.currentWidget() is tab.plans
    shown = tab.plans.details.toPlainText()
    assert "booked for 05/12/2026 (not a school day)" in shown
    assert FLAG in shown
    assert "Booked for 05/12/2026 (not a school day); invitations not yet sent" in shown
    tab.grab().save("/tmp/dates20-ehc-saturday-booking.png")

    QTest.mouseClick(tab.findChild(QPushButton, "review"), Qt.MouseButton.LeftButton)
    dialog = tab.findChild(FormDialog)
    assert dialog is not None and dialog.isVisible()
    intro = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert ("The meeting is booked for a day the school is shut: Saturday 05/12/2026 is not a "
            "school day; the next school day is Monday 07/12/2026. Change the meeting date to "
            "move it.") in intro
    assert dialog.form.widgets["meeting_on"].text() == "05/12/2026"
    _retype(dialog.form.widgets["meeting_on"], "07/12/2026")
    _save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert ehc.list_plans(senco_session, pupil_id)[0].booked_review.meeting_on == D(2026, 12, 7)
    qtbot.waitUntil(lambda: "booked for 07/12/2026" in tab.plans.details.toPlainText())
    shown = tab.plans.details.toPlainText()
    assert "not a school day" not in shown and "check the booking" not in shown


def test_a_school_day_booking_carries_no_flag(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    plan_id = issued_plan(senco_session, pupil_id, D(2026, 3, 10))
    ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 12, 4)})
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()
    shown = tab.plans.details.toPlainText()
    assert "booked for 04/12/2026" in shown and "not a school day" not in shown
