"""The provision library's form reports every fault of a Save at once, in the order of its
fields from top to bottom (a name already taken in the name's place, the hourly cost after the
weeks, not first), outlines each faulty field and puts the cursor in the first of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from tests.gui.test_provision_library_ui import click, exported_table, library_window, type_into

from sendesk.ui.fault_outline import has_fault

pytestmark = pytest.mark.both_engines


def _faulty(window) -> list[str]:
    return [key for key, widget in window.form.widgets.items() if has_fault(widget)]


def test_faults_come_in_the_forms_order_and_the_cursor_goes_to_the_first(qtbot, senco_session):
    window = library_window(qtbot, senco_session)
    window.resize(1100, 680)
    click(window.new_button)
    form = window.form.widgets
    for key, text in (("hourly_cost", "lots"), ("minutes", "forty"), ("group_size", "0"),
                      ("sessions_per_week", "3")):
        type_into(form[key], text)
    click(window.save_button)
    lines = window.message.text().split("\n")
    assert [line.split(" ")[0] for line in lines] == ["Name", "Choose", "Group", "Minutes",
                                                      "Hourly"], lines
    assert lines[0] == "Name is required." and lines[1] == "Choose the area of need."
    assert _faulty(window) == ["name", "area", "group_size", "minutes", "hourly_cost"]
    assert QApplication.focusWidget() is form["name"]
    qtbot.wait(50)
    window.grab().save("/tmp/ux19-library-faults.png")

    # A name another intervention has is the name's fault, reported before the minutes'.
    type_into(form["name"], "mentoring")
    type_into(form["group_size"], "1")
    type_into(form["hourly_cost"], "18")
    window.form.set_values({"area": "SEMH"})
    click(window.save_button)
    lines = window.message.text().split("\n")
    assert lines == ["The library already has 'Mentoring'; give this one another name, or edit "
                     "that one.", "Minutes a session must be a whole number from 1 to 480."]
    assert _faulty(window) == ["name", "minutes"]
    assert QApplication.focusWidget() is form["name"]

    # Only a later field wrong: the cursor goes there, the rest unmarked.
    type_into(form["name"], "Lunchtime club")
    click(window.save_button)
    assert _faulty(window) == ["minutes"]
    assert QApplication.focusWidget() is form["minutes"]
    type_into(form["minutes"], "30")
    click(window.save_button)
    assert window.message.text() == "Added Lunchtime club to the library."
    assert _faulty(window) == []


def test_a_saves_answer_is_in_view_on_a_short_screen(qtbot, senco_session):
    """On a 768-pixel laptop the form scrolls; what a Save says sits beside the buttons, so
    "Added ..." (or its faults) is seen wherever the form is scrolled to."""
    window = library_window(qtbot, senco_session)
    window.resize(1000, 460)
    click(window.new_button)
    form = window.form.widgets
    type_into(form["name"], "Spelling club")
    window.form.set_values({"area": "SEMH"})
    type_into(form["minutes"], "30")
    type_into(form["sessions_per_week"], "2")
    type_into(form["hourly_cost"], "18")
    bar = window.details.verticalScrollBar()
    assert bar.maximum() > 0, "the form must scroll at this size for the test to mean anything"
    bar.setValue(0)
    click(window.save_button)
    qtbot.wait(50)
    assert window.message.text() == "Added Spelling club to the library."
    shown = window.message.visibleRegion().boundingRect()
    assert shown.height() >= window.message.fontMetrics().height(), "the answer is out of view"
    window.grab().save("/tmp/ux22-library-short.png")


def test_enter_in_a_field_saves_what_was_typed(qtbot, senco_session):
    """Enter in the form is Save: it used to press New (the dialog's first button) and empty
    every field without a word. A fresh form leaves no fault list from the last Save behind."""
    window = library_window(qtbot, senco_session)
    click(window.new_button)
    form = window.form.widgets
    type_into(form["name"], "Touch typing club")
    QTest.keyClick(form["name"], Qt.Key.Key_Return)
    assert form["name"].text() == "Touch typing club", "Enter threw the typed form away"
    assert window.message.text().startswith("Choose the area of need."), window.message.text()
    window.form.set_values({"area": "SP"})
    for key, text in (("minutes", "20"), ("sessions_per_week", "3"), ("hourly_cost", "18")):
        type_into(form[key], text)
    form["name"].setFocus()
    QTest.keyClick(form["name"], Qt.Key.Key_Return)
    assert window.message.text() == "Added Touch typing club to the library."
    names = [item.name for item in window.model.rows()]
    assert "Touch typing club" in names
    click(window.new_button)
    assert window.message.text() == "" and form["name"].text() == ""


def test_the_librarys_files_are_chosen_from_documents_not_the_apps_folder(qtbot, senco_session, answers,
                                                                         tmp_path):
    """Import and Export open where a SENCO keeps her files (the exports folder), not the
    folder that holds the app's settings and the school's database."""
    from sendesk.settings import data_dir, export_dir
    window = library_window(qtbot, senco_session)
    exported_table(window, answers, tmp_path / "library.csv")
    answers.next_paths.append(None)
    click(window.import_button)
    assert len(answers.starts) == 2
    for start in answers.starts:
        assert Path(start).parent == export_dir() or Path(start) == export_dir(), start
        assert data_dir() not in (Path(start), Path(start).parent), start
