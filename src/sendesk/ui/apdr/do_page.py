"""The Do page: the agreed provision running until the review, and the log of sessions that
whoever delivers them keeps (staff who may add notes can log here; the rest is the SENCO's)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from ...models.apdr import Part
from ...models.roles import Permission
from ...records import apdr
from ..apdr_models import AMBER, plural
from ..date_field import DateField
from ..dates import uk
from ..forms import FieldSpec, FormDialog
from ..prompts import prompts
from ..rows_model import Col, RowsModel
from .dialogs import ItemDialog
from .measures_dialog import MeasuresDialog, of_item
from .page import Host, Page
from .view import CycleView
from .widgets import make_view, selected_row


class DoPage(Page):
    part = Part.DO

    def __init__(self, wizard: Host) -> None:
        super().__init__(wizard)
        self.item_model: RowsModel[Any] = RowsModel([
            Col("Provision", lambda i: i.description),
            Col("Delivered by", lambda i: i.delivered_by),
            Col("How often", lambda i: i.frequency),
            Col("From", lambda i: uk(i.started_on)),
            Col("Ended", lambda i: f"{uk(i.ended_on)}: {i.end_reason}" if i.ended_on else ""),
        ], parent=self)
        self.item_view = make_view("do_items", "Provision in the plan", self.item_model, 110, stretch=(0, 1, 2, 4))
        self.item_view.selectionModel().selectionChanged.connect(lambda *_: self._log_chosen())
        self.log_model: RowsModel[Any] = RowsModel([
            Col("Date", lambda e: uk(e.delivered_on)),
            Col("Provision", lambda e: e.item),
            Col("Session", lambda e: ("Withdrawn: " if e.withdrawn else "")
                + ("Delivered" if e.delivered else "Missed")),
            Col("Note", lambda e: e.note + (f" (withdrawn: {e.withdrawn_reason})" if e.withdrawn else "")),
            Col("Logged by", lambda e: e.entered_by),
        ], background=lambda e: AMBER if not e.delivered and not e.withdrawn else None, parent=self)
        self.log_view = make_view("log", "Sessions logged", self.log_model, 150, stretch=(1, 3))
        self.summary = QLabel(objectName="delivery_summary")
        self.log_date = DateField("Date of the session", objectName="log_date")
        self.log_item = QComboBox(objectName="log_item")
        self.log_item.setAccessibleName("Provision to log a session of")
        self.delivered = QRadioButton("Delivered", objectName="delivered")
        self.missed = QRadioButton("Missed", objectName="missed")
        self.delivered.setChecked(True)
        self.log_note = QLineEdit(objectName="log_note", placeholderText="Why it was missed, or a note")
        self.log_note.setAccessibleName("Note on the session")
        self.log_button = QPushButton("&Log session", objectName="log_session")
        self.log_button.clicked.connect(lambda: self.log_session())
        self.withdraw_button = QPushButton("&Withdraw entry...", objectName="withdraw")
        self.withdraw_button.clicked.connect(lambda: self.withdraw())
        self.add_button = QPushButton("&Add provision...", objectName="add_provision")
        self.add_button.clicked.connect(lambda: self.add_provision())
        self.end_button = QPushButton("&End provision...", objectName="end_provision")
        self.end_button.clicked.connect(lambda: self.end_provision())
        self.shared_button = QPushButton("Co&py given to parents...", objectName="plan_shared")
        self.shared_button.clicked.connect(lambda: self.plan_shared())
        self.measures_button = QPushButton("&Entry and exit...", objectName="entry_and_exit")
        self.measures_button.setToolTip("The scores this provision is judged by, as it starts "
                                        "and as it ends, with the gain")
        self.measures_button.clicked.connect(lambda: self.entry_and_exit())
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
        plan_bar.addWidget(self.measures_button)
        layout.addLayout(plan_bar)
        layout.addWidget(QLabel("<b>Delivery log</b>"))
        layout.addLayout(form)
        layout.addWidget(self.log_view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.withdraw_button)
        layout.addLayout(bottom)
        layout.addWidget(self.message)

    def load(self, view: CycleView) -> None:
        cycle = view.cycle
        plan = cycle.plan
        running = plan is not None and plan.agreed and not cycle.reviewed and self.wizard.is_current
        row = selected_row(self.item_view)
        was = self.item_model.row_object(row) if row is not None else None
        items = list(plan.items) if plan and plan.agreed else []
        self.item_model.set_rows(items)
        self._choose_line(items, was.id if was is not None else None)
        self.log_item.clear()
        for item in (plan.active_items if plan and plan.agreed else ()):
            self.log_item.addItem(item.description, item.id)
        self._log_chosen()
        self.log_date.setText(uk(self.session.clock.today()))
        entries = list(view.log)
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
        self.measures_button.setVisible(plan is not None and plan.agreed)
        self.say("The provision starts once the plan is agreed." if plan is None or not plan.agreed
                 else "")

    def _choose_line(self, items: list[Any], was: int | None) -> None:
        """The line chosen before the page was read again stays chosen; otherwise the first
        still running (or the first), so Entry and exit and End provision work at once on a
        plan of one line, and the list is never left with nothing chosen."""
        ids = [item.id for item in items]
        if not ids:
            return
        running = [n for n, item in enumerate(items) if item.ended_on is None]
        row = ids.index(was) if was in ids else (running[0] if running else 0)
        self.item_view.selectRow(row)

    def _log_chosen(self) -> None:
        """The line chosen in the list is the one a session is logged against, if it is still
        running (the list and the log's Provision box named two lines before)."""
        row = selected_row(self.item_view)
        item = self.item_model.row_object(row) if row is not None else None
        at = self.log_item.findData(item.id) if item is not None else -1
        if at >= 0:
            self.log_item.setCurrentIndex(at)

    def log_session(self) -> None:
        item_id = self.log_item.currentData()
        if item_id is None:
            self.say("There is no running provision to log.", error=True)
            return
        done = self.write(apdr.log_delivery, item_id, self.log_date.text(),
                          self.delivered.isChecked(), self.log_note.text(), sender=self.log_button)
        if done is not None:
            self.log_note.clear()
            self.say("Session logged.")

    def withdraw(self) -> FormDialog | None:
        row = selected_row(self.log_view)
        entry = self.log_model.row_object(row) if row is not None else None
        if entry is None:
            self.say("Choose the log entry to withdraw.", error=True)
            return None
        dialog = FormDialog("Withdraw a log entry", [FieldSpec("reason", "Reason", "text")],
                            lambda v: self.wizard.runner.call(apdr.withdraw_delivery, entry.id,
                                                             v["reason"]),
                            intro="The entry stays in the log, struck out, with your reason.",
                            parent=self)
        dialog.open()
        return dialog

    def add_provision(self) -> ItemDialog:
        dialog = ItemDialog({"started_on": self.session.clock.today()}, parent=self, with_start=True,
                            title="Add provision to the agreed plan",
                            primary_need=self.wizard.pupil.primary_need,
                            library=self.wizard.view.library)
        dialog._save = lambda values: self.wizard.runner.call(  # type: ignore[method-assign]
            apdr.add_provision, self.wizard.cycle_id, values, values.get("started_on"))
        dialog.open()
        return dialog

    def _choose_first(self, title: str, text: str) -> None:
        """Said where the person is looking (a dialog), and the cursor put in the list: at the
        foot of the page it went unseen beside the button pressed."""
        prompts.error(self, title, text)
        self.item_view.setFocus()

    def entry_and_exit(self) -> MeasuresDialog | None:
        """The chosen line's entry and exit measures (read by all; recorded by the SENCO)."""
        row = selected_row(self.item_view)
        item = self.item_model.row_object(row) if row is not None else None
        if item is None:
            self._choose_first("Entry and exit", "Choose the provision in the list first.")
            return None
        library = {entry.id: entry for entry in self.wizard.view.library}
        found = library.get(item.library_id)
        offered = found.measures if found is not None else self.wizard.view.library_measures
        dialog = MeasuresDialog(self.session, self.wizard.runner, of_item(item), offered,
                                parent=self)
        dialog.open()
        return dialog

    def end_provision(self) -> FormDialog | None:
        row = selected_row(self.item_view)
        item = self.item_model.row_object(row) if row is not None else None
        if item is None or item.ended_on is not None:
            self._choose_first("End provision early",
                               "Choose provision in the list that is still running first.")
            return None
        dialog = FormDialog("End provision early", [
            FieldSpec("ended_on", "End date", "date"), FieldSpec("reason", "Reason", "text")],
            lambda v: self.wizard.runner.call(apdr.end_provision, item.id, v["ended_on"],
                                             v["reason"]),
            values={"ended_on": self.session.clock.today()}, parent=self)
        dialog.open()
        return dialog

    def plan_shared(self) -> FormDialog:
        dialog = FormDialog("Copy of the plan given to the parents", [
            FieldSpec("shared_on", "Date given", "date", aliases=("Date shared",))],
            lambda v: self.wizard.runner.call(apdr.record_plan_shared, self.wizard.cycle_id,
                                             v["shared_on"]),
            values={"shared_on": self.session.clock.today()}, parent=self)
        dialog.open()
        return dialog
