"""The provision library through the window: Tools > Provision library (the SENCO adds, edits,
retires, imports and exports; staff read), a plan's provision filled "From the library" with
every field still editable, an outcome naming the measure it is judged by, and a provision
line's entry and exit measures recorded and corrected with the gain shown."""

from __future__ import annotations

import csv
import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from tests.apdr_support import assess, plan, sen_support_pupil

from sendesk.models.apdr import Part
from sendesk.models.sen import areas
from sendesk.records import apdr, measures, provision_library
from sendesk.ui.apdr.measures_dialog import MeasuresDialog
from sendesk.ui.apdr.wizard import ApdrWizard
from sendesk.ui.fault_outline import has_fault
from sendesk.ui.forms import FormDialog
from sendesk.ui.main_window import MainWindow
from sendesk.ui.provision_library_window import ProvisionLibraryWindow
from sendesk.ui.runner import OpRunner

from .tour import without_names

D = dt.date
LEFT = Qt.MouseButton.LeftButton


def click(widget) -> None:
    QTest.mouseClick(widget, LEFT)


def type_into(widget, text: str) -> None:
    widget.setFocus()
    if hasattr(widget, "selectAll"):
        widget.selectAll()
    elif hasattr(widget, "lineEdit"):
        widget.lineEdit().selectAll()
    QTest.keyClicks(widget.lineEdit() if hasattr(widget, "lineEdit") and widget.lineEdit()
                    else widget, text)


def choose_row(view, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    QTest.mouseClick(view.viewport(), LEFT, pos=rect.center())


def pick(combo, label_start: str) -> None:
    """Choose an entry of a combo box with the keyboard, as a user would."""
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText().startswith(label_start):
            break
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText().startswith(label_start)


def save(dialog) -> None:
    click(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save))


def shown(kind, name: str):
    return next(w for w in QApplication.topLevelWidgets()
                if isinstance(w, kind) and w.objectName() == name and w.isVisible())


def exported_table(window: ProvisionLibraryWindow, answers, path) -> list[list[str]]:
    """The library exported through the window's own button (the save prompt answered with
    path), read back as CSV rows, header first."""
    answers.next_paths.append(path)
    click(window.export_button)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def library_window(qtbot, session) -> ProvisionLibraryWindow:
    window = ProvisionLibraryWindow(session, runner=OpRunner(session))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def rows(window) -> list[str]:
    return [window.model.index(r, 0).data() for r in range(window.model.rowCount())]


def test_the_tools_menu_opens_the_library(qtbot, senco_session):
    window = MainWindow(senco_session, runner=OpRunner(senco_session))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    bar = window.menuBar()
    QTest.mouseClick(bar, LEFT, pos=bar.actionGeometry(window.tools_menu.menuAction()).center())
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is window.tools_menu)
    QTest.keyClick(window.tools_menu, Qt.Key.Key_L)      # Provision &library...
    opened = shown(ProvisionLibraryWindow, "provision_library_window")
    assert "Phonics catch-up group" in rows(opened)
    # Every widget Tab reaches says what it is (the details' scroll area said nothing).
    assert without_names(opened) == []
    opened.close()


def test_the_senco_adds_edits_and_retires_an_intervention(qtbot, senco_session, answers):
    window = library_window(qtbot, senco_session)
    click(window.new_button)
    form = window.form.widgets
    type_into(form["name"], "Lego-based social group")
    pick(form["area"], "Communication")
    for key, text in (("staff_role", "Teaching assistant"), ("group_size", "3"),
                      ("sessions_per_week", "1"), ("minutes", "45"), ("weeks", "10"),
                      ("hourly_cost", "18.50")):
        type_into(form[key], text)
    form["evidence_summary"].setFocus()
    QTest.keyClicks(form["evidence_summary"], "Small trials only.")
    form["measures"].setFocus()
    QTest.keyClicks(form["measures"], "School's own social scale")
    click(window.save_button)
    assert window.message.text() == "Added Lego-based social group to the library."
    assert "Lego-based social group" in rows(window)
    added = next(i for i in provision_library.list_items(senco_session)
                 if i.name == "Lego-based social group")
    assert (added.area, added.minutes, added.hourly_cost_pence) == ("CI", 45, 1850)

    type_into(form["minutes"], "forty")
    click(window.save_button)
    assert "Minutes a session must be a whole number" in window.message.text()
    assert has_fault(form["minutes"])
    type_into(form["minutes"], "40")
    click(window.save_button)
    assert window.message.text() == "Saved."
    assert provision_library.get_item(senco_session, added.id).minutes == 40

    choose_row(window.table, rows(window).index("Lego-based social group"))
    click(window.retire_button)
    assert answers.messages[-1][0] == "confirm"
    assert "Lego-based social group" not in rows(window)
    window.show_retired.setFocus()
    QTest.keyClick(window.show_retired, Qt.Key.Key_Space)
    row = rows(window).index("Lego-based social group")
    assert window.model.index(row, 6).data() == senco_session.clock.today().strftime("%d/%m/%Y")
    choose_row(window.table, row)
    assert window.retire_button.text() == "Bring &back"
    click(window.retire_button)
    assert provision_library.get_item(senco_session, added.id).retired_on is None


