"""Two PCs on one record, in the window (issue 21, item 6): a contact corrected, a note
amended or a plan draft saved on another PC while this window's form was open is not
overwritten: Save is refused, the two versions are shown side by side, and "Keep mine" saves
over theirs (theirs kept in the change history) or "Take theirs" shows theirs in the form.

The other PC is a second Session in the test, on the same school file or the same server
(this module runs on both engines): what matters is that the write reaches the store between
this window reading the record and saving it."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton
from tests.apdr_support import assess, sen_support_pupil
from tests.gui.test_apdr import click, shown_wizard
from tests.records_fixtures import add_pupil

from sendesk.models.apdr import Part
from sendesk.records import apdr, contacts, notes
from sendesk.services import lifecycle, users
from sendesk.ui.forms import FormDialog
from sendesk.ui.pupil_record_window import PupilRecordWindow
from sendesk.ui.screen_fit import screen_of
from sendesk.ui.stale_dialog import UNCHANGED, StaleDialog

OTHER, OTHER_NAME, OTHER_PASSWORD = "jjones", "Jo Jones", "copper-willow-station-62"


@pytest.fixture
def other_pc(school, senco_session, clock):
    users.add_user(senco_session, OTHER, OTHER_NAME, "senco", OTHER_PASSWORD)
    session = lifecycle.open_school(school[0], OTHER, OTHER_PASSWORD, clock)
    yield session
    session.close()


def record_window(qtbot, session, pupil, tab: str) -> PupilRecordWindow:
    window = PupilRecordWindow(session, pupil)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.record is not None, timeout=10_000)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.tabs.tabBar().setCurrentIndex(titles.index(tab))
    return window


def click_row(table, row: int = 0) -> None:
    QApplication.processEvents()
    rect = table.visualItemRect(table.item(row, 0))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def open_form(qtbot, window, button) -> FormDialog:
    click(button)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(FormDialog)))
    return next(d for d in window.findChildren(FormDialog) if d.isVisible())


def retype(widget, text: str) -> None:
    """Select what the box holds and type over it, as a person would."""
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(widget, text)


def press_save(form: FormDialog) -> None:
    click(form.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save))


def refusal(qtbot, parent) -> StaleDialog:
    qtbot.waitUntil(lambda: any(d.isVisible() for d in parent.findChildren(StaleDialog)),
                    timeout=10_000)
    return next(d for d in parent.findChildren(StaleDialog) if d.isVisible())


def cells(dialog: StaleDialog) -> dict[str, tuple[str, str]]:
    table = dialog.versions
    return {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
            for r in range(table.rowCount())}


def assert_shown_whole(dialog: StaleDialog) -> None:
    """Both versions can be read without scrolling sideways: the other person's column ends
    inside the table's viewport, and every row is as tall as its wrapped text."""
    table = dialog.versions
    QApplication.processEvents()
    assert table.horizontalScrollBar().maximum() == 0
    right = table.columnViewportPosition(2) + table.columnWidth(2)
    assert 0 < right <= table.viewport().width()
    assert table.columnWidth(1) >= 150 and table.columnWidth(2) >= 150
    metrics = table.fontMetrics()
    for row in range(table.rowCount()):
        for column in (1, 2):
            text = table.item(row, column).text()
            needed = metrics.boundingRect(0, 0, table.columnWidth(column) - 10, 10_000,
                                          Qt.TextFlag.TextWordWrap, text).height()
            assert table.rowHeight(row) >= needed, f"row {row} cut off"
    bottom = table.rowViewportPosition(table.rowCount() - 1) + table.rowHeight(table.rowCount() - 1)
    assert bottom <= table.viewport().height(), "every row on screen without scrolling"
    screen = screen_of(dialog).availableGeometry()   # not dialog.screen(): ui/screen_fit.py
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()


