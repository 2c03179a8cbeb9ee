"""The initial concerns wizard driven as a person would: pages generated from the shipped
flowchart, five and more routes walked to their outcomes and what was stored checked, saving
part-way and resuming, cancelling, and the SENCO-only move to SEN support."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QRadioButton, QWizard
from tests.concerns_support import DISCUSSION, ROUTES, add_pupil

from sendesk.models import flowchart as fc
from sendesk.operations import Changes, Kind
from sendesk.records import concerns, notes, notifications, registers, school_calendar, sen_register
from sendesk.ui.concerns_pages import OUTCOME_ID, DiscussionPage, QuestionPage
from sendesk.ui.concerns_panel import ConcernsPanel
from sendesk.ui.concerns_wizard import ConcernsWizard
from sendesk.ui.runner import OpRunner

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def pupil(senco_session) -> int:
    return add_pupil(senco_session)


def open_wizard(qtbot, session, pupil_id, **options) -> ConcernsWizard:
    wizard = ConcernsWizard(session, pupil_id, None, **options)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def click(qtbot, wizard: ConcernsWizard, which: QWizard.WizardButton) -> None:
    button = wizard.button(which)
    assert button.isVisible() and button.isEnabled(), which
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def answer(qtbot, wizard: ConcernsWizard, node_id: str, answer_id: str, comment: str = "") -> None:
    page = wizard.currentPage()
    assert isinstance(page, QuestionPage) and page.question.id == node_id
    if page.chosen() is None:
        assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    radio = wizard.findChild(QRadioButton, f"answer_{node_id}_{answer_id}")
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton)
    assert radio.isChecked()
    if comment:
        page.comment.setPlainText(comment)
    click(qtbot, wizard, QWizard.WizardButton.NextButton)


def walk_route(qtbot, wizard: ConcernsWizard, answers) -> None:
    assert wizard.currentPage().objectName() == "page_intro"
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    for node_id, answer_id in answers:
        answer(qtbot, wizard, node_id, answer_id)


def fill_discussion(qtbot, wizard: ConcernsWizard, values=DISCUSSION) -> None:
    while isinstance(wizard.currentPage(), DiscussionPage):
        page = wizard.currentPage()
        for key, box in page.boxes.items():
            box.setPlainText(values.get(key, ""))
        click(qtbot, wizard, QWizard.WizardButton.NextButton)


# --- five and more routes, walked to the outcome and stored ----------------------------------

@pytest.mark.parametrize("route", ["adapt_teaching", "attendance", "early_help", "eal",
                                   "exclusion", "low_attainment", "sen_support", "sen_unassessed"])
def test_walk_a_route_and_record_it(qtbot, answers, senco_session, pupil, route):
    route_answers, outcome_id, kind, pathway, need = ROUTES[route]
    outcome = fc.load_default().nodes[outcome_id]
    wizard = open_wizard(qtbot, senco_session, pupil)
    walk_route(qtbot, wizard, route_answers)
    fill_discussion(qtbot, wizard)

    assert wizard.currentId() == OUTCOME_ID
    page = wizard.outcome_page
    assert page.heading.text() == outcome.title
    assert page.reason.text() == outcome.reason
    for action in outcome.actions:
        assert action.replace("'", "&#x27;") in page.actions.text() or action in page.actions.text()
    assert page.need.isVisible() == (kind == "sen_support")
    # The outcome's weeks on, moved out of the holidays (4 and 12 weeks on are in them).
    calendar = school_calendar.load(senco_session)
    assert page.review_date.date().toPython() == calendar.school_day_on_or_after(
        TODAY + dt.timedelta(weeks=outcome.review_weeks))
    if need:
        assert page.need.currentData() == need

    with qtbot.waitSignal(wizard.run_finished) as finished:
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert not wizard.isVisible()
    run = concerns.get_run(senco_session, finished.args[0])
    assert [(a.question, a.answer) for a in run.answers] == [
        (fc.load_default().question(q).text, fc.load_default().question(q).answer(a).label)
        for q, a in route_answers]
    assert (run.outcome_kind, run.pathway, run.outcome_title) == (kind, pathway, outcome.title)
    note = notes.list_notes(senco_session, pupil)[0]
    assert note.id == run.note_id and DISCUSSION["parent_views"] in note.parent_discussion
    if kind == "sen_support":
        assert sen_register.status_history(senco_session, pupil)[0].status == "K"
        assert sen_register.needs_history(senco_session, pupil, True)[0].code == need
        assert notifications.notifications_for_pupil(senco_session, pupil)[0].open
        assert registers.list_entries(senco_session, pupil) == []
    else:
        entry = registers.list_entries(senco_session, pupil)[0]
        assert entry.kind.value == "monitoring" and entry.review_date == run.review_date
        assert sen_register.status_history(senco_session, pupil) == []
    assert answers.messages == []


def test_going_back_changes_the_route_and_only_the_final_route_is_kept(qtbot, answers,
                                                                        senco_session, pupil):
    wizard = open_wizard(qtbot, senco_session, pupil)
    walk_route(qtbot, wizard, [("teaching", "yes"), ("attendance", "no")])
    click(qtbot, wizard, QWizard.WizardButton.BackButton)
    click(qtbot, wizard, QWizard.WizardButton.BackButton)
    assert wizard.currentPage().objectName() == "page_teaching"
    answer(qtbot, wizard, "teaching", "not_yet", "Only started in September")
    fill_discussion(qtbot, wizard)
    assert wizard.outcome_page.heading.text().startswith("Adapt the teaching")
    page = wizard.outcome_page
    page.review_date.setDate(QDate(2027, 1, 15))
    with qtbot.waitSignal(wizard.run_finished) as finished:
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    run = concerns.get_run(senco_session, finished.args[0])
    assert len(run.answers) == 1 and run.answers[0].comment == "Only started in September"
    assert run.review_date == dt.date(2027, 1, 15)


def test_required_discussion_holds_the_wizard_until_filled(qtbot, answers, senco_session, pupil):
    wizard = open_wizard(qtbot, senco_session, pupil)
    walk_route(qtbot, wizard, ROUTES["attendance"][0])
    page = wizard.currentPage()
    assert isinstance(page, DiscussionPage)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    for key, box in page.boxes.items():
        box.setPlainText(DISCUSSION[key])
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


# --- SEN support is for the SENCO -----------------------------------------------------------

def test_staff_cannot_finish_sen_support_but_can_save_for_the_senco(
        qtbot, answers, staff_session, senco_session, pupil):
    wizard = open_wizard(qtbot, staff_session, pupil)
    walk_route(qtbot, wizard, ROUTES["sen_support"][0])
    fill_discussion(qtbot, wizard)
    assert wizard.currentId() == OUTCOME_ID
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert "Only the SENCO" in wizard.outcome_page.refusal.text()
    with qtbot.waitSignal(wizard.draft_saved) as saved:
        click(qtbot, wizard, QWizard.WizardButton.CustomButton1)
    assert not wizard.isVisible()
    assert sen_register.status_history(senco_session, pupil) == []

    resumed = open_wizard(qtbot, senco_session, pupil, run_id=saved.args[0])
    assert resumed.currentId() == OUTCOME_ID
    assert "Saved part-way by Owen Williams" in resumed.findChild(
        type(resumed.outcome_page.heading), "resume_notice").text()
    assert resumed.outcome_page.need.currentData() == "SLCN"
    resumed.outcome_page.need.setCurrentIndex(resumed.outcome_page.need.findData("ASD"))
    with qtbot.waitSignal(resumed.run_finished):
        click(qtbot, resumed, QWizard.WizardButton.FinishButton)
    run = concerns.get_run(senco_session, saved.args[0])
    assert run.started_by == "Owen Williams" and run.finished_by == "Meera Patel"
    assert run.need_code == "ASD"
    assert concerns.draft_for_pupil(senco_session, pupil) is None


# --- saving part-way, resuming, cancelling ---------------------------------------------------

def test_save_part_way_and_resume_at_the_next_question(qtbot, answers, staff_session, pupil):
    wizard = open_wizard(qtbot, staff_session, pupil)
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    answer(qtbot, wizard, "teaching", "yes", "Two terms of adapted teaching")
    answer(qtbot, wizard, "attendance", "no")
    with qtbot.waitSignal(wizard.draft_saved) as saved:
        click(qtbot, wizard, QWizard.WizardButton.CustomButton1)

    resumed = open_wizard(qtbot, staff_session, pupil, run_id=saved.args[0])
    assert resumed.currentPage().objectName() == "page_medical"
    assert resumed.question_pages["teaching"].comment.toPlainText() == "Two terms of adapted teaching"
    assert resumed.current_answers() == [("teaching", "yes", "Two terms of adapted teaching"),
                                         ("attendance", "no", "")]
    answer(qtbot, resumed, "medical", "no_plan")
    fill_discussion(qtbot, resumed)
    with qtbot.waitSignal(resumed.run_finished):
        click(qtbot, resumed, QWizard.WizardButton.FinishButton)
    run = concerns.list_runs(staff_session, pupil)[0]
    assert run.pathway == "ihp" and len(run.answers) == 3


def test_cancelling_a_new_run_leaves_nothing(qtbot, answers, staff_session, pupil):
    before = staff_session.db.scalar("SELECT count(*) FROM audit_log")
    wizard = open_wizard(qtbot, staff_session, pupil)
    walk_route(qtbot, wizard, ROUTES["attendance"][0])
    fill_discussion(qtbot, wizard)
    answers.confirm_answer = False
    wizard.reject()
    assert wizard.isVisible()  # the person changed their mind
    answers.confirm_answer = True
    click(qtbot, wizard, QWizard.WizardButton.CancelButton)
    assert not wizard.isVisible()
    assert answers.messages[-1][0] == "confirm" and "Nothing you have entered" in answers.messages[-1][2]
    for table in ("concern_runs", "concern_answers", "short_notes", "register_entries"):
        assert staff_session.db.scalar(f"SELECT count(*) FROM {table}") == 0
    assert staff_session.db.scalar("SELECT count(*) FROM audit_log") == before


def test_cancelling_an_untouched_wizard_asks_nothing(qtbot, answers, staff_session, pupil):
    wizard = open_wizard(qtbot, staff_session, pupil)
    click(qtbot, wizard, QWizard.WizardButton.CancelButton)
    assert not wizard.isVisible() and answers.messages == []


def test_discarding_saved_answers(qtbot, answers, staff_session, pupil):
    run_id = concerns.save_draft(staff_session, pupil, fc.load_default(), [("teaching", "yes")])
    wizard = open_wizard(qtbot, staff_session, pupil, run_id=run_id)
    with qtbot.waitSignal(wizard.draft_discarded):
        click(qtbot, wizard, QWizard.WizardButton.CustomButton2)
    assert staff_session.db.scalar("SELECT count(*) FROM concern_runs") == 0


def test_resume_against_a_changed_flowchart_keeps_the_answers_that_fit(qtbot, answers,
                                                                       staff_session, pupil):
    chart = fc.load_default()
    run_id = concerns.save_draft(staff_session, pupil, chart,
                                 [("teaching", "yes"), ("attendance", "no"), ("medical", "no")])
    staff_session.db.execute("UPDATE concern_runs SET draft_state = replace(draft_state, "
                             "'\"medical\", \"no\"', '\"medical\", \"gone\"'), flowchart_digest = 'old'")
    wizard = open_wizard(qtbot, staff_session, pupil, run_id=run_id)
    notice = wizard.findChild(type(wizard.outcome_page.heading), "resume_notice").text()
    assert "the first 2 answers still fit" in notice
    assert wizard.currentPage().objectName() == "page_medical"


def test_a_refusal_from_the_core_is_shown_and_the_wizard_stays_open(qtbot, answers,
                                                                     senco_session, pupil):
    wizard = open_wizard(qtbot, senco_session, pupil)
    walk_route(qtbot, wizard, ROUTES["attendance"][0])
    fill_discussion(qtbot, wizard)
    sen_register.change_status(senco_session, pupil, "K", TODAY, "Decided at review", ["MLD"])
    click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert wizard.isVisible()
    assert "already on the SEN register" in wizard.outcome_page.message.text()


def test_finishing_on_the_worker_thread(qtbot, answers, senco_session, pupil, monkeypatch):
    runner = OpRunner(senco_session)
    threads = []
    real_finish = concerns.finish

    def finish(*args, **kwargs):
        threads.append(threading.get_ident())
        return real_finish(*args, **kwargs)

    wizard = open_wizard(qtbot, senco_session, pupil, runner=runner)
    walk_route(qtbot, wizard, ROUTES["eal"][0])
    fill_discussion(qtbot, wizard)
    heard = []
    runner.changed.connect(heard.append)
    monkeypatch.setattr(concerns, "finish", finish)
    with qtbot.waitSignal(wizard.run_finished, timeout=10000):
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    runner.wait()
    assert threads and threads[0] != threading.get_ident()   # not on the GUI thread
    assert any(c.touches_pupil(pupil) for c in heard)       # and the window heard of it
    assert concerns.list_runs(senco_session, pupil)[0].pathway == "eal"


# --- the notes tab panel ------------------------------------------------------------------

def test_panel_lists_runs_and_opens_the_wizard(qtbot, answers, senco_session, pupil):
    panel = ConcernsPanel(senco_session, pupil)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.runs.count() == 0 and panel.start_button.isVisible()
    wizard = panel.open_wizard()
    walk_route(qtbot, wizard, ROUTES["low_attainment"][0])
    with qtbot.waitSignal(wizard.draft_saved):
        click(qtbot, wizard, QWizard.WizardButton.CustomButton1)
    assert panel.resume_button.isVisible() and not panel.start_button.isVisible()
    assert "9 questions answered" in panel.draft_note.text()

    wizard = panel.open_wizard(resume=True)
    fill_discussion(qtbot, wizard)
    with qtbot.waitSignal(wizard.run_finished):
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert panel.runs.count() == 1 and panel.start_button.isVisible()
    text = panel.view.toPlainText()
    assert "Keep to good adapted teaching" in text and DISCUSSION["parent_views"] in text
    assert "Is English an additional language for the pupil?" in text


def test_panel_says_why_the_flowchart_does_not_apply(qtbot, answers, senco_session, pupil):
    sen_register.change_status(senco_session, pupil, "K", TODAY, "Decided at review", ["MLD"])
    panel = ConcernsPanel(senco_session, pupil)
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.start_button.isEnabled()
    assert "already on the SEN register" in panel.draft_note.text()


def test_panel_refreshes_from_the_runner(qtbot, answers, senco_session, pupil):
    """A change to the pupil made elsewhere and broadcast by the runner shows at once."""
    runner = OpRunner(senco_session)
    panel = ConcernsPanel(senco_session, pupil, runner=runner)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.start_button.isEnabled()
    sen_register.change_status(senco_session, pupil, "K", TODAY, "Decided at review", ["MLD"])
    runner.changed.emit(Changes(frozenset({pupil + 1}), frozenset({Kind.SEN})))
    assert panel.start_button.isEnabled()                    # another pupil's change
    runner.changed.emit(Changes(frozenset({pupil}), frozenset({Kind.SEN})))
    assert not panel.start_button.isEnabled()
    assert "already on the SEN register" in panel.draft_note.text()
