"""The Assess-Plan-Do-Review wizard for one cycle of a pupil's SEND pathway.

One page per part. Each page saves as a draft (on Save draft, when another page is chosen,
every half-minute while there are unsaved changes, and on closing), so the wizard can be closed
and picked up again where it was left. The plan page checks outcomes for SMART-ness and works
out the yearly cost as the SENCO types, warning as it nears and passes the £6,000 notional
threshold. Finishing a part (finish the assessment, agree the plan, hold the review) goes
through the core, which refuses what the rules do not allow; its message is shown on the page.

Hook it in:  ApdrWizard(session, cycle_id, part=None, parent=None).open()
    part: "assess", "plan", "do" or "review" (default: where the cycle has got to).
    Signals: changed(int pupil_id) after anything is saved; review_held(object ReviewResult).
Staff who may add notes can use the Do page to log sessions; the other pages are read-only
for them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape
from typing import Any, Callable, Mapping, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QCheckBox, QComboBox, QDialog,
                               QFormLayout, QFrame, QGridLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QListWidget, QPlainTextEdit,
                               QPushButton, QRadioButton, QScrollArea, QStackedWidget,
                               QTableView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..errors import SendeskError, ValidationError
from ..models import dates, outcomes, provision, reviews
from ..models.apdr import Cycle, Decision, Part, Progress, Stage, allowed_decisions, decisions_for
from ..models.outcomes import PFA_AREAS
from ..models.provision import CostBasis, CostLevel
from ..models.roles import Permission
from ..models.sen import areas, need_codes
from ..records import apdr, school_calendar, specialists
from ..records.apdr import PlanCheck
from ..records.pupils import pupil_from_row
from ..records._common import pupil_row
from ..session import Session
from .apdr_models import AMBER, RED, plural
from .rows_model import Col, RowsModel
from .forms import FieldSpec, FormDialog, FormWidget
from .prompts import prompts
from .resources_qt import app_icon

AUTOSAVE_MS = 30_000
ERROR = "color: #b3261e"
money = provision.format_money


def uk(day: dt.date | None) -> str:
    return dates.format_uk(day) if day else ""


def _text_of(widget: QWidget) -> str:
    return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()


def watch(widget: QWidget, slot: Callable[[], None]) -> None:
    """Call slot whenever the user changes the widget."""
    if isinstance(widget, QPlainTextEdit):
        widget.textChanged.connect(slot)
    elif isinstance(widget, QLineEdit):
        widget.textChanged.connect(slot)
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(slot)


def set_read_only(root: QWidget, read_only: bool) -> None:
    for widget in root.findChildren(QWidget):
        if isinstance(widget, (QLineEdit, QPlainTextEdit)):
            widget.setReadOnly(read_only)
        elif isinstance(widget, QTableWidget):
            widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if read_only
                                   else QAbstractItemView.EditTrigger.AllEditTriggers)
        elif isinstance(widget, (QCheckBox, QComboBox, QRadioButton)):
            widget.setEnabled(not read_only)


def make_view(name: str, model: RowsModel, height: int = 150,
              stretch: Sequence[int] = ()) -> QTableView:
    """A read-only table; the `stretch` columns share the width and wrap, the rest fit their text."""
    view = QTableView(objectName=name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.setWordWrap(True)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for column in stretch:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(not stretch)
    view.setMinimumHeight(height)
    return view


def compact(root: QWidget, height: int = 76) -> None:
    """Keep free-text boxes a few lines high so a page reads as a form, not a wall of boxes."""
    for box in root.findChildren(QPlainTextEdit):
        box.setMinimumHeight(min(box.minimumHeight(), height))
        box.setMaximumHeight(height)


def scrolling(content: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(content)
    return scroll


def selected_row(view: QTableView) -> int | None:
    rows = view.selectionModel().selectedRows() if view.selectionModel() else []
    return rows[0].row() if rows else None


def bullet_list(lines: Sequence[str]) -> str:
    return "".join(f"&bull; {escape(line)}<br>" for line in lines)


# --- outcome and provision dialogs, with live checks ---------------------------------------------
AREA_CHOICES = [("", None)] + [(label, code) for code, label in areas().items()]
PFA_CHOICES = [("", None)] + [(label, code) for code, label in PFA_AREAS.items()]
BASIS_CHOICES = [(basis.label.capitalize(), basis.value) for basis in CostBasis]


class OutcomeDialog(FormDialog):
    """One outcome. The SMART check runs as the SENCO types."""

    def __init__(self, values: Mapping[str, Any] | None, year_group: str,
                 plan_date: Callable[[], dt.date | None], review_date: Callable[[], dt.date | None],
                 parent: QWidget | None = None) -> None:
        fields = [FieldSpec("text", "Outcome", "text", placeholder="What the pupil will be able to do",
                            aliases=("Outcome",)),
                  FieldSpec("measure", "How it will be measured", "text",
                            placeholder="for example '8 out of 10 tricky words on two checks'"),
                  FieldSpec("target_date", "To achieve by", "date", aliases=("Date to achieve it by",)),
                  FieldSpec("area", "Area of need", "choice", AREA_CHOICES),
                  FieldSpec("pfa_area", "Preparing for Adulthood", "choice", PFA_CHOICES)]
        self.cleaned: dict[str, Any] | None = None
        super().__init__("Outcome", fields, self._accept, values=values, parent=parent)
        self.setObjectName("outcome_dialog")
        self._year_group, self._plan_date, self._review_date = year_group, plan_date, review_date
        self.smart = QLabel(objectName="smart", wordWrap=True)
        self.smart.setTextFormat(Qt.TextFormat.RichText)
        self.layout().insertWidget(self.layout().indexOf(self.message), self.smart)
        for widget in self.form.widgets.values():
            watch(widget, self.check)
        self.check()

    def check(self) -> list[outcomes.SmartWarning]:
        values = self.form.values()
        try:
            target = dates.parse_date(values["target_date"], "Date", required=False)
        except ValidationError:
            target = None
        found = outcomes.outcome_warnings({**values, "target_date": target},
                                          plan_date=self._plan_date(), review_date=self._review_date())
        if outcomes.needs_pfa(self._year_group) and not values.get("pfa_area"):
            found.append(outcomes.SmartWarning(
                "pfa_suggested", f"Year {self._year_group}: consider linking this outcome to a "
                "Preparing for Adulthood area."))
        if found:
            self.smart.setText("<b>SMART check</b><br>" + bullet_list(
                [w.message[0].upper() + w.message[1:] for w in found]))
            self.smart.setStyleSheet(f"background: {AMBER.name()}; padding: 6px")
        else:
            self.smart.setText("SMART check: it has a measure and a date.")
            self.smart.setStyleSheet("color: #2e6b30; padding: 6px")
        return found

    def _accept(self, values: dict[str, Any]) -> dict[str, Any]:
        self.cleaned = outcomes.clean_outcome(values)
        return self.cleaned


class ItemDialog(FormDialog):
    """One provision item. Its yearly cost is worked out as the SENCO types."""

    def __init__(self, values: Mapping[str, Any] | None, parent: QWidget | None = None,
                 with_start: bool = False, title: str = "Provision") -> None:
        fields = [FieldSpec("description", "What the provision is", aliases=("description",)),
                  FieldSpec("area", "Area of need", "choice", AREA_CHOICES),
                  FieldSpec("delivered_by", "Who delivers it", placeholder="for example Teaching assistant"),
                  FieldSpec("group_size", "Group size", placeholder="1 for one-to-one"),
                  FieldSpec("sessions_per_week", "Sessions a week", placeholder="0.5 is once a fortnight"),
                  FieldSpec("minutes", "Minutes a session", aliases=("Minutes a session",)),
                  FieldSpec("weeks", "Weeks a year", placeholder=f"{provision.DEFAULT_WEEKS} for the whole year"),
                  FieldSpec("cost_basis", "Cost charged", "choice", BASIS_CHOICES),
                  FieldSpec("rate", "Hourly rate", placeholder="for example 18.50",
                            aliases=tuple(b.rate_label for b in CostBasis))]
        if with_start:
            fields.append(FieldSpec("started_on", "Starts on", "date", aliases=("Start date",)))
        self.cleaned: dict[str, Any] | None = None
        self.recommendation_id = (values or {}).get("recommendation_id")
        shown = dict(values or {})
        shown.setdefault("weeks", provision.DEFAULT_WEEKS)
        shown.setdefault("group_size", 1)
        if "rate_pence" in shown:
            shown["rate"] = provision.money_for_csv(int(shown["rate_pence"]))
        if isinstance(shown.get("cost_basis"), CostBasis):
            shown["cost_basis"] = shown["cost_basis"].value
        if isinstance(shown.get("sessions_per_week"), Decimal):
            shown["sessions_per_week"] = f"{shown['sessions_per_week'].normalize():f}"
        super().__init__(title, fields, self._accept, values=shown, parent=parent,
                         intro="Costs are for a year. Staff time and bought-in sessions are shared "
                               "by the pupils in the group; a yearly amount is this pupil's own.")
        self.setObjectName("item_dialog")
        self.cost = QLabel(objectName="cost", wordWrap=True)
        self.layout().insertWidget(self.layout().indexOf(self.message), self.cost)
        for widget in self.form.widgets.values():
            watch(widget, self.check)
        self.check()

    def check(self) -> int | None:
        values = self.form.values()
        basis = CostBasis(values["cost_basis"] or "hour")
        label = self.form.layout().labelForField(self.form.widgets["rate"])
        if label is not None:
            label.setText(basis.rate_label)
        try:
            item = provision.clean_item({**values, "description": values["description"] or "x"})
        except ValidationError as exc:
            self.cost.setText(f"Yearly cost: not worked out yet ({exc}).")
            self.cost.setStyleSheet("color: #555; padding: 6px")
            return None
        pence = provision.yearly_cost_pence(provision.costing_of(item))
        self.cost.setText(f"Yearly cost for this pupil: <b>{money(pence)}</b> "
                          f"({escape(provision.describe_frequency(item))}).")
        self.cost.setStyleSheet("padding: 6px")
        return pence

    def _accept(self, values: dict[str, Any]) -> dict[str, Any]:
        self.cleaned = provision.clean_item(values)
        if "started_on" in values:
            self.cleaned["started_on"] = dates.require_date(values["started_on"], "Start date")
        self.cleaned["recommendation_id"] = self.recommendation_id
        return self.cleaned


# --- the pages ---------------------------------------------------------------------------------
class _Page(QWidget):
    """A part of the cycle; dirty until its draft is saved."""

    part: Part

    def __init__(self, wizard: "ApdrWizard") -> None:
        super().__init__()
        self.wizard = wizard
        self.session = wizard.session
        self.dirty = False
        self._loading = False
        self.message = QLabel(wordWrap=True, objectName=f"{self.part.value}_message")

    def touch(self) -> None:
        if not self._loading:
            self.dirty = True

    def say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR if error else "color: #2e6b30")
        self.message.setText(text)

    def editable(self) -> bool:
        return False

    def load(self, cycle: Cycle) -> None:
        """Show the cycle's part (every page has its own)."""

    def save_draft(self) -> bool:
        """Save what is on the page; True when saved (or nothing needed saving)."""
        return True

    def run(self, action: Callable[[], Any]) -> Any:
        """Call the core; show its refusal on the page instead of raising."""
        try:
            return action()
        except ValidationError as exc:
            self.mark(exc.field)
            self.say(str(exc), error=True)
        except SendeskError as exc:
            self.say(str(exc), error=True)
        return None

    def mark(self, field: str | None) -> None:
        """Outline the field the core named (pages with a form do)."""


