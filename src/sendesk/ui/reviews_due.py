"""The reviews-due list: every pupil on a SEND pathway, most urgent first.

Overdue reviews come first, then those due within two weeks, then pathways waiting for an
agreed plan, then booked reviews. A pathway open a year or more with fewer than three reviews
in the last twelve months is marked. Double-click (or Enter) opens the pupil's record.

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
    text = str(due.reviews_last_year)
    return text + " - fewer than 3 a year" if due.too_few_reviews else text


COLUMNS: list[Col[DueReview]] = [
    Col("Pupil", lambda d: d.pupil_name),
    Col("Year", lambda d: d.year_group),
    Col("Stage", lambda d: d.stage.label),
    Col("Cycle", lambda d: d.cycle_number, align_right=True),
    Col("Review", lambda d: d.state.label),
    Col("Review date", _when),
    Col("Reviews in the last 12 months", _count,
        tooltip=lambda d: "SEN support is reviewed at least three times a year."
        if d.too_few_reviews else None),
]


def _colour(due: DueReview) -> QColor | None:
    if due.state is ReviewState.OVERDUE:
        return RED
    if due.state is ReviewState.DUE or due.too_few_reviews:
        return AMBER
    return None


class ReviewsDueView(LoadOnShow, QWidget):
    open_pupil = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 load: bool = True, runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.setObjectName("reviews_due")
        title = QLabel("<b>Reviews due</b>")
        self.summary = QLabel(objectName="summary")
        self.urgent_only = QCheckBox("Only overdue, due and waiting for a plan",
                                     objectName="urgent_only")
        self.urgent_only.toggled.connect(self.refresh)
        refresh = QPushButton("Refresh", objectName="refresh")
        refresh.clicked.connect(self.refresh)
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
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated.connect(lambda index: self._open(index.row()))
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addStretch(1)
        bar.addWidget(self.urgent_only)
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
        parts = [f"{counts[ReviewState.OVERDUE]} overdue", f"{counts[ReviewState.DUE]} due in the "
                 "next two weeks", f"{counts[ReviewState.NO_PLAN]} waiting for an agreed plan"]
        if few:
            parts.append(f"{few} with fewer than three reviews in the last year")
        self.summary.setText("; ".join(parts) + ".")

    def _open(self, row: int) -> None:
        due = self.model.row_object(row)
        if due is not None:
            self.open_pupil.emit(due.pupil_id)