def _new_fortnightly_item(window, sessions: str) -> None:
    click(window.new_button)
    form = window.form.widgets
    type_into(form["name"], "Speech therapist visit")
    pick(form["area"], "Communication")
    for key, text in (("group_size", "1"), ("sessions_per_week", sessions), ("minutes", "20"),
                      ("weeks", "38"), ("hourly_cost", "18.00")):
        type_into(form[key], text)
    click(window.save_button)


def test_on_an_800_by_600_screen_nothing_is_drawn_over_the_table(qtbot, senco_session, answers):
    """Stacked on a small screen, the table shrinks to leave the controls under it their room,
    after a retirement's message too (the review saw the buttons drawn over its rows); and
    the area reads by its name."""
    window = library_window(qtbot, senco_session)
    window.resize(760, 560)
    qtbot.wait(50)
    choose_row(window.table, 4)
    click(window.retire_button)
    qtbot.wait(50)
    table, box = window.table.geometry(), window.show_retired.geometry()
    assert table.bottom() < box.top(), (table, box)
    assert window.suggested_button.geometry().top() > box.top()
    assert window.model.index(0, 1).data() in set(areas().values())
    window.grab().save("/tmp/library-800x600.png")


def test_a_fortnightly_intervention_is_typed_as_half_a_session_a_week(qtbot, senco_session):
    """Review 24 F3.2: the form took only whole numbers; 0.5 is once a fortnight, as on a plan
    line, and a third of a session says the plan line's sentence."""
    window = library_window(qtbot, senco_session)
    _new_fortnightly_item(window, "0.3")
    assert window.message.text() == ("Sessions a week must be a whole number or a half (0.5 is "
                                     "once a fortnight).")
    assert has_fault(window.form.widgets["sessions_per_week"])
    type_into(window.form.widgets["sessions_per_week"], "0.5")
    click(window.save_button)
    assert window.message.text() == "Added Speech therapist visit to the library."
    added = next(i for i in provision_library.list_items(senco_session)
                 if i.name == "Speech therapist visit")
    assert str(added.sessions_per_week) == "0.5"
    row = rows(window).index("Speech therapist visit")
    assert window.model.index(row, 3).data() == "20 min once a fortnight"
    choose_row(window.table, row)
    assert window.form.widgets["sessions_per_week"].text() == "0.5"
    type_into(window.form.widgets["sessions_per_week"], "1.5")
    click(window.save_button)
    assert window.message.text() == "Saved."
    assert str(provision_library.get_item(senco_session, added.id).sessions_per_week) == "1.5"
    assert window.model.index(rows(window).index("Speech therapist visit"), 3).data() == \
        "1.5 x 20 min"


def test_staff_read_the_library_and_may_only_export(qtbot, staff_session, answers, tmp_path):
    window = library_window(qtbot, staff_session)
    for button in (window.new_button, window.save_button, window.import_button,
                   window.suggested_button):
        assert not button.isEnabled() and "does not allow" in button.toolTip()
    choose_row(window.table, 0)
    assert window.form.widgets["name"].isReadOnly()
    assert window.form.widgets["name"].text() == rows(window)[0]
    answers.next_paths.append(tmp_path / "library.csv")
    click(window.export_button)
    assert answers.messages[-1][0] == "info" and "Wrote 17 interventions" in answers.messages[-1][2]
    assert "import" not in answers.messages[-1][2]      # they cannot: not told they can


