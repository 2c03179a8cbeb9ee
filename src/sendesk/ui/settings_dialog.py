"""Per-user app settings: when to lock, and whether to allow quick unlock; it also shows the
school's signing-key fingerprint, which transfer forms carry."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..settings import MAX_IDLE_MINUTES, MIN_IDLE_MINUTES, Settings
from .accessible import name_form

EXPIRY_CHOICES = [("Until the end of the day", None), ("For 1 hour", 1), ("For 4 hours", 4),
                  ("For 8 hours", 8)]


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, quick_unlock_available: bool,
                 parent: QWidget | None = None, school_fingerprint: str | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Settings - sendesk")
        self.idle = QSpinBox(objectName="idle_minutes", minimum=MIN_IDLE_MINUTES,
                             maximum=MAX_IDLE_MINUTES, suffix=" minutes")
        self.idle.setValue(settings.idle_lock_minutes)
        self.quick = QCheckBox("Allow quick unlock with my computer account", objectName="quick_unlock")
        self.quick.setChecked(settings.quick_unlock)
        self.expiry = QComboBox(objectName="quick_unlock_expiry")
        for label, hours in EXPIRY_CHOICES:
            self.expiry.addItem(label, hours)
        self.expiry.setCurrentIndex(max(0, self.expiry.findData(settings.quick_unlock_hours)))
        self.quick.toggled.connect(self.expiry.setEnabled)
        self.expiry.setEnabled(settings.quick_unlock)
        form = QFormLayout()
        form.addRow("Lock after no activity for", self.idle)
        quick_help = QLabel("After you unlock with your password, sendesk can keep the key in your "
                            "computer's secure keyring, so unlocking after an automatic lock needs no "
                            "password. It is forgotten when it expires, when you sign out or quit.",
                            wordWrap=True)
        for widget in (self.quick, quick_help):
            widget.setVisible(quick_unlock_available)
            form.addRow(widget)
        self.expiry.setVisible(quick_unlock_available)
        if quick_unlock_available:
            form.addRow("Keep it", self.expiry)
        if school_fingerprint:
            key = QLabel(f"<b>{school_fingerprint}</b> (printed on transfer forms; a receiving "
                         "school may phone to check it)", objectName="school_fingerprint",
                         wordWrap=True)
            form.addRow("This school's signing key", key)
        name_form(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _save(self) -> None:
        self.settings.idle_lock_minutes = self.idle.value()
        self.settings.quick_unlock = self.quick.isChecked()
        self.settings.quick_unlock_hours = self.expiry.currentData()
        self.settings.save()
        self.accept()
