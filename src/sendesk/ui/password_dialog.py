"""Tools > Change my password: re-wraps the key, never re-encrypts the database."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from ..session import Session
from ..services import lifecycle, users
from .busy import set_busy
from .password_field import NewPasswordFields
from .tasks import TaskRunner


class ChangePasswordDialog(QDialog):
    def __init__(self, session: Session, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.tasks = session, tasks
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
        session, current, new = self.session, self.current.text(), self.new.value()
        set_busy(self, True)
        self.tasks.run(lambda: users.change_password(session, session.user.username, new, current),
                       self._done, self._failed)

    def _done(self, _result: object) -> None:
        set_busy(self, False)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        set_busy(self, False)
        self.current.clear()
        self.message.setText(lifecycle.describe_failure(exc))
