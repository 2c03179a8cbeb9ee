"""The record window's tabs refresh from the runner's change reports, not from each other.

Two stale views named in issue 16: the Specialists tab still saying a recommendation was "not
yet in the plan" after the APDR wizard had put it in, and (in test_transfer_ui) the Transfers
page showing no signed form until refreshed by hand. Also: a form saved on one tab, through the
window's runner, re-reads the window's header and the other tabs that show it."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.apdr_support import assess, plan, sen_support_pupil
from tests.gui.form_support import fill

from sendesk.records import apdr, notes, specialists
from sendesk.ui.pupil_record_window import PupilRecordWindow

pytestmark = pytest.mark.both_engines


def show_tab(window: PupilRecordWindow, title: str) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.tabs.tabBar().setCurrentIndex(titles.index(title))


def pupil_with_a_recommendation(session) -> int:
    today = session.clock.today()
    pupil_id = sen_support_pupil(session)
    apdr.open_pathway(session, pupil_id, today)
    cycle = apdr.current_pathway(session, pupil_id).current_cycle.id
    assess(session, cycle, today)
    plan(session, cycle, today, today + dt.timedelta(weeks=10), agree=False)
    involvement = specialists.add_involvement(session, pupil_id, {
        "service": "SALT", "referral_date": today, "consent": "given", "consent_date": today,
        "consent_from": "Mrs Okafor", "reason": "Vocabulary still limited"})
    specialists.add_recommendation(session, involvement, "Daily 10-minute narrative therapy",
                                   today, None)
    return pupil_id


def test_the_specialists_tab_follows_a_recommendation_into_the_plan(qtbot, answers,
                                                                    senco_session):
    pupil_id = pupil_with_a_recommendation(senco_session)
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    window.show()
    show_tab(window, "Specialists")
    assert "not yet in the plan" in window.specialists.details.toPlainText()
    show_tab(window, "Plans and cycles")
    assert "narrative therapy" in window.plans.waiting.text()

    wizard = window.plans.open_wizard()
    page = wizard.plan
    carried = page.add_recommended()
    fill(carried.form, delivered_by="TA trained by the therapist", sessions_per_week="5",
         minutes="10", weeks="38", rate="18", group_size="1", area="CI")
    assert carried.submit(), carried.message.text()
    page.agree_plan()
    assert specialists.recommendations_not_in_plan(senco_session, pupil_id) == []

    # Nobody called the Specialists tab: it heard the change through the window's runner, and
    # reads it again when the user turns to it.
    wizard.reject()
    show_tab(window, "Specialists")
    text = window.specialists.details.toPlainText()
    assert "not yet in the plan" not in text and "carried out by provision in a plan" in text
    show_tab(window, "Plans and cycles")
    assert not window.plans.waiting.isVisibleTo(window.plans)


def test_a_contact_added_on_one_tab_reaches_the_window_through_the_runner(qtbot, answers,
                                                                          senco_session):
    pupil_id = sen_support_pupil(senco_session)
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    reloaded: list[int] = []
    window.changed.connect(reloaded.append)
    dialog = window.add_contact()
    fill(dialog.form, name="Grace Okafor", relationship="Mother", phone="07700 900123")
    dialog.form.widgets["parental_responsibility"].click()
    assert dialog.submit(), dialog.message.text()
    assert window.contacts_table.rowCount() == 1 and reloaded == [pupil_id]


def test_a_change_to_another_pupil_leaves_the_window_alone(qtbot, senco_session):
    first = sen_support_pupil(senco_session)
    second = sen_support_pupil(senco_session, surname="Nowak")
    window = PupilRecordWindow(senco_session, first)
    qtbot.addWidget(window)
    reloaded: list[int] = []
    window.changed.connect(reloaded.append)
    note = {"event_date": senco_session.clock.today(), "concern": "Struggles with phonics"}
    window.runner.call(notes.add_note, second, note)
    assert reloaded == []
    window.runner.call(notes.add_note, first, note)
    assert reloaded == [first]


def test_closing_the_window_while_a_tab_reads_shows_no_error(qtbot, answers, senco_session,
                                                             monkeypatch):
    """Waiting for the worker runs the event loop, in which the user may close the window (and
    Qt delete it): the tab's read comes back to nothing and says nothing."""
    import time

    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer

    from sendesk.operations import Changes, Kind

    pupil_id = pupil_with_a_recommendation(senco_session)
    window = PupilRecordWindow(senco_session, pupil_id)
    window.show()
    qtbot.waitExposed(window)
    show_tab(window, "Plans and cycles")
    tab = window.plans
    assert tab.isVisible()
    reading = apdr.pathways

    def slow_pathways(session, pupil):
        time.sleep(0.4)
        return reading(session, pupil)

    monkeypatch.setattr(apdr, "pathways", slow_pathways)
    closed: list[bool] = []

    def close_it():
        window.close()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        closed.append(not shiboken6.isValid(tab))

    QTimer.singleShot(150, close_it)
    window.runner.changed.emit(Changes(frozenset({pupil_id}), frozenset({Kind.PATHWAY})))
    qtbot.waitUntil(lambda: bool(closed), timeout=5_000)
    assert closed == [True], "the window (and its tab) were deleted while the tab read"
    assert [m for m in answers.messages if m[0] == "error"] == []
