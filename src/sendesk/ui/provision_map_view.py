"""The whole-school costed provision map: by pupil, by provision and every item, with totals,
and an Export CSV button.

Pupils whose yearly cost nears the £6,000 notional threshold are shaded amber, those over it
red. Double-click a pupil to open their record.

Hook it in: ProvisionMapView(session); connect open_pupil(int); call refresh() after changes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..documents.provision_map import spend_rows
from ..errors import SendeskError
from ..models import provision
from ..models.provision import CostLevel
from ..models.roles import Permission
from ..operations import Kind
from ..records import provision_map, sen_budget
from ..records.ehc_costs import EhcMapRow
from ..records.provision_map import GroupRow, MapRow, ProvisionMap, ProvisionTotal, PupilTotal
from ..session import Session
from ..settings import export_dir
from .apdr_models import level_colour, plural
from .forms import FieldSpec, FormDialog
from .load_on_show import LoadOnShow
from .prompts import ending_in, prompts
from .rows_model import Col, RowsModel
from .runner import OpRunner, alive

money = provision.format_money
_THRESHOLD = provision.format_pounds(provision.NOTIONAL_THRESHOLD_PENCE)


def _level_words(level: CostLevel) -> str:
    return {CostLevel.UNDER: "", CostLevel.NEAR: f"Nearing {_THRESHOLD}",
            CostLevel.OVER: f"Over {_THRESHOLD}"}[level]


PUPIL_COLUMNS: list[Col[PupilTotal]] = [
    Col("Pupil", lambda p: p.pupil_name),
    Col("Year", lambda p: p.year_group),
    Col("Stage", lambda p: p.stage_label),
    Col("Items", lambda p: p.items, align_right=True),
    Col("Yearly cost", lambda p: money(p.yearly_cost_pence), align_right=True),
    Col("Threshold", lambda p: _level_words(p.level)),
]

PROVISION_COLUMNS: list[Col[ProvisionTotal]] = [
    Col("Provision", lambda t: t.description),
    Col("Pupils", lambda t: t.pupils, align_right=True),
    Col("Pupil hours a year", lambda t: f"{t.hours_per_year:.1f}" if t.hours_per_year else "",
        align_right=True,
        tooltip=lambda t: "Each pupil's hours of this provision in a year, added together."),
    Col("Yearly cost", lambda t: money(t.yearly_cost_pence), align_right=True),
]

ITEM_COLUMNS: list[Col[MapRow]] = [
    Col("Pupil", lambda r: r.pupil_name),
    Col("Year", lambda r: r.year_group),
    Col("Provision", lambda r: r.description),
    Col("Yearly cost", lambda r: money(r.yearly_cost_pence), align_right=True),
    Col("How often", lambda r: r.frequency),
    Col("Rate", lambda r: f"{money(r.rate_pence)} {r.cost_basis.label}"),
    Col("Delivered by", lambda r: r.delivered_by),
    Col("Area", lambda r: r.area or ""),
    Col("Specialist advice", lambda r: "Yes" if r.from_specialist else ""),
]

GROUP_COLUMNS: list[Col[GroupRow]] = [
    Col("Group", lambda g: g.name),
    Col("Run by", lambda g: g.staff_name),
    Col("How often", lambda g: g.frequency),
    Col("Pupils", lambda g: g.members, align_right=True),
    Col("Group's cost", lambda g: money(g.cost_pence), align_right=True,
        tooltip=lambda g: "The part of the group's cost its pupils here carry, counted once; "
                          "each member's total above includes their share. Days with nobody "
                          "in the group carry no cost."),
]


EHC_COLUMNS: list[Col[EhcMapRow]] = [
    Col("Pupil", lambda r: r.pupil_name),
    Col("Year", lambda r: r.year_group),
    Col("EHC plan provision", lambda r: r.line.description),
    Col("How often", lambda r: r.line.frequency),
    Col("School's part a year", lambda r: money(r.line.school_pence), align_right=True),
    Col("LA top-up a year", lambda r: money(r.line.topup_pence), align_right=True),
]


def _table(name: str, title: str, model: RowsModel, stretch: tuple[int, ...] = ()) -> QTableView:
    """A read-only table named `title` for a screen reader; the `stretch` columns share the
    spare width, the rest fit their text."""
    table = QTableView(objectName=name)
    table.setAccessibleName(title)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # Columns fit the rows on screen, not Qt's default first 1,000: every row measured asks
    # the model for each cell's text, font and alignment, and a county's 16,000-row map held
    # the window still for a third of a second doing it (docs/performance.md).
    header.setResizeContentsPrecision(0)
    header.setStretchLastSection(not stretch)
    for column in stretch:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    return table


class ProvisionMapView(LoadOnShow, QWidget):
    open_pupil = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 load: bool = True, runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.setObjectName("provision_map")
        self.found: ProvisionMap | None = None
        title = QLabel("<b>Costed provision map</b>")
        self.summary = QLabel(objectName="summary", wordWrap=True)
        note = QLabel("The provision in force: the latest agreed plan of every pupil on a SEND "
                      "pathway, and the groups running today (each group's cost counted once, "
                      "each member's share in their total). Costs are for a year; each pupil's "
                      "total is set against the "
                      f"{_THRESHOLD} notional SEN support threshold.", wordWrap=True)
        note.setStyleSheet("color: #555")
        self.export_button = QPushButton("Export &CSV...", objectName="export")
        self.export_button.clicked.connect(self.export)
        allowed = session.can(Permission.EXPORT_DOCUMENTS)
        self.export_button.setEnabled(allowed)
        if not allowed:
            self.export_button.setToolTip("Your role does not allow exports.")
        self.pdf_button = QPushButton("Save as &PDF...", objectName="save_pdf")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.pdf_button.setEnabled(allowed)
        if not allowed:
            self.pdf_button.setToolTip("Your role does not allow exports.")
        self.budget_button = QPushButton("Notional SEN &budget...", objectName="set_budget")
        self.budget_button.clicked.connect(self.set_budget)
        may_set = session.can(Permission.SETTINGS) or session.can(Permission.MANAGE_PLANS)
        self.budget_button.setEnabled(may_set)
        if not may_set:
            self.budget_button.setToolTip("Only the SENCO or an administrator sets the budget.")
        self.spend = QLabel(objectName="spend", wordWrap=True)
        refresh = QPushButton("R&efresh", objectName="refresh")
        refresh.clicked.connect(self.refresh)
        self.pupil_model: RowsModel[PupilTotal] = RowsModel(
            PUPIL_COLUMNS, background=lambda p: level_colour(p.level), parent=self)
        self.provision_model: RowsModel[ProvisionTotal] = RowsModel(PROVISION_COLUMNS, parent=self)
        self.item_model: RowsModel[MapRow] = RowsModel(ITEM_COLUMNS, parent=self)
        self.group_model: RowsModel[GroupRow] = RowsModel(GROUP_COLUMNS, parent=self)
        self.tabs = QTabWidget(objectName="views")
        self.tabs.setAccessibleName("Provision map views")   # and its tab bar, which Tab reaches
        self.tabs.tabBar().setAccessibleName("Provision map views")
        self.by_pupil = _table("by_pupil", "Provision by pupil", self.pupil_model, stretch=(0, 5))
        self.by_provision = _table("by_provision", "Provision by kind", self.provision_model, stretch=(0,))
        self.items = _table("items", "Every provision", self.item_model, stretch=(2, 4, 6))
        self.tabs.addTab(self.by_pupil, "By pupil")
        self.tabs.addTab(self.by_provision, "By provision")
        self.tabs.addTab(self.items, "Every item")
        self.groups = _table("groups", "Provision groups", self.group_model, stretch=(0, 2))
        self.tabs.addTab(self.groups, "Groups")
        self.ehc_model: RowsModel[EhcMapRow] = RowsModel(EHC_COLUMNS, parent=self)
        self.ehc = _table("ehc_plans", "EHC plans' provision", self.ehc_model, stretch=(2, 3))
        self.tabs.addTab(self.ehc, "EHC plans")
        self.ehc.doubleClicked.connect(lambda i: self._open(self.ehc_model, i.row()))
        self.by_pupil.doubleClicked.connect(lambda i: self._open(self.pupil_model, i.row()))
        self.items.doubleClicked.connect(lambda i: self._open(self.item_model, i.row()))
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addStretch(1)
        bar.addWidget(refresh)
        bar.addWidget(self.budget_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.pdf_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(note)
        layout.addWidget(self.summary)
        layout.addWidget(self.spend)
        layout.addWidget(self.tabs, 1)
        self.follow(self.runner, (Kind.PATHWAY, Kind.PUPIL, Kind.SEN, Kind.GROUP, Kind.EHC,
                                  Kind.SETTINGS))
        self.load_now_or_when_shown(load)

    def refresh(self) -> None:
        found = self.runner.call(provision_map.build)
        if not alive(self):
            return   # its window closed while the worker read
        self.found = found
        total = money(found.total_pence)
        self.pupil_model.set_rows(found.by_pupil, ["Total", "", "",
                                                   len(found.rows) + len(found.groups), total,
                                                   ""])
        hours = sum((t.hours_per_year for t in found.by_provision), 0)
        self.provision_model.set_rows(found.by_provision, ["Total", found.pupils,
                                                           f"{hours:.1f}", total])
        self.item_model.set_rows(found.rows, ["Total", "", "", money(
            sum(r.yearly_cost_pence for r in found.rows)), "", "", "", "", ""])
        self.group_model.set_rows(found.groups, ["Total", "", "", "", money(
            sum(g.cost_pence for g in found.groups))])
        self.ehc_model.set_rows(found.ehc, ["Total", "", "", "", money(found.ehc_school_pence),
                                            money(found.ehc_topup_pence)])
        over = len(found.over_threshold())
        near = sum(1 for p in found.by_pupil if p.level is CostLevel.NEAR)
        groups = f", {plural(len(found.groups), 'group')}" if found.groups else ""
        text = (f"{plural(found.pupils, 'pupil')}, {plural(len(found.rows), 'provision item')}"
                f"{groups}, {total} a year in all.")
        if near or over:
            text += f" {near} nearing and {over} over the {_THRESHOLD} threshold."
        self.summary.setText(text)
        self.spend.setText("; ".join(f"{k} {v}" for k, v in spend_rows(found)).rstrip(".") + ".")

    def set_budget(self) -> FormDialog:
        """The school's notional SEN budget, which the map's spend is set against."""
        current = self.found.budget_pence if self.found else None
        dialog = FormDialog(
            "Notional SEN budget", [FieldSpec("budget", "Notional SEN &budget a year (£)",
                                              placeholder="for example £120,000")],
            lambda v: self.runner.call(sen_budget.set_notional_budget, v["budget"]),
            intro="The part of the school's budget the local authority says is for pupils "
                  "with SEN. Leave it blank if it is not known.",
            values={"budget": "" if current is None else money(current)}, parent=self)
        dialog.open()
        return dialog

    def export(self) -> None:
        path = prompts.save_file(self, "Export the costed provision map",
                                 str(export_dir() / "provision-map.csv"), "CSV files (*.csv)")
        if path is None:
            return
        try:
            found = self.runner.call(provision_map.export_csv, path, sender=self.export_button)
        except SendeskError as exc:
            prompts.error(self, "Export the costed provision map", str(exc))
            return
        prompts.info(self, "Export the costed provision map",
                     f"Saved {plural(len(found.rows), 'provision item')} for "
                     f"{plural(found.pupils, 'pupil')} to "
                     f"{path.name}. The file holds pupils' names: keep it on the school's "
                     "network and delete copies you no longer need.")

    def save_pdf(self) -> None:
        """The map as a printable document (the same figures, by pupil, by provision and item
        by item), for governors and funding bids."""
        title = "Save the costed provision map as PDF"
        path = prompts.save_file(self, title, str(export_dir() / "provision-map.pdf"),
                                 "PDF files (*.pdf)")
        if path is None:
            return
        path = ending_in(path, ".pdf")
        try:
            pages = self.runner.call(_save_map_pdf, path, progress_label="Saving the PDF...")
        except SendeskError as exc:
            prompts.error(self, title, str(exc))
            return
        prompts.info(self, title, f"Saved {plural(pages, 'page')} to {path.name}. The file holds "
                                  "pupils' names: keep it on the school's network and delete "
                                  "copies you no longer need.")

    def _open(self, model: RowsModel, row: int) -> None:
        item = model.row_object(row)
        if item is not None:
            self.open_pupil.emit(item.pupil_id)


def _save_map_pdf(session: Session, path: Path) -> int:
    """On the worker: build the map's document and write it as a PDF (audited as an export)."""
    from .. import pdf
    from ..documents import build_documents
    documents = build_documents(session, None, "provision-map")
    return pdf.save_pdf(session, documents, None, "provision-map", path)