def test_import_and_export_go_through_the_prompts(qtbot, senco_session, answers, tmp_path):
    window = library_window(qtbot, senco_session)
    # A name typed without its ending is saved as a .csv (it was written as plain "library").
    answers.next_paths.append(tmp_path / "library")
    click(window.export_button)
    assert not (tmp_path / "library").exists() and (tmp_path / "library.csv").is_file()
    path = tmp_path / "library.csv"
    table = exported_table(window, answers, path)
    header = table[0]
    table[1][header.index("minutes")] = "35"
    weeks = table[3][header.index("weeks")]
    table[3][header.index("weeks")] = "99"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(table)
    answers.next_paths.append(path)
    click(window.import_button)
    kind, _title, text = answers.messages[-1]
    assert kind == "error" and "nothing was changed" in text and "Line 4: Weeks" in text
    table[3][header.index("weeks")] = weeks
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(table)
    answers.next_paths.append(path)
    click(window.import_button)
    assert answers.messages[-1][0] == "info" and "1 updated, 16 unchanged" in answers.messages[-1][2]
    choose_row(window.table, rows(window).index(table[1][0]))
    assert window.form.widgets["minutes"].text() == "35"   # refreshed from the runner


def _cycle(session, agree=False):
    pupil = sen_support_pupil(session)
    apdr.open_pathway(session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(session, pupil).current_cycle.id
    assess(session, cycle, D(2026, 11, 23))
    if agree:
        phonics = next(i for i in provision_library.list_items(session)
                       if i.name == "Reading comprehension strategies group")
        plan(session, cycle, D(2026, 11, 23), D(2027, 2, 12),
             items=[phonics.provision_line()])
    return cycle


def wizard_at(qtbot, session, cycle, part):
    wizard = ApdrWizard(session, cycle, part)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_the_plan_fills_provision_from_the_library_and_an_outcome_names_its_measure(
        qtbot, senco_session):
    cycle = _cycle(senco_session)
    wizard = wizard_at(qtbot, senco_session, cycle, Part.PLAN)
    click(wizard.plan.findChild(type(wizard.save_button), "add_item"))
    dialog = shown(FormDialog, "item_dialog")
    picker = dialog.form.widgets["library_id"]
    assert picker.itemText(0) == "Not from the library (type it below)"
    pick(picker, "Phonics catch-up group")          # each choice made fills the line
    values = dialog.form.values()
    assert (values["description"], values["delivered_by"], values["group_size"],
            values["minutes"], values["rate"]) == ("Phonics catch-up group",
                                                   "Teaching assistant", "4", "20", "18.00")
    assert "EEF Toolkit: phonics" in dialog.evidence.text()
    type_into(dialog.form.widgets["minutes"], "25")          # still editable
    save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    [row] = wizard.plan.item_rows
    assert row["minutes"] == 25 and row["library_id"] is not None

    click(wizard.plan.findChild(type(wizard.save_button), "add_outcome"))
    outcome = shown(FormDialog, "outcome_dialog")
    box = outcome.form.widgets["measure_name"]
    assert [box.itemText(i) for i in range(box.count())] == [
        "", "Phonics screening check score", "Single-word reading standardised score"]
    outcome.form.widgets["text"].setFocus()
    QTest.keyClicks(outcome.form.widgets["text"], "Blend CVC words")
    pick(box, "Phonics screening")
    save(outcome)
    assert not outcome.isVisible(), outcome.message.text()
    click(wizard.save_button)
    stored = apdr.get_cycle(senco_session, cycle).plan
    assert stored.items[0].library_id == row["library_id"] and stored.items[0].minutes == 25
    assert stored.outcomes[0].measure_name == "Phonics screening check score"


def test_a_fortnightly_library_item_fills_the_line_with_half_and_half_the_cost(
        qtbot, senco_session):
    provision_library.add_item(senco_session, {
        "name": "Speech therapist visit", "area": "CI", "group_size": "1",
        "sessions_per_week": "0.5", "minutes": "20", "weeks": "38", "hourly_cost": "18.00"})
    cycle = _cycle(senco_session)
    wizard = wizard_at(qtbot, senco_session, cycle, Part.PLAN)
    click(wizard.plan.findChild(type(wizard.save_button), "add_item"))
    dialog = shown(FormDialog, "item_dialog")
    pick(dialog.form.widgets["library_id"], "Speech therapist visit")
    assert dialog.form.values()["sessions_per_week"] == "0.5"
    assert dialog.cost.text() == ("Yearly cost for this pupil: <b>£114.00</b> (20 min once a "
                                  "fortnight, 38 weeks, 1:1).")
    save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    click(wizard.save_button)
    [item] = apdr.get_cycle(senco_session, cycle).plan.items
    assert (str(item.sessions_per_week), item.yearly_cost_pence) == ("0.5", 11400)


def test_free_text_provision_still_works_in_the_window(qtbot, senco_session):
    cycle = _cycle(senco_session)
    wizard = wizard_at(qtbot, senco_session, cycle, Part.PLAN)
    click(wizard.plan.findChild(type(wizard.save_button), "add_item"))
    dialog = shown(FormDialog, "item_dialog")
    for key, text in (("description", "Visual timetable"), ("sessions_per_week", "5"),
                      ("minutes", "5"), ("rate", "0")):
        type_into(dialog.form.widgets[key], text)
    save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert wizard.plan.item_rows[0]["library_id"] is None


def test_the_do_page_has_a_line_chosen_and_keeps_it_when_read_again(qtbot, senco_session):
    """Entry and exit works at once on a one-line plan (the first line is chosen as the page
    opens), and a line chosen stays chosen when logging a session reads the page again."""
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 23))
    items = {i.name: i.provision_line() for i in provision_library.list_items(senco_session)}
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12),
         items=[items["Reading comprehension strategies group"], items["Phonics catch-up group"]])
    wizard = wizard_at(qtbot, senco_session, cycle, Part.DO)
    page = wizard.do
    assert page.item_view.selectionModel().selectedRows()[0].row() == 0
    click(page.measures_button)
    dialog = shown(MeasuresDialog, "measures_dialog")
    assert "Reading comprehension strategies" in dialog.windowTitle()
    dialog.close()
    assert page.log_item.currentText().startswith("Reading comprehension strategies")
    choose_row(page.item_view, 1)
    assert page.log_item.currentText().startswith("Phonics catch-up")   # logged against it
    click(page.log_button)
    assert page.message.text() == "Session logged."
    assert page.log_model.index(0, 1).data().startswith("Phonics catch-up")
    assert page.item_view.selectionModel().selectedRows()[0].row() == 1
    click(page.measures_button)
    dialog = shown(MeasuresDialog, "measures_dialog")
    assert "Phonics catch-up" in dialog.windowTitle()
    dialog.close()


