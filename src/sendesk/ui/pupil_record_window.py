"""One pupil's record: a header with the essentials and tabs for each part of the file.

Opening it is audited once (records.pupil_record.open_record); every save goes through a
core function that checks the user's role and writes its own audit entry. The window is a
top-level window so several records can be open side by side; locking closes them all.

All of the window's database work, and its tabs', runs on one OpRunner (the app's, or one of
its own when built alone). The window and each tab refresh when the runner says their pupil's
records of the kinds they show changed, whichever tab (or page) changed them.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from ..errors import SendeskError, ValidationError
from ..models.contacts import CONSENT_GIVERS
from ..models.notifications import METHODS
from ..models.pupils import EDITABLE_FIELDS, FIELD_LABELS, GENDERS, YEAR_GROUPS
from ..models.registers import RegisterKind
from ..models.roles import Permission
from ..models.sen import need_codes, statuses
from ..records import (consent, contacts, notes, notifications, pupils, registers, sar,
                       sen_register)
from ..records.pupil_record import PupilRecord, open_record
from ..operations import Changes, Kind
from ..session import Session
from ..settings import export_dir
from .concerns_panel import ConcernsPanel
from .dates import uk
from .documents_tab import DocumentsTab, file_name
from .ehc_tab import EhcTab
from .forms import FieldSpec, FormDialog, FormWidget
from .history_text import history_rows
from .plan_tab import PlanTab
from .prompts import prompts
from .specialists_tab import SpecialistsTab
from .record_changes import one_at_a_time, runner_for, touches, write
from .resources_qt import app_icon
from .runner import OpRunner
from .send_wizard import default_render_pdf
from .transfers_tab import TransfersTab

# The later features' tabs are built the first time they are shown (or asked for): building
# them all made opening a record take twice the 100 ms target at county scale, and the EHC tab's
# readiness check reads every cycle and is audited, which nobody should pay for unseen.
FEATURE_TABS = [("plans", "Plans and cycles", "Support plans and Assess-Plan-Do-Review cycles"),
                    ("specialists", "Specialists", "Involvement of outside specialists"),
                    ("ehc", "EHC", "EHC needs assessment requests and EHC plans"),
                    ("documents", "Documents", "Letters, plans and profiles as PDFs"),
                    ("transfers", "Transfers", "Records sent to or received from other schools")]

# What the header and the first four tabs show: a change to any of these re-reads the record.
SHOWN_KINDS = (Kind.PUPIL, Kind.CONTACT, Kind.CONSENT, Kind.NOTE, Kind.REGISTER, Kind.SEN,
               Kind.NOTIFICATION)


def age_on(dob: dt.date, today: dt.date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def make_table(name: str, headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), objectName=name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setWordWrap(True)
    return table


def fill_table(table: QTableWidget, rows: Sequence[Sequence[Any]], ids: Sequence[int] = ()) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem("" if value is None else str(value))
            if ids:
                item.setData(Qt.ItemDataRole.UserRole, ids[r])
            table.setItem(r, c, item)


def button(text: str, name: str, slot: Callable[[], Any], enabled: bool = True) -> QPushButton:
    widget = QPushButton(text, objectName=name)
    widget.clicked.connect(slot)
    widget.setEnabled(enabled)
    if not enabled:
        widget.setToolTip("Your role does not allow this.")
    return widget


class PupilRecordWindow(QWidget):
    changed = Signal(int)  # pupil id

    def __init__(self, session: Session, pupil_id: int, parent: QWidget | None = None,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session, self.pupil_id = session, pupil_id
        self.runner = runner_for(session, runner, self)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowIcon(app_icon())
        self.resize(1000, 720)
        self.record: PupilRecord = self.runner.call(open_record, pupil_id)
        self.header = QLabel(objectName="header", wordWrap=True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.tabs = QTabWidget(objectName="tabs")
        self._build_profile_tab()
        self._build_contacts_tab()
        self._build_register_tab()
        self._build_notes_tab()
        self.placeholders: dict[str, QWidget] = {}
        for key, title, text in FEATURE_TABS:
            page = QLabel(f"{text}.", alignment=Qt.AlignmentFlag.AlignCenter)
            page.setObjectName(f"tab_{key}")
            self.placeholders[key] = page
            self.tabs.addTab(page, title)
        self.built: dict[str, QWidget] = {}
        self.tabs.currentChanged.connect(self._build_current_tab)
        self.sar_button = button("Subject access request...", "subject_access",
                                 self.answer_subject_access, self.can(Permission.READ_AUDIT))
        self.sar_button.setAccessibleName("Answer a subject access request for this pupil")
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.sar_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs)
        self.show_record()
        self.runner.changed.connect(self._runner_changed)

    def can(self, permission: Permission) -> bool:
        return self.session.can(permission)

    @property
    def plans(self) -> PlanTab:
        return self._tab("plans")  # type: ignore[return-value]

    @property
    def specialists(self) -> SpecialistsTab:
        return self._tab("specialists")  # type: ignore[return-value]

    @property
    def ehc(self) -> EhcTab:
        return self._tab("ehc")  # type: ignore[return-value]

    @property
    def documents(self) -> DocumentsTab:
        return self._tab("documents")  # type: ignore[return-value]

    @property
    def transfers(self) -> TransfersTab:
        return self._tab("transfers")  # type: ignore[return-value]

    def _build_current_tab(self, position: int) -> None:
        for key, page in self.placeholders.items():
            if page is self.tabs.widget(position) and key not in self.built:
                try:
                    self._tab(key)
                except SendeskError as error:   # e.g. the record was deleted meanwhile
                    page.setText(str(error))  # type: ignore[attr-defined]

    def _tab(self, key: str) -> QWidget:
        """The feature tab for key, built and put in place of its placeholder on first use."""
        if key in self.built:
            return self.built[key]
        widget = self._make_tab(key)
        self.built[key] = widget
        old = self.placeholders[key]
        position = self.tabs.indexOf(old)
        current, title = self.tabs.currentIndex() == position, self.tabs.tabText(position)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(position)
        self.tabs.insertTab(position, widget, title)
        if current:
            self.tabs.setCurrentIndex(position)
        self.tabs.blockSignals(False)
        old.deleteLater()
        self.placeholders[key] = widget
        return widget

    def _make_tab(self, key: str) -> QWidget:
        """Each tab shares the window's runner and refreshes itself from its changes; a tab not
        built yet reads the record fresh when it is."""
        session, pupil_id, runner = self.session, self.pupil_id, self.runner
        if key == "plans":
            return PlanTab(session, pupil_id, runner=runner)
        if key == "specialists":
            return SpecialistsTab(session, pupil_id, runner=runner)
        if key == "ehc":
            return EhcTab(session, pupil_id, runner=runner)
        if key == "documents":
            return DocumentsTab(session, pupil_id, runner=runner)
        return TransfersTab(session, pupil_id, runner=runner)

    # --- reading -------------------------------------------------------------------
    def _runner_changed(self, changes: Changes) -> None:
        if touches(changes, self.pupil_id, *SHOWN_KINDS):
            self.reload()

    @one_at_a_time
    def reload(self) -> None:
        self.record = self.runner.call(open_record, self.pupil_id)
        self.show_record()
        self.changed.emit(self.pupil_id)

    def show_record(self) -> None:
        record, pupil = self.record, self.record.pupil
        details = pupil.details
        today = self.session.clock.today()
        self.setWindowTitle(f"{pupil.display_name} - sendesk")
        status_names = statuses()
        status = (f"{pupil.sen_status} - {status_names.get(pupil.sen_status, '')}"
                  if pupil.sen_status else "Not on the SEN register")
        needs = ", ".join(n.code for n in sorted(record.current_needs, key=lambda n: n.rank))
        flags = " ".join(f"<span style='background:#e8eef5; padding:2px 6px'>{f.label}</span>"
                         for f in sorted(pupil.flags, key=lambda f: f.value))
        left = " &middot; <b style='color:#b3261e'>Left " + uk(pupil.leaving_date) + "</b>" if pupil.archived else ""
        self.header.setText(
            f"<h2 style='margin:0'>{escape(pupil.forename)} {escape(pupil.surname)}</h2>"
            f"UPN {details.upn} &middot; born {uk(details.dob)} (age {age_on(details.dob, today)})"
            f" &middot; Year {details.year_group}"
            + (f" &middot; {escape(details.class_name)}" if details.class_name else "") + left +
            f"<br><b>SEN status:</b> {status}" + (f" &middot; <b>Needs:</b> {needs}" if needs else "")
            + (f" &middot; <b>Next review:</b> {uk(pupil.next_review)}" if pupil.next_review else "")
            + (f"<br>{flags}" if flags else ""))
        self.profile_form.set_values({key: getattr(details, key) for key in EDITABLE_FIELDS})
        self.profile_form.set_values({"gender": details.gender, "year_group": details.year_group})
        fill_table(self.history_table, history_rows(record.changes))
        self._show_contacts()
        self._show_register()
        fill_table(self.notes_table, [(uk(n.event_date), n.author_name, n.concern, n.parent_discussion,
                                       n.agreed_actions, uk(n.review_date)) for n in record.notes],
                   [n.id for n in record.notes])
        self.concerns.refresh()

    # --- subject access request -------------------------------------------------------
    def answer_subject_access(self) -> Path | None:
        """Everything held about the pupil, for a parent's (or the pupil's) subject access
        request, saved in a new folder the user names; the core withholds other people's
        protected addresses and audits it."""
        name = file_name(f"Subject access request {self.record.pupil.display_name}")
        folder = prompts.save_file(self, "Save the subject access request in a new folder",
                                   str(export_dir() / name), "Folders (*)")
        if folder is None:
            return None
        try:
            answer = self.runner.call(sar.answer_request, self.pupil_id, folder,
                                      default_render_pdf, sender=self.sar_button)
        except Exception as exc:  # noqa: BLE001 - reported in the one place failures are
            prompts.report_failure(exc, self, "Subject access request")
            return None
        withheld = "".join(f"\n- {what}" for what in answer.withheld)
        prompts.info(self, "Subject access request",
                     f"Saved {len(answer.files)} files in {answer.folder}: the full SEND file, "
                     "every record as a spreadsheet file and the audit trail."
                     + (f"\n\nWithheld:{withheld}" if withheld else ""))
        return answer.folder

    # --- profile -------------------------------------------------------------------
    def _build_profile_tab(self) -> None:
        page = QWidget(objectName="tab_profile")
        specs = []
        for key in EDITABLE_FIELDS:
            if key == "gender":
                specs.append(FieldSpec(key, FIELD_LABELS[key], "choice",
                                       [(label, code) for code, label in GENDERS.items()]))
            elif key == "year_group":
                specs.append(FieldSpec(key, FIELD_LABELS[key], "choice", [(y, y) for y in YEAR_GROUPS]))
            else:
                kind = "date" if key in ("dob", "admission_date") else "line"
                specs.append(FieldSpec(key, FIELD_LABELS[key], kind))
        self.profile_form = FormWidget(specs)
        self.profile_message = QLabel(wordWrap=True, objectName="profile_message")
        self.save_profile_button = button("Save changes", "save_profile", self.save_profile,
                                          self.can(Permission.EDIT_PUPILS))
        self.profile_form.setEnabled(self.can(Permission.EDIT_PUPILS))
        self.history_table = make_table("history", ["When", "Field", "Was", "Now", "Changed by"])
        layout = QVBoxLayout(page)
        layout.addWidget(self.profile_form)
        row = QHBoxLayout()
        row.addWidget(self.save_profile_button)
        row.addWidget(self.profile_message, 1)
        layout.addLayout(row)
        layout.addWidget(QLabel("<b>Changes to these details</b>"))
        layout.addWidget(self.history_table)
        self.tabs.addTab(page, "Profile")

    def save_profile(self) -> bool:
        self.profile_form.clear_errors()
        values = self.profile_form.values()
        current = {key: getattr(self.record.pupil.details, key) for key in EDITABLE_FIELDS}
        changes = {k: v for k, v in values.items()
                   if (uk(current[k]) if isinstance(current[k], dt.date) else (current[k] or "")) != (v or "")}
        if not changes:
            self.profile_message.setStyleSheet("")
            self.profile_message.setText("Nothing has changed.")
            return True
        try:
            write(self.runner, self.pupil_id, [Kind.PUPIL], pupils.update_pupil, self.pupil_id,
                  changes, sender=self.save_profile_button)
        except ValidationError as exc:
            self.profile_form.mark_error(exc.field)
            self.profile_message.setStyleSheet("color: #b3261e")
            self.profile_message.setText(str(exc))
            return False
        except SendeskError as exc:
            self.profile_message.setStyleSheet("color: #b3261e")
            self.profile_message.setText(str(exc))
            return False
        self.profile_message.setStyleSheet("color: #2e7d32")
        self.profile_message.setText("Saved.")
        return True

    # --- contacts and consent --------------------------------------------------------
    def _build_contacts_tab(self) -> None:
        page = QWidget(objectName="tab_contacts")
        edit = self.can(Permission.EDIT_PUPILS)
        self.contacts_table = make_table("contacts", ["Name", "Relationship", "Parental responsibility",
                                                      "Phone", "Email", "Address"])
        self.consent_table = make_table("consents", ["Given by", "Date", "Scope", "Withdrawn"])
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("<b>Contacts</b>"))
        layout.addWidget(self.contacts_table)
        layout.addWidget(button("Add contact...", "add_contact", self.add_contact, edit), 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(QLabel("<b>Consent to share information</b>"))
        layout.addWidget(self.consent_table)
        layout.addWidget(button("Record consent...", "add_consent", self.add_consent, edit), 0, Qt.AlignmentFlag.AlignLeft)
        self.tabs.addTab(page, "Contacts and consent")

    def _show_contacts(self) -> None:
        shown = [c for c in self.record.contacts if c.ended_on is None]
        fill_table(self.contacts_table, [(
            c.details.name, c.details.relationship, "Yes" if c.details.parental_responsibility else "No",
            c.details.phone, c.details.email,
            "Not to be disclosed" if c.details.do_not_disclose_address else (c.details.address or ""))
            for c in shown], [c.id for c in shown])
        fill_table(self.consent_table, [(f"{c.given_by} ({c.giver_kind})", uk(c.given_on), c.scope,
                                         uk(c.withdrawn_on)) for c in self.record.consents],
                   [c.id for c in self.record.consents])

    def add_contact(self) -> FormDialog:
        fields = [FieldSpec("name", "Name"), FieldSpec("relationship", "Relationship",
                                                       placeholder="for example Mother, Foster carer"),
                  FieldSpec("parental_responsibility", "Has parental responsibility", "bool"),
                  FieldSpec("phone", "Phone"), FieldSpec("email", "Email"),
                  FieldSpec("address", "Address", "text"),
                  FieldSpec("do_not_disclose_address", "Never disclose this address", "bool")]
        return self._open_form("Add contact", fields,
                               lambda v: self._write([Kind.CONTACT], contacts.add_contact, self.pupil_id, v))

    def add_consent(self) -> FormDialog:
        fields = [FieldSpec("given_by", "Given by"),
                  FieldSpec("giver_kind", "Who gave it", "choice", [(g.capitalize(), g) for g in CONSENT_GIVERS]),
                  FieldSpec("given_on", "Date given", "date"),
                  FieldSpec("scope", "What may be shared, and with whom", "text")]
        return self._open_form("Record consent", fields,
                               lambda v: self._write([Kind.CONSENT], consent.record_consent, self.pupil_id, v))

    # --- SEN register and other registers ------------------------------------------------
    def _build_register_tab(self) -> None:
        page = QWidget(objectName="tab_register")
        senco = self.can(Permission.CHANGE_SEN_STATUS)
        edit = self.can(Permission.EDIT_PUPILS)
        self.status_table = make_table("status_history", ["Status", "From", "To", "Reason", "Changed by"])
        self.needs_table = make_table("needs_history", ["Rank", "Need", "From", "To"])
        self.notifications_table = make_table("notifications", ["Change", "Due since", "Told", "Outstanding"])
        self.registers_table = make_table("registers", ["Register", "From", "To", "Review", "Details"])
        self.change_status_button = button("Change SEN status or needs...", "change_status",
                                           self.change_status, senco)
        self.record_notification_button = button("Record parent notification...", "record_notification",
                                                  self.record_notification, edit)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("<b>SEN register</b> (only the SENCO may change status or needs)"))
        layout.addWidget(self.status_table)
        layout.addWidget(self.needs_table)
        layout.addWidget(self.change_status_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(QLabel("<b>Parent notifications</b>"))
        layout.addWidget(self.notifications_table)
        layout.addWidget(self.record_notification_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(QLabel("<b>Other registers</b>"))
        layout.addWidget(self.registers_table)
        layout.addWidget(button("Add to a register...", "add_register", self.add_register, edit), 0, Qt.AlignmentFlag.AlignLeft)
        self.tabs.addTab(page, "Registers and needs")

    def _show_register(self) -> None:
        record = self.record
        names = statuses()
        codes = need_codes()
        fill_table(self.status_table, [(f"{p.status} - {names.get(p.status, '')}", uk(p.start_date),
                                        uk(p.end_date), p.reason, p.changed_by)
                                       for p in record.status_history])
        fill_table(self.needs_table, [(n.rank, f"{n.code} - {codes[n.code].label if n.code in codes else ''}",
                                       uk(n.start_date), uk(n.end_date)) for n in record.needs_history])
        contact_names = {c.id: c.details.name for c in record.contacts}
        fill_table(self.notifications_table, [(
            f"{'Added to' if n.change == 'added' else 'Removed from'} the register ({n.status})",
            uk(n.due_since),
            "; ".join(f"{s.recipient} by {s.method} on {uk(s.sent_on)}" for s in n.sent),
            ", ".join(contact_names.get(i, "?") for i in n.outstanding_contact_ids) or "None")
            for n in record.notifications], [n.id for n in record.notifications])
        fill_table(self.registers_table, [(
            e.kind.label, uk(e.start_date), uk(e.end_date), uk(e.review_date),
            e.details + (" (protected address recorded; never printed)" if e.protected_address else ""))
            for e in record.registers], [e.id for e in record.registers])

    def change_status(self) -> FormDialog:
        choices = [(f"{code} - {label}", code) for code, label in statuses().items()]
        fields = [FieldSpec("status", "New status", "choice", choices),
                  FieldSpec("start_date", "From", "date"),
                  FieldSpec("needs", "Needs, primary first", placeholder="for example SLCN, ASD",
                            aliases=("need",)),
                  FieldSpec("reason", "Reason", "text")]
        current = [n.code for n in sorted(self.record.current_needs, key=lambda n: n.rank)]

        def save(values: dict[str, Any]) -> int:
            needs = [code.strip() for code in (values["needs"] or "").replace(";", ",").split(",") if code.strip()]
            return self._write([Kind.SEN, Kind.NOTIFICATION], sen_register.change_status,
                               self.pupil_id, values["status"], values["start_date"],
                               values["reason"], needs or None)
        return self._open_form("Change SEN status or needs", fields, save,
                               values={"status": self.record.pupil.sen_status or "K",
                                       "start_date": self.session.clock.today(),
                                       "needs": ", ".join(current)},
                               intro="Parents must be told when a pupil is added to or removed from "
                                     "the register; sendesk will remind you until it is recorded.")

    def record_notification(self) -> FormDialog | None:
        due = [n for n in self.record.notifications if n.open]
        if not due:
            return None
        item = due[0]
        people = [c for c in self.record.contacts if c.id in item.outstanding_contact_ids]
        fields = [FieldSpec("sent_on", "Date told", "date"),
                  FieldSpec("method", "How", "choice", [(m.capitalize(), m) for m in METHODS])]
        fields += [FieldSpec(f"contact_{c.id}", f"{c.details.name} ({c.details.relationship})", "bool")
                   for c in people]

        def save(values: dict[str, Any]) -> bool:
            chosen = [c.id for c in people if values.get(f"contact_{c.id}")]
            return self._write([Kind.NOTIFICATION], notifications.record_notification, item.id,
                               chosen, values["sent_on"], values["method"])
        return self._open_form("Record parent notification", fields, save,
                               values={"sent_on": self.session.clock.today()},
                               intro="Tick everyone with parental responsibility who was told.")

    def add_register(self) -> FormDialog:
        fields = [FieldSpec("kind", "Register", "choice", [(k.label, k.value) for k in RegisterKind]),
                  FieldSpec("start_date", "From", "date"), FieldSpec("review_date", "Review by", "date"),
                  FieldSpec("details", "Details", "text"),
                  FieldSpec("has_ihp", "Has an individual healthcare plan (medical)", "bool"),
                  FieldSpec("first_language", "First language (EAL)"),
                  FieldSpec("pep_date", "Latest PEP (looked after)", "date"),
                  FieldSpec("responsible_la", "Responsible authority (looked after)"),
                  FieldSpec("protected_address", "Protected address (looked after; never printed)", "text")]

        def save(values: dict[str, Any]) -> int:
            kind = values.pop("kind")
            return self._write([Kind.REGISTER], registers.add_entry, self.pupil_id, kind, values)
        return self._open_form("Add to a register", fields, save,
                               values={"start_date": self.session.clock.today()})

    # --- notes -----------------------------------------------------------------------
    def _build_notes_tab(self) -> None:
        page = QWidget(objectName="tab_notes")
        self.notes_table = make_table("notes", ["Date", "By", "Concern", "Talked with parents",
                                                "Agreed actions", "Review"])
        self.notes_area = QVBoxLayout(page)
        self.notes_area.addWidget(self.notes_table)
        self.notes_area.addWidget(button("Add short note...", "add_note", self.add_note,
                                         self.can(Permission.ADD_NOTES)), 0, Qt.AlignmentFlag.AlignLeft)
        # The panel writes through the shared runner, whose broadcast refreshes every page.
        self.concerns = ConcernsPanel(self.session, self.pupil_id, page, runner=self.runner)
        self.notes_area.addWidget(self.concerns)
        self.tabs.addTab(page, "Notes")

    def add_note(self) -> FormDialog:
        fields = [FieldSpec("event_date", "Date of the discussion", "date"),
                  FieldSpec("concern", "Concern", "text"),
                  FieldSpec("parent_discussion", "Discussion with parents", "text"),
                  FieldSpec("agreed_actions", "Agreed actions", "text"),
                  FieldSpec("review_date", "Review by", "date")]
        return self._open_form("Add short note", fields,
                               lambda v: self._write([Kind.NOTE], notes.add_note, self.pupil_id, v),
                               values={"event_date": self.session.clock.today()})

    # --- shared --------------------------------------------------------------------------
    def _write(self, kinds: Sequence[Kind], fn: Callable[..., Any], *args: Any) -> Any:
        return write(self.runner, self.pupil_id, kinds, fn, *args)

    def _open_form(self, title: str, fields: list[FieldSpec], save: Callable[[dict[str, Any]], Any],
                   values: dict[str, Any] | None = None, intro: str = "") -> FormDialog:
        """Open a form; what it saves reaches every tab through the runner's changes."""
        dialog = FormDialog(title, fields, save, intro, values, self)
        dialog.open()
        return dialog
