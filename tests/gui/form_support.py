"""Typing into sendesk's forms as a user would, shared by the GUI tests."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QPlainTextEdit


def fill(form, **values) -> None:
    """Pick choices by their value, type text and dates."""
    for key, value in values.items():
        widget = form.widgets[key]
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData(value))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        else:
            widget.setText(value)