class AssessPage(_Page):
    part = Part.ASSESS
    TOOL_COLUMNS = ("Assessment tool", "Date used", "Result")

    def __init__(self, wizard: "ApdrWizard") -> None:
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
        self.tools.setHorizontalHeaderLabels(list(self.TOOL_COLUMNS))
        self.tools.horizontalHeader().setStretchLastSection(True)
        self.tools.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tools.setColumnWidth(0, 220)
        self.tools.verticalHeader().hide()
        self.tools.setMinimumHeight(110)
        self.tools.itemChanged.connect(lambda *_: self.touch())
        add_tool = QPushButton("Add a tool", objectName="add_tool")
        add_tool.clicked.connect(self.add_tool_row)
        remove_tool = QPushButton("Remove tool", objectName="remove_tool")
        remove_tool.clicked.connect(self.remove_tool_row)
        self.update_register = QCheckBox("Record this primary need on the SEN register",
                                         objectName="update_register")
        self.update_register.setChecked(True)
        self.update_register.setVisible(self.session.can(Permission.CHANGE_SEN_STATUS))
        self.finish = QPushButton("Finish the assessment", objectName="finish_assess")
        self.finish.clicked.connect(self.complete)
        for widget in self.form.widgets.values():
            watch(widget, self.touch)
        compact(self.form)
        content = QWidget()
        layout = QVBoxLayout(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(content))
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

    def load(self, cycle: Cycle) -> None:
        self._loading = True
        found = cycle.assessment
        if found is None:
            self.form.set_values({"assessed_on": self.session.clock.today()})
        else:
            self.form.set_values({"assessed_on": found.assessed_on, "parent_views": found.parent_views,
                                  "child_views": found.child_views, "strengths": found.strengths,
                                  "needs": found.needs, "primary_need": found.primary_need})
        if found is None or found.primary_need is None:
            current = pupil_row(self.session, self.wizard.pupil.id)["primary_need"]
            self.form.set_values({"primary_need": current})
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
        if found is not None and found.completed:
            self.say(f"Finished on {uk(found.assessed_on)}.")
        self._loading = False
        self.dirty = False

    def add_tool_row(self, values: Sequence[str] = ("", "", ""), tool_id: int | None = None) -> None:
        row = self.tools.rowCount()
        self.tools.insertRow(row)
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if column == 0:
                item.setData(Qt.ItemDataRole.UserRole, tool_id)
            self.tools.setItem(row, column, item)
        self.touch()

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
        saved = self.run(lambda: apdr.save_assessment(self.session, self.wizard.cycle_id, self.raw()))
        if saved is None:
            return False
        self.dirty = False
        self.wizard.saved()
        self._loading = True
        for row, tool in enumerate(saved.tools):
            self.tools.item(row, 0).setData(Qt.ItemDataRole.UserRole, tool.id)
        self._loading = False
        self.say("Draft saved.")
        return True

    def complete(self) -> None:
        if not self.save_draft():
            return
        done = self.run(lambda: apdr.complete_assessment(
            self.session, self.wizard.cycle_id,
            update_register=self.update_register.isChecked() and self.update_register.isVisible()))
        if done is not None:
            self.wizard.saved()
            self.wizard.reload(Part.PLAN)

    def mark(self, field: str | None) -> None:
        self.form.mark_error(field)


