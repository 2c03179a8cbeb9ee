"""Import pupils from the school's MIS as CSV: choose the file, check the column mapping,
preview every row with its errors, then commit all or nothing."""

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
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..errors import SendeskError
from ..models.pupils import FIELD_LABELS
from ..records import mis_import
from ..session import Session
from .lazy_table import Column
from .list_model import RowListModel
from .prompts import prompts
from .runner import OpRunner

PREVIEW_COLUMNS = [Column("line", "Line"), Column("upn", "UPN"), Column("action", "What will happen"),
                   Column("detail", "Details")]
ACTION_WORDS = {"add": "Add", "update": "Update", "unchanged": "No change", "skip": "Skip",
                "error": "Error"}


class ImportWizard(QWizard):
    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.setWindowTitle("Import pupils - sendesk")
        self.resize(860, 600)
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
        self.setButtonText(QWizard.WizardButton.FinishButton, "Import")

    def load(self, path: Path) -> str | None:
        """Read and decode the file; returns an error message, or None when it can be mapped."""
        try:
            self.data = mis_import._read_bytes(path, path.name)
            self.headers, _rows, _encoding = mis_import.read_table(self.data, path.name)
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
        if self.preview is None or not self.preview.ok:
            return
        try:
            self.result = self.runner.call(mis_import.commit, self.preview,
                                           sender=self.button(QWizard.WizardButton.FinishButton),
                                           progress_label="Importing pupils...")
        except SendeskError as exc:
            prompts.error(self, "Import failed", f"{exc} Nothing was imported.")
            return
        r = self.result
        prompts.info(self, "Import finished", f"Added {r.added}, updated {r.updated}, "
                     f"unchanged {r.unchanged}, skipped {r.skipped}.")
        super().accept()


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("Choose the file")
        self.setSubTitle("Export the pupil list from your MIS as CSV: UPN, surname, forename, date "
                         "of birth, gender, year and class. Dates may be dd/mm/yyyy.")
        self.path = QLineEdit(objectName="import_path")
        browse = QPushButton("Browse...")
        browse.clicked.connect(self._browse)
        self.message = QLabel(wordWrap=True, objectName="file_message")
        self.message.setStyleSheet("color: #b3261e")
        row = QHBoxLayout()
        row.addWidget(self.path)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.message)
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
        self.message = QLabel(wordWrap=True, objectName="mapping_message")
        self.message.setStyleSheet("color: #b3261e")
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)

    def initializePage(self) -> None:  # noqa: N802
        while self.form.rowCount():
            self.form.removeRow(0)
        self.combos.clear()
        guessed = mis_import.auto_map(self.owner.headers)
        for name in mis_import.HEADERS:
            combo = QComboBox(objectName=f"map_{name}")
            combo.addItem("(not in the file)", "")
            for header in self.owner.headers:
                combo.addItem(header, header)
            combo.setCurrentIndex(max(0, combo.findData(guessed.get(name, ""))))
            self.combos[name] = combo
            required = " *" if name in mis_import.REQUIRED else ""
            self.form.addRow(FIELD_LABELS.get(name, name) + required, combo)
        self.message.clear()

    def mapping(self) -> dict[str, str]:
        return {name: combo.currentData() for name, combo in self.combos.items()}

    def validatePage(self) -> bool:  # noqa: N802
        problem = self.owner.run_preview(self.mapping())
        self.message.setText(problem or "")
        return problem is None


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("Check before importing")
        self.summary = QLabel(wordWrap=True, objectName="preview_summary")
        self.model = RowListModel(PREVIEW_COLUMNS, self)
        self.view = QTableView(objectName="preview_table")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view)

    def initializePage(self) -> None:  # noqa: N802
        plan = self.owner.preview
        assert plan is not None
        counts = ", ".join(f"{plan.count(action)} to {word.lower()}" for action, word in
                           (("add", "add"), ("update", "update")))
        errors = len(plan.errors)
        self.summary.setText(
            f"{len(plan.rows)} rows read ({plan.encoding}): {counts}, {plan.count('unchanged')} "
            f"unchanged. " + (f"<b style='color:#b3261e'>{errors} rows have errors; correct the "
                              "file and import it again. Nothing will be saved until every row "
                              "is right.</b>" if errors else "Nothing is saved until you press Import."))
        self.model.set_rows([{
            "line": row.line, "upn": row.upn, "action": ACTION_WORDS.get(row.action, row.action),
            "detail": "; ".join(row.errors or row.warnings or
                                ((("Changes: " + ", ".join(row.changes)),) if row.changes else ())),
            "_problem": bool(row.errors)} for row in plan.rows])
        self.view.resizeColumnsToContents()

    def isComplete(self) -> bool:  # noqa: N802
        return self.owner.preview is not None and self.owner.preview.ok
