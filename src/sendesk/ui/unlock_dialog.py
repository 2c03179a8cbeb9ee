"""The unlock window shown at start and after every lock, like KeePassXC's: Enter unlocks, the
password can be shown, Caps Lock is warned of, and after a lock it says when and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..clock import Clock
from ..errors import SendeskError
from ..services import lifecycle
from .breakable import BreakingLabel
from .busy import set_busy
from .password_field import NewPasswordFields, PasswordField
from .prompts import prompts
from .runner import OpRunner
from .server_fields import ServerFields

NOT_ON_SERVER = ("On the school server each person signs in with their own server password; "
                 "quick unlock and the recovery key belong to a database file on this PC.")


def lock_notice(at: dt.datetime, reason: str = "keys", idle_minutes: int = 0) -> str:
    """What the unlock window says after a lock, in local time: "idle" (no input for
    idle_minutes), "keys" (the user's own Ctrl+L or File > Lock) or "signed out"."""
    when = at.astimezone().strftime("%H:%M")
    if reason == "signed out":
        return f"Signed out at {when}"
    if reason == "idle":
        unit = "minute" if idle_minutes == 1 else "minutes"
        return f"Locked at {when} after {idle_minutes} {unit} without use"
    return f"Locked at {when} (Ctrl+L)"


def fit_height(dialog: QDialog) -> None:
    """Grow the dialog to the height its layout needs at its width: a long message would
    otherwise be squeezed into the height the dialog had, cutting it off mid-line or pressing
    the boxes above it together."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    needed = (layout.totalHeightForWidth(dialog.width()) if layout.hasHeightForWidth()
              else layout.totalSizeHint().height())
    needed = max(needed, layout.totalMinimumSize().height())
    if needed > dialog.height():
        dialog.resize(dialog.width(), needed)


class UnlockDialog(QDialog):
    unlocked = Signal(object)          # Session
    create_requested = Signal()
    quick_unlock_requested = Signal(str)  # database path

    def __init__(self, runner: OpRunner, path: str = "", username: str = "",
                 quick_unlock_for: Callable[[str], bool] = lambda path: False,
                 parent: QWidget | None = None, clock: Clock | None = None,
                 server: str = "", start_on_server: bool = False) -> None:
        super().__init__(parent)
        self.runner, self.clock = runner, clock
        self._quick_unlock_for = quick_unlock_for
        self.setWindowTitle("Unlock - sendesk")
        self.setMinimumWidth(460)
        self.path = QLineEdit(path, objectName="path")
        self.path.setAccessibleName("Database")
        browse = QPushButton("&Browse...", objectName="browse")
        browse.setAccessibleName("Browse for a database")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path)
        row.addWidget(browse)
        self.username = QLineEdit(username, objectName="username")
        self.username.setAccessibleName("Username")
        self.password_field = PasswordField("password", "Password")
        self.password = self.password_field.edit
        # Why the window is asking again (after a lock), and the demo's sign-in details: both
        # stay until the database is unlocked, whatever errors come and go below them.
        self.lock_notice = QLabel(wordWrap=True, objectName="lock_notice")
        self.lock_notice.setStyleSheet("font-weight: bold")
        self.lock_notice.hide()
        self.hint = QLabel(wordWrap=True, objectName="hint")
        self.hint.setStyleSheet("background: #e8f0fe; padding: 6px; border-radius: 4px")
        self.hint.hide()
        self.message = BreakingLabel(objectName="message")
        self.message.setStyleSheet("color: #b3261e")
        # Where the records are: a file on this PC, or the school server (issue 21); the
        # server's address is remembered per PC (settings.last_server), never its password.
        self.on_file = QRadioButton("A database &file on this PC", objectName="on_file")
        # Alt+R: Alt+S is the password's Show button (password_field.py).
        self.on_server = QRadioButton("Connect to the school se&rver", objectName="on_server")
        self.on_file.setAccessibleName("Open a database file on this PC")
        self.on_server.setAccessibleName("Connect to the school server")
        self.where = QButtonGroup(self)
        for choice in (self.on_file, self.on_server):
            self.where.addButton(choice)
        remembered_server = path.startswith("postgresql:")
        self.server = ServerFields(path if remembered_server else server, self)
        if remembered_server:
            self.path.clear()
        self.file_row = QWidget()
        file_form = QFormLayout(self.file_row)
        file_form.setContentsMargins(0, 0, 0, 0)
        database_label = QLabel("&Database")
        database_label.setBuddy(self.path)
        file_form.addRow(database_label, row)
        form = QFormLayout()
        for text, field, buddy in (("&Username", self.username, self.username),
                                   ("&Password", self.password_field, self.password)):
            label = QLabel(text)
            label.setBuddy(buddy)
            form.addRow(label, field)

        buttons = QDialogButtonBox()
        self.unlock_button = buttons.addButton("Un&lock", QDialogButtonBox.ButtonRole.AcceptRole)
        self.unlock_button.setObjectName("unlock")
        self.quick_button = buttons.addButton("Quic&k unlock", QDialogButtonBox.ButtonRole.ActionRole)
        self.quick_button.setObjectName("quick_unlock")
        self.quick_button.setToolTip("Unlock with your computer account; no password needed until it expires.")
        forgot = buttons.addButton("Forgo&tten password...", QDialogButtonBox.ButtonRole.ActionRole)
        forgot.setObjectName("forgot")
        self.forgot_button = forgot
        new = buttons.addButton("N&ew database...", QDialogButtonBox.ButtonRole.ActionRole)
        new.setObjectName("new_database")
        buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        # Enter anywhere in the window unlocks: no other button may take the default when it
        # gets focus (a hidden quick-unlock button used to, so Return did nothing).
        for button in buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
        browse.setAutoDefault(False)
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._unlock)
        self.quick_button.clicked.connect(lambda: self.quick_unlock_requested.emit(self.path.text().strip()))
        forgot.clicked.connect(self._forgot)
        new.clicked.connect(self.create_requested)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h3>sendesk</h3>Enter your username and password to open the "
                                "school's SEND records."))
        layout.addWidget(self.lock_notice)
        layout.addWidget(self.hint)
        choices = QHBoxLayout()
        choices.addWidget(self.on_file)
        choices.addWidget(self.on_server)
        choices.addStretch(1)
        layout.addLayout(choices)
        layout.addWidget(self.file_row)
        layout.addWidget(self.server)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.path.textChanged.connect(self.refresh_quick_unlock)
        self.on_server.toggled.connect(self._where_changed)
        # start_on_server: a new PC's first window sent the person here to reach the school server.
        (self.on_server if remembered_server or start_on_server else self.on_file).setChecked(True)
        self._where_changed()
        if self.server_mode and not self.server.host.text():
            self.server.host.setFocus()
        else:
            (self.password if username else self.username).setFocus()

    @property
    def server_mode(self) -> bool:
        return self.on_server.isChecked()

    def _where_changed(self) -> None:
        """Show the fields for where the records are; what only a file has is greyed, saying why."""
        server = self.server_mode
        self.file_row.setVisible(not server)
        self.server.setVisible(server)
        self.forgot_button.setEnabled(not server)
        self.forgot_button.setToolTip(NOT_ON_SERVER if server else
                                      "Set a new password with the recovery key from the school safe.")
        self.refresh_quick_unlock()
        self._fit()

    def _fit(self) -> None:
        """Grow to what the layout needs at this width: the server's fields, and a long
        connection error (the wrong-CA sentence runs to three lines)."""
        fit_height(self)

    def location(self) -> str:
        """The database file's path, or the school server's address (no password)."""
        return self.server.url() if self.server_mode else self.path.text().strip()

    def refresh_quick_unlock(self) -> None:
        self.quick_button.setVisible(not self.server_mode
                                     and self._quick_unlock_for(self.path.text().strip()))

    def _browse(self) -> None:
        chosen = prompts.open_file(self, "Open a school database", self.path.text(),
                                   "sendesk databases (*.sendesk);;All files (*)")
        if chosen:
            self.path.setText(str(chosen))

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self._fit()

    def show_hint(self, text: str) -> None:
        """Sign-in details kept in view until the database opens (the demo school's)."""
        self.hint.setText(text)
        self.hint.setVisible(bool(text))

    def show_lock_notice(self, text: str) -> None:
        self.lock_notice.setText(text)
        self.lock_notice.setVisible(bool(text))

    def _unlock(self) -> None:
        username, password = self.username.text(), self.password.text()
        if self.server_mode:
            missing = self.server.missing()
            if missing or not username.strip() or not password:
                self.show_message(missing or "Enter your username and your password.")
                return
            where: str | Path = self.server.url()
        else:
            if not self.path.text().strip() or not username.strip() or not password:
                self.show_message("Enter the database, your username and your password.")
                return
            where = Path(self.path.text().strip())
        self.message.clear()
        set_busy(self, True)
        self.runner.submit_plain(lambda: lifecycle.open_school(where, username, password, self.clock),
                                 on_done=self._done, on_error=self._failed)

    def _done(self, session) -> None:
        set_busy(self, False)
        self.password.clear()
        self.accept()
        self.unlocked.emit(session)

    def _failed(self, exc: BaseException) -> None:
        set_busy(self, False)
        self.password.clear()
        self.password.setFocus()
        self.show_message(lifecycle.describe_failure(exc))

    def _forgot(self) -> None:
        dialog = RecoverDialog(self.runner, self.path.text().strip(), self.username.text(), self,
                               self.clock)
        dialog.recovered.connect(self._recovered)
        dialog.open()

    def _recovered(self, session) -> None:
        self.accept()
        self.unlocked.emit(session)


class RecoverDialog(QDialog):
    """Set a new password with the recovery key from the school safe."""

    recovered = Signal(object)

    def __init__(self, runner: OpRunner, path: str, username: str, parent: QWidget | None = None,
                 clock: Clock | None = None) -> None:
        super().__init__(parent)
        self.runner, self.db_path, self.clock = runner, path, clock
        self.setWindowTitle("Forgotten password - sendesk")
        self.username = QLineEdit(username, objectName="username")
        self.key = QLineEdit(objectName="recovery_key", placeholderText="XXXX-XXXX-XXXX-...")
        self.passwords = NewPasswordFields(lambda: [self.username.text()])
        self.message = BreakingLabel(objectName="message")
        self.message.setStyleSheet("color: #b3261e")
        form = QFormLayout()
        form.addRow("Username", self.username)
        form.addRow("Recovery key", self.key)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Set new password")
        self.ok.setObjectName("set_password")
        buttons.accepted.connect(self._recover)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Type the recovery key from the sheet kept in the school safe, then "
                                "choose a new password.", wordWrap=True))
        layout.addLayout(form)
        layout.addWidget(self.passwords)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.passwords.changed.connect(self._passwords_changed)
        self.ok.setEnabled(False)
        self.setMinimumWidth(440)   # a refusal naming the file's path reads in a few lines

    def _passwords_changed(self) -> None:
        self.ok.setEnabled(self.passwords.acceptable)
        fit_height(self)   # the strength advice may run to another line

    def _recover(self) -> None:
        path, user, key, new = Path(self.db_path), self.username.text(), self.key.text(), self.passwords.value()
        set_busy(self, True)
        self.runner.submit_plain(lambda: lifecycle.recover(path, key, user, new, self.clock),
                                 on_done=self._done, on_error=self._failed)

    def _done(self, session) -> None:
        set_busy(self, False)
        self.accept()
        self.recovered.emit(session)

    def _failed(self, exc: BaseException) -> None:
        set_busy(self, False)
        self.message.setText(lifecycle.describe_failure(exc))
        fit_height(self)
        if not isinstance(exc, SendeskError):
            prompts.error(self, "sendesk", self.message.text())
