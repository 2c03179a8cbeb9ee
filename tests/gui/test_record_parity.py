"""Everything the core can do to a pupil's record, done in the record window by clicking:
correct and end contacts, record consent from a held contact (or the pupil at 16) and withdraw
it, amend a note and mark it reviewed, correct and end register entries, rank needs chosen by
their census labels, correct the current status, record a leaver, and add a pupil by hand
(File > New pupil, Ctrl+N) with a warning when the child is already here.

Each flow presses the record's real buttons, selects rows with the mouse and types with the
keyboard; forms open holding what the record holds, and each save shows in the lists at once
because the window re-reads the record from the runner's changes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QPushButton, QTableWidget, QWidget
from tests.conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from tests.gui.test_pupils_ui import upn_for

from sendesk.models.roles import Permission
from sendesk.records import consent, contacts, notes, pupils, registers, sen_register
from sendesk.services import lifecycle
from sendesk.ui.forms import FormDialog
from sendesk.ui.new_pupil_dialog import NewPupilDialog
from sendesk.ui.pupil_record_window import PupilRecordWindow

pytestmark = pytest.mark.both_engines
TODAY = "23/11/2026"   # the fixed clock's day
LEFT = Qt.MouseButton.LeftButton


# --- driving the window as a user would ------------------------------------------------------
def click(qtbot, widget: QWidget) -> None:
    """Click a button; a tick box on its box (a form row stretches it far past its label)."""
    assert widget is not None and widget.isEnabled(), "the button is there and may be pressed"
    if isinstance(widget, QCheckBox):
        qtbot.mouseClick(widget, LEFT, pos=QPoint(8, widget.height() // 2))
    else:
        qtbot.mouseClick(widget, LEFT)


def press(qtbot, root: QWidget, name: str) -> None:
    click(qtbot, root.findChild(QPushButton, name))


def form(window: QWidget) -> FormDialog:
    """The form the last click opened."""
    shown = [d for d in window.findChildren(FormDialog) if d.isVisible()]
    assert shown, "a form opened"
    return shown[-1]


def show_tab(qtbot, window: PupilRecordWindow, title: str) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(titles.index(title)).center())
    assert window.tabs.currentIndex() == titles.index(title)


def pick_row(qtbot, table: QTableWidget, text: str) -> None:
    """Click the row whose first cell reads text."""
    rows = [r for r in range(table.rowCount()) if table.item(r, 0).text() == text]
    assert rows, f"{text!r} is in the list"
    rect = table.visualItemRect(table.item(rows[0], 0))
    qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())


def retype(qtbot, widget: QWidget, text: str) -> None:
    """Select what the box holds and type over it."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(widget, text)
    else:
        qtbot.keyClick(widget, Qt.Key.Key_Delete)