def test_entry_and_exit_are_recorded_and_corrected_on_the_provision_line(qtbot, senco_session,
                                                                         answers):
    cycle = _cycle(senco_session, agree=True)
    wizard = wizard_at(qtbot, senco_session, cycle, Part.DO)
    page = wizard.do
    assert page.measures_button.isVisible()
    page.item_view.clearSelection()
    page.item_view.setCurrentIndex(page.item_model.index(-1, -1))
    click(page.measures_button)               # nothing chosen: said in a dialog, not at the foot
    assert answers.messages[-1] == ("error", "Entry and exit",
                                    "Choose the provision in the list first.")
    choose_row(page.item_view, 0)
    click(page.measures_button)
    dialog = shown(MeasuresDialog, "measures_dialog")
    assert dialog.message.text() == "No measures recorded for this provision yet."
    click(dialog.add_button)
    form = shown(FormDialog, "measure_form")
    assert form.form.widgets["name"].currentText() == "Reading comprehension standardised score"
    pick(form.form.widgets["name"], "Reading comprehension age")
    pick(form.form.widgets["kind"], "Reading age")
    type_into(form.form.widgets["entry_value"], "7.4")
    save(form)
    assert "years and months" in form.message.text()
    type_into(form.form.widgets["entry_value"], "7y 4m")
    type_into(form.form.widgets["entry_date"], "01/01/1900")
    save(form)
    assert "cannot be before the pupil's date of birth" in form.message.text()
    type_into(form.form.widgets["entry_date"], "12/10/2026")
    save(form)
    assert not form.isVisible(), form.message.text()
    assert dialog.model.index(0, 2).data() == "7y 4m"
    assert dialog.model.index(0, 6).data() == "exit still to come"

    choose_row(dialog.view, 0)
    click(dialog.edit_button)
    form = shown(FormDialog, "measure_form")
    type_into(form.form.widgets["exit_value"], "8:01")
    type_into(form.form.widgets["exit_date"], "01/09/2026")
    save(form)
    assert "cannot be before the entry date" in form.message.text()
    type_into(form.form.widgets["exit_date"], "23/11/2026")
    save(form)
    assert not form.isVisible(), form.message.text()
    # 42 days is 1.4 months (days / 30.44), not "1 month" with a ratio gain of 9.
    assert dialog.model.index(0, 6).data() == "+9 months in 1.4 months (ratio gain 6.5)"
    item = apdr.get_cycle(senco_session, cycle).plan.items[0]
    [stored] = measures.measures_for_item(senco_session, item.id)
    assert (stored.entry_value, stored.exit_value) == (88, 97)


