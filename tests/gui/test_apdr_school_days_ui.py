"""The APDR wizard proposes and accepts only school days for the plan meeting and the review
meeting (rev20's finding 4 on issue 20, item 9): opened on a Saturday, the plan's agreed date
and the review's held date are the Friday before; a Saturday or Christmas Day typed in is named
as it is typed, Save draft shows the core's sentence, and nothing is saved until a school day
is typed."""

from __future__ import annotations

import datetime as dt
import os

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.apdr_support import assess, plan, sen_support_pupil

from sendesk.models.apdr import Part
from sendesk.records import apdr
from sendesk.ui.apdr.wizard import ApdrWizard

D = dt.date


def _go_to(clock, day: dt.date) -> None:
    clock.advance(dt.datetime.combine(day, dt.time(9, 30), tzinfo=dt.UTC) - clock.now())


def _retype(widget, text: str) -> None:
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Backspace)
    QTest.keyClicks(widget, text)


def _shot(widget, name: str) -> None:
    if os.environ.get("FIX20B_SHOTS"):
        widget.grab().save(f"/tmp/fix20b-{name}.png")


def _wizard(qtbot, session, cycle_id: int, part: Part) -> ApdrWizard:
    wizard = ApdrWizard(session, cycle_id, part)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _save(wizard: ApdrWizard) -> None:
    QTest.mouseClick(wizard.save_button, Qt.MouseButton.LeftButton)


def test_the_plan_meeting_is_proposed_and_kept_on_a_school_day(qtbot, senco_session, clock):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "16/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 16))
    _go_to(clock, D(2026, 11, 28))   # a Saturday: the SENCO writes the plan up at home
    wizard = _wizard(qtbot, senco_session, cycle, Part.PLAN)
    page = wizard.plan
    date = page.form.widgets["plan_date"]
    assert date.text() == "27/11/2026"   # Friday, not the Saturday it is today
    _retype(date, "25/12/2026")
    christmas = ("Friday 25/12/2026 is a bank holiday (Christmas Day), not a school day; the next "
                 "school day is Monday 04/01/2027.")
    assert page.review_hint.text() == christmas
    _retype(date, "28/11/2026")
    saturday = "Saturday 28/11/2026 is not a school day; the next school day is Monday 30/11/2026."
    assert page.review_hint.text() == saturday
    _save(wizard)
    assert page.message.text() == saturday
    _shot(wizard, "plan-saturday")
    assert apdr.get_cycle(senco_session, cycle).plan is None
    _retype(date, "27/11/2026")
    assert "no later than" in page.review_hint.text()
    _save(wizard)
    assert page.message.text() == "Draft saved."
    assert apdr.get_cycle(senco_session, cycle).plan.plan_date == D(2026, 11, 27)


def test_the_review_meeting_is_proposed_and_kept_on_a_school_day(qtbot, senco_session, clock):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "16/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 16))
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 26))
    _go_to(clock, D(2027, 2, 13))   # a Saturday before the agreed review date
    wizard = _wizard(qtbot, senco_session, cycle, Part.REVIEW)
    page = wizard.review
    held = page.form.widgets["held_on"]
    assert held.text() == "12/02/2027" and not page.held_hint.isVisible()
    _retype(held, "06/02/2027")
    saturday = "Saturday 06/02/2027 is not a school day; the next school day is Monday 08/02/2027."
    assert page.held_hint.isVisible() and page.held_hint.text() == saturday
    _save(wizard)
    assert page.message.text() == saturday
    _shot(wizard, "review-saturday")
    assert apdr.get_cycle(senco_session, cycle).review is None
    _retype(held, "12/02/2027")
    assert not page.held_hint.isVisible()
    _save(wizard)
    assert page.message.text() == "Draft saved."
    assert apdr.get_cycle(senco_session, cycle).review.held_on == D(2027, 2, 12)
