"""Entry and exit: the measures one provision line, or one pupil's place in a group, is judged
by, with the gain.

Opened from the provision line (the APDR wizard's Do page) and from a member of a group (the
Groups page); MeasuresOf says which, and the dialog is the same for both. The SENCO records the entry
(baseline) when the provision starts and the exit when it ends, and corrects either; everyone
else reads them. The gain is shown in the measure's own units, and for reading and spelling ages
in months with the ratio gain. Which way the measure improves ("Better when": higher, or lower
as an SDQ score does) follows the name chosen, as the school has said for it; changing it
changes it for every pupil measured by that name, so the form asks first when others are.
Every change goes through the core on the runner, the dates as typed: the core reads them and
says one that cannot be read together with every other fault of the Save.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...errors import SendeskError, ValidationError
from ...models.apdr import ProvisionItem
from ...models.measures import (
    Measure,
    MeasureKind,
    direction_key,
    format_value,
    kind_of_name,
    parse_kind,
)
from ...models.roles import Permission
from ...records import measure_directions, measures
from ...session import Session
from ..dates import uk
from ..forms import FieldSpec, FormDialog
from ..prompts import prompts
from ..record_panel import denied_text
from ..rows_model import Col, RowsModel
from ..runner import OpRunner
from ..screen_fit import fit_to_screen
from .dialogs import MeasureBox
from .widgets import make_view, selected_row

KIND_CHOICES = [(kind.label, kind.value) for kind in MeasureKind]
BETTER_CHOICES = [("Higher", "higher"), ("Lower (such as an SDQ score)", "lower")]
HINT = ("Standardised scores 40-160; reading and spelling ages in years and months (7y 4m or "
        "7:04); scaled scores 80-120; the school's own scale any number.")


@dataclass(frozen=True)
class MeasuresOf:
    """What the measures belong to: how it is named, how they are read and how one is added."""

    title: str
    read: Callable[[OpRunner], list[Measure]]
    record: Callable[[OpRunner, dict[str, Any]], int]


def of_item(item: ProvisionItem) -> MeasuresOf:
    """A plan's provision line."""
    return MeasuresOf(item.description,
                      lambda runner: runner.call(measures.measures_for_item, item.id),
                      lambda runner, values: runner.call(measures.record_measure, item.id, values))


def of_member(group_id: int, group_name: str, pupil_id: int, pupil_name: str) -> MeasuresOf:
    """A pupil's place in a provision group."""
    return MeasuresOf(
        f"{pupil_name} in {group_name}",
        lambda runner: runner.call(measures.measures_for_group, group_id, pupil_id),
        lambda runner, values: runner.call(measures.record_group_measure, group_id, pupil_id,
                                           values))


