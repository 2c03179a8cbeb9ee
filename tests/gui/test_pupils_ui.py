"""The pupil list and record driven for real: search, filters, open, edit with validation,
change SEN status as a SENCO (refused as staff), record the parent notification."""

from __future__ import annotations

import datetime as dt

import pytest
import shiboken6
from PySide6.QtCore import Qt
from tests.conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD

from sendesk.errors import PermissionDenied
from sendesk.operations import Changes, Kind
from sendesk.records import contacts, pupils, sen_register
from sendesk.services import lifecycle
from sendesk.ui import pupil_list_page
from sendesk.ui.fault_outline import has_fault
from sendesk.ui.pupil_list_page import PupilListPage
from sendesk.ui.pupil_record_window import PupilRecordWindow

pytestmark = pytest.mark.both_engines
PUPILS = [
    ("Okafor", "Chidi", "2015-03-14", "M", "6", "6O"),
    ("Nowak", "Zofia", "2016-07-02", "F", "5", "5N"),
    ("Begum", "Amina", "2015-11-30", "F", "6", "6B"),
    ("Hughes", "Ellis", "2019-01-21", "U", "2", "2H"),
]


def upn_for(serial: int) -> str:
    from sendesk.models.upn import check_letter
    body = f"80120000{serial:04d}"
    return check_letter(body) + body


@pytest.fixture
def pupil_ids(school, clock):
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    ids = {}
    for serial, (surname, forename, dob, gender, year, klass) in enumerate(PUPILS, start=1):
        ids[surname] = pupils.add_pupil(session, {
            "upn": upn_for(serial), "legal_surname": surname, "legal_forename": forename, "dob": dob,
            "gender": gender, "year_group": year, "class_name": klass})
    contacts.add_contact(session, ids["Okafor"], {"name": "Grace Okafor", "relationship": "Mother",
                                                 "parental_responsibility": True})
    contacts.add_contact(session, ids["Okafor"], {"name": "Daniel Okafor", "relationship": "Father",
                                                 "parental_responsibility": True})
    sen_register.change_status(session, ids["Begum"], "K", "2026-09-10", "Assessment showed need",
                               ["SLCN"])
    session.close()
    return ids


def open_session(school, clock, user=SENCO, password=SENCO_PASSWORD):
    return lifecycle.open_school(school[0], user, password, clock)


def names(page: PupilListPage) -> list[str]:
    return [page.model.data(page.model.index(r, 0)) for r in range(page.model.rowCount())]


def test_search_and_filters(qtbot, school, clock, pupil_ids):
    session = open_session(school, clock)
    page = PupilListPage(session)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 4 and page.count.text() == "4 pupils"
    qtbot.keyClicks(page.search, "nowa")
    assert names(page) == ["Nowak, Zofia"]
    page.search.clear()
    qtbot.keyClicks(page.search, upn_for(3))
    assert names(page) == ["Begum, Amina"], "a UPN finds its pupil"
    page.search.clear()
    page.year.setCurrentIndex(page.year.findData("6"))
    assert sorted(names(page)) == ["Begum, Amina", "Okafor, Chidi"]
    page.status.setCurrentIndex(page.status.findData("K"))
    assert names(page) == ["Begum, Amina"]
    row = {page.model.columns[c].key: page.model.data(page.model.index(0, c)) for c in range(8)}
    assert row["status"].startswith("K") and row["need"] == "SLCN"
    page.year.setCurrentIndex(0)
    page.status.setCurrentIndex(0)
    page.need.setCurrentIndex(page.need.findData("SLCN"))
    assert names(page) == ["Begum, Amina"]
    page.need.setCurrentIndex(0)
    page.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
    assert names(page)[0] == "Okafor, Chidi"
    session.close()


def test_a_long_list_shows_its_first_rows_then_adds_the_rest_below_them(
        qtbot, school, clock, pupil_ids, monkeypatch):
    """A search that finds more than a block shows the block at once and says it is still
    counting; the rest is read in the background and added below, the chosen pupil staying
    chosen. (The block is made two rows here, so that four pupils are a long list.)"""
    monkeypatch.setattr(pupil_list_page, "BLOCK", 2)
    session = open_session(school, clock)
    page = PupilListPage(session)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    assert names(page) == ["Begum, Amina", "Hughes, Ellis"]
    assert page.count.text() == "More than 2 pupils, counting"
    second = page.table.visualRect(page.model.index(1, 0)).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=second)
    qtbot.waitUntil(lambda: page.count.text() == "4 pupils")
    qtbot.waitUntil(lambda: "" not in names(page))   # the new rows' cells come a block at a time
    assert names(page) == ["Begum, Amina", "Hughes, Ellis", "Nowak, Zofia", "Okafor, Chidi"]
    assert page.table.currentIndex().row() == 1
    assert page.model.id_at(1) == pupil_ids["Hughes"]
    qtbot.keyClicks(page.search, "okaf")   # one pupil: no rest to read
    assert names(page) == ["Okafor, Chidi"] and page.count.text() == "1 pupil"
    session.close()


