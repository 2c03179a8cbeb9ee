"""The record's short notes: add one, amend it (its author or the SENCO), and mark its review
done so it stops counting as due. The amend form holds the note as written; the core keeps the
old text in the change trail and says who may not amend it."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..models.notes import NOTE_FIELDS, ShortNote
from ..models.roles import Permission
from ..records import notes
from ..session import Session
from .dates import uk
from .forms import FieldSpec, FormDialog
from .record_panel import RecordPanel, button, button_row, fill_table, make_table
from .runner import OpRunner
from .stale_form import open_correction

NOTE_FORM = [FieldSpec("event_date", "Date of the discussion", "date"),
             FieldSpec("concern", "Concern", "text"),
             FieldSpec("parent_discussion", "Discussion with parents", "text"),
             FieldSpec("agreed_actions", "Agreed actions", "text"),
             FieldSpec("review_date", "Review by", "date")]
# The core refuses any other day, naming the next school day.
REVIEW_HINT = ("Set the review, if there is one, on a school day: not a weekend, a bank holiday, "
               "an INSET day or in the holidays.")


class NotesPanel(RecordPanel):
    def __init__(self, session: Session, pupil_id: int, runner: OpRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(session, pupil_id, runner, parent)
        may = self.can(Permission.ADD_NOTES)
        self.notes_table = make_table("notes", ["Date", "By", "Concern", "Talked with parents",
                                                "Agreed actions", "Review", "Reviewed"])
        self.notes_table.setAccessibleName("Short notes")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notes_table)
        layout.addLayout(button_row(
            button("Add s&hort note...", "add_note", self.add_note, may),
            button("A&mend note...", "amend_note", self.amend_note, may),
            button("Mark re&viewed...", "mark_reviewed", self.mark_reviewed, may)))

    def refresh(self) -> None:
        held = self.held.notes
        fill_table(self.notes_table, [(uk(n.event_date), n.author_name, n.concern, n.parent_discussion,
                                       n.agreed_actions, uk(n.review_date), uk(n.reviewed_on))
                                      for n in held], [n.id for n in held])

    def add_note(self) -> FormDialog:
        return self.open_form("Add short note", NOTE_FORM,
                              lambda v: self.write(notes.add_note, self.pupil_id, v),
                              values={"event_date": self.today()}, intro=REVIEW_HINT)

    def amend_note(self) -> FormDialog | None:
        note: ShortNote | None = self.chosen(self.notes_table, self.held.notes, "note", "Amend note")
        if note is None:
            return None
        held = {name: value for name, value in dataclasses.asdict(note).items() if name in NOTE_FIELDS}
        return open_correction(self, f"Amend the note of {uk(note.event_date)}", NOTE_FORM,
                               notes.amend_note, note.id, held, dict,
                               intro="The note as written is kept in the change history. "
                                     + REVIEW_HINT)

    def mark_reviewed(self) -> FormDialog | None:
        note: ShortNote | None = self.chosen(
            self.notes_table, self.held.notes, "note", "Mark reviewed",
            lambda n: n.reviewed_on is None, "This note has already been reviewed.")
        if note is None:
            return None
        return self.open_form(
            "Mark the note reviewed", [FieldSpec("reviewed_on", "Reviewed on", "date")],
            lambda v: self.write(notes.mark_reviewed, note.id, v["reviewed_on"]),
            values={"reviewed_on": self.today()},
            intro=f"Note of {uk(note.event_date)} by {note.author_name}: {note.concern[:120]}")
