"""The reviews-due list: every pupil on a SEND pathway, and every pupil on the SEN register with
no current plan, most urgent first.

Overdue reviews come first, then pupils with no plan at all (at SEN support on no pathway, or
at E with no EHC plan recorded), then those due within two weeks, then pathways waiting for an
agreed plan, then booked reviews. Fewer reviews in the last twelve months than SEN support
needs by now is marked, and so are review dates agreed before the termly rule that break it
and, when needs changed after the plan, the half-termly review suggested. Its counts are the
ones Home shows (records/apdr/due.py). Double-click (or Enter) opens the pupil's record.

Hook it in: ReviewsDueView(session); connect open_pupil(int); call refresh() after changes.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..models import dates
from ..models.reviews import ReviewState
from ..operations import Kind
from ..records import apdr
from ..records.apdr import DueReview
from ..records.apdr.due import overdue_ids, unseen_pupils
from ..session import Session
from .apdr_models import AMBER, RED
from .load_on_show import LoadOnShow
from .rows_model import Col, RowsModel
from .runner import OpRunner, alive


def _when(due: DueReview) -> str:
    if due.review_date is None:
        return ""
    if due.state is ReviewState.OVERDUE:
        days = "1 day" if due.days_overdue == 1 else f"{due.days_overdue} days"
        return f"{dates.format_uk(due.review_date)} ({days} overdue)"
    return dates.format_uk(due.review_date)


def _count(due: DueReview) -> str:
    if due.pathway_id is None:
        return ""
    text = str(due.reviews_last_year)
    return text + " - too few for SEN support" if due.too_few_reviews else text


def _asked(due: DueReview) -> list[str]:
    """A review a move asked for: its date and reason, and what it asks."""
    if due.request is None:
        return []
    return [f"{due.request.label}. {due.request.detail}"]


def _note(due: DueReview) -> str:
    if due.state is ReviewState.NO_PATHWAY:
        return " ".join(["At SEN support (K) with no plan: start the graduated approach.",
                         *_asked(due)])
    if due.state is ReviewState.NO_EHC_PLAN:
        return " ".join(["Recorded as E, but no EHC plan is recorded: record it, or correct "
                         "the status.", *_asked(due)])
    notes = _asked(due)
    if due.rule_problem:
        notes.append(due.rule_problem)
    if due.suggested_by is not None and due.needs_changed_on is not None:
        notes.append(f"Needs changed on {dates.format_uk(due.needs_changed_on)}: a half-termly "
                     f"review by {dates.format_uk(due.suggested_by)} is suggested.")
    return " ".join(notes)


MAP_HINT = ("Choose a pupil whose Year 7 review is due: it is held with a costed provision "
            "map, opened here.")

COLUMNS: list[Col[DueReview]] = [
    Col("Pupil", lambda d: d.pupil_name),
    Col("Year", lambda d: d.year_group),
    Col("Stage", lambda d: d.stage.label if d.stage else ""),
    Col("Cycle", lambda d: d.cycle_number or "", align_right=True),
    Col("Review", lambda d: d.state.label),
    Col("Review date", _when),
    Col("Reviews in the last 12 months", _count,
        tooltip=lambda d: "SEN support is reviewed at least three times in any twelve months, "
        "counted from its start." if d.too_few_reviews else None),
    Col("Note", _note),
]


def _colour(due: DueReview) -> QColor | None:
    if due.state is ReviewState.OVERDUE:
        return RED
    if due.state in (ReviewState.NO_PATHWAY, ReviewState.NO_EHC_PLAN):
        return RED
    if (due.state is ReviewState.DUE or due.too_few_reviews or due.rule_problem
            or due.suggested_by is not None):
        return AMBER
    return None


class ReviewsDueView(LoadOnShow, QWidget):
    open_pupil = Signal(int)
    open_provision_map = Signal(int)   # a Year 7 review's costed provision map, for the pupil

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 load: bool = True, runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.setObjectName("reviews_due")
        title = QLabel("<b>Reviews due</b>")
        self.summary = QLabel(objectName="summary", wordWrap=True)
        self.urgent_only = QCheckBox("Only overdue, due and without a plan",
                                     objectName="urgent_only")
        self.urgent_only.toggled.connect(self.refresh)
        refresh = QPushButton("R&efresh", objectName="refresh")
        refresh.clicked.connect(self.refresh)
        self.map_button = QPushButton("Costed provision &map...", objectName="year7_map")
        self.map_button.setEnabled(False)
        self.map_button.setToolTip(MAP_HINT)
        self.map_button.clicked.connect(self._open_map)
        self.model: RowsModel[DueReview] = RowsModel(COLUMNS, background=_colour, parent=self)
        self.table = QTableView(objectName="table")
        self.table.setAccessibleName("Reviews due")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Sized once per refresh from the first rows only: a county has thousands of open
        # pathways, and a header that resizes to its contents re-measures on every layout.
        self.table.horizontalHeader().setResizeContentsPrecision(50)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._chosen_changed())
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated.connect(lambda index: self._open(index.row()))
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addStretch(1)
        bar.addWidget(self.urgent_only)
        bar.addWidget(self.map_button)
        bar.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.follow(self.runner, (Kind.PATHWAY, Kind.PUPIL, Kind.SEN, Kind.CALENDAR))
        self.load_now_or_when_shown(load)

    def refresh(self) -> None:
        found = self.runner.call(apdr.reviews_due, include_upcoming=not self.urgent_only.isChecked())
        if not alive(self):
            return   # its window closed while the worker read
        self.model.set_rows(found)
        self.table.resizeColumnsToContents()
        counts = {state: sum(1 for d in found if d.state is state) for state in ReviewState}
        few = sum(1 for d in found if d.too_few_reviews)
        unseen = len(unseen_pupils(found))
        broken = sum(1 for d in found if d.rule_problem)
        asked = len({d.pupil_id for d in found if d.request is not None})
        parts = [f"{len(overdue_ids(found))} overdue",
                 f"{unseen} on the SEN register with no current plan",
                 f"{counts[ReviewState.DUE]} due in the next two weeks",
                 f"{counts[ReviewState.NO_PLAN]} waiting for an agreed plan"]
        if asked:
            parts.append(f"{asked} asked for by a move (year group, arrival, Year 7)")
        if few:
            parts.append(f"{few} with too few reviews in the last year")
        if broken:
            parts.append(f"{broken} with a review date that breaks the termly rule")
        self.summary.setText("; ".join(parts) + ".")

    def _chosen_changed(self) -> None:
        """The map button works for a chosen Year 7 review, and says so when it cannot."""
        rows = self.table.selectionModel().selectedRows()
        due = self.model.row_object(rows[0].row()) if rows else None
        year7 = due is not None and due.request is not None and due.request.reason == "year7"
        self.map_button.setEnabled(year7)
        self.map_button.setToolTip("" if year7 else MAP_HINT)

    def _open_map(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        due = self.model.row_object(rows[0].row()) if rows else None
        if due is not None:
            self.open_provision_map.emit(due.pupil_id)

    def _open(self, row: int) -> None:
        due = self.model.row_object(row)
        if due is not None:
            self.open_pupil.emit(due.pupil_id)
