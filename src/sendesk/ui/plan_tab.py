"""The pupil record's "Plans and cycles" tab: the current plan and every earlier cycle.

At the top, where the pupil's SEND pathway stands (stage, cycle, the next part, the review
date) with buttons to start a pathway or carry on with the current cycle in the APDR wizard,
the plan's yearly cost against the threshold, and any specialist's recommendation not yet in
the plan. Below, every cycle of every pathway, newest first; choosing one shows its Assess,
Plan, Do and Review as the record reads.

    Signal changed(int pupil_id): connect it to the record window's reload(), because finishing
    an assessment or a review can change the SEN register. refresh() re-reads everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QSplitter, QTableView, QTextBrowser, QVBoxLayout, QWidget)

from ..errors import SendeskError
from ..models import dates, provision, reviews
from ..models.apdr import Cycle, Part, Pathway, Stage
from ..models.outcomes import PFA_AREAS
from ..models.roles import Permission
from ..records import apdr, specialists
from ..records._common import pupil_row
from ..session import Session
from .apdr_models import AMBER, RED, plural
from .rows_model import Col, RowsModel
from .apdr.wizard import ApdrWizard
from .forms import FieldSpec, FormDialog

money = provision.format_money


def uk(day: dt.date | None) -> str:
    return dates.format_uk(day) if day else ""


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


def _para(label: str, text: str) -> str:
    if not text:
        return ""
    body = escape(text).replace("\n", "<br>")
    return f"<p><b>{label}</b><br>{body}</p>"


def cycle_html(cycle: Cycle, deliveries: list, recommended_by: dict[int, str]) -> str:
    """One cycle as the record reads: Assess, Plan (outcomes, costed provision), Do, Review."""
    parts = [f"<h3 style='margin-bottom:2px'>Cycle {cycle.number} &middot; {cycle.stage.label}</h3>"
             f"<p style='color:#555'>Started {uk(cycle.started_on)}</p>"]
    found = cycle.assessment
    parts.append("<h4>Assess</h4>")
    if found is None:
        parts.append("<p>Not started.</p>")
    else:
        status = f"finished {uk(found.assessed_on)}" if found.completed else "draft"
        parts.append(f"<p style='color:#555'>{status}"
                     + (f" &middot; primary need {escape(found.primary_need)}" if found.primary_need else "")
                     + "</p>")
        if found.tools:
            rows = "".join(f"<tr><td>{escape(t.tool)}</td><td>{uk(t.used_on)}</td>"
                           f"<td>{escape(t.result)}</td></tr>" for t in found.tools)
            parts.append("<table border='1' cellspacing='0' cellpadding='4'><tr><th>Tool</th>"
                         f"<th>Date</th><th>Result</th></tr>{rows}</table>")
        for label, text in (("Strengths", found.strengths), ("Needs", found.needs),
                            ("Parents' views", found.parent_views), ("Child's views", found.child_views)):
            parts.append(_para(label, text))
    plan = cycle.plan
    parts.append("<h4>Plan</h4>")
    if plan is None:
        parts.append("<p>Not started.</p>")
    else:
        status = (f"agreed {uk(plan.plan_date)}, review by {uk(plan.review_date)}" if plan.agreed
                  else "draft")
        if plan.shared_on:
            status += f", copy given to parents {uk(plan.shared_on)}"
        parts.append(f"<p style='color:#555'>{status}</p>")
        parts.append(_para("Aspirations", plan.aspirations))
        if plan.outcomes:
            progress = cycle.review.progress if cycle.review else {}
            rows = "".join(
                f"<tr><td>{o.position + 1}</td><td>{escape(o.text)}</td><td>{escape(o.measure)}</td>"
                f"<td>{uk(o.target_date)}</td><td>{escape(PFA_AREAS.get(o.pfa_area or '', ''))}</td>"
                f"<td>{escape(progress[o.id][0].label) if progress.get(o.id, (None,))[0] else ''}"
                f"</td></tr>" for o in plan.outcomes)
            parts.append("<table border='1' cellspacing='0' cellpadding='4' width='100%'><tr>"
                         "<th>#</th><th>Outcome</th><th>Measure</th><th>By</th>"
                         f"<th>Preparing for Adulthood</th><th>Progress</th></tr>{rows}</table>")
        if plan.items:
            rows = "".join(
                f"<tr><td>{escape(i.description)}"
                + (f"<br><i>recommended by {escape(recommended_by.get(i.recommendation_id, 'a specialist'))}</i>"
                   if i.recommendation_id else "")
                + (f"<br><i>ended {uk(i.ended_on)}: {escape(i.end_reason or '')}</i>" if i.ended_on else "")
                + f"</td><td>{escape(i.delivered_by)}</td><td>{escape(i.frequency)}</td>"
                f"<td align='right'>{money(i.yearly_cost_pence)}</td></tr>" for i in plan.items)
            level = provision.cost_level(plan.yearly_cost_pence)
            colour = {provision.CostLevel.NEAR: AMBER.name(), provision.CostLevel.OVER: RED.name()}.get(level, "")
            parts.append("<table border='1' cellspacing='0' cellpadding='4' width='100%'><tr>"
                         "<th>Provision</th><th>Delivered by</th><th>How often</th><th>Yearly cost</th>"
                         f"</tr>{rows}<tr><td colspan='3'><b>Total a year</b></td>"
                         f"<td align='right' bgcolor='{colour}'><b>{money(plan.yearly_cost_pence)}</b>"
                         "</td></tr></table>")
    if plan is not None and plan.agreed:
        counted = [e for e in deliveries if not e.withdrawn]
        delivered = sum(1 for e in counted if e.delivered)
        parts.append("<h4>Do</h4>")
        parts.append(f"<p>{plural(delivered, 'session')} delivered, {len(counted) - delivered} "
                     "missed.</p>"
                     if counted else "<p>No sessions logged.</p>")
    review = cycle.review
    if review is not None:
        parts.append("<h4>Review</h4>")
        status = (f"held {uk(review.held_on)}" if review.completed else "draft")
        parts.append(f"<p style='color:#555'>{status}</p>")
        if review.at_risk_of_exclusion:
            parts.append(f"<p style='background:{RED.name()}'>At risk of exclusion: the provision "
                         "must change.</p>")
        parts.append(_para("Who attended", review.attendees))
        for label, text in (("Child's views", review.child_views), ("Parents' views", review.parent_views),
                            ("Staff views", review.staff_views)):
            parts.append(_para(label, text))
        for view in review.specialist_views:
            parts.append(_para(f"{escape(view.service)}" + (f" ({escape(view.given_as)})" if view.given_as else ""),
                               view.view))
        if review.decision:
            parts.append(f"<p><b>Decision:</b> {escape(review.decision.label)}</p>")
        parts.append(_para("Notes on the decision", review.decision_notes))
    return "".join(parts)


class PlanTab(QWidget):
    changed = Signal(int)

    def __init__(self, session: Session, pupil_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id = session, int(pupil_id)
        self.setObjectName("tab_plans")
        self.wizard: ApdrWizard | None = None
        self.status = QLabel(objectName="pathway_status", wordWrap=True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.cost = QLabel(objectName="plan_cost", wordWrap=True)
        self.waiting = QLabel(objectName="waiting_recommendations", wordWrap=True)
        self.waiting.setStyleSheet(f"background: {AMBER.name()}; padding: 6px")
        self.start_button = QPushButton("Start the graduated approach...", objectName="start_pathway")
        self.start_button.clicked.connect(self.start_pathway)
        self.continue_button = QPushButton(objectName="continue_cycle")
        self.continue_button.clicked.connect(lambda: self.open_wizard())
        self.log_button = QPushButton("Log a session...", objectName="log_session")
        self.log_button.clicked.connect(lambda: self.open_wizard(Part.DO))
        self.model: RowsModel[CycleEntry] = RowsModel(CYCLE_COLUMNS, parent=self)
        self.cycles = QTableView(objectName="cycles")
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
        layout.addWidget(self.waiting)
        layout.addWidget(splitter, 1)
        self.refresh()

    def refresh(self) -> None:
        self.pathways = apdr.pathways(self.session, self.pupil_id)
        self.current = next((p for p in self.pathways if p.open), None)
        entries = [CycleEntry(p, c) for p in reversed(self.pathways) for c in reversed(p.cycles)]
        self.model.set_rows(entries)
        counted = apdr.cycle_counts(self.session, self.pupil_id)
        self.counts.setText(f"{plural(counted.completed, 'cycle')} completed ({counted.targeted} "
                            f"targeted, {counted.specialist} specialist).")
        self._show_status()
        if entries:
            self.cycles.selectRow(0)
        else:
            self.document.setHtml("<p>No Assess-Plan-Do-Review cycles yet.</p>")

    def _show_status(self) -> None:
        pupil = pupil_row(self.session, self.pupil_id)
        manage = self.session.can(Permission.MANAGE_PLANS) and pupil["archived_at"] is None
        current = self.current
        self.start_button.setVisible(current is None and manage)
        self.start_button.setEnabled(pupil["sen_status"] == "K")
        self.start_button.setToolTip("" if pupil["sen_status"] == "K" else
                                     "Record the pupil as K (SEN support) on the SEN register first.")
        self.continue_button.setVisible(current is not None)
        self.log_button.setVisible(False)
        self.cost.setVisible(False)
        self.waiting.setVisible(False)
        if current is None:
            closed = self.pathways[-1] if self.pathways else None
            text = "<b>No open SEND pathway.</b>"
            if closed is not None:
                text += (f" The last one closed on {uk(closed.closed_on)}: "
                         f"{escape(closed.close_decision.label.lower())}.")
            elif pupil["sen_status"] != "K":
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
        self.status.setText(line)
        manage = self.session.can(Permission.MANAGE_PLANS)
        label = {Part.ASSESS: "Assess", Part.PLAN: "Plan", Part.DO: "Do and review"}.get(part, "Open")
        self.continue_button.setText(f"{label}: cycle {cycle.number}..." if manage
                                     else f"Open cycle {cycle.number}...")
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
        waiting = specialists.recommendations_not_in_plan(self.session, self.pupil_id)
        if waiting:
            self.waiting.setText("<b>Specialists' recommendations not yet in the plan:</b> "
                                 + "; ".join(f"{escape(r.service)}: {escape(r.text)}" for r in waiting))
            self.waiting.setVisible(True)

    def show_selected(self) -> None:
        rows = self.cycles.selectionModel().selectedRows()
        entry = self.model.row_object(rows[0].row()) if rows else None
        if entry is None:
            return
        deliveries = apdr.delivery_log(self.session, entry.cycle.id)
        recommended_by = {r.id: found.service
                          for found in specialists.involvements(self.session, self.pupil_id)
                          for r in found.recommendations}
        self.document.setHtml(cycle_html(entry.cycle, deliveries, recommended_by))

    def start_pathway(self) -> FormDialog:
        dialog = FormDialog("Start the graduated approach", [
            FieldSpec("opened_on", "Start date", "date"),
            FieldSpec("stage", "Stage", "choice", [
                (Stage.TARGETED.label, Stage.TARGETED.value),
                (Stage.SPECIALIST.label + " (sudden change in need, or arrived with specialist "
                 "provision)", Stage.SPECIALIST.value)])],
            lambda v: apdr.open_pathway(self.session, self.pupil_id, v["opened_on"], v["stage"]),
            intro="Cycle 1 starts with an assessment of the pupil's strengths and needs.",
            values={"opened_on": self.session.clock.today()}, parent=self)
        dialog.accepted.connect(self._started)
        dialog.open()
        return dialog

    def _started(self) -> None:
        self.refresh()
        self.changed.emit(self.pupil_id)
        self.open_wizard()

    def open_wizard(self, part: Part | None = None, cycle_id: int | None = None) -> ApdrWizard | None:
        if cycle_id is None:
            if self.current is None or self.current.current_cycle is None:
                return None
            cycle_id = self.current.current_cycle.id
        if self.wizard is not None:
            self.wizard.close()
        try:
            wizard = ApdrWizard(self.session, cycle_id, part, parent=self)
        except SendeskError:
            return None
        wizard.changed.connect(self._wizard_changed)
        wizard.finished.connect(lambda *_: self.refresh())
        self.wizard = wizard
        wizard.open()
        return wizard

    def _wizard_changed(self, pupil_id: int) -> None:
        self.refresh()
        self.changed.emit(pupil_id)
