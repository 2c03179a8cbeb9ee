"""The Review page: progress against each outcome, the views of everyone involved (the
specialists actively involved among them), the risk of exclusion, and the decision about what
happens next. Holding the review goes through the core, which starts the next cycle or closes
the pathway."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...errors import ValidationError
from ...models import dates
from ...models.apdr import Cycle, Decision, Part, Progress, Stage, allowed_decisions, decisions_for
from ...models.roles import Permission
from ...records import apdr
from ..accessible import label_for
from ..apdr_models import RED
from ..date_field import DateField
from ..dates import uk
from ..forms import FieldSpec, FormWidget
from ..prompts import prompts
from .page import Host, Page
from .view import CycleView
from .widgets import ERROR, compact, scrolling, set_read_only, watch

GIVEN_AS = [("", ""), ("At the meeting", "meeting"), ("Written report", "report"),
            ("Email", "email"), ("Telephone", "telephone")]
PROGRESS = [("", None)] + [(p.label, p.value) for p in Progress]


class ReviewPage(Page):
    part = Part.REVIEW

    def __init__(self, wizard: Host) -> None:
        super().__init__(wizard)
        self.form = FormWidget([
            FieldSpec("held_on", "Date of the review meeting", "date", aliases=("Date of the review",)),
            FieldSpec("attendees", "Who attended", "text", placeholder="One person a line, with their role"),
            FieldSpec("child_views", "Child's views", "text"),
            FieldSpec("parent_views", "Parents' views", "text"),
            FieldSpec("staff_views", "Staff views", "text"),
        ])
        for widget in self.form.widgets.values():
            watch(widget, self.touch)
        # The meeting is held on a school day: a Saturday typed is named as it is typed.
        self.held_hint = QLabel(objectName="held_hint", wordWrap=True)
        self.held_hint.setStyleSheet(ERROR)
        self.held_hint.hide()
        watch(self.form.widgets["held_on"], self._held_changed)
        self.progress_box = QGroupBox("Progress towards each outcome")
        self.progress_grid = QGridLayout(self.progress_box)
        self.progress_widgets: dict[int, tuple[QComboBox, QLineEdit]] = {}
        self.specialist_box = QGroupBox("Views of specialists actively involved")
        self.specialist_form = QFormLayout(self.specialist_box)
        self.specialist_widgets: dict[int, tuple[QPlainTextEdit, QComboBox]] = {}
        self.at_risk = QCheckBox("The pupil is at risk of exclusion", objectName="at_risk")
        self.at_risk.toggled.connect(lambda checked: self._risk_changed(checked))
        self.risk_note = QLabel(objectName="risk_note", wordWrap=True)
        self.risk_note.setStyleSheet(f"background: {RED.name()}; padding: 6px")
        self.decision_box = QGroupBox("Decision: the next step")
        box_layout = QVBoxLayout(self.decision_box)
        self.decision_layout = QVBoxLayout()
        self.decision_group = QButtonGroup(self)
        self.decision_buttons: dict[Decision, QRadioButton] = {}
        self.decision_group.buttonToggled.connect(lambda *_: self._decision_changed())
        self.explanation = QLabel(objectName="decision_explanation", wordWrap=True)
        self.explanation.setStyleSheet("color: #555")
        self.decision_notes = QPlainTextEdit(objectName="decision_notes")
        self.decision_notes.setAccessibleName("Notes on the decision")
        self.decision_notes.setPlaceholderText("What was agreed, by whom, and why")
        self.decision_notes.setMaximumHeight(70)
        self.decision_notes.setTabChangesFocus(True)
        self.decision_notes.textChanged.connect(self.touch)
        box_layout.addLayout(self.decision_layout)
        box_layout.addWidget(self.explanation)
        box_layout.addWidget(QLabel("Notes on the decision"))
        box_layout.addWidget(self.decision_notes)
        self.hold = QPushButton("&Hold the review", objectName="hold_review")
        self.hold.clicked.connect(lambda: self.hold_review())
        # After the meeting: the day the review's record went to the parents (a held review is
        # fixed, so this is saved on its own).
        self.shared_on = DateField("Shared with parents on", objectName="review_shared_on")
        self.record_shared = QPushButton("Record &shared", objectName="record_review_shared")
        self.record_shared.clicked.connect(lambda: self.save_shared())
        self.shared_row = QWidget(objectName="review_shared_row")
        shared_layout = QHBoxLayout(self.shared_row)
        shared_layout.setContentsMargins(0, 0, 0, 0)
        shared_label = QLabel("Record of the review &shared with parents on")
        label_for(shared_label, self.shared_on)
        for widget in (shared_label, self.shared_on, self.record_shared):
            shared_layout.addWidget(widget)
        shared_layout.addStretch(1)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(QLabel("<h3>Review</h3>Progress against each outcome, everyone's views "
                                "and the decision about what happens next."))
        layout.addWidget(self.form)
        layout.addWidget(self.held_hint)
        layout.addWidget(self.progress_box)
        layout.addWidget(self.specialist_box)
        layout.addWidget(self.at_risk)
        layout.addWidget(self.risk_note)
        layout.addWidget(self.decision_box)
        layout.addWidget(self.shared_row)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.hold)
        layout.addLayout(bottom)
        compact(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(content, "Review page"))

    def editable(self) -> bool:
        cycle = self.wizard.cycle
        return (self.session.can(Permission.MANAGE_PLANS) and self.wizard.is_current
                and cycle.plan is not None and cycle.plan.agreed and not cycle.reviewed)

    def load(self, view: CycleView) -> None:
        self._loading = True
        cycle = view.cycle
        review = cycle.review
        self.form.clear_errors()
        self.form.set_values({
            "held_on": review.held_on if review and review.held_on else
            (cycle.plan.review_date if cycle.plan and cycle.plan.review_date
             and cycle.plan.review_date <= self.session.clock.today()
             else self.school_day_before_or_on(self.session.clock.today())),
            "attendees": review.attendees if review else "",
            "child_views": review.child_views if review else "",
            "parent_views": review.parent_views if review else "",
            "staff_views": review.staff_views if review else ""})
        self._fill_progress(cycle)
        self._fill_specialists(view)
        self.at_risk.setChecked(bool(review and review.at_risk_of_exclusion))
        self._fill_decisions(cycle.stage, review.decision if review else None)
        self.decision_notes.setPlainText(review.decision_notes if review else "")
        editable = self.editable()
        set_read_only(self, not editable)
        self.hold.setVisible(editable)
        held = bool(review and review.completed)
        self.shared_row.setVisible(held)
        self.shared_on.setDate(review.shared_on if review and review.shared_on else
                               self.session.clock.today())
        may_share = held and self.session.can(Permission.MANAGE_PLANS)
        self.shared_on.setReadOnly(not may_share)
        self.record_shared.setEnabled(may_share)
        if cycle.plan is None or not cycle.plan.agreed:
            self.say("The review follows an agreed plan.")
        elif cycle.reviewed:
            self.say(f"Held on {uk(review.held_on)}: {review.decision.label.lower()}."
                     + (f" Shared with parents on {uk(review.shared_on)}."
                        if review.shared_on else ""))
        else:
            self.say("")
        self._risk_changed(self.at_risk.isChecked(), touch=False)
        self._held_changed()
        self._loading = False
        self.dirty = False

    def _held_changed(self) -> None:
        try:
            held = dates.parse_date(self.form.values()["held_on"], "held_on", required=False)
        except ValidationError:
            held = None
        shut = self.shut_on(held) if self.editable() else None
        self.held_hint.setText(shut or "")
        self.held_hint.setVisible(bool(shut))

    def _clear(self, layout: QLayout) -> None:
        while layout.count():
            item = layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    def _fill_progress(self, cycle: Cycle) -> None:
        self._clear(self.progress_grid)
        self.progress_widgets = {}
        plan = cycle.plan
        review = cycle.review
        for row, outcome in enumerate(plan.outcomes if plan else ()):
            label = QLabel(f"<b>{row + 1}.</b> {escape(outcome.text)}<br><span style='color:#555'>"
                           f"{escape(outcome.measure)}</span>", wordWrap=True)
            combo = QComboBox(objectName=f"progress_{row + 1}")
            combo.setAccessibleName(f"Progress towards outcome {row + 1}")
            for text, value in PROGRESS:
                combo.addItem(text, value)
            comment = QLineEdit(objectName=f"comment_{row + 1}", placeholderText="Evidence of progress")
            comment.setAccessibleName(f"Evidence of progress towards outcome {row + 1}")
            level, words = (review.progress.get(outcome.id, (None, "")) if review else (None, ""))
            combo.setCurrentIndex(max(0, combo.findData(level.value if level else None)))
            comment.setText(words)
            watch(combo, self.touch)
            watch(comment, self.touch)
            self.progress_grid.addWidget(label, row, 0)
            self.progress_grid.addWidget(combo, row, 1)
            self.progress_grid.addWidget(comment, row, 2)
            self.progress_widgets[outcome.id] = (combo, comment)
        self.progress_grid.setColumnStretch(0, 3)
        self.progress_grid.setColumnStretch(2, 2)

    def _fill_specialists(self, shown: CycleView) -> None:
        self._clear(self.specialist_form)
        self.specialist_widgets = {}
        review = shown.cycle.review
        saved = {v.involvement_id: v for v in (review.specialist_views if review else ())}
        for involvement in shown.reviewers:
            view = QPlainTextEdit(objectName=f"specialist_view_{involvement.id}")
            view.setMaximumHeight(60)
            view.setTabChangesFocus(True)
            given = QComboBox(objectName=f"specialist_given_{involvement.id}")
            for text, value in GIVEN_AS:
                given.addItem(text, value)
            if involvement.id in saved:
                view.setPlainText(saved[involvement.id].view)
                given.setCurrentIndex(max(0, given.findData(saved[involvement.id].given_as)))
            view.setAccessibleName(f"View of {involvement.service}")
            given.setAccessibleName(f"How {involvement.service} gave its view")
            watch(view, self.touch)
            watch(given, self.touch)
            box = QHBoxLayout()
            box.addWidget(view, 1)
            box.addWidget(given)
            self.specialist_form.addRow(involvement.service, box)
            self.specialist_widgets[involvement.id] = (view, given)
        self.specialist_box.setVisible(bool(shown.reviewers))

    def _fill_decisions(self, stage: Stage, chosen: Decision | None) -> None:
        for button in self.decision_buttons.values():
            self.decision_group.removeButton(button)
        self._clear(self.decision_layout)
        self.decision_buttons = {}
        for decision in decisions_for(stage):
            button = QRadioButton(decision.label, objectName=f"decision_{decision.value}")
            self.decision_group.addButton(button)
            self.decision_layout.addWidget(button)
            self.decision_buttons[decision] = button
            if decision is chosen:
                button.setChecked(True)
        self._decision_changed()

    def chosen(self) -> Decision | None:
        for decision, button in self.decision_buttons.items():
            if button.isChecked():
                return decision
        return None

    def _decision_changed(self) -> None:
        self.touch()
        decision = self.chosen()
        self.explanation.setText(decision.explanation if decision else "")

    def _risk_changed(self, at_risk: bool, touch: bool = True) -> None:
        if touch:
            self.touch()
        allowed = allowed_decisions(self.wizard.cycle.stage, at_risk)
        for decision, button in self.decision_buttons.items():
            button.setEnabled(self.editable() and decision in allowed)
            button.setToolTip("" if decision in allowed else
                              "Not while the pupil is at risk of exclusion: the provision must change.")
            if decision not in allowed and button.isChecked():
                self.decision_group.setExclusive(False)
                button.setChecked(False)
                self.decision_group.setExclusive(True)
        self.risk_note.setVisible(at_risk)
        advice = ("Engage specialist services to join the cycle (the specialist stage) and look at "
                  "the exclusion prevention guidance." if self.wizard.cycle.stage is Stage.TARGETED
                  else "Review the provision with the specialists involved; consider alternative "
                       "provision and the exclusion prevention guidance.")
        self.risk_note.setText("A pupil at SEN support who is at risk of exclusion is a sign their "
                               "needs are not being met: the next plan must change the provision. "
                               + advice)

    def raw(self) -> dict[str, Any]:
        decision = self.chosen()
        return {**self.form.values(),
                "at_risk_of_exclusion": self.at_risk.isChecked(),
                "decision": decision.value if decision else None,
                "decision_notes": self.decision_notes.toPlainText(),
                "progress": {outcome_id: {"progress": combo.currentData(), "comment": comment.text()}
                             for outcome_id, (combo, comment) in self.progress_widgets.items()},
                "specialist_views": {involvement_id: {"view": view.toPlainText(),
                                                      "given_as": given.currentData()}
                                     for involvement_id, (view, given) in self.specialist_widgets.items()}}

    def save_draft(self) -> bool:
        if not self.editable() or not self.dirty:
            return True
        self.form.clear_errors()
        if self.write(apdr.save_review, self.wizard.cycle_id, self.raw()) is None:
            return False
        self.dirty = False
        self.say("Draft saved.")
        return True

    def hold_review(self) -> None:
        if not self.save_draft():
            return
        decision = self.chosen()
        if decision is None:
            self.say("Choose the decision the review reached.", error=True)
            return
        if not prompts.confirm(self, "Hold the review", f"Record the review and its decision: "
                               f"{decision.label.lower()}?\n\n{decision.explanation}\n\nThe review "
                               "cannot be changed afterwards."):
            return
        result = self.write(apdr.complete_review, self.wizard.cycle_id, sender=self.hold)
        if result is None:
            return
        if result.next_cycle_id is not None:
            prompts.info(self, "Review held", f"Cycle {self.wizard.cycle.number + 1} has started at "
                         f"the {result.stage.label.lower()}. Its Assess part is next.")
            self.wizard.switch_cycle(result.next_cycle_id)
        else:
            extra = (" The pupil is now off the SEN register (the parents must be notified) and "
                     "on the monitoring register." if result.register_changed else "")
            prompts.info(self, "Review held", f"The SEND pathway is closed: "
                         f"{decision.label.lower()}.{extra}")
            self.wizard.go_to(Part.REVIEW)

    def save_shared(self) -> None:
        problem = self.shared_on.problem()
        if problem:
            self.say(problem, error=True)
            return
        self.write(apdr.record_review_shared, self.wizard.cycle_id, self.shared_on.day(),
                   sender=self.record_shared)

    def mark(self, field: str | None) -> None:
        self.form.mark_error(field)
