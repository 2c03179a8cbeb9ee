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
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..errors import SendeskError, ValidationError
from ..models.pupils import EDITABLE_FIELDS, FIELD_LABELS, GENDERS, YEAR_GROUPS, PupilDetails
from ..models.roles import Permission
from ..models.sen import statuses
from ..operations import Changes, Kind
from ..records import pupils, sar
from ..records.pupil_record import PupilRecord, open_record, reread_record
from ..records.stale import StaleRecord
from ..session import Session
from ..settings import export_dir
from .concerns_panel import ConcernsPanel
from .contacts_panel import ContactsPanel
from .dates import uk
from .documents_tab import DocumentsTab, file_name
from .ehc_tab import EhcTab
from .file_sections_tab import FileSectionsTab
from .forms import FieldSpec, FormDialog, FormWidget
from .history_text import history_rows
from .notes_panel import NotesPanel
from .plan_tab import PlanTab
from .prompts import prompts
from .record_changes import one_at_a_time, runner_for, touches
from .record_panel import button, explain_denied, fill_table, make_table
from .registers_panel import RegistersPanel
from .resources_qt import app_icon
from .runner import OpRunner, alive
from .screen_fit import fit_to_screen
from .send_wizard import default_render_pdf
from .specialists_tab import SpecialistsTab
from .stale_dialog import show_stale
from .steady import reserve_lines
from .transfers_tab import TransfersTab

# The later features' tabs are built the first time they are shown (or asked for): building
# them all made opening a record take twice the 100 ms target at county scale, and the EHC tab's
# readiness check reads every cycle and is audited, which nobody should pay for unseen.
FEATURE_TABS = [("plans", "Plans and cycles", "Support plans and Assess-Plan-Do-Review cycles"),
                    ("specialists", "Specialists", "Involvement of outside specialists"),
                    ("ehc", "EHC", "EHC needs assessment requests and EHC plans"),
                    ("file_sections", "Exams and My Story",
                     "Exam access arrangements and the pupil's own account"),
                    ("documents", "Documents", "Letters, plans and profiles as PDFs"),
                    ("transfers", "Transfers", "Records sent to or received from other schools")]

# What the header and the first four tabs show: a change to any of these re-reads the record.
SHOWN_KINDS = (Kind.PUPIL, Kind.CONTACT, Kind.CONSENT, Kind.NOTE, Kind.REGISTER, Kind.SEN,
               Kind.NOTIFICATION, Kind.SPECIALIST)   # a specialist's report may ask about NSA


