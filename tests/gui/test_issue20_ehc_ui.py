"""Issue 20 items 7-9 in the window, by keyboard and mouse: a request that says who asked and
why it went early, a plan that asks for the decision to assess and closes its request, an
interim review, a report for an NSA pupil that leads to the needs editor, and the Exams and
My Story tab. Today is 23/11/2026."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit

from apdr_support import sen_support_pupil
from ehc_support import educational_psychologist, issued_plan
from sendesk.models.ehc import RequestStage
from sendesk.records import ehc, exam_access, my_story
from sendesk.ui.ehc_tab import EhcTab
from sendesk.ui.file_sections_tab import FileSectionsTab
from sendesk.ui.forms import FormDialog
from sendesk.ui.pupil_record_window import PupilRecordWindow

D = dt.date


def type_into(widget, text: str) -> None:
    """Replace what the field holds by typing, as a user would (select all, then type)."""
    widget.setFocus()
    if isinstance(widget, QPlainTextEdit):
        widget.selectAll()
    else:
        QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(widget, text)


def choose(combo: QComboBox, value) -> None:
    """Pick an entry with the keyboard: focus the box and step to it with the arrow keys."""
    combo.setFocus()
    target = combo.findData(value)
    assert target >= 0, value
    while combo.currentIndex() != target:
        QTest.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up)


def save(dialog) -> None:
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def click(button) -> None:
    assert button.isEnabled(), button.objectName()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def open_dialog(tab, button) -> FormDialog:
    click(button)
    found = [d for d in tab.window().findChildren(FormDialog) if d.isVisible()]
    assert found, "no form opened"
    return found[-1]


def test_a_request_below_readiness_asks_why_and_records_who_asked(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()
    dialog = open_dialog(tab, tab.requests.buttons["new_request"])
    assert "1 of 11 items met" in " ".join(w.text() for w in dialog.findChildren(QLabel))
    form = dialog.form.widgets
    choose(form["requested_by"], "school")
    type_into(form["local_authority"], "Durham")
    for key, text in (("consent_on", "01/09/2026"), ("head_signed_on", "02/09/2026"),
                      ("submitted_on", "03/09/2026")):
        type_into(form[key], text)
    type_into(form["head_name"], "Mr J Lowe")
    save(dialog)
    assert dialog.isVisible()
    assert "shows 1 of 11 items met. Say why" in dialog.message.text()
    type_into(form["below_readiness_reason"], "Needs changed suddenly after a hospital stay.")
    save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert request.sent_readiness == "1 of 11"
    qtbot.waitUntil(lambda: "Readiness when sent" in tab.requests.details.toPlainText())
    text = tab.requests.details.toPlainText()
    assert "Requested by" in text and "The school" in text
    assert "hospital stay" in text


def test_a_parent_request_needs_no_countersignature(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()
    dialog = open_dialog(tab, tab.requests.buttons["new_request"])
    choose(dialog.form.widgets["requested_by"], "parent")
    type_into(dialog.form.widgets["local_authority"], "Durham")
    type_into(dialog.form.widgets["submitted_on"], "03/09/2026")
    save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert ehc.list_requests(senco_session, pupil_id)[0].requested_by.value == "parent"


def recording_a_plan(qtbot, senco_session, sent):
    """(pupil, EHC tab, form): a request sent on ``sent`` (consent two days and the head's
    countersignature one day before), and Record the plan pressed on the tab's plans."""
    pupil_id = sen_support_pupil(senco_session)
    ehc.add_request(senco_session, pupil_id, {
        "local_authority": "Durham", "consent_on": sent - dt.timedelta(days=2),
        "head_name": "Mr J Lowe", "head_signed_on": sent - dt.timedelta(days=1),
        "submitted_on": sent, "below_readiness_reason": "Needs changed suddenly."})
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()
    tab.sections.setCurrentWidget(tab.plans)
    return pupil_id, tab, open_dialog(tab, tab.plans.buttons["record_plan"])


