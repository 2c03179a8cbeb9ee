"""The pages of the initial concerns wizard, generated from the flowchart file: one page per
question, one per discussion page, an introduction, and a last page showing the outcome the
answers led to. Nothing about the flowchart's content lives here, so a local authority's own
flowchart works unchanged."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from ..models import dates, sen
from ..models import flowchart as fc
from ..models.calendar import SchoolCalendar
from ..models.roles import Permission
from ..models.school_days import day_name, not_a_school_day
from ..records import concerns, school_calendar
from ..session import Session
from .accessible import label_for, name_form
from .date_field import DateField
from .runner import OpRunner

INTRO_ID = 0
FIRST_QUESTION_ID = 100
FIRST_DISCUSSION_ID = 1000
OUTCOME_ID = 2000
ERROR_COLOUR = "#b3261e"
HINT_COLOUR = "#4a4a4a"


class Walker(Protocol):
    """The wizard, as its pages see it."""

    chart: fc.Flowchart
    saved_extras: dict[str, Any]
    runner: OpRunner

    def page_after(self, node_id: str) -> int: ...

    def current_walk(self) -> fc.Walk: ...


def wrapping(text: str, name: str = "", style: str = "") -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    if style:
        label.setStyleSheet(style)
    return label


class ChoiceRow(QWidget):
    """A radio button with a label that wraps (QRadioButton's own text never wraps)."""

    def __init__(self, radio: QRadioButton, text: str) -> None:
        super().__init__()
        self.radio = radio
        radio.setAccessibleName(text)
        self.label = wrapping(text)
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
        text = wrapping(question.text, f"question_{question.id}")
        text.setStyleSheet("font-size: 13pt; font-weight: 600;")
        layout.addWidget(text)
        if question.help:
            layout.addWidget(wrapping(question.help, f"help_{question.id}",
                                       f"color: {HINT_COLOUR};"))
        layout.addSpacing(6)
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for answer in question.answers:
            radio = QRadioButton(objectName=f"answer_{question.id}_{answer.id}")
            self.group.addButton(radio)
            self.radios[answer.id] = radio
            layout.addWidget(ChoiceRow(radio, answer.label))
        self.group.buttonToggled.connect(lambda *_: self.completeChanged.emit())
        layout.addSpacing(6)
        comment_label = QLabel("Anything to add? (optional)")
        layout.addWidget(comment_label)
        self.comment = label_for(comment_label, QPlainTextEdit(objectName=f"comment_{question.id}"))
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
        return wizard.page_after(answer.next) if hasattr(wizard, "page_after") else -1


class IntroPage(QWizardPage):
    def __init__(self, chart: fc.Flowchart, pupil_name: str, notice: str) -> None:
        super().__init__()
        self.chart = chart
        self.setObjectName("page_intro")
        self.setTitle(chart.title)
        layout = QVBoxLayout(self)
        layout.addWidget(wrapping(f"Pupil: {pupil_name}", "intro_pupil",
                                   "font-size: 13pt; font-weight: 600;"))
        if notice:
            layout.addWidget(wrapping(notice, "resume_notice", "font-weight: 600;"))
        if chart.intro:
            layout.addWidget(wrapping(chart.intro, "flowchart_intro"))
        layout.addWidget(wrapping(
            "Each answer takes you to the next question. You can go back and change an answer at "
            "any time. Nothing is recorded until you choose 'Finish and record' on the last page.",
            style=f"color: {HINT_COLOUR};"))
        if chart.publisher:
            layout.addWidget(wrapping(f"Flowchart: {chart.publisher} (version {chart.version}).",
                                       style=f"color: {HINT_COLOUR};"))
        layout.addStretch(1)

    def nextId(self) -> int:  # noqa: N802 - Qt API
        wizard = self.wizard()
        return wizard.page_after(self.chart.start) if hasattr(wizard, "page_after") else -1


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
        scroll.setAccessibleName(page.title)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 6, 0)
        if page.intro:
            layout.addWidget(wrapping(page.intro, f"intro_{page.id}"))
            layout.addSpacing(4)
        self.boxes: dict[str, QPlainTextEdit] = {}
        for item in page.fields:
            label = QLabel(f"{item.label}{' *' if item.required else ''}", wordWrap=True)
            label.setStyleSheet("font-weight: 600;")
            layout.addWidget(label)
            if item.help:
                layout.addWidget(wrapping(item.help, style=f"color: {HINT_COLOUR};"))
            box = QPlainTextEdit(objectName=f"discussion_{item.id}")
            box.setTabChangesFocus(True)
            box.setFixedHeight(72)  # about four lines; longer text scrolls inside the box
            box.textChanged.connect(self.completeChanged)
            label_for(label, box)
            self.boxes[item.id] = box
            layout.addWidget(box)
        if any(item.required for item in page.fields):
            layout.addWidget(wrapping("* Needed before you can go on. You can save and close at "
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
        count = len(wizard.chart.discussion) if hasattr(wizard, "chart") else 0
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
        self.kind = wrapping("", "outcome_kind", f"color: {HINT_COLOUR}; font-weight: 600;")
        self.heading = wrapping("", "outcome_title", "font-size: 14pt; font-weight: 700;")
        self.reason = wrapping("", "outcome_reason")
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
        self.discussion_date = DateField("Date of the conversation with parents", optional=False,
                                         objectName="discussion_date")
        self.review_date = DateField("Next review by", optional=False, objectName="review_date")
        self.need_box = QWidget(objectName="need_box")
        need_layout = QVBoxLayout(self.need_box)
        need_layout.setContentsMargins(0, 0, 0, 0)
        need_layout.addWidget(self.need)
        need_layout.addWidget(self.area)
        self.form.addRow("Primary need for the census", self.need_box)
        self.form.addRow("Date of the conversation with parents", self.discussion_date)
        self.form.addRow("Next review by", self.review_date)
        name_form(self.form)
        layout.addLayout(self.form)
        # What the suggested review date is, or why the date typed cannot be used.
        self.review_hint = wrapping("", "review_hint", f"color: {HINT_COLOUR};")
        layout.addWidget(self.review_hint)
        self.review_date.textChanged.connect(lambda *_: self._check_review())
        self.calendar: SchoolCalendar | None = None
        self.suggestion = ""
        self.refusal = wrapping("", "outcome_refusal",
                                 f"color: {ERROR_COLOUR}; font-weight: 600;")
        self.message = wrapping("", "outcome_message", f"color: {ERROR_COLOUR};")
        layout.addWidget(self.refusal)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self._dates_set_for: str | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        wizard: Walker = self.wizard()  # type: ignore[assignment]
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
        self.discussion_date.setMaximumDate(today)
        self.review_date.setMinimumDate(today + dt.timedelta(days=1))
        self.review_date.setMaximumDate(today + dt.timedelta(days=concerns.MAX_REVIEW_DAYS))
        if self.calendar is None:
            self.calendar = wizard.runner.call(school_calendar.load)
        suggested = concerns.review_date_for(outcome, today, self.calendar)
        self.suggestion = self._suggestion_text(outcome, today, suggested)
        if self._dates_set_for != outcome.id:
            # A new outcome suggests its own review date; a date typed for this one is kept.
            self._dates_set_for = outcome.id
            saved = wizard.saved_extras
            talked = parse_iso(saved.get("discussion_date")) or today
            review = (parse_iso(saved.get("review_date")) if saved.get("outcome") == outcome.id
                      else None) or suggested
            self.discussion_date.setDate(talked)
            self.review_date.setDate(review)
        self._check_review()
        self.completeChanged.emit()

    def _suggestion_text(self, outcome: fc.Outcome, today: dt.date, suggested: dt.date) -> str:
        """The suggested review, and the day it was moved from when that was not a school day."""
        weeks = today + dt.timedelta(weeks=outcome.review_weeks)
        text = f"Suggested: {day_name(suggested)}, about {outcome.review_weeks} weeks on"
        if weeks != suggested and self.calendar is not None:
            why = ("falls at the weekend" if weeks.weekday() >= 5
                   else f"is {self.calendar.not_a_school_day(weeks)}")
            text += f": the next school day, as {day_name(weeks)} {why}"
        return text + ". A review is set on a day the school is open."

    def _check_review(self) -> None:
        """As the date is typed: the suggestion, or the sentence saying why the school is shut
        that day and which day it is open."""
        day = self.review_date.day()
        problem = not_a_school_day(self.calendar, day) if day and self.calendar else None
        self.review_hint.setText(problem or self.suggestion)
        self.review_hint.setStyleSheet(f"color: {ERROR_COLOUR if problem else HINT_COLOUR};")

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.walk is not None and self.walk.finished and self.allowed

    def need_code(self) -> str | None:
        return self.need.currentData() if self.is_sen else None

    def show_error(self, text: str) -> None:
        """A refusal below the form, unless the review hint above already says it in red (a
        review date typed on a day the school is shut): one sentence, not the same one twice."""
        self.message.setText("" if text == self.review_hint.text() else text)


def parse_iso(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None



def uk_time(stamp: str) -> str:
    """When a draft was saved: '23/11/2026 at 09:30' in local time."""
    try:
        moment = dt.datetime.fromisoformat(stamp).astimezone()
    except (TypeError, ValueError):
        return stamp
    return f"{dates.format_uk(moment.date())} at {moment:%H:%M}"
