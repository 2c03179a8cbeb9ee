"""The graduated approach through its screens: a pupil taken through three full Assess-Plan-
Do-Review cycles in the wizard (targeted, targeted, then specialist), with a speech and language
therapist's recommendation carried into the plan; the SMART warnings, the cost threshold
warning and the review-date limit as they are shown; the stored records afterwards; and the
models behind every table checked by Qt's model tester."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QDialogButtonBox, QLineEdit, QRadioButton, QScrollArea
from tests.apdr_support import assess, plan, sen_support_pupil
from tests.gui.form_support import fill

from sendesk.models.apdr import Decision, Part, Stage
from sendesk.operations import Changes, Kind
from sendesk.records import apdr, provision_map, specialists
from sendesk.ui.apdr.dialogs import ItemDialog, OutcomeDialog
from sendesk.ui.apdr.wizard import ApdrWizard
from sendesk.ui.plan_tab import PlanTab
from sendesk.ui.provision_map_view import ProvisionMapView
from sendesk.ui.reviews_due import ReviewsDueView
from sendesk.ui.runner import OpRunner
from sendesk.ui.specialists_tab import SpecialistsTab

pytestmark = pytest.mark.both_engines
D = dt.date


def go_to(clock, day: dt.date) -> None:
    clock.advance(dt.datetime.combine(day, dt.time(9, 30), tzinfo=dt.UTC) - clock.now())




def do_assess(wizard: ApdrWizard, day: str) -> None:
    page = wizard.show_part(Part.ASSESS)
    assert page is wizard.assess and page.editable()
    fill(page.form, assessed_on=day, parent_views="Worried about reading at home.",
         child_views="Reading is hard; likes drawing.", strengths="Kind; good at maths facts.",
         needs="Limited vocabulary; slow word reading.", primary_need="SLCN")
    page.add_tool_row(["BPVS-3", day, "Standard score 78"])
    page.complete()
    # What the SENCO sees: the wizard has moved on to the Plan, and the Assess step is ticked
    # and says when it was finished.
    assert wizard.current_page() is wizard.plan, page.message.text()
    assert wizard.steps.item(0).text() == "\u2713 " + Part.ASSESS.label
    assert page.message.text() == f"Finished on {day}."


def add_outcome(page, text: str, measure: str, by: str) -> OutcomeDialog:
    dialog = page.add_outcome()
    fill(dialog.form, text=text, measure=measure, target_date=by)
    assert dialog.submit(), dialog.message.text()
    return dialog


def add_item(page, dialog: ItemDialog | None = None, **values) -> ItemDialog:
    dialog = dialog or page.add_item()
    fill(dialog.form, **values)
    assert dialog.submit(), dialog.message.text()
    return dialog


def hold_review(wizard: ApdrWizard, answers, day: str, decision: Decision,
                progress: str = "Partly achieved", specialist_view: str | None = None) -> None:
    page = wizard.show_part(Part.REVIEW)
    assert page.editable()
    fill(page.form, held_on=day, attendees="Mrs Okafor (mother)\nMeera Patel (SENCO)",
         child_views="Reading is easier now.", parent_views="Pleased, but wants more.",
         staff_views="Good effort in every session.")
    for combo, comment in page.progress_widgets.values():
        combo.setCurrentIndex(combo.findText(progress))
        comment.setText("Checked against the measure.")
    if specialist_view is not None:
        assert page.specialist_widgets, "an actively involved specialist is asked for a view"
        for view, given in page.specialist_widgets.values():
            view.setPlainText(specialist_view)
            given.setCurrentIndex(given.findData("report"))
    page.decision_buttons[decision].setChecked(True)
    held_before = sum(1 for _, title, _ in answers.messages if title == "Review held")
    page.hold_review()
    assert sum(1 for _, title, _ in answers.messages if title == "Review held") == held_before + 1, \
        page.message.text()


@pytest.fixture
def pupil(senco_session):
    return sen_support_pupil(senco_session, surname="Okafor", forename="Amara", year_group="9")


def test_three_cycles_through_the_wizard(qtbot, senco_session, pupil, clock, answers):
    session = senco_session
    tab = PlanTab(session, pupil)
    qtbot.addWidget(tab)
    tab.show()   # the user is looking at it
    assert tab.start_button.isVisibleTo(tab) and tab.start_button.isEnabled()
    start = tab.start_pathway()
    assert start.submit(), start.message.text()
    wizard = tab.wizard
    assert wizard is not None and wizard.current_page() is wizard.assess

    # --- cycle 1, targeted --------------------------------------------------------------------
    do_assess(wizard, "23/11/2026")
    page = wizard.plan
    assert wizard.current_page() is page
    fill(page.form, aspirations="To be a vet.", plan_date="23/11/2026", review_date="15/04/2027")
    assert "no later than 01/03/2027 (at most 14 weeks on" in page.review_hint.text()  # a school day
    dialog = page.add_outcome()
    fill(dialog.form, text="Read the first 100 high-frequency words")
    codes = [w.code for w in dialog.check()]
    assert "no_measure" in codes and "no_date" in codes and "pfa_suggested" in codes
    assert "no measure" in dialog.smart.text().lower()
    fill(dialog.form, measure="Reads better", target_date="05/04/2027", pfa_area="independent_living")
    assert [w.code for w in dialog.check()] == ["vague_measure"]
    fill(dialog.form, measure="90 of 100 words read correctly on two checks")
    assert dialog.check() == [] and "has a measure and a date" in dialog.smart.text()
    assert dialog.submit()
    add_outcome(page, "Use new topic vocabulary in class", "", "")
    assert "Outcome 2: no measure" in page.warnings.text()
    assert "Outcome 2: no date" in page.warnings.text()
    # A yearly cost worked out as it is typed, then the threshold warnings.
    item = page.add_item()
    fill(item.form, description="Precision teaching", delivered_by="Teaching assistant",
         sessions_per_week="3", minutes="15", weeks="38", rate="18", group_size="1", area="CL")
    assert item.check() == 51_300 and "£513.00" in item.cost.text()
    add_item(page, item)
    assert "£513.00" in page.cost.text() and page.cost.property("level") == "under"
    add_item(page, description="Additional adult support in class", delivered_by="TA",
             sessions_per_week="5", minutes="120", weeks="38", rate="12", group_size="1")
    assert page.cost.property("level") == "near"
    assert "£5,073.00" in page.cost.text() and "85 %" in page.cost.text()
    add_item(page, description="Speech therapy sessions bought in", cost_basis="session",
             sessions_per_week="1", minutes="45", weeks="38", rate="30", group_size="1")
    assert page.cost.property("level") == "over" and "more than the £6,000.00" in page.cost.text()
    page.item_view.selectRow(2)
    page.remove_item()
    assert page.cost.property("level") == "near"
    # The review date is refused beyond the end of the next term.
    page.agree_plan()
    assert "at least once a term" in page.message.text()
    assert apdr.get_cycle(session, wizard.cycle_id).plan.agreed is False
    fill(page.form, review_date="12/02/2027")
    page.outcome_view.selectRow(1)
    edit = page.edit_outcome()
    fill(edit.form, measure="Uses 5 taught words in sentences without an adult prompt",
         target_date="05/02/2027")
    assert edit.submit()
    page.agree_plan()
    assert ("confirm", "Agree the plan") in [(k, t) for k, t, _ in answers.messages]
    assert wizard.current_page() is wizard.do
    stored = apdr.get_cycle(session, wizard.cycle_id).plan
    assert stored.agreed and stored.review_date == D(2027, 2, 12)
    assert stored.yearly_cost_pence == 507_300
    assert [o.text for o in stored.outcomes] == ["Read the first 100 high-frequency words",
                                                 "Use new topic vocabulary in class"]
    assert stored.outcomes[0].pfa_area == "independent_living"

    go_to(clock, D(2026, 12, 1))
    wizard.reload(Part.DO)
    do = wizard.do
    do.log_date.setText("30/11/2026")
    do.log_session()
    do.missed.setChecked(True)
    do.log_note.setText("Pupil absent")
    do.log_date.setText("01/12/2026")
    do.log_session()
    assert do.summary.text() == "1 session delivered, 1 missed."

    go_to(clock, D(2027, 2, 12))
    wizard.reload()
    hold_review(wizard, answers, "12/02/2027", Decision.CONTINUE_TARGETED)
    assert wizard.cycle.number == 2 and wizard.cycle.stage is Stage.TARGETED
    assert wizard.current_page() is wizard.assess

    # --- cycle 2, targeted; a specialist is involved ----------------------------------------------
    do_assess(wizard, "12/02/2027")
    page = wizard.plan
    assert page.copy_button.isVisibleTo(page)
    page.copy_previous()
    assert len(page.outcome_rows) == 2 and len(page.item_rows) == 2
    assert "Outcome 1: no date" in page.warnings.text()
    fill(page.form, plan_date="12/02/2027", review_date="14/05/2027")
    for row in range(2):
        page.outcome_view.selectRow(row)
        edit = page.edit_outcome()
        fill(edit.form, target_date="07/05/2027")
        assert edit.submit()
    assert "no date" not in page.warnings.text()
    page.agree_plan()
    assert wizard.current_page() is wizard.do

    go_to(clock, D(2027, 3, 20))
    people = SpecialistsTab(session, pupil)
    qtbot.addWidget(people)
    people.show()   # the user is looking at it
    referral = people.add_referral()
    fill(referral.form, service="SALT", referral_date="01/03/2027", consent="given",
         consent_date="28/02/2027", consent_from="Mrs Okafor", reason="Vocabulary still limited")
    assert referral.submit(), referral.message.text()
    visit = people.add_visit()
    fill(visit.form, visit_date="15/03/2027", notes="Assessed in school")
    assert visit.submit()
    recommendation = people.add_recommendation()
    fill(recommendation.form, text="Daily 10-minute narrative therapy", recommended_on="18/03/2027")
    assert recommendation.submit(), recommendation.message.text()
    assert "not yet in the plan" in people.details.toHtml()
    tab.refresh()
    assert "narrative therapy" in tab.waiting.text()

    go_to(clock, D(2027, 5, 14))
    wizard.reload()
    hold_review(wizard, answers, "14/05/2027", Decision.MOVE_TO_SPECIALIST, progress="Not yet achieved",
                specialist_view="Some progress; start narrative therapy.")
    assert wizard.cycle.number == 3 and wizard.cycle.stage is Stage.SPECIALIST

    # --- cycle 3, specialist: the recommendation is carried into the plan ------------------------
    do_assess(wizard, "14/05/2027")
    page = wizard.plan
    assert page.recommendations.isVisibleTo(page)
    assert "narrative therapy" in page.recommendations.text()
    page.copy_previous()
    fill(page.form, plan_date="14/05/2027", review_date="16/07/2027")
    for row in range(len(page.outcome_rows)):
        page.outcome_view.selectRow(row)
        edit = page.edit_outcome()
        fill(edit.form, target_date="09/07/2027")
        assert edit.submit()
    carried = page.add_recommended()
    assert carried.form.values()["description"] == "Daily 10-minute narrative therapy"
    add_item(page, carried, delivered_by="TA trained by the therapist", sessions_per_week="5",
             minutes="10", weeks="38", rate="18", group_size="1", area="CI")
    assert not page.recommendations.isVisibleTo(page)
    page.agree_plan()
    assert wizard.current_page() is wizard.do
    assert specialists.recommendations_not_in_plan(session, pupil) == []

    go_to(clock, D(2027, 7, 16))
    wizard.reload()
    hold_review(wizard, answers, "16/07/2027", Decision.REQUEST_EHCNA, specialist_view="Good progress.")
    wizard.reject()

    # --- what was stored ----------------------------------------------------------------------------
    history = apdr.pathways(session, pupil)[0]
    assert [(c.number, c.stage, c.reviewed) for c in history.cycles] == [
        (1, Stage.TARGETED, True), (2, Stage.TARGETED, True), (3, Stage.SPECIALIST, True),
        (4, Stage.SPECIALIST, False)]
    assert [c.plan.review_date for c in history.cycles[:3]] == [D(2027, 2, 12), D(2027, 5, 14),
                                                               D(2027, 7, 16)]
    assert [c.review.held_on for c in history.cycles[:3]] == [D(2027, 2, 12), D(2027, 5, 14),
                                                             D(2027, 7, 16)]
    assert [c.review.decision for c in history.cycles[:3]] == [
        Decision.CONTINUE_TARGETED, Decision.MOVE_TO_SPECIALIST, Decision.REQUEST_EHCNA]
    third = history.cycles[2]
    linked = [i for i in third.plan.items if i.recommendation_id]
    assert [i.description for i in linked] == ["Daily 10-minute narrative therapy"]
    rec = specialists.involvements(session, pupil)[0].recommendations[0]
    assert rec.item_ids == (linked[0].id,)
    assert history.cycles[1].review.specialist_views[0].view == "Some progress; start narrative therapy."
    assert [e.delivered for e in apdr.delivery_log(session, history.cycles[0].id)] == [True, False]
    assert apdr.cycle_counts(session, pupil).completed == 3
    tab.refresh()
    assert tab.counts.text() == "3 cycles completed (2 targeted, 1 specialist)."
    assert tab.model.rowCount() == 4
    tab.cycles.selectRow(1)
    assert "narrative therapy" in tab.document.toPlainText()
    assert "recommended by Speech and language therapy" in tab.document.toPlainText()


def test_a_draft_is_kept_when_the_wizard_is_closed(qtbot, senco_session, pupil):
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    wizard = ApdrWizard(senco_session, cycle)
    qtbot.addWidget(wizard)
    fill(wizard.assess.form, needs="Typed but not yet saved")
    wizard.reject()
    again = ApdrWizard(senco_session, cycle)
    qtbot.addWidget(again)
    assert again.assess.form.values()["needs"] == "Typed but not yet saved"
    fill(again.assess.form, assessed_on="31/02/2026")
    again.autosave_now()
    assert "not a real date" in again.assess.message.text()
    assert again.assess.dirty
    fill(again.assess.form, assessed_on="23/11/2026")
    again.reject()
    assert not again.isVisible()


def test_a_refused_decision_stays_on_the_page(qtbot, senco_session, pupil, clock, answers):
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 23))
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12))
    go_to(clock, D(2027, 2, 12))
    wizard = ApdrWizard(senco_session, cycle)
    qtbot.addWidget(wizard)
    assert wizard.current_page() is wizard.do
    page = wizard.show_part(Part.REVIEW)
    page.at_risk.setChecked(True)
    assert not page.decision_buttons[Decision.BACK_TO_ORDINARY].isEnabled()
    assert page.risk_note.isVisibleTo(page) and "provision" in page.risk_note.text()
    page.at_risk.setChecked(False)
    page.decision_buttons[Decision.CONTINUE_TARGETED].setChecked(True)
    page.hold_review()
    assert "who attended" in page.message.text().lower()
    assert not apdr.get_cycle(senco_session, cycle).reviewed


def test_staff_can_log_sessions_but_not_plan(qtbot, senco_session, staff_session, pupil, clock):
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 23))
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12))
    go_to(clock, D(2026, 11, 25))
    tab = PlanTab(staff_session, pupil)
    qtbot.addWidget(tab)
    tab.show()   # the user is looking at it
    assert not tab.start_button.isVisibleTo(tab)
    assert tab.log_button.isVisibleTo(tab)
    wizard = tab.open_wizard(Part.DO)
    assert not wizard.assess.editable() and not wizard.plan.editable() and not wizard.review.editable()
    assert not wizard.save_button.isVisibleTo(wizard)
    wizard.do.log_date.setText("24/11/2026")
    wizard.do.log_session()
    assert wizard.do.message.text() == "Session logged."
    assert apdr.delivery_log(staff_session, cycle)[0].entered_by == "Owen Williams"


def test_provision_map_and_reviews_due_views(qtbot, senco_session, pupil, answers, tmp_path, clock):
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 23))
    plan(senco_session, cycle, D(2026, 11, 23), D(2026, 12, 4))
    view = ProvisionMapView(senco_session)
    qtbot.addWidget(view)
    assert view.pupil_model.rowCount() == 2   # the pupil and the total row
    assert view.pupil_model.data(view.pupil_model.index(1, 4)) == "£684.00"
    assert view.summary.text().startswith("1 pupil, 2 provision items, £684.00 a year")
    opened = []
    view.open_pupil.connect(opened.append)
    view._open(view.pupil_model, 0)
    assert opened == [pupil]
    answers.next_paths.append(tmp_path / "map.csv")
    view.export()
    assert (tmp_path / "map.csv").exists() and answers.messages[-1][0] == "info"
    due = ReviewsDueView(senco_session)
    qtbot.addWidget(due)
    assert due.model.rowCount() == 1 and due.model.data(due.model.index(0, 4)) == "Due"
    go_to(clock, D(2026, 12, 5))
    due.refresh()
    assert due.model.data(due.model.index(0, 5)) == "04/12/2026 (1 day overdue)"
    assert due.summary.text().startswith("1 overdue")


def test_models_pass_the_qt_model_tester(qtbot, qtmodeltester, senco_session, pupil, clock):
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 23))
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12))
    view = ProvisionMapView(senco_session)
    due = ReviewsDueView(senco_session)
    tab = PlanTab(senco_session, pupil)
    people = SpecialistsTab(senco_session, pupil)
    wizard = ApdrWizard(senco_session, cycle, "plan")
    for widget in (view, due, tab, people, wizard):
        qtbot.addWidget(widget)
    models = [view.pupil_model, view.provision_model, view.item_model, due.model, tab.model,
              people.model, wizard.plan.outcome_model, wizard.plan.item_model,
              wizard.do.item_model, wizard.do.log_model]
    assert provision_map.build(senco_session).rows
    for model in models:
        qtmodeltester.check(model, force_py=True)


# --- clicking the real widgets: the button that failed and the views that went stale ---------

def click(widget) -> None:
    """Scroll the widget into view, as a person would, and click it."""
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    QApplication.processEvents()   # let the layout settle first
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget)
        parent = parent.parentWidget()
    QApplication.processEvents()
    if isinstance(widget, (QRadioButton, QCheckBox)):   # on its circle or box, not the margin
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))
    else:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def shown_wizard(qtbot, session, cycle, part=None, runner=None) -> ApdrWizard:
    wizard = ApdrWizard(session, cycle, part, runner=runner)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def save_in(dialog) -> None:
    """Press the dialog's Save button."""
    click(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save))


