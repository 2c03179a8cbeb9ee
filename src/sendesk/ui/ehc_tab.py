"""The pupil record's "EHC" tab: readiness for an EHC needs assessment request, the requests
with their statutory timeline, and EHC plans with their annual review schedule.

Readiness lists each checklist item as met or not, with what the record holds and what is
missing; the SENCO answers the questions only they can, and records an exception that lets a
request skip the APDR cycles. Requests and plans are kept up to date through forms; recording
an issued plan puts the pupil on the register as E.

    Its work runs on the record window's OpRunner, and it refreshes when the runner reports a
    change to the pupil's EHC records, pathway, specialists or SEN status, or to the school's
    term dates, whoever made it. The details panes are documents-model blocks drawn by
    ui.document_view. refresh() re-reads everything.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..documents.model import Builder, Heading, Paragraph, Table
from ..models import dates
from ..models import ehc as rules
from ..models import ehcna as checklist
from ..models.ehc import EhcnaRequest, EhcPlan, MilestoneState
from ..models.ehcna import ExceptionKind, ReadinessItem
from ..models.outcomes import PFA_AREAS
from ..models.provision import format_money as money
from ..models.roles import Permission
from ..operations import Kind
from ..records import ehc, ehc_costs, ehcna, school_calendar
from ..session import Session
from . import document_view
from .apdr_models import AMBER
from .dates import uk
from .document_view import Marked, Shown
from .ehc_outcomes import OutcomesDialog
from .ehc_provision import EhcProvisionDialog
from .forms import FieldSpec, FormDialog
from .load_on_show import LoadOnShow
from .record_changes import one_at_a_time, pupil_line, runner_for
from .record_panel import denied_text
from .rows_model import Col, RowsModel
from .runner import OpRunner, alive

GREEN = QColor("#e3f4e1")

READINESS_COLUMNS: list[Col[ReadinessItem]] = [
    Col("Met", lambda i: "Yes" if i.met else "No"),
    Col("Checklist item", lambda i: i.title),
    Col("What is missing", lambda i: i.missing or "", tooltip=lambda i: i.missing),
]


def _next_milestone(request: EhcnaRequest, today: dt.date) -> str:
    for milestone in rules.timeline(request, today):
        if milestone.done_on is None and milestone.state is not MilestoneState.NOT_NEEDED:
            return f"Week {milestone.week}: {uk(milestone.due)} ({milestone.state.label.lower()})"
    return ""


def request_columns(today: dt.date) -> list[Col[EhcnaRequest]]:
    return [
        Col("Sent", lambda r: uk(r.submitted_on) or "Not yet"),
        Col("Local authority", lambda r: r.local_authority),
        Col("Where it is", lambda r: r.stage.label),
        Col("Next statutory date", lambda r: _next_milestone(r, today)),
    ]


PLAN_COLUMNS: list[Col[EhcPlan]] = [
    Col("Issued", lambda p: uk(p.issued_on)),
    Col("Local authority", lambda p: p.local_authority),
    Col("Caseworker", lambda p: p.caseworker),
    Col("Outcomes", lambda p: len(p.outcomes), align_right=True),
    Col("Annual reviews held", lambda p: len(p.held_reviews), align_right=True),
    Col("Status", lambda p: "Current" if p.current else f"Ceased {uk(p.ceased_on)}"),
]


def _amber(text: str) -> Marked:
    return Marked(Paragraph(text), AMBER.name())


def readiness_blocks(item: ReadinessItem) -> list[Shown]:
    b = Builder()
    b.heading(item.title, 1)
    if item.key in checklist.QUESTION_KEYS:
        b.para(checklist.question(item.key).question, "small")
    shown: list[Shown] = [*b.blocks, Paragraph("Met") if item.met
                          else _amber(f"Missing: {item.missing or ''}")]
    b = Builder()
    if item.evidence:
        b.heading("What the record shows", 2)
        b.bullets(item.evidence)
    else:
        b.para("Nothing recorded yet.")
    return shown + b.blocks


def request_blocks(request: EhcnaRequest, today: dt.date, warning: str | None) -> list[Shown]:
    b = Builder()
    b.heading(f"Request to {request.local_authority}", 1)
    b.para(request.stage.label, "small")
    b.pairs([("Requested by", request.requested_by.label),
             ("Readiness when sent", f"{request.sent_readiness} checklist items met"
              if request.sent_readiness else ""),
             ("Why it was sent then", request.sent_below_readiness_reason or ""),
             ("Parents' consent", uk(request.consent_on)
              + (f" ({request.consent_from})" if request.consent_from else "")),
             ("Head teacher's countersignature",
              f"{request.head_name or ''} {uk(request.head_signed_on)}".strip()),
             ("Sent to the LA", uk(request.submitted_on)),
             ("LA's decision", f"{request.decision.label} ({uk(request.decision_on)})"
              if request.decision else ""),
             ("Plan", f"{request.plan_decision.label} (draft or notice {uk(request.draft_on)})"
              if request.plan_decision else ""),
             ("Final plan issued", uk(request.final_on)),
             ("Withdrawn", uk(request.withdrawn_on))])
    shown: list[Shown] = list(b.blocks)
    missing = request.missing_before_submission
    if request.submitted_on is None and missing:
        shown.append(_amber("Before it is sent: record " + " and ".join(missing) + "."))
    if warning:
        shown.append(_amber(warning))
    milestones = rules.timeline(request, today)
    if milestones:
        shown.append(Heading("The 20-week statutory timeline", 2))
        shown.append(Table(("Week", "Due", "What", "State"), tuple(
            (f"Week {m.week}", uk(m.due), m.title,
             m.state.label + (f" \u2013 done {uk(m.done_on)}" if m.done_on else ""))
            for m in milestones), widths=(0.8, 1.1, 4.0, 1.6)))
    if request.notes:
        b = Builder()
        b.heading("Notes", 3)
        b.para(request.notes)
        shown += b.blocks
    return shown


def plan_blocks(plan: EhcPlan, schedule: rules.ReviewSchedule | None) -> list[Shown]:
    b = Builder()
    b.heading(f"EHC plan issued {uk(plan.issued_on)} by {plan.local_authority}", 1)
    b.para(f"Caseworker: {plan.caseworker or 'not recorded'}"
           + (f" ({plan.caseworker_contact})" if plan.caseworker_contact else "")
           + (f" \u00b7 ceased {uk(plan.ceased_on)}: {plan.ceased_reason or ''}"
              if plan.ceased_on else ""), "small")
    shown: list[Shown] = list(b.blocks)
    if schedule is not None:
        anniversary = dates.add_years(plan.issued_on, schedule.number)
        due = f"number {schedule.number}, to be completed by {uk(schedule.due_by)}"
        if anniversary != schedule.due_by:
            due += (f" (a year after the last review ended; the plan's anniversary is "
                    f"{uk(anniversary)})")
        rows = [("Annual review", due),
                ("Meeting", (f"booked for {uk(schedule.meeting_on)}"
                             + (f" (after {uk(schedule.meeting_by)})" if schedule.late else "")
                             if schedule.booked else f"hold by {uk(schedule.meeting_by)}")),
                ("Invite specialists by", f"{uk(schedule.invitations_by)} (six weeks' notice)"
                 + (" \u2013 short notice" if schedule.short_notice else "")),
                ("Send papers by", f"{uk(schedule.papers_by)} (two weeks before)"),
                ("Report to the LA by", f"{uk(schedule.report_by)} (two weeks after)")]
        if schedule.year_group is not None:
            rows.append(("Year group at the meeting", f"Year {schedule.year_group}"
                         if schedule.year_group > 0 else "Reception or nursery"))
        if schedule.transition:
            rows.append(("Transition", schedule.transition))
        b = Builder()
        b.heading("Next annual review", 2)
        b.pairs(rows)
        shown += b.blocks
        shown += [_amber(note) for note in schedule.notes]
    b = Builder()
    b.heading("Long-term outcomes and shorter-term steps", 2)
    if not plan.outcomes:
        b.para("None recorded yet.")
    for outcome in plan.outcomes:
        pfa = f" ({PFA_AREAS[outcome.pfa_area]})" if outcome.pfa_area else ""
        b.heading(f"{outcome.position + 1}. {outcome.text}{pfa}", 3)
        b.bullets(step.text + (f" \u2013 achieved {uk(step.achieved_on)}" if step.achieved_on else (
            f" \u2013 by {uk(step.target_date)}" if step.target_date else ""))
            for step in outcome.steps)
    b.heading("Annual reviews", 2)
    annual = [r for r in plan.reviews if r.kind is rules.ReviewKind.ANNUAL]
    if not annual:
        b.para("None yet.")
    for review in annual:
        if review.held:
            text = (f"Held {uk(review.held_on)}: {review.recommendation.label.lower()}"
                    + ("; Preparing for Adulthood discussed" if review.pfa_discussed else "")
                    + (f"; report to the LA {uk(review.report_sent_on)}" if review.report_sent_on
                       else "; report not yet sent to the LA"))
        else:
            text = (f"Booked for {uk(review.meeting_on)}"
                    + (f"; invitations sent {uk(review.invitations_sent_on)}"
                       if review.invitations_sent_on else "; invitations not yet sent"))
        b.para(text)
        b.para(review.notes, "small")
    if plan.interim_reviews:
        b.heading("Interim reviews", 2)
        for review in plan.interim_reviews:
            outcome = review.recommendation.label.lower() if review.recommendation else ""
            b.para(f"Held {uk(review.held_on)}: {outcome}"
                   + (f"; report to the LA {uk(review.report_sent_on)}" if review.report_sent_on
                      else ""))
            b.para(review.notes, "small")
    return shown + b.blocks


def _table(name: str, model: RowsModel) -> QTableView:
    table = QTableView(objectName=name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def compact_rows(table: QTableView) -> None:
    """One line a row, so the whole readiness checklist fits on screen at once: a long "what
    is missing" is cut off in the row and read in full on hover or in the details below."""
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 8)


