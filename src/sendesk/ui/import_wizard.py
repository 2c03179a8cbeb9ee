"""Import pupils from the school's MIS as CSV: choose the file, check the column mapping (and
see which columns will not be imported), preview every row as it was read (name, date of
birth, year, class, and each change was -> now), decide each conflict, then commit all or
nothing, with Cancel while it runs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..errors import SendeskError
from ..operations import Cancelled
from ..records import mis_file, mis_import
from ..session import Session
from .lazy_table import Column
from .list_model import RowListModel
from .prompts import prompts
from .runner import OpRunner
from .screen_fit import fit_to_screen

PREVIEW_COLUMNS = [Column("line", "Line"), Column("upn", "UPN"), Column("name", "Name"),
                   Column("dob", "Date of birth"), Column("year", "Year"),
                   Column("class_name", "Class"), Column("action", "What will happen"),
                   Column("detail", "Details")]
ACTION_WORDS = {"add": "Add", "update": "Update", "unchanged": "No change", "skip": "Skip",
                "conflict": "You decide", "error": "Error"}
ERROR_STYLE = "color: #b3261e"


class ImportWizard(QWizard):
    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.setWindowTitle("Import pupils - sendesk")
        fit_to_screen(self, 1000, 640)
        self.data: bytes = b""
        self.file_name = ""
        self.headers: list[str] = []
        self.preview: mis_import.ImportPreview | None = None
        self.result: mis_import.ImportResult | None = None
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        for page in (self.file_page, self.mapping_page, self.preview_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Import")

    def load(self, path: Path) -> str | None:
        """Read and decode the file; returns an error message, or None when it can be mapped."""
        try:
            self.data = mis_file.read_bytes(path, path.name)
            self.headers, _rows, _encoding = mis_file.read_table(self.data, path.name)
        except SendeskError as exc:
            return str(exc)
        self.file_name = path.name
        return None

    def run_preview(self, mapping: dict[str, str]) -> str | None:
        try:
            self.preview = self.runner.call(mis_import.preview, self.data, mapping,
                                            name=self.file_name,
                                            progress_label="Checking the file...")
        except SendeskError as exc:
            self.preview = None
            return str(exc)
        return None

    def accept(self) -> None:
        if self.preview is None or not self.preview_page.isComplete():
            return
        try:
            self.result = self.runner.call(mis_import.commit, self.preview,
                                           self.preview_page.decisions(),
                                           sender=self.button(QWizard.WizardButton.FinishButton),
                                           progress_label="Importing pupils...")
        except Cancelled:
            prompts.info(self, "Import stopped", "The import was stopped. Nothing was imported.")
            return
        except SendeskError as exc:
            prompts.error(self, "Import failed", f"{exc} Nothing was imported.")
            return
        r = self.result
        prompts.info(self, "Import finished", f"Added {r.added}, updated {r.updated}, "
                     f"unchanged {r.unchanged}, skipped {r.skipped}."
                     + (f"\n\n{mis_import.reviews_sentence(r)}" if r.reviews_asked else ""))
        super().accept()


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("Choose the file")
        self.setSubTitle("Export the pupil list from your MIS as CSV: UPN, surname, forename, date "
                         "of birth, gender, year and class. Dates may be dd/mm/yyyy.")
        self.path = QLineEdit(objectName="import_path")
        self.path.setAccessibleName("The MIS export to import")
        self.browse = QPushButton("B&rowse...", objectName="import_browse")
        self.browse.setAccessibleName("Choose the MIS export")
        self.browse.clicked.connect(self._browse)
        self.message = QLabel(wordWrap=True, objectName="file_message")
        self.message.setStyleSheet(ERROR_STYLE)
        row = QHBoxLayout()
        row.addWidget(self.path)
        row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.path.textChanged.connect(self.completeChanged)

    def _browse(self) -> None:
        chosen = prompts.open_file(self, "Choose the MIS export", "", "CSV files (*.csv);;All files (*)")
        if chosen:
            self.path.setText(str(chosen))

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.path.text().strip())

    def validatePage(self) -> bool:  # noqa: N802
        problem = self.owner.load(Path(self.path.text().strip()))
        self.message.setText(problem or "")
        return problem is None


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("Match the columns")
        self.setSubTitle("sendesk has matched the columns it recognises. Check them, and pick any "
                         "it could not match.")
        self.form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        self.unused = QLabel(wordWrap=True, objectName="mapping_unused")
        self.message = QLabel(wordWrap=True, objectName="mapping_message")
        self.message.setStyleSheet(ERROR_STYLE)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.unused)
        layout.addWidget(self.message)

    def initializePage(self) -> None:  # noqa: N802
        while self.form.rowCount():
            self.form.removeRow(0)
        self.combos.clear()
        guessed = mis_file.auto_map(self.owner.headers)
        for name in mis_file.HEADERS:
            combo = QComboBox(objectName=f"map_{name}")
            combo.addItem("(not in the file)", "")
            for header in self.owner.headers:
                combo.addItem(header, header)
            combo.setCurrentIndex(max(0, combo.findData(guessed.get(name, ""))))
            combo.setAccessibleName(f"Column for {mis_file.LABELS[name].lower()}")
            combo.currentIndexChanged.connect(self._show_unused)
            self.combos[name] = combo
            required = " *" if name in mis_file.REQUIRED else ""
            self.form.addRow(mis_file.LABELS[name] + required, combo)
        self.message.clear()
        self._show_unused()

    def mapping(self) -> dict[str, str]:
        return {name: combo.currentData() for name, combo in self.combos.items()}

    def _show_unused(self) -> None:
        chosen = {name: header for name, header in self.mapping().items() if header}
        self.unused.setText(mis_file.unused_sentence(mis_file.unused(self.owner.headers, chosen)))

    def validatePage(self) -> bool:  # noqa: N802
        problem = self.owner.run_preview(self.mapping())
        self.message.setText(problem or "")
        return problem is None


SIZED_FROM_ROWS = 100   # how many rows of the preview its column widths are measured from


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("Check before importing")
        self.summary = QLabel(wordWrap=True, objectName="preview_summary")
        self.unused = QLabel(wordWrap=True, objectName="preview_unused")
        self.model = RowListModel(PREVIEW_COLUMNS, self)
        self.view = QTableView(objectName="preview_table")
        self.view.setAccessibleName("What importing each row will do")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setStretchLastSection(True)
        # Sized from the first rows: measuring every cell of a 2,000-row file (Qt measures up
        # to 1,000 rows per column) stalled the window for about 300 ms when Next was pressed.
        self.view.horizontalHeader().setResizeContentsPrecision(SIZED_FROM_ROWS)
        self.view.setWordWrap(False)
        self.conflict_title = QLabel(wordWrap=True, objectName="conflict_title")
        self.skip_all = QPushButton("&Skip every row to decide", objectName="skip_conflicts")
        self.skip_all.setAccessibleName("Skip every row to decide")
        self.skip_all.clicked.connect(self._skip_all)
        self.conflict_box = QWidget()
        self.conflict_form = QFormLayout(self.conflict_box)
        self.conflict_scroll = QScrollArea(objectName="conflicts")
        self.conflict_scroll.setAccessibleName("Rows to decide")
        self.conflict_scroll.setWidgetResizable(True)
        self.conflict_scroll.setWidget(self.conflict_box)
        self.conflict_scroll.setMaximumHeight(180)
        self.choices: dict[int, QComboBox] = {}
        heading = QHBoxLayout()
        heading.addWidget(self.conflict_title, 1)
        heading.addWidget(self.skip_all)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.unused)
        layout.addWidget(self.view, 1)
        layout.addLayout(heading)
        layout.addWidget(self.conflict_scroll)

    def initializePage(self) -> None:  # noqa: N802
        plan = self.owner.preview
        assert plan is not None
        errors = len(plan.errors)
        counts = (f"{plan.count('add')} to add, {plan.count('update')} to update, "
                  f"{plan.count('unchanged')} unchanged")
        if plan.conflicts:
            counts += f", {len(plan.conflicts)} for you to decide"
        checks = sum(1 for row in plan.rows if row.checks)
        self.summary.setText(
            f"{len(plan.rows)} rows read ({plan.encoding}): {counts}. "
            + (f"{checks} rows have a year group to check (see Details). " if checks else "")
            + (f"<b style='{ERROR_STYLE}'>{errors} rows have errors; correct the "
               "file and import it again. Nothing will be saved until every row "
               "is right.</b>" if errors else "Nothing is saved until you press Import."))
        self.unused.setText(plan.not_imported)
        self.unused.setVisible(bool(plan.not_imported))
        self.model.set_rows([{
            "line": row.line, "upn": row.upn, "name": row.name, "dob": row.dob, "year": row.year,
            "class_name": row.class_name, "action": ACTION_WORDS.get(row.action, row.action),
            "detail": _detail(row), "_problem": bool(row.errors or row.conflict)}
            for row in plan.rows])
        self.view.resizeColumnsToContents()
        self._build_choices(plan)

    def _build_choices(self, plan: mis_import.ImportPreview) -> None:
        while self.conflict_form.rowCount():
            self.conflict_form.removeRow(0)
        self.choices.clear()
        shown = bool(plan.conflicts)
        for widget in (self.conflict_title, self.skip_all, self.conflict_scroll):
            widget.setVisible(shown)
        one = len(plan.conflicts) == 1
        self.conflict_title.setText(
            f"{len(plan.conflicts)} {'row gives' if one else 'rows give'} a UPN held here for a "
            "different child, or a child held here under another UPN. Nothing changes on these "
            "pupils unless you choose it: decide each row before importing.")
        for row in plan.conflicts:
            assert row.conflict is not None
            combo = QComboBox(objectName=f"decide_{row.line}")
            combo.addItem("Choose what to do...", None)
            for choice in row.conflict.choices:
                combo.addItem(mis_import.CHOICES[choice], choice)
            combo.setAccessibleName(f"What to do with line {row.line}")
            combo.currentIndexChanged.connect(self.completeChanged)
            reason = QLabel(f"Line {row.line}: {row.conflict.reason}", wordWrap=True)
            self.conflict_form.addRow(reason)
            self.conflict_form.addRow(f"Line {row.line}:", combo)
            self.choices[row.line] = combo

    def _skip_all(self) -> None:
        for combo in self.choices.values():
            combo.setCurrentIndex(combo.findData(mis_import.SKIP))

    def decisions(self) -> dict[int, str]:
        return {line: combo.currentData() for line, combo in self.choices.items()
                if combo.currentData()}

    def isComplete(self) -> bool:  # noqa: N802
        plan = self.owner.preview
        return plan is not None and plan.ok and not plan.undecided(self.decisions())


def _detail(row: mis_import.ImportRow) -> str:
    """Errors, or why the row waits for a decision, then each change (was -> now) and checks."""
    if row.errors:
        return "; ".join(row.errors)
    said = ([row.conflict.reason] if row.conflict else []) + list(row.warnings)
    said += [str(change) for change in row.diffs] + list(row.checks)
    return "; ".join(said)
