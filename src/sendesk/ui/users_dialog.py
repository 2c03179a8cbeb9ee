"""Tools > Users (administrators): add and remove users, change a user's name or roles, reset a
forgotten password.

Removing a user, and a reset whose old password may be known to someone else, re-encrypt the
whole database under a new key (services/rekey.py; docs/security.md section 3), which takes
a while on a big school: both run on the runner's worker with a progress dialog (and Cancel,
which leaves the database as it was), so the window keeps answering. What the re-encryption
returns (people who must be given a new password, a new recovery key) is shown once, in
:func:`show_rotation`.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..errors import SendeskError
from ..models.roles import Role
from ..models.users import User
from ..operations import Cancelled
from ..services import lifecycle, rekey, users
from ..session import Session
from .password_field import NewPasswordFields
from .prompts import prompts
from .recovery_dialog import RecoveryKeyDialog
from .runner import OpRunner, alive
from .screen_fit import fit_to_screen

ROTATE_TEXT = "The old password may be known to someone else: re-encrypt the records"


def rotation_text(rotation: rekey.Rotation) -> str:
    """What re-encrypting means for the school, in a sentence or two."""
    text = ("The records are now encrypted under a new key: a copy of the database or its key "
            "file taken before now opens nothing written from now on.")
    if rotation.needs_reset:
        names = ", ".join(escape(name) for name in rotation.needs_reset)
        text += ("<br><br><b>Give these people a new password</b> (Reset password...) before "
                 f"they can sign in again: {names}.")
    return text


def show_rotation(parent: QWidget, school: str, rotation: rekey.Rotation) -> QDialog:
    """Show what a re-encryption returned. A new recovery key is shown this once, to print:
    the dialog closes only once the user says they have kept it."""
    explain = QLabel(rotation_text(rotation), wordWrap=True, objectName="rotation_text")
    dialog: QDialog
    if rotation.recovery_key is not None:
        dialog = RecoveryKeyDialog(school, rotation.recovery_key, parent)
        layout = dialog.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, explain)
        layout.insertWidget(1, QLabel("The old recovery key no longer opens the records.",
                                      wordWrap=True))
    else:
        dialog = QDialog(parent)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(dialog.accept)
        layout = QVBoxLayout(dialog)
        layout.addWidget(explain)
        layout.addWidget(buttons)
    dialog.setObjectName("rotation")
    dialog.setMinimumWidth(460)
    dialog.setWindowTitle("Records re-encrypted - sendesk")
    dialog.open()
    return dialog


class UserEditor(QDialog):
    """New user, or a new password for an existing one (`username` given)."""

    def __init__(self, session: Session, runner: OpRunner, username: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.runner, self.existing = session, runner, username
        self.rotation: rekey.Rotation | None = None
        self.rotation_dialog: QDialog | None = None
        self.setWindowTitle("Reset password - sendesk" if username else "Add a user - sendesk")
        self.username = QLineEdit(username or "", objectName="username")
        self.username.setReadOnly(bool(username))
        self.username.setAccessibleName("Username")
        self.full_name = QLineEdit(objectName="full_name")
        self.full_name.setAccessibleName("Full name")
        self.roles = {role: QCheckBox(role.label, objectName=f"role_{role.value}") for role in Role}
        self.passwords = NewPasswordFields(lambda: [self.username.text(), self.full_name.text()])
        self.rotate = QCheckBox(ROTATE_TEXT, objectName="rotate_key")
        self.rotate.setToolTip("Takes longer: the whole database is copied under a new key, so a "
                               "copy of the old key file opens nothing written afterwards.")
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
        if username and not session.on_server:   # the server's records have no key to change
            layout.addWidget(self.rotate)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _save(self) -> None:
        name, password = self.username.text(), self.passwords.value()
        self.message.clear()
        if self.existing:
            rotate = self.rotate.isChecked()
            self.runner.submit(users.change_password, name, password, rotate_key=rotate,
                               on_done=self._done, on_error=self._failed, sender=self.ok,
                               progress_label="Re-encrypting the records under a new key..."
                               if rotate else "Setting the new password...")
        else:
            full_name = self.full_name.text()
            roles = ",".join(role.value for role, box in self.roles.items() if box.isChecked())
            self.runner.submit(users.add_user, name, full_name, roles, password,
                               on_done=self._done, on_error=self._failed, sender=self.ok,
                               progress_label="Adding the user...")

    def _done(self, result: object) -> None:
        if not alive(self):
            return
        if isinstance(result, rekey.Rotation):
            self.rotation = result
            self.rotation_dialog = show_rotation(self.parentWidget() or self,
                                                 self.session.school.name, result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if alive(self):
            self.message.setText(str(exc) if isinstance(exc, Cancelled)
                                 else lifecycle.describe_failure(exc))


class UserDetailsEditor(QDialog):
    """A user's full name and roles, prefilled from what the record holds, to change."""

    def __init__(self, runner: OpRunner, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.user = runner, user
        self.setWindowTitle(f"Change name or roles of {user.username} - sendesk")
        self.full_name = QLineEdit(user.full_name, objectName="full_name")
        self.full_name.setAccessibleName("Full name")
        self.roles = {role: QCheckBox(role.label, objectName=f"role_{role.value}") for role in Role}
        row = QHBoxLayout()
        for role, box in self.roles.items():
            box.setChecked(role in user.roles)
            row.addWidget(box)
        note = QLabel("New roles take effect the next time they sign in.", wordWrap=True)
        self.message = QLabel(wordWrap=True, objectName="message")
        self.message.setStyleSheet("color: #b3261e")
        form = QFormLayout()
        form.addRow("Username", QLabel(user.username))
        form.addRow("Full name", self.full_name)
        form.addRow("Roles", row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Save changes")
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _save(self) -> None:
        self.message.clear()
        roles = ",".join(role.value for role, box in self.roles.items() if box.isChecked())
        try:
            self.runner.call(users.update_user, self.user.username, self.full_name.text(), roles,
                             sender=self.ok)
        except SendeskError as exc:
            if alive(self):
                self.message.setText(str(exc))
            return
        if alive(self):
            self.accept()


class UsersDialog(QDialog):
    def __init__(self, session: Session, runner: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.runner = session, runner
        self.editor: UserEditor | None = None
        self.details: UserDetailsEditor | None = None
        self.users: list[User] = []
        self.rotation_dialog: QDialog | None = None
        self.setWindowTitle("Users - sendesk")
        fit_to_screen(self, 560, 360)
        self.table = QTableWidget(0, 3, objectName="users")
        self.table.setAccessibleName("Users")
        self.table.setHorizontalHeaderLabels(["Username", "Full name", "Roles"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton("Add user...", objectName="add")
        self.change_button = QPushButton("Change name or roles...", objectName="change")
        self.reset_button = QPushButton("Reset password...", objectName="reset")
        self.remove_button = QPushButton("Remove user", objectName="remove")
        self.add_button.clicked.connect(self.add_user)
        self.change_button.clicked.connect(self.change_details)
        self.reset_button.clicked.connect(self.reset_password)
        self.remove_button.clicked.connect(self.remove_user)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.change_button, self.reset_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.loaded = False

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Read the list when first shown, not while the dialog is being built."""
        super().showEvent(event)
        if not self.loaded:
            self.loaded = True
            self.refresh()

    def refresh(self) -> None:
        rows = self.runner.call(users.list_users, sender=self.table)
        if not alive(self):
            return
        self.users = rows
        self.table.setRowCount(len(rows))
        for row, user in enumerate(rows):
            for column, text in enumerate((user.username, user.full_name, user.role_label)):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def selected_username(self) -> str | None:
        row = self.table.currentRow()
        return self.table.item(row, 0).text() if row >= 0 else None

    def add_user(self) -> None:
        self.editor = UserEditor(self.session, self.runner, parent=self)
        self.editor.accepted.connect(self.refresh)
        self.editor.open()

    def change_details(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.users):
            self.details = UserDetailsEditor(self.runner, self.users[row], self)
            self.details.accepted.connect(self.refresh)
            self.details.open()

    def reset_password(self) -> None:
        name = self.selected_username()
        if name:
            self.editor = UserEditor(self.session, self.runner, name, self)
            self.editor.open()

    def remove_user(self) -> None:
        name = self.selected_username()
        on_server = self.session.on_server
        if not name or not prompts.confirm(
                self, "Remove user", f"Remove {name}? They will no longer be able to sign in; "
                "the audit log keeps their name. " + (
                    "Their login on the school server is switched off." if on_server else
                    "The records are re-encrypted under a new key, which may take a few "
                    "minutes on a large school.")):
            return
        try:
            rotation = self.runner.call(users.remove_user, name, sender=self.remove_button,
                                        progress_label=f"Removing {name}..." if on_server else
                                        f"Removing {name} and re-encrypting the "
                                        "records under a new key...")
        except Cancelled as exc:
            if alive(self):
                prompts.info(self, "Remove user", f"{exc} {name} can still sign in.")
            return
        except SendeskError as exc:
            if alive(self):
                prompts.error(self, "Cannot remove user", str(exc))
            return
        if not alive(self):
            return
        self.refresh()
        if rotation is not None:   # None on the school server: nothing was re-encrypted
            self.rotation_dialog = show_rotation(self, self.session.school.name, rotation)
