"""The Calendar page: the SEND agenda for a range of dates, grouped by week or month, the
school's term dates, and the export of the agenda to staff calendars (.ics).

The agenda shows pupils' names (this is the app); the exported file carries initials and the
record's reference only, and only roles that may export documents can make it. Double-click
(or Enter) on a pupil's item opens their record. Term dates are edited a school year at a
time with the year's INSET days (not school days in any count); a year nobody has entered uses
England's default dates, and changing them moves every EHC plan's next review. Beside them, the
weeks within which a support plan's review must fall and the EHC request cut-off. Roles that may
not change them see the controls greyed, with the reason.

Hook it in: CalendarPage(session, runner=runner); connect open_pupil(int). It refreshes from
the runner's broadcast (when next shown, if hidden).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ..errors import SendeskError, ValidationError
from ..models import dates
from ..models.agenda import AgendaItem
from ..models.calendar import HALF_TERM_NAMES, REVIEW_WEEKS_RANGE, census_days
from ..models.roles import Permission
from ..operations import Kind
from ..records import agenda, calendar_export, school_calendar
from ..session import Session
from ..settings import data_dir
from .agenda_model import AgendaModel
from .date_field import DateDelegate, DateField
from .load_on_show import LoadOnShow
from .prompts import ending_in, prompts
from .runner import OpRunner, alive

DEFAULT_WEEKS = 13


def _date_edit(name: str, label: str, day: dt.date) -> DateField:
    edit = DateField(label, optional=False, objectName=name)
    edit.setDate(day)
    return edit


class CalendarPage(LoadOnShow, QWidget):
    open_pupil = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 load: bool = True, runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.setObjectName("calendar_page")
        today = session.clock.today()
        self.items: list[AgendaItem] = []
        self.shown_range = today, today
        self.start = _date_edit("from", "Agenda from", today - dt.timedelta(days=today.weekday()))
        self.end = _date_edit("to", "Agenda to", today + dt.timedelta(weeks=DEFAULT_WEEKS))
        self.group = QComboBox(objectName="group_by")
        self.group.setAccessibleName("Group the calendar by")
        self.group.addItem("Group by week", "week")
        self.group.addItem("Group by month", "month")
        self.group.currentIndexChanged.connect(lambda *_: self.show_items())
        show = QPushButton("&Show", objectName="show")
        show.clicked.connect(self.refresh)
        export = QPushButton("&Export to calendar (.ics)...", objectName="export_ics")
        export.clicked.connect(self.export_ics)
        if not session.can(Permission.EXPORT_DOCUMENTS):
            export.setEnabled(False)
            export.setToolTip("Your role does not allow documents to leave sendesk.")
        bar = QHBoxLayout()
        for widget in (QLabel("From"), self.start, QLabel("to"), self.end):
            bar.addWidget(widget)
        bar.addStretch(1)
        export_row = QHBoxLayout()   # a second row, so the agenda fits a laptop at 150%
        for widget in (self.group, show, export):
            export_row.addWidget(widget)
        export_row.addStretch(1)
        self.summary = QLabel(objectName="summary", wordWrap=True)
        self.model = AgendaModel(self)
        self.tree = QTreeView(objectName="agenda")
        self.tree.setAccessibleName("Calendar of dates due")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(0, 190)
        self.tree.setColumnWidth(1, 300)
        self.tree.setColumnWidth(2, 170)
        self.tree.header().setStretchLastSection(True)
        self.tree.activated.connect(self._activated)
        self.message = QLabel(objectName="message", wordWrap=True)
        self.message.setStyleSheet("color: #b3261e")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>SEND agenda</b>"))
        left_layout.addLayout(bar)
        left_layout.addLayout(export_row)
        left_layout.addWidget(self.summary)
        left_layout.addWidget(self.message)
        left_layout.addWidget(self.tree, 1)
        self.terms = TermDatesEditor(session, self, runner=self.runner)
        self.terms.saved.connect(self.refresh)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.terms)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1000, 380])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.follow(self.runner, (Kind.PATHWAY, Kind.EHC, Kind.SPECIALIST, Kind.CALENDAR,
                                  Kind.PUPIL, Kind.SEN, Kind.NOTIFICATION, Kind.TRANSFER))
        self.load_now_or_when_shown(load)

    def range(self) -> tuple[dt.date, dt.date]:
        """The agenda's first and last day; check `start.problem()` and `end.problem()` first."""
        first, last = self.start.day(), self.end.day()
        assert first is not None and last is not None
        return first, last

    def refresh(self) -> None:
        self.message.clear()
        problem = self.start.problem() or self.end.problem()
        if problem:
            self.message.setText(problem)
            return
        first, last = self.range()
        try:
            items = self.runner.call(agenda.agenda, first, last)
        except SendeskError as exc:
            if alive(self):
                self.message.setText(str(exc))
            return
        if not alive(self):
            return   # its window closed while the worker read
        self.items, self.shown_range = items, (first, last)
        self.show_items()

    def show_items(self) -> None:
        self.model.set_items(self.items, self.group.currentData())
        for row in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.tree.expandAll()
        first, last = self.shown_range
        count = len(self.items)
        past = sum(1 for item in self.items if item.overdue)
        self.summary.setText(
            f"{count} item" + ("" if count == 1 else "s") + f" from {dates.format_uk(first)} to "
            f"{dates.format_uk(last)}" + (f"; {past} already past (shaded)" if past else "")
            + ". Double-click a pupil's item to open their record.")

    def _activated(self, index: QModelIndex) -> None:
        item = self.model.item(index)
        if item is not None and item.pupil_id is not None:
            self.open_pupil.emit(item.pupil_id)

    def export_ics(self) -> None:
        problem = self.start.problem() or self.end.problem()
        if problem:
            prompts.error(self, "Export the SEND agenda", problem)
            return
        first, last = self.range()
        path = prompts.save_file(self, "Export the SEND agenda", str(data_dir() / "send-agenda.ics"),
                                 "iCalendar files (*.ics)")
        if path is None:
            return
        path = ending_in(path, ".ics")
        try:
            count = self.runner.call(calendar_export.export_ics, path, first, last)
        except SendeskError as exc:
            prompts.error(self, "Export the SEND agenda", str(exc))
            return
        prompts.info(self, "Export the SEND agenda",
                     f"Saved {count} event" + ("" if count == 1 else "s") + f" to {path.name}. "
                     "Pupils appear by their initials and record reference only; import the file "
                     "into Outlook, Google or Apple Calendar.")