def newest(parent, kind):
    found = [d for d in parent.findChildren(kind) if d.isVisible()]
    assert len(found) == 1, found
    return found[0]


def new_cycle(session, pupil) -> int:
    apdr.open_pathway(session, pupil, "23/11/2026")
    return apdr.current_pathway(session, pupil).current_cycle.id


def test_the_add_a_tool_button_adds_a_row_to_type_in(qtbot, senco_session, pupil):
    cycle = new_cycle(senco_session, pupil)
    wizard = shown_wizard(qtbot, senco_session, cycle, "assess")
    page = wizard.assess
    click(page.findChild(type(wizard.save_button), "add_tool"))
    assert page.tools.rowCount() == 1
    assert [page.tools.item(0, c).text() for c in range(3)] == ["", "", ""]
    assert page.tools.currentRow() == 0 and page.dirty
    editor = newest(page.tools, QLineEdit)   # the first cell is open for typing
    QTest.keyClicks(editor, "Phonics screening check")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.tools.item(0, 0).text() == "Phonics screening check")
    page.tools.item(0, 2).setText("24/40")
    click(wizard.save_button)
    assert page.message.text() == "Draft saved."
    tools = apdr.get_cycle(senco_session, cycle).assessment.tools
    assert [(t.tool, t.result) for t in tools] == [("Phonics screening check", "24/40")]


