"""The two versions of a record side by side, when a save was refused because someone else
changed it after it was opened (records/stale.py, issue 21 item 6). Nothing was saved; the
person chooses: keep mine (their version with this person's changes on top; theirs stays in
the change history),
take theirs (the form shows what is stored now), or copy mine (to paste into the record by
hand once theirs is shown). Never a silent overwrite, never a silent loss."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from ..records.stale import StaleRecord

UNCHANGED = "unchanged by you"


def mine_as_text(exc: StaleRecord) -> str:
    """What this person changed, to paste back in by hand (nothing they left as it was)."""
    return "\n".join(f"{d.label}: {d.mine}" for d in exc.differences if d.changed_by_me)


class StaleDialog(QDialog):
    def __init__(self, exc: StaleRecord, parent: QWidget | None,
                 keep_mine: Callable[[], object] | None, take_theirs: Callable[[], object]) -> None:
        super().__init__(parent)
        self.setObjectName("stale_record")
        self.setWindowTitle("Changed on another PC - sendesk")
        self.setMinimumWidth(560)
        self.exc = exc
        intro = QLabel(str(exc), wordWrap=True, objectName="stale_message")
        table = QTableWidget(len(exc.differences), 3, objectName="stale_versions")
        table.setAccessibleName("Your version and the version now saved, side by side")
        table.setHorizontalHeaderLabels(["", "Yours (not saved)", f"Now saved, by {exc.who}"])
        for row, difference in enumerate(exc.differences):
            yours = difference.mine if difference.changed_by_me else UNCHANGED
            for column, text in enumerate((difference.label, yours, difference.theirs)):
                item = QTableWidgetItem(text)
                if column == 1 and not difference.changed_by_me:
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
                table.setItem(row, column, item)
        table.verticalHeader().hide()
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        self.versions = table
        buttons = QDialogButtonBox()
        self.keep = buttons.addButton("&Keep mine", QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep.setObjectName("keep_mine")
        self.keep.setToolTip("Save the changes you made over theirs (the fields you did not "
                             "change keep theirs); theirs stays in the change history.")
        if keep_mine is None:
            self.keep.setEnabled(False)
            self.keep.setToolTip("Take theirs, then make your change again in the form.")
        self.take = buttons.addButton("&Take theirs", QDialogButtonBox.ButtonRole.RejectRole)
        self.take.setObjectName("take_theirs")
        self.copy = buttons.addButton("&Copy mine", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy.setObjectName("copy_mine")
        self.copy.setToolTip("Copy your version to paste in by hand.")
        for button, name in ((self.keep, "Keep my version"), (self.take, "Take their version"),
                             (self.copy, "Copy my version")):
            button.setAccessibleName(name)
            button.setAutoDefault(False)
        self.take.setDefault(True)
        self.keep.clicked.connect(lambda: self._then(keep_mine))
        self.take.clicked.connect(lambda: self._then(take_theirs))
        self.copy.clicked.connect(self._copy)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(table)
        layout.addWidget(buttons)

    def _then(self, action: Callable[[], object] | None) -> None:
        self.accept()
        if action is not None:
            action()

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(mine_as_text(self.exc))
        self.copy.setText("Copied")


def show_stale(parent: QWidget, exc: StaleRecord, keep_mine: Callable[[], object] | None,
               take_theirs: Callable[[], object]) -> StaleDialog:
    dialog = StaleDialog(exc, parent, keep_mine, take_theirs)
    dialog.open()
    return dialog
