"""Every message box and file dialog goes through here, so tests can answer them.

Tests replace the functions on the module-level `prompts` object; the app never calls
QMessageBox or QFileDialog directly.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from ..errors import SendeskError


class Prompts:
    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)

    def report_failure(self, exc: BaseException, parent: QWidget | None = None,
                       title: str = "sendesk") -> None:
        """The one place work that failed is reported: the core's own sentence for a
        SendeskError (it says what to do and that nothing changed), else a plain apology."""
        if isinstance(exc, SendeskError):
            self.error(parent, title, str(exc))
        else:
            self.error(parent, title, "Something unexpected went wrong, and that action did not "
                       f"finish ({type(exc).__name__}). Your saved records are safe.")

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def open_file(self, parent: QWidget | None, title: str, start: str, filters: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, title, start, filters)
        return Path(name) if name else None

    def save_file(self, parent: QWidget | None, title: str, start: str, filters: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, title, start, filters)
        return Path(name) if name else None

    def print_setup(self, parent: QWidget | None, printer: QPrinter) -> bool:
        """Qt's print dialog: choose the printer and copies; False when cancelled."""
        return QPrintDialog(printer, parent).exec() == QDialog.DialogCode.Accepted


prompts = Prompts()
