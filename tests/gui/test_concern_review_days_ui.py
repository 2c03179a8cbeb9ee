"""The concerns flowchart and the short notes form in the window propose and accept only school
days for a review (issue 20, item 9). The whole flowchart is finished with real clicks on a day
whose outcome's weeks would land on a Saturday or the early May bank holiday; a Saturday typed
in is refused in one sentence, shown in the window, and nothing is recorded until a school day
is typed."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWizard
from tests.concerns_support import ROUTES, add_pupil
from tests.gui.test_concerns_wizard import click, fill_discussion, open_wizard, walk_route

from sendesk.records import concerns, notes, registers
from sendesk.ui.date_field import DateField
from sendesk.ui.forms import FormDialog
from sendesk.ui.notes_panel import NotesPanel
from sendesk.ui.runner import OpRunner

TODAY = dt.date(2026, 11, 23)


def retype(qtbot, field: DateField, text: str) -> None:
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(field, text)


@pytest.mark.parametrize(("today", "shut", "why", "moved_to"), [
    (dt.date(2027, 1, 23), "Saturday 06/03/2027", "falls at the weekend", dt.date(2027, 3, 8)),
    (dt.date(2027, 3, 22), "Monday 03/05/2027", "is a bank holiday (Early May bank holiday)",
     dt.date(2027, 5, 4))])
def test_the_flowchart_suggests_a_school_day_and_finishes_with_it(qtbot, answers, senco_session,
                                                                   clock, today, shut, why,
                                                                   moved_to):
    """Keep to good adapted teaching: a review six weeks on, which from these days is a
    Saturday or a bank holiday; the suggestion is the next school day and Finish records it on
    the run, the short note and the monitoring register."""
    pupil = add_pupil(senco_session)
    clock.advance(today - TODAY)
    wizard = open_wizard(qtbot, senco_session, pupil)
    walk_route(qtbot, wizard, ROUTES["low_attainment"][0])
    fill_discussion(qtbot, wizard)
    page = wizard.outcome_page
    assert page.review_date.text() == moved_to.strftime("%d/%m/%Y")
    assert page.review_hint.text() == (
        f"Suggested: {moved_to:%A} {moved_to:%d/%m/%Y}, about 6 weeks on: the next school day, as "
        f"{shut} {why}. A review is set on a day the school is open.")
    wizard.grab().save(f"/tmp/dates20-concerns-suggested-{today:%m%d}.png")
    with qtbot.waitSignal(wizard.run_finished) as finished:
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    run = concerns.get_run(senco_session, finished.args[0])
    assert run.review_date == moved_to
    assert notes.list_notes(senco_session, pupil)[0].review_date == moved_to
    assert registers.list_entries(senco_session, pupil)[0].review_date == moved_to
    assert answers.messages == []


def test_a_saturday_typed_for_the_review_is_refused_in_the_window(qtbot, answers, senco_session):
    pupil = add_pupil(senco_session)
    wizard = open_wizard(qtbot, senco_session, pupil)
    walk_route(qtbot, wizard, ROUTES["attendance"][0])
    fill_discussion(qtbot, wizard)
    page = wizard.outcome_page
    sentence = "Saturday 06/03/2027 is not a school day; the next school day is Monday 08/03/2027."
    retype(qtbot, page.review_date, "06/03/2027")
    assert page.review_hint.text() == sentence   # said as it is typed
    wizard.grab().save("/tmp/dates20-concerns-saturday.png")
    click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    # rev20b's finding 5: the refusal was shown twice in red, as the hint and the message.
    assert wizard.isVisible() and page.review_hint.text() == sentence
    assert page.message.text() == ""
    wizard.grab().save("/tmp/fix20c-concerns-refused.png")
    assert concerns.list_runs(senco_session, pupil) == []
    assert notes.list_notes(senco_session, pupil) == []
    retype(qtbot, page.review_date, "08/03/2027")
    assert page.review_hint.text().startswith("Suggested: Monday 04/01/2027")
    with qtbot.waitSignal(wizard.run_finished):
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert concerns.list_runs(senco_session, pupil)[0].review_date == dt.date(2027, 3, 8)


def test_the_notes_form_refuses_a_review_on_a_bank_holiday(qtbot, answers, senco_session):
    pupil = add_pupil(senco_session)
    panel = NotesPanel(senco_session, pupil, OpRunner(senco_session))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.mouseClick(panel.findChild(QPushButton, "add_note"), Qt.MouseButton.LeftButton)
    dialog = next(w for w in panel.findChildren(FormDialog) if w.isVisible())
    assert any("on a school day" in label.text() for label in dialog.findChildren(QLabel))
    qtbot.keyClicks(dialog.form.widgets["concern"], "Finds copying from the board hard.")
    qtbot.keyClicks(dialog.form.widgets["review_date"], "03/05/2027")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    dialog.grab().save("/tmp/dates20-note-bank-holiday.png")
    assert dialog.isVisible()
    assert dialog.message.text() == (
        "Monday 03/05/2027 is a bank holiday (Early May bank holiday), not a school day; the "
        "next school day is Tuesday 04/05/2027.")
    assert notes.list_notes(senco_session, pupil) == []
    retype(qtbot, dialog.form.widgets["review_date"], "04/05/2027")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert notes.list_notes(senco_session, pupil)[0].review_date == dt.date(2027, 5, 4)