def trail(session, record_type: str, record_id: int, field: str) -> list[tuple[str, str, str]]:
    return [(r["old_value"], r["new_value"], r["full_name"]) for r in session.db.query(
        "SELECT f.old_value, f.new_value, u.full_name FROM field_changes f JOIN users u"
        " ON u.id = f.changed_by WHERE f.record_type = ? AND f.record_id = ? AND f.field = ?"
        " ORDER BY f.id", (record_type, record_id, field))]


def correcting_a_contact(qtbot, senco_session):
    """(pupil, contact id, record window, form): Ruth Bright's correction form open in the
    window, as a person opens it (her row clicked, Correct pressed)."""
    pupil = add_pupil(senco_session)
    contact_id = contacts.add_contact(senco_session, pupil, {
        "name": "Ruth Bright", "relationship": "Mother", "parental_responsibility": True,
        "phone": "01632 960001"})
    window = record_window(qtbot, senco_session, pupil, "Contacts and consent")
    panel = window.contacts
    click_row(panel.contacts_table)
    form = open_form(qtbot, window, panel.findChild(QPushButton, "correct_contact"))
    return pupil, contact_id, window, form


def test_a_contact_corrected_on_another_pc_is_kept_under_mine(qtbot, senco_session, other_pc,
                                                              clock, engine):
    pupil, contact_id, window, form = correcting_a_contact(qtbot, senco_session)
    clock.advance(dt.timedelta(minutes=4))
    contacts.update_contact(other_pc, contact_id, {"phone": "01632 960999", "relationship": "Mum"})
    retype(form.form.widgets["phone"], "07700 900123")
    retype(form.form.widgets["email"], "ruth@example.org")
    press_save(form)
    dialog = refusal(qtbot, form)
    dialog.grab().save(f"/tmp/stale21-contact-{engine}.png")
    assert (dialog.exc.who, dialog.exc.when) == (OTHER_NAME, "on 23/11/2026 at 09:34")
    assert cells(dialog) == {"Relationship": (UNCHANGED, "Mum"),
                             "Phone": ("07700 900123", "01632 960999"),
                             "Email": ("ruth@example.org", "")}
    assert form.isVisible() and "Jo Jones changed the contact Ruth Bright" in form.message.text()
    held = contacts.list_contacts(senco_session, pupil)[0].details
    assert (held.phone, held.email) == ("01632 960999", None), "nothing written"
    click(dialog.keep)
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10_000)
    held = contacts.list_contacts(senco_session, pupil)[0].details
    assert (held.phone, held.email, held.relationship) == (
        "07700 900123", "ruth@example.org", "Mum")
    assert trail(senco_session, "contact", contact_id, "phone")[-2:] == [
        ("01632 960001", "01632 960999", OTHER_NAME),
        ("01632 960999", "07700 900123", "Meera Patel")]
    qtbot.waitUntil(lambda: window.contacts.contacts_table.item(0, 3).text() == "07700 900123")


def test_take_theirs_on_a_note_shows_their_note_in_the_form(qtbot, senco_session, other_pc,
                                                           clock, engine):
    pupil = add_pupil(senco_session)
    note_id = notes.add_note(senco_session, pupil, {
        "event_date": "20/11/2026", "concern": "Struggles to settle after lunch."})
    window = record_window(qtbot, senco_session, pupil, "Notes")
    panel = window.notes
    click_row(panel.notes_table)
    form = open_form(qtbot, window, panel.findChild(QPushButton, "amend_note"))
    clock.advance(dt.timedelta(minutes=6))
    notes.amend_note(other_pc, note_id, {"concern": "Upset after lunch most days."})
    actions = form.form.widgets["agreed_actions"]
    actions.setFocus()
    QTest.keyClicks(actions, "Quiet start in the library.")
    press_save(form)
    dialog = refusal(qtbot, form)
    dialog.grab().save(f"/tmp/stale21-note-{engine}.png")
    assert (dialog.exc.who, dialog.exc.when) == (OTHER_NAME, "on 23/11/2026 at 09:36")
    assert cells(dialog) == {
        "Concern": (UNCHANGED, "Upset after lunch most days."),
        "Agreed actions": ("Quiet start in the library.", "")}
    assert not notes.list_notes(senco_session, pupil)[0].agreed_actions, "nothing written"
    click(dialog.take)
    assert form.isVisible()
    assert form.form.widgets["concern"].toPlainText() == "Upset after lunch most days."
    assert actions.toPlainText() == ""
    assert form.message.text().startswith("Showing the version saved on the other PC.")
    # Typed again over theirs, the save goes through (it is now over the version shown).
    actions.setFocus()
    QTest.keyClicks(actions, "Quiet start.")
    press_save(form)
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10_000)
    note = notes.list_notes(senco_session, pupil)[0]
    assert (note.concern, note.agreed_actions) == ("Upset after lunch most days.", "Quiet start.")


