"""Shows the recovery key once, with ways to print it for the school safe or save it as a PDF
(to print elsewhere). Both use the same sheet (documents/recovery_sheet.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..documents.recovery_sheet import build_recovery_sheet, save_recovery_sheet
from ..errors import SendeskError
from ..models.school import SchoolIdentity
from ..pdf import paint, render_counted
from .prompts import ending_in, prompts


class RecoveryKeyDialog(QDialog):
    def __init__(self, school: SchoolIdentity, key: str, parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.school, self.key = school, key
        self.sheet = build_recovery_sheet(school, key, today or dt.date.today())
        self.setWindowTitle("Recovery key - sendesk")
        heading = QLabel("<b>Print this recovery key and keep it in the school safe.</b>")
        explain = QLabel("If everyone forgets their password, this key is the only way back into "
                         "the records. It is shown only now and is not stored anywhere on this "
                         "computer.", wordWrap=True)
        shown = QLabel(key, objectName="recovery_key")
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        shown.setAccessibleName("Recovery key")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(16)
        shown.setFont(font)
        shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.print_button = QPushButton("&Print...", objectName="print_recovery")
        self.print_button.setAccessibleName("Print the recovery key sheet")
        self.print_button.clicked.connect(self._print)
        self.pdf_button = QPushButton("Save as P&DF...", objectName="save_recovery_pdf")
        self.pdf_button.setAccessibleName("Save the recovery key sheet as a PDF")
        self.pdf_button.setToolTip("To print on another computer. Delete the file once printed.")
        self.pdf_button.clicked.connect(self._save_pdf)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addWidget(self.pdf_button)
        row.addStretch(1)
        self.kept = QCheckBox("I have printed or written down the recovery key", objectName="kept")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Continue")
        self.ok.setEnabled(False)
        self.kept.toggled.connect(self.ok.setEnabled)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        for widget in (heading, explain, shown):
            layout.addWidget(widget)
        layout.addLayout(row)
        layout.addWidget(self.kept)
        layout.addWidget(buttons)

    def _print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if prompts.print_setup(self, printer):
            try:
                paint(self.sheet, printer)
            except SendeskError as exc:
                prompts.error(self, "Print the recovery key", str(exc))

    def _save_pdf(self) -> None:
        path = prompts.save_file(self, "Save the recovery key sheet as a PDF",
                                 str(Path.home() / "sendesk-recovery-key.pdf"), "PDF files (*.pdf)")
        if path is None:
            return
        path = ending_in(path, ".pdf")
        try:
            save_recovery_sheet(path, self.sheet, render_counted)
        except SendeskError as exc:
            prompts.error(self, "Save the recovery key", str(exc))
            return
        prompts.info(self, "Recovery key saved",
                     f"The recovery key sheet was saved to {path}. Print it for the school safe, "
                     "then delete the file: anyone who has it can set a new password for any "
                     "user.")

    def reject(self) -> None:
        """Escape must not lose the only sight of the key: it closes only once confirmed."""
        if self.kept.isChecked():
            super().reject()