def test_check_before_agreeing_forgets_the_missing_outcomes_once_they_are_added(
        qtbot, senco_session, pupil, clock, answers):
    cycle = new_cycle(senco_session, pupil)
    assess(senco_session, cycle, D(2026, 11, 23))
    wizard = shown_wizard(qtbot, senco_session, cycle)
    page = wizard.plan
    assert wizard.current_page() is page
    fill(page.form, aspirations="To be a vet.", plan_date="23/11/2026", review_date="12/02/2027")
    click(page.agree)
    assert "Add at least one outcome." in page.warnings.text()
    assert "Add the provision" in page.warnings.text()
    click(page.findChild(type(page.agree), "add_outcome"))
    dialog = newest(page, OutcomeDialog)
    fill(dialog.form, text="Read the first 100 high-frequency words",
         measure="90 of 100 words read correctly on two checks", target_date="05/02/2027",
         pfa_area="independent_living")
    save_in(dialog)
    assert [o["text"] for o in page.outcome_rows] == ["Read the first 100 high-frequency words"]
    assert "Add at least one outcome." not in page.warnings.text()
    click(page.findChild(type(page.agree), "add_item"))
    item = newest(page, ItemDialog)
    fill(item.form, description="Precision teaching", delivered_by="Teaching assistant",
         sessions_per_week="3", minutes="15", weeks="38", rate="18", group_size="1")
    save_in(item)
    assert "Check before agreeing" not in page.warnings.text(), page.warnings.text()