def test_staff_see_entry_and_exit_but_may_not_change_them(qtbot, senco_session, staff_session):
    cycle = _cycle(senco_session, agree=True)
    item = apdr.get_cycle(senco_session, cycle).plan.items[0]
    measures.record_measure(senco_session, item.id, {
        "kind": "standardised", "name": "NGRT", "entry_value": "84", "entry_date": "12/10/2026",
        "exit_value": "91", "exit_date": "20/11/2026"})
    wizard = wizard_at(qtbot, staff_session, cycle, Part.DO)
    choose_row(wizard.do.item_view, 0)
    click(wizard.do.measures_button)
    dialog = shown(MeasuresDialog, "measures_dialog")
    assert dialog.model.index(0, 6).data() == "+7 points"
    assert not dialog.add_button.isEnabled() and "does not allow" in dialog.add_button.toolTip()


def test_the_suggested_interventions_can_be_added_again(qtbot, senco_session):
    senco_session.db.execute("DELETE FROM provision_library WHERE name = 'Mentoring'")
    window = library_window(qtbot, senco_session)
    assert "Mentoring" not in rows(window)
    click(window.suggested_button)
    assert window.message.text() == "Added 1: Mentoring."
    assert "Mentoring" in rows(window)
    click(window.suggested_button)
    assert window.message.text().startswith("The library already holds every suggested")


def test_on_a_narrow_screen_the_form_goes_below_and_the_names_are_readable(qtbot, senco_session):
    window = library_window(qtbot, senco_session)
    window.resize(780, 560)                       # an 800-pixel-wide laptop screen
    qtbot.waitUntil(lambda: window.table.columnWidth(0) > 200, timeout=2_000)
    table_bottom = window.table.mapTo(window, window.table.rect().bottomLeft()).y()
    assert window.details.mapTo(window, window.details.rect().topLeft()).y() > table_bottom
    window.grab().save("/tmp/fix-a-library-narrow.png")
    window.resize(1100, 680)
    qtbot.waitUntil(lambda: window.details.mapTo(window, window.details.rect().topLeft()).x()
                    > window.table.width(), timeout=2_000)
    window.grab().save("/tmp/fix-a-library-wide.png")


def test_the_measure_form_has_alt_keys_and_a_readable_name_box(qtbot, senco_session):
    from PySide6.QtCore import Qt as _Qt
    from PySide6.QtWidgets import QApplication, QDialogButtonBox
    cycle = _cycle(senco_session, agree=True)
    item = apdr.get_cycle(senco_session, cycle).plan.items[0]
    from sendesk.ui.apdr.measures_dialog import of_item
    dialog = MeasuresDialog(senco_session, OpRunner(senco_session), of_item(item), ())
    qtbot.addWidget(dialog)
    dialog.show()
    click(dialog.add_button)
    form = shown(FormDialog, "measure_form")
    qtbot.waitExposed(form)
    name = form.form.widgets["name"]
    assert name.width() >= 200                         # with no measure offered, not a sliver
    buttons = form.findChild(QDialogButtonBox)
    assert buttons.button(QDialogButtonBox.StandardButton.Save).text() == "&Save"
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "&Cancel"
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=2_000)
    note = form.form.widgets["note"]
    note.setFocus()
    qtbot.keyClick(note, _Qt.Key.Key_X, _Qt.KeyboardModifier.AltModifier)   # E&xit value
    assert QApplication.focusWidget() is form.form.widgets["exit_value"]
    qtbot.keyClick(QApplication.focusWidget(), _Qt.Key.Key_M,
                   _Qt.KeyboardModifier.AltModifier)                       # Name of the &measure
    assert QApplication.focusWidget() in (name, name.lineEdit())
    assert name.accessibleName() == "Name of the measure"
    form.grab().save("/tmp/fix-a-measure-form.png")
    form.reject()
