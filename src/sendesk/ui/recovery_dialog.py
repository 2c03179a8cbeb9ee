"""Shows the recovery key once, with a way to print it for the school safe."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QLabel, QPushButton,
                               QVBoxLayout, QWidget)


def recovery_sheet_html(school: str, key: str) -> str:
    from html import escape
    return (f"<h2>sendesk recovery key</h2><p><b>School:</b> {escape(school)}</p>"
            f"<p style='font-family: monospace; font-size: 20pt'>{escape(key)}</p>"
            "<p>With this key anyone can set a new password for any user of this school's "
            "sendesk database. Keep this sheet in the school safe. Without it, a forgotten "
            "password means the records cannot be opened.</p>")


class RecoveryKeyDialog(QDialog):
    def __init__(self, school: str, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.school, self.key = school, key
        self.setWindowTitle("Recovery key - sendesk")
        heading = QLabel("<b>Print this recovery key and keep it in the school safe.</b>")
        explain = QLabel("If everyone forgets their password, this key is the only way back into "
                         "the records. It is shown only now and is not stored anywhere on this "
                         "computer.", wordWrap=True)
        shown = QLabel(key, objectName="recovery_key")
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(16)
        shown.setFont(font)
        shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        print_button = QPushButton("Print...")
        print_button.clicked.connect(self._print)
        self.kept = QCheckBox("I have printed or written down the recovery key", objectName="kept")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Continue")
        self.ok.setEnabled(False)
        self.kept.toggled.connect(self.ok.setEnabled)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        for widget in (heading, explain, shown, print_button, self.kept, buttons):
            layout.addWidget(widget)

    def _print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            document = QTextDocument()
            document.setHtml(recovery_sheet_html(self.school, self.key))
            document.print_(printer)

    def reject(self) -> None:
        """Escape must not lose the only sight of the key: it closes only once confirmed."""
        if self.kept.isChecked():
            super().reject()
