"""Accessible names for what the keyboard reaches, set from the words a sighted user reads.

A screen reader announces a box by its accessible name; a label printed beside it is not read
unless its text is set as the name. These helpers set it from the label, so the name and the
visible words cannot drift apart."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLayout, QWidget

W = TypeVar("W", bound=QWidget)


def plain(text: str) -> str:
    """A label's words as a name: no mnemonic ampersand, no trailing colon or asterisk."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip().rstrip(":*").strip()


def named(widget: W, name: str) -> W:
    """Give ``widget`` its accessible name and hand it back (for use where it is built)."""
    widget.setAccessibleName(name)
    return widget


def label_for(label: QLabel, widget: W) -> W:
    """The label names the widget: its buddy (so a mnemonic moves there) and its name."""
    label.setBuddy(widget)
    if not widget.accessibleName():
        widget.setAccessibleName(plain(label.text()))
    return widget


def first_focusable(widget: QWidget) -> QWidget | None:
    """The widget itself, or the first box inside a row's container that Tab would reach."""
    if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
        return widget
    for child in widget.findChildren(QWidget):
        if child.focusPolicy() & Qt.FocusPolicy.TabFocus and child.focusProxy() is None:
            return child
    return None


def name_form(form: QFormLayout) -> None:
    """Each field of a form layout, still unnamed, is named by its row's label."""
    for row in range(form.rowCount()):
        label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label_item is None or field_item is None:
            continue
        label = label_item.widget()
        if not isinstance(label, QLabel) or not label.text().strip():
            continue
        fields = [field_item.widget()] if field_item.widget() is not None else \
            _layout_widgets(field_item.layout())
        for field in fields:
            target = first_focusable(field) if field is not None else None
            if target is not None:
                label_for(label, target)
                break


def _layout_widgets(layout: QLayout | None) -> list[QWidget]:
    if layout is None:
        return []
    found = []
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item.widget() is not None:
            found.append(item.widget())
        elif item.layout() is not None:
            found.extend(_layout_widgets(item.layout()))
    return found


def name_forms(root: QWidget) -> None:
    """Every form layout under ``root``: for pages built row by row with addRow."""
    for form in root.findChildren(QFormLayout):
        name_form(form)
