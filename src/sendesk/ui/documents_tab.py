"""Documents on screen: the pupil record's "Documents" tab, and the preview-save-print panel it
shares with the whole-school provision map.

The preview is painted by the same code as the PDF (sendesk.pdf.paint onto Qt's print preview),
so what is seen is what is saved or printed; nothing is written to disk for it. "Save as PDF..."
writes only the file the user chooses and "Print..." goes through Qt's print dialog; both are
for those who may export documents, and both are recorded in the audit log.

Building, saving and printing run on the OpRunner; the pupil's Documents tab builds its
document again when the runner reports any change to the pupil (once it has been looked at).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import pdf
from ..documents import build_documents
from ..documents.model import KINDS, Document
from ..errors import SendeskError
from ..models.roles import Permission
from ..operations import Changes
from ..session import Session
from ..settings import export_dir
from .prompts import ending_in, prompts
from .record_changes import runner_for, touches
from .runner import OpRunner, Refused, alive


def a4_printer(mode: QPrinter.PrinterMode = QPrinter.PrinterMode.ScreenResolution) -> QPrinter:
    """A printer set up as the PDFs are: A4 portrait, painting from the paper's edge (the
    documents draw their own margins)."""
    printer = QPrinter(mode)
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                      QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    printer.setFullPage(True)
    return printer


ZOOM_STEP = 1.25  # each Zoom in or out


def file_name(text: str) -> str:
    """A safe default file name from a title and a pupil's name."""
    # "2026/27" keeps its years apart ("2026-27"), not run together as "202627".
    cleaned = re.sub(r"[^\w\- ]+", "", text.replace("/", "-"), flags=re.UNICODE).strip()
    return re.sub(r"\s+", " ", cleaned)[:80] or "document"


class DocumentPanel(QWidget):
    """Preview, save and print the pupil's documents of the chosen kind (built on demand)."""

    built = Signal()   # the documents were built again and are on screen

    def __init__(self, session: Session, pupil_id: int | None, kind: Callable[[], str],
                 parent: QWidget | None = None, runner: OpRunner | None = None) -> None:
        """``kind`` names the document to build, read on the GUI thread each time."""
        super().__init__(parent)
        self.session, self.pupil_id, self.kind = session, pupil_id, kind
        self.runner = runner_for(session, runner, self)
        self.documents: list[Document] = []
        self.message = QLabel(objectName="document_message", wordWrap=True)
        self.pages = QLabel(objectName="document_pages")
        self.printer = a4_printer()
        self.preview = QPrintPreviewWidget(self.printer, self, objectName="preview")
        self.preview.paintRequested.connect(self._paint_preview)
        self.preview.setZoomMode(QPrintPreviewWidget.ZoomMode.FitToWidth)
        for page_view in self.preview.findChildren(QGraphicsView):   # what Tab reaches inside
            page_view.setAccessibleName("Document preview")
        allowed = session.can(Permission.EXPORT_DOCUMENTS)
        self.save_button = QPushButton("&Save as PDF...", objectName="save_pdf")
        self.save_button.clicked.connect(self.save_pdf)
        self.print_button = QPushButton("&Print...", objectName="print")
        self.print_button.clicked.connect(self.print_documents)
        for widget in (self.save_button, self.print_button):
            widget.setEnabled(False)
            if not allowed:
                widget.setToolTip("Your role does not allow documents to leave sendesk.")
        self.allowed = allowed
        self.zoom_label = QLabel(objectName="zoom_level")
        bar = QHBoxLayout()
        bar.addWidget(self.pages, 1)
        for button in self._zoom_buttons():
            bar.addWidget(button)
        bar.addWidget(self.zoom_label)
        bar.addSpacing(12)
        bar.addWidget(self.save_button)
        bar.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addLayout(bar)
        layout.addWidget(self.preview, 1)

    def _zoom_buttons(self) -> list[QToolButton]:
        """Zoom out, zoom in and fit the page, each a button with the usual shortcut (which
        works anywhere in the panel): Ctrl+- , Ctrl++ (or Ctrl+=) and Ctrl+0."""
        buttons = []
        for name, text, keys, slot in (
                ("zoom_out", "Zoom out", ["Ctrl+-"],
                 lambda: self.zoom(1 / ZOOM_STEP)),
                ("zoom_in", "Zoom in", ["Ctrl++", "Ctrl+="],
                 lambda: self.zoom(ZOOM_STEP)),
                ("fit_page", "Fit page", ["Ctrl+0"], self.fit_page)):
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(key) for key in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setToolTip(f"{text} ({QKeySequence(keys[0]).toString()})")
            action.triggered.connect(slot)
            self.addAction(action)
            button = QToolButton(objectName=name)
            button.setDefaultAction(action)
            button.setAccessibleName(text)
            buttons.append(button)
        return buttons

    def zoom(self, factor: float) -> None:
        self.preview.setZoomMode(QPrintPreviewWidget.ZoomMode.CustomZoom)
        self.preview.setZoomFactor(max(0.1, min(8.0, self.preview.zoomFactor() * factor)))
        self._show_zoom()

    def fit_page(self) -> None:
        self.preview.fitInView()
        self._show_zoom()

    def _show_zoom(self) -> None:
        self.zoom_label.setText(f"{round(self.preview.zoomFactor() * 100)}%")

    def refresh_soon(self) -> None:
        """Build once the event that asked (a kind chosen in the box, the tab shown) is over.

        Building waits for the worker in a local event loop, in which the user may close the
        record window: Qt then deletes it there, and had the wait begun inside the combo box's
        or the tab's own event handler, that handler would go on in a deleted widget and crash
        the app. Started from a timer, nothing of the widget is left on the stack, and the
        timer is dropped if the panel has gone first."""
        QTimer.singleShot(0, self, self.refresh)

    def refresh(self) -> None:
        """Build the documents again from the record and show them.

        Built through the runner as the operation it is (build_documents, audited), so what
        building reads is in the seam's change tracking; the kind is read here, on the GUI
        thread, never by the worker from a widget."""
        try:
            documents = list(self.runner.call(build_documents, self.pupil_id, self.kind()))
            if not alive(self):
                return   # the record window closed while the worker built them
            self.documents = documents
        except Refused:
            return   # locked while it was built: the window is gone
        except SendeskError as exc:
            if not alive(self):
                return
            self.documents = []
            self.message.setText(str(exc))
            self.message.setStyleSheet("color: #b3261e")
        else:
            copies = len(self.documents)
            self.message.setStyleSheet("")
            self.message.setText(
                "" if copies <= 1 else
                f"{copies} letters, one for each person with parental responsibility: "
                + ", ".join(d.recipient for d in self.documents) + ".")
        self.message.setVisible(bool(self.message.text()))
        for widget in (self.save_button, self.print_button):
            widget.setEnabled(self.allowed and bool(self.documents))
        self.preview.updatePreview()
        self._show_zoom()
        self.built.emit()

    def _paint_preview(self, printer: QPrinter) -> None:
        if not self.documents:
            self.pages.setText("")
            return
        count = pdf.paint(self.documents, printer)
        self.pages.setText(f"{count} page{'s' if count != 1 else ''}")

    def page_count(self) -> int:
        return self.preview.pageCount() if self.documents else 0

    def default_name(self) -> str:
        first = self.documents[0]
        return file_name(f"{first.title} {first.pupil_name}".replace(":", "")) + ".pdf"

    def save_pdf(self) -> Path | None:
        if not self.documents:
            return None
        path = prompts.save_file(self, "Save as PDF", str(export_dir() / self.default_name()),
                                 "PDF files (*.pdf)")
        if path is None:
            return None
        path = ending_in(path, ".pdf")
        try:
            pages = self.runner.call(pdf.save_pdf, self.documents, self.pupil_id, self.kind(), path,
                                     sender=self.save_button)
        except SendeskError as exc:
            prompts.error(self, "Save as PDF", str(exc))
            return None
        prompts.info(self, "Save as PDF",
                     f"Saved {pages} page{'s' if pages != 1 else ''} to {path.name}. The file is "
                     "not encrypted: keep it on the school's network or an encrypted drive, and "
                     "delete copies you no longer need.")
        return path

    def print_documents(self) -> bool:
        if not self.documents:
            return False
        printer = a4_printer(QPrinter.PrinterMode.HighResolution)
        if not prompts.print_setup(self, printer):
            return False
        try:
            self.runner.call(pdf.print_documents, self.documents, printer, self.pupil_id,
                             self.kind(), sender=self.print_button)
        except SendeskError as exc:
            prompts.error(self, "Print", str(exc))
            return False
        return True


