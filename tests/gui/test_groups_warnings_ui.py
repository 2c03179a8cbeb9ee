"""The Groups page warns before it saves, in plain words, and saves when the SENCO says so: a
group starting on a Saturday, a pupil joining or leaving on a day the school is closed, a time
in a room another group has then, a member of staff put in two groups at once, and more weekly
times than the sessions a week (said on the group's summary too). Answering no keeps the form
open with the warning in it; nothing is refused."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from tests.apdr_support import sen_support_pupil
from tests.groups_support import make_group

from sendesk.records import provision_groups
from sendesk.ui.fault_outline import has_fault
from sendesk.ui.forms import FormDialog
from sendesk.ui.groups_window import AddPupilsDialog, GroupsPage

pytestmark = pytest.mark.both_engines
LEFT = Qt.MouseButton.LeftButton
MONDAY = {"day": 1, "start_time": "09:00", "end_time": "09:30"}


def dialog_of(kind):
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible())


def save(dialog) -> None:
    QTest.mouseClick(dialog.findChild(QDialogButtonBox).button(
        QDialogButtonBox.StandardButton.Save), LEFT)


def retype(widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    QTest.keyClicks(widget, text)


def _page(qtbot, session) -> GroupsPage:
    page = GroupsPage(session)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    return page


def _choose(page, name: str) -> None:
    page.table.selectRow(next(n for n, g in enumerate(page.groups) if g.name == name))


def _tick_to_add(page, search: str) -> AddPupilsDialog:
    """Add pupils... on the chosen group, the pupil found by `search` ticked with Space."""
    QTest.mouseClick(page.add_button, LEFT)
    adding = dialog_of(AddPupilsDialog)
    QTest.keyClicks(adding.search, search)
    adding.results.setFocus()
    QTest.keyClick(adding.results, Qt.Key.Key_Space)
    return adding


def test_a_group_starting_on_a_saturday_is_asked_about_and_saved_when_meant(qtbot, answers,
                                                                           senco_session):
    page = _page(qtbot, senco_session)
    QTest.mouseClick(page.new_button, LEFT)
    dialog = dialog_of(FormDialog)
    form = dialog.form.widgets
    QTest.keyClicks(form["name"], "Saturday club")
    QTest.keyClicks(form["staff_name"], "Mrs Khan")
    QTest.keyClicks(form["cost_total"], "300")
    retype(form["start_date"], "28/11/2026")
    answers.confirm_answer = False
    save(dialog)
    kind, title, text = answers.messages[-1]
    assert (kind, title) == ("confirm", "Check the group")
    assert text == ("The start date, Saturday 28/11/2026, is at the weekend: the school is closed "
                    "that day (the next school day is Monday 30/11/2026).\n\nSave it anyway?")
    assert dialog.isVisible() and dialog.message.text().startswith("Not saved. The start date")
    assert has_fault(form["start_date"])
    dialog.grab().save("/tmp/ux19-group-saturday-warning.png")
    assert provision_groups.list_groups(senco_session) == []
    answers.confirm_answer = True
    save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert [g.name for g in page.groups] == ["Saturday club"]


def test_joining_and_leaving_on_a_closed_day_are_asked_about(qtbot, answers, senco_session):
    a = sen_support_pupil(senco_session, surname="Adeyemi", forename="Temi")
    make_group(senco_session)
    page = _page(qtbot, senco_session)
    _choose(page, "Year 4 phonics group")
    adding = _tick_to_add(page, "adey")
    retype(adding.joined, "07/11/2026")
    answers.confirm_answer = False
    QTest.mouseClick(adding.add_button, LEFT)
    assert answers.messages[-1][1:] == ("Check before adding", (
        "The joining date, Saturday 07/11/2026, is at the weekend: the school is closed that day "
        "(the next school day is Monday 09/11/2026).\n\nAdd them anyway?"))
    assert adding.isVisible() and adding.message.text().startswith("Not saved.")
    adding.grab().save("/tmp/ux19-group-joining-warning.png")
    answers.confirm_answer = True
    QTest.mouseClick(adding.add_button, LEFT)
    assert not adding.isVisible()
    assert [m.pupil_id for m in page.current().members] == [a]

    page.members.selectRow(0)
    QTest.mouseClick(page.leave_button, LEFT)
    leaving = dialog_of(FormDialog)
    retype(leaving.form.widgets["left_on"], "22/11/2026")
    save(leaving)
    assert answers.messages[-1][2].startswith(
        "The leaving date, Sunday 22/11/2026, is at the weekend: the school is closed that day "
        "(the last school day before it is Friday 20/11/2026).")
    assert not leaving.isVisible()
    assert page.current().members[0].left_on.isoformat() == "2026-11-22"


def test_a_room_in_use_too_many_times_and_a_busy_adult_are_asked_about(qtbot, answers,
                                                                      senco_session):
    maths = make_group(senco_session, name="Number sense", staff_name="Mr Jones")
    provision_groups.add_slot(senco_session, maths, {**MONDAY, "place": "Room 4"})
    phonics = make_group(senco_session)                        # three sessions a week
    for day in (2, 3, 4):
        provision_groups.add_slot(senco_session, phonics, {**MONDAY, "day": day})
    page = _page(qtbot, senco_session)
    _choose(page, "Year 4 phonics group")
    QTest.mouseClick(page.add_slot_button, LEFT)
    slot = dialog_of(FormDialog)
    QTest.keyClicks(slot.form.widgets["start_time"], "09:15")
    QTest.keyClicks(slot.form.widgets["end_time"], "09:45")
    QTest.keyClicks(slot.form.widgets["place"], "room 4")
    answers.confirm_answer = False
    save(slot)
    kind, title, text = answers.messages[-1]
    assert (kind, title) == ("confirm", "Timetable clash")
    assert text == ("Number sense also meets Monday 09:00-09:30: both use Room 4.\n"
                    "It is planned for 3 sessions a week, but its timetable has it meeting 4 "
                    "times a week: change the sessions a week, or the times.\n\n"
                    "Add this time anyway?")
    assert slot.isVisible() and slot.message.text() == (
        "Not added. Number sense also meets Monday 09:00-09:30: both use Room 4. "
        "(1 more warning: Save shows it.)")
    slot.grab().save("/tmp/ux19-group-slot-warning.png")
    answers.confirm_answer = True
    save(slot)
    assert not slot.isVisible()
    assert len(page.current().slots) == 4
    assert "Check the timetable:" in page.summary.text()
    page.grab().save("/tmp/ux19-groups-page-warnings.png")

    # Mr Jones takes the phonics group over: he would be in two groups on Monday morning.
    QTest.mouseClick(page.edit_button, LEFT)
    edit = dialog_of(FormDialog)
    retype(edit.form.widgets["staff_name"], "Mr Jones")
    save(edit)
    assert answers.messages[-1][1:] == ("Check the group", (
        "Number sense also meets Monday 09:00-09:30: Mr Jones runs both.\n\nSave it anyway?"))
    assert not edit.isVisible()
    assert page.current().staff_name == "Mr Jones"

    # Taking a time away says what it leaves.
    page.slots.selectRow(0)
    QTest.mouseClick(page.remove_slot_button, LEFT)
    assert answers.messages[-1][2].startswith("Stop meeting Monday 09:15-09:45, room 4?")
    assert len(page.current().slots) == 3
    assert "Check the timetable:" not in page.summary.text()


def test_pupils_years_apart_are_asked_about_by_name(qtbot, answers, senco_session):
    """Nursery children and a Year 9 ticked for a Year 4 group by a slip of the search are
    named with their years before they are added; answering no adds nobody."""
    a = sen_support_pupil(senco_session, surname="Adeyemi", forename="Temi")          # Year 4
    far = sen_support_pupil(senco_session, surname="Abbott", forename="Kofi", year_group="9")
    group = make_group(senco_session)
    provision_groups.add_member(senco_session, group, a, "02/11/2026")
    page = _page(qtbot, senco_session)
    _choose(page, "Year 4 phonics group")
    adding = _tick_to_add(page, "abbott")
    answers.confirm_answer = False
    QTest.mouseClick(adding.add_button, LEFT)
    assert answers.messages[-1][1:] == ("Check before adding", (
        "The group would have pupils from Year 4 to Year 9. Check these are the pupils you "
        "meant: Abbott, Kofi (Year 9).\n\nAdd them anyway?"))
    assert [m.pupil_id for m in page.current().members] == [a]
    answers.confirm_answer = True
    QTest.mouseClick(adding.add_button, LEFT)
    assert sorted(m.pupil_id for m in page.current().members) == sorted([a, far])
