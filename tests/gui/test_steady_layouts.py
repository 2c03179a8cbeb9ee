"""Layouts that do not jump as text wraps (issue 17, item 9): a message that appears,
grows to a second line or goes while a person types or saves must not move the next box or
button, or the click or key aimed at it lands somewhere else. The space messages need is
kept from the start (ui/steady.py)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

from sendesk.errors import ValidationError
from sendesk.ui.create_dialog import CreateDatabaseDialog
from sendesk.ui.forms import FieldSpec, FormDialog
from sendesk.ui.runner import OpRunner


def where(widget: QWidget) -> QPoint:
    QApplication.processEvents()
    return widget.mapTo(widget.window(), QPoint(0, 0))


def test_typing_a_password_does_not_move_the_box_below_or_the_buttons(qtbot):
    dialog = CreateDatabaseDialog(OpRunner(None))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    fields = dialog.passwords
    confirm, create = where(fields.confirm), where(dialog.create_button)
    for text in ("a", "copper-light", "copper-lighthouse-wander-61"):
        fields.password.clear()
        qtbot.keyClicks(fields.password, text)   # the advice changes from one line to two
        assert where(fields.confirm) == confirm, f"the confirmation box moved after {text!r}"
    qtbot.keyClicks(fields.confirm, "copper-")   # "The two passwords do not match." appears
    assert "do not match" in fields.advice.text()
    assert where(fields.confirm) == confirm and where(dialog.create_button) == create
    qtbot.keyClicks(fields.confirm, "lighthouse-wander-61")
    assert "do not match" not in fields.advice.text()
    assert where(fields.confirm) == confirm and where(dialog.create_button) == create


def test_a_refusal_on_save_does_not_move_the_buttons(qtbot):
    def save(values):
        raise ValidationError("Date of the discussion (31/12/2099) cannot be after today; check "
                              "the year, and type the date as dd/mm/yyyy.", field="when")
    dialog = FormDialog("A note", [FieldSpec("when", "Date of the discussion", "date"),
                                   FieldSpec("what", "What happened", "text")], save)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    box = dialog.form.widgets["what"]
    button, below, height = where(dialog.save_button), where(box), box.height()
    qtbot.keyClicks(dialog.form.widgets["when"], "31/12/2099")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "cannot be after today" in dialog.message.text()
    assert where(dialog.save_button) == button, "Save moved under the mouse"
    assert (where(box), box.height()) == (below, height), "the box above was squeezed"