def test_recording_a_plan_asks_for_the_decision_and_closes_the_request(qtbot, senco_session):
    pupil_id, tab, dialog = recording_a_plan(qtbot, senco_session, sent=D(2026, 9, 3))
    form = dialog.form.widgets
    assert "decision_on" in form
    type_into(form["issued_on"], "07/09/2026")
    save(dialog)
    assert dialog.isVisible()
    assert "has no decision to assess recorded" in dialog.message.text()
    assert form["decision_on"].hasFocus()
    type_into(form["issued_on"], "20/11/2026")
    type_into(form["decision_on"], "09/10/2026")
    type_into(form["draft_on"], "02/11/2026")
    save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert request.stage is RequestStage.PLAN_ISSUED
    qtbot.waitUntil(lambda: tab.request_model.rows()[0].final_on == D(2026, 11, 20))
    assert "awaiting" not in tab.request_model.data(tab.request_model.index(0, 2))


def test_a_plan_on_a_saturday_or_soon_after_its_draft_is_questioned(qtbot, senco_session,
                                                                     answers):
    # rev20's finding 6, in the window: request sent 04/11/2026, LA decision 05/11/2026.
    pupil_id, tab, dialog = recording_a_plan(qtbot, senco_session, sent=D(2026, 11, 4))
    form = dialog.form.widgets
    type_into(form["issued_on"], "07/11/2026")
    type_into(form["decision_on"], "05/11/2026")
    save(dialog)
    assert dialog.message.text() == ("Saturday 07/11/2026 is at the weekend: a local authority "
                                     "issues a plan on a working day. Give the date on the plan.")
    assert not [m for m in answers.messages if m[0] == "confirm"]
    type_into(form["issued_on"], "06/11/2026")   # and no draft date
    answers.confirm_answer = False
    save(dialog)
    [asked] = [m for m in answers.messages if m[0] == "confirm"]
    assert asked[1] == "Record the issued plan"
    assert asked[2].startswith("No date is recorded for the draft plan. Parents have at least "
                               "15 days to comment")
    assert dialog.isVisible() and dialog.message.text() == (
        "Not recorded: check the dates of the draft and the final plan.")
    assert form["draft_on"].hasFocus() and ehc.list_plans(senco_session, pupil_id) == []
    type_into(form["draft_on"], "05/11/2026")
    answers.confirm_answer = True
    save(dialog)
    asked = [m for m in answers.messages if m[0] == "confirm"][-1]
    assert asked[2].startswith("The final plan (06/11/2026) comes 1 day after the draft "
                               "(05/11/2026)")
    assert not dialog.isVisible(), dialog.message.text()
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert (request.draft_on, request.final_on) == (D(2026, 11, 5), D(2026, 11, 6))


def test_an_interim_review_through_the_form(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    issued_plan(senco_session, pupil_id, D(2025, 12, 1))
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()
    tab.sections.setCurrentWidget(tab.plans)
    button = tab.plans.buttons["interim_review"]
    assert button.text() == "I&nterim review..."
    dialog = open_dialog(tab, button)
    type_into(dialog.form.widgets["held_on"], "03/06/2026")
    choose(dialog.form.widgets["recommendation"], "amend")
    type_into(dialog.form.widgets["notes"], "Called after a change of class.")
    save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    qtbot.waitUntil(lambda: "Interim reviews" in tab.plans.details.toPlainText())
    assert "Held 03/06/2026: amend the plan" in tab.plans.details.toPlainText()


def test_a_report_for_an_nsa_pupil_leads_to_the_needs_editor(qtbot, senco_session, answers,
                                                             tmp_path):
    pupil_id = sen_support_pupil(senco_session, needs=("NSA",))
    educational_psychologist(senco_session, pupil_id, recommendation=False)
    report = tmp_path / "ep-report.pdf"
    report.write_bytes(b"%PDF-1.4 report")
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.placeholders["specialists"])
    specialists_tab = window.built["specialists"]
    qtbot.waitUntil(lambda: specialists_tab.model.rows() != [])
    answers.next_paths = [report]
    answers.confirm_answer = True
    dialog = open_dialog(specialists_tab, specialists_tab.buttons["attach_report"])
    save(dialog)
    confirm = [m for m in answers.messages if m[0] == "confirm"]
    assert confirm and "review the primary need" in confirm[-1][2]
    assert window.tabs.currentWidget() is window.registers   # the needs editor is open there
    editors = [d for d in window.findChildren(FormDialog) if d.isVisible()]
    assert editors and "needs" in editors[-1].form.widgets
    # Not changed yet: the record says so until it is.
    qtbot.waitUntil(lambda: "review the primary need" in window.header.text())
    assert specialists_tab.need_row.isVisibleTo(specialists_tab)


