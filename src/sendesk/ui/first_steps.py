"""Home's "First steps" for a school with no pupils yet: what to do first, each a button that
does it.

The buttons do exactly what the menus do: they trigger the main window's own actions (Tools >
Import pupils from the MIS, File > New pupil, Tools > Users) and open the Calendar page at the
term dates, so a step and its menu item cannot drift apart, and a step the user's role does
not allow says why instead of failing.

Hiding them is remembered for that user of that school database (in the app's data folder,
beside the settings, as a hash: no name is written), so they do not come back at every
sign-in; another user of the same school still sees them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QPushButton, QTableWidget, QVBoxLayout, QWidget

from ..session import Session
from ..settings import data_dir
from ..store.files import atomic_write
from .main_window import MainWindow

HIDDEN_FILE = "first-steps-hidden.json"
_MAX_REMEMBERED = 200   # users and schools on one computer; the file stays small


def user_key(session: Session) -> str:
    """Who hid them, as a hash of the school database and the username."""
    return hashlib.sha256(session.database_id + b"\0" + session.user.username.encode()).hexdigest()[:32]


def _remembered() -> list[str]:
    path = data_dir() / HIDDEN_FILE
    try:
        if path.stat().st_size > 64 * 1024:
            return []
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [key for key in raw if isinstance(key, str)] if isinstance(raw, list) else []


def hidden_by(key: str) -> bool:
    return bool(key) and key in _remembered()


def remember_hidden(key: str) -> None:
    keys = [k for k in _remembered() if k != key][-(_MAX_REMEMBERED - 1):] + [key]
    try:
        atomic_write(data_dir() / HIDDEN_FILE, json.dumps(keys).encode())
    except OSError:
        pass   # a read-only data folder: hidden for this session, as before


@dataclass(frozen=True)
class Step:
    key: str            # the button's object name
    button: str         # what the button says
    explain: str        # one sentence beside it
    action: str         # the main window's action it triggers ("" for the term dates)
    missing: str        # the tooltip when the action is not there


STEPS = (
    Step("first_import", "&Import pupils from the MIS...",
         "Bring in pupils from a CSV export of SIMS, Arbor, Bromcom or another MIS.",
         "import_pupils", "Your role does not allow importing pupils. Ask your SENCO."),
    Step("first_add_pupil", "&Add a pupil...",
         "Or add one pupil by hand: a new arrival, or a school without an MIS export.",
         "new_pupil", "Your role does not allow adding pupils. Ask your SENCO."),
    Step("first_term_dates", "Set the term &dates",
         "Reviews, deadlines and the census are worked out from your school's term dates.",
         "", ""),
    Step("first_staff", "Add &staff...",
         "Give each member of staff their own sign-in, with the role they need.",
         "users", "Only an administrator can add staff. Ask your SENCO."),
)


class FirstStepsBox(QGroupBox):
    """Shown on Home while the school has no pupils, until the user hides it (remembered for
    them under `who`, a user_key; once a pupil is on roll it does not come back anyway)."""

    def __init__(self, who: str = "", parent: QWidget | None = None) -> None:
        super().__init__("First steps", parent)
        self.who = who
        self.setObjectName("first_steps")
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setColumnStretch(2, 1)
        for row, step in enumerate(STEPS):
            number = QLabel(f"<b>{row + 1}.</b>")
            button = QPushButton(step.button, objectName=step.key)
            button.setAccessibleName(step.button.replace("&", "").rstrip("."))
            button.clicked.connect(lambda *_, chosen=step: self.run(chosen))
            explain = QLabel(step.explain, wordWrap=True)
            grid.addWidget(number, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(button, row, 1)
            grid.addWidget(explain, row, 2)
            self.buttons[step.key] = button
        hide = QPushButton("Hide first ste&ps", objectName="hide_first_steps")
        hide.setAccessibleName("Hide first steps")
        hide.setFlat(True)
        hide.clicked.connect(self._dismiss)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("This school has no pupils yet. Start here:"))
        layout.addLayout(grid)
        layout.addWidget(hide, 0, Qt.AlignmentFlag.AlignLeft)
        self.was_dismissed = hidden_by(who)

    def _window(self) -> MainWindow | None:
        window = self.window()
        return window if isinstance(window, MainWindow) else None

    def _action(self, name: str) -> QAction | None:
        """The menu action of that name, found through the menus themselves. (Written when
        PySide's recursive findChild was suspected of a test crash over a dangling screen; the
        cause was widget.screen(), see ui/screen_fit.py, and findChild would do as well.)"""
        window = self._window()
        if window is None or not name:
            return None
        menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
        while menus:
            for action in menus.pop().actions():
                if action.objectName() == name:
                    return action
                if action.menu() is not None:
                    menus.append(action.menu())
        return None

    def update_buttons(self) -> None:
        """Enable each step the window offers; one it does not says why (the menus are built
        after Home, and differ by role)."""
        for step in STEPS:
            button = self.buttons[step.key]
            action = self._action(step.action) if step.action else None
            usable = not step.action or (action is not None and action.isEnabled())
            button.setEnabled(usable)
            button.setToolTip("" if usable else step.missing)

    def run(self, step: Step) -> None:
        if step.action:
            action = self._action(step.action)
            if action is not None:
                action.trigger()
            return
        window = self._window()
        if window is not None:
            page = window.show_page("calendar")
            table = getattr(getattr(page, "terms", None), "table", None)   # its half-terms
            if isinstance(table, QTableWidget):
                table.setCurrentCell(0, 0)
                table.setFocus()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.update_buttons()
        super().showEvent(event)

    def _dismiss(self) -> None:
        self.was_dismissed = True
        if self.who:
            remember_hidden(self.who)
        self.hide()
