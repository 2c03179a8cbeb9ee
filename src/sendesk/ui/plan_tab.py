"""The pupil record's "Plans and cycles" tab: the current plan and every earlier cycle.

At the top, where the pupil's SEND pathway stands (stage, cycle, the next part, the review
date) with buttons to start a pathway or carry on with the current cycle in the APDR wizard,
the plan's yearly cost against the threshold, and any specialist's recommendation not yet in
the plan. Below, every cycle of every pathway, newest first; choosing one shows its Assess,
Plan, Do and Review as the record reads.

    Its work runs on the record window's OpRunner, and it refreshes when the runner reports a
    change to the pupil's pathway, specialists or SEN status, whoever made it (the "not yet in
    the plan" box, for one, follows the Specialists tab); the APDR wizard it opens shares that
    runner, so what the wizard saves reaches every page the same way. The cycle shown is
    built from the printed plan's own sections and drawn by ui.document_view. refresh()
    re-reads everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..documents import support
from ..documents.facts import PupilFacts
from ..documents.model import Builder, Paragraph
from ..errors import SendeskError
from ..models import provision, reviews
from ..models.apdr import Cycle, Part, Pathway, Stage
from ..models.roles import Permission
from ..operations import Kind
from ..records import apdr, provision_groups, school_calendar, specialists
from ..session import Session
from . import document_view
from .apdr.wizard import ApdrWizard
from .apdr_models import AMBER, RED, plural
from .dates import uk
from .document_view import Marked, Shown
from .forms import FieldSpec, FormDialog
from .load_on_show import LoadOnShow
from .record_changes import one_at_a_time, pupil_line, runner_for
from .rows_model import Col, RowsModel
from .runner import OpRunner, alive

money = provision.format_money


@dataclass(frozen=True)
class CycleEntry:
    pathway: Pathway
    cycle: Cycle

    @property
    def state(self) -> str:
        cycle = self.cycle
        if cycle.reviewed:
            return cycle.review.decision.label
        if not self.pathway.open:
            return "Pathway closed"
        return {Part.ASSESS: "Assess", Part.PLAN: "Plan", Part.DO: "Do, until the review"}.get(
            cycle.next_part, "")


CYCLE_COLUMNS: list[Col[CycleEntry]] = [
    Col("Cycle", lambda e: e.cycle.number, align_right=True),
    Col("Stage", lambda e: e.cycle.stage.value.capitalize()),
    Col("Started", lambda e: uk(e.cycle.started_on)),
    Col("Review", lambda e: uk(e.cycle.review.held_on) if e.cycle.reviewed
        else (uk(e.cycle.plan.review_date) if e.cycle.plan and e.cycle.plan.agreed else "")),
    Col("Status", lambda e: e.state),
]


class _NeedNames:
    """What the documents' assessment section asks of a pupil's facts: a need's printed name."""

    need_label = PupilFacts.need_label


def cycle_blocks(cycle: Cycle, deliveries: list, recommended_by: dict[int, str]) -> list[Shown]:
    """One cycle as the record reads, in the printed plan's own sections (documents.support):
    Assess, Plan (outcomes, costed provision), Do, Review."""
    b = Builder()
    b.heading(f"Cycle {cycle.number} \u00b7 {cycle.stage.label}", 1)
    b.para(f"Started {uk(cycle.started_on)}", "small")
    support.assessment_section(b, _NeedNames(), cycle.assessment)  # type: ignore[arg-type]
    support.plan_section(b, cycle.plan)
    shown: list[Shown] = list(b.blocks)
    plan = cycle.plan
    if plan is not None:
        warning = provision.cost_warning(plan.yearly_cost_pence)
        level = provision.cost_level(plan.yearly_cost_pence)
        colour = {provision.CostLevel.NEAR: AMBER.name(), provision.CostLevel.OVER: RED.name()}.get(level)
        if warning and colour:
            shown.append(Marked(Paragraph(warning), colour))
        recommended = [f"{item.description}: recommended by "
                       f"{recommended_by.get(item.recommendation_id, 'a specialist')}"
                       for item in plan.items if item.recommendation_id]
        b = Builder()
        if recommended:
            b.heading("Specialists' recommendations in the plan", 3)
            b.bullets(recommended)
        if plan.agreed:
            counted = [e for e in deliveries if not e.withdrawn]
            delivered = sum(1 for e in counted if e.delivered)
            b.heading("Do", 2)
            b.para(f"{plural(delivered, 'session')} delivered, {len(counted) - delivered} missed."
                   if counted else "No sessions logged.")
        shown += b.blocks
    if plan is not None or cycle.review is not None:
        b = Builder()
        support.review_section(b, cycle)
        shown += b.blocks
        if cycle.review is not None and cycle.review.at_risk_of_exclusion:
            shown.append(Marked(Paragraph("At risk of exclusion: the provision must change."),
                                RED.name()))
    return shown


