"""First run: create the school's encrypted database and its first user, or, on a school's
second PC, go to the school server its records are already on (issue 21)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..errors import SendeskError
from ..services import lifecycle
from ..session import Session
from ..settings import default_database_path
from .busy import set_busy
from .password_field import NewPasswordFields
from .prompts import prompts
from .runner import OpRunner


class CreateDatabaseDialog(QDialog):
    """Collects the school and first user, then creates the database on the worker thread."""

    created = Signal(object, str)  # Session, recovery key
    open_existing = Signal()
    connect_server = Signal()   # the unlock window, its server fields showing

    def __init__(self, runner: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle("Create a school database - sendesk")
        self.setMinimumWidth(520)
        intro = QLabel("Set up sendesk for your school. Everything is stored encrypted on this "
                       "computer; only people with a username and password can open it. If your "
                       "school's records are already on the school server, choose Connect to "
                       "the school server.", wordWrap=True)
        self.school_name = QLineEdit(objectName="school_name")
        self.school_ref = QLineEdit(objectName="school_ref", placeholderText="123456 or 937/4001")
        self.username = QLineEdit(objectName="username", placeholderText="for example mpatel")
        self.full_name = QLineEdit(objectName="full_name")
        self.path = QLineEdit(str(default_database_path()), objectName="path")
        browse = QPushButton("C&hoose...")
        browse.setAccessibleName("Choose where to save the database")
        browse.clicked.connect(self._choose_path)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path)
        path_row.addWidget(browse)
        self.passwords = NewPasswordFields(self._context)
        self.message = QLabel(wordWrap=True, objectName="message")
        self.message.setStyleSheet("color: #b3261e")

        form = QFormLayout()
        form.addRow("School name", self.school_name)
        form.addRow("URN or LA/establishment number", self.school_ref)
        form.addRow("Your username", self.username)
        form.addRow("Your full name", self.full_name)
        form.addRow("Save the database in", path_row)

        self.buttons = QDialogButtonBox()
        self.create_button = self.buttons.addButton("&Create database", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("create")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        self.create_button.clicked.connect(self._create)
        # The other ways in, for a PC joining a school that has its records already: in a row
        # of their own under the introduction that names them (in the button row they were
        # squeezed until their words were cut off).
        open_button = QPushButton("&Open an existing database...", objectName="open_existing")
        open_button.setAutoDefault(False)
        open_button.clicked.connect(self.open_existing)
        self.server_button = QPushButton("Connect to the school se&rver...",
                                         objectName="connect_server")
        self.server_button.setAutoDefault(False)
        self.server_button.setToolTip("Sign in to the school's records on the school server, "
                                      "with the address IT gave you.")
        self.server_button.clicked.connect(self.connect_server)
        elsewhere = QHBoxLayout()
        elsewhere.addWidget(self.server_button)
        elsewhere.addWidget(open_button)
        elsewhere.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(elsewhere)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Your password</b>"))
        layout.addWidget(self.passwords)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        for field in (self.school_name, self.school_ref, self.username, self.full_name):
            field.textChanged.connect(self._refresh)
        self.passwords.changed.connect(self._refresh)
        self._refresh()

    def _context(self) -> list[str]:
        return [self.username.text(), self.full_name.text(), self.school_name.text()]

    def _refresh(self) -> None:
        filled = all(f.text().strip() for f in (self.school_name, self.school_ref, self.username,
                                                 self.full_name, self.path))
        self.create_button.setEnabled(filled and self.passwords.acceptable)

    def _choose_path(self) -> None:
        chosen = prompts.save_file(self, "Save the school database as", self.path.text(),
                                   "sendesk databases (*.sendesk)")
        if chosen:
            self.path.setText(str(chosen if chosen.suffix else chosen.with_suffix(".sendesk")))

    def _create(self) -> None:
        self.message.clear()
        path = Path(self.path.text().strip())
        fields = dict(school_name=self.school_name.text(), school_reference=self.school_ref.text(),
                      username=self.username.text(), full_name=self.full_name.text(),
                      password=self.passwords.value())
        set_busy(self, True)
        self.runner.submit_plain(lambda: lifecycle.create(path, **fields), on_done=self._done,
                                 on_error=self._failed)

    def _done(self, result: tuple[Session, str]) -> None:
        set_busy(self, False)
        self.passwords.clear()
        self.accept()
        self.created.emit(*result)

    def _failed(self, exc: BaseException) -> None:
        set_busy(self, False)
        self.message.setText(lifecycle.describe_failure(exc))
        field = getattr(exc, "field", None)
        target = {"username": self.username, "urn": self.school_ref, "password": self.passwords.password,
                  "School name": self.school_name, "Full name": self.full_name}.get(field or "")
        if target is not None:
            target.setFocus()
        if not isinstance(exc, SendeskError):
            prompts.error(self, "sendesk", self.message.text())