def test_the_do_page_stops_waiting_for_the_plan_once_it_is_agreed(qtbot, senco_session, pupil,
                                                                   clock, answers):
    cycle = new_cycle(senco_session, pupil)
    assess(senco_session, cycle, D(2026, 11, 23))
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12), agree=False)
    wizard = shown_wizard(qtbot, senco_session, cycle)
    assert wizard.do.message.text() == "The provision starts once the plan is agreed."
    assert wizard.current_page() is wizard.plan
    click(wizard.plan.agree)
    assert wizard.current_page() is wizard.do
    assert apdr.get_cycle(senco_session, cycle).plan.agreed
    assert "once the plan is agreed" not in wizard.do.message.text()
    assert wizard.do.log_button.isEnabled()
    assert wizard.do.log_item.count() == 2


def test_the_next_cycle_starts_blank_after_the_review(qtbot, senco_session, pupil, clock, answers):
    cycle = new_cycle(senco_session, pupil)
    assess(senco_session, cycle, D(2026, 11, 23))
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12))
    go_to(clock, D(2027, 2, 12))
    wizard = shown_wizard(qtbot, senco_session, cycle, "review")
    page = wizard.review
    fill(page.form, held_on="12/02/2027", attendees="Mrs Okafor (mother)\nMeera Patel (SENCO)",
         child_views="Reading is easier now.", parent_views="Pleased, but wants more.",
         staff_views="Good effort in every session.")
    for combo, comment in page.progress_widgets.values():
        combo.setCurrentIndex(combo.findText("Partly achieved"))
        comment.setText("Checked against the measure.")
    click(page.decision_buttons[Decision.CONTINUE_TARGETED])
    assert page.chosen() is Decision.CONTINUE_TARGETED
    click(page.hold)
    assert ("info", "Review held") in [(k, t) for k, t, _ in answers.messages], page.message.text()
    assert wizard.cycle.number == 2 and wizard.current_page() is wizard.assess
    # Nothing of cycle 1 is on cycle 2's pages as if it were saved.
    assess_values = wizard.assess.form.values()
    for key in ("parent_views", "child_views", "strengths", "needs"):
        assert assess_values[key] == "", (key, assess_values[key])
    assert wizard.assess.tools.rowCount() == 0
    assert wizard.assess.message.text() == ""
    assert wizard.assess.editable() and wizard.assess.finish.isVisible()
    assert wizard.plan.outcome_rows == [] and wizard.plan.message.text() == ""
    assert wizard.do.message.text() == "The provision starts once the plan is agreed."
    assert wizard.review.form.values()["parent_views"] == ""
    assert wizard.review.message.text() == "The review follows an agreed plan."
    assert not wizard.assess.dirty


def test_the_wizard_refreshes_from_the_runner(qtbot, senco_session, pupil, clock):
    """A change made elsewhere and broadcast by the runner shows without reopening the wizard."""
    cycle = new_cycle(senco_session, pupil)
    assess(senco_session, cycle, D(2026, 11, 23))
    runner = OpRunner(senco_session)
    wizard = shown_wizard(qtbot, senco_session, cycle, runner=runner)
    assert not wizard.plan.recommendations.isVisible()
    found = specialists.add_involvement(senco_session, pupil, {
        "service": "SALT", "referral_date": "01/11/2026", "consent": "given",
        "consent_date": "01/11/2026", "consent_from": "Mrs Okafor", "reason": "Vocabulary"})
    specialists.add_recommendation(senco_session, found, "Daily 10-minute narrative therapy",
                                   "20/11/2026")
    runner.changed.emit(Changes(frozenset({pupil + 1}), frozenset({Kind.SPECIALIST})))
    assert not wizard.plan.recommendations.isVisible()   # another pupil's
    runner.changed.emit(Changes(frozenset({pupil}), frozenset({Kind.SPECIALIST})))
    assert wizard.plan.recommendations.isVisible()
    assert "narrative therapy" in wizard.plan.recommendations.text()
