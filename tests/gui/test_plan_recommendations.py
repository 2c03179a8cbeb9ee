"""A plan offers the specialists' recommendations not yet carried out: on the Plan page the
SENCO clicks "Add from a specialist's recommendation", picks one of those waiting, and the
provision form opens already describing it; saved, the provision is linked to it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QPushButton
from tests.apdr_support import assess, sen_support_pupil

from sendesk.models.apdr import Part
from sendesk.records import apdr, specialists
from sendesk.ui.apdr.dialogs import ItemDialog
from sendesk.ui.apdr.wizard import ApdrWizard
from sendesk.ui.forms import FormDialog

LEFT = Qt.MouseButton.LeftButton


def shown(kind, name: str):
    return next(w for w in QApplication.topLevelWidgets()
                if isinstance(w, kind) and w.objectName() == name and w.isVisible())


def save(dialog) -> None:
    QTest.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save),
                     LEFT)


def test_provision_added_from_a_waiting_recommendation(qtbot, answers, senco_session):
    session = senco_session
    today = session.clock.today()
    pupil_id = sen_support_pupil(session)
    apdr.open_pathway(session, pupil_id, today)
    cycle_id = apdr.current_pathway(session, pupil_id).current_cycle.id
    assess(session, cycle_id, today)
    salt = specialists.add_involvement(session, pupil_id, {
        "service": "SALT", "referral_date": today, "consent": "given", "consent_date": today,
        "consent_from": "Mrs Okafor", "reason": "Vocabulary still limited"})
    specialists.add_recommendation(session, salt, "Daily 10-minute narrative therapy", today, None)
    wanted = specialists.add_recommendation(session, salt, "Visual timetable for every lesson",
                                            today, None)

    wizard = ApdrWizard(session, cycle_id, Part.PLAN)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.plan
    button = page.findChild(QPushButton, "add_recommended")
    assert button.text() == "Add from a specialist's &recommendation..." and button.isEnabled()
    QTest.mouseClick(button, LEFT)

    chooser = shown(FormDialog, "choose_recommendation")
    combo = chooser.form.widgets["recommendation"]
    assert isinstance(combo, QComboBox)
    offered = [combo.itemText(i) for i in range(combo.count())]
    day = f"{today:%d/%m/%Y}"
    assert offered == [f"Speech and language therapy ({day}): Daily 10-minute narrative therapy",
                       f"Speech and language therapy ({day}): Visual timetable for every lesson"]
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == wanted
    save(chooser)

    item = shown(ItemDialog, "item_dialog")
    assert item.form.values()["description"] == "Visual timetable for every lesson"
    for key, text in (("delivered_by", "Class teacher"), ("sessions_per_week", "5"),
                      ("minutes", "5"), ("rate", "0")):
        box = item.form.widgets[key]
        box.setFocus()
        box.selectAll()
        QTest.keyClicks(box, text)
    save(item)
    assert not item.isVisible(), item.message.text()

    assert [row["recommendation_id"] for row in page.item_rows] == [wanted]
    assert page.item_model.index(0, 6).data() == "Recommended by Speech and language therapy"
    assert "narrative therapy" in page.recommendations.text()
    assert "Visual timetable" not in page.recommendations.text()
    QTest.mouseClick(wizard.save_button, LEFT)
    waiting = specialists.recommendations_not_in_plan(session, pupil_id)
    assert [r.text for r in waiting] == ["Daily 10-minute narrative therapy"]
    stored = apdr.current_pathway(session, pupil_id).current_cycle.plan.items
    assert [i.recommendation_id for i in stored] == [wanted]

    # With the last one carried into the plan too, the button says why it cannot act.
    QTest.mouseClick(button, LEFT)
    last = shown(ItemDialog, "item_dialog")
    assert last.form.values()["description"] == "Daily 10-minute narrative therapy"
    for key, text in (("delivered_by", "TA"), ("sessions_per_week", "5"), ("minutes", "10"),
                      ("rate", "18")):
        last.form.widgets[key].setFocus()
        QTest.keyClicks(last.form.widgets[key], text)
    save(last)
    assert not button.isEnabled() and "No specialist's recommendation" in button.toolTip()