def test_a_plan_draft_changed_on_another_pc_keeps_both(qtbot, senco_session, other_pc, clock,
                                                       engine):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, dt.date(2026, 11, 23))
    apdr.save_plan(senco_session, cycle, {"aspirations": "To read to her brother."})
    wizard = shown_wizard(qtbot, senco_session, cycle, Part.PLAN)
    page = wizard.plan
    clock.advance(dt.timedelta(minutes=12))
    apdr.save_plan(other_pc, cycle, {"aspirations": "To read stories to her brother.",
                                     "outcomes": [{
                                         "text": "Read 100 words", "area": "CL",
                                         "measure": "90 of 100 read correctly",
                                         "target_date": dt.date(2027, 2, 1)}]})
    retype(page.form.widgets["aspirations"], "To be a vet.")
    click(wizard.save_button)
    dialog = refusal(qtbot, page)
    dialog.grab().save(f"/tmp/stale21-plan-{engine}.png")
    assert (dialog.exc.who, dialog.exc.when) == (OTHER_NAME, "on 23/11/2026 at 09:42")
    assert cells(dialog) == {
        "Aspirations": ("To be a vet.", "To read stories to her brother."),
        "Outcomes": (UNCHANGED, "Read 100 words")}
    assert "Jo Jones changed the support plan draft" in page.message.text()
    wizard.autosave_now()   # the half-minute save waits for the choice: no second dialog
    assert [d for d in page.findChildren(StaleDialog) if d.isVisible()] == [dialog]
    assert apdr.get_cycle(senco_session, cycle).plan.aspirations == "To read stories to her brother."
    click(dialog.keep)
    qtbot.waitUntil(lambda: page.message.text() == "Draft saved.", timeout=10_000)
    plan = apdr.get_cycle(senco_session, cycle).plan
    assert plan.aspirations == "To be a vet."
    assert [o.text for o in plan.outcomes] == ["Read 100 words"], "their outcome is kept"
    assert [row["text"] for row in page.outcome_rows] == ["Read 100 words"]
    assert [was for was, _now, _by in trail(senco_session, "plan", plan.id, "aspirations")] == [
        "To read to her brother.", "To read stories to her brother."]
    assert not page.dirty


def test_keep_mine_adds_again_a_line_the_other_pc_removed(qtbot, senco_session, other_pc,
                                                          clock, engine):
    """This SENCO corrects an outcome the other PC has meanwhile removed: keeping mine adds
    it again as a new line (the removed one stays in the database as removed), not an error."""
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, dt.date(2026, 11, 23))
    apdr.save_plan(senco_session, cycle, {"outcomes": [{
        "text": "Read 100 words", "area": "CL", "measure": "90 of 100 read correctly",
        "target_date": dt.date(2027, 2, 1)}]})
    removed_id = apdr.get_cycle(senco_session, cycle).plan.outcomes[0].id
    wizard = shown_wizard(qtbot, senco_session, cycle, Part.PLAN)
    page = wizard.plan
    clock.advance(dt.timedelta(minutes=3))
    apdr.save_plan(other_pc, cycle, {"outcomes": []})
    QApplication.processEvents()
    view = page.outcome_view
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(view.model().index(0, 1)).center())
    click(page.findChild(QPushButton, "edit_outcome"))
    editor = next(d for d in page.findChildren(FormDialog) if d.isVisible())
    retype(editor.form.widgets["text"], "Read 120 common words")
    press_save(editor)
    click(wizard.save_button)
    dialog = refusal(qtbot, page)
    assert cells(dialog)["Outcomes"] == ("Read 120 common words", "")
    click(dialog.keep)
    qtbot.waitUntil(lambda: page.message.text() == "Draft saved.", timeout=10_000)
    outcomes = apdr.get_cycle(senco_session, cycle).plan.outcomes
    assert [o.text for o in outcomes] == ["Read 120 common words"]
    assert outcomes[0].id != removed_id
    assert senco_session.db.scalar("SELECT removed_by FROM apdr_outcomes WHERE id = ?",
                                   (removed_id,)) is not None


