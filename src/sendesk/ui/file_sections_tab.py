"""The pupil record's "Exams and My Story" tab: exam access arrangements (with the assessment,
evidence and dates each rests on) and "My Story", the pupil's own account with the consent that
says where it may go.

Two lists, each with its buttons and the chosen row in full below. Work runs on the record
window's OpRunner; the tab refreshes when a change to either section of its pupil is reported.
Buttons a role may not use are greyed with the reason in the tooltip.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..documents.model import Builder
from ..models.exam_access import Arrangement, ExamArrangement
from ..models.my_story import SHARING, ConsentBy, MyStory
from ..models.roles import Permission
from ..operations import Kind
from ..records import exam_access, my_story
from ..session import Session
from . import document_view
from .dates import uk
from .forms import FieldSpec, FormDialog
from .load_on_show import LoadOnShow
from .record_changes import one_at_a_time, pupil_line, runner_for
from .record_panel import button, button_row, explain_denied
from .rows_model import Col, RowsModel
from .rows_table import rows_table
from .runner import OpRunner, alive

SHOWN_KINDS = (Kind.EXAM_ACCESS, Kind.MY_STORY, Kind.PUPIL)


def arrangement_text(found: ExamArrangement, today: Any) -> list:
    b = Builder()
    b.heading(found.label, 1)
    b.para(found.state(today), "small")
    b.pairs([("Assessed", f"{uk(found.assessed_on)} by {found.assessor}"),
             ("Valid", f"{uk(found.valid_from)} to {uk(found.valid_to)}"),
             ("What the assessment found", found.assessment),
             ("Normal way of working", found.evidence)])
    return list(b.blocks)


def story_text(found: MyStory) -> list:
    b = Builder()
    b.heading(f"My Story, written {uk(found.written_on)}", 1)
    b.para(found.consent_text, "small")
    b.para(found.story)
    return list(b.blocks)


class FileSectionsTab(LoadOnShow, QWidget):
    def __init__(self, session: Session, pupil_id: int, parent: QWidget | None = None,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id = session, int(pupil_id)
        self.runner = runner_for(session, runner, self)
        self.setObjectName("tab_file_sections")
        manage = session.can(Permission.MANAGE_PLANS) and \
            not pupil_line(self.runner, self.pupil_id).archived
        today = session.clock.today()
        self.arrangement_model: RowsModel[ExamArrangement] = RowsModel([
            Col("Arrangement", lambda a: a.label),
            Col("Assessed", lambda a: uk(a.assessed_on)),
            Col("Assessor", lambda a: a.assessor),
            Col("State", lambda a: a.state(today))], parent=self)
        self.story_model: RowsModel[MyStory] = RowsModel([
            Col("Written", lambda s: uk(s.written_on)),
            Col("Consent", lambda s: f"{s.consent_by}, {uk(s.consent_on)}" if s.consent_by
                else "None recorded"),
            Col("May be shared with", lambda s: ", ".join(
                words for column, words in SHARING if column in s.shared_with) or "Nobody")],
            parent=self)
        self.arrangements = rows_table("arrangements_table", self.arrangement_model,
                                       "Exam access arrangements")
        self.stories = rows_table("stories_table", self.story_model, "My Story accounts")
        self.arrangement_details = QTextBrowser(objectName="arrangement_details")
        self.arrangement_details.setAccessibleName("The chosen arrangement in full")
        self.story_details = QTextBrowser(objectName="story_details")
        self.story_details.setAccessibleName("The chosen account in full")
        self.buttons = {
            "add_arrangement": button("Add an a&rrangement...", "add_arrangement",
                                      self.add_arrangement, manage),
            "correct_arrangement": button("&Correct the arrangement...", "correct_arrangement",
                                          self.correct_arrangement, manage),
            "withdraw_arrangement": button("&Withdraw it...", "withdraw_arrangement",
                                           self.withdraw_arrangement, manage),
            "add_story": button("Add My &Story...", "add_story", self.add_story, manage),
            "change_story": button("C&hange it or its consent...", "change_story",
                                   self.change_story, manage)}
        self.manage = manage
        self.message = QLabel(objectName="message", wordWrap=True)
        self.message.setStyleSheet("color: #b3261e")
        self.sections = QTabWidget(objectName="file_sections")
        self.sections.setAccessibleName("Exams and My Story sections")   # and its tab bar, which Tab reaches
        self.sections.tabBar().setAccessibleName("Exams and My Story sections")
        self.sections.addTab(self._page(
            "Arrangements for tests and exams, each with the assessment and the evidence that it "
            "is the pupil's normal way of working.", self.arrangements, self.arrangement_details,
            ("add_arrangement", "correct_arrangement", "withdraw_arrangement")),
            "Exam access arrangements")
        self.sections.addTab(self._page(
            "The pupil's own account in their words. It goes only where its consent says.",
            self.stories, self.story_details, ("add_story", "change_story")), "My Story")
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.sections)
        for table, show in ((self.arrangements, self._show_arrangement),
                            (self.stories, self._show_story)):
            table.selectionModel().selectionChanged.connect(lambda *_, s=show: s())
        explain_denied(self, session)
        self.follow(self.runner, SHOWN_KINDS, pupil_id=self.pupil_id)
        self.load_now_or_when_shown(True)

    def _page(self, intro: str, table: QTableView, details: QTextBrowser,
              keys: tuple[str, ...]) -> QWidget:
        page = QWidget()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(table)
        splitter.addWidget(details)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(intro, wordWrap=True))
        layout.addLayout(button_row(*(self.buttons[k] for k in keys)))
        layout.addWidget(splitter, 1)
        return page

    # --- reading -------------------------------------------------------------------------------
    @one_at_a_time
    def refresh(self) -> None:
        self.loaded = True
        arrangements, stories = self.runner.call(_read, self.pupil_id)
        if not alive(self):
            return
        self.message.clear()
        self.arrangement_model.set_rows(arrangements)
        self.story_model.set_rows(stories)
        for table, model in ((self.arrangements, self.arrangement_model),
                             (self.stories, self.story_model)):
            if model.rows():
                table.selectRow(len(model.rows()) - 1)
        self._show_arrangement()
        self._show_story()

    def _chosen(self, table: QTableView, model: RowsModel) -> Any:
        rows = table.selectionModel().selectedRows()
        return model.row_object(rows[0].row()) if rows else None

    def _show_arrangement(self) -> None:
        found = self._chosen(self.arrangements, self.arrangement_model)
        document_view.show(self.arrangement_details,
                           arrangement_text(found, self.session.clock.today()) if found else [])
        for key in ("correct_arrangement", "withdraw_arrangement"):
            self.buttons[key].setEnabled(self.manage and found is not None
                                         and found.withdrawn_on is None)

    def _show_story(self) -> None:
        found = self._chosen(self.stories, self.story_model)
        document_view.show(self.story_details, story_text(found) if found else [])
        self.buttons["change_story"].setEnabled(self.manage and found is not None)

    # --- forms ---------------------------------------------------------------------------------
    def _form(self, title: str, fields: list[FieldSpec], save, values=None,
              intro: str = "") -> FormDialog:
        dialog = FormDialog(title, fields, save, intro=intro, values=values, parent=self)
        dialog.open()
        return dialog

    def _arrangement_fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("arrangement", "Arrangement", "choice", [(a.label, a.value) for a in Arrangement]),
            FieldSpec("detail", "Details", placeholder="Which papers, paper colour, room..."),
            FieldSpec("assessor", "Assessor", placeholder="Name and qualification"),
            FieldSpec("assessed_on", "Assessed on", "date", aliases=("Date assessed",)),
            FieldSpec("assessment", "What the assessment found", "text",
                      placeholder="Tests used and standardised scores"),
            FieldSpec("evidence", "Normal way of working", "text",
                      aliases=("Evidence of the normal way of working",),
                      placeholder="How the pupil uses it in class and in tests"),
            FieldSpec("valid_from", "Valid from", "date"),
            FieldSpec("valid_to", "Valid to", "date")]

    def add_arrangement(self) -> FormDialog:
        today = self.session.clock.today()
        return self._form("Add an exam access arrangement", self._arrangement_fields(),
                          lambda v: self.runner.call(exam_access.add_arrangement, self.pupil_id, v),
                          values={"assessed_on": today, "valid_from": today},
                          intro="Keep the assessment and the evidence of the pupil's normal way of "
                                "working: the exam boards' inspectors ask to see them.")

    def correct_arrangement(self) -> FormDialog | None:
        found = self._chosen(self.arrangements, self.arrangement_model)
        if found is None:
            return None
        values = {n: getattr(found, n) for n in ("detail", "assessor", "assessed_on", "assessment",
                                                 "evidence", "valid_from", "valid_to")}
        values["arrangement"] = found.arrangement.value
        return self._form("Correct the arrangement", self._arrangement_fields(),
                          lambda v: self.runner.call(exam_access.update_arrangement, found.id, v),
                          values=values)

    def withdraw_arrangement(self) -> FormDialog | None:
        found = self._chosen(self.arrangements, self.arrangement_model)
        if found is None:
            return None
        return self._form("Withdraw the arrangement", [
            FieldSpec("withdrawn_on", "Withdrawn on", "date", aliases=("Date withdrawn",))],
            lambda v: self.runner.call(exam_access.withdraw_arrangement, found.id,
                                       v["withdrawn_on"]),
            values={"withdrawn_on": self.session.clock.today()},
            intro="It stays on the record as withdrawn.")

    def _story_fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("written_on", "Written on", "date", aliases=("Date written",)),
            FieldSpec("story", "My Story, in the pupil's words", "text", aliases=("My Story",)),
            FieldSpec("consent_by", "Consent given by", placeholder="Name"),
            FieldSpec("consent_as", "Who they are", "choice",
                      [("Not recorded", None)] + [(c.label, c.value) for c in ConsentBy]),
            FieldSpec("consent_on", "Date of consent", "date"),
            *(FieldSpec(column, f"May be shared with {words}", "bool") for column, words in SHARING)]

    def add_story(self) -> FormDialog:
        return self._form("Add My Story", self._story_fields(),
                          lambda v: self.runner.call(my_story.add_story, self.pupil_id, v),
                          values={"written_on": self.session.clock.today()},
                          intro="Write it with the pupil, in their words. Tick only where the "
                                "consent given allows it to go.")

    def change_story(self) -> FormDialog | None:
        found = self._chosen(self.stories, self.story_model)
        if found is None:
            return None
        values: dict[str, Any] = {"written_on": found.written_on, "story": found.story,
                                  "consent_by": found.consent_by or "",
                                  "consent_as": found.consent_as.value if found.consent_as else None,
                                  "consent_on": found.consent_on}
        values.update({column: column in found.shared_with for column, _ in SHARING})
        return self._form("Change My Story or its consent", self._story_fields(),
                          lambda v: self.runner.call(my_story.update_story, found.id, v),
                          values=values, intro="Untick a place to withdraw consent for it.")


def _read(session: Session, pupil_id: int) -> tuple[list[ExamArrangement], list[MyStory]]:
    """Both lists in one trip to the worker."""
    return (exam_access.list_arrangements(session, pupil_id),
            my_story.list_stories(session, pupil_id))
