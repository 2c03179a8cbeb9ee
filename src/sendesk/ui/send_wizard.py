"""Sending a pupil's file to their next school: the receiving school, contact and leaving date
(the 15 school days count from it), the checks
(consent, parental responsibility, protected addresses removed, attachments), then the
package is written and the transfer recorded.

The passphrase is made here and shown on the last page *before* "Write the package" is
pressed, then handed to sending.send as the package's passphrase. Shown only after writing, it
could be lost: the window locked (Ctrl+L, or idle) while the package was being written is
gone, with its passphrase, while the pupil is archived and the transfer recorded, and nobody
could open the package. Shown first, the user has it whatever happens next.

The package is made on the OpRunner (age's key stretching, a few seconds, runs in a child
process so the window keeps answering). The record becomes read-only in the same step, so the
wizard says so before the user commits; the change report refreshes the record window and the
Transfers page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..errors import SendeskError
from ..session import Session
from ..transfer import passphrase as passphrases
from ..transfer import sending
from ..transfer.package import SUFFIX
from .accessible import name_form
from .date_field import DateField
from .prompts import prompts
from .record_changes import one_at_a_time, pupil_line, runner_for
from .runner import OpRunner
from .screen_fit import fit_to_screen


def default_render_pdf(session: Session, pupil_id: int) -> bytes:
    """The full SEND file, drawn by sendesk.pdf."""
    from ..documents import build_documents
    from ..pdf import render_pdf
    return render_pdf(build_documents(session, pupil_id, "file"))


def default_page_count(pdf: bytes) -> int:
    from ..pdf import page_count
    return page_count(pdf)


class SendWizard(QWizard):
    def __init__(self, session: Session, pupil_id: int, parent: QWidget | None = None,
                 render_pdf: Callable[[Session, int], bytes] = default_render_pdf, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id = session, pupil_id
        self.runner = runner_for(session, runner, self)
        self.render_pdf = render_pdf
        line = pupil_line(self.runner, pupil_id)
        self.pupil_name = f"{line.legal_forename} {line.legal_surname}"
        self.already_left = line.archived
        self.setWindowTitle(f"Send {self.pupil_name}'s file to their next school - sendesk")
        fit_to_screen(self, 820, 620)
        self.recipient: sending.Recipient | None = None
        self.leaving_date = session.clock.today()
        self.checks: sending.SendChecks | None = None
        self.result: sending.SentPackage | None = None
        self.school_page = SchoolPage(self)
        self.checks_page = ChecksPage(self)
        self.write_page = WritePage(self)
        for page in (self.school_page, self.checks_page, self.write_page):
            self.addPage(page)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)


class SchoolPage(QWizardPage):
    def __init__(self, wizard: SendWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("The receiving school")
        self.setSubTitle(f"Where is {wizard.pupil_name} going? The file must reach the new school "
                         "within 15 school days of the pupil leaving.")
        self.school_name = QLineEdit(objectName="school_name")
        self.reference = QLineEdit(objectName="school_reference", placeholderText="123456 or 937/4001")
        self.contact = QLineEdit(objectName="contact", placeholderText="e.g. Ms J Jones, SENCO")
        self.leaving = DateField("Leaving date", optional=False, objectName="leaving_date")
        # Today, or for a pupil who has left already the date on their record, greyed.
        wizard.leaving_date = wizard.runner.call(sending.leaving_deadline, wizard.pupil_id).left
        self.leaving.setDate(wizard.leaving_date)
        if wizard.already_left:
            self.leaving.setEnabled(False)
            self.leaving.setToolTip("The pupil has left already: the 15 school days count from "
                                    "the leaving date on their record.")
        self.deadline = QLabel(objectName="deadline", wordWrap=True)
        self.message = QLabel(objectName="message", wordWrap=True)
        self.message.setStyleSheet("color: #b00020")
        form = QFormLayout(self)
        form.addRow("School name", self.school_name)
        form.addRow("URN, or LA/establishment number", self.reference)
        form.addRow("Named contact there", self.contact)
        form.addRow("Leaving date (the 15 school days count from it)", self.leaving)
        form.addRow(self.deadline)
        form.addRow(self.message)
        self.leaving.dateChanged.connect(lambda _day: self.show_deadline())
        self.show_deadline()
        name_form(form)
        for field in (self.school_name, self.reference):
            field.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:
        return bool(self.school_name.text().strip() and self.reference.text().strip())

    def _leaving(self) -> sending.LeavingDeadline:
        given = None if self.owner.already_left else self.leaving.day()
        return self.owner.runner.call(sending.leaving_deadline, self.owner.pupil_id, given)

    @one_at_a_time
    def show_deadline(self) -> None:
        """Live: when the file must reach the new school, or that it is late and by how much
        (the sentence the CLI prints); a leaving date it cannot use, in one sentence."""
        try:
            found = self._leaving()
        except SendeskError as exc:
            self.deadline.setText(str(exc))
            self.deadline.setStyleSheet("color: #b00020")
            return
        self.deadline.setText(found.sentence())
        self.deadline.setStyleSheet("color: #b00020; font-weight: bold" if found.late_by is not None
                                    else "")

    def validatePage(self) -> bool:
        problem = self.leaving.problem()
        if problem:
            self.message.setText(problem)
            return False
        try:
            self.owner.recipient = sending.make_recipient(self.school_name.text(),
                                                          self.reference.text(), self.contact.text())
            self.owner.leaving_date = self._leaving().left
        except SendeskError as exc:
            self.message.setText(str(exc))
            return False
        self.message.clear()
        return True


class ChecksPage(QWizardPage):
    def __init__(self, wizard: SendWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("Check before sending")
        self.setSubTitle("Read each list and tick to confirm. Nothing has been sent yet.")
        self.consents = QListWidget(objectName="consents")
        self.parental = QListWidget(objectName="parental")
        self.stripped = QListWidget(objectName="stripped")
        self.attachments = QListWidget(objectName="attachments")
        self.warnings = QLabel(objectName="warnings", wordWrap=True)
        self.warnings.setStyleSheet("color: #8a4b00")
        self.confirm = QCheckBox("I have checked these lists, and the attachments may go to the "
                                 "receiving school.", objectName="confirm")
        self.confirm.toggled.connect(self.completeChanged)
        self.no_consent = QCheckBox("Send without a recorded consent to share: the file must still "
                                    "go to the next school.", objectName="no_consent")
        self.no_consent.toggled.connect(self.completeChanged)
        self.no_consent_reason = QLineEdit(objectName="no_consent_reason",
                                           placeholderText="Why (kept in the audit log)")
        self.no_consent_reason.textChanged.connect(self.completeChanged)
        layout = QVBoxLayout(self)
        for title, widget in (("Consent to share recorded", self.consents),
                              ("Everyone with parental responsibility", self.parental),
                              ("Protected details that will be removed", self.stripped),
                              ("Attachments that will go with the file", self.attachments)):
            layout.addWidget(QLabel(f"<b>{title}</b>"))
            widget.setMaximumHeight(90)
            layout.addWidget(widget)
        layout.addWidget(self.warnings)
        layout.addWidget(self.no_consent)
        layout.addWidget(self.no_consent_reason)
        layout.addWidget(self.confirm)

    def initializePage(self) -> None:
        checks = self.owner.runner.call(sending.check_before_sending, self.owner.pupil_id)
        self.owner.checks = checks

        def fill(widget: QListWidget, items: list[str], empty: str) -> None:
            widget.clear()
            widget.addItems(items or [empty])

        fill(self.consents, checks.consents, "None recorded")
        fill(self.parental, checks.parental, "None recorded")
        fill(self.stripped, checks.stripped, "Nothing to remove")
        fill(self.attachments, [f"{a.title} ({a.filename}, {max(1, a.size // 1024)} KB)"
                                for a in checks.attachments], "No attachments")
        self.warnings.setText("\n".join(checks.warnings))
        self.confirm.setChecked(False)
        self.no_consent.setChecked(False)
        self.no_consent_reason.clear()
        for widget in (self.no_consent, self.no_consent_reason):
            widget.setVisible(not checks.consents)

    def without_consent(self) -> str | None:
        """The reason for sending without consent, when there is none and the user gave one."""
        checks = self.owner.checks
        if checks is None or checks.consents or not self.no_consent.isChecked():
            return None
        return self.no_consent_reason.text().strip() or None

    def isComplete(self) -> bool:
        checks = self.owner.checks
        blocked = checks is not None and not checks.consents and self.without_consent() is None
        return self.confirm.isChecked() and not blocked


class WritePage(QWizardPage):
    def __init__(self, wizard: SendWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("Write the package")
        self.setSubTitle("Choose where to save it. Writing the package records the transfer and "
                         "marks the pupil as left: their record here becomes read-only.")
        self.path: Path | None = None
        self.where = QLabel("No file chosen yet.", objectName="where", wordWrap=True)
        self.choose = QPushButton("&Choose where to save...", objectName="choose")
        self.choose.clicked.connect(self.choose_path)
        self.write = QPushButton("&Write the package", objectName="write")
        self.write.clicked.connect(self.write_package)
        self.write.setEnabled(False)
        self.status = QLabel(objectName="status", wordWrap=True)
        # Made now and shown before writing (see the module's docstring): the package is
        # locked with exactly this.
        self.secret = passphrases.generate()
        self.passphrase = QLineEdit(self.secret, objectName="passphrase", readOnly=True)
        self.passphrase.setAccessibleName("The passphrase that opens the package")
        mono = QFont("Monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSize(16)
        self.passphrase.setFont(mono)
        self.advice = QLabel(objectName="advice", wordWrap=True)
        self.advice.setTextFormat(Qt.TextFormat.RichText)
        self.advice.setText(
            "<p><b>This is the passphrase that will open the package: write it down now.</b> "
            "Give it to the receiving school by a different route from the file (for example "
            "read it out by phone to the named contact). It is not kept anywhere, and once "
            "this window closes it cannot be shown again.</p>")
        self.details = QLabel(objectName="details", wordWrap=True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.advice)
        layout.addWidget(self.where)
        layout.addWidget(self.choose, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.write, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.status)
        layout.addWidget(self.details)
        layout.addStretch(1)

    def choose_path(self) -> None:
        suggested = str(Path.home() / f"{self.owner.pupil_name.replace(' ', '-')}{SUFFIX}")
        chosen = prompts.save_file(self, "Save the transfer package as", suggested,
                                   f"Records transfer packages (*{SUFFIX})")
        if chosen is None:
            return
        if not str(chosen).endswith(SUFFIX):
            chosen = Path(str(chosen) + SUFFIX)
        self.path = Path(chosen)
        self.where.setText(f"The package will be saved as {self.path}")
        self.write.setEnabled(self.owner.result is None)

    def write_package(self) -> None:
        owner = self.owner
        if self.path is None or owner.recipient is None or owner.result is not None:
            return
        self.write.setEnabled(False)
        self.choose.setEnabled(False)
        self.status.setText("Making the package (this takes a few seconds)...")
        without_consent = owner.checks_page.without_consent()
        owner.runner.submit(sending.send, owner.pupil_id, owner.recipient, self.path,
                            owner.render_pdf, chosen_passphrase=self.secret,
                            count_pages=default_page_count, leaving_date=owner.leaving_date,
                            without_consent=without_consent, on_done=self._written,
                            on_error=self._failed)

    def _written(self, result: sending.SentPackage) -> None:
        owner = self.owner
        owner.result = result
        self.status.setText(f"Saved {result.path.name}. The transfer is recorded and "
                            f"{owner.pupil_name}'s record here is now read-only.")
        self.details.setText(
            f"<p>Package fingerprint: <b>{result.fingerprint}</b><br>"
            f"This school's signing key: <b>{result.school_fingerprint}</b><br>"
            + (f"<b>{result.late}</b> " if result.late else
               f"The file should reach them by <b>{result.deadline.strftime('%d/%m/%Y')}</b>. ")
            + "It is listed on Home until they send back their receipt.</p>")
        self.completeChanged.emit()

    def _failed(self, exc: BaseException) -> None:
        self.write.setEnabled(True)
        self.choose.setEnabled(True)
        self.status.setText("")
        message = str(exc) if isinstance(exc, SendeskError) else (
            f"The package could not be made ({type(exc).__name__}). Nothing was recorded.")
        prompts.error(self, "The package was not written", message)

    def isComplete(self) -> bool:
        return self.owner.result is not None