def test_open_record_from_the_list_is_audited(qtbot, school, clock, pupil_ids):
    session = open_session(school, clock)
    page = PupilListPage(session)
    qtbot.addWidget(page)
    opened = []
    page.open_pupil.connect(opened.append)
    page.search.setText("Okafor")
    entries_before = session.db.scalar("SELECT count(*) FROM audit_log")
    page.show()
    qtbot.waitExposed(page)
    page.table.setCurrentIndex(page.model.index(0, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened == [pupil_ids["Okafor"]]
    window = PupilRecordWindow(session, opened[0])
    qtbot.addWidget(window)
    assert "Chidi Okafor" in window.header.text()
    assert window.contacts_table.rowCount() == 2
    assert session.db.scalar("SELECT count(*) FROM audit_log WHERE action = 'opened a pupil record'"
                             " AND target_id = ?", (str(pupil_ids["Okafor"]),)) == 1
    # Opening is one audit entry; the EHC readiness check is read (and audited) only when shown.
    assert session.db.scalar("SELECT count(*) FROM audit_log") == entries_before + 1
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index("EHC"))
    assert session.db.scalar("SELECT count(*) FROM audit_log WHERE action ="
                             " 'checked EHC needs assessment readiness'") == 1
    session.close()


def test_edit_with_inline_validation_then_save(qtbot, school, clock, pupil_ids):
    session = open_session(school, clock)
    window = PupilRecordWindow(session, pupil_ids["Nowak"])
    qtbot.addWidget(window)
    changed = []
    window.changed.connect(changed.append)
    form = window.profile_form
    form.widgets["dob"].setText("31/02/2016")
    assert window.save_profile() is False
    assert has_fault(form.widgets["dob"])
    assert "date" in window.profile_message.text().lower()
    assert pupils.get_pupil(session, pupil_ids["Nowak"]).details.dob == dt.date(2016, 7, 2), \
        "a refused edit saves nothing"
    form.widgets["dob"].setText("02/07/2016")
    form.widgets["preferred_forename"].setText("Zosia")
    qtbot.mouseClick(window.save_profile_button, Qt.MouseButton.LeftButton)
    assert window.profile_message.text() == "Saved."
    assert changed == [pupil_ids["Nowak"]]
    assert pupils.get_pupil(session, pupil_ids["Nowak"]).forename == "Zosia"
    assert window.history_table.rowCount() >= 1
    assert "Zosia" in window.header.text()
    session.close()


def test_senco_changes_status_and_records_parent_notification(qtbot, school, clock, pupil_ids,
                                                               answers):
    from tests.gui.test_record_parity import choose, click, form, press, save, show_tab
    session = open_session(school, clock)
    window = PupilRecordWindow(session, pupil_ids["Okafor"])
    qtbot.addWidget(window)
    assert window.change_status_button.isEnabled()
    window.show()
    qtbot.waitExposed(window)
    show_tab(qtbot, window, "Registers and needs")
    press(qtbot, window, "change_status")
    dialog = form(window)
    choose(qtbot, dialog.form.widgets["status"], "K - SEN support")
    qtbot.keyClicks(dialog.form.widgets["reason"], "Screening and parent meeting")
    save(qtbot, dialog)
    assert dialog.message.text().startswith("Choose a primary need"), "the core's sentence"
    picker = dialog.form.widgets["needs"]
    for label in ("Specific learning difficulty (SPLD)",
                  "Speech, language and communication needs (SLCN)"):
        choose(qtbot, picker.choice, label)
        click(qtbot, picker.add_button)
    save(qtbot, dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert "K - SEN support" in window.header.text()
    assert window.notifications_table.rowCount() == 1
    assert "Grace Okafor" in window.notifications_table.item(0, 3).text()

    press(qtbot, window, "record_notification")
    told = form(window)
    assert told.form.widgets["sent_on"].text() == "23/11/2026", "today"
    choose(qtbot, told.form.widgets["method"], "Letter")
    grace = [spec.key for spec in told.form.fields if spec.label.startswith("Grace")][0]
    click(qtbot, told.form.widgets[grace])
    save(qtbot, told)
    assert not told.isVisible(), told.message.text()
    assert window.notifications_table.item(0, 3).text() == "Daniel Okafor", "still to be told"
    assert "Grace Okafor by letter" in window.notifications_table.item(0, 2).text()
    press(qtbot, window, "record_notification")
    told = form(window)
    for key, widget in told.form.widgets.items():
        if key.startswith("contact_"):
            click(qtbot, widget)
    save(qtbot, told)
    assert window.notifications_table.item(0, 3).text() == "None"
    press(qtbot, window, "record_notification")
    assert answers.messages[-1] == ("info", "Record parent notification",
                                    "No parent notification is due."), "nothing left to notify"
    session.close()


def test_staff_cannot_change_status_in_the_ui_or_the_core(qtbot, school, clock, pupil_ids):
    session = open_session(school, clock, STAFF, STAFF_PASSWORD)
    window = PupilRecordWindow(session, pupil_ids["Okafor"])
    qtbot.addWidget(window)
    assert not window.change_status_button.isEnabled()
    assert not window.save_profile_button.isEnabled()
    with pytest.raises(PermissionDenied):
        sen_register.change_status(session, pupil_ids["Okafor"], "K", "2026-11-01", "x", ["SLCN"])
    # Staff may still add a short note.
    dialog = window.add_note()
    dialog.form.set_values({"concern": "Struggling to settle after lunch",
                            "parent_discussion": "Spoke to mum at pick-up"})
    assert dialog.submit() is True
    assert window.notes_table.rowCount() == 1
    assert window.notes_table.item(0, 1).text() == "Owen Williams"
    session.close()


def test_record_windows_close_on_lock(qtbot, make_controller, school, pupil_ids):
    from tests.gui.test_foundation import unlock, wait_for_main_window
    controller = make_controller()
    controller.start(school[0])
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    record = controller.workspace.open_pupil(pupil_ids["Begum"])
    assert record.isVisible()
    deleted = []
    record.destroyed.connect(lambda *_: deleted.append(True))
    controller.lock()
    assert not record.isVisible()                      # closed at once
    qtbot.waitUntil(lambda: bool(deleted), timeout=2_000)   # and deleted, with what it showed
    from PySide6.QtWidgets import QApplication
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, PupilRecordWindow) and w.isVisible()]
    assert controller.workspace is None


