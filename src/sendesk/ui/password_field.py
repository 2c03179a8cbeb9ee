"""A pair of password boxes with a strength meter that applies the same rule as the core."""

from __future__ import annotations

from typing import Callable, Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QProgressBar, QWidget

from .. import passwords

_COLOURS = ("#b3261e", "#b3261e", "#b26a00", "#2e7d32", "#1b5e20")


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
        self.advice = QLabel(wordWrap=True, objectName="advice")
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
