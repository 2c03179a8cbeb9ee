"""The Assess page: the pupil's strengths and needs, the tools used and their results, the
parents' and child's views, and the primary need to record on the SEN register."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...models.apdr import Part
from ...models.roles import Permission
from ...models.sen import need_codes
from ...records import apdr
from ..dates import uk
from ..forms import FieldSpec, FormWidget
from .page import Host, Page
from .view import CycleView
from .widgets import compact, scrolling, set_read_only, watch


class AssessPage(Page):
    part = Part.ASSESS
    TOOL_COLUMNS = ("Assessment tool", "Date used", "Result")

    def __init__(self, wizard: Host) -> None:
        super().__init__(wizard)
        self.form = FormWidget([
            FieldSpec("assessed_on", "Date of the assessment", "date", aliases=("Date of the assessment",)),
            FieldSpec("parent_views", "Parents' views", "text"),
            FieldSpec("child_views", "Child's views", "text"),
            FieldSpec("strengths", "Strengths", "text"),
            FieldSpec("needs", "Needs", "text"),
            FieldSpec("primary_need", "Primary need (census)", "choice",
                      [("", None)] + [(f"{c.code} - {c.label}", c.code) for c in need_codes().values()]),
        ])
        self.tools = QTableWidget(0, 3, objectName="tools")
        self.tools.setAccessibleName("Assessment tools used")
        self.tools.setHorizontalHeaderLabels(list(self.TOOL_COLUMNS))
        self.tools.horizontalHeader().setStretchLastSection(True)
        self.tools.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tools.setColumnWidth(0, 220)
        self.tools.verticalHeader().hide()
        self.tools.setMinimumHeight(110)
        self.tools.itemChanged.connect(lambda *_: self.touch())
        add_tool = QPushButton("&Add a tool", objectName="add_tool")
        # clicked(bool) must not reach add_tool_row as the row's values.
        add_tool.clicked.connect(lambda: self.start_tool_row())
        remove_tool = QPushButton("&Remove tool", objectName="remove_tool")
        remove_tool.clicked.connect(lambda: self.remove_tool_row())
        self.update_register = QCheckBox("Record this primary need on the SEN register",
                                         objectName="update_register")
        self.update_register.setChecked(True)
        self.update_register.setVisible(self.session.can(Permission.CHANGE_SEN_STATUS))
        self.finish = QPushButton("&Finish the assessment", objectName="finish_assess")
        self.finish.clicked.connect(lambda: self.complete())
        for widget in self.form.widgets.values():
            watch(widget, self.touch)
        compact(self.form)
        content = QWidget()
        layout = QVBoxLayout(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(content, "Assess page"))
        layout.addWidget(QLabel("<h3>Assess</h3>What the pupil's strengths and needs are, drawn from "
                                "assessments, the parents' views and the child's own views.",
                                wordWrap=True))
        layout.addWidget(QLabel("<b>Assessment tools and results</b>"))
        layout.addWidget(self.tools)
        row = QHBoxLayout()
        row.addWidget(add_tool)
        row.addWidget(remove_tool)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.seeded)
        layout.addWidget(self.form)
        layout.addWidget(self.update_register)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.finish)
        layout.addLayout(bottom)
        layout.addStretch(1)

    def editable(self) -> bool:
        cycle = self.wizard.cycle
        return (self.session.can(Permission.MANAGE_PLANS) and self.wizard.is_current
                and not (cycle.assessment and cycle.assessment.completed))

    def load(self, view: CycleView) -> None:
        self._loading = True
        found = view.cycle.assessment
        self.form.clear_errors()
        self.form.set_values({
            "assessed_on": found.assessed_on if found else self.session.clock.today(),
            "parent_views": found.parent_views if found else "",
            "child_views": found.child_views if found else "",
            "strengths": found.strengths if found else "",
            "needs": found.needs if found else "",
            "primary_need": (found.primary_need if found and found.primary_need is not None
                             else view.pupil.primary_need)})
        filled = self.offer(view, self.form, view.seed.assessment if view.seed else {})
        self.tools.setRowCount(0)
        for tool in (found.tools if found else ()):
            self.add_tool_row([tool.tool, uk(tool.used_on), tool.result], tool.id)
        editable = self.editable()
        set_read_only(self, not editable)
        self.finish.setVisible(editable)
        self.update_register.setVisible(editable and self.session.can(Permission.CHANGE_SEN_STATUS))
        for button in self.findChildren(QPushButton):
            if button.objectName() in ("add_tool", "remove_tool"):
                button.setVisible(editable)
        self.say(f"Finished on {uk(found.assessed_on)}." if found is not None and found.completed
                 else "")
        self._loading = False
        self.dirty = filled

    def add_tool_row(self, values: Sequence[str] = ("", "", ""), tool_id: int | None = None) -> None:
        row = self.tools.rowCount()
        self.tools.insertRow(row)
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if column == 0:
                item.setData(Qt.ItemDataRole.UserRole, tool_id)
            self.tools.setItem(row, column, item)
        self.touch()

    def start_tool_row(self) -> None:
        """'Add a tool': a blank row, its first cell ready for typing."""
        self.add_tool_row()
        row = self.tools.rowCount() - 1
        self.tools.setCurrentCell(row, 0)
        self.tools.editItem(self.tools.item(row, 0))

    def remove_tool_row(self) -> None:
        row = self.tools.currentRow()
        if row >= 0:
            self.tools.removeRow(row)
            self.touch()

    def raw(self) -> dict[str, Any]:
        values = self.form.values()
        tools = []
        for row in range(self.tools.rowCount()):
            cells = [self.tools.item(row, c).text() if self.tools.item(row, c) else "" for c in range(3)]
            tool_id = self.tools.item(row, 0).data(Qt.ItemDataRole.UserRole) if self.tools.item(row, 0) else None
            tools.append({"id": tool_id, "tool": cells[0], "used_on": cells[1], "result": cells[2]})
        return {**values, "tools": tools}

    def save_draft(self) -> bool:
        if not self.editable() or not self.dirty:
            return True
        self.form.clear_errors()
        saved = self.write(apdr.save_assessment, self.wizard.cycle_id, self.raw())
        if saved is None:
            return False
        self.dirty = False
        self._loading = True
        for row, tool in enumerate(saved.tools):
            self.tools.item(row, 0).setData(Qt.ItemDataRole.UserRole, tool.id)
        self._loading = False
        self.say("Draft saved.")
        return True

    def complete(self) -> None:
        if not self.save_draft():
            return
        done = self.write(apdr.complete_assessment, self.wizard.cycle_id,
                          update_register=self.update_register.isChecked()
                          and self.update_register.isVisible(), sender=self.finish)
        if done is not None:
            self.wizard.go_to(Part.PLAN)

    def mark(self, field: str | None) -> None:
        self.form.mark_error(field)