def test_notes_tab_offers_the_initial_concerns_flowchart(qtbot, school, clock, pupil_ids):
    from sendesk.ui.concerns_panel import ConcernsPanel
    session = open_session(school, clock)
    window = PupilRecordWindow(session, pupil_ids["Hughes"])
    qtbot.addWidget(window)
    notes_page = window.tabs.widget([window.tabs.tabText(i) for i in range(window.tabs.count())].index("Notes"))
    assert notes_page.findChild(ConcernsPanel) is window.concerns
    session.close()


def test_record_has_plan_and_specialist_tabs_and_main_window_has_plan_pages(
        qtbot, make_controller, school, pupil_ids):
    from tests.gui.test_foundation import unlock, wait_for_main_window

    from sendesk.ui.plan_tab import PlanTab
    from sendesk.ui.provision_map_view import ProvisionMapView
    from sendesk.ui.reviews_due import ReviewsDueView
    from sendesk.ui.specialists_tab import SpecialistsTab
    controller = make_controller()
    controller.start(school[0])
    unlock(qtbot, controller)
    window = wait_for_main_window(qtbot, controller)
    assert isinstance(window.page("provision_map"), ProvisionMapView)
    assert isinstance(window.page("reviews_due"), ReviewsDueView)
    record = controller.workspace.open_pupil(pupil_ids["Begum"])
    titles = [record.tabs.tabText(i) for i in range(record.tabs.count())]
    for title, kind in (("Plans and cycles", PlanTab), ("Specialists", SpecialistsTab)):
        record.tabs.setCurrentIndex(titles.index(title))
        assert isinstance(record.tabs.widget(titles.index(title)), kind)


def test_a_record_deleted_after_retention_closes_its_window(qtbot, make_controller, school,
                                                            pupil_ids):
    """A leaver's window left open while the record is securely deleted must not go on showing
    the child's name, nor fail when one of its tabs is clicked."""
    from tests.gui.test_foundation import unlock, wait_for_main_window
    controller = make_controller()
    controller.start(school[0])
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    session, workspace = controller.session, controller.workspace
    pupils.archive_leaver(session, pupil_ids["Begum"], session.clock.today(), "Moved away")
    left = workspace.open_pupil(pupil_ids["Begum"])
    other = workspace.open_pupil(pupil_ids["Okafor"])
    titles = [left.tabs.tabText(i) for i in range(left.tabs.count())]
    session.clock.advance(dt.timedelta(days=365 * 40))
    pupils.delete_after_retention(session, pupil_ids["Begum"])   # behind the window's back
    left.tabs.setCurrentIndex(titles.index("EHC"))   # built from a record that is gone
    assert "not in this database" in left.tabs.currentWidget().text()
    # The retention page deletes through the runner, whose broadcast reaches the workspace.
    controller.runner.changed.emit(Changes(frozenset({pupil_ids["Begum"]}), frozenset({Kind.PUPIL})))
    assert pupil_ids["Begum"] not in workspace.records
    assert not shiboken6.isValid(left) or not left.isVisible()
    assert workspace.records[pupil_ids["Okafor"]] is other and other.isVisible()
