"""The provision library's form reports every fault of a Save at once, in the order of its
fields from top to bottom (a name already taken in the name's place, the hourly cost after the
weeks, not first), outlines each faulty field and puts the cursor in the first of them."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from tests.gui.test_provision_library_ui import click, library_window, type_into

pytestmark = pytest.mark.both_engines


def _faulty(window) -> list[str]:
    return [key for key, widget in window.form.widgets.items() if "border" in widget.styleSheet()]


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
