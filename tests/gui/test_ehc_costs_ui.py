"""Costing an EHC plan's provision from the EHC tab and setting the notional SEN budget from the
whole-school map, on real widgets: cells typed, buttons clicked, the map's spend line read."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit
from tests.apdr_support import sen_support_pupil
from tests.ehc_support import issued_plan

from sendesk.records import ehc_costs, provision_map
from sendesk.ui.ehc_provision import EhcProvisionDialog
from sendesk.ui.ehc_tab import EhcTab
from sendesk.ui.forms import FormDialog
from sendesk.ui.provision_map_view import ProvisionMapView

D = dt.date


def _type_cell(table, row, column, text):
    table.setCurrentCell(row, column)
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = next(e for e in table.findChildren(QLineEdit) if e.isVisible())
    editor.selectAll()
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.sendPostedEvents()   # the closed editor is deleted before the next opens


def test_ehc_provision_is_costed_from_the_tab(qtbot, senco_session):
    pupil = sen_support_pupil(senco_session, since=D(2026, 1, 5))
    plan_id = issued_plan(senco_session, pupil, D(2026, 6, 1))
    tab = EhcTab(senco_session, pupil)
    qtbot.addWidget(tab)
    tab.show()
    tab.plans.table.selectRow(0)
    QTest.mouseClick(tab.plans.buttons["edit_provision"], Qt.MouseButton.LeftButton)
    dialog = tab.findChildren(EhcProvisionDialog)[-1]
    add = dialog.findChild(type(tab.plans.buttons["edit_provision"]), "add_line")
    QTest.mouseClick(add, Qt.MouseButton.LeftButton)
    for column, text in enumerate(["1:1 teaching assistant", "CL", "Teaching assistant",
                                   "15 hours a week", "6000", "lots"]):
        _type_cell(dialog.table, 0, column, text)
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    QTest.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == ("Line 1: The LA's top-up a year 'lots' is not an amount "
                                     "of money; write it like 18.50 or £1,200.")
    assert ehc_costs.plan_provision(senco_session, plan_id) == []
    _type_cell(dialog.table, 0, 5, "9,450")
    QTest.mouseClick(save, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    [line] = ehc_costs.plan_provision(senco_session, plan_id)
    assert (line.school_pence, line.topup_pence) == (600_000, 945_000)
    dialog.grab().save("/tmp/prov-impact-ehc-provision.png")
    qtbot.waitUntil(lambda: "£9,450.00" in tab.plans.details.toPlainText())
    view = ProvisionMapView(senco_session)
    qtbot.addWidget(view)
    view.show()
    view.tabs.setCurrentWidget(view.ehc)
    model = view.ehc_model
    assert [model.data(model.index(0, c)) for c in (2, 4, 5)] == [
        "1:1 teaching assistant", "£6,000.00", "£9,450.00"]
    view.grab().save("/tmp/prov-impact-map-ehc.png")


def test_the_budget_is_set_from_the_map_and_spend_is_shown(qtbot, senco_session, staff_session):
    view = ProvisionMapView(senco_session)
    qtbot.addWidget(view)
    view.show()
    assert "Not set" in view.spend.text()
    QTest.mouseClick(view.budget_button, Qt.MouseButton.LeftButton)
    dialog = view.findChildren(FormDialog)[-1]
    box = dialog.form.widgets["budget"]
    QTest.keyClicks(box, "£50,000")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert provision_map.build(senco_session).budget_pence == 5_000_000
    qtbot.waitUntil(lambda: "Notional SEN budget £50,000.00" in view.spend.text())
    view.grab().save("/tmp/prov-impact-map.png")
    staff = ProvisionMapView(staff_session)
    qtbot.addWidget(staff)
    assert not staff.budget_button.isEnabled() and staff.budget_button.toolTip()
