"""The initial concerns wizard: walks a teacher and the SENCO through the flowchart for one
pupil, saving part-way, resuming, and recording the outcome in one go through the core.

Open it:  ConcernsWizard(session, pupil_id, parent, run_id=draft_id, runner=runner)
    runner: the window's OpRunner (one of its own when none is given); all its database work
    goes through it, and what it changed is broadcast on ``runner.changed``.
    Signals: run_finished(run_id), draft_saved(run_id) and draft_discarded(run_id).
The pages are in ``concerns_pages``; the notes tab's panel is ``concerns_panel.ConcernsPanel``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QWidget, QWizard

from ..errors import SendeskError
from ..models import flowchart as fc
from ..records import concerns
from ..session import Session
from .concerns_pages import (
    FIRST_DISCUSSION_ID,
    FIRST_QUESTION_ID,
    INTRO_ID,
    OUTCOME_ID,
    DiscussionPage,
    IntroPage,
    OutcomePage,
    QuestionPage,
    uk_time,
)
from .prompts import prompts
from .runner import OpRunner


def failure_text(exc: BaseException) -> str:
    if isinstance(exc, SendeskError):
        return str(exc)
    return "Something went wrong and nothing was saved. Try again; if it happens again, tell " \
           "whoever looks after sendesk in your school."



class ConcernsWizard(QWizard):
    """Walks a teacher and the SENCO through the initial concerns flowchart for one pupil."""

    run_finished = Signal(int)
    draft_saved = Signal(int)
    draft_discarded = Signal(int)

    def __init__(self, session: Session, pupil_id: int, parent: QWidget | None = None,
                 run_id: int | None = None, flowchart: fc.Flowchart | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id = session, int(pupil_id)
        self.runner = runner if runner is not None else OpRunner(session, self)
        self.chart = flowchart or fc.load_default()
        self.run_id = run_id
        self.saved_extras: dict[str, Any] = {}
        self.busy = False
        self._dirty = False
        self._closing = False
        pupil_name = self.runner.call(concerns.pupil_name, self.pupil_id)
        self.setObjectName("concerns_wizard")
        self.setWindowTitle(f"{self.chart.title}: {pupil_name} - sendesk")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, "&Save and close")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Finish and record")
        self.button(QWizard.WizardButton.CustomButton1).setObjectName("save_draft")
        self.customButtonClicked.connect(self._custom_button)
        self.setMinimumSize(760, 600)

        draft = self.runner.call(concerns.load_draft, run_id) if run_id is not None else None
        answers: list[tuple[str, str, str]] = []
        notice = ""
        if draft is not None:
            if draft.pupil_id != self.pupil_id:
                raise SendeskError("That saved flowchart belongs to a different pupil.")
            self.saved_extras = dict(draft.extras)
            walked, applied = fc.walk_prefix(self.chart, list(draft.answers))
            answers = list(draft.answers[:applied])
            notice = (f"Saved part-way by {draft.updated_by or 'a former user'} on "
                      f"{uk_time(draft.updated_at)}. Carry on from where it was left.")
            if applied < len(draft.answers):
                notice += (f" The flowchart has changed since then: the first {applied} answers "
                           "still fit and have been kept; please answer the rest again.")
            self.setOption(QWizard.WizardOption.HaveCustomButton2, True)
            self.setButtonText(QWizard.WizardButton.CustomButton2, "D&iscard saved answers")
            self.button(QWizard.WizardButton.CustomButton2).setObjectName("discard_draft")

        self.setPage(INTRO_ID, IntroPage(self.chart, pupil_name, notice))
        self.question_pages: dict[str, QuestionPage] = {}
        self._page_ids: dict[str, int] = {}
        for index, question in enumerate(self.chart.questions):
            page = QuestionPage(question, self.chart.title)
            self.setPage(FIRST_QUESTION_ID + index, page)
            self.question_pages[question.id] = page
            self._page_ids[question.id] = FIRST_QUESTION_ID + index
        self.discussion_pages: list[DiscussionPage] = []
        for index, item in enumerate(self.chart.discussion):
            page = DiscussionPage(item, index)
            self.setPage(FIRST_DISCUSSION_ID + index, page)
            self.discussion_pages.append(page)
        self.outcome_page = OutcomePage(session)
        self.setPage(OUTCOME_ID, self.outcome_page)
        self.setStartId(INTRO_ID)
        self.restart()
        if draft is not None:
            self._replay(answers, draft.discussion)
        self._dirty = False
        self.currentIdChanged.connect(self._mark_dirty)
        for page in self.question_pages.values():
            page.group.buttonToggled.connect(self._mark_dirty)
            page.comment.textChanged.connect(self._mark_dirty)
        for page in self.discussion_pages:
            for box in page.boxes.values():
                box.textChanged.connect(self._mark_dirty)

    # --- building and navigating ------------------------------------------------------------

    def page_after(self, node_id: str) -> int:
        """The page for a node: its question page, or the discussion before any outcome."""
        if node_id in self._page_ids:
            return self._page_ids[node_id]
        return FIRST_DISCUSSION_ID if self.chart.discussion else OUTCOME_ID

    def _replay(self, answers: list[tuple[str, str, str]], discussion: dict[str, str]) -> None:
        for page in self.discussion_pages:
            for key, box in page.boxes.items():
                box.setPlainText(discussion.get(key, ""))
        self.next()  # past the introduction
        for node_id, answer_id, comment in answers:
            self.question_pages[node_id].choose(answer_id, comment)
            self.next()
        target = self.saved_extras.get("page")
        if fc.walk(self.chart, answers).finished:
            while self.currentId() != OUTCOME_ID and self.currentPage().isComplete():
                if self._page_key(self.currentId()) == target:
                    break
                self.next()

    def _page_key(self, page_id: int) -> str:
        page = self.page(page_id)
        if isinstance(page, QuestionPage):
            return f"question:{page.question.id}"
        if isinstance(page, DiscussionPage):
            return f"discussion:{page.page.id}"
        return "outcome" if page_id == OUTCOME_ID else "intro"

    def current_answers(self) -> list[tuple[str, str, str]]:
        """The answers on the route actually taken: the pages visited (the current one last)."""
        found = []
        for page_id in self.visitedIds():
            page = self.page(page_id)
            if isinstance(page, QuestionPage) and page.chosen() is not None:
                found.append((page.question.id, page.chosen().id, page.comment.toPlainText()))
        return found

    def current_walk(self) -> fc.Walk:
        return fc.walk_prefix(self.chart, self.current_answers())[0]

    def discussion(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for page in self.discussion_pages:
            values.update({key: text for key, text in page.values().items() if text.strip()})
        return values

    def _mark_dirty(self, *_: Any) -> None:
        self._dirty = True

    # --- saving, finishing, cancelling -------------------------------------------------------

    def _run(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None],
             **kwargs: Any) -> None:
        """A core write on the runner's worker; the wizard answers but takes no input meanwhile."""
        self.busy = True
        try:
            value = self.runner.call(fn, *args, sender=self, **kwargs)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.busy = False
            self._report(exc)
            return
        self.busy = False
        done(value)

    def _report(self, exc: BaseException) -> None:
        text = failure_text(exc)
        if self.currentId() == OUTCOME_ID:
            self.outcome_page.show_error(text)
        else:
            prompts.error(self, "sendesk", text)

    def _extras(self) -> dict[str, Any]:
        extras: dict[str, Any] = {"page": self._page_key(self.currentId())}
        if self.currentId() == OUTCOME_ID and self.outcome_page.walk is not None:
            extras["outcome"] = self.outcome_page.walk.outcome.id
            for key in ("discussion_date", "review_date"):  # a half-typed date is not kept
                day = getattr(self.outcome_page, key).day()
                if day is not None:
                    extras[key] = day.isoformat()
            if self.outcome_page.need_code():
                extras["need_code"] = self.outcome_page.need_code()
        return extras

    def save_draft(self) -> None:
        answers, discussion, extras = self.current_answers(), self.discussion(), self._extras()
        self._run(concerns.save_draft, self.pupil_id, self.chart, answers, discussion, extras,
                  self.run_id, done=self._saved)

    def _saved(self, run_id: int) -> None:
        self.run_id = run_id
        self._dirty = False
        self.draft_saved.emit(run_id)
        self._close()

    def accept(self) -> None:
        """Finish: record everything in one go; the wizard stays open if the core refuses."""
        if self.busy:
            return
        page = self.outcome_page
        page.show_error("")
        answers, discussion = self.current_answers(), self.discussion()
        problem = page.discussion_date.problem() or page.review_date.problem()
        if problem:
            page.show_error(problem)
            return
        talked, review = page.discussion_date.day(), page.review_date.day()
        self._run(concerns.finish, self.pupil_id, self.chart, answers, discussion,
                  discussion_date=talked, review_date=review, need_code=page.need_code(),
                  run_id=self.run_id, done=self._finished)

    def _finished(self, run_id: int) -> None:
        self.run_id = run_id
        self._dirty = False
        self.run_finished.emit(run_id)
        self._closing = True
        super().accept()

    def discard_draft(self) -> None:
        if self.run_id is None:
            return
        if not prompts.confirm(self, "Discard saved answers",
                               "Delete the answers saved for this pupil's flowchart? This cannot "
                               "be undone."):
            return
        run_id = self.run_id

        def done(_: Any) -> None:
            self.draft_discarded.emit(run_id)
            self.run_id = None
            self._dirty = False
            self._close()

        self._run(concerns.discard_draft, run_id, done=done)

    def _custom_button(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.save_draft()
        elif which == QWizard.WizardButton.CustomButton2.value:
            self.discard_draft()

    def _close(self) -> None:
        self._closing = True
        self.done(QDialog.DialogCode.Rejected)

    def reject(self) -> None:
        """Cancel: a new run leaves nothing behind; a resumed one keeps what was saved before."""
        if self.busy:
            return
        if self._closing or not self._dirty:
            self._closing = True
            super().reject()
            return
        if self.run_id is None:
            question = "Close without saving? Nothing you have entered will be kept."
        else:
            question = ("Close without saving your latest answers? The answers saved earlier are "
                        "kept.")
        if prompts.confirm(self, "Close the flowchart", question):
            self._closing = True
            super().reject()