class PlanPage(_Page):
    part = Part.PLAN

    def __init__(self, wizard: "ApdrWizard") -> None:
        super().__init__(wizard)
        self.outcome_rows: list[dict[str, Any]] = []
        self.item_rows: list[dict[str, Any]] = []
        self.core_problems: tuple[str, ...] = ()
        self.form = FormWidget([
            FieldSpec("aspirations", "Aspirations", "text",
                      placeholder="What the pupil and family hope for, in their words"),
            FieldSpec("plan_date", "Plan agreed on", "date", aliases=("Plan date",)),
            FieldSpec("review_date", "Review date", "date", aliases=("Review date",)),
        ])
        self.review_hint = QLabel(objectName="review_hint", wordWrap=True)
        self.review_hint.setStyleSheet("color: #555")
        for widget in self.form.widgets.values():
            watch(widget, self.changed)
        self.outcome_model: RowsModel[dict] = RowsModel([
            Col("#", lambda o: o["_n"], align_right=True),
            Col("Outcome", lambda o: o["text"]),
            Col("How it will be measured", lambda o: o["measure"]),
            Col("By", lambda o: uk(o["target_date"])),
            Col("Preparing for Adulthood", lambda o: PFA_AREAS.get(o["pfa_area"] or "", "")),
        ], background=self._outcome_colour, parent=self)
        self.outcome_view = make_view("outcomes", self.outcome_model, stretch=(1, 2))
        self.outcome_view.doubleClicked.connect(lambda *_: self.edit_outcome())
        self.recommended_by: dict[int, str] = {}
        self.item_model: RowsModel[dict] = RowsModel([
            Col("Provision", lambda i: i["description"]),
            Col("Area", lambda i: i["area"] or ""),
            Col("Delivered by", lambda i: i["delivered_by"]),
            Col("How often", lambda i: provision.describe_frequency(i)),
            Col("Rate", lambda i: f"{money(i['rate_pence'])} {CostBasis(i['cost_basis']).label}"),
            Col("Yearly cost", lambda i: money(provision.yearly_cost_pence(provision.costing_of(i))),
                align_right=True),
            Col("Recommended by", lambda i: self.recommended_by.get(i.get("recommendation_id"), "")),
        ], parent=self)
        self.item_view = make_view("items", self.item_model, 200, stretch=(0, 2, 3, 4, 6))
        self.item_view.doubleClicked.connect(lambda *_: self.edit_item())
        self.cost = QLabel(objectName="cost", wordWrap=True)
        self.warnings = QLabel(objectName="warnings", wordWrap=True)
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        self.recommendations = QLabel(objectName="recommendations", wordWrap=True)
        self.recommendations.setStyleSheet(f"background: {AMBER.name()}; padding: 6px")
        self.buttons: list[QPushButton] = []

        def button(text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
            widget = QPushButton(text, objectName=name)
            widget.clicked.connect(slot)
            self.buttons.append(widget)
            return widget

        self.copy_button = button("Start from the last plan", "copy_plan", self.copy_previous)
        outcome_bar = QHBoxLayout()
        for widget in (button("Add outcome...", "add_outcome", self.add_outcome),
                       button("Edit...", "edit_outcome", self.edit_outcome),
                       button("Remove", "remove_outcome", self.remove_outcome)):
            outcome_bar.addWidget(widget)
        outcome_bar.addStretch(1)
        item_bar = QHBoxLayout()
        for widget in (button("Add provision...", "add_item", self.add_item),
                       button("From a specialist's recommendation...", "add_recommended",
                              self.add_recommended),
                       button("Edit...", "edit_item", self.edit_item),
                       button("Remove", "remove_item", self.remove_item)):
            item_bar.addWidget(widget)
        item_bar.addStretch(1)
        self.agree = button("Agree the plan", "agree_plan", self.agree_plan)
        compact(self.form)
        content = QWidget()
        layout = QVBoxLayout(content)
        top = QHBoxLayout()
        top.addWidget(QLabel("<h3>Plan</h3>The outcomes agreed with the pupil and parents, the "
                             "provision that will help reach them, and when it will be reviewed."), 1)
        top.addWidget(self.copy_button)
        layout.addLayout(top)
        layout.addWidget(self.form)
        layout.addWidget(self.review_hint)
        layout.addWidget(QLabel("<b>Outcomes</b> (about six)"))
        layout.addWidget(self.outcome_view)
        layout.addLayout(outcome_bar)
        layout.addWidget(QLabel("<b>Provision</b> (additional to or different from good "
                                "whole-class teaching)"))
        layout.addWidget(self.recommendations)
        layout.addWidget(self.item_view)
        layout.addLayout(item_bar)
        layout.addWidget(self.cost)
        layout.addWidget(self.warnings)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.agree)
        layout.addLayout(bottom)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(content))

    # --- state ---
    def editable(self) -> bool:
        cycle = self.wizard.cycle
        return (self.session.can(Permission.MANAGE_PLANS) and self.wizard.is_current
                and not (cycle.plan and cycle.plan.agreed))

    def load(self, cycle: Cycle) -> None:
        self._loading = True
        plan = cycle.plan
        if plan is None:
            self.form.set_values({"aspirations": "", "plan_date": self.session.clock.today(),
                                  "review_date": ""})
            self.outcome_rows, self.item_rows = [], []
        else:
            self.form.set_values({"aspirations": plan.aspirations, "plan_date": plan.plan_date,
                                  "review_date": plan.review_date})
            self.outcome_rows = [dict(o.fields(), id=o.id) for o in plan.outcomes]
            self.item_rows = [dict(i.fields(), id=i.id, recommendation_id=i.recommendation_id)
                              for i in plan.items]
        self.recommended_by = {r.id: found.service
                               for found in specialists.involvements(self.session, self.wizard.pupil.id)
                               for r in found.recommendations}
        editable = self.editable()
        set_read_only(self.form, not editable)
        self.review_hint.setVisible(editable)
        for widget in self.buttons:
            widget.setVisible(editable)
        self.copy_button.setVisible(editable and cycle.number > 1 and not self.outcome_rows
                                    and not self.item_rows)
        self.core_problems = ()
        if plan is not None and plan.agreed:
            self.say(f"Agreed on {uk(plan.plan_date)}; review on {uk(plan.review_date)}.")
        self._loading = False
        self.dirty = False
        self.refresh_lists()

    def changed(self) -> None:
        self.touch()
        self.core_problems = ()
        self.refresh_checks()

    def refresh_lists(self) -> None:
        for n, row in enumerate(self.outcome_rows, start=1):
            row["_n"] = n
        self.outcome_model.set_rows(self.outcome_rows)
        total = self.yearly_cost()
        self.item_model.set_rows(self.item_rows, ["Total", "", "", "", "", money(total), ""]
                                 if self.item_rows else None)
        self.refresh_checks()

    def _date(self, key: str) -> dt.date | None:
        try:
            return dates.parse_date(self.form.values()[key], key, required=False)
        except ValidationError:
            return None

    def yearly_cost(self) -> int:
        return provision.total_pence(provision.yearly_cost_pence(provision.costing_of(i))
                                     for i in self.item_rows if i.get("ended_on") is None)

    def smart_warnings(self) -> list[outcomes.SmartWarning]:
        return outcomes.plan_warnings(self.outcome_rows, year_group=self.wizard.pupil.details.year_group,
                                      plan_date=self._date("plan_date"),
                                      review_date=self._date("review_date"))

    def _outcome_colour(self, row: dict) -> Any:
        position = row["_n"] - 1
        return AMBER if any(w.outcome == position for w in self.smart_warnings()) else None

    def refresh_checks(self) -> None:
        """Live: the review date limit, the cost against the threshold, the SMART warnings."""
        plan_date = self._date("plan_date")
        if plan_date is not None:
            term = reviews.next_term(plan_date, school_calendar.load(self.wizard.session))
            self.review_hint.setText(f"Agree a review date with the parents no later than "
                                     f"{uk(term.end)} (the end of the {term.name.lower()} term); "
                                     "sooner if needs are changing.")
        total = self.yearly_cost()
        level = provision.cost_level(total)
        warning = provision.cost_warning(total)
        share = int(Decimal(total) * 100 / provision.NOTIONAL_THRESHOLD_PENCE)
        self.cost.setText(warning or f"Yearly cost of this plan: {money(total)} ({share} % of the "
                          f"{provision.format_pounds(provision.NOTIONAL_THRESHOLD_PENCE)} notional "
                          "threshold).")
        colour = {CostLevel.NEAR: AMBER, CostLevel.OVER: RED}.get(level)
        self.cost.setStyleSheet(f"padding: 6px; background: {colour.name()}" if colour else "padding: 6px")
        self.cost.setProperty("level", level.value)
        lines = [str(w) for w in self.smart_warnings()]
        if self.editable() or self.core_problems:
            lines = list(self.core_problems) + lines
        self.warnings.setText(("<b>Check before agreeing</b><br>" + bullet_list(lines)) if lines
                              else "The outcomes have measures and dates.")
        self.warnings.setStyleSheet(f"padding: 6px; background: {AMBER.name()}" if lines
                                    else "padding: 6px; color: #2e6b30")
        waiting = [r for r in specialists.recommendations_not_in_plan(self.session, self.wizard.pupil.id)
                   if r.id not in {i.get("recommendation_id") for i in self.item_rows}]
        self.waiting = waiting
        self.recommendations.setVisible(bool(waiting))
        self.recommendations.setText("Specialists' recommendations not yet in the plan: "
                                     + "; ".join(f"{r.service}: {r.text}" for r in waiting))

    # --- outcomes and provision ---
    def _dialog_dates(self) -> tuple[Callable[[], dt.date | None], Callable[[], dt.date | None]]:
        return (lambda: self._date("plan_date")), (lambda: self._date("review_date"))

    def add_outcome(self) -> OutcomeDialog:
        dialog = OutcomeDialog(None, self.wizard.pupil.details.year_group, *self._dialog_dates(),
                               parent=self)
        dialog.accepted.connect(lambda: self._put(self.outcome_rows, None, dialog.cleaned))
        dialog.open()
        return dialog

    def edit_outcome(self) -> OutcomeDialog | None:
        row = selected_row(self.outcome_view)
        if row is None or not self.editable():
            return None
        current = self.outcome_rows[row]
        dialog = OutcomeDialog(current, self.wizard.pupil.details.year_group, *self._dialog_dates(),
                               parent=self)
        dialog.accepted.connect(lambda: self._put(self.outcome_rows, row, dialog.cleaned))
        dialog.open()
        return dialog

    def _put(self, rows: list[dict[str, Any]], row: int | None, cleaned: dict[str, Any] | None) -> None:
        """A dialog's result into the list: a new row, or a replacement keeping the stored id."""
        if cleaned is None:
            return
        if row is None:
            rows.append(dict(cleaned, id=None))
        else:
            rows[row] = dict(cleaned, id=rows[row].get("id"))
        self.touch()
        self.refresh_lists()

    def _remove(self, view: QTableView, rows: list[dict[str, Any]]) -> None:
        row = selected_row(view)
        if row is not None and row < len(rows):
            del rows[row]
            self.touch()
            self.refresh_lists()

    def remove_outcome(self) -> None:
        self._remove(self.outcome_view, self.outcome_rows)

    def add_item(self, values: Mapping[str, Any] | None = None) -> ItemDialog:
        dialog = ItemDialog(values, parent=self)
        dialog.accepted.connect(lambda: self._put(self.item_rows, None, dialog.cleaned))
        dialog.open()
        return dialog

    def add_recommended(self) -> ItemDialog | None:
        """Carry a specialist's recommendation into the plan as a provision item."""
        if not self.waiting:
            self.say("There are no specialists' recommendations waiting to go into the plan.")
            return None
        recommendation = self.waiting[0]
        if len(self.waiting) > 1:
            chooser = FormDialog("Choose a recommendation", [FieldSpec(
                "recommendation", "Recommendation", "choice",
                [(f"{r.service}: {r.text}", r.id) for r in self.waiting])], lambda v: v["recommendation"],
                parent=self)
            if chooser.exec() != QDialog.DialogCode.Accepted:
                return None
            recommendation = next(r for r in self.waiting if r.id == chooser.result_value)
        return self.add_item({"description": recommendation.text[:200],
                              "recommendation_id": recommendation.id})

    def edit_item(self) -> ItemDialog | None:
        row = selected_row(self.item_view)
        if row is None or not self.editable() or row >= len(self.item_rows):
            return None
        dialog = ItemDialog(self.item_rows[row], parent=self)
        dialog.accepted.connect(lambda: self._put(self.item_rows, row, dialog.cleaned))
        dialog.open()
        return dialog

    def remove_item(self) -> None:
        self._remove(self.item_view, self.item_rows)

    # --- saving ---
    def raw(self) -> dict[str, Any]:
        keep_outcome = ("id", "text", "measure", "target_date", "area", "pfa_area")
        keep_item = ("id", "recommendation_id", "description", "area", "delivered_by", "group_size", "sessions_per_week", "minutes",
                     "weeks", "cost_basis", "rate_pence")
        return {**self.form.values(),
                "outcomes": [{k: o.get(k) for k in keep_outcome} for o in self.outcome_rows],
                "items": [{k: i.get(k) for k in keep_item} for i in self.item_rows]}

    def save_draft(self) -> bool:
        if not self.editable() or not self.dirty:
            return True
        self.form.clear_errors()
        check = self.run(lambda: apdr.save_plan(self.session, self.wizard.cycle_id, self.raw()))
        if check is None:
            return False
        self.dirty = False
        self.wizard.saved()
        plan = apdr.get_cycle(self.session, self.wizard.cycle_id).plan
        for row, outcome in zip(self.outcome_rows, plan.outcomes):
            row["id"] = outcome.id
        for row, item in zip(self.item_rows, plan.items):
            row["id"] = item.id
        self.show_check(check)
        self.say("Draft saved.")
        return True

    def show_check(self, check: PlanCheck) -> None:
        self.core_problems = check.problems
        self.refresh_checks()

    def copy_previous(self) -> None:
        check = self.run(lambda: apdr.copy_previous_plan(self.session, self.wizard.cycle_id))
        if check is not None:
            self.wizard.saved()
            self.load(apdr.get_cycle(self.session, self.wizard.cycle_id))
            self.show_check(check)
            self.say("The last plan's aspirations, outcomes not yet achieved and provision still "
                     "running have been copied in. Give the outcomes new dates.")

    def agree_plan(self) -> None:
        if not self.save_draft():
            return
        check = self.run(lambda: apdr.check_plan(self.session, self.wizard.cycle_id))
        if check is None:
            return
        if check.problems:
            self.show_check(check)
            self.say(check.problems[0], error=True)
            return
        text = "Agree this plan with the parents? Once agreed it cannot be changed; provision can " \
               "still be added or ended."
        if check.smart:
            text += f"\n\nIt still has {len(check.smart)} SMART warning(s)."
        if check.cost_warning:
            text += "\n\n" + check.cost_warning
        if not prompts.confirm(self, "Agree the plan", text):
            return
        if self.run(lambda: apdr.agree_plan(self.session, self.wizard.cycle_id)) is not None:
            self.wizard.saved()
            self.wizard.reload(Part.DO)

    def mark(self, field: str | None) -> None:
        self.form.mark_error(field)


