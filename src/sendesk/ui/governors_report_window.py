"""The governors' SEND report and SEN Information Report figures in the window: choose the
school year, see the report exactly as it will print (the PDF's own pages, charts drawn by the
same painter), then save it as PDF, print it, or save the figures as CSV.

Reached from Reports > Governors' report in the main window. Counts only, never names; counts
under 5 read "fewer than 5" here as on paper and in the CSV.
"""

from __future__ import annotations

import weakref

from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..documents import governors_report as document
from ..documents.model import Document
from ..errors import SendeskError
from ..models.roles import Permission
from ..models.school_year import EARLIEST, SchoolYear, of_day
from ..records import governors_report
from ..records.governors_report import GovernorsFigures
from ..session import Session
from ..settings import export_dir
from .accessible import label_for
from .documents_tab import DocumentPanel
from .page_view import LaidOut, PageView, lay_out
from .prompts import ending_in, prompts
from .runner import OpRunner, Refused, alive
from .screen_fit import fit_to_screen

# The report last laid out for each session, with the figures it shows: while those figures
# are kept (records/governors_report.py keeps them until something changes), a refresh shows
# the same pages again instead of laying out dozens of them afresh.
_LAID_OUT: weakref.WeakKeyDictionary[
    Session, tuple[GovernorsFigures, str, list[Document], LaidOut]] = weakref.WeakKeyDictionary()


def build_report(session: Session, year: str) -> tuple[list[Document], LaidOut]:
    """On the worker: the year's figures (audited as a read) as the report document, and its
    pages laid out, so the GUI thread only paints the pages in view."""
    figures = governors_report.figures(session, year)
    name = session.school.name
    last = _LAID_OUT.get(session)
    if last is not None and last[0] is figures and last[1] == name:
        return last[2], last[3]
    documents = [document.build(figures, name)]
    laid_out = lay_out(documents)
    _LAID_OUT[session] = (figures, name, documents, laid_out)
    return documents, laid_out


class GovernorsPreview(DocumentPanel):
    """The document panel's save and print, for the chosen year's report, with its pages
    painted as they come into view (ui/page_view.py) instead of all at once by Qt's print
    preview: at a county's size the report runs to dozens of pages."""

    def __init__(self, session: Session, year: QComboBox, parent: QWidget | None = None,
                 runner: OpRunner | None = None) -> None:
        super().__init__(session, None, lambda: document.KIND, parent, runner)
        self.year = year
        self.page_view = PageView(self)
        self.page_view.setObjectName("preview_pages")
        self.layout().replaceWidget(self.preview, self.page_view)
        self.preview.hide()
        self.preview.setEnabled(False)
        self.zoom_label.setMinimumWidth(self.zoom_label.fontMetrics().horizontalAdvance("888%"))

    def zoom(self, factor: float) -> None:
        self.page_view.set_zoom(self.page_view.zoom_factor() * factor)
        self._show_zoom()

    def fit_page(self) -> None:
        self.page_view.fit_page()
        self._show_zoom()

    def _show_zoom(self) -> None:
        self.zoom_label.setText(f"{round(self.page_view.zoom_factor() * 100)}%")

    def page_count(self) -> int:
        return self.page_view.page_count() if self.documents else 0

    def refresh(self) -> None:
        try:
            documents, laid_out = self.runner.call(build_report, self.year.currentText())
        except Refused:
            return
        except SendeskError as exc:
            if not alive(self):
                return
            self.documents = []
            self.page_view.set_pages(None)
            self.message.setText(str(exc))
            self.message.setStyleSheet("color: #b3261e")
        else:
            if not alive(self):
                return
            self.documents = list(documents)
            self.page_view.set_pages(laid_out)
            self.message.setText("")
        count = self.page_count()
        self.pages.setText("" if not count else f"{count} page{'s' if count != 1 else ''}")
        self.message.setVisible(bool(self.message.text()))
        for widget in (self.save_button, self.print_button):
            widget.setEnabled(self.allowed and bool(self.documents))
        self._show_zoom()
        self.built.emit()


class GovernorsReportWindow(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.setObjectName("governors_report")
        self.setWindowTitle("Governors' report - sendesk")
        fit_to_screen(self, 900, 820)
        latest = of_day(session.clock.today()).start_year
        # Made with the window as parent before the preview panel, so Tab runs in reading
        # order: the year, Preview, CSV, then the panel's buttons and pages.
        self.year = QComboBox(self, objectName="school_year")
        self.year.addItems([SchoolYear(y).label for y in range(latest, EARLIEST - 1, -1)])
        year_label = QLabel("School &year:", self)
        label_for(year_label, self.year)
        self.show_button = QPushButton("&Preview", self, objectName="preview_report")
        self.show_button.setDefault(True)
        self.csv_button = QPushButton("Save figures as &CSV...", self, objectName="save_csv")
        allowed = session.can(Permission.EXPORT_DOCUMENTS)
        self.csv_button.setEnabled(allowed)
        if not allowed:
            self.csv_button.setToolTip("Your role does not allow documents to leave sendesk.")
        self.panel = GovernorsPreview(session, self.year, self, self.runner)
        self.show_button.clicked.connect(self.panel.refresh)
        self.year.activated.connect(lambda _=0: self.panel.refresh_soon())
        self.csv_button.clicked.connect(self.save_csv)
        top = QHBoxLayout()
        top.addWidget(year_label)
        top.addWidget(self.year)
        top.addWidget(self.show_button)
        top.addStretch(1)
        top.addWidget(self.csv_button)
        note = QLabel("Register size at each census day by status, need, year group and sex; "
                      "movement on and off the register; reviews held on time; EHC needs "
                      "assessment requests; spend against the notional SEN budget; and the "
                      "impact of provision. Counts under 5 read \"fewer than 5\".", wordWrap=True)
        note.setStyleSheet("color: #555")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(self.panel, 1)
        self._opened = False

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        """On opening: the chosen year's report is shown at once (an empty grey preview with
        Save as PDF greyed out said nothing), and the cursor is in the year box."""
        super().showEvent(event)
        if not self._opened:
            self._opened = True
            self.year.setFocus()
            self.panel.refresh_soon()

    def save_csv(self) -> None:
        title = "Save the governors' figures as CSV"
        year = self.year.currentText()
        path = prompts.save_file(self, title, str(export_dir() / f"governors-{year.replace('/', '-')}.csv"),
                                 "CSV files (*.csv)")
        if path is None:
            return
        path = ending_in(path, ".csv")
        try:
            self.runner.call(governors_report.export_csv, year, path, sender=self.csv_button)
        except SendeskError as exc:
            prompts.error(self, title, str(exc))
            return
        prompts.info(self, title, f"Saved the {year} figures to {path.name}. They count pupils "
                                  "and never name them.")
