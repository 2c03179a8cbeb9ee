"""The Groups page as a SENCO uses it: a group made from the library by choosing the item,
pupils found by name and ticked, a weekly time (with the clash warning), a pupil leaving, the
group on the pupil's record with their share, and the timetables shown and saved as PDF."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton
from tests.apdr_support import sen_support_pupil
from tests.groups_support import make_group

from sendesk.records import provision_groups
from sendesk.ui.forms import FormDialog
from sendesk.ui.groups_window import AddPupilsDialog, GroupsPage
from sendesk.ui.plan_tab import PlanTab
from sendesk.ui.timetable_window import TimetableWindow

LEFT = Qt.MouseButton.LeftButton


def dialog_of(kind):
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible())


def save(dialog) -> None:
    QTest.mouseClick(dialog.findChild(QDialogButtonBox).button(
        QDialogButtonBox.StandardButton.Save), LEFT)


def _library_item(session) -> int:
    return session.db.scalar(
        "INSERT INTO provision_library (name, name_key, area, description, staff_role,"
        " sessions_per_week, minutes, weeks, hourly_cost, created_at) VALUES ('Brambleton talk group',"
        " 'brambleton talk group', 'CI', 'A language group for four pupils', 'Teaching assistant', 3, 40, 10,"
        " 18.5, '2026-11-01') RETURNING id")


def test_a_group_from_the_library_with_pupils_a_time_and_a_leaver(qtbot, answers, senco_session):
    session = senco_session
    library_id = _library_item(session)
    a = sen_support_pupil(session, surname="Adeyemi", forename="Temi")
    b = sen_support_pupil(session, surname="Brown", forename="Leo")
    other = make_group(session, name="Number sense", staff_name="Mr Jones", end_date="")
    provision_groups.add_member(session, other, a, "02/11/2026")
    provision_groups.add_slot(session, other, {"day": 2, "start_time": "10:30",
                                               "end_time": "11:00"})
    page = GroupsPage(session)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()

    QTest.mouseClick(page.new_button, LEFT)
    dialog = dialog_of(FormDialog)
    combo = dialog.form.widgets["library_id"]
    combo.setFocus()
    QTest.keyClicks(combo, "Brambleton")                   # type to choose the item
    assert combo.currentData() == library_id
    assert dialog.form.widgets["name"].text() == "Brambleton talk group"
    assert dialog.form.widgets["cost_total"].text() == "370.00"
    # The area by its name, as the plan's provision dialog says it, not its code
    area = dialog.form.widgets["area"]
    assert area.currentText() == "Communication and interaction" and area.currentData() == "CI"
    QTest.keyClicks(dialog.form.widgets["staff_name"], "Mrs Khan")
    save(dialog)
    assert not dialog.isVisible()
    talk = next(g for g in page.groups if g.name == "Brambleton talk group")
    page.table.selectRow(page.groups.index(talk))

    QTest.mouseClick(page.add_button, LEFT)
    adding = dialog_of(AddPupilsDialog)
    QTest.keyClicks(adding.search, "adey")
    assert adding.results.count() == 1
    adding.results.setFocus()
    QTest.keyClick(adding.results, Qt.Key.Key_Space)        # tick Temi
    adding.search.clear()
    QTest.keyClicks(adding.search, "brown")
    adding.results.setFocus()
    QTest.keyClick(adding.results, Qt.Key.Key_Space)        # and Leo: Temi stays ticked
    assert adding.ticked() == [a, b] and adding.count.text() == "2 pupils ticked."
    QTest.mouseClick(adding.add_button, LEFT)
    assert not adding.isVisible()
    assert [m.pupil_id for m in page.current().members] == [a, b]

    QTest.mouseClick(page.add_slot_button, LEFT)
    slot = dialog_of(FormDialog)
    slot.form.widgets["day"].setCurrentIndex(1)             # Tuesday
    QTest.keyClicks(slot.form.widgets["start_time"], "10:45")
    QTest.keyClicks(slot.form.widgets["end_time"], "11:15")
    QTest.keyClicks(slot.form.widgets["place"], "Library")
    save(slot)
    assert ("confirm", "Timetable clash", "Number sense also meets Tuesday 10:30-11:00: "
            "Adeyemi, Temi is in both.\n\nAdd this time anyway?") in answers.messages
    assert [s.text for s in page.current().slots] == ["Tuesday 10:45-11:15, Library"]
    page.grab().save("/tmp/prov-groups-page.png")

    page.members.selectRow(1)
    QTest.mouseClick(page.leave_button, LEFT)
    leaving = dialog_of(FormDialog)
    save(leaving)
    left = [m for m in page.current().members if m.pupil_id == b]
    assert left[0].left_on == session.clock.today()


def test_the_pupils_record_shows_their_groups_share_and_timetable(qtbot, answers, senco_session,
                                                                  tmp_path):
    session = senco_session
    a = sen_support_pupil(session, surname="Adeyemi", forename="Temi")
    b = sen_support_pupil(session, surname="Brown", forename="Leo")
    group_id = make_group(session)
    provision_groups.add_members(session, group_id, [a, b], "02/11/2026")
    provision_groups.add_slot(session, group_id, {"day": 1, "start_time": "09:00",
                                                  "end_time": "09:30", "place": "Room 4"})
    # One still to begin is listed with its day and counted in no total, as on the maps.
    spring = make_group(session, name="Spring talk group", start_date="11/01/2027", end_date="")
    provision_groups.add_members(session, spring, [a], "11/01/2027")
    tab = PlanTab(session, a)
    qtbot.addWidget(tab)
    tab.resize(1100, 600)
    tab.show()
    assert "Year 4 phonics group" in tab.groups.text() and "share £200.00 of £400.00" in \
        tab.groups.text()
    assert "Spring talk group (run by Mrs Khan; no times set; begins 11/01/2027): not counted " \
        "until it does" in tab.groups.text()
    assert "Share of group costs: £200.00." in tab.groups.text()
    QTest.mouseClick(tab.findChild(QPushButton, "pupil_timetable"), LEFT)
    window = dialog_of(TimetableWindow)
    qtbot.waitUntil(lambda: bool(window.panel.documents))
    assert "With Mrs Khan" in window.panel.documents[0].text()
    window.grab().save("/tmp/prov-groups-timetable.png")
    tab.grab().save("/tmp/prov-groups-plan-tab.png")
    out = tmp_path / "week.pdf"
    answers.next_paths = [out]
    QTest.mouseClick(window.panel.save_button, LEFT)
    assert out.read_bytes().startswith(b"%PDF")
    window.close()


def test_staff_see_groups_but_the_buttons_say_why_not(qtbot, senco_session, staff_session):
    make_group(senco_session)
    page = GroupsPage(staff_session)
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 1
    assert not page.new_button.isEnabled() and page.new_button.toolTip()
    assert not page.add_button.isEnabled()
    assert page.timetable_button.isEnabled()


def open_measure_form(page: GroupsPage):
    """The first member's entry and exit measures, and a new measure's form on them, opened
    with clicks as a SENCO opens them: (the measures dialog, the form)."""
    from sendesk.ui.apdr.measures_dialog import MeasuresDialog
    QTest.mouseClick(page.members.viewport(), LEFT, pos=page.members.visualRect(
        page.member_model.index(0, 0)).center())
    QTest.mouseClick(page.measures_button, LEFT)
    dialog = dialog_of(MeasuresDialog)
    QTest.mouseClick(dialog.add_button, LEFT)
    return dialog, dialog_of(FormDialog)


def _type(widget, text) -> None:
    widget.setFocus()
    if hasattr(widget, "lineEdit") and widget.lineEdit() is not None:
        widget.lineEdit().selectAll()
        QTest.keyClicks(widget.lineEdit(), text)
        return
    widget.selectAll()
    QTest.keyClicks(widget, text)


def test_a_members_entry_and_exit_are_recorded_on_the_groups_page(qtbot, senco_session):
    from sendesk.records import measures
    session = senco_session
    a = sen_support_pupil(session, surname="Adeyemi", forename="Temi")
    b = sen_support_pupil(session, surname="Brown", forename="Leo")
    group_id = make_group(session, end_date="")       # from 02/11/2026, four weeks planned
    provision_groups.add_members(session, group_id, [a, b], "02/11/2026")
    provision_groups.member_leaves(session, provision_groups.get_group(
        session, group_id).members[1].id, "13/11/2026")
    provision_groups.add_member(session, group_id, sen_support_pupil(session, surname="Cole"),
                                "30/11/2026")        # joins next week: not there today
    page = GroupsPage(session)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    # One count of pupils today, in the list and in the summary.
    assert page.model.index(0, 4).data() == "1"
    assert "(1 pupil today)" in page.summary.text()

    dialog, form = open_measure_form(page)
    assert "Adeyemi, Temi in Year 4 phonics group" in dialog.windowTitle()
    _type(form.form.widgets["name"], "Salford reading age")
    form.form.widgets["kind"].setFocus()
    QTest.keyClicks(form.form.widgets["kind"], "Reading age")
    _type(form.form.widgets["entry_value"], "7y 4m")
    _type(form.form.widgets["entry_date"], "01/01/1900")
    save(form)
    assert "cannot be before the pupil's date of birth" in form.message.text()
    _type(form.form.widgets["entry_date"], "02/11/2026")
    _type(form.form.widgets["exit_value"], "7y 8m")
    _type(form.form.widgets["exit_date"], "23/11/2026")
    save(form)
    assert not form.isVisible(), form.message.text()
    assert dialog.model.index(0, 6).data() == "+4 months in 3 weeks"
    [stored] = measures.measures_for_group(session, group_id, a)
    assert (stored.group_id, stored.item_id, stored.pupil_id) == (group_id, None, a)
    QTest.mouseClick(dialog.findChild(QPushButton, "close"), LEFT)
    assert page.member_model.index(0, 5).data() == \
        "Salford reading age: +4 months in 3 weeks"
    page.grab().save("/tmp/fix-a-groups-measures.png")


def test_a_pupil_joining_after_the_costed_weeks_is_shown_paying_nothing(qtbot, senco_session,
                                                                        clock):
    session = senco_session
    a = sen_support_pupil(session, surname="Adeyemi", forename="Temi")
    late = sen_support_pupil(session, surname="Brown", forename="Leo")
    group_id = make_group(session, end_date="", start_date="05/10/2026", weeks="2")
    provision_groups.add_member(session, group_id, a, "05/10/2026")
    provision_groups.add_member(session, group_id, late, "16/11/2026")
    page = GroupsPage(session)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    assert "Brown, Leo</b> joined after the costed 2 weeks and shares none" in \
        page.summary.text()
    assert page.member_model.index(1, 4).data() == "none: joined late"
    assert "joined after that" in page.member_model.index(1, 4).data(Qt.ItemDataRole.ToolTipRole)
    assert page.member_model.index(0, 4).data() == "£400.00"
    page.grab().save("/tmp/fix-a-groups-late.png")


def test_the_kind_of_measure_follows_the_measure_chosen(qtbot, senco_session):
    """A group made from the library's Phonics catch-up group offers its measures: the
    phonics screening check is scored out of 40 on the school's own scale, so 18 is saved,
    not refused as a standardised score outside 40 to 160; choosing the standardised score
    instead switches the kind."""
    from tests.impact_support import library_item

    from sendesk.records import measures
    session = senco_session
    a = sen_support_pupil(session, surname="Adeyemi", forename="Temi")
    group_id = make_group(session, library_id=library_item(session, "Phonics catch-up group"))
    provision_groups.add_member(session, group_id, a, "02/11/2026")
    page = GroupsPage(session)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    dialog, form = open_measure_form(page)
    name, kind = form.form.widgets["name"], form.form.widgets["kind"]
    assert name.currentText() == "Phonics screening check score"
    assert kind.currentText() == "School's own scale"
    _type(name, "Single-word reading standardised score")    # the library's other measure
    assert kind.currentText() == "Standardised score"
    _type(name, "Phonics screening check score")
    assert kind.currentText() == "School's own scale"
    _type(form.form.widgets["entry_value"], "18")
    _type(form.form.widgets["entry_date"], "02/11/2026")
    form.grab().save("/tmp/fix19c-measure-form.png")
    save(form)
    assert not form.isVisible(), form.message.text()
    [stored] = measures.measures_for_group(session, group_id, a)
    assert (stored.name, stored.kind.value, stored.entry_value) == \
        ("Phonics screening check score", "school_scale", 18)


def test_enter_in_the_week_box_shows_that_week_and_each_save_is_named_for_whose(
        qtbot, answers, senco_session, tmp_path):
    """Enter after typing a week shows it (it used to press Save as PDF and open a file dialog
    for whatever was typed); a date that is not one, or a century ago, is said and nothing is
    saved; each member of staff's week is offered a file name of its own."""
    session = senco_session
    a = sen_support_pupil(session, surname="Adeyemi", forename="Temi")
    group_id = make_group(session, staff_name="Mr Jones", end_date="")
    provision_groups.add_member(session, group_id, a, "02/11/2026")
    provision_groups.add_slot(session, group_id, {"day": 1, "start_time": "09:00",
                                                  "end_time": "09:30", "place": "Room 4"})
    window = TimetableWindow(session, staff_name="Mr Jones")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: bool(window.panel.documents))
    for typed in ("31/02/2027", "01/01/1900"):
        _type(window.week, typed)
        QTest.keyClick(window.week, Qt.Key.Key_Return)
        qtbot.wait(50)
        assert window.panel.message.isVisible() and window.panel.message.text(), typed
    _type(window.week, "30/12/2026")
    QTest.keyClick(window.week, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "28/12/2026" in window.panel.documents[0].text())
    assert "school closed" in window.panel.documents[0].text()
    assert answers.starts == [], "Enter opened a file dialog"
    out = tmp_path / "staff.pdf"
    answers.next_paths = [out]
    QTest.mouseClick(window.panel.save_button, LEFT)
    assert out.read_bytes().startswith(b"%PDF")
    assert answers.starts and "Mr Jones" in answers.starts[0] and "28-12-2026" in answers.starts[0]
    window.grab().save("/tmp/ux22-staff-timetable-christmas.png")


def test_in_the_main_windows_width_the_groups_names_and_scores_are_in_view(qtbot, senco_session):
    """At 1013 pixels (the main window on a laptop) the chosen group goes under the list:
    beside it the names were cut to "N... br..." and the entry and exit scores scrolled away."""
    session = senco_session
    a = sen_support_pupil(session, surname="Adeyemi", forename="Temi")
    group = make_group(session, name="Nurture breakfast group", end_date="")
    provision_groups.add_member(session, group, a, "02/11/2026")
    page = GroupsPage(session)
    qtbot.addWidget(page)
    page.resize(1013, 700)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.table.selectRow(0)
    assert page.splitter.orientation() == Qt.Orientation.Vertical
    name_width = page.table.fontMetrics().horizontalAdvance("Nurture breakfast group")
    assert page.table.columnWidth(0) > name_width
    last = page.member_model.columnCount() - 1
    header = page.members.horizontalHeader()
    assert header.sectionViewportPosition(last) + 40 < page.members.viewport().width()
    page.resize(1300, 700)
    qtbot.waitUntil(lambda: page.splitter.orientation() == Qt.Orientation.Horizontal)
