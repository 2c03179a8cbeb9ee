"""The provision line's yearly cost, worked out as the SENCO types the sessions a week: one
sentence with one full stop however the frequency is typed (a refused one read "Yearly cost:
not worked out yet (... (0.5 is once a fortnight).).")."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QTest

from sendesk.ui.apdr.dialogs import ItemDialog

WORKED_OUT = {
    "2": "Yearly cost for this pupil: £456.00 (2 x 20 min a week, 38 weeks, 1:1).",
    "0.5": "Yearly cost for this pupil: £114.00 (20 min once a fortnight, 38 weeks, 1:1).",
    "1.5": "Yearly cost for this pupil: £342.00 (1.5 x 20 min a week, 38 weeks, 1:1).",
}
REFUSED = {
    "0.3": "Sessions a week must be a whole number or a half (0.5 is once a fortnight).",
    "weekly": "Sessions a week must be a number, such as 3 or 0.5 (once a fortnight).",
    "0": "Sessions a week must be more than 0 and at most",
    "": "Sessions a week must be a number, such as 3 or 0.5 (once a fortnight).",
    # Decimal()'s grammar took these as 10 (priced and saved) and as numbers out of range.
    "1e1": "Sessions a week must be a number, such as 3 or 0.5 (once a fortnight).",
    "nan": "Sessions a week must be a number, such as 3 or 0.5 (once a fortnight).",
    "inf": "Sessions a week must be a number, such as 3 or 0.5 (once a fortnight).",
}


def _plain(rich: str) -> str:
    document = QTextDocument()
    document.setHtml(rich)
    return document.toPlainText()


@pytest.fixture
def dialog(qtbot):
    dialog = ItemDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    form = dialog.form.widgets
    for key, text in (("description", "Reading with an adult"), ("minutes", "20"),
                      ("rate", "18")):
        form[key].setFocus()
        QTest.keyClicks(form[key], text)
    return dialog


def _typed(dialog, sessions: str) -> str:
    box = dialog.form.widgets["sessions_per_week"]
    box.setFocus()
    box.selectAll()
    QTest.keyClick(box, Qt.Key.Key_Backspace)
    QTest.keyClicks(box, sessions)
    return _plain(dialog.cost.text())


@pytest.mark.parametrize("sessions", [*WORKED_OUT, *REFUSED])
def test_the_cost_reads_as_one_sentence_whatever_the_frequency(dialog, sessions):
    hint = _typed(dialog, sessions)
    assert not re.search(r"[.)]\)|\.\.|\)\.\)", hint.replace("(1:1)", "")), hint
    assert hint.endswith(".") and hint.count("(") == hint.count(")"), hint
    if sessions in WORKED_OUT:
        assert hint == WORKED_OUT[sessions]
    else:
        assert hint.startswith("Yearly cost: not worked out yet. " + REFUSED[sessions]), hint