# What the tab shows of its pupil.
SHOWN_KINDS = (Kind.PATHWAY, Kind.SPECIALIST, Kind.SEN, Kind.PUPIL, Kind.CALENDAR, Kind.GROUP)


def groups_text(found: list[provision_groups.PupilGroup], today: dt.date) -> str:
    """The groups the pupil is in, each with their share of its cost (rich text); one still
    to begin says when, and is left out of the total, as the maps leave it out."""
    if not found:
        return ""
    lines = [f"{escape(g.group.name)} (run by {escape(g.group.staff_name)}; "
             + (", ".join(s.text for s in g.group.slots) or "no times set")
             + (f"): share {money(g.share_pence)} of {money(g.group.cost_total_pence)}"
                if g.begun_by(today) else
                f"; begins {uk(g.group.start_date)}): not counted until it does")
             for g in found]
    total = provision_groups.counted_shares(found, today)
    return ("<b>Groups:</b> " + "; ".join(lines)
            + (f". Share of group costs: {money(total)}." if len(found) > 1 else "."))


def _cycle_extras(session: Session, cycle_id: int, pupil_id: int) -> tuple[Any, Any]:
    """A cycle's delivery log and the pupil's specialists, in one trip to the worker."""
    return apdr.delivery_log(session, cycle_id), specialists.involvements(session, pupil_id)