def test_keep_mine_on_a_draft_keeps_the_outcome_the_other_pc_added(qtbot, senco_session,
                                                                   other_pc, clock, engine):
    """The reviewer's two PCs: this one removes outcome 3 and changes the aspirations; the
    other changes the aspirations and adds an outcome. Keep mine saves my aspirations and my
    removal, and keeps their new outcome (not removed under my name)."""
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, dt.date(2026, 11, 23))
    texts = ["Take turns", "Ask for help", "Line up calmly"]
    apdr.save_plan(senco_session, cycle, {
        "aspirations": "To have friends.", "plan_date": "23/11/2026", "review_date": "05/03/2027",
        "outcomes": [{"text": t, "measure": "4 of 5 sessions", "area": "SEMH",
                      "target_date": dt.date(2027, 2, 1)} for t in texts]})
    wizard = shown_wizard(qtbot, senco_session, cycle, Part.PLAN)
    page = wizard.plan
    clock.advance(dt.timedelta(minutes=2))
    held = apdr.get_cycle(other_pc, cycle).plan
    added = "Join in a small-group game at break"
    apdr.save_plan(other_pc, cycle, {"aspirations": "To have two friends.", "outcomes": [
        *[dict(o.fields(), id=o.id) for o in held.outcomes],
        {"text": added, "measure": "3 breaks a week", "area": "SEMH",
         "target_date": dt.date(2027, 2, 1)}]})
    QApplication.processEvents()
    view = page.outcome_view
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(view.model().index(2, 1)).center())
    click(page.findChild(QPushButton, "remove_outcome"))
    retype(page.form.widgets["aspirations"], "To have friends at break.")
    click(wizard.save_button)
    dialog = refusal(qtbot, page)
    dialog.grab().save(f"/tmp/fix21d-plan-merge-{engine}.png")
    assert set(cells(dialog)) == {"Aspirations", "Outcomes"}, "dates the same on both: not listed"
    assert_shown_whole(dialog)
    click(dialog.keep)
    qtbot.waitUntil(lambda: page.message.text() == "Draft saved.", timeout=10_000)
    plan = apdr.get_cycle(senco_session, cycle).plan
    assert plan.aspirations == "To have friends at break."
    assert [o.text for o in plan.outcomes] == ["Take turns", "Ask for help", added]
    assert [row["text"] for row in page.outcome_rows] == [o.text for o in plan.outcomes]
    removed = senco_session.db.query(
        "SELECT text FROM apdr_outcomes WHERE plan_id = ? AND removed_at IS NOT NULL", (plan.id,))
    assert [r["text"] for r in removed] == ["Line up calmly"]


