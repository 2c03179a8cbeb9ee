"""The initial concerns wizard, its readable record and the panel for the pupil's notes tab.

Every page is generated from the flowchart file: one page per question, one per discussion
page, and a last page showing the outcome the answers led to. Nothing about the flowchart's
content lives in this module, so a local authority's own flowchart works unchanged.

Hooking it into the pupil record (the notes tab):

    panel = ConcernsPanel(session, pupil_id, tasks, parent)   # tasks may be None
    panel.changed.connect(record_window.reload)               # a run finished, saved or discarded
    notes_layout.addWidget(panel)
    ...and call panel.refresh() when the record is re-read.

or open the wizard directly: ConcernsWizard(session, pupil_id, tasks, parent, run_id=draft_id)
with signals run_finished(run_id), draft_saved(run_id) and draft_discarded(run_id).
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any, Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDateEdit, QDialog, QFormLayout,
                               QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPlainTextEdit, QPushButton, QRadioButton, QScrollArea,
                               QSplitter, QTextBrowser, QVBoxLayout, QWidget, QWizard,
                               QWizardPage)

from ..errors import SendeskError
from ..models import dates, sen
from ..models import flowchart as fc
from ..models.roles import Permission
from ..records import concerns
from ..session import Session
from .prompts import prompts
from .tasks import TaskRunner

INTRO_ID = 0
FIRST_QUESTION_ID = 100
FIRST_DISCUSSION_ID = 1000
OUTCOME_ID = 2000
ERROR_COLOUR = "#b3261e"
HINT_COLOUR = "#4a4a4a"


def _failure_text(exc: BaseException) -> str:
    if isinstance(exc, SendeskError):
        return str(exc)
    return "Something went wrong and nothing was saved. Try again; if it happens again, tell " \
           "whoever looks after sendesk in your school."


def _wrapping(text: str, name: str = "", style: str = "") -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    if style:
        label.setStyleSheet(style)
    return label


def _to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class _ChoiceRow(QWidget):
    """A radio button with a label that wraps (QRadioButton's own text never wraps)."""

    def __init__(self, radio: QRadioButton, text: str) -> None:
        super().__init__()
        self.radio = radio
        radio.setAccessibleName(text)
        self.label = _wrapping(text)
        self.label.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(radio, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        self.radio.setChecked(True)
        self.radio.setFocus()
        super().mousePressEvent(event)


class QuestionPage(QWizardPage):
    """One question of the flowchart: its answers as radio buttons and an optional comment."""

    def __init__(self, question: fc.Question, chart_title: str) -> None:
        super().__init__()
        self.question = question
        self.setObjectName(f"page_{question.id}")
        self.setTitle(question.section or chart_title)
        layout = QVBoxLayout(self)
        text = _wrapping(question.text, f"question_{question.id}")
        text.setStyleSheet("font-size: 13pt; font-weight: 600;")
        layout.addWidget(text)
        if question.help:
            layout.addWidget(_wrapping(question.help, f"help_{question.id}",
                                       f"color: {HINT_COLOUR};"))
        layout.addSpacing(6)
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for answer in question.answers:
            radio = QRadioButton(objectName=f"answer_{question.id}_{answer.id}")
            self.group.addButton(radio)
            self.radios[answer.id] = radio
            layout.addWidget(_ChoiceRow(radio, answer.label))
        self.group.buttonToggled.connect(lambda *_: self.completeChanged.emit())
        layout.addSpacing(6)
        layout.addWidget(QLabel("Anything to add? (optional)"))
        self.comment = QPlainTextEdit(objectName=f"comment_{question.id}")
        self.comment.setTabChangesFocus(True)
        self.comment.setPlaceholderText("For example, what you have seen that led to this answer.")
        self.comment.setFixedHeight(64)
        layout.addWidget(self.comment)
        layout.addStretch(1)

    def chosen(self) -> fc.Answer | None:
        for answer in self.question.answers:
            if self.radios[answer.id].isChecked():
                return answer
        return None

    def choose(self, answer_id: str, comment: str = "") -> None:
        self.radios[answer_id].setChecked(True)
        self.comment.setPlainText(comment)

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.chosen() is not None

    def nextId(self) -> int:  # noqa: N802 - Qt API
        # Never -1 while unanswered, or QWizard would offer Finish instead of Next.
        answer = self.chosen() or self.question.answers[0]
        wizard = self.wizard()
        return wizard.page_after(answer.next) if isinstance(wizard, ConcernsWizard) else -1


class IntroPage(QWizardPage):
    def __init__(self, chart: fc.Flowchart, pupil_name: str, notice: str) -> None:
        super().__init__()
        self.chart = chart
        self.setObjectName("page_intro")
        self.setTitle(chart.title)
        layout = QVBoxLayout(self)
        layout.addWidget(_wrapping(f"Pupil: {pupil_name}", "intro_pupil",
                                   "font-size: 13pt; font-weight: 600;"))
        if notice:
            layout.addWidget(_wrapping(notice, "resume_notice", "font-weight: 600;"))
        if chart.intro:
            layout.addWidget(_wrapping(chart.intro, "flowchart_intro"))
        layout.addWidget(_wrapping(
            "Each answer takes you to the next question. You can go back and change an answer at "
            "any time. Nothing is recorded until you choose 'Finish and record' on the last page.",
            style=f"color: {HINT_COLOUR};"))
        if chart.publisher:
            layout.addWidget(_wrapping(f"Flowchart: {chart.publisher} (version {chart.version}).",
                                       style=f"color: {HINT_COLOUR};"))
        layout.addStretch(1)

    def nextId(self) -> int:  # noqa: N802 - Qt API
        wizard = self.wizard()
        return wizard.page_after(self.chart.start) if isinstance(wizard, ConcernsWizard) else -1


class DiscussionPage(QWizardPage):
    """Free text asked on every route: the short note of the early conversation."""

    def __init__(self, page: fc.DiscussionPage, index: int) -> None:
        super().__init__()
        self.page = page
        self.index = index
        self.setObjectName(f"page_discussion_{page.id}")
        self.setTitle(page.title)
        outer = QVBoxLayout(self)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 6, 0)
        if page.intro:
            layout.addWidget(_wrapping(page.intro, f"intro_{page.id}"))
            layout.addSpacing(4)
        self.boxes: dict[str, QPlainTextEdit] = {}
        for item in page.fields:
            label = QLabel(f"{item.label}{' *' if item.required else ''}", wordWrap=True)
            label.setStyleSheet("font-weight: 600;")
            layout.addWidget(label)
            if item.help:
                layout.addWidget(_wrapping(item.help, style=f"color: {HINT_COLOUR};"))
            box = QPlainTextEdit(objectName=f"discussion_{item.id}")
            box.setTabChangesFocus(True)
            box.setFixedHeight(72)  # about four lines; longer text scrolls inside the box
            box.textChanged.connect(self.completeChanged)
            label.setBuddy(box)
            self.boxes[item.id] = box
            layout.addWidget(box)
        if any(item.required for item in page.fields):
            layout.addWidget(_wrapping("* Needed before you can go on. You can save and close at "
                                       "any point and finish later.",
                                       style=f"color: {HINT_COLOUR};"))
        layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll)

    def values(self) -> dict[str, str]:
        return {key: box.toPlainText() for key, box in self.boxes.items()}

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return all(self.boxes[item.id].toPlainText().strip()
                   for item in self.page.fields if item.required)

    def nextId(self) -> int:  # noqa: N802 - Qt API
        wizard = self.wizard()
        count = len(wizard.chart.discussion) if isinstance(wizard, ConcernsWizard) else 0
        return FIRST_DISCUSSION_ID + self.index + 1 if self.index + 1 < count else OUTCOME_ID


