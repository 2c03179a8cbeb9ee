"""Password boxes: one to type a password into (with a show toggle and a Caps Lock warning),
and a pair with a strength meter that applies the same rule as the core."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import passwords
from .steady import reserve_lines

_COLOURS = ("#b3261e", "#b3261e", "#b26a00", "#2e7d32", "#1b5e20")
CAPS_WARNING = "Caps Lock may be on."


def caps_lock_from(event: QKeyEvent) -> bool | None:
    """What a typed letter says about Caps Lock: on when a capital comes without Shift (or a
    small letter with it), off when the case follows Shift, None when the key says nothing.

    Qt has no portable way to ask the keyboard, so this reads the letters as KeePassXC does."""
    text = event.text()
    if len(text) != 1 or text.lower() == text.upper():
        return None
    shifted = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
    return text.isupper() != shifted


class PasswordField(QWidget):
    """A password box with a button that shows what was typed, and a warning under it when the
    letters typed suggest Caps Lock is on. `edit` is the line edit itself."""

    def __init__(self, name: str = "password", label: str = "Password",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(objectName=name, echoMode=QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(label)
        self.show_button = QToolButton(objectName=f"show_{name}", text="Show", checkable=True)
        self.show_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.show_button.setAccessibleName(f"Show {label.lower()}")
        self.show_button.setToolTip("Show the password as you type it (Alt+S)")
        self.show_button.setShortcut("Alt+S")
        self.show_button.toggled.connect(self._show)
        self.caps_warning = QLabel(CAPS_WARNING, objectName=f"{name}_caps_lock")
        self.caps_warning.setStyleSheet("color: #b26a00")
        self.caps_warning.setAccessibleName(CAPS_WARNING)
        self.caps_warning.hide()
        self.caps_lock: bool | None = None   # None: no letter typed yet to tell
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.show_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.caps_warning)
        self.setFocusProxy(self.edit)
        self.edit.installEventFilter(self)

    def _show(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_button.setText("Hide" if shown else "Show")
        self.show_button.setAccessibleName(("Hide" if shown else "Show") + " password")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_CapsLock:
                # Pressing Caps Lock flips what we last read; unknown stays unknown.
                self.caps_lock = None if self.caps_lock is None else not self.caps_lock
            else:
                read = caps_lock_from(event)
                if read is not None:
                    self.caps_lock = read
            self.caps_warning.setVisible(bool(self.caps_lock))
        return False


class NewPasswordFields(QWidget):
    """Password, confirmation and meter. `acceptable` is True only when the core would agree."""

    changed = Signal()

    def __init__(self, context: Callable[[], Iterable[str]] = lambda: (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password, objectName="password")
        self.confirm = QLineEdit(echoMode=QLineEdit.EchoMode.Password, objectName="confirm")
        self.meter = QProgressBar(minimum=0, maximum=4, textVisible=False, objectName="meter")
        self.meter.setFixedHeight(8)
        # Its advice changes with every key, from one line to three: the room is kept, so the
        # confirmation box below does not move while the password is typed.
        self.advice = reserve_lines(QLabel(wordWrap=True, objectName="advice"), 3)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow("Password", self.password)
        layout.addRow("", self.meter)
        layout.addRow("", self.advice)
        layout.addRow("Type it again", self.confirm)
        self.password.textChanged.connect(self._update)
        self.confirm.textChanged.connect(self._update)
        self.strength = passwords.assess("")
        self._update()

    def _update(self) -> None:
        text = self.password.text()
        self.strength = passwords.assess(text, list(self._context()))
        self.meter.setValue(self.strength.score if text else 0)
        colour = _COLOURS[self.strength.score]
        self.meter.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; }}")
        message = f"{self.strength.label}. {self.strength.advice}" if text else \
            f"At least {passwords.MIN_LENGTH} characters; a few unrelated words work well."
        if text and self.confirm.text() and self.confirm.text() != text:
            message += " The two passwords do not match."
        self.advice.setText(message)
        self.changed.emit()

    @property
    def acceptable(self) -> bool:
        return self.strength.acceptable and self.password.text() == self.confirm.text()

    def value(self) -> str:
        return self.password.text()

    def clear(self) -> None:
        self.password.clear()
        self.confirm.clear()