def age_on(dob: dt.date, today: dt.date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


class PupilRecordWindow(QWidget):
    changed = Signal(int)  # pupil id

    def __init__(self, session: Session, pupil_id: int, parent: QWidget | None = None,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session, self.pupil_id = session, pupil_id
        self.runner = runner_for(session, runner, self)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowIcon(app_icon())
        fit_to_screen(self, 1000, 720)
        self.record: PupilRecord = self.runner.call(open_record, pupil_id)
        self.header = QLabel(objectName="header", wordWrap=True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.badges = QWidget(objectName="header_badges")  # one badge per flag, spaced apart
        badge_row = QHBoxLayout(self.badges)
        badge_row.setContentsMargins(0, 4, 0, 0)
        badge_row.setSpacing(6)
        badge_row.addStretch(1)
        self.tabs = QTabWidget(objectName="tabs")
        self.tabs.setAccessibleName("Record sections")   # and its tab bar, which Tab reaches
        self.tabs.tabBar().setAccessibleName("Record sections")
        self._build_profile_tab()
        self._build_panels()
        self.placeholders: dict[str, QWidget] = {}
        for key, title, text in FEATURE_TABS:
            page = QLabel(f"{text}.", alignment=Qt.AlignmentFlag.AlignCenter)
            page.setObjectName(f"tab_{key}")
            self.placeholders[key] = page
            self.tabs.addTab(page, title)
        self.built: dict[str, QWidget] = {}
        self.tabs.currentChanged.connect(self._build_current_tab)
        self.sar_button = button("Subject &access request...", "subject_access",
                                 self.answer_subject_access, self.can(Permission.READ_AUDIT))
        self.sar_button.setAccessibleName("Answer a subject access request for this pupil")
        if not self.sar_button.isEnabled():   # its own reason, not the generic one
            self.sar_button.setProperty("role_denied", False)
            self.sar_button.setToolTip(sar.REFUSED)
        # A Year 7 review asks for a costed provision map: the pupil's own, one click away.
        self.year7_map = QPushButton("Costed provision map for the Year 7 review (Alt+&B)",
                                     objectName="year7_map")
        self.year7_map.clicked.connect(self.show_provision_map)
        top = QHBoxLayout()
        heading = QVBoxLayout()
        heading.addWidget(self.header)
        heading.addWidget(self.badges)
        heading.addWidget(self.year7_map, 0, Qt.AlignmentFlag.AlignLeft)
        top.addLayout(heading, 1)
        top.addWidget(self.sar_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs)
        self.show_record()
        self.runner.changed.connect(self._runner_changed)
        explain_denied(self, session)
        # Where the user was (the pupil list's row, a Home item): focus goes back there on close.
        self._came_from = QApplication.focusWidget()
        self._keys()

    # --- keyboard ------------------------------------------------------------------
    def _keys(self) -> None:
        """Ctrl+Tab and Ctrl+Shift+Tab walk the tabs from anywhere in the window (the tab bar
        alone does it only while it has focus); Esc and Ctrl+W close the window."""
        for keys, step in (("Ctrl+Tab", 1), ("Ctrl+Shift+Tab", -1), ("Ctrl+Shift+Backtab", -1),
                           ("Ctrl+Backtab", -1)):
            QShortcut(QKeySequence(keys), self, lambda s=step: self.next_tab(s))
        closing = {QKeySequence(Qt.Key.Key_Escape), QKeySequence("Ctrl+W"),
                   *QKeySequence.keyBindings(QKeySequence.StandardKey.Close)}
        for keys in closing:
            QShortcut(keys, self, self.close_by_user)

    def next_tab(self, step: int) -> None:
        count = self.tabs.count()
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def close_by_user(self) -> bool:
        """Close unless the profile holds changes not saved and the user keeps them."""
        if not self._may_close():
            return False
        self.close()
        return True

    def _may_close(self) -> bool:
        if not self.profile_unsaved():
            return True
        return prompts.confirm(self, "Close the record",
                               "The profile has changes that are not saved. Close the record "
                               "and lose them?")

    def profile_unsaved(self) -> bool:
        return bool(self._profile_changes()) and self.can(Permission.EDIT_PUPILS)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Closed by the user's window button: ask about unsaved changes (a lock or sign-out
        closes without asking). Focus goes back to where the user was in the main window."""
        if event.spontaneous() and not self._may_close():
            event.ignore()
            return
        event.accept()
        back = self._came_from
        if back is not None and alive(back) and back.isVisible():
            back.window().activateWindow()
            back.setFocus(Qt.FocusReason.OtherFocusReason)

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
            tab = SpecialistsTab(session, pupil_id, runner=runner)
            tab.review_need.connect(self.review_primary_need)
            return tab
        if key == "ehc":
            return EhcTab(session, pupil_id, runner=runner)
        if key == "file_sections":
            return FileSectionsTab(session, pupil_id, runner=runner)
        if key == "documents":
            return DocumentsTab(session, pupil_id, runner=runner)
        return TransfersTab(session, pupil_id, runner=runner)

    def review_primary_need(self) -> FormDialog:
        """The needs editor on the Registers tab, as after a specialist's report for NSA."""
        self.tabs.setCurrentWidget(self.registers)
        return self.registers.change_status()

    # --- reading -------------------------------------------------------------------
    def _runner_changed(self, changes: Changes) -> None:
        if alive(self) and touches(changes, self.pupil_id, *SHOWN_KINDS):
            try:
                self.reload()
            except SendeskError:   # the pupil was deleted: the workspace closes this window
                pass

    @one_at_a_time
    def reload(self) -> None:
        """Read the open record again (a change saved here or on another PC): not audited as
        an opening, which was audited once when the window opened."""
        self.record = self.runner.call(reread_record, self.pupil_id)
        if not alive(self):
            return   # closed (and deleted) while the worker read
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
        self._show_badges([f.label for f in sorted(pupil.flags, key=lambda f: f.value)]
                          + [request.label for request in record.review_requests])
        self.year7_map.setVisible(any(r.reason == "year7" for r in record.review_requests))
        left = " &middot; <b style='color:#b3261e'>Left " + uk(pupil.leaving_date) + "</b>" if pupil.archived else ""
        self.header.setText(
            f"<h2 style='margin:0'>{escape(pupil.forename)} {escape(pupil.surname)}</h2>"
            f"UPN {details.upn} &middot; born {uk(details.dob)} (age {age_on(details.dob, today)})"
            f" &middot; Year {details.year_group}"
            + (f" &middot; {escape(details.class_name)}" if details.class_name else "") + left +
            f"<br><b>SEN status:</b> {status}" + (f" &middot; <b>Needs:</b> {needs}" if needs else "")
            + (f" &middot; <b>Next review:</b> {uk(record.next_review)}" if record.next_review else "")
            + (f"<br><b style='color:#8a5300'>{escape(record.need_review)}</b>"
               if record.need_review else ""))
        # What someone is typing is never overwritten by a refresh (another PC's change
        # arriving): the form keeps it, and the details it was opened at, for Save to check.
        base = getattr(self, "profile_base", None)
        typed = self.profile_form.values()
        if base is None or not self._differs(typed, base) or not self._differs(typed, details):
            self.profile_form.set_values({key: getattr(details, key) for key in EDITABLE_FIELDS})
            self.profile_form.set_values({"gender": details.gender, "year_group": details.year_group})
            self.profile_base = details
        fill_table(self.history_table, history_rows(record.changes))
        for panel in (self.contacts, self.registers, self.notes):
            panel.show_record(record)
        self.concerns.refresh()

    def show_provision_map(self) -> None:
        """The Documents tab showing this pupil's costed provision map."""
        self.tabs.setCurrentWidget(self.documents)
        self.documents.choose("provision-map")

    def _show_badges(self, labels: Sequence[str]) -> None:
        """The pupil's flags as separate badges under the header, in the flags' order."""
        row = self.badges.layout()
        while row.count() > 1:
            old = row.takeAt(0).widget()
            if old is not None:
                old.deleteLater()
        for position, label in enumerate(labels):
            badge = QLabel(label, objectName="badge")
            badge.setStyleSheet("background: #e8eef5; color: #1f3a5f; border: 1px solid #b8c7d9;"
                                " border-radius: 8px; padding: 1px 8px;")
            row.insertWidget(position, badge)
        self.badges.setVisible(bool(labels))

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
        # Room for the longest sentence a save can end with (the school server not answering,
        # or stopping mid-save) without the form moving under the mouse.
        self.profile_message = reserve_lines(QLabel(wordWrap=True, objectName="profile_message"), 3)
        self.save_profile_button = button("&Save changes", "save_profile", self.save_profile,
                                          self.can(Permission.EDIT_PUPILS))
        self.profile_form.setEnabled(self.can(Permission.EDIT_PUPILS))
        self.history_table = make_table("history", ["When", "Record", "Field", "Was", "Now",
                                                     "Changed by"])
        self.history_table.setAccessibleName("Change history")
        layout = QVBoxLayout(page)
        layout.addWidget(self.profile_form)
        row = QHBoxLayout()
        row.addWidget(self.save_profile_button)
        row.addWidget(self.profile_message, 1)
        self.leaving_button = button("Record &leaving...", "record_leaving", self.record_leaving,
                                     self.can(Permission.EDIT_PUPILS))
        row.addWidget(self.leaving_button)
        layout.addLayout(row)
        layout.addWidget(QLabel("<b>Changes to these details</b>"))
        layout.addWidget(self.history_table)
        self.tabs.addTab(page, "Profile")

    @staticmethod
    def _differs(values: dict[str, Any], details: PupilDetails) -> dict[str, Any]:
        current = {key: getattr(details, key) for key in EDITABLE_FIELDS}
        return {k: v for k, v in values.items()
                if (uk(current[k]) if isinstance(current[k], dt.date) else (current[k] or "")) != (v or "")}

    def _profile_changes(self) -> dict[str, Any]:
        """The profile fields whose boxes differ from the details the form was opened at."""
        return self._differs(self.profile_form.values(), self.profile_base)

    def save_profile(self) -> bool:
        self.profile_form.clear_errors()
        changes = self._profile_changes()
        if not changes:
            self.profile_message.setStyleSheet("")
            self.profile_message.setText("Nothing has changed.")
            return True
        try:
            self.runner.call(pupils.update_pupil, self.pupil_id, changes,
                             expected=self.profile_base, sender=self.save_profile_button)
        except StaleRecord as exc:
            self.profile_message.setStyleSheet("color: #b3261e")
            self.profile_message.setText("Not saved: changed on another PC meanwhile.")
            self.stale_dialog = show_stale(self, exc, self._keep_my_profile,
                                           self._take_their_profile)
            return False
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

    def _keep_my_profile(self) -> None:
        """Save the fields this person changed over the version now stored (which stays in
        the history); the fields they left alone keep the other PC's values."""
        mine = self._profile_changes()
        self.profile_base = None
        self.reload()
        self.profile_form.set_values(mine)
        self.save_profile()

    def _take_their_profile(self) -> None:
        self.profile_base = None
        self.reload()
        self.profile_message.setStyleSheet("")
        self.profile_message.setText("Showing the version saved on the other PC.")

    def record_leaving(self) -> FormDialog | None:
        """A leaver's record is kept, read-only, until its retention date; the core says when."""
        if self.record.pupil.archived:
            prompts.error(self, "Record leaving", "This pupil has already left ("
                          f"{uk(self.record.pupil.leaving_date)}); the record is kept read-only.")
            return None
        fields = [FieldSpec("leaving_date", "Leaving date", "date"),
                  FieldSpec("destination", "Moving to", placeholder="the new school, if known")]
        return self._open_form(
            "Record leaving", fields,
            lambda v: self._write(pupils.archive_leaver, self.pupil_id,
                                  v["leaving_date"], v["destination"]),
            values={"leaving_date": self.session.clock.today()},
            intro="The record becomes read-only and is kept until its retention date. Send the "
                  "pupil's file to the new school from the Transfers tab.")

    # --- the tabs built from panels -----------------------------------------------------
    def _build_panels(self) -> None:
        """Contacts, registers and notes each live in a panel of their own (their own module);
        the window hands each the record it read and keeps the names tests and tabs use."""
        args = (self.session, self.pupil_id, self.runner)
        self.contacts = ContactsPanel(*args)
        self.registers = RegistersPanel(*args)
        self.notes = NotesPanel(*args)
        self.contacts.setObjectName("tab_contacts")
        self.registers.setObjectName("tab_register")
        self.tabs.addTab(self.contacts, "Contacts and consent")
        self.tabs.addTab(self.registers, "Registers and needs")
        page = QWidget(objectName="tab_notes")
        self.notes_area = QVBoxLayout(page)
        self.notes_area.addWidget(self.notes)
        # The panel writes through the shared runner, whose broadcast refreshes every page.
        self.concerns = ConcernsPanel(self.session, self.pupil_id, page, runner=self.runner)
        self.notes_area.addWidget(self.concerns)
        self.tabs.addTab(page, "Notes")
        self.contacts_table, self.consent_table = self.contacts.contacts_table, self.contacts.consent_table
        self.add_contact, self.add_consent = self.contacts.add_contact, self.contacts.add_consent
        self.status_table, self.needs_table = self.registers.status_table, self.registers.needs_table
        self.notifications_table = self.registers.notifications_table
        self.registers_table = self.registers.registers_table
        self.change_status_button = self.registers.change_status_button
        self.record_notification_button = self.registers.record_notification_button
        self.change_status, self.record_notification = (self.registers.change_status,
                                                        self.registers.record_notification)
        self.add_register = self.registers.add_register
        self.notes_table, self.add_note = self.notes.notes_table, self.notes.add_note

    # --- shared --------------------------------------------------------------------------
    def _write(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.runner.call(fn, *args)

    def _open_form(self, title: str, fields: list[FieldSpec], save: Callable[[dict[str, Any]], Any],
                   values: dict[str, Any] | None = None, intro: str = "") -> FormDialog:
        """Open a form; what it saves reaches every tab through the runner's changes."""
        dialog = FormDialog(title, fields, save, intro, values, self)
        dialog.open()
        return dialog