class OutcomePage(QWizardPage):
    """Where the answers lead: the recommendation, its reason and actions, and the dates."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.setObjectName("page_outcome")
        self.setTitle("Recommended next step")
        self.setFinalPage(True)
        self.walk: fc.Walk | None = None
        self.allowed = True
        self.is_sen = False
        layout = QVBoxLayout(self)
        self.kind = _wrapping("", "outcome_kind", f"color: {HINT_COLOUR}; font-weight: 600;")
        self.heading = _wrapping("", "outcome_title", "font-size: 14pt; font-weight: 700;")
        self.reason = _wrapping("", "outcome_reason")
        self.actions = QLabel(objectName="outcome_actions", wordWrap=True)
        self.actions.setTextFormat(Qt.TextFormat.RichText)
        for widget in (self.kind, self.heading, self.reason, self.actions):
            layout.addWidget(widget)

        layout.addSpacing(8)
        record = QLabel("To record")
        record.setStyleSheet("font-weight: 600;")
        layout.addWidget(record)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.need = QComboBox(objectName="need_code")
        for code, rule in sen.need_codes().items():
            if rule.only_with_status is None or "K" in rule.only_with_status:
                self.need.addItem(f"{code}: {rule.label}", code)
        self.area = QLabel(objectName="need_area")  # one short line: wrapping would clip it here
        self.area.setStyleSheet(f"color: {HINT_COLOUR};")
        self.discussion_date = QDateEdit(objectName="discussion_date", calendarPopup=True)
        self.review_date = QDateEdit(objectName="review_date", calendarPopup=True)
        for edit in (self.discussion_date, self.review_date):
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setMinimumWidth(140)
        self.need_box = QWidget(objectName="need_box")
        need_layout = QVBoxLayout(self.need_box)
        need_layout.setContentsMargins(0, 0, 0, 0)
        need_layout.addWidget(self.need)
        need_layout.addWidget(self.area)
        self.form.addRow("Primary need for the census", self.need_box)
        self.form.addRow("Date of the conversation with parents", self.discussion_date)
        self.form.addRow("Next review by", self.review_date)
        layout.addLayout(self.form)
        self.refusal = _wrapping("", "outcome_refusal",
                                 f"color: {ERROR_COLOUR}; font-weight: 600;")
        self.message = _wrapping("", "outcome_message", f"color: {ERROR_COLOUR};")
        layout.addWidget(self.refusal)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self._dates_set_for: str | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        wizard = self.wizard()
        assert isinstance(wizard, ConcernsWizard)
        self.walk = wizard.current_walk()
        outcome = self.walk.outcome
        self.message.clear()
        if outcome is None:  # cannot happen: only a finished walk leads here
            self.heading.setText("Answer every question first.")
            return
        self.kind.setText(outcome.kind_label.upper())
        self.heading.setText(outcome.title)
        self.reason.setText(outcome.reason)
        items = "".join(f"<li>{html.escape(action)}</li>" for action in self.walk.actions)
        self.actions.setText(f"<b>What to do</b><ul style='margin-top:2px'>{items}</ul>")
        is_sen = outcome.kind == "sen_support"
        self.is_sen = is_sen
        self.form.setRowVisible(self.need_box, is_sen)
        self.allowed = not is_sen or self.session.can(Permission.CHANGE_SEN_STATUS)
        if is_sen:
            proposed = self.walk.proposed
            wanted = wizard.saved_extras.get("need_code") or proposed.get("need_code")
            index = self.need.findData(wanted)
            if index >= 0:
                self.need.setCurrentIndex(index)
            area = sen.areas().get(proposed.get("area", ""), "")
            self.area.setText(f"Proposed by the screening questions (broad area: {area})."
                              if area else "Proposed by the screening questions.")
        self.refusal.setText("" if self.allowed else
                             "Only the SENCO can move a pupil to SEN support. Choose 'Save and "
                             "close' and the SENCO can check the answers and finish it.")
        self.need.setEnabled(self.allowed)
        today = self.session.clock.today()
        self.discussion_date.setMaximumDate(_to_qdate(today))
        self.review_date.setMinimumDate(_to_qdate(today + dt.timedelta(days=1)))
        self.review_date.setMaximumDate(_to_qdate(today + dt.timedelta(days=concerns.MAX_REVIEW_DAYS)))
        if self._dates_set_for != outcome.id:
            # A new outcome suggests its own review date; a date typed for this one is kept.
            self._dates_set_for = outcome.id
            saved = wizard.saved_extras
            talked = _parse_iso(saved.get("discussion_date")) or today
            review = (_parse_iso(saved.get("review_date")) if saved.get("outcome") == outcome.id
                      else None) or concerns.review_date_for(outcome, today)
            self.discussion_date.setDate(_to_qdate(talked))
            self.review_date.setDate(_to_qdate(review))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.walk is not None and self.walk.finished and self.allowed

    def need_code(self) -> str | None:
        return self.need.currentData() if self.is_sen else None

    def show_error(self, text: str) -> None:
        self.message.setText(text)


def _parse_iso(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class ConcernsWizard(QWizard):
    """Walks a teacher and the SENCO through the initial concerns flowchart for one pupil."""

    run_finished = Signal(int)
    draft_saved = Signal(int)
    draft_discarded = Signal(int)

    def __init__(self, session: Session, pupil_id: int, tasks: TaskRunner | None = None,
                 parent: QWidget | None = None, run_id: int | None = None,
                 flowchart: fc.Flowchart | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id, self.tasks = session, int(pupil_id), tasks
        self.chart = flowchart or fc.load_default()
        self.run_id = run_id
        self.saved_extras: dict[str, Any] = {}
        self.busy = False
        self._dirty = False
        self._closing = False
        pupil_name = concerns.pupil_name(session, self.pupil_id)
        self.setObjectName("concerns_wizard")
        self.setWindowTitle(f"{self.chart.title}: {pupil_name} - sendesk")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, "Save and close")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Finish and record")
        self.button(QWizard.WizardButton.CustomButton1).setObjectName("save_draft")
        self.customButtonClicked.connect(self._custom_button)
        self.setMinimumSize(760, 600)

        draft = concerns.load_draft(session, run_id) if run_id is not None else None
        answers: list[tuple[str, str, str]] = []
        notice = ""
        if draft is not None:
            if draft.pupil_id != self.pupil_id:
                raise SendeskError("That saved flowchart belongs to a different pupil.")
            self.saved_extras = dict(draft.extras)
            walked, applied = fc.walk_prefix(self.chart, list(draft.answers))
            answers = list(draft.answers[:applied])
            notice = (f"Saved part-way by {draft.updated_by or 'a former user'} on "
                      f"{_uk_time(draft.updated_at)}. Carry on from where it was left.")
            if applied < len(draft.answers):
                notice += (f" The flowchart has changed since then: the first {applied} answers "
                           "still fit and have been kept; please answer the rest again.")
            self.setOption(QWizard.WizardOption.HaveCustomButton2, True)
            self.setButtonText(QWizard.WizardButton.CustomButton2, "Discard saved answers")
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

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Core work on the worker thread when there is one, else at once."""
        self.busy = True
        self.setEnabled(False)

        def finished(value: Any) -> None:
            self.busy = False
            self.setEnabled(True)
            done(value)

        def failed(exc: BaseException) -> None:
            self.busy = False
            self.setEnabled(True)
            self._report(exc)

        if self.tasks is None:
            try:
                value = work()
            except Exception as exc:  # noqa: BLE001 - shown to the user
                failed(exc)
            else:
                finished(value)
        else:
            self.tasks.run(work, finished, failed)

    def _report(self, exc: BaseException) -> None:
        text = _failure_text(exc)
        if self.currentId() == OUTCOME_ID:
            self.outcome_page.show_error(text)
        else:
            prompts.error(self, "sendesk", text)

    def _extras(self) -> dict[str, Any]:
        extras: dict[str, Any] = {"page": self._page_key(self.currentId())}
        if self.currentId() == OUTCOME_ID and self.outcome_page.walk is not None:
            extras.update(outcome=self.outcome_page.walk.outcome.id,
                          discussion_date=self.outcome_page.discussion_date.date().toPython().isoformat(),
                          review_date=self.outcome_page.review_date.date().toPython().isoformat())
            if self.outcome_page.need_code():
                extras["need_code"] = self.outcome_page.need_code()
        return extras

    def save_draft(self) -> None:
        answers, discussion, extras = self.current_answers(), self.discussion(), self._extras()
        run_id = self.run_id

        def work() -> int:
            return concerns.save_draft(self.session, self.pupil_id, self.chart, answers,
                                       discussion, extras, run_id)

        self._run(work, self._saved)

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
        talked = page.discussion_date.date().toPython()
        review = page.review_date.date().toPython()
        need, run_id = page.need_code(), self.run_id

        def work() -> int:
            return concerns.finish(self.session, self.pupil_id, self.chart, answers, discussion,
                                   discussion_date=talked, review_date=review, need_code=need,
                                   run_id=run_id)

        self._run(work, self._finished)

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

        def work() -> None:
            concerns.discard_draft(self.session, run_id)

        def done(_: Any) -> None:
            self.draft_discarded.emit(run_id)
            self.run_id = None
            self._dirty = False
            self._close()

        self._run(work, done)

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