class _Section(QWidget):
    """A list, the chosen row's details below it and a row of buttons above."""

    def __init__(self, name: str, intro: str, model: RowsModel, buttons: list[tuple[str, str, Any, str]],
                 sizes: tuple[int, int] = (330, 270), parent: QWidget | None = None) -> None:
        """`buttons` are (key, text, slot, why not): a button the user may not use is greyed,
        never hidden, with the reason in its tooltip ("" when it may be used)."""
        super().__init__(parent)
        self.setObjectName(name)
        self.model = model
        self.table = _table(f"{name}_table", model)
        self.details = QTextBrowser(objectName=f"{name}_details")
        self.buttons: dict[str, QPushButton] = {}
        self.denied: dict[str, str] = {}
        bar = QHBoxLayout()
        for key, text, slot, why_not in buttons:
            widget = QPushButton(text, objectName=key)
            widget.clicked.connect(slot)
            if why_not:
                self.denied[key] = why_not
                widget.setEnabled(False)
                widget.setToolTip(why_not)
            self.buttons[key] = widget
            bar.addWidget(widget)
        bar.addStretch(1)
        self.summary = QLabel(objectName=f"{name}_summary", wordWrap=True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setSizes(list(sizes))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(intro, wordWrap=True))
        layout.addWidget(self.summary)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_object(rows[0].row()) if rows else None

    def enable(self, key: str, usable: bool) -> None:
        """Enable a button when what it acts on is there, unless the user may not use it."""
        self.buttons[key].setEnabled(usable and key not in self.denied)

    def set_summary(self, text: str) -> None:
        self.summary.setText(text)
        self.summary.setVisible(bool(text))

    def select(self, row: int) -> None:
        if self.model.rows():
            self.table.selectRow(max(0, min(row, len(self.model.rows()) - 1)))


