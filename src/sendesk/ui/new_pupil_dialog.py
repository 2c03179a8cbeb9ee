"""Adding one pupil by hand (File > New pupil..., Ctrl+N): a new arrival with no MIS export.

The form asks for what the core's add_pupil needs (a UPN is required: a pupil without one yet
is given a temporary UPN by the admissions office). Before saving it looks for the same child
already here, by UPN or by name and date of birth, and offers to open that record instead of
making a second one; then it opens the new record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from ..errors import ValidationError
from ..models import dates
from ..models.pupils import GENDERS, YEAR_GROUPS, clean_name
from ..models.roles import Permission
from ..records import pupil_list, pupils
from ..records.pupil_list import PupilFilter, PupilRow
from ..session import Session
from .forms import FieldSpec, FormDialog, mnemonics, with_mnemonic
from .prompts import prompts
from .record_panel import denied_text
from .runner import OpRunner

YEAR_LABELS = {"N1": "Nursery 1", "N2": "Nursery 2", "R": "Reception"}
FIELDS = [FieldSpec("upn", "UPN", placeholder="13 characters; a temporary UPN if none yet"),
          FieldSpec("legal_forename", "Legal forename"),
          FieldSpec("legal_surname", "Legal surname"),
          FieldSpec("preferred_forename", "Preferred forename", placeholder="if known by another"),
          FieldSpec("preferred_surname", "Preferred surname", placeholder="if known by another"),
          FieldSpec("dob", "Date of birth", "date"),
          FieldSpec("gender", "Gender", "choice", [(label, code) for code, label in GENDERS.items()]),
          FieldSpec("year_group", "Year group", "choice",
                    [("Choose the year group", ""), *((YEAR_LABELS.get(y, f"Year {y}"), y)
                                                      for y in YEAR_GROUPS)]),
          FieldSpec("class_name", "Class"),
          FieldSpec("admission_date", "Admission date", "date")]


def _same_child(session: Session, values: dict[str, Any]) -> tuple[PupilRow, str] | None:
    """A pupil already here with this UPN, or the same legal names and date of birth."""
    upn = (values.get("upn") or "").replace(" ", "").upper()
    held = pupils.find_by_upn(session, upn) if upn else None
    if held is not None:
        return pupil_list.fetch_rows(session, [held])[0], f"UPN {upn} already belongs to"
    try:
        dob = dates.parse_date(values.get("dob"), "Date of birth")
        surname = clean_name(values.get("legal_surname"), "Legal surname")
        forename = clean_name(values.get("legal_forename"), "Legal forename")
    except ValidationError:   # the core's own check on saving says what is wrong
        return None
    ids = pupil_list.search_ids(session, PupilFilter(text=f"{surname} {forename}", include_archived=True))
    for row in pupil_list.fetch_rows(session, ids):
        if (row.dob == dob and row.legal_surname.lower() == (surname or "").lower()
                and row.legal_forename.lower() == (forename or "").lower()):
            return row, "A pupil with the same name and date of birth is already here:"
    return None


class NewPupilDialog(FormDialog):
    """Saves through the runner; ``opened`` is the pupil whose record the user chose to see."""

    def __init__(self, session: Session, open_pupil: Callable[[int], Any],
                 parent: QWidget | None = None, runner: OpRunner | None = None) -> None:
        self.session, self.open_pupil = session, open_pupil
        self.runner = runner if runner is not None else OpRunner(session, parent)
        self.opened: int | None = None
        super().__init__("New pupil", FIELDS, self._save,
                         intro="For a new arrival not yet in a MIS export. Names as on the birth "
                               "certificate; a preferred name is what staff see.",
                         values={"admission_date": session.clock.today(), "gender": "U"},
                         parent=parent)
        self.setObjectName("new_pupil_dialog")
        # Its own Alt key: not one a field or Cancel already uses.
        self.save_button.setText(with_mnemonic("Add pupil", mnemonics(
            [*(spec.label for spec in FIELDS), self.cancel_button.text()])))

    def _save(self, values: dict[str, Any]) -> int | None:
        found = self.runner.call(_same_child, values, sender=self.save_button)
        if found is not None:
            row, said = found
            name = f"{row.forename} {row.surname}, born {dates.format_uk(row.dob)}, Year {row.year_group}"
            if prompts.confirm(self, "New pupil", f"{said} {name}" + (" (left)" if row.archived else "")
                               + ". Open that record instead of adding a second one?"):
                self.opened = row.id
                self.open_pupil(row.id)
                return row.id
        # Declined: the same UPN is refused by the core in its own words; the same name and
        # date of birth may be a different child, so that pupil is added.
        # The runner broadcasts the new pupil, so the pupil list and Home show them at once.
        pupil_id = self.runner.call(pupils.add_pupil, values, sender=self.save_button)
        self.opened = pupil_id
        self.open_pupil(pupil_id)
        return pupil_id


def add_new_pupil_action(window: QMainWindow, menu: QMenu, session: Session, runner: OpRunner,
                         open_pupil: Callable[[int], Any]) -> QAction:
    """File > New pupil... (Ctrl+N) at the top of ``menu``; the dialog saves through the
    window's runner and ``open_pupil`` opens the record. For a user who may not add pupils it
    is there, greyed, saying why (as every control a role may not use is)."""
    action = QAction("&New pupil...", window, objectName="new_pupil")
    if not session.can(Permission.EDIT_PUPILS):
        action.setEnabled(False)
        action.setToolTip(denied_text(session))
        menu.setToolTipsVisible(True)
    action.setShortcut(QKeySequence.StandardKey.New)
    action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)

    def show() -> NewPupilDialog:
        dialog = NewPupilDialog(session, open_pupil, window, runner)
        dialog.open()
        return dialog
    action.triggered.connect(lambda _checked=False: show())
    first = menu.actions()[0] if menu.actions() else None
    menu.insertAction(first, action)
    if first is not None:
        menu.insertSeparator(first)
    return action
