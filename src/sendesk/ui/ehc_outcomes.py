"""Editing an EHC plan's long-term outcomes and the shorter-term steps towards each.

A tree: each outcome (with its Preparing for Adulthood area) holds its steps (with a target
date and the date achieved). Cells are edited in place; Save sends the whole list to the core,
which checks it and keeps every earlier value in the change trail. The save runs on the record
window's OpRunner, whose change report refreshes the EHC tab.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..errors import SendeskError
from ..models.ehc import EhcPlan
from ..models.outcomes import PFA_AREAS
from ..records import ehc
from ..session import Session
from .date_field import DateDelegate
from .dates import uk as _uk
from .record_changes import runner_for
from .runner import OpRunner
from .screen_fit import fit_to_screen

ID_ROLE = Qt.ItemDataRole.UserRole
_PFA_BY_LABEL = {label.lower(): key for key, label in PFA_AREAS.items()}


class OutcomesDialog(QDialog):
    def __init__(self, session: Session, plan: EhcPlan, parent: QWidget | None = None,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session, self.plan = session, plan
        self.runner = runner_for(session, runner, self)
        self.setWindowTitle("Outcomes and steps - sendesk")
        fit_to_screen(self, 860, 520)
        self.tree = QTreeWidget(objectName="outcomes")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Outcome, or step towards it", "PfA area / target date",
                                   "Achieved on"])
        self.tree.setColumnWidth(0, 460)
        self.tree.setColumnWidth(1, 200)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        # A step's target date and every achieved date type and pick like any other date.
        self.tree.setItemDelegateForColumn(1, DateDelegate(self.tree, "Target date",
                                                           lambda index: index.parent().isValid()))
        self.tree.setItemDelegateForColumn(2, DateDelegate(self.tree, "Achieved on"))
        for outcome in plan.outcomes:
            top = self._outcome_item(outcome.text, PFA_AREAS.get(outcome.pfa_area or "", ""), outcome.id)
            for step in outcome.steps:
                self._step_item(top, step.text, _uk(step.target_date), _uk(step.achieved_on), step.id)
        self.tree.expandAll()
        self.message = QLabel(objectName="message", wordWrap=True)
        self.message.setStyleSheet("color: #b3261e")
        bar = QHBoxLayout()
        for name, text, slot in (("add_outcome", "Add outcome", self.add_outcome),
                                 ("add_step", "Add step to the chosen outcome", self.add_step),
                                 ("remove", "Remove", self.remove)):
            widget = QPushButton(text, objectName=name)
            widget.clicked.connect(slot)
            bar.addWidget(widget)
        bar.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            "Break each long-term outcome into shorter-term steps, each with a date, so progress "
            "can be seen through the year. For the PfA area write one of: "
            + "; ".join(PFA_AREAS.values()) + ". Dates are dd/mm/yyyy.", wordWrap=True))
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _outcome_item(self, text: str, pfa: str, item_id: int | None = None) -> QTreeWidgetItem:
        item = QTreeWidgetItem([text, pfa, ""])
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        item.setData(0, ID_ROLE, item_id)
        self.tree.addTopLevelItem(item)
        return item

    def _step_item(self, parent: QTreeWidgetItem, text: str, target: str, achieved: str,
                   item_id: int | None = None) -> QTreeWidgetItem:
        item = QTreeWidgetItem([text, target, achieved])
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        item.setData(0, ID_ROLE, item_id)
        parent.addChild(item)
        parent.setExpanded(True)
        return item

    def add_outcome(self) -> QTreeWidgetItem:
        item = self._outcome_item("New outcome", "")
        self.tree.setCurrentItem(item)
        self.tree.editItem(item, 0)
        return item

    def add_step(self) -> QTreeWidgetItem | None:
        current = self.tree.currentItem()
        if current is None:
            self.message.setText("Choose the outcome the step leads to.")
            return None
        outcome = current.parent() or current
        item = self._step_item(outcome, "New step", "", "")
        self.tree.setCurrentItem(item)
        self.tree.editItem(item, 0)
        return item

    def remove(self) -> None:
        current = self.tree.currentItem()
        if current is None:
            return
        parent = current.parent()
        if parent is None:
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(current))
        else:
            parent.removeChild(current)

    def outcomes(self) -> list[dict[str, Any]]:
        found = []
        for row in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(row)
            pfa_text = top.text(1).strip().lower()
            pfa = _PFA_BY_LABEL.get(pfa_text, pfa_text or None)
            steps = [{"id": top.child(n).data(0, ID_ROLE), "text": top.child(n).text(0),
                      "target_date": top.child(n).text(1), "achieved_on": top.child(n).text(2)}
                     for n in range(top.childCount())]
            found.append({"id": top.data(0, ID_ROLE), "text": top.text(0), "pfa_area": pfa,
                          "steps": steps})
        return found

    def submit(self) -> bool:
        try:
            self.runner.call(ehc.update_plan, self.plan.id, {"outcomes": self.outcomes()},
                             sender=self)
        except SendeskError as exc:
            self.message.setText(str(exc))
            return False
        self.accept()
        return True
