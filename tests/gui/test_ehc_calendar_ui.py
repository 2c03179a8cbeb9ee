"""The EHC tab and the Calendar page driven for real: the readiness view shows each item met or
missing and answering a question moves the score; a request and an issued plan are recorded
through the forms (the pupil becomes E); the agenda groups by week and month, opens records and
exports an .ics with no names; the term dates editor saves and refuses impossible dates. Every
new item model goes through Qt's model tester."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from PySide6.QtWidgets import QPushButton, QTableWidgetItem
from tests.apdr_support import sen_support_pupil
from tests.ehc_support import answer_all, educational_psychologist, issued_plan, three_cycles
from tests.gui.form_support import fill

from sendesk.records import ehc, pupils, registers
from sendesk.ui.calendar_page import CalendarPage
from sendesk.ui.ehc_tab import EhcTab
from sendesk.ui.pupil_record_window import PupilRecordWindow

D = dt.date




def select_item(tab: EhcTab, key: str) -> None:
    keys = [item.key for item in tab.readiness_model.rows()]
    tab.readiness.table.selectRow(keys.index(key))


def test_the_readiness_view_shows_what_is_missing_and_answers_move_the_score(
        qtbot, qtmodeltester, senco_session):
    pupil_id = three_cycles(senco_session)
    educational_psychologist(senco_session, pupil_id)
    answer_all(senco_session, pupil_id, skip=("social_care",))
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()   # the user is looking at it
    qtmodeltester.check(tab.readiness_model)
    assert "Not ready yet" in tab.readiness.summary.text() and "10 of 11" in tab.readiness.summary.text()
    model = tab.readiness_model
    met = {model.data(model.index(r, 1)): model.data(model.index(r, 0)) for r in range(model.rowCount())}
    assert met["Social care needs considered"] == "No" and met["A current SEN support plan"] == "Yes"
    select_item(tab, "social_care")
    assert "Early Help" in tab.readiness.details.toPlainText()
    assert "Missing" in tab.readiness.details.toPlainText()
    dialog = tab.answer()
    fill(dialog.form, answer=True, note="Early Help assessment in March found no unmet needs.")
    assert dialog.submit(), dialog.message.text()
    assert "Ready to request an assessment" in tab.readiness.summary.text()
    select_item(tab, "apdr_cycles")
    assert not tab.readiness.buttons["answer"].isEnabled()
    assert "Cycle 3 (specialist stage)" in tab.readiness.details.toPlainText()


def test_an_exception_is_recorded_from_the_tab(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()   # the user is looking at it
    dialog = tab.record_exception()
    fill(dialog.form, kind="newly_arrived", reason="")
    assert not dialog.submit() and "Reason is required" in dialog.message.text()
    fill(dialog.form, reason="Arrived from Portugal in October with a specialist placement.")
    assert dialog.submit(), dialog.message.text()
    assert "Exception recorded: Newly arrived" in tab.readiness.summary.text()
    assert not tab.readiness.buttons["record_exception"].isEnabled()


def test_a_request_and_an_issued_plan_through_the_forms(qtbot, qtmodeltester, senco_session):
    pupil_id = sen_support_pupil(senco_session, year_group="6")
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()   # the user is looking at it
    dialog = tab.new_request()
    fill(dialog.form, local_authority="Durham", consent_on="01/09/2026", submitted_on="03/09/2026")
    assert not dialog.submit()
    assert "head teacher's countersignature" in dialog.message.text()
    fill(dialog.form, head_name="Mr J Lowe", head_signed_on="02/09/2026")
    assert not dialog.submit() and "Say why the request is being sent" in dialog.message.text()
    fill(dialog.form, below_readiness_reason="Needs changed suddenly.")
    assert dialog.submit(), dialog.message.text()
    qtmodeltester.check(tab.request_model)
    text = tab.requests.details.toPlainText()
    assert "The 20-week statutory timeline" in text and "15/10/2026" in text and "Overdue" in text
    dialog = tab.update_request()
    fill(dialog.form, decision="assess", decision_on="09/10/2026", plan_decision="issue",
         draft_on="20/11/2026")
    assert dialog.submit(), dialog.message.text()
    dialog = tab.record_plan()
    fill(dialog.form, issued_on="23/11/2026", caseworker="Sam Reid")
    assert dialog.submit(), dialog.message.text()
    qtmodeltester.check(tab.plan_model)
    assert pupils.get_pupil(senco_session, pupil_id).sen_status == "E"
    assert tab.request_model.rows()[0].final_on == D(2026, 11, 23)
    details = tab.plans.details.toPlainText()
    assert "Next annual review" in details and "Transfer from primary to secondary school" not in details
    outcomes = tab.edit_outcomes()
    first = outcomes.add_outcome()
    first.setText(0, "Read fluently by the end of Year 7")
    outcomes.tree.setCurrentItem(first)
    step = outcomes.add_step()
    step.setText(0, "Read 100 words on sight")
    step.setText(1, "31/02/2027")
    assert not outcomes.submit() and "not a real date" in outcomes.message.text()
    step.setText(1, "01/03/2027")
    assert outcomes.submit(), outcomes.message.text()
    [plan] = ehc.list_plans(senco_session, pupil_id)
    assert plan.outcomes[0].steps[0].target_date == D(2027, 3, 1)
    assert "Read 100 words on sight" in tab.plans.details.toPlainText()


def test_the_record_window_hosts_the_ehc_tab(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session)
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert not isinstance(window.tabs.widget(titles.index("EHC")), EhcTab)   # built when shown
    window.tabs.setCurrentIndex(titles.index("EHC"))
    assert isinstance(window.tabs.currentWidget(), EhcTab)
    assert window.tabs.currentWidget() is window.ehc
    assert window.tabs.tabText(window.tabs.currentIndex()) == "EHC"


def test_staff_see_the_buttons_that_change_it_greyed_with_the_reason(qtbot, senco_session,
                                                                       staff_session):
    pupil_id = sen_support_pupil(senco_session)
    tab = EhcTab(staff_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()   # the user is looking at it
    assert tab.readiness_model.rowCount() == 11
    changing = [key for key in tab.readiness.buttons if key != "refresh_readiness"] + \
        list(tab.requests.buttons) + list(tab.plans.buttons)
    for section in (tab.readiness, tab.requests, tab.plans):
        for key, widget in section.buttons.items():
            if key in changing:
                assert widget.isVisibleTo(section) and not widget.isEnabled(), key
                assert "Your role (Staff) does not allow this" in widget.toolTip(), key
    # Selecting a row (which enables what acts on it for a SENCO) leaves them greyed.
    tab.readiness.select(1)
    tab.readiness.select(0)
    assert not tab.readiness.buttons["answer"].isEnabled()
    assert tab.readiness.buttons["refresh_readiness"].isEnabled()


@pytest.fixture
def agenda_school(senco_session):
    ehc_pupil = sen_support_pupil(senco_session, surname="Brightwater", forename="Zoë",
                                  year_group="6", since=D(2025, 9, 1))
    issued_plan(senco_session, ehc_pupil, D(2026, 3, 10))
    return ehc_pupil


def children(page: CalendarPage, heading: int) -> list:
    model = page.model
    parent = model.index(heading, 0)
    return [model.item(model.index(n, 0, parent)) for n in range(model.rowCount(parent))]


def test_the_calendar_page_groups_the_agenda_and_opens_records(qtbot, qtmodeltester, senco_session,
                                                               agenda_school):
    page = CalendarPage(senco_session)
    qtbot.addWidget(page)
    page.end.setDate(page.end.date().addMonths(6))
    page.refresh()
    qtmodeltester.check(page.model)
    headings = page.model.headings()
    assert headings[0] == "Week of 30 November 2026" and headings == sorted(
        headings, key=lambda h: dt.datetime.strptime(h[8:], "%d %B %Y"))
    week = children(page, headings.index("Week of 14 December 2026"))
    assert ("EHC annual review meeting", "Brightwater, Zoë") in [
        (i.kind.label, i.pupil_name) for i in week]
    assert page.model.data(page.model.index(0, 0)).endswith(f"({len(children(page, 0))})")
    page.group.setCurrentIndex(page.group.findData("month"))
    qtmodeltester.check(page.model)
    assert page.model.headings()[:2] == ["December 2026", "January 2027"]
    december = page.model.index(0, 0)
    row = next(n for n in range(page.model.rowCount(december))
               if page.model.item(page.model.index(n, 0, december)).kind.label
               == "EHC annual review meeting")
    with qtbot.waitSignal(page.open_pupil) as opened:
        page.tree.activated.emit(page.model.index(row, 1, december))
    assert opened.args == [agenda_school]
    assert "items from 23/11/2026" in page.summary.text()


def test_a_bad_range_is_explained_on_the_page(qtbot, senco_session):
    page = CalendarPage(senco_session)
    qtbot.addWidget(page)
    page.end.setDate(page.start.date().addDays(-1))
    page.refresh()
    assert "before 'From'" in page.message.text()


def test_export_writes_an_ics_without_names(qtbot, senco_session, agenda_school, answers, tmp_path):
    page = CalendarPage(senco_session)
    qtbot.addWidget(page)
    page.end.setDate(page.end.date().addMonths(6))
    answers.next_paths.append(tmp_path / "agenda")
    page.export_ics()
    written = tmp_path / "agenda.ics"
    data = written.read_bytes()
    assert "Brightwater" not in data.decode("utf-8") and "Zoë" not in data.decode("utf-8")
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert any(str(e["SUMMARY"]).startswith("EHC annual review meeting: Z.B.") for e in events)
    kind, _title, text = answers.messages[-1]
    assert kind == "info" and "initials" in text


def test_the_term_dates_editor_saves_and_refuses(qtbot, senco_session, agenda_school):
    page = CalendarPage(senco_session)
    qtbot.addWidget(page)
    editor = page.terms
    assert editor.school_year() == 2026 and "default" in editor.source.text()
    assert "19/03/2027" in editor.cutoff.text()
    editor.table.setItem(2, 1, QTableWidgetItem("05/02/2027"))
    editor.table.setItem(3, 0, QTableWidgetItem("01/02/2027"))
    assert not editor.save() and "before the half-term before it has ended" in editor.message.text()
    editor.table.setItem(3, 0, QTableWidgetItem("15/02/2027"))
    editor.table.setItem(5, 1, QTableWidgetItem("16/07/2027"))
    assert editor.save(), editor.message.text()
    assert editor.source.text() == "The school's own dates."
    assert "16/07/2027" in editor.cutoff.text()
    editor.cutoff_weeks.setValue(12)
    editor.save_cutoff()
    assert "19/04/2027" in editor.cutoff.text()
    editor.reset()
    assert "default" in editor.source.text()


def test_staff_may_not_edit_term_dates(qtbot, staff_session):
    page = CalendarPage(staff_session)
    qtbot.addWidget(page)
    assert not page.terms.table.isEnabled()
    for name in ("save_terms", "reset_terms", "save_cutoff", "save_inset", "save_review_weeks"):
        widget = page.terms.findChild(QPushButton, name)
        assert widget.isVisibleTo(page) and not widget.isEnabled(), name
        assert "Only the SENCO or an administrator" in widget.toolTip(), name


def test_staff_may_view_the_agenda_but_not_export_it(qtbot, staff_session):
    page = CalendarPage(staff_session)
    qtbot.addWidget(page)
    export = page.findChild(QPushButton, "export_ics")
    assert not export.isEnabled()
    assert export.toolTip() == "Your role does not allow documents to leave sendesk."


def test_the_screen_names_the_register_but_the_export_does_not(qtbot, senco_session, answers,
                                                               tmp_path):
    pupil_id = sen_support_pupil(senco_session, forename="Zara", surname="Quinn")
    registers.add_entry(senco_session, pupil_id, "looked_after", {
        "start_date": "2025-09-01", "pep_date": "2026-10-01", "responsible_la": "Durham",
        "review_date": "2026-12-10"})
    page = CalendarPage(senco_session)
    qtbot.addWidget(page)
    item_rows = [page.model.index(n, 0, page.model.index(h, 0))
                          for h in range(page.model.rowCount())
                          for n in range(page.model.rowCount(page.model.index(h, 0)))]
    shown = {page.model.data(i.siblingAtColumn(1)) for i in item_rows}
    assert "Looked-after child register review" in shown
    answers.next_paths.append(tmp_path / "agenda.ics")
    page.export_ics()
    text = (tmp_path / "agenda.ics").read_text(encoding="utf-8")
    assert "Register review: Z.Q." in text and "ooked" not in text


def test_the_tab_says_the_cutoff_has_passed_and_warns_a_request_being_prepared(
        qtbot, senco_session, clock):
    pupil_id = sen_support_pupil(senco_session)
    clock.advance(dt.timedelta(days=159))                       # Saturday 01/05/2027
    ehc.add_request(senco_session, pupil_id, {"local_authority": "Durham",
                                              "consent_on": D(2027, 4, 28)})
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()   # the user is looking at it
    summary = tab.requests.summary.text()
    assert "(<b>19/03/2027</b>) has passed" in summary and "<b>27/03/2028</b>" in summary
    assert "this school year is" not in summary
    details = tab.requests.details.toPlainText()
    assert "If it is sent now, it will be after the local authority's preferred date of " \
           "19/03/2027" in details


def test_the_tab_flags_short_notice_to_specialists(qtbot, senco_session):
    pupil_id = sen_support_pupil(senco_session, year_group="10")
    plan_id = issued_plan(senco_session, pupil_id, D(2026, 1, 12))
    ehc.save_review(senco_session, plan_id, {"meeting_on": D(2026, 12, 4),
                                             "invitations_sent_on": D(2026, 11, 23)})
    tab = EhcTab(senco_session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()   # the user is looking at it
    details = tab.plans.details.toPlainText()
    assert "short notice" in details and "fewer than six weeks' notice" in details