class DoPage(_Page):
    part = Part.DO

    def __init__(self, wizard: "ApdrWizard") -> None:
        super().__init__(wizard)
        self.item_model: RowsModel[Any] = RowsModel([
            Col("Provision", lambda i: i.description),
            Col("Delivered by", lambda i: i.delivered_by),
            Col("How often", lambda i: i.frequency),
            Col("From", lambda i: uk(i.started_on)),
            Col("Ended", lambda i: f"{uk(i.ended_on)}: {i.end_reason}" if i.ended_on else ""),
        ], parent=self)
        self.item_view = make_view("do_items", self.item_model, 110, stretch=(0, 1, 2, 4))
        self.log_model: RowsModel[Any] = RowsModel([
            Col("Date", lambda e: uk(e.delivered_on)),
            Col("Provision", lambda e: e.item),
            Col("Session", lambda e: ("Withdrawn: " if e.withdrawn else "")
                + ("Delivered" if e.delivered else "Missed")),
            Col("Note", lambda e: e.note + (f" (withdrawn: {e.withdrawn_reason})" if e.withdrawn else "")),
            Col("Logged by", lambda e: e.entered_by),
        ], background=lambda e: AMBER if not e.delivered and not e.withdrawn else None, parent=self)
        self.log_view = make_view("log", self.log_model, 150, stretch=(1, 3))
        self.summary = QLabel(objectName="delivery_summary")
        self.log_date = QLineEdit(objectName="log_date", placeholderText="dd/mm/yyyy")
        self.log_item = QComboBox(objectName="log_item")
        self.delivered = QRadioButton("Delivered", objectName="delivered")
        self.missed = QRadioButton("Missed", objectName="missed")
        self.delivered.setChecked(True)
        self.log_note = QLineEdit(objectName="log_note", placeholderText="Why it was missed, or a note")
        self.log_button = QPushButton("Log session", objectName="log_session")
        self.log_button.clicked.connect(self.log_session)
        self.withdraw_button = QPushButton("Withdraw entry...", objectName="withdraw")
        self.withdraw_button.clicked.connect(self.withdraw)
        self.add_button = QPushButton("Add provision...", objectName="add_provision")
        self.add_button.clicked.connect(self.add_provision)
        self.end_button = QPushButton("End provision...", objectName="end_provision")
        self.end_button.clicked.connect(self.end_provision)
        self.shared_button = QPushButton("Copy given to parents...", objectName="plan_shared")
        self.shared_button.clicked.connect(self.plan_shared)
        form = QGridLayout()
        form.addWidget(QLabel("Date"), 0, 0)
        form.addWidget(self.log_date, 0, 1)
        form.addWidget(QLabel("Provision"), 0, 2)
        form.addWidget(self.log_item, 0, 3)
        form.addWidget(self.delivered, 0, 4)
        form.addWidget(self.missed, 0, 5)
        form.addWidget(QLabel("Note"), 1, 0)
        form.addWidget(self.log_note, 1, 1, 1, 4)
        form.addWidget(self.log_button, 1, 5)
        form.setColumnStretch(3, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h3>Do</h3>The provision runs until the review. The class teacher "
                                "stays responsible for the pupil day to day; whoever delivers a "
                                "session logs it here.", wordWrap=True))
        layout.addWidget(self.item_view)
        plan_bar = QHBoxLayout()
        for widget in (self.add_button, self.end_button, self.shared_button):
            plan_bar.addWidget(widget)
        plan_bar.addStretch(1)
        layout.addLayout(plan_bar)
        layout.addWidget(QLabel("<b>Delivery log</b>"))
        layout.addLayout(form)
        layout.addWidget(self.log_view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.withdraw_button)
        layout.addLayout(bottom)
        layout.addWidget(self.message)

    def load(self, cycle: Cycle) -> None:
        plan = cycle.plan
        running = plan is not None and plan.agreed and not cycle.reviewed and self.wizard.is_current
        self.item_model.set_rows(list(plan.items) if plan and plan.agreed else [])
        self.log_item.clear()
        for item in (plan.active_items if plan and plan.agreed else ()):
            self.log_item.addItem(item.description, item.id)
        self.log_date.setText(uk(self.session.clock.today()))
        entries = apdr.delivery_log(self.session, cycle.id)
        self.log_model.set_rows(entries)
        counted = [e for e in entries if not e.withdrawn]
        delivered = sum(1 for e in counted if e.delivered)
        self.summary.setText(f"{plural(delivered, 'session')} delivered, "
                             f"{len(counted) - delivered} missed." if counted
                             else "No sessions logged yet.")
        may_log = running and (self.session.can(Permission.ADD_NOTES)
                               or self.session.can(Permission.MANAGE_PLANS))
        may_plan = running and self.session.can(Permission.MANAGE_PLANS)
        for widget in (self.log_date, self.log_item, self.delivered, self.missed, self.log_note,
                       self.log_button, self.withdraw_button):
            widget.setEnabled(may_log)
        for widget in (self.add_button, self.end_button, self.shared_button):
            widget.setVisible(may_plan)
        if plan is None or not plan.agreed:
            self.say("The provision starts once the plan is agreed.")

    def log_session(self) -> None:
        item_id = self.log_item.currentData()
        if item_id is None:
            self.say("There is no running provision to log.", error=True)
            return
        done = self.run(lambda: apdr.log_delivery(self.session, item_id, self.log_date.text(),
                                                  self.delivered.isChecked(), self.log_note.text()))
        if done is not None:
            self.log_note.clear()
            self.say("Session logged.")
            self.wizard.saved()
            self.load(self.wizard.refresh_cycle())

    def withdraw(self) -> FormDialog | None:
        row = selected_row(self.log_view)
        entry = self.log_model.row_object(row) if row is not None else None
        if entry is None:
            self.say("Choose the log entry to withdraw.", error=True)
            return None
        dialog = FormDialog("Withdraw a log entry", [FieldSpec("reason", "Reason", "text")],
                            lambda v: apdr.withdraw_delivery(self.session, entry.id, v["reason"]),
                            intro="The entry stays in the log, struck out, with your reason.",
                            parent=self)
        dialog.accepted.connect(self._after_plan_change)
        dialog.open()
        return dialog

    def add_provision(self) -> ItemDialog:
        dialog = ItemDialog({"started_on": self.session.clock.today()}, parent=self, with_start=True,
                            title="Add provision to the agreed plan")
        dialog._save = lambda values: apdr.add_provision(  # type: ignore[method-assign]
            self.session, self.wizard.cycle_id, values, values.get("started_on"))
        dialog.accepted.connect(self._after_plan_change)
        dialog.open()
        return dialog

    def end_provision(self) -> FormDialog | None:
        row = selected_row(self.item_view)
        item = self.item_model.row_object(row) if row is not None else None
        if item is None or item.ended_on is not None:
            self.say("Choose running provision to end.", error=True)
            return None
        dialog = FormDialog("End provision early", [
            FieldSpec("ended_on", "End date", "date"), FieldSpec("reason", "Reason", "text")],
            lambda v: apdr.end_provision(self.session, item.id, v["ended_on"], v["reason"]),
            values={"ended_on": self.session.clock.today()}, parent=self)
        dialog.accepted.connect(self._after_plan_change)
        dialog.open()
        return dialog

    def plan_shared(self) -> FormDialog:
        dialog = FormDialog("Copy of the plan given to the parents", [
            FieldSpec("shared_on", "Date given", "date", aliases=("Date shared",))],
            lambda v: apdr.record_plan_shared(self.session, self.wizard.cycle_id, v["shared_on"]),
            values={"shared_on": self.session.clock.today()}, parent=self)
        dialog.accepted.connect(self._after_plan_change)
        dialog.open()
        return dialog

    def _after_plan_change(self) -> None:
        self.wizard.saved()
        self.wizard.reload(Part.DO)