class DocumentsTab(QWidget):
    """Choose a kind of document for the pupil, see it, save it as PDF or print it."""

    def __init__(self, session: Session, pupil_id: int, parent: QWidget | None = None,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id = session, pupil_id
        self.runner = runner_for(session, runner, self)
        self.setObjectName("tab_documents")
        self.kinds = QComboBox(objectName="kind")
        self.kinds.setAccessibleName("Document")
        for kind in KINDS.values():
            self.kinds.addItem(kind.label, kind.key)
        self.description = QLabel(objectName="kind_description", wordWrap=True)
        self.description.setStyleSheet("color: #555")
        self.panel = DocumentPanel(session, pupil_id, self.kind, self, self.runner)
        self.kinds.currentIndexChanged.connect(self._kind_changed)
        top = QHBoxLayout()
        top.addWidget(QLabel("Document:"))
        top.addWidget(self.kinds)
        top.addWidget(self.description, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.panel, 1)
        self._shown = False
        self._stale = False
        self.description.setText(KINDS[self.kind()].description)
        self.runner.changed.connect(self._runner_changed)

    def _runner_changed(self, changes: Changes) -> None:
        """Built again at once when on screen; otherwise the next time it is looked at (building
        reads, and audits, the whole record)."""
        if alive(self) and self._shown and touches(changes, self.pupil_id):
            if self.isVisible():
                    self.panel.refresh_soon()
            else:
                self._stale = True

    def kind(self) -> str:
        return str(self.kinds.currentData())

    def choose(self, key: str) -> None:
        self.kinds.setCurrentIndex(self.kinds.findData(key))

    def _kind_changed(self) -> None:
        self.description.setText(KINDS[self.kind()].description)
        if self._shown:
            self._stale = False
            self.panel.refresh_soon()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Documents are built when the tab is first looked at, not when the record opens
        (building one reads, and audits, the whole record)."""
        super().showEvent(event)
        if not self._shown or self._stale:
            self._shown, self._stale = True, False
            self.panel.refresh_soon()

