"""Tools > Change my password: re-wraps the key, never re-encrypts the database."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..services import lifecycle, users
from ..session import Session
from .busy import set_busy
from .password_field import NewPasswordFields
from .runner import OpRunner


class ChangePasswordDialog(QDialog):
    def __init__(self, session: Session, runner: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.runner = session, runner
        self.setWindowTitle("Change my password - sendesk")
        self.current = QLineEdit(objectName="current", echoMode=QLineEdit.EchoMode.Password)
        self.new = NewPasswordFields(lambda: [session.user.username, session.user.full_name])
        self.message = QLabel(wordWrap=True, objectName="message")
        self.message.setStyleSheet("color: #b3261e")
        form = QFormLayout()
        form.addRow("Current password", self.current)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Change password")
        self.ok.setEnabled(False)
        self.new.changed.connect(lambda: self.ok.setEnabled(self.new.acceptable))
        buttons.accepted.connect(self._change)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.new)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _change(self) -> None:
        current, new = self.current.text(), self.new.value()
        set_busy(self, True)
        self.runner.submit(users.change_password, self.session.user.username, new, current,
                           on_done=self._done, on_error=self._failed)

    def _done(self, _result: object) -> None:
        set_busy(self, False)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        set_busy(self, False)
        self.current.clear()
        self.message.setText(lifecycle.describe_failure(exc))