NOT_ALLOWED = "Only the SENCO or an administrator can change the school's dates."


def _inset_text(days: frozenset[dt.date]) -> str:
    return ", ".join(dates.format_uk(day) for day in sorted(days))


class TermDatesEditor(QGroupBox):
    """One school year's six half-terms and INSET days, the support plan review limit, the EHC
    request cut-off and the census days."""

    saved = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__("Term dates", parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.setObjectName("term_dates")
        self.calendar = self.runner.call(school_calendar.load)
        this_year = self.calendar.school_year_of(session.clock.today())
        self.year = QComboBox(objectName="school_year")
        self.year.setAccessibleName("School year")
        for year in range(this_year - 1, this_year + 3):
            self.year.addItem(f"{year}/{str(year + 1)[-2:]}", year)
        self.year.setCurrentIndex(1)
        self.year.currentIndexChanged.connect(lambda *_: self.show_year())
        self.source = QLabel(objectName="source", wordWrap=True)
        self.table = QTableWidget(len(HALF_TERM_NAMES), 2, objectName="half_terms")
        self.table.setAccessibleName("Half-term dates")
        self.table.setHorizontalHeaderLabels(["First day", "Last day"])
        self.table.setVerticalHeaderLabels(list(HALF_TERM_NAMES))
        self.table.setItemDelegate(DateDelegate(self.table))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.cutoff_weeks = QSpinBox(objectName="cutoff_weeks")
        self.cutoff_weeks.setAccessibleName("Weeks before the end of term")
        self.cutoff_weeks.setRange(1, 39)
        self.cutoff_weeks.setSuffix(" weeks")
        self.cutoff = QLabel(objectName="cutoff", wordWrap=True)
        self.inset = QLineEdit(objectName="inset_days")
        self.inset.setAccessibleName("INSET days")
        self.inset.setPlaceholderText("dd/mm/yyyy, dd/mm/yyyy, ...")
        self.review_weeks = QSpinBox(objectName="review_weeks")
        self.review_weeks.setAccessibleName("Weeks after a support plan is agreed")
        self.review_weeks.setRange(*REVIEW_WEEKS_RANGE)
        self.review_weeks.setSuffix(" weeks")
        self.census = QLabel(objectName="census", wordWrap=True)
        self.message = QLabel(objectName="message", wordWrap=True)
        self.message.setStyleSheet("color: #b3261e")
        may_edit = session.can(Permission.SETTINGS) or session.can(Permission.MANAGE_PLANS)
        self.may_edit = may_edit
        save = QPushButton("Save term &dates", objectName="save_terms")
        save.clicked.connect(self.save)
        reset = QPushButton("&Use the default dates", objectName="reset_terms")
        reset.clicked.connect(self.reset)
        save_cutoff = QPushButton("Save &cut-off", objectName="save_cutoff")
        save_cutoff.clicked.connect(self.save_cutoff)
        save_cutoff.setAccessibleName("Save the EHC request cut-off")
        save_inset = QPushButton("Save &INSET days", objectName="save_inset")
        save_inset.clicked.connect(self.save_inset)
        save_review = QPushButton("Save wee&ks", objectName="save_review_weeks")
        save_review.setAccessibleName("Save the support plan review limit")
        save_review.clicked.connect(self.save_review_weeks)
        for widget in (save, reset, save_cutoff, save_inset, save_review, self.table,
                       self.cutoff_weeks, self.inset, self.review_weeks):
            widget.setEnabled(may_edit)
            widget.setToolTip("" if may_edit else NOT_ALLOWED)
        buttons = QHBoxLayout()
        buttons.addWidget(save)
        buttons.addWidget(reset)
        buttons.addStretch(1)
        cutoff_row = QHBoxLayout()
        cutoff_row.addWidget(QLabel("EHC request cut-off:"))
        cutoff_row.addWidget(self.cutoff_weeks)
        cutoff_row.addWidget(save_cutoff)
        cutoff_row.addStretch(1)
        layout = QVBoxLayout(self)
        year_row = QHBoxLayout()
        year_row.addWidget(QLabel("School year"))
        year_row.addWidget(self.year)
        year_row.addStretch(1)
        layout.addLayout(year_row)
        layout.addWidget(self.source)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        inset_label = QLabel("INSET days this school year (no pupils in; not school days):",
                             wordWrap=True)
        inset_label.setBuddy(self.inset)
        layout.addWidget(inset_label)
        inset_row = QHBoxLayout()
        inset_row.addWidget(self.inset, 1)
        inset_row.addWidget(save_inset)
        layout.addLayout(inset_row)
        layout.addSpacing(8)
        review_row = QHBoxLayout()
        review_row.addWidget(QLabel("Review a support plan within"))
        review_row.addWidget(self.review_weeks)
        review_row.addWidget(save_review)
        review_row.addStretch(1)
        layout.addLayout(review_row)
        layout.addWidget(QLabel("of agreeing it (about a term; the date moves back out of "
                                "holidays to a school day).", wordWrap=True))
        layout.addSpacing(8)
        layout.addLayout(cutoff_row)
        layout.addWidget(QLabel("before the last week of the summer term (the local authority's "
                                "preferred date; 16 unless it says otherwise).", wordWrap=True))
        layout.addWidget(self.cutoff)
        layout.addSpacing(8)
        layout.addWidget(self.census)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.show_year()

    def school_year(self) -> int:
        return int(self.year.currentData())

    def show_year(self) -> None:
        year = self.school_year()
        terms = self.calendar.term_dates(year)
        self.source.setText(
            "The school's own dates." if self.calendar.is_custom(year) else
            "England's default dates: change them to the school's own and save." if self.may_edit
            else "England's default dates. The SENCO or an administrator can enter the school's "
                 "own; ask them if these are not right.")
        for row, half in enumerate(terms.half_terms):
            self.table.setItem(row, 0, QTableWidgetItem(dates.format_uk(half.start)))
            self.table.setItem(row, 1, QTableWidgetItem(dates.format_uk(half.end)))
        self.cutoff_weeks.setValue(self.calendar.ehcna_cutoff_weeks)
        self.review_weeks.setValue(self.calendar.review_weeks)
        self.inset.setText(_inset_text(self.calendar.inset_days(year)))
        self.cutoff.setText(f"In {terms.label} requests should reach the LA by "
                            f"<b>{dates.format_uk(self.calendar.ehcna_cutoff(year))}</b>; the summer "
                            f"term ends {dates.format_uk(terms.last_day)}.")
        census = [day for day in census_days(year) + census_days(year + 1)
                  if terms.first_day <= day <= terms.last_day]
        self.census.setText("Census days: " + ", ".join(dates.format_uk(day) for day in census)
                            + " (January collects SEN status and primary need).")

    def spans(self) -> list[tuple[str, str]]:
        return [(self._cell(row, 0), self._cell(row, 1)) for row in range(self.table.rowCount())]

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def _after_change(self) -> None:
        self.calendar = self.runner.call(school_calendar.load)
        self.show_year()
        self.saved.emit()

    def save(self) -> bool:
        self.message.clear()
        try:
            self.runner.call(school_calendar.save_term_dates, self.school_year(), self.spans())
        except ValidationError as exc:
            self.message.setText(str(exc))
            return False
        except SendeskError as exc:
            prompts.error(self, "Term dates", str(exc))
            return False
        self._after_change()
        return True

    def reset(self) -> None:
        self.message.clear()
        try:
            self.runner.call(school_calendar.reset_term_dates, self.school_year())
        except SendeskError as exc:
            prompts.error(self, "Term dates", str(exc))
            return
        self._after_change()

    def save_inset(self) -> bool:
        self.message.clear()
        days = [part.strip() for part in self.inset.text().replace(";", ",").split(",")
                if part.strip()]
        try:
            self.runner.call(school_calendar.save_inset_days, self.school_year(), days)
        except SendeskError as exc:
            self.message.setText(str(exc))
            return False
        self._after_change()
        return True

    def save_review_weeks(self) -> None:
        self.message.clear()
        try:
            self.runner.call(school_calendar.set_review_weeks, self.review_weeks.value())
        except SendeskError as exc:
            self.message.setText(str(exc))
            return
        self._after_change()

    def save_cutoff(self) -> None:
        self.message.clear()
        try:
            self.runner.call(school_calendar.set_cutoff_weeks, self.cutoff_weeks.value())
        except SendeskError as exc:
            self.message.setText(str(exc))
            return
        self._after_change()
