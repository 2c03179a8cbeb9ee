"""Tools > Class handover pack: for the next teacher of a class, every pupil in it on the SEN
register with their one-page profile and current plan, saved as one PDF or printed (through
the documents path, which checks the permission and audits it), and the record of whom the
pack was handed to and when (shown in each pupil's history)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import pdf
from ..documents import handover
from ..errors import SendeskError, ValidationError
from ..models.roles import Permission
from ..records import plan_people
from ..session import Session
from ..settings import export_dir
from .accessible import name_form
from .date_field import DateField
from .documents_tab import a4_printer, file_name
from .prompts import ending_in, prompts
from .record_panel import denied_text
from .runner import OpRunner

TITLE = "Class handover pack"
NO_CLASS = ("No class has a pupil on the SEN register. Classes come from the pupils' details "
            "(the MIS import's registration group).")


class HandoverDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.setWindowTitle(f"{TITLE} - sendesk")
        self.setObjectName("handover_dialog")
        self.setMinimumWidth(520)
        self.classes = QComboBox(objectName="handover_class")
        for each in self.runner.call(handover.handover_classes):
            plural = "s" if each.pupils != 1 else ""
            self.classes.addItem(f"{each.class_name} ({each.pupils} pupil{plural} on the SEN "
                                 "register)", each.class_name)
        self.save_button = QPushButton("&Save as PDF...", objectName="save_handover")
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.print_button = QPushButton("&Print...", objectName="print_handover")
        self.print_button.clicked.connect(lambda: self.print_pack())
        self.handed_to = QComboBox(objectName="handed_to", editable=True)
        self.handed_to.addItems(self.runner.call(plan_people.staff_names))
        self.handed_to.setCurrentText("")
        self.handed_on = DateField("Handed over on", objectName="handed_on")
        self.handed_on.setDate(session.clock.today())
        self.record_button = QPushButton("&Record handover", objectName="record_handover")
        self.record_button.clicked.connect(lambda: self.record())
        self.message = QLabel(wordWrap=True, objectName="message")
        # What cannot be used is greyed with the reason: the role's, or that there is no class.
        for widget, permission in ((self.save_button, Permission.EXPORT_DOCUMENTS),
                                   (self.print_button, Permission.EXPORT_DOCUMENTS),
                                   (self.record_button, Permission.MANAGE_PLANS),
                                   (self.handed_to, Permission.MANAGE_PLANS),
                                   (self.handed_on, Permission.MANAGE_PLANS)):
            if not session.can(permission):
                widget.setEnabled(False)
                widget.setToolTip(denied_text(session))
        if not self.classes.count():
            self.message.setText(NO_CLASS)
            for widget in (self.save_button, self.print_button, self.record_button,
                           self.handed_to, self.handed_on):
                if widget.isEnabled():
                    widget.setEnabled(False)
                    widget.setToolTip(NO_CLASS)
        form = QFormLayout()
        form.addRow("&Class", self.classes)
        files = QHBoxLayout()
        files.addWidget(self.save_button)
        files.addWidget(self.print_button)
        files.addStretch(1)
        form.addRow("", files)
        form.addRow("Handed &to", self.handed_to)
        form.addRow("Handed over &on", self.handed_on)
        form.addRow("", self.record_button)
        name_form(form)
        close = QPushButton("C&lose", objectName="close")
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("For the next teacher of a class: every pupil in it on the SEN "
                                "register, each with their one-page profile and current plan "
                                "(support plan or EHC plan), in one pack. Record whom you gave it to; each pupil's "
                                "history shows it.", wordWrap=True))
        layout.addLayout(form)
        layout.addWidget(self.message)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout.addLayout(bottom)

    def class_name(self) -> str:
        return str(self.classes.currentData() or "")

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b3261e" if error else "")
        self.message.setText(text)

    def _documents(self, sender: QWidget) -> list | None:
        try:
            return self.runner.call(handover.build_handover, self.class_name(), sender=sender)
        except SendeskError as exc:
            self._say(str(exc), error=True)
            return None

    def save_pdf(self) -> Path | None:
        documents = self._documents(self.save_button)
        if documents is None:
            return None
        start = export_dir() / (file_name(f"Handover pack {self.class_name()}") + ".pdf")
        path = prompts.save_file(self, "Save as PDF", str(start), "PDF files (*.pdf)")
        if path is None:
            return None
        path = ending_in(path, ".pdf")
        try:
            pages = self.runner.call(pdf.save_pdf, documents, self._pupils(), handover.KIND,
                                     path, sender=self.save_button)
        except SendeskError as exc:
            prompts.error(self, "Save as PDF", str(exc))
            return None
        self._say(f"Saved {pages} pages to {path.name}. The file is not encrypted: keep it on "
                  "the school's network or an encrypted drive, and delete it once handed over.")
        return path

    def print_pack(self) -> bool:
        documents = self._documents(self.print_button)
        if documents is None:
            return False
        printer = a4_printer(QPrinter.PrinterMode.HighResolution)
        if not prompts.print_setup(self, printer):
            return False
        try:
            pages = self.runner.call(pdf.print_documents, documents, printer, self._pupils(),
                                     handover.KIND, sender=self.print_button)
        except SendeskError as exc:
            prompts.error(self, "Print", str(exc))
            return False
        self._say(f"Sent {pages} page{'s' if pages != 1 else ''} of the pack for class "
                  f"{self.class_name()} to the printer. Collect them at once: they are about "
                  "children's special educational needs.")
        return True

    def _pupils(self) -> list[int]:
        """The pupils in the pack, named (by id) in the export's audit entry."""
        return list(self.runner.call(handover.class_pupils, self.class_name()))

    def record(self) -> int | None:
        problem = self.handed_on.problem()
        if problem:
            self._say(problem, error=True)
            return None
        try:
            count = self.runner.call(handover.record_handover, self.class_name(),
                                     self.handed_to.currentText(), self.handed_on.day(),
                                     sender=self.record_button)
        except ValidationError as exc:
            self._say(str(exc), error=True)
            return None
        self._say(f"Recorded: the pack for class {self.class_name()} was handed to "
                  f"{self.handed_to.currentText().strip()} ({count} pupil"
                  f"{'s' if count != 1 else ''}).")
        return count