class PlanTab(LoadOnShow, QWidget):
    def __init__(self, session: Session, pupil_id: int, parent: QWidget | None = None,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id = session, int(pupil_id)
        self.runner = runner_for(session, runner, self)
        self.setObjectName("tab_plans")
        self.wizard: ApdrWizard | None = None
        self.status = QLabel(objectName="pathway_status", wordWrap=True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.cost = QLabel(objectName="plan_cost", wordWrap=True)
        self.waiting = QLabel(objectName="waiting_recommendations", wordWrap=True)
        self.waiting.setStyleSheet(f"background: {AMBER.name()}; padding: 6px")
        self.start_button = QPushButton("S&tart the graduated approach...", objectName="start_pathway")
        self.start_button.clicked.connect(self.start_pathway)
        self.continue_button = QPushButton(objectName="continue_cycle")
        self.continue_button.clicked.connect(lambda: self.open_wizard())
        self.log_button = QPushButton("&Log a session...", objectName="log_session")
        self.log_button.clicked.connect(lambda: self.open_wizard(Part.DO))
        self.groups = QLabel(objectName="pupil_groups", wordWrap=True)
        self.groups.setTextFormat(Qt.TextFormat.RichText)
        self.timetable_button = QPushButton("Support &timetable...", objectName="pupil_timetable")
        self.timetable_button.clicked.connect(self.open_timetable)
        self.model: RowsModel[CycleEntry] = RowsModel(CYCLE_COLUMNS, parent=self)
        self.cycles = QTableView(objectName="cycles")
        self.cycles.setAccessibleName("APDR cycles")
        self.cycles.setModel(self.model)
        self.cycles.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cycles.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.cycles.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cycles.verticalHeader().hide()
        self.cycles.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.cycles.horizontalHeader().setStretchLastSection(True)
        self.cycles.selectionModel().selectionChanged.connect(lambda *_: self.show_selected())
        self.cycles.doubleClicked.connect(lambda index: self.open_wizard(
            cycle_id=self.model.row_object(index.row()).cycle.id))
        self.document = QTextBrowser(objectName="cycle_document")
        self.document.setAccessibleName("The chosen cycle")
        self.document.setOpenLinks(False)
        self.counts = QLabel(objectName="cycle_counts")
        self.counts.setStyleSheet("color: #555")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Cycles</b> (newest first)"))
        left_layout.addWidget(self.cycles, 1)
        left_layout.addWidget(self.counts)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.document)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([440, 760])
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.log_button)
        buttons.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.cost)
        group_row = QHBoxLayout()
        group_row.addWidget(self.groups, 1)
        group_row.addWidget(self.timetable_button)
        layout.addLayout(group_row)
        layout.addWidget(self.waiting)
        layout.addWidget(splitter, 1)
        # Built when its tab is first shown; read again when a change to what it shows is
        # reported (at once on screen, else when next shown).
        self.follow(self.runner, SHOWN_KINDS, pupil_id=self.pupil_id)
        self.load_now_or_when_shown(True)

    @one_at_a_time
    def refresh(self) -> None:
        self.loaded = True
        self.pathways = self.runner.call(apdr.pathways, self.pupil_id)
        if not alive(self):
            return   # the record window closed while the worker read
        self.current = next((p for p in self.pathways if p.open), None)
        entries = [CycleEntry(p, c) for p in reversed(self.pathways) for c in reversed(p.cycles)]
        self.model.set_rows(entries)
        counted = self.runner.call(apdr.cycle_counts, self.pupil_id)
        if not alive(self):
            return
        self.counts.setText(f"{plural(counted.completed, 'cycle')} completed ({counted.targeted} "
                            f"targeted, {counted.specialist} specialist).")
        self._show_status()
        if entries:
            self.cycles.selectRow(0)
        else:
            self.document.setHtml("<p>No Assess-Plan-Do-Review cycles yet.</p>")

    def _show_status(self) -> None:
        pupil = pupil_line(self.runner, self.pupil_id)
        if not alive(self):
            return
        manage = self.session.can(Permission.MANAGE_PLANS) and not pupil.archived
        current = self.current
        self.start_button.setVisible(current is None and manage)
        self.start_button.setEnabled(pupil.sen_status == "K")
        self.start_button.setToolTip("" if pupil.sen_status == "K" else
                                     "Record the pupil as K (SEN support) on the SEN register first.")
        self.continue_button.setVisible(current is not None)
        self.log_button.setVisible(False)
        self.cost.setVisible(False)
        self.waiting.setVisible(False)
        found = self.runner.call(provision_groups.groups_of_pupil, self.pupil_id)
        if not alive(self):
            return
        self.groups.setText(groups_text(found, self.session.clock.today())
                            or "Not in any provision group.")
        if current is None:
            closed = self.pathways[-1] if self.pathways else None
            text = "<b>No open SEND pathway.</b>"
            if closed is not None:
                text += (f" The last one closed on {uk(closed.closed_on)}: "
                         f"{escape(closed.close_decision.label.lower())}.")
            elif pupil.sen_status != "K":
                text += " The graduated approach starts once the pupil is at SEN support (K)."
            self.status.setText(text)
            return
        cycle = current.current_cycle
        part = cycle.next_part
        plan = current.current_plan
        line = f"<b>{current.stage.label}</b> &middot; cycle {cycle.number}, started {uk(cycle.started_on)}"
        if part is not None:
            line += f" &middot; next: <b>{part.label}</b>"
        if cycle.plan and cycle.plan.agreed and not cycle.reviewed:
            state = reviews.review_state(cycle.plan.review_date, self.session.clock.today())
            colour = {reviews.ReviewState.OVERDUE: RED.name(), reviews.ReviewState.DUE: AMBER.name()}.get(state)
            style = f" style='background:{colour}'" if colour else ""
            line += f" &middot; <span{style}>review {state.label.lower()}: {uk(cycle.plan.review_date)}</span>"
            broken = self._review_rule_problem(cycle)
            if broken:
                line += (f"<br><span style='background:{AMBER.name()}'>This plan was agreed before "
                         f"the termly review rule: {escape(broken)}</span>")
        self.status.setText(line)
        manage = self.session.can(Permission.MANAGE_PLANS)
        label = {Part.ASSESS: "Assess", Part.PLAN: "Plan", Part.DO: "Do and review"}.get(part, "Open")
        self.continue_button.setText(f"{label}: &cycle {cycle.number}..." if manage
                                     else f"Open &cycle {cycle.number}...")
        self.log_button.setVisible(not manage and part is Part.DO
                                   and self.session.can(Permission.ADD_NOTES))
        if plan is not None:
            total = plan.yearly_cost_pence
            warning = provision.cost_warning(total)
            self.cost.setText(warning or f"Provision in force costs {money(total)} a year.")
            level = provision.cost_level(total)
            colour = {provision.CostLevel.NEAR: AMBER.name(), provision.CostLevel.OVER: RED.name()}.get(level)
            self.cost.setStyleSheet(f"padding: 6px; background: {colour}" if colour else "padding: 6px")
            self.cost.setVisible(True)
        waiting = self.runner.call(specialists.recommendations_not_in_plan, self.pupil_id)
        if not alive(self):
            return
        if waiting:
            self.waiting.setText("<b>Specialists' recommendations not yet in the plan:</b> "
                                 + "; ".join(f"{escape(r.service)}: {escape(r.text)}" for r in waiting))
            self.waiting.setVisible(True)

    def _review_rule_problem(self, cycle: Cycle) -> str | None:
        """An agreed review date that breaks the termly rule is flagged here, not rewritten."""
        plan = cycle.plan
        if plan is None or plan.plan_date is None or plan.review_date is None:
            return None
        calendar = self.runner.call(school_calendar.load)
        return reviews.review_date_problem(plan.plan_date, plan.review_date, calendar)

    def open_timetable(self):
        from .timetable_window import TimetableWindow
        window = TimetableWindow(self.session, pupil_id=self.pupil_id, parent=self,
                                 runner=self.runner)
        window.open()
        return window

    def show_selected(self) -> None:
        rows = self.cycles.selectionModel().selectedRows()
        entry = self.model.row_object(rows[0].row()) if rows else None
        if entry is None:
            return
        deliveries, involved = self.runner.call(_cycle_extras, entry.cycle.id, self.pupil_id)
        if not alive(self):
            return
        recommended_by = {r.id: found.service for found in involved for r in found.recommendations}
        document_view.show(self.document, cycle_blocks(entry.cycle, deliveries, recommended_by))

    def start_pathway(self) -> FormDialog:
        dialog = FormDialog("Start the graduated approach", [
            FieldSpec("opened_on", "Start date", "date"),
            FieldSpec("stage", "Stage", "choice", [
                (Stage.TARGETED.label, Stage.TARGETED.value),
                (Stage.SPECIALIST.label + " (sudden change in need, or arrived with specialist "
                 "provision)", Stage.SPECIALIST.value)])],
            lambda v: self.runner.call(apdr.open_pathway, self.pupil_id, v["opened_on"],
                                       v["stage"]),
            intro="Cycle 1 starts with an assessment of the pupil's strengths and needs.",
            values={"opened_on": self.session.clock.today()}, parent=self)
        dialog.accepted.connect(self._started)
        dialog.open()
        return dialog

    def _started(self) -> None:
        self.open_wizard()

    def open_wizard(self, part: Part | None = None, cycle_id: int | None = None) -> ApdrWizard | None:
        if not self.loaded:   # hidden when the pathway changed: read it before acting on it
            self.refresh()
        if cycle_id is None:
            if self.current is None or self.current.current_cycle is None:
                return None
            cycle_id = self.current.current_cycle.id
        if self.wizard is not None:
            self.wizard.close()
        try:
            wizard = ApdrWizard(self.session, cycle_id, part, parent=self, runner=self.runner)
        except SendeskError:
            return None
        wizard.finished.connect(lambda *_: self.refresh())
        self.wizard = wizard
        wizard.open()
        return wizard

