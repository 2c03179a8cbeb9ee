"""The pupil record's "Specialists" tab: outside services involved with the pupil.

A list of involvements (service, specialist, referral, the parents' consent, visits, reports,
recommendations); choosing one shows its details. The SENCO records referrals and consent,
visits, reports (stored inside the encrypted database) and recommendations, and marks a
recommendation not adopted with the reason; a recommendation is put into the plan from the
APDR wizard's plan page, which links the provision item to it. Saving a copy of a report is
for those who may export documents.

    Its work runs on the record window's OpRunner; it refreshes when the runner reports a
    change to the pupil's specialists or plans (a recommendation put into the plan from the APDR
    wizard, for one), whoever made it. refresh() re-reads everything.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
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

from ..documents.model import Builder, Paragraph
from ..errors import SendeskError
from ..models.roles import Permission
from ..models.specialists import Consent, RecommendationStatus, services
from ..operations import Kind
from ..records import specialists
from ..records.specialists import Involvement
from ..session import Session
from ..settings import export_dir
from . import document_view
from .apdr_models import AMBER
from .dates import uk
from .document_view import Marked, Shown
from .forms import FieldSpec, FormDialog
from .load_on_show import LoadOnShow
from .prompts import prompts
from .record_changes import one_at_a_time, pupil_line, runner_for
from .record_panel import denied_text
from .rows_model import Col, RowsModel
from .runner import OpRunner, alive


def _open_recommendations(i: Involvement) -> int:
    return sum(1 for r in i.recommendations if r.status is RecommendationStatus.OPEN and not r.item_ids)


COLUMNS: list[Col[Involvement]] = [
    Col("Service", lambda i: i.service),
    Col("Specialist", lambda i: i.professional or ""),
    Col("Referred", lambda i: uk(i.referral_date)),
    Col("Parents' consent", lambda i: i.consent.label + (f" ({uk(i.consent_date)})" if i.consent_date else "")),
    Col("Visits", lambda i: len(i.visits), align_right=True),
    Col("Reports", lambda i: len(i.reports), align_right=True),
    Col("Recommendations not yet in a plan", lambda i: _open_recommendations(i), align_right=True),
    Col("Ended", lambda i: uk(i.ended_on)),
]

CONSENT_CHOICES = [(c.label, c.value) for c in Consent]


def involvement_blocks(found: Involvement) -> list[Shown]:
    """One involvement as the record reads: referral, visits, reports, recommendations."""
    b = Builder()
    b.heading(found.service, 1)
    consent = found.consent.label.lower()
    if found.consent_date:
        consent += f" ({uk(found.consent_date)}" + (f", {found.consent_from}" if found.consent_from
                                                    else "") + ")"
    b.para(f"Referred {uk(found.referral_date)}"
           + (f" \u00b7 {found.professional}" if found.professional else "")
           + f" \u00b7 parents' consent: {consent}"
           + (f" \u00b7 ended {uk(found.ended_on)}" if found.ended_on else ""), "small")
    if found.reason:
        b.heading("Reason for the referral", 3)
        b.para(found.reason)
    b.heading("Visits", 2)
    for visit in found.visits:
        b.para(f"{uk(visit.visit_date)}: {visit.notes}")
    if not found.visits:
        b.para("None yet.", "small")
    b.heading("Reports", 2)
    for report in found.reports:
        b.para(f"{uk(report.report_date)}: {report.title} ({report.filename}, "
               f"{max(1, report.size // 1024)} KB)")
    if not found.reports:
        b.para("None yet.", "small")
    b.heading("Recommendations", 2)
    shown: list[Shown] = list(b.blocks)
    for rec in found.recommendations:
        shown.append(Paragraph(f"{uk(rec.recommended_on)}: {rec.text}"))
        if rec.status is RecommendationStatus.NOT_ADOPTED:
            shown.append(Paragraph(f"not adopted: {rec.not_adopted_reason or ''}", "emphasis"))
        elif rec.item_ids:
            shown.append(Paragraph("carried out by provision in a plan", "emphasis"))
        else:
            shown.append(Marked(Paragraph("not yet in the plan", "emphasis"), AMBER.name()))
    if not found.recommendations:
        shown.append(Paragraph("None yet.", "small"))
    return shown


# What the tab shows of its pupil.
SHOWN_KINDS = (Kind.SPECIALIST, Kind.PATHWAY, Kind.SEN)   # SEN: the NSA notice


class SpecialistsTab(LoadOnShow, QWidget):
    # The SENCO chose to review an NSA primary need after a report: the record window opens
    # the needs editor on its Registers tab.
    review_need = Signal()

    def __init__(self, session: Session, pupil_id: int, parent: QWidget | None = None,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id = session, int(pupil_id)
        self.runner = runner_for(session, runner, self)
        self.setObjectName("tab_specialists")
        self.model: RowsModel[Involvement] = RowsModel(
            COLUMNS, background=lambda i: AMBER if _open_recommendations(i) else None, parent=self)
        self.table = QTableView(objectName="involvements")
        self.table.setAccessibleName("Specialists involved")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_selected())
        self.details = QTextBrowser(objectName="involvement_details")
        self.details.setAccessibleName("The chosen specialist's involvement")
        self.message = QLabel(objectName="message", wordWrap=True)
        self.message.setStyleSheet("color: #b3261e")
        manage = session.can(Permission.MANAGE_PLANS) and \
            not pupil_line(self.runner, self.pupil_id).archived
        # Two rows of four: one row was wider than a laptop screen at 150% scaling.
        bar = QVBoxLayout()
        rows = [QHBoxLayout(), QHBoxLayout()]
        self.buttons: dict[str, QPushButton] = {}
        for name, text, slot, allowed in (
                ("add_referral", "Add &referral...", self.add_referral, manage),
                ("edit_referral", "&Consent and details...", self.edit_referral, manage),
                ("add_visit", "Add &visit...", self.add_visit, manage),
                ("attach_report", "A&ttach report...", self.attach_report, manage),
                ("add_recommendation", "Add reco&mmendation...", self.add_recommendation, manage),
                ("not_adopted", "&Not adopted...", self.not_adopted, manage),
                ("end_involvement", "&End involvement...", self.end_involvement, manage),
                ("save_report", "&Save a copy of a report...", self.save_report,
                 session.can(Permission.EXPORT_DOCUMENTS))):
            widget = QPushButton(text, objectName=name)
            widget.clicked.connect(slot)
            widget.setEnabled(allowed)   # greyed and saying why, as everywhere in the record
            if not allowed:
                left = name != "save_report" and session.can(Permission.MANAGE_PLANS)
                widget.setToolTip("The pupil has left: the record is kept read-only." if left
                                  else denied_text(session))
            rows[len(self.buttons) // 4].addWidget(widget)
            self.buttons[name] = widget
        for row in rows:
            row.addStretch(1)
            bar.addLayout(row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setSizes([220, 380])
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Specialists are involved with the parents' agreement; their "
                                "recommendations feed the pupil's one support plan."))
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self._need_bar(session))
        layout.addWidget(splitter, 1)
        # Built when its tab is first shown; read again when a change to what it shows is
        # reported (at once on screen, else when next shown).
        self.follow(self.runner, SHOWN_KINDS, pupil_id=self.pupil_id)
        self.load_now_or_when_shown(True)

    @one_at_a_time
    def refresh(self, select: int | None = None) -> None:
        """Read the involvements again, keeping the chosen one (or choosing `select`)."""
        self.loaded = True
        if select is None:
            current = self.selected()
            select = current.id if current is not None else None
        found, notice = self.runner.call(_read, self.pupil_id)
        if not alive(self):
            return   # the record window closed while the worker read
        self.need_notice.setText(notice or "")
        self.need_row.setVisible(notice is not None)
        self.model.set_rows(found)
        if found:
            ids = [i.id for i in found]
            self.table.selectRow(ids.index(select) if select in ids else len(found) - 1)
        else:
            self.details.setHtml("<p>No specialists involved yet.</p>")

    def _need_bar(self, session: Session) -> QWidget:
        """Shown while a report waits for the SENCO to review an NSA primary need."""
        self.need_row = QWidget(objectName="need_review")
        self.need_notice = QLabel(objectName="need_notice", wordWrap=True)
        self.need_notice.setStyleSheet("color: #8a5300; font-weight: bold")
        allowed = session.can(Permission.CHANGE_SEN_STATUS)
        self.review_need_button = QPushButton("&Review the primary need...", objectName="review_need")
        self.review_need_button.clicked.connect(lambda: self.review_need.emit())
        self.keep_nsa_button = QPushButton("&Keep NSA after review...", objectName="keep_nsa")
        self.keep_nsa_button.clicked.connect(self.keep_nsa)
        for widget in (self.review_need_button, self.keep_nsa_button):
            widget.setEnabled(allowed)
            if not allowed:
                widget.setToolTip(denied_text(session))
        row = QHBoxLayout(self.need_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.need_notice, 1)
        row.addWidget(self.review_need_button)
        row.addWidget(self.keep_nsa_button)
        self.need_row.setVisible(False)
        return self.need_row

    def keep_nsa(self) -> FormDialog:
        return self._form("Keep NSA after the report", [
            FieldSpec("note", "Why NSA still applies", "text")],
            lambda v: self._write(specialists.keep_nsa_after_review, self.pupil_id, v["note"]),
            intro="Say why the report does not change the primary need (for example, it did "
                  "not identify a type of need).")

    def ask_about_need(self) -> bool:
        """After a report is stored: if the primary need is NSA, ask to review it now. True
        when the SENCO chose to (the needs editor opens); otherwise the notice stays."""
        notice = self.runner.call(specialists.need_review_due, self.pupil_id)
        if notice is None or not alive(self) or not self.session.can(Permission.CHANGE_SEN_STATUS):
            return False
        if prompts.confirm(self, "Review the primary need", notice + " Open the needs editor now? "
                           "If not, the record shows this until the need is reviewed."):
            self.review_need.emit()
            return True
        return False

    def selected(self) -> Involvement | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_object(rows[0].row()) if rows else None

    def show_selected(self) -> None:
        found = self.selected()
        if found is not None:
            document_view.show(self.details, involvement_blocks(found))

    def _need_selection(self) -> Involvement | None:
        found = self.selected()
        if found is None:
            self.message.setText("Choose a specialist involvement first.")
        else:
            self.message.clear()
        return found

    def _write(self, fn, *args):
        """A write on the runner; the refresh comes from the change it reports."""
        return self.runner.call(fn, *args)

    def _form(self, title: str, fields: list[FieldSpec], save, values=None, intro: str = "",
              select: int | None = None) -> FormDialog:
        dialog = FormDialog(title, fields, save, intro=intro, values=values, parent=self)

        def done() -> None:
            chosen = select if select is not None else (dialog.result_value if isinstance(
                dialog.result_value, int) and not isinstance(dialog.result_value, bool) else None)
            ids = [i.id for i in self.model.rows()]
            if chosen in ids:
                self.table.selectRow(ids.index(chosen))
        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def add_referral(self) -> FormDialog:
        choices = [(s.label, s.code) for s in services().values()]
        return self._form("Add a referral to a specialist", [
            FieldSpec("service", "Service", "choice", choices),
            FieldSpec("service_detail", "Service name (for other services)", aliases=("Service name",)),
            FieldSpec("professional", "Specialist's name", aliases=("Specialist's name",)),
            FieldSpec("referral_date", "Referral date", "date"),
            FieldSpec("reason", "Reason for the referral", "text"),
            FieldSpec("consent", "Parents' consent", "choice", CONSENT_CHOICES),
            FieldSpec("consent_date", "Date of consent", "date"),
            FieldSpec("consent_from", "Consent given by", placeholder="Name and relationship")],
            lambda v: self._write(specialists.add_involvement, self.pupil_id, v),
            values={"referral_date": self.session.clock.today()},
            intro="The parents should always be involved in a decision to involve specialists.")

    def edit_referral(self) -> FormDialog | None:
        found = self._need_selection()
        if found is None:
            return None
        return self._form("Consent and referral details", [
            FieldSpec("professional", "Specialist's name", aliases=("Specialist's name",)),
            FieldSpec("consent", "Parents' consent", "choice", CONSENT_CHOICES),
            FieldSpec("consent_date", "Date of consent", "date"),
            FieldSpec("consent_from", "Consent given by"),
            FieldSpec("reason", "Reason for the referral", "text")],
            lambda v: self._write(specialists.update_involvement, found.id, v),
            values={"professional": found.professional, "consent": found.consent.value,
                    "consent_date": found.consent_date or self.session.clock.today(),
                    "consent_from": found.consent_from, "reason": found.reason},
            select=found.id)

    def add_visit(self) -> FormDialog | None:
        found = self._need_selection()
        if found is None:
            return None
        return self._form("Add a visit", [
            FieldSpec("visit_date", "Date of the visit", "date"),
            FieldSpec("notes", "What was done or agreed", "text")],
            lambda v: self._write(specialists.add_visit, found.id, v["visit_date"], v["notes"]),
            values={"visit_date": self.session.clock.today()}, select=found.id)

    def attach_report(self) -> FormDialog | None:
        found = self._need_selection()
        if found is None:
            return None
        path = prompts.open_file(self, "Attach a specialist's report", str(Path.home()),
                                 "Reports (*.pdf *.docx *.doc *.odt *.rtf *.txt *.png *.jpg *.jpeg)")
        if path is None:
            return None

        def save(values):
            return self._write(specialists.attach_report_file, found.id, path, values["title"],
                               values["report_date"])
        dialog = self._form("Attach a report", [
            FieldSpec("title", "Title"), FieldSpec("report_date", "Date of the report", "date")],
            save, values={"title": Path(path).stem, "report_date": self.session.clock.today()},
            intro=f"{Path(path).name} will be stored inside the encrypted database.",
            select=found.id)
        dialog.accepted.connect(self.ask_about_need)
        return dialog

    def add_recommendation(self) -> FormDialog | None:
        found = self._need_selection()
        if found is None:
            return None
        reports = [("", None)] + [(f"{uk(r.report_date)}: {r.title}", r.id) for r in found.reports]
        return self._form("Add a recommendation", [
            FieldSpec("text", "Recommendation", "text", aliases=("Recommendation",)),
            FieldSpec("recommended_on", "Date of the recommendation", "date"),
            FieldSpec("report_id", "From the report", "choice", reports)],
            lambda v: self._write(specialists.add_recommendation, found.id, v["text"],
                                  v["recommended_on"], v["report_id"]),
            values={"recommended_on": self.session.clock.today(),   # a lone report is the one
                    "report_id": found.reports[0].id if len(found.reports) == 1 else None},
            intro="Put it into the support plan from the plan page of the APDR wizard.",
            select=found.id)

    def not_adopted(self) -> FormDialog | None:
        found = self._need_selection()
        if found is None:
            return None
        waiting = [r for r in found.recommendations
                   if r.status is RecommendationStatus.OPEN and not r.item_ids]
        if not waiting:
            self.message.setText("This involvement has no recommendation waiting for a decision.")
            return None
        return self._form("Recommendation not adopted", [
            FieldSpec("recommendation", "Recommendation", "choice", [(r.text, r.id) for r in waiting]),
            FieldSpec("reason", "Reason (agreed with the parents)", "text", aliases=("Reason",))],
            lambda v: self._write(specialists.mark_not_adopted, v["recommendation"], v["reason"]),
            select=found.id)

    def end_involvement(self) -> FormDialog | None:
        found = self._need_selection()
        if found is None:
            return None
        return self._form("End the involvement", [FieldSpec("ended_on", "End date", "date")],
                          lambda v: self._write(specialists.end_involvement, found.id, v["ended_on"]),
                          values={"ended_on": self.session.clock.today()}, select=found.id)

    def save_report(self) -> None:
        found = self._need_selection()
        if found is None or not found.reports:
            self.message.setText("This involvement has no stored report.")
            return
        report = found.reports[-1]
        path = prompts.save_file(self, "Save a copy of the report", str(export_dir() / report.filename),
                                 "All files (*)")
        if path is None:
            return
        try:
            self.runner.call(specialists.save_report_copy, report.id, path,
                             sender=self.buttons["save_report"])
        except SendeskError as exc:
            prompts.error(self, "Save a copy of the report", str(exc))
            return
        prompts.info(self, "Save a copy of the report", f"Saved {path.name}. It is not encrypted: "
                     "delete it when you no longer need it.")


def _read(session: Session, pupil_id: int) -> tuple[list[Involvement], str | None]:
    """The involvements and any NSA notice, in one trip to the worker."""
    return (specialists.involvements(session, pupil_id),
            specialists.need_review_due(session, pupil_id))