def test_long_versions_of_a_note_are_shown_whole_and_wrapped(qtbot, senco_session, other_pc,
                                                             clock, engine):
    """The reviewer's note: both PCs amend the concern with a paragraph; at the old 560 px the
    other person's column was cut off and needed scrolling sideways."""
    pupil = add_pupil(senco_session)
    note_id = notes.add_note(senco_session, pupil, {
        "event_date": "20/11/2026", "concern": "Struggles to settle after lunch."})
    window = record_window(qtbot, senco_session, pupil, "Notes")
    panel = window.notes
    click_row(panel.notes_table)
    form = open_form(qtbot, window, panel.findChild(QPushButton, "amend_note"))
    clock.advance(dt.timedelta(minutes=6))
    theirs = ("Upset after lunch most days; mum says she is tired after swimming on Tuesdays "
              "and Thursdays, and the midday supervisors see her alone on the field.")
    notes.amend_note(other_pc, note_id, {"concern": theirs})
    mine = ("Struggles to settle after lunch and after PE; a quiet start in the library with "
            "a reading buddy helped on three of the four days we tried it this week.")
    retype(form.form.widgets["concern"], mine)
    press_save(form)
    dialog = refusal(qtbot, form)
    dialog.grab().save(f"/tmp/fix21d-note-long-{engine}.png")
    assert cells(dialog) == {"Concern": (mine, theirs)}
    assert_shown_whole(dialog)
    assert dialog.same.isVisible() and dialog.same.text() == "4 other fields are the same in both."


def openings(session, pupil: int) -> dict[str, int]:
    """How many times the audit log says each person opened this pupil's record."""
    rows = session.db.query(
        "SELECT username, count(*) AS n FROM audit_log WHERE action = 'opened a pupil record'"
        " AND target_type = 'pupil' AND target_id = ? GROUP BY username", (str(pupil),))
    return {row["username"]: int(row["n"]) for row in rows}


def test_a_refresh_after_a_save_is_not_audited_as_an_opening(qtbot, senco_session, other_pc,
                                                             clock, engine):
    """Two people have one record open; one saves a change. Both windows read the record
    again (the saver's own, and the other's from the data version, asked every 3 seconds,
    or the server's NOTIFY),
    but each person opened it once, and the audit log says so once."""
    from sendesk.ui.outside_changes import OutsideChanges
    from sendesk.ui.server_changes import ServerChanges

    pupil = add_pupil(senco_session)
    mine = record_window(qtbot, senco_session, pupil, "Profile")
    theirs = record_window(qtbot, other_pc, pupil, "Profile")
    watch = ServerChanges if senco_session.on_server else OutsideChanges
    watcher = watch(mine.runner, mine)
    if senco_session.on_server:
        qtbot.waitUntil(watcher.listening.is_set, timeout=10_000)
    else:
        qtbot.waitUntil(lambda: watcher.seen is not None, timeout=10_000)
    assert openings(senco_session, pupil) == {"mpatel": 1, OTHER: 1}
    retype(theirs.profile_form.widgets["class_name"], "5 Oak")
    click(theirs.save_profile_button)
    qtbot.waitUntil(lambda: theirs.record.pupil.details.class_name == "5 Oak", timeout=10_000)
    qtbot.waitUntil(lambda: mine.record.pupil.details.class_name == "5 Oak", timeout=10_000)
    assert "5 Oak" in mine.header.text()
    assert openings(senco_session, pupil) == {"mpatel": 1, OTHER: 1}
    if senco_session.on_server:
        watcher.stop()


def test_a_contact_ended_on_another_pc_says_who_ended_it(qtbot, senco_session, other_pc, clock,
                                                        engine):
    pupil, contact_id, window, form = correcting_a_contact(qtbot, senco_session)
    clock.advance(dt.timedelta(minutes=9))
    contacts.end_contact(other_pc, contact_id, "20/11/2026")
    retype(form.form.widgets["phone"], "07700 900123")
    press_save(form)
    qtbot.waitUntil(lambda: "ended the contact" in form.message.text(), timeout=10_000)
    assert form.message.text().startswith(
        f"{OTHER_NAME} ended the contact Ruth Bright on 23/11/2026 at 09:39, after you opened it")
    QApplication.processEvents()
    form.grab().save(f"/tmp/fix21d-contact-ended-{engine}.png")
    message = form.message
    assert message.height() >= message.heightForWidth(message.width()), "the refusal shown whole"
    assert form.isVisible() and form.form.widgets["phone"].text() == "07700 900123"
    assert contacts.list_contacts(senco_session, pupil, include_ended=True)[0].details.phone == \
        "01632 960001"