# What the tab shows of its pupil.
SHOWN_KINDS = (Kind.EHC, Kind.PATHWAY, Kind.SPECIALIST, Kind.SEN, Kind.CALENDAR, Kind.PUPIL)


def _read(session: Session, pupil_id: int) -> tuple[Any, Any, Any, Any]:
    """Everything the tab lists, in one trip to the worker."""
    return (ehcna.assess_readiness(session, pupil_id), school_calendar.load(session),
            ehc.list_requests(session, pupil_id), ehc.list_plans(session, pupil_id))


def provision_blocks(lines: list) -> list[Shown]:
    """The plan's costed provision: the school's notional part and the LA's top-up a year."""
    b = Builder()
    b.heading("Provision and its cost a year", 2)
    b.table(["Provision", "How often", "School's part", "LA top-up"],
            [(x.description, x.frequency, money(x.school_pence), money(x.topup_pence))
             for x in lines], empty="Not costed yet: use Provision and cost...")
    return list(b.blocks)


class EhcTab(LoadOnShow, QWidget):
    def __init__(self, session: Session, pupil_id: int, parent: QWidget | None = None,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id = session, int(pupil_id)
        self.runner = runner_for(session, runner, self)
        self.setObjectName("tab_ehc")
        today = session.clock.today()
        manage = "" if session.can(Permission.MANAGE_PLANS) else denied_text(session)
        if not manage and pupil_line(self.runner, self.pupil_id).archived:
            manage = "This pupil has left; their archived record is read-only."
        status = manage or ("" if session.can(Permission.CHANGE_SEN_STATUS) else denied_text(session))
        self.readiness_model: RowsModel[ReadinessItem] = RowsModel(
            READINESS_COLUMNS, background=lambda i: GREEN if i.met else AMBER, parent=self)
        self.readiness = _Section(
            "readiness", "Before requesting an EHC needs assessment, the record should show each "
            "of these. Most are read from the graduated approach; answer the questions only you "
            "can, with a note of how you know.", self.readiness_model, [
                ("answer", "Ans&wer the question...", self.answer, manage),
                ("record_exception", "&Record an exception...", self.record_exception, manage),
                ("withdraw_exception", "Wit&hdraw the exception...", self.withdraw_exception, manage),
                ("refresh_readiness", "&Check again", self.refresh, "")], sizes=(340, 260))
        compact_rows(self.readiness.table)
        self.request_model: RowsModel[EhcnaRequest] = RowsModel(request_columns(today), parent=self)
        self.requests = _Section(
            "requests", "A request needs the parents' consent and the head teacher's "
            "countersignature. From the day it is sent the LA has 20 weeks to issue a final plan.",
            self.request_model, [
                ("new_request", "&New request...", self.new_request, manage),
                ("update_request", "&Update the request...", self.update_request, manage)],
            sizes=(150, 450))
        self.plan_model: RowsModel[EhcPlan] = RowsModel(PLAN_COLUMNS, parent=self)
        self.plans = _Section(
            "plans", "EHC plans are reviewed every year: the meeting about four weeks before the "
            "anniversary, with six weeks' notice to every specialist involved.", self.plan_model, [
                ("record_plan", "Record an &issued plan...", self.record_plan, status),
                ("edit_plan", "Plan &details...", self.edit_plan, manage),
                ("edit_outcomes", "&Outcomes and steps...", self.edit_outcomes, manage),
                ("edit_provision", "&Provision and cost...", self.edit_provision, manage),
                ("review", "Annual re&view...", self.review, manage),
                ("interim_review", "I&nterim review...", self.interim_review, manage),
                ("cease_plan", "Plan &ceased...", self.cease_plan, manage)],
            sizes=(130, 470))
        for section, show in ((self.readiness, self._show_item), (self.requests, self._show_request),
                              (self.plans, self._show_plan)):
            section.table.selectionModel().selectionChanged.connect(lambda *_, s=show: s())
        self.message = QLabel(objectName="message", wordWrap=True)
        self.message.setStyleSheet("color: #b3261e")
        self.sections = QTabWidget(objectName="ehc_sections")
        self.sections.tabBar().setAccessibleName("EHC sections")
        for section, title in ((self.readiness, "Readiness for a request"),
                               (self.requests, "Needs assessment requests"),
                               (self.plans, "EHC plans")):
            self.sections.addTab(section, title)
            section.table.setAccessibleName(title)
            section.details.setAccessibleName(f"{title}: the chosen row in full")
        self.opened_on_plan = False
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.sections)
        # Built when its tab is first shown; read again when a change to what it shows is
        # reported (at once on screen, else when next shown).
        self.follow(self.runner, SHOWN_KINDS, pupil_id=self.pupil_id)
        self.load_now_or_when_shown(True)

    # --- reading -------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    @one_at_a_time
    def refresh(self) -> None:
        self.loaded = True
        readiness, calendar, requests, plans = self.runner.call(_read, self.pupil_id)
        if not alive(self):
            return   # the record window closed while the worker read
        self.say("")
        self.readiness_result = readiness
        current = self.readiness.table.currentIndex().row()
        self.readiness_model.set_rows(self.readiness_result.items)
        result = self.readiness_result
        verdict = ("<b style='color:#1e6b2a'>Ready to request an assessment</b>" if result.ready
                   else "<b style='color:#8a5300'>Not ready yet</b>")
        exception = (f"<br>Exception recorded: {escape(result.exception)} &ndash; "
                     f"{escape(result.exception_reason or '')}" if result.exception else "")
        self.readiness.set_summary(f"{verdict}: {result.score} items met.{exception}")
        table = self.readiness.table
        table.setMinimumHeight(table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
                               + table.verticalHeader().defaultSectionSize() * len(result.items))
        self.readiness.enable("withdraw_exception", result.exception is not None)
        self.readiness.enable("record_exception", result.exception is None)
        self.readiness.select(current if current >= 0 else 0)
        self.calendar = calendar
        self.request_model.set_rows(requests)
        self.requests.set_summary(self._cutoff_text())
        self.requests.select(len(self.request_model.rows()) - 1)
        self.plan_model.set_rows(plans)
        current_plan = next((p for p in self.plan_model.rows() if p.current), None)
        self.plans.set_summary("" if current_plan or self.plan_model.rows()
                               else "No EHC plan recorded.")
        self.plans.select(len(self.plan_model.rows()) - 1)
        for key in ("edit_plan", "edit_outcomes", "review", "interim_review", "cease_plan"):
            self.plans.enable(key, current_plan is not None)
        if current_plan is not None and not self.opened_on_plan:
            # A pupil with a plan is here for the plan, not for readiness to ask for one.
            self.opened_on_plan = True
            self.sections.setCurrentWidget(self.plans)
        self.requests.enable("update_request", bool(self.request_model.rows()))
        self._show_item()
        self._show_request()
        self._show_plan()

    def _cutoff_text(self) -> str:
        text = escape(rules.cutoff_advice(self.session.clock.today(), self.calendar))
        return re.sub(r"\d{2}/\d{2}/\d{4}", r"<b>\g<0></b>", text)

    def _show_item(self) -> None:
        item = self.readiness.selected()
        document_view.show(self.readiness.details, readiness_blocks(item) if item else [])
        self.readiness.enable("answer", item is not None and item.key in checklist.QUESTION_KEYS)

    def _show_request(self) -> None:
        request = self.requests.selected()
        if request is None:
            self.requests.details.setHtml("<p>No request recorded.</p>")
            return
        if request.submitted_on is not None:
            warning = rules.cutoff_warning(request.submitted_on, self.calendar)
        elif request.stage is rules.RequestStage.PREPARING:
            warning = rules.cutoff_warning(self.session.clock.today(), self.calendar,
                                           prospective=True)
        else:
            warning = None
        document_view.show(self.requests.details,
                           request_blocks(request, self.session.clock.today(), warning))

    def _show_plan(self) -> None:
        plan = self.plans.selected()
        if plan is None:
            self.plans.details.setHtml("<p>No EHC plan recorded.</p>")
            return
        schedule = self.runner.call(ehc.review_schedule, plan)
        lines = self.runner.call(ehc_costs.plan_provision, plan.id, audit=False) \
            if alive(self) else []
        if alive(self):
            document_view.show(self.plans.details,
                               plan_blocks(plan, schedule) + provision_blocks(lines))

    def current_plan(self) -> EhcPlan | None:
        return next((p for p in self.plan_model.rows() if p.current), None)

    # --- forms ---------------------------------------------------------------------------------
    def _write(self, fn, *args):
        """A write on the runner; the refresh comes from the change it reports."""
        return self.runner.call(fn, *args)

    def _form(self, title: str, fields: list[FieldSpec], save, values=None, intro: str = "") -> FormDialog:
        dialog = FormDialog(title, fields, save, intro=intro, values=values, parent=self)
        dialog.open()
        return dialog

    def answer(self) -> FormDialog | None:
        item = self.readiness.selected()
        if item is None or item.key not in checklist.QUESTION_KEYS:
            self.say("Choose one of the checklist questions first.")
            return None
        question = checklist.question(item.key)
        stored = self.runner.call(ehcna.answers, self.pupil_id).get(item.key)
        choices = [("Not answered", None), ("Yes", True), ("No", False)]
        return self._form(question.title, [
            FieldSpec("answer", "Answer", "choice", choices),
            FieldSpec("note", "How you know", "text", aliases=("Note",))],
            lambda v: self._write(ehcna.answer_question, self.pupil_id, item.key, v["answer"], v["note"]),
            values={"answer": stored.answer if stored else None, "note": stored.note if stored else ""},
            intro=question.question)

    def record_exception(self) -> FormDialog:
        return self._form("Exception to the APDR cycles", [
            FieldSpec("kind", "Circumstance", "choice", [(k.label, k.value) for k in ExceptionKind]),
            FieldSpec("reason", "Reason", "text"),
            FieldSpec("recorded_on", "Date", "date", aliases=("Date recorded",))],
            lambda v: self._write(ehcna.record_exception, self.pupil_id, v["kind"], v["reason"],
                                  v["recorded_on"]),
            values={"recorded_on": self.session.clock.today()},
            intro="Only in these circumstances may a request be made without cycles of Assess, "
                  "Plan, Do, Review. Say what happened.")

    def withdraw_exception(self) -> FormDialog:
        return self._form("Withdraw the exception", [FieldSpec("reason", "Reason", "text")],
                          lambda v: self._write(ehcna.withdraw_exception, self.pupil_id, v["reason"]))

    def _request_fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("requested_by", "Who asked for it", "choice",  # the young person from 16
                      [(r.label, r.value) for r in rules.who_may_ask(
                          pupil_line(self.runner, self.pupil_id).dob, self.session.clock.today())]),
            FieldSpec("local_authority", "Local authority"),
            FieldSpec("consent_on", "Parents' consent signed", "date",
                      aliases=("Date of the parents' consent",)),
            FieldSpec("consent_from", "Consent given by", placeholder="Name and relationship"),
            FieldSpec("head_name", "Head teacher who countersigned", aliases=("Head teacher's name",)),
            FieldSpec("head_signed_on", "Date countersigned", "date",
                      aliases=("Date the head teacher countersigned",)),
            FieldSpec("submitted_on", "Date sent to the LA", "date",
                      aliases=("Date sent to the local authority",)),
            FieldSpec("decision", "LA's decision", "choice",
                      [("Not yet decided", None)] + [(d.label, d.value) for d in rules.AssessDecision],
                      aliases=("Date of the LA's decision",)),
            FieldSpec("decision_on", "Date of the decision", "date"),
            FieldSpec("plan_decision", "Will a plan be issued?", "choice",
                      [("Not yet known", None)] + [(d.label, d.value) for d in rules.PlanDecision]),
            FieldSpec("draft_on", "Draft plan (or notice) dated", "date",
                      aliases=("Date of the draft plan or notice",)),
            FieldSpec("withdrawn_on", "Withdrawn on", "date", aliases=("Date withdrawn",)),
            FieldSpec("below_readiness_reason", "Why send it before every readiness item is met",
                      "text", aliases=("Reason for sending it now",)),
            FieldSpec("notes", "Notes", "text")]

    def _readiness_intro(self) -> str:
        result = getattr(self, "readiness_result", None)
        if result is None or result.ready:
            return ""
        return (f" The readiness checklist shows {result.score} items met: if the school sends "
                "it now, say why.")

    def new_request(self) -> FormDialog:
        values = {"local_authority": self._last_authority()}
        return self._form("New EHC needs assessment request", self._request_fields(),
                          lambda v: self._write(ehc.add_request, self.pupil_id, v), values=values,
                          intro="Record what has been done so far; come back to add the dates "
                                "as the request goes on. A parent or young person may ask the LA "
                                "themselves." + self._readiness_intro())

    def update_request(self) -> FormDialog | None:
        request = self.requests.selected()
        if request is None:
            self.say("Choose a request first.")
            return None
        values = {name: getattr(request, name) for name in (
            "local_authority", "consent_on", "consent_from", "head_name", "head_signed_on",
            "submitted_on", "decision_on", "draft_on", "withdrawn_on", "notes")}
        values["decision"] = request.decision.value if request.decision else None
        values["plan_decision"] = request.plan_decision.value if request.plan_decision else None
        values["requested_by"] = request.requested_by.value
        values["below_readiness_reason"] = request.sent_below_readiness_reason or ""
        return self._form("Update the request", self._request_fields(),
                          lambda v: self._write(ehc.update_request, request.id, v), values=values,
                          intro="The final plan is recorded on the EHC plans page."
                          + (self._readiness_intro() if request.submitted_on is None else ""))

    def _last_authority(self) -> str:
        rows = self.request_model.rows()
        return rows[-1].local_authority if rows else ""

    def _plan_fields(self) -> list[FieldSpec]:
        return [FieldSpec("issued_on", "Date issued", "date", aliases=("Date the plan was issued",)),
                FieldSpec("local_authority", "Local authority"),
                FieldSpec("caseworker", "Caseworker"),
                FieldSpec("caseworker_contact", "Caseworker's phone or email")]

    def record_plan(self) -> FormDialog:
        waiting = [r for r in self.request_model.rows()
                   if r.submitted_on is not None and r.final_on is None and r.withdrawn_on is None
                   and r.decision is not rules.AssessDecision.NOT_ASSESS
                   and r.plan_decision is not rules.PlanDecision.NOT_ISSUE]
        fields = self._plan_fields()
        intro = ("The pupil's SEN status becomes E (EHC plan) from the date it was issued, and "
                 "their parents are due a letter. Add the outcomes afterwards.")
        if waiting:
            fields.append(FieldSpec("request_id", "From the request", "choice",
                                    [(f"Sent {uk(r.submitted_on)}", r.id) for r in waiting]))
            intro += " The request it came from is closed with the plan."
            if any(r.decision is None for r in waiting):
                # Asked here rather than refused later: a plan follows a decision to assess.
                fields.append(FieldSpec("decision_on", "LA agreed to assess on", "date",
                                        aliases=("Date the LA agreed to assess",
                                                 "Date of the LA's decision")))
                fields.append(FieldSpec("draft_on", "Draft plan dated", "date",
                                        aliases=("Date of the draft plan",
                                                 "Date of the draft plan or notice")))
                intro += (" No decision to assess is recorded on that request: give the date "
                          "the LA agreed to assess.")
        return self._form(
            "Record an issued EHC plan", fields,
            lambda v: self._write(ehc.record_plan, self.pupil_id, v, v.get("request_id")),
            values={"local_authority": self._last_authority(),
                    "request_id": waiting[-1].id if waiting else None}, intro=intro)

    def edit_plan(self) -> FormDialog | None:
        plan = self.current_plan()
        if plan is None:
            return None
        return self._form("EHC plan details", self._plan_fields(),
                          lambda v: self._write(ehc.update_plan, plan.id, v),
                          values={"issued_on": plan.issued_on, "local_authority": plan.local_authority,
                                  "caseworker": plan.caseworker,
                                  "caseworker_contact": plan.caseworker_contact})

    def edit_outcomes(self) -> OutcomesDialog | None:
        plan = self.current_plan()
        if plan is None:
            return None
        dialog = OutcomesDialog(self.session, plan, parent=self, runner=self.runner)
        dialog.open()
        return dialog

    def edit_provision(self) -> EhcProvisionDialog | None:
        """The plan's provision costed: the school's notional part and the LA's top-up."""
        plan = self.current_plan()
        if plan is None:
            return None
        lines = self.runner.call(ehc_costs.plan_provision, plan.id)
        dialog = EhcProvisionDialog(self.session, plan, lines, parent=self, runner=self.runner)
        dialog.open()
        return dialog

    def review(self) -> FormDialog | None:
        plan = self.current_plan()
        if plan is None:
            return None
        booked = plan.booked_review
        schedule = self.runner.call(ehc.review_schedule, plan)
        values: dict[str, Any] = {"meeting_on": schedule.meeting_on if schedule else None}
        if booked is not None:
            values = {"meeting_on": booked.meeting_on, "invitations_sent_on": booked.invitations_sent_on,
                      "notes": booked.notes, "pfa_discussed": booked.pfa_discussed}
        intro = ("Book the meeting, then record the invitations and, after it, what it "
                 "recommends.")
        if schedule is not None:
            intro += (f" Hold it by {uk(schedule.meeting_by)}; invite specialists by "
                      f"{uk(schedule.invitations_by)}.")
        return self._form("Annual review", [
            FieldSpec("meeting_on", "Meeting date", "date", aliases=("Date of the review meeting",)),
            FieldSpec("invitations_sent_on", "Invitations sent", "date",
                      aliases=("Date the invitations were sent",)),
            FieldSpec("held_on", "Held on", "date", aliases=("Date the review was held",)),
            FieldSpec("recommendation", "Recommendation to the LA", "choice",
                      [("Not yet held", None)] + [(r.label, r.value) for r in rules.ReviewRecommendation]),
            FieldSpec("pfa_discussed", "Preparing for Adulthood discussed", "bool"),
            FieldSpec("report_sent_on", "Report sent to the LA", "date",
                      aliases=("Date the report went to the LA",)),
            FieldSpec("notes", "Notes", "text")],
            lambda v: self._write(ehc.save_review, plan.id, v, booked.id if booked else None),
            values=values, intro=intro)

    def interim_review(self) -> FormDialog | None:
        """An interim review, recorded once held with its outcome; the annual schedule stays."""
        plan = self.current_plan()
        if plan is None:
            return None
        return self._form("Interim review", [
            FieldSpec("held_on", "Held on", "date", aliases=("Date the review was held",
                                                             "Date the interim review was held")),
            FieldSpec("recommendation", "Outcome", "choice",
                      [(r.label, r.value) for r in rules.ReviewRecommendation],
                      aliases=("Outcome of the interim review",)),
            FieldSpec("report_sent_on", "Report sent to the LA", "date",
                      aliases=("Date the report went to the LA",)),
            FieldSpec("notes", "Why it was called and what was agreed", "text",
                      aliases=("Notes",))],
            lambda v: self._write(ehc.save_review, plan.id, {**v, "kind": "interim"}),
            values={"held_on": self.session.clock.today()},
            intro="An interim review is called between annual reviews when needs or the "
                  "placement change. It does not move the annual review.")

    def cease_plan(self) -> FormDialog | None:
        plan = self.current_plan()
        if plan is None:
            return None
        return self._form("EHC plan ceased", [
            FieldSpec("ceased_on", "Date the plan ceased", "date"),
            FieldSpec("reason", "Reason", "text")],
            lambda v: self._write(ehc.cease_plan, plan.id, v["ceased_on"], v["reason"]),
            values={"ceased_on": self.session.clock.today()},
            intro="The pupil's SEN status is not changed; review it on the Register tab.")
