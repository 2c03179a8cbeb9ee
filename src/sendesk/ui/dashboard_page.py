"""Home: what needs doing. For a new school, the first steps; then counts by status and need,
parent notifications due, support plan reviews due this half-term and overdue (as Reviews due
counts them), pupils on the SEN register with no current plan, pupils on the monitoring
register, and leavers' files still to send or awaiting the next school's receipt."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..models import dates
from ..models.roles import Permission
from ..models.sen import need_codes, statuses
from ..records import pupil_list
from ..records.dashboard import Dashboard, dashboard
from ..session import Session
from ..transfer import log
from .bar_chart import BarChart
from .first_steps import FirstStepsBox, user_key
from .key_check_dialog import KeyCheckDialog, describe
from .lazy_table import Column
from .list_model import RowListModel
from .load_on_show import LoadOnShow
from .runner import OpRunner, alive

LIST_COLUMNS = [Column("name", "Pupil"), Column("year", "Year"), Column("what", "Details")]
SIZE_FROM_ROWS = 50
# Each list shows its most urgent pupils; a county's lists run to thousands, which the Pupils
# page's filters show in full. Reading them all made Home take a second to open; 250 a list
# still kept it over its 200 ms target at 60,000 pupils, and nobody scrolls a box on Home past
# its first hundred.
SHOW_AT_MOST = 100


def _no_plan(status: str | None) -> str:
    return ("EHC plan (E), but no EHC plan recorded" if status == "E"
            else "SEN support (K), but no agreed plan")


class PupilListBox(QGroupBox):
    """A titled, short list of pupils; activating one opens the record."""

    open_pupil = Signal(int)

    def __init__(self, title: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.base_title = title
        self.model = RowListModel(LIST_COLUMNS, self)
        self.view = QTableView(objectName=name)
        self.view.setAccessibleName(title)
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        # Size columns from the first rows only: a county's list holds thousands.
        self.view.horizontalHeader().setResizeContentsPrecision(SIZE_FROM_ROWS)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setMinimumHeight(150)
        self.view.activated.connect(lambda index: self.open_pupil.emit(
            self.model.data(index, Qt.ItemDataRole.UserRole)["_id"]))
        QVBoxLayout(self).addWidget(self.view)

    def set_rows(self, rows: list[dict], total: int | None = None) -> None:
        """Show rows; `total` says how many there are when only the first few are given."""
        self.model.set_rows(rows)
        if total is not None and total > len(rows):
            self.setTitle(f"{self.base_title} ({total:,}; the first {len(rows):,} shown)")
        else:
            self.setTitle(f"{self.base_title} ({len(rows)})")
        self.view.resizeColumnsToContents()


class DashboardPage(LoadOnShow, QWidget):
    open_pupil = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.summary = QLabel(objectName="summary", wordWrap=True)
        self.status_chart = BarChart("Pupils by SEN status")
        self.need_chart = BarChart("Pupils on the register by primary need")
        self.notifications = PupilListBox("Parent notifications due", "notifications_due")
        # Named for what they count, the support plan reviews on the Reviews due page: the
        # pupil list's "Any review overdue" also counts register and EHC reviews.
        self.reviews_due = PupilListBox("Support plan reviews due this half-term", "reviews_due")
        self.overdue = PupilListBox("Support plan reviews overdue", "reviews_overdue")
        for box in (self.reviews_due, self.overdue):
            box.setToolTip("SEN support plan reviews, as listed on the Reviews due page. Register "
                           "and EHC annual reviews are on the Calendar.")
        self.monitoring = PupilListBox("On the monitoring register", "monitoring")
        self.no_plan = PupilListBox("On the SEN register with no current plan", "no_current_plan")
        self.transfers = PupilListBox("Leavers' files: to send, or awaiting the next school's "
                                      "receipt", "transfers_due")
        for box in (self.notifications, self.reviews_due, self.overdue, self.monitoring,
                    self.no_plan, self.transfers):
            box.open_pupil.connect(self.open_pupil)
        self.first_steps = FirstStepsBox(user_key(session))
        self.first_steps.hide()
        refresh = QPushButton("R&efresh", objectName="refresh")
        refresh.clicked.connect(self.refresh)
        # Other schools' signing keys first seen on a package or receipt, not yet checked.
        self.unconfirmed = QLabel(objectName="unconfirmed_keys", wordWrap=True)
        self.check_key = QPushButton("Record a fin&gerprint check...", objectName="check_key")
        self.check_key.setAccessibleName("Record that another school's key fingerprint was "
                                         "checked with them")
        self.check_key.clicked.connect(self.record_key_check)
        self.unconfirmed_keys: list[log.Transfer] = []
        self.key_dialog: KeyCheckDialog | None = None

        charts = QHBoxLayout()
        charts.addWidget(self.status_chart, 1, Qt.AlignmentFlag.AlignTop)
        charts.addWidget(self.need_chart, 1, Qt.AlignmentFlag.AlignTop)
        grid = QGridLayout()
        grid.addWidget(self.notifications, 0, 0)
        grid.addWidget(self.overdue, 0, 1)
        grid.addWidget(self.reviews_due, 1, 0)
        grid.addWidget(self.monitoring, 1, 1)
        grid.addWidget(self.no_plan, 2, 0)
        grid.addWidget(self.transfers, 2, 1)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(refresh)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addLayout(top)
        layout.addWidget(self.first_steps)
        keys = QHBoxLayout()
        keys.addWidget(self.unconfirmed, 1)
        keys.addWidget(self.check_key)
        layout.addLayout(keys)
        layout.addLayout(charts)
        layout.addLayout(grid)
        scroll = QScrollArea()
        scroll.setAccessibleName("Home page")
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        QVBoxLayout(self).addWidget(scroll)
        self.data: Dashboard | None = None
        self.follow(self.runner, ())   # the home page sums up everything: any change counts
        self.load_now_or_when_shown(True)

    def refresh(self) -> None:
        data, rows = self.runner.call(self._read)
        if not alive(self):
            return   # its window closed while the worker read
        self.data = data
        names = statuses()
        on_register = sum(v for k, v in data.by_status.items() if k in ("E", "K"))
        self.summary.setText(
            f"<h2 style='margin:0'>{self.session.school.name}</h2>"
            f"{data.on_roll:,} pupils on roll, {on_register:,} on the SEN register. "
            f"{data.half_term.name}: {dates.format_uk(data.half_term_days[0])} to "
            f"{dates.format_uk(data.half_term_days[1])}."
            + (f" The school is on holiday until {dates.format_uk(data.half_term.end)}."
               if data.today > data.half_term_days[1] else ""))
        self.first_steps.setVisible(data.on_roll == 0 and not self.first_steps.was_dismissed)
        self.status_chart.set_items([(f"{code} - {names.get(code, code)}", count)
                                     for code, count in sorted(data.by_status.items())])
        codes = need_codes()
        self.need_chart.set_items([(f"{c} - {codes[c].label}" if c in codes else c, n) for c, n in
                                   sorted(data.by_need.items(), key=lambda item: -item[1]) if n])
        notifications = data.notifications_due[:SHOW_AT_MOST]
        this_half_term = data.reviews_this_half_term[:SHOW_AT_MOST]
        overdue = data.reviews_overdue[:SHOW_AT_MOST]
        monitoring = data.monitoring[:SHOW_AT_MOST]
        self.notifications.set_rows([
            {**rows[item.pupil_id], "what": f"{'Added' if item.change == 'added' else 'Removed'} "
             f"{dates.format_uk(item.due_since)}; {item.outstanding} to tell"}
            for item in notifications if item.pupil_id in rows], len(data.notifications_due))
        self.reviews_due.set_rows(self._with_review(rows, this_half_term, data),
                                  len(data.reviews_this_half_term))
        self.overdue.set_rows(self._with_review(rows, overdue, data, problem=True),
                              len(data.reviews_overdue))
        self.monitoring.set_rows([rows[i] for i in monitoring if i in rows], len(data.monitoring))
        self.no_plan.set_rows([{**rows[i], "what": _no_plan(rows[i]["status"]), "_problem": True}
                               for i in data.no_current_plan[:SHOW_AT_MOST] if i in rows],
                              len(data.no_current_plan))
        self.transfers.set_rows(
            [{**rows[f.pupil_id], "what": f"File not sent yet: due by {dates.format_uk(f.deadline)}",
              "_problem": f.overdue} for f in data.files_to_send if f.pupil_id in rows]
            + [{**rows[t.pupil_id], "what": f"Sent to {t.school} {dates.format_uk(t.sent_on)}; "
                f"awaiting their receipt (deadline {dates.format_uk(t.deadline)})",
                "_problem": t.overdue} for t in data.transfers_awaiting if t.pupil_id in rows])
        self._show_unconfirmed()

    def _show_unconfirmed(self) -> None:
        keys = (self.runner.call(log.unconfirmed_keys)
                if self.session.can(Permission.EXPORT_TRANSFER) else [])
        self.unconfirmed_keys = keys
        self.check_key.setVisible(bool(keys))
        self.unconfirmed.setVisible(bool(keys))
        many = len(keys) != 1
        self.unconfirmed.setText(f"<b>{len(keys)} other {'schools' if many else 'school'}' "
                                 f"signing {'keys' if many else 'key'} not yet confirmed:</b> "
                                 + "; ".join(escape(describe(t)) for t in keys) if keys else "")

    def record_key_check(self) -> None:
        self.key_dialog = KeyCheckDialog(self.runner, self.unconfirmed_keys, self)
        self.key_dialog.open()

    @staticmethod
    def _read(session: Session) -> tuple[Dashboard, dict[int, dict]]:
        """On the worker: the figures, and the rows of the pupils the lists name."""
        data = dashboard(session)
        leavers = {t.pupil_id for t in data.transfers_awaiting} | {f.pupil_id for f in data.files_to_send}
        ids = ({item.pupil_id for item in data.notifications_due[:SHOW_AT_MOST]}
               | set(data.reviews_this_half_term[:SHOW_AT_MOST])
               | set(data.reviews_overdue[:SHOW_AT_MOST]) | set(data.monitoring[:SHOW_AT_MOST])
               | set(data.no_current_plan[:SHOW_AT_MOST]) | leavers)
        rows = {row.id: {"_id": row.id, "name": row.name, "year": row.year_group,
                         "status": row.sen_status, "what": ""}
                for row in pupil_list.fetch_rows(session, sorted(ids))}
        return data, rows

    @staticmethod
    def _with_review(rows: dict[int, dict], ids: list[int], data: Dashboard,
                     problem: bool = False) -> list[dict]:
        return [{**rows[i], "what": (f"Review asked for: {data.moves_asked[i]}, "
                                     if i in data.moves_asked else "Plan review ")
                 + dates.format_uk(data.plan_reviews.get(i)), "_problem": problem}
                for i in ids if i in rows]