class MeasuresDialog(QDialog):
    def __init__(self, session: Session, runner: OpRunner, of: MeasuresOf,
                 offered: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.runner, self.of = session, runner, of
        self.offered = list(offered)
        self.directions: dict[str, bool] = {}   # the school's answers (records.measure_directions)
        self.setWindowTitle(f"Entry and exit: {of.title} - sendesk")
        self.setObjectName("measures_dialog")
        fit_to_screen(self, 760, 360)
        self.model: RowsModel[Measure] = RowsModel([
            Col("Measure", lambda m: m.label),
            Col("Kind", lambda m: m.kind.label),
            Col("Entry", lambda m: format_value(m.kind, m.entry_value)),
            Col("Taken on", lambda m: uk(m.entry_date)),
            Col("Exit", lambda m: format_value(m.kind, m.exit_value)),
            Col("Taken on", lambda m: uk(m.exit_date)),
            Col("Gain", lambda m: m.gain_text() or "exit still to come"),
        ], parent=self)
        self.view = make_view("measures", "Entry and exit measures", self.model, 140,
                              stretch=(0, 6))
        self.view.doubleClicked.connect(lambda *_: self.correct())
        may = session.can(Permission.MANAGE_PLANS)
        self.add_button = self._button("&Add a measure...", "add_measure", self.add, may)
        self.edit_button = self._button("&Record exit or correct...", "edit_measure",
                                        self.correct, may)
        self.remove_button = self._button("Re&move...", "remove_measure", self.remove, may)
        close = QPushButton("&Close", objectName="close")
        close.clicked.connect(self.accept)
        self.message = QLabel(objectName="measures_message", wordWrap=True)
        bar = QHBoxLayout()
        for widget in (self.add_button, self.edit_button, self.remove_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        intro = QLabel(f"<b>{escape(of.title)}</b>: the pupil's score as the provision "
                                "starts (entry) and as it ends (exit). A reading or spelling "
                                "age's ratio gain is the months gained for each month that "
                                "passed: 2 or more is a substantial gain, under 1.4 a modest "
                                "one.", wordWrap=True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addLayout(bar)
        self.refresh()

    def _button(self, text: str, name: str, slot: Any, allowed: bool) -> QPushButton:
        widget = QPushButton(text, objectName=name)
        widget.clicked.connect(lambda: slot())
        if not allowed:
            widget.setEnabled(False)
            widget.setToolTip(denied_text(self.session))
        return widget

    def refresh(self) -> None:
        try:
            rows = self.of.read(self.runner)
            self.directions = self.runner.call(measure_directions.school_directions)
        except SendeskError as exc:
            self.message.setText(str(exc))
            return
        self.model.set_rows(rows)
        self.message.setText("" if rows else "No measures recorded for this provision yet.")

    def _chosen(self) -> Measure | None:
        row = selected_row(self.view)
        return self.model.row_object(row) if row is not None else None

    def _fields(self) -> list[FieldSpec]:
        offered = self.offered
        return [FieldSpec("name", "Name of the &measure", "widget",
                          make=lambda: MeasureBox(offered)),
                FieldSpec("kind", "&Kind of measure", "choice", KIND_CHOICES, aliases=("kind",)),
                FieldSpec("lower_is_better", "&Better when", "choice", BETTER_CHOICES,
                          aliases=("Better when",)),
                FieldSpec("entry_value", "&Entry value", placeholder="for example 84, or 7y 4m"),
                FieldSpec("entry_date", "Entry &taken on", "date"),
                FieldSpec("exit_value", "E&xit value", placeholder="when the provision ends"),
                FieldSpec("exit_date", "Exit taken &on", "date"),
                FieldSpec("note", "&Note", "text")]

    def _saved(self, value: Any) -> Any:
        self.refresh()
        return value

    def _save(self, values: dict[str, Any], write: Callable[[dict[str, Any]], Any],
              pupil_id: int | None = None) -> Any:
        """Save, asking first when the answer of which way the measure improves would change
        for other pupils already measured by its name (the one answer a name: the gain they
        show, and the impact table's, turn round with it). pupil_id: the pupil whose measure
        is being corrected, who is not one of the others."""
        lower = values.get("lower_is_better") == "lower"
        name = str(values.get("name") or "").strip()
        if self.directions.get(direction_key(name), False) != lower and name:
            others = self.runner.call(measure_directions.pupils_measured_by, name, pupil_id)
            way = "lower" if lower else "higher"
            if others and not prompts.confirm(
                    self, "Which way is better",
                    f"'{name}' is counted as better when {'higher' if lower else 'lower'} for "
                    f"the {others} pupil{'s' if others != 1 else ''} measured by it. Make it "
                    f"better when {way} for all of them (and in the provision library)? Their "
                    "gains, and the impact table's, turn round with it."):
                raise ValidationError("Not saved: choose which way is better again.",
                                      field="Better when")
        return self._saved(write(values))

    def _follow(self, dialog: FormDialog, *, kind_too: bool = True) -> None:
        """The kind follows the measure chosen, where its name says which it is (kind_too:
        not when correcting, where the kind recorded stands), and "Better when" the school's
        answer for the name; an age or a scaled score is only ever better higher, so the
        choice is fixed for them."""
        name, kind = dialog.form.widgets["name"], dialog.form.widgets["kind"]
        better = dialog.form.widgets["lower_is_better"]

        def fixed() -> None:
            chosen = parse_kind(kind.currentData())  # type: ignore[attr-defined]
            if not chosen.may_be_lower:
                dialog.form.set_values({"lower_is_better": "higher"})
            better.setEnabled(chosen.may_be_lower)

        def follow(text: str) -> None:
            found = kind_of_name(text)
            lower = self.directions.get(direction_key(text), False)
            dialog.form.set_values({"lower_is_better": "lower" if lower else "higher",
                                    **({"kind": found.value} if found is not None and kind_too
                                       else {})})
            fixed()
        name.currentTextChanged.connect(follow)  # type: ignore[attr-defined]
        kind.currentIndexChanged.connect(lambda _: fixed())  # type: ignore[attr-defined]
        kind.setToolTip("Set from the measure's name where it says (a standardised score, an "
                        "age, the school's own scale); change it if it is wrong.")
        better.setToolTip("Most scores are better higher; some are better lower (an SDQ "
                          "difficulties score, a count of incidents). The school's one answer "
                          "for the measure's name: every pupil measured by it, and the "
                          "library, share it, and gains are counted that way round.")
        follow(name.value())  # type: ignore[attr-defined]

    def add(self) -> FormDialog:
        dialog = FormDialog("Add a measure", self._fields(), lambda v: self._save(
            v, lambda values: self.of.record(self.runner, values)),
            intro=HINT, values={"entry_date": self.session.clock.today(),
                                "name": self.offered[0] if self.offered else ""}, parent=self,
            save_reads_dates=True)
        dialog.setObjectName("measure_form")
        self._follow(dialog)
        dialog.open()
        return dialog

    def correct(self) -> FormDialog | None:
        measure = self._chosen()
        if measure is None or not self.edit_button.isEnabled():
            self.message.setText("Choose the measure to record the exit of or correct.")
            return None
        values = {"name": measure.name, "kind": measure.kind.value,
                  "entry_value": format_value(measure.kind, measure.entry_value),
                  "entry_date": measure.entry_date,
                  "exit_value": format_value(measure.kind, measure.exit_value),
                  "exit_date": measure.exit_date, "note": measure.note}
        dialog = FormDialog("Record the exit or correct", self._fields(), lambda v: self._save(
            v, lambda values: self.runner.call(measures.update_measure, measure.id, values),
            measure.pupil_id), intro=HINT, values=values, parent=self, save_reads_dates=True)
        dialog.setObjectName("measure_form")
        self._follow(dialog, kind_too=False)
        dialog.open()
        return dialog

    def remove(self) -> FormDialog | None:
        measure = self._chosen()
        if measure is None:
            self.message.setText("Choose the measure entered in error.")
            return None
        dialog = FormDialog("Remove a measure entered in error", [
            FieldSpec("reason", "Reason", "text")], lambda v: self._saved(
            self.runner.call(measures.remove_measure, measure.id, v["reason"])),
            intro="It is kept in the record's history but no longer shown or counted.",
            parent=self)
        dialog.open()
        return dialog
