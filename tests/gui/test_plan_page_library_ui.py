"""The plan page says what each line rests on: an outcome's "Measure used" (the measure the
impact page groups its gains by) and the library item a provision line was filled from are
columns of the page's tables, not only inside each dialog. Choosing a library item asks before
it replaces what the SENCO typed, and the Outcome dialog and the plan page give every label and
button its own Alt key. Driven by real clicks and key presses (reviewer 19b's G4, G5, G6)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from tests.apdr_support import assess, review
from tests.gui.test_provision_library_ui import _cycle, click, pick, save, shown, type_into, wizard_at

from sendesk.models.apdr import Decision, Part
from sendesk.records import apdr, provision_library
from sendesk.ui.forms import FormDialog, mnemonic_of

pytestmark = pytest.mark.both_engines

D = dt.date
ALT = Qt.KeyboardModifier.AltModifier
PHONICS = "Phonics catch-up group"


def column(view, title: str) -> list[str]:
    """The cells of the column headed `title`, top to bottom (as a screen reader reads them)."""
    model = view.model()
    at = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())].index(title)
    return [model.index(row, at).data() for row in range(model.rowCount())]


def choose_once(combo, label_start: str) -> None:
    """Open the list with Alt+Down, walk to the entry and press Enter: one choice made."""
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down, ALT)
    view = combo.view()
    assert view.isVisible()
    QTest.keyClick(view, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if view.currentIndex().data().startswith(label_start):
            break
        QTest.keyClick(view, Qt.Key.Key_Down)
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert combo.currentText().startswith(label_start)


def add_item(wizard):
    click(wizard.plan.findChild(QPushButton, "add_item"))
    return shown(FormDialog, "item_dialog")


def test_the_plan_shows_each_outcomes_measure_and_the_lines_from_the_library(
        qtbot, senco_session, answers):
    cycle = _cycle(senco_session)
    wizard = wizard_at(qtbot, senco_session, cycle, Part.PLAN)
    dialog = add_item(wizard)
    pick(dialog.form.widgets["library_id"], PHONICS)
    type_into(dialog.form.widgets["description"], "Phonics with Mrs Khan")   # its own words
    save(dialog)
    dialog = add_item(wizard)
    for key, text in (("description", "Sensory circuit before school"), ("sessions_per_week", "5"),
                      ("minutes", "10"), ("rate", "0")):
        type_into(dialog.form.widgets[key], text)
    save(dialog)
    click(wizard.plan.findChild(QPushButton, "add_outcome"))
    outcome = shown(FormDialog, "outcome_dialog")
    type_into(outcome.form.widgets["text"], "Blend CVC words")
    type_into(outcome.form.widgets["measure"], "8 of 10 words on two checks")
    pick(outcome.form.widgets["measure_name"], "Phonics screening")
    save(outcome)
    assert not outcome.isVisible(), outcome.message.text()

    page = wizard.plan
    assert column(page.outcome_view, "Measure used") == ["Phonics screening check score"]
    assert column(page.item_view, "Provision") == ["Phonics with Mrs Khan",
                                                   "Sensory circuit before school", "Total"]
    assert column(page.item_view, "Came from") == [f"Library: {PHONICS}", "", ""]
    click(wizard.save_button)

    # Read again from the store, as the next person to open the plan sees it.
    wizard.close()
    wizard = wizard_at(qtbot, senco_session, cycle, Part.PLAN)
    wizard.resize(1366, 768)
    qtbot.wait(50)
    assert column(wizard.plan.outcome_view, "Measure used") == ["Phonics screening check score"]
    assert column(wizard.plan.item_view, "Came from") == [f"Library: {PHONICS}", "", ""]
    wizard.grab().save("/tmp/ux23-plan-columns-1366.png")
    wizard.resize(980, 740)   # the wizard's own size on a 1366 x 768 laptop
    qtbot.wait(50)
    wizard.grab().save("/tmp/ux23-plan-columns-980.png")


def test_a_retired_library_item_is_still_named_on_the_line(qtbot, senco_session):
    cycle = _cycle(senco_session, agree=True)
    item = next(i for i in provision_library.list_items(senco_session)
                if i.name == "Reading comprehension strategies group")
    provision_library.retire_item(senco_session, item.id)
    wizard = wizard_at(qtbot, senco_session, cycle, Part.PLAN)
    assert column(wizard.plan.item_view, "Came from")[0] == f"Library: {item.name}"


def test_choosing_a_library_item_asks_before_replacing_what_was_typed(qtbot, senco_session, answers):
    cycle = _cycle(senco_session)
    wizard = wizard_at(qtbot, senco_session, cycle, Part.PLAN)
    phonics = next(i for i in provision_library.list_items(senco_session) if i.name == PHONICS)

    # A fresh line fills without a question, and so does choosing another item after it.
    dialog = add_item(wizard)
    pick(dialog.form.widgets["library_id"], "Reading comprehension")
    choose_once(dialog.form.widgets["library_id"], PHONICS)
    assert dialog.form.values()["description"] == PHONICS
    assert [m for m in answers.messages if m[0] == "confirm"] == []
    dialog.done(0)

    # Typed first: No keeps every word typed, and the line is still linked to the item.
    dialog = add_item(wizard)
    type_into(dialog.form.widgets["description"], "My own words typed first")
    type_into(dialog.form.widgets["minutes"], "15")
    answers.confirm_answer = False
    choose_once(dialog.form.widgets["library_id"], PHONICS)
    assert answers.messages[-1] == ("confirm", "From the library",
                                    f"Replace what you have typed with {PHONICS}'s details?")
    values = dialog.form.values()
    assert (values["description"], values["minutes"], values["library_id"]) == (
        "My own words typed first", "15", phonics.id)
    assert "EEF Toolkit: phonics" in dialog.evidence.text()
    qtbot.wait(50)                                    # laid out with the evidence shown
    dialog.grab().save("/tmp/ux23-item-kept-typed.png")
    type_into(dialog.form.widgets["sessions_per_week"], "3")
    type_into(dialog.form.widgets["rate"], "18")
    save(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    row = wizard.plan.item_rows[-1]
    assert (row["description"], row["minutes"], row["library_id"]) == (
        "My own words typed first", 15, phonics.id)

    # Yes replaces them with the item's.
    dialog = add_item(wizard)
    type_into(dialog.form.widgets["description"], "Typed again")
    answers.confirm_answer = True
    choose_once(dialog.form.widgets["library_id"], PHONICS)
    assert answers.messages[-1][0] == "confirm"
    assert (dialog.form.values()["description"], dialog.form.values()["minutes"]) == (PHONICS, "20")
    dialog.done(0)


def shown_letters(window) -> list[tuple[str, str]]:
    """(Alt letter, text) of every label and button the window shows."""
    found = []
    for widget in [*window.findChildren(QLabel), *window.findChildren(QPushButton)]:
        if widget.isVisibleTo(window) and "<" not in widget.text() \
                and (letter := mnemonic_of(widget.text())):
            found.append((letter, widget.text()))
    return found


def test_the_outcome_dialog_gives_every_field_its_own_alt_key(qtbot, senco_session, answers):
    cycle = _cycle(senco_session)
    wizard = wizard_at(qtbot, senco_session, cycle, Part.PLAN)
    click(wizard.plan.findChild(QPushButton, "add_outcome"))
    dialog = shown(FormDialog, "outcome_dialog")
    dialog.grab().save("/tmp/ux23-outcome-dialog.png")
    letters = shown_letters(dialog)
    assert len(letters) == 8, letters                # six fields, Save and Cancel
    assert len({letter for letter, _ in letters}) == 8, letters
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2_000)
    widgets = dialog.form.widgets
    for letter, key in (("m", "measure_name"), ("b", "target_date"), ("p", "pfa_area"),
                        ("a", "area"), ("h", "measure"), ("o", "text")):
        QTest.keyClick(QApplication.focusWidget(), getattr(Qt.Key, f"Key_{letter.upper()}"), ALT)
        focused = QApplication.focusWidget()
        assert focused is widgets[key] or focused.parent() is widgets[key], (letter, focused)
    dialog.done(0)


def test_the_plan_page_gives_every_label_and_button_its_own_alt_key(qtbot, senco_session, clock,
                                                                   answers):
    from tests.gui.test_apdr import go_to
    first = _cycle(senco_session, agree=True)
    go_to(clock, D(2027, 2, 12))
    second = review(senco_session, first, D(2027, 2, 12),
                    Decision.CONTINUE_TARGETED.value).next_cycle_id
    assess(senco_session, second, D(2027, 2, 12))
    apdr.save_plan(senco_session, second, {"aspirations": "", "plan_date": D(2027, 2, 12),
                                           "review_date": D(2027, 5, 14), "outcomes": [],
                                           "items": []})   # a draft: the names can be given
    wizard = wizard_at(qtbot, senco_session, second, Part.PLAN)
    page = wizard.plan
    assert page.copy_button.isVisibleTo(wizard) and page.people_row.isVisibleTo(wizard)
    letters = shown_letters(wizard)
    clashes = {letter: [t for found, t in letters if found == letter] for letter, _ in letters}
    assert {k: v for k, v in clashes.items() if len(v) > 1} == {}
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow, timeout=2_000)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_T, ALT)    # Responsible &teacher
    focused = QApplication.focusWidget()
    assert focused is page.teacher or focused.parent() is page.teacher