GIVEN_AS = [("", ""), ("At the meeting", "meeting"), ("Written report", "report"),
            ("Email", "email"), ("Telephone", "telephone")]
PROGRESS = [("", None)] + [(p.label, p.value) for p in Progress]


class ReviewPage(_Page):
    part = Part.REVIEW

    def __init__(self, wizard: "ApdrWizard") -> None:
        super().__init__(wizard)
        self.form = FormWidget([
            FieldSpec("held_on", "Date of the review meeting", "date", aliases=("Date of the review",)),
            FieldSpec("attendees", "Who attended", "text", placeholder="One person a line, with their role"),
            FieldSpec("child_views", "Child's views", "text"),
            FieldSpec("parent_views", "Parents' views", "text"),
            FieldSpec("staff_views", "Staff views", "text"),
        ])
        for widget in self.form.widgets.values():
            watch(widget, self.touch)
        self.progress_box = QGroupBox("Progress towards each outcome")
        self.progress_grid = QGridLayout(self.progress_box)
        self.progress_widgets: dict[int, tuple[QComboBox, QLineEdit]] = {}
        self.specialist_box = QGroupBox("Views of specialists actively involved")
        self.specialist_form = QFormLayout(self.specialist_box)
        self.specialist_widgets: dict[int, tuple[QPlainTextEdit, QComboBox]] = {}
        self.at_risk = QCheckBox("The pupil is at risk of exclusion", objectName="at_risk")
        self.at_risk.toggled.connect(self._risk_changed)
        self.risk_note = QLabel(objectName="risk_note", wordWrap=True)
        self.risk_note.setStyleSheet(f"background: {RED.name()}; padding: 6px")
        self.decision_box = QGroupBox("Decision: the next step")
        box_layout = QVBoxLayout(self.decision_box)
        self.decision_layout = QVBoxLayout()
        self.decision_group = QButtonGroup(self)
        self.decision_buttons: dict[Decision, QRadioButton] = {}
        self.decision_group.buttonToggled.connect(lambda *_: self._decision_changed())
        self.explanation = QLabel(objectName="decision_explanation", wordWrap=True)
        self.explanation.setStyleSheet("color: #555")
        self.decision_notes = QPlainTextEdit(objectName="decision_notes")
        self.decision_notes.setPlaceholderText("What was agreed, by whom, and why")
        self.decision_notes.setMaximumHeight(70)
        self.decision_notes.setTabChangesFocus(True)
        self.decision_notes.textChanged.connect(self.touch)
        box_layout.addLayout(self.decision_layout)
        box_layout.addWidget(self.explanation)
        box_layout.addWidget(QLabel("Notes on the decision"))
        box_layout.addWidget(self.decision_notes)
        self.hold = QPushButton("Hold the review", objectName="hold_review")
        self.hold.clicked.connect(self.hold_review)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(QLabel("<h3>Review</h3>Progress against each outcome, everyone's views "
                                "and the decision about what happens next."))
        layout.addWidget(self.form)
        layout.addWidget(self.progress_box)
        layout.addWidget(self.specialist_box)
        layout.addWidget(self.at_risk)
        layout.addWidget(self.risk_note)
        layout.addWidget(self.decision_box)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.hold)
        layout.addLayout(bottom)
        compact(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(content))

    def editable(self) -> bool:
        cycle = self.wizard.cycle
        return (self.session.can(Permission.MANAGE_PLANS) and self.wizard.is_current
                and cycle.plan is not None and cycle.plan.agreed and not cycle.reviewed)

    def load(self, cycle: Cycle) -> None:
        self._loading = True
        review = cycle.review
        self.form.set_values({
            "held_on": review.held_on if review and review.held_on else
            (cycle.plan.review_date if cycle.plan and cycle.plan.review_date
             and cycle.plan.review_date <= self.session.clock.today() else self.session.clock.today()),
            "attendees": review.attendees if review else "",
            "child_views": review.child_views if review else "",
            "parent_views": review.parent_views if review else "",
            "staff_views": review.staff_views if review else ""})
        self._fill_progress(cycle)
        self._fill_specialists(cycle)
        self.at_risk.setChecked(bool(review and review.at_risk_of_exclusion))
        self._fill_decisions(cycle.stage, review.decision if review else None)
        self.decision_notes.setPlainText(review.decision_notes if review else "")
        editable = self.editable()
        set_read_only(self, not editable)
        self.hold.setVisible(editable)
        if cycle.plan is None or not cycle.plan.agreed:
            self.say("The review follows an agreed plan.")
        elif cycle.reviewed:
            self.say(f"Held on {uk(review.held_on)}: {review.decision.label.lower()}.")
        self._risk_changed(self.at_risk.isChecked(), touch=False)
        self._loading = False
        self.dirty = False

    def _clear(self, layout) -> None:
        while layout.count():
            item = layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    def _fill_progress(self, cycle: Cycle) -> None:
        self._clear(self.progress_grid)
        self.progress_widgets = {}
        plan = cycle.plan
        review = cycle.review
        for row, outcome in enumerate(plan.outcomes if plan else ()):
            label = QLabel(f"<b>{row + 1}.</b> {escape(outcome.text)}<br><span style='color:#555'>"
                           f"{escape(outcome.measure)}</span>", wordWrap=True)
            combo = QComboBox(objectName=f"progress_{row + 1}")
            for text, value in PROGRESS:
                combo.addItem(text, value)
            comment = QLineEdit(objectName=f"comment_{row + 1}", placeholderText="Evidence of progress")
            level, words = (review.progress.get(outcome.id, (None, "")) if review else (None, ""))
            combo.setCurrentIndex(max(0, combo.findData(level.value if level else None)))
            comment.setText(words)
            watch(combo, self.touch)
            watch(comment, self.touch)
            self.progress_grid.addWidget(label, row, 0)
            self.progress_grid.addWidget(combo, row, 1)
            self.progress_grid.addWidget(comment, row, 2)
            self.progress_widgets[outcome.id] = (combo, comment)
        self.progress_grid.setColumnStretch(0, 3)
        self.progress_grid.setColumnStretch(2, 2)

    def _fill_specialists(self, cycle: Cycle) -> None:
        self._clear(self.specialist_form)
        self.specialist_widgets = {}
        review = cycle.review
        saved = {v.involvement_id: v for v in (review.specialist_views if review else ())}
        day = (review.held_on if review and review.held_on else self.session.clock.today())
        involved = {i.id: i for i in specialists.active_on(self.session, self.wizard.pupil.id, day)}
        for involvement_id in saved:
            if involvement_id not in involved:
                for found in specialists.involvements(self.session, self.wizard.pupil.id):
                    if found.id == involvement_id:
                        involved[found.id] = found
        for involvement in involved.values():
            view = QPlainTextEdit(objectName=f"specialist_view_{involvement.id}")
            view.setMaximumHeight(60)
            view.setTabChangesFocus(True)
            given = QComboBox(objectName=f"specialist_given_{involvement.id}")
            for text, value in GIVEN_AS:
                given.addItem(text, value)
            if involvement.id in saved:
                view.setPlainText(saved[involvement.id].view)
                given.setCurrentIndex(max(0, given.findData(saved[involvement.id].given_as)))
            watch(view, self.touch)
            watch(given, self.touch)
            box = QHBoxLayout()
            box.addWidget(view, 1)
            box.addWidget(given)
            self.specialist_form.addRow(involvement.service, box)
            self.specialist_widgets[involvement.id] = (view, given)
        self.specialist_box.setVisible(bool(involved))

    def _fill_decisions(self, stage: Stage, chosen: Decision | None) -> None:
        for button in self.decision_buttons.values():
            self.decision_group.removeButton(button)
        self._clear(self.decision_layout)
        self.decision_buttons = {}
        for decision in decisions_for(stage):
            button = QRadioButton(decision.label, objectName=f"decision_{decision.value}")
            self.decision_group.addButton(button)
            self.decision_layout.addWidget(button)
            self.decision_buttons[decision] = button
            if decision is chosen:
                button.setChecked(True)
        self._decision_changed()

    def chosen(self) -> Decision | None:
        for decision, button in self.decision_buttons.items():
            if button.isChecked():
                return decision
        return None

    def _decision_changed(self) -> None:
        self.touch()
        decision = self.chosen()
        self.explanation.setText(decision.explanation if decision else "")

    def _risk_changed(self, at_risk: bool, touch: bool = True) -> None:
        if touch:
            self.touch()
        allowed = allowed_decisions(self.wizard.cycle.stage, at_risk)
        for decision, button in self.decision_buttons.items():
            button.setEnabled(self.editable() and decision in allowed)
            button.setToolTip("" if decision in allowed else
                              "Not while the pupil is at risk of exclusion: the provision must change.")
            if decision not in allowed and button.isChecked():
                self.decision_group.setExclusive(False)
                button.setChecked(False)
                self.decision_group.setExclusive(True)
        self.risk_note.setVisible(at_risk)
        advice = ("Engage specialist services to join the cycle (the specialist stage) and look at "
                  "the exclusion prevention guidance." if self.wizard.cycle.stage is Stage.TARGETED
                  else "Review the provision with the specialists involved; consider alternative "
                       "provision and the exclusion prevention guidance.")
        self.risk_note.setText("A pupil at SEN support who is at risk of exclusion is a sign their "
                               "needs are not being met: the next plan must change the provision. "
                               + advice)

    def raw(self) -> dict[str, Any]:
        decision = self.chosen()
        return {**self.form.values(),
                "at_risk_of_exclusion": self.at_risk.isChecked(),
                "decision": decision.value if decision else None,
                "decision_notes": self.decision_notes.toPlainText(),
                "progress": {outcome_id: {"progress": combo.currentData(), "comment": comment.text()}
                             for outcome_id, (combo, comment) in self.progress_widgets.items()},
                "specialist_views": {involvement_id: {"view": view.toPlainText(),
                                                      "given_as": given.currentData()}
                                     for involvement_id, (view, given) in self.specialist_widgets.items()}}

    def save_draft(self) -> bool:
        if not self.editable() or not self.dirty:
            return True
        self.form.clear_errors()
        if self.run(lambda: apdr.save_review(self.session, self.wizard.cycle_id, self.raw())) is None:
            return False
        self.dirty = False
        self.wizard.saved()
        self.say("Draft saved.")
        return True

    def hold_review(self) -> None:
        if not self.save_draft():
            return
        decision = self.chosen()
        if decision is None:
            self.say("Choose the decision the review reached.", error=True)
            return
        if not prompts.confirm(self, "Hold the review", f"Record the review and its decision: "
                               f"{decision.label.lower()}?\n\n{decision.explanation}\n\nThe review "
                               "cannot be changed afterwards."):
            return
        result = self.run(lambda: apdr.complete_review(self.session, self.wizard.cycle_id))
        if result is None:
            return
        self.wizard.saved()
        self.wizard.review_held.emit(result)
        if result.next_cycle_id is not None:
            prompts.info(self, "Review held", f"Cycle {self.wizard.cycle.number + 1} has started at "
                         f"the {result.stage.label.lower()}. Its Assess part is next.")
            self.wizard.switch_cycle(result.next_cycle_id)
        else:
            extra = (" The pupil is now off the SEN register (the parents must be notified) and "
                     "on the monitoring register." if result.register_changed else "")
            prompts.info(self, "Review held", f"The SEND pathway is closed: "
                         f"{decision.label.lower()}.{extra}")
            self.wizard.reload(Part.REVIEW)

    def mark(self, field: str | None) -> None:
        self.form.mark_error(field)


