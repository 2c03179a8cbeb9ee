"""Every message box and file dialog goes through here, so tests can answer them.

Tests replace the functions on the module-level `prompts` object; the app never calls
QMessageBox or QFileDialog directly.

File dialogs start in the folder last chosen for the same purpose (the dialog's title) while
the app runs. The folders are held in memory only: a folder's path can carry a pupil's name
(a subject access request's folder), which must not be left in a settings file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from ..errors import SendeskError


class Prompts:
    def __init__(self) -> None:
        self.last_folders: dict[str, Path] = {}   # purpose (dialog title) -> folder last chosen

    def _start(self, title: str, start: str) -> str:
        """The suggested name, in the folder last used for this purpose if there was one."""
        folder = self.last_folders.get(title)
        if folder is None or not folder.is_dir():
            return start
        name = Path(start).name if start and not Path(start).is_dir() else ""
        return str(folder / name) if name else str(folder)

    def _chosen(self, title: str, name: str) -> Path | None:
        if not name:
            return None
        self.last_folders[title] = Path(name).parent
        return Path(name)

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

    def password(self, parent: QWidget | None, title: str, text: str) -> str | None:
        """A password typed unseen; None when cancelled."""
        value, ok = QInputDialog.getText(parent, title, text, QLineEdit.EchoMode.Password)
        return value if ok and value else None

    def open_file(self, parent: QWidget | None, title: str, start: str, filters: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, title, self._start(title, start), filters)
        return self._chosen(title, name)

    def save_file(self, parent: QWidget | None, title: str, start: str, filters: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, title, self._start(title, start), filters)
        return self._chosen(title, name)

    def print_setup(self, parent: QWidget | None, printer: QPrinter) -> bool:
        """Qt's print dialog: choose the printer and copies; False when cancelled."""
        return QPrintDialog(printer, parent).exec() == QDialog.DialogCode.Accepted


def ending_in(path: Path, suffix: str) -> Path:
    """The file a save dialog chose, with the ending its filter names when the name typed had
    another or none (Qt's dialog adds it on some platforms only): "impact" is saved as
    impact.csv, which opens in a spreadsheet, not as a file nothing knows how to open."""
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


prompts = Prompts()
