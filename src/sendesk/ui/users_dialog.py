"""Tools > Users (administrators): add and remove users, reset a forgotten password."""

from __future__ import annotations

from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialog, QDialogButtonBox,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..errors import SendeskError
from ..models.roles import Role
from ..session import Session
from ..services import lifecycle, users
from .busy import set_busy
from .password_field import NewPasswordFields
from .prompts import prompts
from .runner import OpRunner


class UserEditor(QDialog):
    """New user, or a new password for an existing one (`username` given)."""

    def __init__(self, session: Session, runner: OpRunner, username: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.runner, self.existing = session, runner, username
        self.setWindowTitle("Reset password - sendesk" if username else "Add a user - sendesk")
        self.username = QLineEdit(username or "", objectName="username")
        self.username.setReadOnly(bool(username))
        self.full_name = QLineEdit(objectName="full_name")
        self.roles = {role: QCheckBox(role.label, objectName=f"role_{role.value}") for role in Role}
        self.passwords = NewPasswordFields(lambda: [self.username.text(), self.full_name.text()])
        self.message = QLabel(wordWrap=True, objectName="message")
        self.message.setStyleSheet("color: #b3261e")
        form = QFormLayout()
        form.addRow("Username", self.username)
        if not username:
            form.addRow("Full name", self.full_name)
            row = QHBoxLayout()
            for box in self.roles.values():
                row.addWidget(box)
            form.addRow("Roles", row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Set password" if username else "Add user")
        self.ok.setEnabled(False)
        self.passwords.changed.connect(lambda: self.ok.setEnabled(self.passwords.acceptable))
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.passwords)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _save(self) -> None:
        name, password = self.username.text(), self.passwords.value()
        set_busy(self, True)
        if self.existing:
            self.runner.submit(users.change_password, name, password, on_done=self._done,
                               on_error=self._failed)
        else:
            full_name = self.full_name.text()
            roles = ",".join(role.value for role, box in self.roles.items() if box.isChecked())
            self.runner.submit(users.add_user, name, full_name, roles, password,
                               on_done=self._done, on_error=self._failed)

    def _done(self, _result: object) -> None:
        set_busy(self, False)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        set_busy(self, False)
        self.message.setText(lifecycle.describe_failure(exc))


class UsersDialog(QDialog):
    def __init__(self, session: Session, runner: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.runner = session, runner
        self.setWindowTitle("Users - sendesk")
        self.resize(560, 360)
        self.table = QTableWidget(0, 3, objectName="users")
        self.table.setHorizontalHeaderLabels(["Username", "Full name", "Roles"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        add = QPushButton("Add user...", objectName="add")
        reset = QPushButton("Reset password...", objectName="reset")
        remove = QPushButton("Remove user", objectName="remove")
        add.clicked.connect(self.add_user)
        reset.clicked.connect(self.reset_password)
        remove.clicked.connect(self.remove_user)
        buttons = QHBoxLayout()
        for button in (add, reset, remove):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        rows = self.runner.call(users.list_users)
        self.table.setRowCount(len(rows))
        for row, user in enumerate(rows):
            for column, text in enumerate((user.username, user.full_name, user.role_label)):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def selected_username(self) -> str | None:
        row = self.table.currentRow()
        return self.table.item(row, 0).text() if row >= 0 else None

    def add_user(self) -> None:
        if UserEditor(self.session, self.runner, parent=self).exec() == QDialog.DialogCode.Accepted:
            self.refresh()

    def reset_password(self) -> None:
        name = self.selected_username()
        if name:
            UserEditor(self.session, self.runner, name, self).exec()

    def remove_user(self) -> None:
        name = self.selected_username()
        if not name or not prompts.confirm(self, "Remove user", f"Remove {name}? They will no longer "
                                           "be able to sign in; the audit log keeps their name."):
            return
        try:
            self.runner.call(users.remove_user, name)
        except SendeskError as exc:
            prompts.error(self, "Cannot remove user", str(exc))
        self.refresh()
