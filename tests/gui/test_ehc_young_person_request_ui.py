"""The EHC request form offers "The young person" as the one who asked only for a pupil of 16
or over (issue 20 item 7); a 15-year-old's form does not. Today is 23/11/2026."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLabel

from apdr_support import sen_support_pupil
from sendesk.records import ehc, pupils
from sendesk.ui.ehc_tab import EhcTab
from sendesk.ui.forms import FormDialog


def _request_form(qtbot, session, dob: dt.date) -> tuple[int, FormDialog]:
    pupil_id = sen_support_pupil(session, year_group="11")
    pupils.update_pupil(session, pupil_id, {"dob": dob})
    tab = EhcTab(session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()
    QTest.mouseClick(tab.requests.buttons["new_request"], Qt.MouseButton.LeftButton)
    [dialog] = [d for d in tab.window().findChildren(FormDialog) if d.isVisible()]
    return pupil_id, dialog


def _offered(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_a_15_year_old_is_not_offered_as_the_one_who_asked(qtbot, senco_session):
    _, dialog = _request_form(qtbot, senco_session, dt.date(2011, 3, 14))
    assert _offered(dialog.form.widgets["requested_by"]) == ["The school", "A parent"]
    dialog.grab().save("/tmp/young20-ehc-request-15.png")


def test_a_17_year_old_may_be_the_one_who_asked(qtbot, senco_session):
    pupil_id, dialog = _request_form(qtbot, senco_session, dt.date(2009, 3, 14))
    combo = dialog.form.widgets["requested_by"]
    assert _offered(combo) == ["The school", "A parent", "The young person"]
    combo.setFocus()
    while combo.currentText() != "The young person":
        QTest.keyClick(combo, Qt.Key.Key_Down)
    field = dialog.form.widgets["local_authority"]
    field.setFocus()
    QTest.keyClicks(field, "Durham")
    field = dialog.form.widgets["submitted_on"]
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, "03/09/2026")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible(), dialog.message.text()
    assert ehc.list_requests(senco_session, pupil_id)[0].requested_by.value == "young_person"


def _intro(dialog: FormDialog) -> str:
    return " ".join(label.text() for label in dialog.findChildren(QLabel)
                    if "may ask the LA themselves" in label.text())


def test_the_intro_names_the_young_person_only_when_they_may_ask(qtbot, senco_session):
    # rev20b's finding 6: an 11-year-old's form said "A parent or young person may ask the LA
    # themselves." while rightly not offering the young person as the one who asked.
    _, dialog = _request_form(qtbot, senco_session, dt.date(2015, 3, 14))
    assert "A parent may ask the LA themselves." in _intro(dialog)
    assert "young person" not in _intro(dialog)
    dialog.reject()
    _, dialog = _request_form(qtbot, senco_session, dt.date(2009, 3, 14))
    assert "A parent or young person may ask the LA themselves." in _intro(dialog)
