"""Measures that improve as they fall (an SDQ difficulties score), through the window: the
library shows and takes "(lower is better)" on a measure's line and carries it to and from
its CSV file; the entry and exit form follows the school's answer for the name, fixes it for
an age, and asks before turning other pupils' gains round; and the impact page, its charts,
its CSV and its PDF show the fall as a positive gain, labelled so, with a cost per point."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.gui.test_impact_reports_ui import shown_page
from tests.gui.test_provision_library_ui import (
    _cycle,
    choose_row,
    click,
    exported_table,
    library_window,
    pick,
    rows,
    save,
    shown,
    type_into,
    wizard_at,
)
from tests.impact_support import measure, pupil_on_item
from tests.pdf_text import pages_text

from sendesk.models.apdr import Part
from sendesk.records import impact, measure_directions, measures, provision_library
from sendesk.ui.apdr.measures_dialog import MeasuresDialog
from sendesk.ui.fault_outline import has_fault
from sendesk.ui.forms import FormDialog

pytestmark = pytest.mark.both_engines
D = dt.date
SDQ = "SDQ total difficulties score"
ELSA = "Emotional literacy support (ELSA)"


def _item(session, name):
    return next(i for i in provision_library.list_items(session, True) if i.name == name)


def _measures_text(window) -> str:
    return window.form.widgets["measures"].toPlainText()


def test_the_library_shows_and_takes_lower_is_better_on_a_measures_line(qtbot, senco_session,
                                                                       answers, tmp_path):
    window = library_window(qtbot, senco_session)
    choose_row(window.table, rows(window).index(ELSA))
    # The suggested library marks the SDQ score; the form shows it on the measure's line.
    assert _measures_text(window) == f"Emotional literacy checklist score\n{SDQ} (lower is better)"
    click(window.new_button)
    form = window.form.widgets
    type_into(form["name"], "Behaviour support plan check-ins")
    pick(form["area"], "Social, emotional")
    for key, text in (("sessions_per_week", "2"), ("minutes", "15"), ("hourly_cost", "18")):
        type_into(form[key], text)
    form["measures"].setFocus()
    QTest.keyClicks(form["measures"], "Behaviour incidents a week (Lower is better)")
    QTest.keyClick(form["measures"], Qt.Key.Key_Return)
    QTest.keyClicks(form["measures"], "Reading age (lower is better)")
    click(window.save_button)
    # An age is never better lower: refused on the measures, nothing saved.
    assert "always better higher" in window.message.text()
    assert has_fault(form["measures"])
    form["measures"].setFocus()
    QTest.keyClick(form["measures"], Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    for _ in range(len(" (lower is better)")):
        QTest.keyClick(form["measures"], Qt.Key.Key_Backspace)
    click(window.save_button)
    assert window.message.text() == "Added Behaviour support plan check-ins to the library."
    added = _item(senco_session, "Behaviour support plan check-ins")
    assert added.measures == ("Behaviour incidents a week", "Reading age")
    assert added.lower_is_better == ("Behaviour incidents a week",)
    assert _measures_text(window) == "Behaviour incidents a week (lower is better)\nReading age"
    window.grab().save("/tmp/ux19-library-lower-is-better.png")

    # Unmarked on a line the item had: higher is better again, for the whole school.
    form["measures"].setFocus()
    form["measures"].selectAll()
    QTest.keyClicks(form["measures"], "Behaviour incidents a week")
    QTest.keyClick(form["measures"], Qt.Key.Key_Return)
    QTest.keyClicks(form["measures"], "Reading age")
    click(window.save_button)
    assert window.message.text() == "Saved."
    assert _item(senco_session, "Behaviour support plan check-ins").lower_is_better == ()

    # The CSV carries it in its own column; a file from before the column still imports.
    path = tmp_path / "library.csv"
    table = exported_table(window, answers, path)
    header = table[0]
    elsa = next(r for r in table if r[0] == ELSA)
    assert elsa[header.index("lower_is_better")] == SDQ
    assert elsa[header.index("measures")] == f"Emotional literacy checklist score; {SDQ}"
    checks = next(r for r in table if r[0] == "Behaviour support plan check-ins")
    checks[header.index("lower_is_better")] = "Behaviour incidents a week"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(table)
    answers.next_paths.append(path)
    click(window.import_button)
    assert answers.messages[-1][0] == "info", answers.messages[-1]
    assert _item(senco_session, "Behaviour support plan check-ins").lower_is_better == (
        "Behaviour incidents a week",)
    old = tmp_path / "old-library.csv"
    drop = header.index("lower_is_better")
    new_row = ["Anger management group", "SEMH", "", "", "", "", "4", "1", "40", "10", "20",
               "Anger incidents a week; Self-rating scale", "", ""]
    with open(old, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([c for n, c in enumerate(r) if n != drop]
                                     for r in [header, *table[1:], new_row])
    answers.next_paths.append(old)
    click(window.import_button)
    assert answers.messages[-1][0] == "info", answers.messages[-1]
    assert _item(senco_session, "Anger management group").lower_is_better == ()
    assert _item(senco_session, ELSA).lower_is_better == (SDQ,)     # kept: the file said nothing


def _sdq_line(session):
    """A pupil's plan line from the ELSA item, and the plan's provision dialog at Do."""
    cycle = _cycle(session)
    elsa = _item(session, ELSA)
    from tests.apdr_support import plan
    plan(session, cycle, D(2026, 11, 23), D(2027, 2, 12), items=[elsa.provision_line()])
    return cycle


def test_the_entry_and_exit_form_follows_the_schools_answer_and_asks_before_turning_it(
        qtbot, senco_session, answers):
    cycle = _sdq_line(senco_session)
    other, item = pupil_on_item(senco_session, "Other", _item(senco_session, ELSA).id)
    measure(senco_session, other, item_id=item, kind="school_scale", name=SDQ, entry=20,
            exit=15)
    wizard = wizard_at(qtbot, senco_session, cycle, Part.DO)
    choose_row(wizard.do.item_view, 0)
    click(wizard.do.measures_button)
    dialog = shown(MeasuresDialog, "measures_dialog")
    click(dialog.add_button)
    form = shown(FormDialog, "measure_form")
    widgets = form.form.widgets
    pick(widgets["name"], SDQ)
    assert widgets["kind"].currentData() == "school_scale"
    assert widgets["lower_is_better"].currentData() == "lower"
    pick(widgets["kind"], "Reading age")         # an age is only ever better higher
    assert widgets["lower_is_better"].currentData() == "higher"
    assert not widgets["lower_is_better"].isEnabled()
    pick(widgets["kind"], "School's own scale")
    assert widgets["lower_is_better"].isEnabled()
    pick(widgets["lower_is_better"], "Lower")
    type_into(widgets["entry_value"], "22")
    type_into(widgets["exit_value"], "15")
    type_into(widgets["exit_date"], "23/11/2026")
    form.grab().save("/tmp/ux19-measure-form-lower.png")
    save(form)
    assert not form.isVisible(), form.message.text()
    assert dialog.model.index(0, 0).data() == f"{SDQ} (lower is better)"
    assert dialog.model.index(0, 6).data() == "+7 points (lower is better)"
    dialog.grab().save("/tmp/ux19-measures-dialog-lower.png")

    # Turning it round asks first: the other pupil's gain turns with it.
    choose_row(dialog.view, 0)
    click(dialog.edit_button)
    form = shown(FormDialog, "measure_form")
    pick(form.form.widgets["lower_is_better"], "Higher")
    answers.confirm_answer = False
    save(form)
    kind, _title, text = answers.messages[-1]
    assert kind == "confirm" and "the 1 pupil measured by it" in text
    assert form.isVisible() and form.message.text().startswith("Not saved")
    assert measure_directions.school_directions(senco_session)[SDQ.casefold()] is True
    answers.confirm_answer = True
    save(form)
    assert not form.isVisible(), form.message.text()
    assert dialog.model.index(0, 6).data() == "-7 points"
    [theirs] = measures.measures_for_item(senco_session, item)
    assert theirs.gain == -5 and not theirs.lower_is_better


def _impact_school(session):
    elsa = _item(session, ELSA).id
    for n in range(6):
        pupil, item = pupil_on_item(session, f"Pupil{n}", elsa, achieved=n < 3)
        measure(session, pupil, item_id=item, kind="school_scale", name=SDQ, entry=20 + n,
                exit=14 + n)


def test_the_impact_page_and_its_exports_show_the_fall_as_a_gain(qtbot, senco_session, answers,
                                                                tmp_path):
    _impact_school(senco_session)
    page = shown_page(qtbot, senco_session, 1, (1366, 768))
    cell = [page.model.index(0, c).data() for c in range(page.model.columnCount())]
    assert cell[:2] == [ELSA, f"{SDQ} (lower is better)"]
    assert cell[5:8] == ["22.5", "16.5", "+6"]           # entry, exit, and the fall as a gain
    assert cell[12] and cell[12] != "not shown"           # a cost per point of gain
    chart = page.charts[0]
    assert f"{ELSA}: {SDQ} (lower is better)" in chart.accessibleDescription()
    page.grab().save("/tmp/ux19-impact-lower-is-better.png")

    out = tmp_path / "impact.csv"
    answers.next_paths = [out]
    QTest.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    [row] = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert (row["measure"], row["mean_entry"], row["mean_exit"], row["mean_gain"],
            row["better"]) == (SDQ, "22.5", "16.5", "6", "lower")
    assert float(row["cost_per_gain"]) > 0

    pdf = tmp_path / "impact.pdf"
    answers.next_paths = [pdf]
    QTest.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    text = " ".join(pages_text(pdf.read_bytes())).replace(" ", "")
    assert "(points;lowerisbetter)" in text and "+6" in text
    assert f"{ELSA}:{SDQ}(lowerisbetter)".replace(" ", "") in text
    (tmp_path / "keep").write_text("")
    import shutil
    shutil.copy(pdf, "/tmp/ux19-impact-lower-is-better.pdf")
    found = impact.impact_table(senco_session)
    assert found.lines[0].lower_is_better and found.lines[0].mean_gain == 6
