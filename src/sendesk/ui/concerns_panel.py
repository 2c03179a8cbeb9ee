"""The initial concerns panel on the pupil's notes tab: the finished runs of the flowchart to
read, and starting or resuming the wizard.

Hook it into the pupil record (the notes tab):

    panel = ConcernsPanel(session, pupil_id, parent, runner=runner)
    notes_layout.addWidget(panel)

It reads through the runner when first shown, and again whenever ``runner.changed`` says
something of its pupil changed (here or in another window): at once if it is on screen, else
when it is next shown. What the wizard writes reaches the record window the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..errors import SendeskError
from ..models import dates
from ..models.roles import Permission
from ..operations import Kind
from ..records import concerns
from ..session import Session
from .concerns_pages import HINT_COLOUR, uk_time, wrapping
from .concerns_wizard import ConcernsWizard
from .load_on_show import LoadOnShow
from .prompts import prompts
from .record_changes import one_at_a_time
from .runner import OpRunner, alive


@dataclass(frozen=True)
class _Shown:
    runs: list[concerns.ConcernRun]
    draft: Any            # the pupil's saved part-way run, if any
    blocked: str | None   # why the flowchart does not apply to the pupil now


def _read(session: Session, pupil_id: int) -> _Shown:
    return _Shown(concerns.list_runs(session, pupil_id),
                  concerns.draft_for_pupil(session, pupil_id),
                  concerns.not_available_because(session, pupil_id))


class ConcernRunView(QTextBrowser):
    """A finished run as a readable record."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("concern_run_view")
        self.setAccessibleName("Flowchart record")
        self.setOpenLinks(False)

    def show_run(self, run: concerns.ConcernRun | None) -> None:
        if run is None:
            self.setHtml("<p style='color:#555'>Choose a record on the left to read it.</p>")
        else:
            self.setHtml(concerns.run_html(run))


# What the panel shows: the runs and drafts (notes), and whether the flowchart applies (SEN).
SHOWN_KINDS = (Kind.NOTE, Kind.SEN, Kind.REGISTER, Kind.PUPIL)


class ConcernsPanel(LoadOnShow, QWidget):
    """For the pupil's notes tab: finished runs to read, and starting or resuming the wizard."""

    def __init__(self, session: Session, pupil_id: int, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id = session, int(pupil_id)
        self.runner = runner if runner is not None else OpRunner(session, self)
        self.setObjectName("concerns_panel")
        self.wizard: ConcernsWizard | None = None
        self.runs = QListWidget(objectName="concern_runs")
        self.runs.setAccessibleName("Concerns flowcharts")
        self.view = ConcernRunView()
        self.runs.currentItemChanged.connect(self._show_selected)
        self.draft_note = wrapping("", "draft_note", f"color: {HINT_COLOUR};")
        self.start_button = QPushButton("Start the &initial concerns flowchart...",
                                        objectName="start_concerns")
        self.resume_button = QPushButton("Carry on with the saved &flowchart...",
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
        self.draft_id: int | None = None
        self.follow(self.runner, SHOWN_KINDS, pupil_id=self.pupil_id)
        self.load_now_or_when_shown(False)

    @one_at_a_time
    def refresh(self) -> None:
        self.loaded = True
        shown = self.runner.call(_read, self.pupil_id)
        if not alive(self):
            return   # the record window closed while the read ran
        runs, draft, blocked = shown.runs, shown.draft, shown.blocked
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
        self.draft_id = draft.id if draft else None
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
                f"{draft.updated_by or 'a former user'} on {uk_time(draft.updated_at)}.")
        else:
            self.draft_note.clear()

    def _show_selected(self, item: QListWidgetItem | None, *_: Any) -> None:
        run = self._runs.get(item.data(Qt.ItemDataRole.UserRole)) if item else None
        self.view.show_run(run)

    def open_wizard(self, resume: bool = False) -> ConcernsWizard | None:
        try:
            wizard = ConcernsWizard(self.session, self.pupil_id, self,
                                    run_id=self.draft_id if resume else None, runner=self.runner)
        except SendeskError as exc:
            prompts.error(self, "sendesk", str(exc))
            return None
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.wizard = wizard
        wizard.open()
        return wizard