def choose(qtbot, combo: QComboBox, label: str) -> None:
    """Pick a drop-down entry with the keyboard: open it, walk to the label, press Enter."""
    target = combo.findText(label)
    assert target >= 0, f"{label!r} is offered; offered: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setFocus()
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def offered(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def cells(table: QTableWidget, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def save(qtbot, dialog: FormDialog) -> None:
    click(qtbot, dialog.save_button)


# --- the school ----------------------------------------------------------------------------
@pytest.fixture
def held(school, clock):
    """Chidi (Year 6) with two parents; Priya (Year 12, 17) with her mother."""
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    chidi = pupils.add_pupil(session, {"upn": upn_for(1), "legal_surname": "Okafor",
                                       "legal_forename": "Chidi", "dob": "2015-03-14", "gender": "M",
                                       "year_group": "6", "class_name": "6O"})
    priya = pupils.add_pupil(session, {"upn": upn_for(2), "legal_surname": "Shah",
                                       "legal_forename": "Priya", "dob": "2009-05-02", "gender": "F",
                                       "year_group": "12"})
    for name, relation in (("Grace Okafor", "Mother"), ("Daniel Okafor", "Father")):
        contacts.add_contact(session, chidi, {"name": name, "relationship": relation,
                                              "parental_responsibility": True})
    contacts.add_contact(session, priya, {"name": "Anjali Shah", "relationship": "Mother",
                                          "parental_responsibility": True})
    session.close()
    return {"chidi": chidi, "priya": priya}


@pytest.fixture
def senco(school, clock):
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    yield session
    session.close()


@pytest.fixture
def staff(school, clock):
    session = lifecycle.open_school(school[0], STAFF, STAFF_PASSWORD, clock)
    yield session
    session.close()


def open_window(qtbot, session, pupil_id: int, tab: str | None = None) -> PupilRecordWindow:
    window = PupilRecordWindow(session, pupil_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    if tab:
        show_tab(qtbot, window, tab)
    return window


# --- contacts ------------------------------------------------------------------------------
def test_correct_a_contact_from_what_is_held_and_a_refusal_changes_nothing(qtbot, held, senco):
    window = open_window(qtbot, senco, held["chidi"], "Contacts and consent")
    table = window.contacts.contacts_table
    pick_row(qtbot, table, "Grace Okafor")
    press(qtbot, window, "correct_contact")
    dialog = form(window)
    widgets = dialog.form.widgets
    assert widgets["name"].text() == "Grace Okafor" and widgets["relationship"].text() == "Mother"
    assert widgets["parental_responsibility"].isChecked(), "held details fill the form"
    retype(qtbot, widgets["email"], "grace@")
    save(qtbot, dialog)
    assert "Email 'grace@' is not an email address." == dialog.message.text()
    assert dialog.isVisible()
    assert contacts.list_contacts(senco, held["chidi"])[1].details.email is None, "nothing saved"
    retype(qtbot, widgets["email"], "grace.okafor@example.org")
    retype(qtbot, widgets["phone"], "07700 900123")
    save(qtbot, dialog)
    assert not dialog.isVisible()
    row = cells(table, 0).index("Grace Okafor")
    assert table.item(row, 3).text() == "07700 900123"
    assert table.item(row, 4).text() == "grace.okafor@example.org"
    assert table.item(row, 2).text() == "Yes", "fields not touched are kept"


def test_end_a_contact_from_today_keeps_them_as_history(qtbot, held, senco, answers):
    window = open_window(qtbot, senco, held["chidi"], "Contacts and consent")
    table = window.contacts.contacts_table
    pick_row(qtbot, table, "Daniel Okafor")
    press(qtbot, window, "end_contact")
    dialog = form(window)
    assert dialog.form.widgets["ended_on"].text() == TODAY, "the date defaults to today"
    retype(qtbot, dialog.form.widgets["ended_on"], "24/11/2026")
    save(qtbot, dialog)
    assert dialog.message.text() == "Date the contact ended (24/11/2026) cannot be after today."
    retype(qtbot, dialog.form.widgets["ended_on"], TODAY)
    save(qtbot, dialog)
    assert not dialog.isVisible()
    assert table.item(cells(table, 0).index("Daniel Okafor"), 6).text() == TODAY
    # Ended: no longer offered as the giver of consent, and cannot be ended or corrected again.
    press(qtbot, window, "add_consent")
    consent_form = form(window)
    assert offered(consent_form.form.widgets["giver"]) == ["Grace Okafor (Mother)"]
    consent_form.reject()
    pick_row(qtbot, table, "Daniel Okafor")
    press(qtbot, window, "correct_contact")
    assert not [d for d in window.findChildren(FormDialog) if d.isVisible()]
    assert answers.messages[-1] == ("error", "Correct contact", "This contact has been ended and "
                                    "is kept as history; add them again if they are involved once "
                                    "more.")


def test_a_correction_with_nothing_chosen_says_what_to_do(qtbot, held, senco, answers):
    window = open_window(qtbot, senco, held["chidi"], "Contacts and consent")
    press(qtbot, window, "correct_contact")
    assert answers.messages[-1] == ("error", "Correct contact", "Choose the contact in the list "
                                    "first, then press the button again.")
    assert not [d for d in window.findChildren(FormDialog) if d.isVisible()]


# --- consent -------------------------------------------------------------------------------
def test_consent_is_given_by_a_held_contact_including_one_added_a_minute_ago(qtbot, held, senco):
    window = open_window(qtbot, senco, held["chidi"], "Contacts and consent")
    press(qtbot, window, "add_contact")
    added = form(window)
    qtbot.keyClicks(added.form.widgets["name"], "Joy Adeyemi")
    qtbot.keyClicks(added.form.widgets["relationship"], "Foster carer")
    save(qtbot, added)
    assert not added.isVisible()
    press(qtbot, window, "add_consent")
    dialog = form(window)
    giver = dialog.form.widgets["giver"]
    assert offered(giver) == ["Daniel Okafor (Father)", "Grace Okafor (Mother)",
                              "Joy Adeyemi (Foster carer)"], "contacts only; Chidi is 11"
    assert dialog.form.widgets["given_on"].text() == TODAY
    choose(qtbot, giver, "Joy Adeyemi (Foster carer)")
    qtbot.keyClicks(dialog.form.widgets["scope"], "Share the speech therapy report with the LA")
    save(qtbot, dialog)
    assert not dialog.isVisible(), dialog.message.text()
    held_consent = consent.list_consents(senco, held["chidi"])[0]
    joy = [c for c in contacts.list_contacts(senco, held["chidi"]) if c.details.name == "Joy Adeyemi"]
    assert (held_consent.given_by, held_consent.giver_kind, held_consent.contact_id) == (
        "Joy Adeyemi", "parent or carer", joy[0].id)
    assert cells(window.contacts.consent_table, 0) == ["Joy Adeyemi (parent or carer)"]


def test_a_pupil_of_sixteen_may_give_consent_and_it_can_be_withdrawn(qtbot, held, senco, answers):
    window = open_window(qtbot, senco, held["priya"], "Contacts and consent")
    press(qtbot, window, "add_consent")
    dialog = form(window)
    giver = dialog.form.widgets["giver"]
    assert offered(giver) == ["Anjali Shah (Mother)", "Priya Shah (the pupil, 16 or over)"]
    choose(qtbot, giver, "Priya Shah (the pupil, 16 or over)")
    qtbot.keyClicks(dialog.form.widgets["scope"], "College transition team")
    save(qtbot, dialog)
    assert not dialog.isVisible(), dialog.message.text()
    table = window.contacts.consent_table
    assert cells(table, 0) == ["Priya Shah (young person)"]

    pick_row(qtbot, table, "Priya Shah (young person)")
    press(qtbot, window, "withdraw_consent")
    withdraw = form(window)
    assert withdraw.form.widgets["withdrawn_on"].text() == TODAY
    save(qtbot, withdraw)
    assert not withdraw.isVisible(), withdraw.message.text()
    assert table.item(0, 3).text() == TODAY
    assert consent.list_consents(senco, held["priya"])[0].withdrawn_on == dt.date(2026, 11, 23)
    pick_row(qtbot, table, "Priya Shah (young person)")
    press(qtbot, window, "withdraw_consent")
    assert answers.messages[-1] == ("error", "Withdraw consent",
                                    "This consent has already been withdrawn.")


# --- notes ---------------------------------------------------------------------------------
def test_amend_a_note_and_mark_it_reviewed(qtbot, held, senco):
    notes.add_note(senco, held["chidi"], {"event_date": "2026-11-02", "concern": "Not settling",
                                          "review_date": "2026-11-20"})
    window = open_window(qtbot, senco, held["chidi"], "Notes")
    table = window.notes.notes_table
    pick_row(qtbot, table, "02/11/2026")
    press(qtbot, window, "amend_note")
    dialog = form(window)
    assert dialog.form.widgets["concern"].toPlainText() == "Not settling"
    assert dialog.form.widgets["review_date"].text() == "20/11/2026", "the note as written"
    dialog.form.widgets["concern"].setFocus()
    qtbot.keyClick(dialog.form.widgets["concern"], Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.form.widgets["concern"], " after lunch")
    save(qtbot, dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert table.item(0, 2).text() == "Not settling after lunch"

    pick_row(qtbot, table, "02/11/2026")
    press(qtbot, window, "mark_reviewed")
    reviewed = form(window)
    assert reviewed.form.widgets["reviewed_on"].text() == TODAY
    retype(qtbot, reviewed.form.widgets["reviewed_on"], "01/11/2026")
    save(qtbot, reviewed)
    assert reviewed.message.text() == ("Date reviewed (01/11/2026) cannot be before the date of "
                                       "the discussion (02/11/2026).")
    retype(qtbot, reviewed.form.widgets["reviewed_on"], TODAY)
    save(qtbot, reviewed)
    assert not reviewed.isVisible()
    assert table.item(0, 6).text() == TODAY


def test_staff_cannot_amend_the_senco_s_note_and_are_told_why(qtbot, held, senco, staff):
    notes.add_note(senco, held["chidi"], {"event_date": "2026-11-02", "concern": "Not settling"})
    window = open_window(qtbot, staff, held["chidi"], "Notes")
    pick_row(qtbot, window.notes.notes_table, "02/11/2026")
    press(qtbot, window, "amend_note")
    dialog = form(window)
    qtbot.keyClicks(dialog.form.widgets["agreed_actions"], "Lunch buddy")
    save(qtbot, dialog)
    assert dialog.message.text() == "Only the note's author or the SENCO may change a short note."
    assert notes.list_notes(senco, held["chidi"])[0].agreed_actions == ""


# --- other registers -----------------------------------------------------------------------
def test_correct_and_end_a_register_entry(qtbot, held, senco, answers):
    registers.add_entry(senco, held["chidi"], "eal", {"start_date": "2026-09-03",
                                                      "details": "New to English",
                                                      "first_language": "Igbo"})
    window = open_window(qtbot, senco, held["chidi"], "Registers and needs")
    table = window.registers.registers_table
    pick_row(qtbot, table, "English as an additional language")
    press(qtbot, window, "correct_register")
    dialog = form(window)
    assert set(dialog.form.widgets) == {"start_date", "review_date", "details", "first_language"}, \
        "only the EAL register's own fields"
    assert dialog.form.widgets["first_language"].text() == "Igbo"
    assert dialog.form.widgets["start_date"].text() == "03/09/2026"
    retype(qtbot, dialog.form.widgets["review_date"], "01/09/2026")
    save(qtbot, dialog)
    assert dialog.message.text() == ("Review date (01/09/2026) cannot be before the start date "
                                     "(03/09/2026).")
    retype(qtbot, dialog.form.widgets["review_date"], "15/01/2027")
    save(qtbot, dialog)
    assert not dialog.isVisible()
    assert table.item(0, 3).text() == "15/01/2027" and "New to English" in table.item(0, 4).text()

    pick_row(qtbot, table, "English as an additional language")
    press(qtbot, window, "end_register")
    ending = form(window)
    assert ending.form.widgets["end_date"].text() == TODAY
    save(qtbot, ending)
    assert not ending.isVisible()
    assert table.item(0, 2).text() == TODAY
    assert not registers.list_entries(senco, held["chidi"], include_ended=False)
    pick_row(qtbot, table, "English as an additional language")
    press(qtbot, window, "correct_register")
    assert answers.messages[-1][2] == "This register entry has ended and is kept as history."


# --- SEN status and needs --------------------------------------------------------------------
def test_needs_are_chosen_by_label_and_ranked_with_the_keyboard(qtbot, held, senco):
    window = open_window(qtbot, senco, held["chidi"], "Registers and needs")
    press(qtbot, window, "change_status")
    dialog = form(window)
    picker = dialog.form.widgets["needs"]
    assert picker.value() == [] and dialog.form.widgets["start_date"].text() == TODAY
    choose(qtbot, picker.choice, "Specific learning difficulty (SPLD)")
    click(qtbot, picker.add_button)
    choose(qtbot, picker.choice, "Speech, language and communication needs (SLCN)")
    click(qtbot, picker.add_button)
    assert picker.ranked.item(0).text() == "1. Specific learning difficulty (SPLD) - primary need"
    click(qtbot, picker.up_button)       # SLCN, just added and selected, becomes the primary need
    assert picker.value() == ["SLCN", "SPLD"]
    assert picker.ranked.item(0).text().endswith("(SLCN) - primary need")
    qtbot.keyClicks(dialog.form.widgets["reason"], "Speech and language assessment")
    save(qtbot, dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert "<b>Needs:</b> SLCN, SPLD" in window.header.text()

    # Same status: only the needs change (the core's set_needs), ranked again.
    press(qtbot, window, "change_status")
    again = form(window)
    picker = again.form.widgets["needs"]
    assert picker.value() == ["SLCN", "SPLD"], "the held needs, in rank order"
    assert again.form.widgets["status"].currentData() == "K"
    picker.ranked.setFocus()
    qtbot.keyClick(picker.ranked, Qt.Key.Key_Home)
    click(qtbot, picker.down_button)
    save(qtbot, again)
    assert not again.isVisible(), again.message.text()
    assert [n.code for n in sen_register.needs_history(senco, held["chidi"], current_only=True)] == \
        ["SPLD", "SLCN"]


def test_a_need_dragged_to_the_top_becomes_the_primary_need(qtbot):
    """Dragging is the list's own internal move (offscreen drags cannot be pressed reliably, so
    the move a drop makes is made on the list's model); the ranks follow it."""
    from sendesk.ui.needs_picker import NeedsPicker
    picker = NeedsPicker()
    qtbot.addWidget(picker)
    picker.set_value(["ASD", "SLCN", "MLD"])
    assert picker.ranked.dragDropMode() == picker.ranked.DragDropMode.InternalMove
    model = picker.ranked.model()
    assert model.moveRow(model.index(0, 0).parent(), 2, model.index(0, 0).parent(), 0)
    assert picker.value() == ["MLD", "ASD", "SLCN"]
    assert picker.ranked.item(0).text() == "1. Moderate learning difficulty (MLD) - primary need"
    assert picker.ranked.item(1).text() == "2. Autistic spectrum disorder (ASD)"


def test_nsa_only_with_sen_support_shows_the_core_s_sentence(qtbot, held, senco):
    window = open_window(qtbot, senco, held["chidi"], "Registers and needs")
    press(qtbot, window, "change_status")
    dialog = form(window)
    choose(qtbot, dialog.form.widgets["status"], "E - Education, health and care plan")
    picker = dialog.form.widgets["needs"]
    choose(qtbot, picker.choice, picker.choice.itemText(picker.choice.findData("NSA")))
    click(qtbot, picker.add_button)
    qtbot.keyClicks(dialog.form.widgets["reason"], "Plan issued")
    save(qtbot, dialog)
    assert dialog.message.text() == "NSA is only used for SEN support (K), not for status E."
    assert sen_register.status_history(senco, held["chidi"]) == []


def test_correct_the_current_status_from_the_day_it_began(qtbot, held, senco):
    sen_register.change_status(senco, held["chidi"], "K", "2026-09-10", "Assessed", ["SLCN"])
    window = open_window(qtbot, senco, held["chidi"], "Registers and needs")
    press(qtbot, window, "correct_status")
    dialog = form(window)
    qtbot.keyClicks(dialog.form.widgets["reason"], "Arrived holding an EHC plan")
    save(qtbot, dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert cells(window.registers.status_table, 0) == ["E - Education, health and care plan"]
    assert cells(window.registers.status_table, 1) == ["10/09/2026"]


# --- leaving -------------------------------------------------------------------------------
def test_record_a_leaver_from_the_profile(qtbot, held, senco):
    window = open_window(qtbot, senco, held["chidi"])
    press(qtbot, window, "record_leaving")
    dialog = form(window)
    assert dialog.form.widgets["leaving_date"].text() == TODAY
    qtbot.keyClicks(dialog.form.widgets["destination"], "Hollybank Academy")
    save(qtbot, dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert f"Left {TODAY}" in window.header.text()
    assert pupils.get_pupil(senco, held["chidi"]).archived


# --- adding a pupil by hand ------------------------------------------------------------------
def main_window(qtbot, make_controller, school):
    from tests.gui.test_foundation import unlock, wait_for_main_window
    controller = make_controller()
    controller.start(school[0])
    unlock(qtbot, controller)
    return controller, wait_for_main_window(qtbot, controller)


def new_pupil_dialog(qtbot, window) -> NewPupilDialog:
    """Back in the main window (a record may have opened over it), press Ctrl+N."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(NewPupilDialog)))
    return [d for d in window.findChildren(NewPupilDialog) if d.isVisible()][-1]


def type_pupil(qtbot, dialog: NewPupilDialog, upn: str, forename: str, surname: str, dob: str) -> None:
    w = dialog.form.widgets
    qtbot.keyClicks(w["upn"], upn)
    qtbot.keyClicks(w["legal_forename"], forename)
    qtbot.keyClicks(w["legal_surname"], surname)
    qtbot.keyClicks(w["dob"], dob)
    choose(qtbot, w["gender"], "Female")
    choose(qtbot, w["year_group"], "Year 3")
    qtbot.keyClicks(w["class_name"], "3W")


def test_file_new_pupil_adds_one_and_opens_the_record(qtbot, make_controller, school):
    controller, window = main_window(qtbot, make_controller, school)
    action = window.findChild(type(window.lock_action), "new_pupil")
    assert action.text() == "&New pupil..." and action in window.file_menu.actions()
    dialog = new_pupil_dialog(qtbot, window)
    assert dialog.form.widgets["admission_date"].text() == TODAY
    type_pupil(qtbot, dialog, upn_for(7), "Maya", "Wilson", "31/13/2018")
    save(qtbot, dialog)
    assert "Date of birth" in dialog.message.text() and dialog.isVisible()
    retype(qtbot, dialog.form.widgets["dob"], "14/02/2019")
    save(qtbot, dialog)
    assert not dialog.isVisible(), dialog.message.text()
    record = controller.workspace.records[dialog.opened]
    assert record.isVisible() and "Maya Wilson" in record.header.text()
    held = pupils.get_pupil(controller.session, dialog.opened).details
    assert (held.year_group, held.class_name, held.admission_date) == ("3", "3W", dt.date(2026, 11, 23))
    page = controller.workspace.pupils
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)


def test_new_pupil_offers_the_record_already_here(qtbot, make_controller, school, answers):
    controller, window = main_window(qtbot, make_controller, school)
    first = pupils.add_pupil(controller.session, {
        "upn": upn_for(7), "legal_surname": "Wilson", "legal_forename": "Maya", "dob": "2019-02-14",
        "gender": "F", "year_group": "3"})
    # Same UPN: offered the record already here; choosing it adds nobody.
    dialog = new_pupil_dialog(qtbot, window)
    type_pupil(qtbot, dialog, upn_for(7), "May", "Wilsen", "14/02/2019")
    answers.confirm_answer = True
    save(qtbot, dialog)
    assert answers.messages[-1][0] == "confirm"
    assert answers.messages[-1][2].startswith(f"UPN {upn_for(7)} already belongs to Maya Wilson, "
                                              "born 14/02/2019")
    assert not dialog.isVisible() and dialog.opened == first
    assert controller.workspace.records[first].isVisible()
    assert len(pupils_held(controller.session)) == 1

    # Same name and date of birth under another UPN: declining adds a second (twins happen).
    dialog = new_pupil_dialog(qtbot, window)
    type_pupil(qtbot, dialog, upn_for(8), "Maya", "Wilson", "14/02/2019")
    answers.confirm_answer = False
    save(qtbot, dialog)
    assert answers.messages[-1][2].startswith("A pupil with the same name and date of birth is "
                                              "already here: Maya Wilson")
    assert not dialog.isVisible(), dialog.message.text()
    assert len(pupils_held(controller.session)) == 2


def pupils_held(session) -> list[int]:
    from sendesk.records import pupil_list
    return pupil_list.search_ids(session)


def test_new_pupil_is_greyed_with_the_reason_for_a_role_that_may_not_add_one(qtbot, make_controller, school):
    from tests.gui.test_foundation import unlock, wait_for_main_window
    controller = make_controller()
    controller.start(school[0])
    unlock(qtbot, controller, STAFF, STAFF_PASSWORD)
    window = wait_for_main_window(qtbot, controller)
    action = window.findChild(type(window.lock_action), "new_pupil")
    assert action in window.file_menu.actions(), "greyed, never missing"
    assert action.isEnabled() == controller.session.can(Permission.EDIT_PUPILS)
    assert not action.isEnabled() and "does not allow this" in action.toolTip()
