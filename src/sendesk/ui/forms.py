"""Small forms built from a list of fields, with the core's validation shown inline.

Every form in the pupil record saves through a core function; when that raises a
ValidationError naming a field (or a FieldFaults naming several), each field is outlined
(ui/fault_outline.py, which keeps the field's own look), every message is shown beside the
buttons, and the dialog stays open with what was typed. Nothing is checked only in the UI: a
date field refuses a date that cannot be read before the save, but with the core's own rules.
A form whose save hands the dates' text to a core that reads them itself (save_reads_dates)
skips that first pass, so one Save names an unreadable date together with every other fault
rather than the dates first and the rest on the next Save.

Form columns stop at a readable width (FORM_WIDTH) rather than stretching across a wide
window, where a label and its box end up a screen apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..errors import SendeskError, ValidationError, faults_of
from ..models import dates
from .accessible import plain
from .date_field import DateField
from .fault_outline import set_fault
from .prompts import prompts
from .steady import reserve_lines, say_in

MESSAGE_LINES = 2   # kept for a refusal from the start
FORM_WIDTH = 640  # px: the widest a column of labelled fields reads comfortably


def mnemonic_of(text: str) -> str:
    """The letter after the single '&' in a label (lower case), or ''."""
    text = text.replace("&&", "")
    at = text.find("&")
    return text[at + 1].lower() if 0 <= at < len(text) - 1 else ""


def mnemonics(labels: Iterable[str]) -> set[str]:
    return {letter for label in labels if (letter := mnemonic_of(label))}


def with_mnemonic(word: str, taken: set[str]) -> str:
    """The word with an Alt key the form's fields do not already use ('&Save', or 'Sa&ve'
    when a field has Alt+S); without one if every letter is taken."""
    for at, letter in enumerate(word):
        if letter.isalpha() and letter.lower() not in taken:
            return word[:at] + "&" + word[at:]
    return word


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str = "line"  # line, text, date, bool, choice, widget
    choices: Sequence[tuple[str, Any]] = field(default_factory=tuple)
    placeholder: str = ""
    aliases: tuple[str, ...] = ()  # other names the core may use for this field in errors
    # kind "widget": builds a widget of its own that has value() and set_value(value)
    make: Callable[[], QWidget] | None = None


class FormWidget(QWidget):
    def __init__(self, fields: Sequence[FieldSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = list(fields)
        self.widgets: dict[str, QWidget] = {}
        self.setMaximumWidth(FORM_WIDTH)
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for spec in self.fields:
            widget = self._make(spec)
            widget.setObjectName(spec.key)
            if not widget.accessibleName():
                widget.setAccessibleName(plain(spec.label))
            self.widgets[spec.key] = widget
            if spec.kind == "bool":
                layout.addRow("", widget)
            else:
                layout.addRow(spec.label, widget)

    @staticmethod
    def _make(spec: FieldSpec) -> QWidget:
        if spec.make is not None:
            return spec.make()
        if spec.kind == "text":
            box = QPlainTextEdit()
            box.setPlaceholderText(spec.placeholder)
            box.setTabChangesFocus(True)
            box.setMinimumHeight(70)
            return box
        if spec.kind == "bool":
            return QCheckBox(spec.label)
        if spec.kind == "choice":
            combo = QComboBox()
            for label, value in spec.choices:
                combo.addItem(label, value)
            return combo
        if spec.kind == "date":
            return DateField(spec.label)
        line = QLineEdit()
        line.setPlaceholderText(spec.placeholder)
        return line

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in self.fields:
            widget = self.widgets[spec.key]
            if spec.make is not None:
                out[spec.key] = widget.value()  # type: ignore[attr-defined]
            elif isinstance(widget, QPlainTextEdit):
                out[spec.key] = widget.toPlainText()
            elif isinstance(widget, QCheckBox):
                out[spec.key] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                out[spec.key] = widget.currentData()
            else:
                out[spec.key] = widget.text()
        return out

    def set_values(self, values: Mapping[str, Any]) -> None:
        for spec in self.fields:
            if spec.key not in values:
                continue
            value = values[spec.key]
            widget = self.widgets[spec.key]
            if spec.make is not None:
                widget.set_value(value)  # type: ignore[attr-defined]
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value or "")
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            elif isinstance(value, dt.date):
                widget.setText(dates.format_uk(value))
            else:
                widget.setText("" if value is None else str(value))

    def date_problems(self) -> list[tuple[str, str]]:
        """Each date field whose text is not a date, top to bottom: (its key, the sentence why)."""
        return [(spec.key, problem) for spec in self.fields
                if isinstance(widget := self.widgets[spec.key], DateField)
                and (problem := widget.problem())]

    def clear_errors(self) -> None:
        for widget in self.widgets.values():
            set_fault(widget, False)

    def mark_error(self, field_name: str | None) -> bool:
        """Outline the field the core complained about; False if it is not on this form."""
        return self.mark_errors([field_name]) is not None

    def mark_errors(self, field_names: Iterable[str | None]) -> QWidget | None:
        """Outline every field the core complained about and put the cursor in the highest of
        them on the form (which it returns; None if none is on this form)."""
        wanted = [(name or "").lower() for name in field_names]
        first: QWidget | None = None
        for spec in self.fields:
            names = {spec.key, spec.label, plain(spec.label), *spec.aliases}
            if not {n.lower() for n in names} & set(wanted):
                continue
            widget = self.widgets[spec.key]
            set_fault(widget, True)
            first = first or widget
        if first is not None:
            first.setFocus()
        return first


class FormDialog(QDialog):
    """A form whose Save calls `save(values)`; errors keep the dialog open, marked inline.
    save_reads_dates: the save passes each date field's text to the core, which refuses one it
    cannot read among its other faults (FieldFaults), so the form does not stop at the dates."""

    def __init__(self, title: str, fields: Sequence[FieldSpec], save: Callable[[dict[str, Any]], Any],
                 intro: str = "", values: Mapping[str, Any] | None = None,
                 parent: QWidget | None = None, *, save_reads_dates: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} - sendesk")
        self.setMinimumWidth(460)
        self._save = save
        self._save_reads_dates = save_reads_dates
        self.result_value: Any = None
        self.form = FormWidget(fields)
        if values:
            self.form.set_values(values)
        self._as_opened = self.form.values()   # what "unsaved" is measured against
        # Room for a two-line refusal from the start: one appearing on Save squeezed the boxes
        # above it while the user looked at them.
        self.message = reserve_lines(QLabel(wordWrap=True, objectName="message"), MESSAGE_LINES)
        self.message.setStyleSheet("color: #b3261e")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        taken = mnemonics(spec.label for spec in fields)
        for button, word in ((self.save_button, "Save"), (self.cancel_button, "Cancel")):
            button.setText(with_mnemonic(word, taken))
            taken.add(mnemonic_of(button.text()))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if intro:
            layout.addWidget(QLabel(intro, wordWrap=True))
        layout.addWidget(self.form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def relabel(self, key: str, text: str) -> None:
        """Change a field's label, giving it an Alt key no other label or button uses."""
        layout = self.form.layout()
        assert isinstance(layout, QFormLayout)
        mine = layout.labelForField(self.form.widgets[key])
        others = [w.text() for w in self.findChildren(QLabel) if w is not mine and w.buddy()]
        taken = mnemonics([*others, self.save_button.text(), self.cancel_button.text()])
        if isinstance(mine, QLabel):
            mine.setText(with_mnemonic(text, taken))

    def show_values(self, values: Mapping[str, Any]) -> None:
        """Show these values as though the form had just opened on them (the version another
        PC saved, taken instead of what was typed): closing it now loses nothing."""
        self.form.clear_errors()
        self.form.set_values(values)
        self._as_opened = self.form.values()

    def reject(self) -> None:
        """Esc, Cancel or the window's close button: ask first if something was typed."""
        if self.form.values() != self._as_opened and not prompts.confirm(
                self, self.windowTitle().removesuffix(" - sendesk"),
                "What you typed in this form is not saved. Close it and lose it?"):
            return
        super().reject()

    def submit(self) -> bool:
        self.form.clear_errors()
        bad_dates = [] if self._save_reads_dates else self.form.date_problems()
        if bad_dates:
            self.form.mark_errors(key for key, _why in bad_dates)
            say_in(self.message, "\n".join(why for _key, why in bad_dates), MESSAGE_LINES)
            return False
        try:
            self.result_value = self._save(self.form.values())
        except ValidationError as exc:
            faults = faults_of(exc)
            self.form.mark_errors(fault.field for fault in faults)
            say_in(self.message, "\n".join(str(fault) for fault in faults), MESSAGE_LINES)
            return False
        except SendeskError as exc:
            say_in(self.message, str(exc), MESSAGE_LINES)
            return False
        self.accept()
        return True
