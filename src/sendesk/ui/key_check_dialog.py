"""Recording that another school's signing-key fingerprint was checked with them.

A key first seen on a package or a receipt is trusted on first use; only a phone call (or a
meeting) with the school itself shows it is theirs. This dialog records who was spoken to, how
and when, through the runner; every transfer signed with that key then stops reading "key not
yet confirmed". Used from Home, the Transfers page and a pupil's Transfers tab."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from ..errors import SendeskError
from ..models import dates
from ..transfer import log, schools
from .runner import OpRunner


def describe(transfer: log.Transfer) -> str:
    way = "sent us a package" if transfer.direction == "received" else "sent a receipt"
    return f"{transfer.school_name} ({way}): fingerprint {transfer.key_fingerprint}"


class KeyCheckDialog(QDialog):
    def __init__(self, runner: OpRunner, transfers: list[log.Transfer],
                 parent: QWidget | None = None, chosen: int | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.transfers = transfers
        self.recorded: schools.KeyCheck | None = None
        self.setWindowTitle("Record a fingerprint check - sendesk")
        intro = QLabel("Phone the other school (use a number you already hold, not one from the "
                       "file or its email) and ask them to read out their signing key "
                       "fingerprint. Record the check only if it matches the one shown here.",
                       wordWrap=True)
        self.which = QComboBox(objectName="key_transfer")
        self.which.setAccessibleName("Which school's key")
        for transfer in transfers:
            self.which.addItem(describe(transfer), transfer.id)
        if chosen is not None and self.which.findData(chosen) >= 0:
            self.which.setCurrentIndex(self.which.findData(chosen))
        self.checked_with = QLineEdit(objectName="checked_with",
                                      placeholderText="e.g. Meera Patel, SENCO")
        self.checked_with.setAccessibleName("Checked with")
        self.how = QComboBox(objectName="checked_how")
        self.how.setAccessibleName("How it was checked")
        self.how.addItems(list(schools.CHECK_WAYS))
        self.checked_on = QLineEdit(dates.format_uk(runner.session.clock.today()),
                                    objectName="checked_on")
        self.checked_on.setAccessibleName("Checked on (dd/mm/yyyy)")
        self.record = QPushButton("Record the check", objectName="record_check")
        self.record.setAccessibleName("Record the check")
        self.record.setDefault(True)
        self.record.clicked.connect(self.save)
        cancel = QPushButton("Cancel", objectName="cancel_check")
        cancel.setAccessibleName("Cancel")
        cancel.clicked.connect(self.reject)
        self.message = QLabel(objectName="message", wordWrap=True)
        self.message.setStyleSheet("color: #b00020")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.record)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow("School and key", self.which)
        form.addRow("Checked with", self.checked_with)
        form.addRow("How", self.how)
        form.addRow("On", self.checked_on)
        form.addRow(self.message)
        form.addRow(buttons)

    def save(self) -> None:
        transfer = next(t for t in self.transfers if t.id == self.which.currentData())
        try:
            self.recorded = self.runner.call(schools.confirm_key, transfer.id,
                                             self.checked_with.text(), self.how.currentText(),
                                             self.checked_on.text(), sender=self.record)
        except SendeskError as exc:
            self.message.setText(str(exc))
            return
        self.accept()