def test_saying_no_leaves_the_notice_and_keeping_nsa_clears_it(qtbot, senco_session, answers,
                                                               tmp_path):
    pupil_id = sen_support_pupil(senco_session, needs=("NSA",))
    educational_psychologist(senco_session, pupil_id, recommendation=False)
    report = tmp_path / "ep-report.pdf"
    report.write_bytes(b"%PDF-1.4 report")
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.placeholders["specialists"])
    tab = window.built["specialists"]
    qtbot.waitUntil(lambda: tab.model.rows() != [])
    answers.next_paths = [report]
    answers.confirm_answer = False
    save(open_dialog(tab, tab.buttons["attach_report"]))
    assert window.tabs.currentWidget() is tab
    qtbot.waitUntil(lambda: tab.need_row.isVisibleTo(tab))
    dialog = open_dialog(tab, tab.keep_nsa_button)
    type_into(dialog.form.widgets["note"], "The report found no type of need yet.")
    save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    qtbot.waitUntil(lambda: not tab.need_row.isVisibleTo(tab))
    qtbot.waitUntil(lambda: "review the primary need" not in window.header.text())


def test_the_exams_and_my_story_tab_is_reached_by_keyboard_and_records_both(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session, year_group="10")
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    window.show()
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    target = titles.index("Exams and My Story")
    window.activateWindow()
    window.tabs.tabBar().setFocus()
    for _ in range(len(titles)):
        if window.tabs.currentIndex() == target:
            break
        QTest.keyClick(window.tabs.tabBar(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == target
    tab = window.built["file_sections"]
    assert isinstance(tab, FileSectionsTab)
    for widget in (tab.arrangements, tab.stories, tab.arrangement_details, tab.story_details,
                   *tab.buttons.values()):
        assert widget.accessibleName(), widget.objectName()
    dialog = open_dialog(tab, tab.buttons["add_arrangement"])
    form = dialog.form.widgets
    choose(form["arrangement"], "extra_time_25")
    type_into(form["assessor"], "Ms K Patel (specialist assessor)")
    type_into(form["assessed_on"], "05/10/2026")
    type_into(form["valid_from"], "05/10/2026")
    type_into(form["valid_to"], "31/07/2028")
    type_into(form["evidence"], "Uses extra time in class tests.")
    save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    qtbot.waitUntil(lambda: len(tab.arrangement_model.rows()) == 1)
    details = " ".join(tab.arrangement_details.toPlainText().split())
    assert "05/10/2026 to 31/07/2028" in details and "Uses extra time in class tests" in details
    assert exam_access.list_arrangements(senco_session, pupil_id)[0].assessor.startswith("Ms K")

    tab.sections.setCurrentIndex(1)
    dialog = open_dialog(tab, tab.buttons["add_story"])
    form = dialog.form.widgets
    type_into(form["story"], "I like drawing. Noise makes it hard to think.")
    QTest.mouseClick(form["share_next_school"], Qt.MouseButton.LeftButton)
    save(dialog)
    assert dialog.isVisible() and "record who consented" in dialog.message.text()
    type_into(form["consent_by"], "Amara Okafor")
    choose(form["consent_as"], "pupil")
    type_into(form["consent_on"], "23/11/2026")
    save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    qtbot.waitUntil(lambda: len(tab.story_model.rows()) == 1)
    assert "consented on 23/11/2026" in tab.story_details.toPlainText()
    [story] = my_story.list_stories(senco_session, pupil_id)
    assert story.to_next_school
    window.grab().save("/tmp/rules-ehc-file-sections.png")


def test_staff_see_the_buttons_greyed_with_the_reason(qtbot, staff_session, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    tab = FileSectionsTab(staff_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()
    button = tab.buttons["add_arrangement"]
    assert not button.isEnabled() and "role" in button.toolTip().lower()
