"""The January census check: each pupil's status and primary need as the census will take
them, with anything the census would reject tinted, and a formula-safe CSV export."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from ..errors import SendeskError
from ..models import dates
from ..models.roles import Permission
from ..operations import Kind
from ..records import census
from ..session import Session
from .lazy_table import Column
from .list_model import RowListModel
from .load_on_show import LoadOnShow
from .prompts import prompts
from .runner import OpRunner, alive

COLUMNS = [Column("upn", "UPN"), Column("name", "Name"), Column("dob", "Date of birth"),
           Column("year", "Year"), Column("status", "Status"), Column("need", "Primary need"),
           Column("problems", "To check")]


class CensusPage(LoadOnShow, QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.heading = QLabel(objectName="census_heading", wordWrap=True)
        self.model = RowListModel(COLUMNS, self)
        self.view = QTableView(objectName="census_table")
        self.view.setAccessibleName("Census check")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.export_button = QPushButton("Export &CSV...", objectName="export_census")
        self.export_button.clicked.connect(self.export)
        self.export_button.setEnabled(session.can(Permission.EXPORT_DOCUMENTS)
                                      or session.can(Permission.IMPORT_PUPILS))
        refresh = QPushButton("R&efresh", objectName="refresh_census")
        refresh.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(refresh)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel("Status N is reported only in the first census after a pupil "
                                "leaves the register; NSA only with status K.", wordWrap=True))
        layout.addWidget(self.view)
        # Read (and audit) the census only when someone actually looks at it.
        self.follow(self.runner, (Kind.PUPIL, Kind.SEN))
        self.load_now_or_when_shown(False)

    def refresh(self) -> None:
        check = self.runner.call(census.census_check)
        if not alive(self):
            return   # its window closed while the worker read
        self.loaded = True
        self.heading.setText(f"<b>{census.describe(check)}</b>")
        self.model.set_rows([{
            "_id": row.pupil_id, "upn": row.upn, "name": f"{row.surname}, {row.forename}",
            "dob": dates.format_uk(row.dob), "year": row.year_group, "status": row.sen_status,
            "need": row.primary_need or "", "problems": "; ".join(row.problems),
            "_problem": bool(row.problems)} for row in check.rows])
        self.view.resizeColumnsToContents()

    def export(self) -> None:
        path = prompts.save_file(self, "Export the census check", "census-check.csv", "CSV files (*.csv)")
        if path is None:
            return
        try:
            check = self.runner.call(census.export_census, path, sender=self.export_button)
        except SendeskError as exc:
            prompts.error(self, "Export failed", str(exc))
            return
        prompts.info(self, "Census check exported", f"{len(check.rows)} pupils written to {path}.")
