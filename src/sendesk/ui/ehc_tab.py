"""The pupil record's "EHC" tab: readiness for an EHC needs assessment request, the requests
with their statutory timeline, and EHC plans with their annual review schedule.

Readiness lists each checklist item as met or not, with what the record holds and what is
missing; the SENCO answers the questions only they can, and records an exception that lets a
request skip the APDR cycles. Requests and plans are kept up to date through forms; recording
an issued plan puts the pupil on the register as E.

Its work runs on the record window's OpRunner, and it refreshes when the runner reports a
change to the pupil's EHC records, pathway, specialists or SEN status, or to the school's
term dates, whoever made it. refresh() re-reads everything.

This module is the tab's shell (its three sections, reading and showing). What the lists and
details panes show is in ui.ehc_details, one section's widgets in ui.ehc_section, the readiness
and request forms in ui.ehc_request_form, and the plan and review forms in ui.ehc_plan_forms.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from ..models import ehc as rules
from ..models import ehcna as checklist
from ..models.ehc import EhcnaRequest, EhcPlan
from ..models.ehcna import ReadinessItem
from ..models.roles import Permission
from ..operations import Kind
from ..records import ehc, ehc_costs, ehcna, school_calendar
from ..session import Session
from . import document_view
from .apdr_models import AMBER
from .ehc_details import (
    GREEN,
    PLAN_COLUMNS,
    READINESS_COLUMNS,
    plan_blocks,
    provision_blocks,
    readiness_blocks,
    request_blocks,
    request_columns,
)
from .ehc_plan_forms import PlanForms
from .ehc_request_form import RequestForms
from .ehc_section import Section, compact_rows
from .forms import FieldSpec, FormDialog
from .load_on_show import LoadOnShow
from .record_changes import one_at_a_time, pupil_line, runner_for
from .record_panel import denied_text
from .rows_model import RowsModel
from .runner import OpRunner, alive

# What the tab shows of its pupil.
SHOWN_KINDS = (Kind.EHC, Kind.PATHWAY, Kind.SPECIALIST, Kind.SEN, Kind.CALENDAR, Kind.PUPIL)


def _read(session: Session, pupil_id: int) -> tuple[Any, Any, Any, Any]:
    """Everything the tab lists, in one trip to the worker."""
    return (ehcna.assess_readiness(session, pupil_id), school_calendar.load(session),
            ehc.list_requests(session, pupil_id), ehc.list_plans(session, pupil_id))


class EhcTab(RequestForms, PlanForms, LoadOnShow, QWidget):
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
        self.readiness = Section(
            "readiness", "Before requesting an EHC needs assessment, the record should show each "
            "of these. Most are read from the graduated approach; answer the questions only you "
            "can, with a note of how you know.", self.readiness_model, [
                ("answer", "Ans&wer the question...", self.answer, manage),
                ("record_exception", "&Record an exception...", self.record_exception, manage),
                ("withdraw_exception", "Wit&hdraw the exception...", self.withdraw_exception, manage),
                ("refresh_readiness", "&Check again", self.refresh, "")], sizes=(340, 260))
        compact_rows(self.readiness.table)
        self.request_model: RowsModel[EhcnaRequest] = RowsModel(request_columns(today), parent=self)
        self.requests = Section(
            "requests", "A request needs the parents' consent and the head teacher's "
            "countersignature. From the day it is sent the LA has 20 weeks to issue a final plan.",
            self.request_model, [
                ("new_request", "&New request...", self.new_request, manage),
                ("update_request", "&Update the request...", self.update_request, manage)],
            sizes=(150, 450))
        self.plan_model: RowsModel[EhcPlan] = RowsModel(PLAN_COLUMNS, parent=self)
        self.plans = Section(
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
        self.sections.setAccessibleName("EHC sections")   # and its tab bar, which Tab reaches
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
                               plan_blocks(plan, schedule, self.calendar) + provision_blocks(lines))

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
