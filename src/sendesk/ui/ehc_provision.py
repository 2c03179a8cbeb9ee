"""Costing an EHC plan's provision: each line the plan specifies (what, area, who, how often)
with the school's part a year (from its notional SEN budget) and the LA's top-up.

A table edited in place; Save sends every line to the core, which checks them (a bad line is
named, nothing is saved) and keeps each earlier value in the change trail. The lines go on the
pupil's and the whole-school costed provision maps.
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
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..errors import SendeskError
from ..models.ehc import EhcPlan
from ..models.ehc_costs import EhcProvisionLine
from ..models.provision import money_for_csv
from ..records import ehc_costs
from ..session import Session
from .record_changes import runner_for
from .runner import OpRunner
from .screen_fit import fit_to_screen

ID_ROLE = Qt.ItemDataRole.UserRole
HEADERS = ["Provision", "Area (CL, CI, SEMH, SP)", "Who delivers it", "How often",
           "School's part a year £", "LA top-up a year £"]
KEYS = ["description", "area", "delivered_by", "frequency", "school", "topup"]


class EhcProvisionDialog(QDialog):
    def __init__(self, session: Session, plan: EhcPlan, lines: list[EhcProvisionLine],
                 parent: QWidget | None = None, runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session, self.plan = session, plan
        self.runner = runner_for(session, runner, self)
        self.setWindowTitle("EHC plan provision and its cost - sendesk")
        fit_to_screen(self, 980, 480)
        self.table = QTableWidget(0, len(HEADERS), objectName="ehc_provision")
        self.table.setAccessibleName("EHC plan provision")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        for line in lines:
            self.add_line([line.description, line.area or "", line.delivered_by, line.frequency,
                           money_for_csv(line.school_pence), money_for_csv(line.topup_pence)],
                          line.id)
        self.table.setColumnWidth(0, 260)
        self.message = QLabel(objectName="message", wordWrap=True)
        self.message.setStyleSheet("color: #b3261e")
        add = QPushButton("&Add line", objectName="add_line")
        add.clicked.connect(lambda: self.add_line(["", "", "", "", "0", "0"]))
        remove = QPushButton("&Remove line", objectName="remove_line")
        remove.clicked.connect(self.remove_line)
        bar = QHBoxLayout()
        bar.addWidget(add)
        bar.addWidget(remove)
        bar.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            "Each line of provision the plan specifies (section F), with what it costs a year: "
            "the school's part comes from its notional SEN budget (usually the first £6,000), "
            "the rest is the local authority's top-up, as its letter sets out.", wordWrap=True))
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def add_line(self, values: list[str], line_id: int | None = None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if column == 0:
                item.setData(ID_ROLE, line_id)
            self.table.setItem(row, column, item)
        self.table.setCurrentCell(row, 0)
        return row

    def remove_line(self) -> None:
        if self.table.currentRow() >= 0:
            self.table.removeRow(self.table.currentRow())

    def lines(self) -> list[dict[str, Any]]:
        found = []
        for row in range(self.table.rowCount()):
            cells = {key: (self.table.item(row, c).text() if self.table.item(row, c) else "")
                     for c, key in enumerate(KEYS)}
            first = self.table.item(row, 0)
            found.append({**cells, "id": first.data(ID_ROLE) if first else None})
        return found

    def submit(self) -> bool:
        try:
            self.runner.call(ehc_costs.save_provision, self.plan.id, self.lines(), sender=self)
        except SendeskError as exc:
            self.message.setText(str(exc))
            return False
        self.accept()
        return True
