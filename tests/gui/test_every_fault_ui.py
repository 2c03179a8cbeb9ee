"""The entry and exit measure form and a group's weekly time form say every fault of a Save at
once, top to bottom as the form reads, and outline each faulty field (they said only the first,
so a SENCO fixing a measure saved up to four times to find each fault in turn)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from tests.apdr_support import sen_support_pupil
from tests.groups_support import make_group
from tests.gui.test_groups_ui import _type, dialog_of, open_measure_form, save

from sendesk.records import measures, provision_groups
from sendesk.ui.fault_outline import has_fault
from sendesk.ui.forms import FormDialog
from sendesk.ui.groups_window import GroupsPage

LEFT = Qt.MouseButton.LeftButton


def _page(qtbot, session) -> tuple[GroupsPage, int, int]:
    pupil = sen_support_pupil(session, surname="Adeyemi", forename="Temi")
    group_id = make_group(session, end_date="")
    provision_groups.add_member(session, group_id, pupil, "02/11/2026")
    page = GroupsPage(session)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page, group_id, pupil


def _all_in_sight(form: FormDialog) -> bool:
    """The message is as tall as its lines need: none hidden below the two kept for it."""
    QApplication.processEvents()
    return form.message.height() >= form.message.heightForWidth(form.message.width())


def _outlined(form: FormDialog) -> list[str]:
    return [key for key, widget in form.form.widgets.items() if has_fault(widget)]


def test_the_measure_form_says_every_fault_at_once(qtbot, senco_session):
    page, group_id, pupil = _page(qtbot, senco_session)
    _, form = open_measure_form(page)
    _type(form.form.widgets["name"], "Salford reading age")
    form.form.widgets["kind"].setFocus()
    QTest.keyClicks(form.form.widgets["kind"], "Reading age")
    _type(form.form.widgets["entry_value"], "seven")
    _type(form.form.widgets["entry_date"], "01/01/1900")
    _type(form.form.widgets["exit_value"], "7y 8m")          # and no exit date
    save(form)
    lines = form.message.text().split("\n")
    assert len(lines) == 3, lines
    assert lines[0].startswith("Entry value 'seven' is not an age")
    assert "cannot be before the pupil's date of birth" in lines[1]
    assert lines[2] == "Give the date the exit value was taken."
    assert _outlined(form) == ["entry_value", "entry_date", "exit_date"]
    assert _all_in_sight(form)
    form.grab().save("/tmp/minor19-measure-faults.png")
    assert measures.measures_for_group(senco_session, group_id, pupil) == []

    # Put right, the one Save goes through and the outlines are gone.
    _type(form.form.widgets["entry_value"], "7y 4m")
    _type(form.form.widgets["entry_date"], "02/11/2026")
    _type(form.form.widgets["exit_date"], "23/11/2026")
    save(form)
    assert not form.isVisible(), form.message.text()
    assert _outlined(form) == []


def test_a_date_that_cannot_be_read_is_said_with_the_measure_forms_other_faults(
        qtbot, senco_session):
    """A mistyped date hid every other fault of the Save: the dates were checked first and the
    rest only once they read, so the SENCO put the form right in two rounds. Each fault names
    its field as labelled ("Exit taken on", which a fault called "Exit date")."""
    page, group_id, pupil = _page(qtbot, senco_session)
    _, form = open_measure_form(page)
    _type(form.form.widgets["name"], "Salford reading age")
    _type(form.form.widgets["entry_value"], "lots")
    _type(form.form.widgets["entry_date"], "31/02/2026")
    _type(form.form.widgets["exit_value"], "-")
    _type(form.form.widgets["exit_date"], "99/99/9999")
    QTest.keyClick(form.form.widgets["exit_date"], Qt.Key.Key_Return)
    lines = form.message.text().split("\n")
    assert len(lines) == 4, lines
    assert lines[0].startswith("Entry value 'lots' is not")
    assert lines[1].startswith("Entry taken on '31/02/2026' is not a real date")
    assert lines[2].startswith("Exit value '-' is not")
    assert lines[3].startswith("Exit taken on '99/99/9999'")
    assert _outlined(form) == ["entry_value", "entry_date", "exit_value", "exit_date"]
    assert form.focusWidget() is form.form.widgets["entry_value"]
    assert _all_in_sight(form)
    form.grab().save("/tmp/fix24-measure-dates-and-values.png")
    assert measures.measures_for_group(senco_session, group_id, pupil) == []

    # The dates put right, the values still wrong, and an exit before the entry: the one Save
    # says all of it, the exit's date by its label.
    _type(form.form.widgets["entry_date"], "02/11/2026")
    _type(form.form.widgets["exit_date"], "01/11/2026")
    QTest.keyClick(form.form.widgets["exit_date"], Qt.Key.Key_Return)
    lines = form.message.text().split("\n")
    assert len(lines) == 3, lines
    assert lines[2] == ("Exit taken on (01/11/2026) cannot be before the entry date "
                        "(02/11/2026)."), lines
    assert _outlined(form) == ["entry_value", "exit_value", "exit_date"]
    assert measures.measures_for_group(senco_session, group_id, pupil) == []


def test_the_weekly_time_form_says_every_fault_at_once(qtbot, senco_session):
    page, group_id, _pupil = _page(qtbot, senco_session)
    QTest.mouseClick(page.add_slot_button, LEFT)
    slot = dialog_of(FormDialog)
    QTest.keyClicks(slot.form.widgets["start_time"], "nine")
    QTest.keyClicks(slot.form.widgets["end_time"], "half ten")
    QTest.keyClicks(slot.form.widgets["place"], "R" * 101)
    save(slot)
    assert slot.message.text().split("\n") == [
        "From 'nine' is not a time; write it like 09:05 or 13:30.",
        "To 'half ten' is not a time; write it like 09:05 or 13:30.",
        "Place is too long (at most 100 characters)."], slot.message.text()
    assert _outlined(slot) == ["start_time", "end_time", "place"]
    assert _all_in_sight(slot)
    slot.grab().save("/tmp/minor19-slot-faults.png")
    assert provision_groups.get_group(senco_session, group_id).slots == ()
