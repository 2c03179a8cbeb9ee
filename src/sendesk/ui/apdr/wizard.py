"""The Assess-Plan-Do-Review wizard for one cycle of a pupil's SEND pathway.

One page per part. Each page saves as a draft (on Save draft, when another page is chosen,
every half-minute while there are unsaved changes, and on closing), so the wizard can be closed
and picked up again where it was left. The plan page checks outcomes for SMART-ness and works
out the yearly cost as the SENCO types, warning as it nears and passes the £6,000 notional
threshold. Finishing a part (finish the assessment, agree the plan, hold the review) goes
through the core, which refuses what the rules do not allow; its message is shown on the page.

All of its database work goes through the window's OpRunner, and it refreshes from
``runner.changed`` alone: whatever changes this pupil's pathway, specialists, SEN record or the
school calendar (here or in another window) is read again, in one trip to the worker, and shown
on every page that has nothing unsaved.

Hook it in:  ApdrWizard(session, cycle_id, part=None, parent=None, runner=runner).open()
    part: "assess", "plan", "do" or "review" (default: where the cycle has got to).
    runner: the window's OpRunner (one of its own when none is given).
Staff who may add notes can use the Do page to log sessions; the other pages are read-only
for them.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...models.apdr import Cycle, Part
from ...models.pupils import Pupil
from ...operations import Changes, Kind
from ...session import Session
from ..dates import uk
from ..resources_qt import app_icon
from ..runner import OpRunner, alive
from ..screen_fit import fit_to_screen
from .assess_page import AssessPage
from .do_page import DoPage
from .page import Page
from .plan_page import PlanPage
from .review_page import ReviewPage
from .view import CycleView, read_cycle

AUTOSAVE_MS = 30_000
# What the wizard shows depends on these kinds of record of its pupil.
WATCHED = (Kind.PATHWAY, Kind.SPECIALIST, Kind.SEN, Kind.PUPIL, Kind.CALENDAR)


class ApdrWizard(QDialog):
    STEPS = (Part.ASSESS, Part.PLAN, Part.DO, Part.REVIEW)

    def __init__(self, session: Session, cycle_id: int, part: Part | str | None = None,
                 parent: QWidget | None = None, *, runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("apdr_wizard")
        self.setWindowIcon(app_icon())
        fit_to_screen(self, 980, 760)
        self.cycle_id = cycle_id
        self.runner = runner if runner is not None else OpRunner(session, self)
        self.view: CycleView = self.runner.call(read_cycle, cycle_id)
        self.header = QLabel(objectName="header", wordWrap=True)
        self.steps = QListWidget(objectName="steps")
        self.steps.setAccessibleName("Parts of the cycle")
        self.steps.setFixedWidth(170)
        self.steps.setStyleSheet("QListWidget { font-size: 11pt; } QListWidget::item { padding: 8px; }")
        self.pages = QStackedWidget()
        self.assess = AssessPage(self)
        self.plan = PlanPage(self)
        self.do = DoPage(self)
        self.review = ReviewPage(self)
        self.page_list: list[Page] = [self.assess, self.plan, self.do, self.review]
        for page in self.page_list:
            self.pages.addWidget(page)
            self.steps.addItem(page.part.label)
        self.save_button = QPushButton("Save &draft", objectName="save_draft")
        self.save_button.clicked.connect(lambda: self.save_draft())
        close = QPushButton("&Close", objectName="close")
        close.clicked.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(self.steps)
        body.addWidget(self.pages, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        self._switching = False
        self.steps.currentRowChanged.connect(self._step_changed)
        self.autosave = QTimer(self)
        self.autosave.setInterval(AUTOSAVE_MS)
        self.autosave.timeout.connect(self.autosave_now)
        self.autosave.start()
        self.runner.changed.connect(self._heard)
        self._listening = True
        self._show(force=True)
        self.go_to(Part(part) if part else self.cycle.next_part or Part.REVIEW)

    # --- what is shown ----------------------------------------------------------------------
    @property
    def cycle(self) -> Cycle:
        return self.view.cycle

    @property
    def pupil(self) -> Pupil:
        return self.view.pupil

    @property
    def is_current(self) -> bool:
        return self.view.is_current

    def _heard(self, changes: Changes) -> None:
        """The runner says something changed: read the cycle again if it was this pupil's."""
        if alive(self) and changes.touches_pupil(self.pupil.id) and changes.touches(*WATCHED):
            self.refresh()

    def refresh(self) -> None:
        """Read the cycle again; show it on every page that has nothing unsaved."""
        view = self.runner.call(read_cycle, self.cycle_id)
        if not alive(self):
            return   # closed (with its record window) while the worker read
        self.view = view
        self._show(force=False)

    def reload(self, part: Part | None = None) -> None:
        """Read the cycle again and show it afresh on every page, at a part (default: where the
        cycle has got to). Unsaved changes are dropped."""
        self.view = self.runner.call(read_cycle, self.cycle_id)
        self._show(force=True)
        self.go_to(part or self.cycle.next_part or Part.REVIEW)

    def switch_cycle(self, cycle_id: int) -> None:
        """Show another cycle (after a review, the next one): nothing of the last one stays."""
        self.cycle_id = cycle_id
        self.reload()

    def _show(self, force: bool) -> None:
        cycle, pupil = self.cycle, self.pupil
        self.setWindowTitle(f"{pupil.display_name}: cycle {cycle.number} - sendesk")
        plan = cycle.plan
        review_text = f" &middot; review on {uk(plan.review_date)}" if plan and plan.agreed else ""
        self.header.setText(f"<h2 style='margin:0'>{escape(pupil.forename)} "
                            f"{escape(pupil.surname)}</h2>Year {pupil.details.year_group}"
                            f" &middot; {cycle.stage.label} &middot; cycle {cycle.number}, started "
                            f"{uk(cycle.started_on)}{review_text}")
        done = {Part.ASSESS: bool(cycle.assessment and cycle.assessment.completed),
                Part.PLAN: bool(plan and plan.agreed), Part.DO: cycle.reviewed,
                Part.REVIEW: cycle.reviewed}
        for row, step in enumerate(self.STEPS):
            self.steps.item(row).setText(("\u2713 " if done[step] else "") + step.label)
        for page in self.page_list:
            if force or not page.dirty:
                page.load(self.view)
        self.save_button.setVisible(any(page.editable() for page in self.page_list))

    # --- moving between parts -----------------------------------------------------------------
    def go_to(self, part: Part) -> None:
        """Show a part (after finishing the one before it), without saving anything."""
        index = self.STEPS.index(Part(part))
        self._switching = True
        self.steps.setCurrentRow(index)
        self.pages.setCurrentIndex(index)
        self._switching = False

    def current_page(self) -> Page:
        return self.page_list[self.pages.currentIndex()]

    def show_part(self, part: Part | str) -> Page:
        self.steps.setCurrentRow(self.STEPS.index(Part(part)))
        return self.current_page()

    def _step_changed(self, row: int) -> None:
        if self._switching or row < 0:
            return
        if self.runner.busy() or not self.current_page().save_draft():
            self._switching = True
            self.steps.setCurrentRow(self.pages.currentIndex())
            self._switching = False
            return
        self.pages.setCurrentIndex(row)

    # --- saving -------------------------------------------------------------------------------
    def save_draft(self) -> bool:
        return all(page.save_draft() for page in self.page_list)

    def autosave_now(self) -> None:
        # Not while other work is on the worker (its local event loop lets the timer fire).
        if not self.runner.busy() and any(page.dirty for page in self.page_list):
            self.save_draft()

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        """Closing keeps the draft: anything unsaved is saved first (or the refusal shown and
        the wizard left open)."""
        if self.runner.busy() or not self.save_draft():
            return
        self.autosave.stop()
        if self._listening:
            self._listening = False
            self.runner.changed.disconnect(self._heard)
        super().done(result)