def _uk_time(stamp: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(stamp).astimezone()
    except (TypeError, ValueError):
        return stamp
    return f"{dates.format_uk(moment.date())} at {moment:%H:%M}"


class ConcernRunView(QTextBrowser):
    """A finished run as a readable record."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("concern_run_view")
        self.setOpenLinks(False)

    def show_run(self, run: concerns.ConcernRun | None) -> None:
        if run is None:
            self.setHtml("<p style='color:#555'>Choose a record on the left to read it.</p>")
        else:
            self.setHtml(concerns.run_html(run))


class ConcernsPanel(QWidget):
    """For the pupil's notes tab: finished runs to read, and starting or resuming the wizard."""

    changed = Signal(int)  # pupil id

    def __init__(self, session: Session, pupil_id: int, tasks: TaskRunner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id, self.tasks = session, int(pupil_id), tasks
        self.setObjectName("concerns_panel")
        self.wizard: ConcernsWizard | None = None
        self.runs = QListWidget(objectName="concern_runs")
        self.view = ConcernRunView()
        self.runs.currentItemChanged.connect(self._show_selected)
        self.draft_note = _wrapping("", "draft_note", f"color: {HINT_COLOUR};")
        self.start_button = QPushButton("Start the initial concerns flowchart...",
                                        objectName="start_concerns")
        self.resume_button = QPushButton("Carry on with the saved flowchart...",
                                         objectName="resume_concerns")
        self.start_button.clicked.connect(lambda: self.open_wizard())
        self.resume_button.clicked.connect(lambda: self.open_wizard(resume=True))
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.resume_button)
        buttons.addWidget(self.draft_note, 1)
        splitter = QSplitter()
        splitter.addWidget(self.runs)
        splitter.addWidget(self.view)
        splitter.setSizes([260, 640])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Initial concerns flowchart")
        heading.setStyleSheet("font-weight: 700;")
        layout.addWidget(heading)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self.refresh()

    def refresh(self) -> None:
        runs = concerns.list_runs(self.session, self.pupil_id)
        self._runs = {run.id: run for run in runs}
        self.runs.clear()
        for run in reversed(runs):
            item = QListWidgetItem(f"{dates.format_uk(run.discussion_date)}  {run.outcome_title}")
            item.setData(Qt.ItemDataRole.UserRole, run.id)
            self.runs.addItem(item)
        if runs:
            self.runs.setCurrentRow(0)
        else:
            self.view.setHtml("<p style='color:#555'>The flowchart has not been used for this "
                              "pupil yet.</p>")
        draft = concerns.draft_for_pupil(self.session, self.pupil_id)
        self.draft_id = draft.id if draft else None
        blocked = concerns.not_available_because(self.session, self.pupil_id)
        may_run = self.session.can(Permission.ADD_NOTES) and blocked is None
        self.start_button.setVisible(draft is None)
        self.start_button.setEnabled(may_run)
        self.resume_button.setVisible(draft is not None)
        self.resume_button.setEnabled(may_run)
        if blocked:
            self.draft_note.setText(blocked)
        elif draft:
            self.draft_note.setText(
                f"{draft.answered} questions answered so far; last saved by "
                f"{draft.updated_by or 'a former user'} on {_uk_time(draft.updated_at)}.")
        else:
            self.draft_note.clear()

    def _show_selected(self, item: QListWidgetItem | None, *_: Any) -> None:
        run = self._runs.get(item.data(Qt.ItemDataRole.UserRole)) if item else None
        self.view.show_run(run)

    def open_wizard(self, resume: bool = False) -> ConcernsWizard | None:
        try:
            wizard = ConcernsWizard(self.session, self.pupil_id, self.tasks, self,
                                    run_id=self.draft_id if resume else None)
        except SendeskError as exc:
            prompts.error(self, "sendesk", str(exc))
            return None
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for signal in (wizard.run_finished, wizard.draft_saved, wizard.draft_discarded):
            signal.connect(self._after_change)
        self.wizard = wizard
        wizard.open()
        return wizard

    def _after_change(self, *_: Any) -> None:
        self.refresh()
        self.changed.emit(self.pupil_id)
