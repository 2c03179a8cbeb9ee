"""The pupil list: instant search as you type, filters a SENCO uses, sortable columns.

Filtering and sorting happen in SQL (records.pupil_list.search_ids returns ids only); the
table model fetches the visible rows' cells lazily, so 60,000 pupils stay responsive.

Everything is read through the window's runner, off the GUI thread: the search (with the first
screen's cells, so the list never flashes blank) while the window keeps answering, and the
blocks of cells met while scrolling asynchronously, shown blank until they arrive. A search
reads its first screen first (a one-letter search matches half the school, and all of its ids
take a pass over the whole list, on the school server tens of milliseconds); when there are
more, the whole list follows in the background and is added below the rows shown, so the count
and the scroll bar complete without moving the selection. The page follows the runner's
broadcast and re-searches when a change touches what it lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..errors import SendeskError
from ..models import dates
from ..models.pupils import YEAR_GROUPS
from ..models.registers import RegisterKind
from ..models.sen import need_codes, statuses
from ..operations import Changes, Kind
from ..records import pupil_list
from ..records.pupil_list import PupilFilter, PupilRow
from ..session import Session
from .lazy_table import BLOCK, Column, LazyTableModel
from .load_on_show import read_safely
from .runner import OpRunner, alive

REVIEW_COLUMN = Column("review", "Next review", 110)
COLUMNS = [Column("name", "Name", 220), Column("upn", "UPN", 130), Column("year", "Year", 60),
           Column("class", "Class", 80), Column("status", "SEN status", 250),
           Column("need", "Primary need", 110), REVIEW_COLUMN, Column("flags", "Flags", 260)]
SORT_KEYS = {"name": "name", "year": "year", "class": "class", "status": "status", "need": "need",
             "review": "review"}
STATUS_CHOICES = [("All pupils", None), ("On the SEN register (E or K)", pupil_list.ON_REGISTER),
                  ("E - EHC plan", "E"), ("K - SEN support", "K"), ("N - recently removed", "N"),
                  ("Not on the register", pupil_list.NOT_ON_REGISTER)]


def row_cells(row: PupilRow) -> dict[str, Any]:
    status_names = statuses()
    review = dates.format_uk(row.next_review) if row.next_review else ""
    if row.review_overdue:
        review += " (overdue)"
    return {"name": row.name + (" (left)" if row.archived else ""), "upn": row.upn,
            "year": row.year_group, "class": row.class_name or "",
            "status": f"{row.sen_status} - {status_names.get(row.sen_status, '')}" if row.sen_status else "",
            "need": row.primary_need or "", "review": review,
            "flags": ", ".join(sorted(flag.label for flag in row.flags))}


class PupilListPage(QWidget):
    open_pupil = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self._searching = False
        self._search_again = False
        self._generation = 0   # bumped by each search: the rest of an older one is dropped
        self.search = QLineEdit(objectName="search", placeholderText="Search by name or UPN")
        self.search.setAccessibleName("Search by name or UPN")
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)   # Down moves into the results
        self.status = QComboBox(objectName="status_filter")
        self.status.setAccessibleName("SEN status")
        for label, value in STATUS_CHOICES:
            self.status.addItem(label, value)
        self.need = QComboBox(objectName="need_filter")
        self.need.setAccessibleName("Need")
        self.need.addItem("Any primary need", None)
        for code, need in need_codes().items():
            self.need.addItem(f"{code} - {need.label}", code)
        self.year = QComboBox(objectName="year_filter")
        self.year.setAccessibleName("Year group")
        self.year.addItem("All years", None)
        for year in YEAR_GROUPS:
            self.year.addItem(f"Year {year}" if year.isdigit() else year, year)
        self.register = QComboBox(objectName="register_filter")
        self.register.setAccessibleName("Register")
        self.register.addItem("Any register", None)
        for kind in RegisterKind:
            self.register.addItem(kind.label, kind.value)
        # Every kind of review, as the Next review column shows: more pupils than Home's
        # "Support plan reviews overdue", which counts the Reviews due page's only.
        self.overdue = QCheckBox("Any review overdue", objectName="overdue_filter")
        self.overdue.setToolTip("Pupils with any review past its date: a support plan review, an "
                                "EHC annual review or a register review (monitoring, medical, "
                                "looked after). Home and Reviews due count support plan reviews "
                                "only.")
        self.notification = QCheckBox("Parent notification due", objectName="notification_filter")
        self.no_plan = QCheckBox("No current plan", objectName="no_plan_filter")
        self.no_plan.setToolTip("On the SEN register with no current plan: at SEN support (K) "
                                "without an agreed plan, or at E without an EHC plan recorded.")
        self.leavers = QCheckBox("Include leavers", objectName="leavers_filter")
        self.count = QLabel(objectName="count")
        # As wide as its longest text, so that the search box does not change width while the
        # count goes from "More than 200 pupils, counting" to the number.
        self.count.setMinimumWidth(self.count.fontMetrics().horizontalAdvance(
            f"More than {BLOCK:,} pupils, counting") + 4)
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.model = LazyTableModel(COLUMNS, self._fetch, self._tooltip, self,
                                    fetch_async=self._fetch_async)
        self.table = QTableView(objectName="pupil_table")
        self.table.setAccessibleName("Pupils")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        for position, column in enumerate(COLUMNS):
            header.resizeSection(position, column.width)
        # Wide enough for the longest it holds ("16/11/2026 (overdue)"): the cells are fetched
        # lazily, so they cannot be measured.
        header.resizeSection(COLUMNS.index(REVIEW_COLUMN), max(
            self.table.fontMetrics().horizontalAdvance("00/00/0000 (overdue)"),
            header.fontMetrics().horizontalAdvance(REVIEW_COLUMN.title)) + 24)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(lambda *_: self.refresh())
        self.table.activated.connect(lambda index: self.open_pupil.emit(self.model.id_at(index.row())))

        # Two short rows, and drop-downs that show a long need in their list rather than
        # widening the page, so the page fits a laptop screen at 150% scaling.
        filters = QHBoxLayout()
        for widget in (self.status, self.need, self.year, self.register):
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            widget.setMinimumContentsLength(14)
            filters.addWidget(widget)
        filters.addStretch(1)
        ticks = QHBoxLayout()
        for widget in (self.overdue, self.notification, self.no_plan, self.leavers):
            ticks.addWidget(widget)
        ticks.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addLayout(ticks)
        layout.addWidget(self.table)

        self.search.textChanged.connect(self.refresh)
        for combo in (self.status, self.need, self.year, self.register):
            combo.currentIndexChanged.connect(self.refresh)
        for box in (self.overdue, self.notification, self.no_plan, self.leavers):
            box.toggled.connect(self.refresh)
        self.runner.changed.connect(self.changes_arrived)
        self.refresh()

    def focus_search(self) -> None:
        """Ready to type a new search (Ctrl+F): focused, with the old text selected."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Down in the search box goes to the results, on the first row if none was chosen,
        so a search is typed, walked with the arrows and opened with Enter."""
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down and self.model.rowCount() > 0):  # type: ignore[attr-defined]
            if not self.table.currentIndex().isValid():
                self.table.setCurrentIndex(self.model.index(0, 0))
            self.table.selectRow(self.table.currentIndex().row())
            self.table.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return super().eventFilter(watched, event)

    def current_filter(self) -> PupilFilter:
        header = self.table.horizontalHeader()
        column = COLUMNS[header.sortIndicatorSection()].key if header.sortIndicatorSection() >= 0 else "name"
        register = self.register.currentData()
        return PupilFilter(
            text=self.search.text(), status=self.status.currentData(), need=self.need.currentData(),
            year_group=self.year.currentData(),
            registers=frozenset({RegisterKind(register)}) if register else frozenset(),
            review_overdue=self.overdue.isChecked(), notification_due=self.notification.isChecked(),
            no_current_plan=self.no_plan.isChecked(),
            include_archived=self.leavers.isChecked(), sort=SORT_KEYS.get(column, "name"),
            descending=header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder)

    def refresh(self) -> None:
        """Search again; a search the store could not answer (the school server not
        answering) covers the list with a notice saying so, as every page does
        (load_on_show.read_safely), never a box to click: a refresh set off by another PC's
        change comes when nobody is waiting for it."""
        read_safely(self, self._read)

    def _read(self) -> None:
        """Keys typed while a search runs are answered by one more search once it returns
        (the window keeps answering meanwhile), not by searches piling up."""
        if self._searching:
            self._search_again = True
            return
        self._searching = True
        try:
            while True:
                self._search_again = False
                flt = self.current_filter()
                try:
                    ids, complete, first = self.runner.call(_search, flt)
                except SendeskError:
                    raise                       # said over the list by refresh
                except Exception as exc:  # noqa: BLE001 - shown in the one place
                    self.runner._report(exc)
                    return
                if not self._search_again:
                    break
        finally:
            self._searching = False
        if not alive(self):
            return   # its window closed while the worker read
        self._generation += 1
        self.model.set_ids(ids)
        self.model.preload(ids[:len(first)], first)
        if complete:
            self._show_count(len(ids))
            return
        # More than a screenful: the whole list (for the count and the scroll bar) is read
        # next, while the first screen is already shown and the window answers.
        self.count.setText(f"More than {BLOCK} pupils, counting")
        generation = self._generation
        self.runner.submit(_rest, flt, lambda: generation == self._generation,
                           on_done=lambda rest: self._rest_arrived(generation, rest),
                           on_error=lambda exc: self._rest_failed(generation, exc))

    def _rest_arrived(self, generation: int, ids: list[int] | None) -> None:
        """The whole list of the search whose first screen is shown: rows added below it, the
        selection kept; if the records changed meanwhile, the new list, the same pupil still
        selected when still in it."""
        if ids is None or generation != self._generation or not alive(self):
            return   # a newer search replaced it
        if not self.model.extend_ids(ids):
            current = self.table.currentIndex()
            chosen = self.model.id_at(current.row()) if current.isValid() else None
            self.model.set_ids(ids)
            row = None if chosen is None else self.model.row_of(chosen)
            if row is not None:
                self.table.setCurrentIndex(self.model.index(row, current.column()))
        self._show_count(len(ids))

    def _rest_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation and alive(self):
            self.count.setText(f"More than {BLOCK} pupils")
        self.runner._report(exc)

    def _show_count(self, found: int) -> None:
        self.count.setText(f"{found:,} pupil{'s' if found != 1 else ''}")

    def changes_arrived(self, changes: Changes) -> None:
        """Work through the runner changed something: refetch the rows it touched and search
        again (membership of the filter may change)."""
        if not changes.touches(Kind.PUPIL, Kind.SEN, Kind.REGISTER, Kind.PATHWAY,
                               Kind.NOTIFICATION, Kind.TRANSFER, Kind.EHC):
            return
        self.model.invalidate(None if changes.whole_school else sorted(changes.pupils))
        self.refresh()

    def _fetch(self, ids: list[int]) -> list[dict[str, Any]]:
        if not self.session.is_open:  # a repaint racing a lock shows nothing rather than failing
            return [{} for _ in ids]
        return self.runner.call(_cells, ids)

    def _fetch_async(self, ids: list[int], deliver) -> None:
        if not self.session.is_open or self.runner.closed:
            deliver(ids, None)
            return
        self.runner.submit(_cells, ids, on_done=lambda rows: deliver(ids, rows),
                           on_error=lambda _exc: deliver(ids, None))

    @staticmethod
    def _tooltip(row: dict[str, Any], key: str) -> str | None:
        if key == "need" and row.get("need"):
            need = need_codes().get(row["need"])
            return need.label if need else None
        return None


def _cells(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """On the worker: one block of the list's cells, in the order of `ids`."""
    by_id = {row.id: row for row in pupil_list.fetch_rows(session, ids)}
    return [row_cells(by_id[i]) if i in by_id else {} for i in ids]


def _search(session: Session, flt: PupilFilter) -> tuple[list[int], bool, list[dict[str, Any]]]:
    """On the worker: the first block of the ids a filter finds, whether that is all of
    them (pupil_list.search_first), and the block's cells."""
    ids, complete = pupil_list.search_first(session, flt, BLOCK)
    return ids, complete, _cells(session, ids[:BLOCK])


def _rest(session: Session, flt: PupilFilter, current: Callable[[], bool]) -> list[int] | None:
    """On the worker: every id the filter finds, unless another search has been asked for
    since (typing on, each key's whole list would otherwise be read in turn)."""
    return pupil_list.search_ids(session, flt) if current() else None