# --- the wizard --------------------------------------------------------------------------------
class ApdrWizard(QDialog):
    changed = Signal(int)
    review_held = Signal(object)

    STEPS = (Part.ASSESS, Part.PLAN, Part.DO, Part.REVIEW)

    def __init__(self, session: Session, cycle_id: int, part: Part | str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("apdr_wizard")
        self.setWindowIcon(app_icon())
        self.resize(980, 760)
        self.cycle_id = cycle_id
        self.cycle = apdr.get_cycle(session, cycle_id)
        self.pupil = pupil_from_row(pupil_row(session, self._pupil_id()))
        self.header = QLabel(objectName="header", wordWrap=True)
        self.steps = QListWidget(objectName="steps")
        self.steps.setFixedWidth(170)
        self.steps.setStyleSheet("QListWidget { font-size: 11pt; } QListWidget::item { padding: 8px; }")
        self.pages = QStackedWidget()
        self.assess = AssessPage(self)
        self.plan = PlanPage(self)
        self.do = DoPage(self)
        self.review = ReviewPage(self)
        self.page_list: list[_Page] = [self.assess, self.plan, self.do, self.review]
        for page in self.page_list:
            self.pages.addWidget(page)
            self.steps.addItem(page.part.label)
        self.save_button = QPushButton("Save draft", objectName="save_draft")
        self.save_button.clicked.connect(self.save_draft)
        close = QPushButton("Close", objectName="close")
        close.clicked.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(self.steps)
        body.addWidget(self.pages, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        self._switching = False
        self.steps.currentRowChanged.connect(self._step_changed)
        self.autosave = QTimer(self)
        self.autosave.setInterval(AUTOSAVE_MS)
        self.autosave.timeout.connect(self.autosave_now)
        self.autosave.start()
        self.reload(Part(part) if part else None)

    def _pupil_id(self) -> int:
        return int(self.session.db.scalar(
            "SELECT p.pupil_id FROM send_pathways p JOIN apdr_cycles c ON c.pathway_id = p.id"
            " WHERE c.id = ?", (self.cycle_id,)))

    @property
    def is_current(self) -> bool:
        pathway = apdr.current_pathway(self.session, self.pupil.id)
        return pathway is not None and pathway.current_cycle is not None \
            and pathway.current_cycle.id == self.cycle_id

    def refresh_cycle(self) -> Cycle:
        self.cycle = apdr.get_cycle(self.session, self.cycle_id)
        return self.cycle

    def reload(self, part: Part | None = None) -> None:
        """Read the cycle again and show a part (default: where the cycle has got to)."""
        cycle = self.refresh_cycle()
        self.setWindowTitle(f"{self.pupil.display_name}: cycle {cycle.number} - sendesk")
        plan = cycle.plan
        review_text = f" &middot; review on {uk(plan.review_date)}" if plan and plan.agreed else ""
        self.header.setText(f"<h2 style='margin:0'>{escape(self.pupil.forename)} "
                            f"{escape(self.pupil.surname)}</h2>Year {self.pupil.details.year_group}"
                            f" &middot; {cycle.stage.label} &middot; cycle {cycle.number}, started "
                            f"{uk(cycle.started_on)}{review_text}")
        done = {Part.ASSESS: bool(cycle.assessment and cycle.assessment.completed),
                Part.PLAN: bool(plan and plan.agreed), Part.DO: cycle.reviewed,
                Part.REVIEW: cycle.reviewed}
        for row, step in enumerate(self.STEPS):
            self.steps.item(row).setText(("\u2713 " if done[step] else "") + step.label)
        for page in self.page_list:
            page.load(cycle)
        target = part or cycle.next_part or Part.REVIEW
        self._switching = True
        self.steps.setCurrentRow(self.STEPS.index(target))
        self.pages.setCurrentIndex(self.STEPS.index(target))
        self._switching = False
        self.save_button.setVisible(any(page.editable() for page in self.page_list))

    def switch_cycle(self, cycle_id: int) -> None:
        self.cycle_id = cycle_id
        self.reload()

    def current_page(self) -> _Page:
        return self.page_list[self.pages.currentIndex()]

    def show_part(self, part: Part | str) -> _Page:
        self.steps.setCurrentRow(self.STEPS.index(Part(part)))
        return self.current_page()

    def _step_changed(self, row: int) -> None:
        if self._switching or row < 0:
            return
        if not self.current_page().save_draft():
            self._switching = True
            self.steps.setCurrentRow(self.pages.currentIndex())
            self._switching = False
            return
        self.pages.setCurrentIndex(row)

    def save_draft(self) -> bool:
        return all(page.save_draft() for page in self.page_list)

    def autosave_now(self) -> None:
        if any(page.dirty for page in self.page_list):
            self.save_draft()

    def saved(self) -> None:
        self.changed.emit(self.pupil.id)

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        """Closing keeps the draft: anything unsaved is saved first (or the refusal shown and
        the wizard left open)."""
        if not self.save_draft():
            return
        self.autosave.stop()
        super().done(result)
