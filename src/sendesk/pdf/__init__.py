"""Documents to PDF (and to a printer or preview images) with Qt's own painter: no office suite,
no temporary files.

Only QtGui and QtCore are used, so the command line can render without any window system: when
no Qt application is running, an offscreen QGuiApplication is made. PDFs are built in memory.

This package only paints. Who may save or print a document, writing the file and the audit
entry are the core's (sendesk.documents.export); export_documents(), save_pdf() and
print_documents() here are thin ways into those operations with this package's drawing.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
from PySide6.QtGui import QGuiApplication, QPagedPaintDevice, QPageLayout, QPainter, QPdfWriter

from ..documents import export
from ..documents.model import Document
from ..session import Session
from .layout import layout
from .page import REFERENCE_DPI, Metrics, a4, begin_page, paint_band

PDF_RESOLUTION = REFERENCE_DPI
_app: QGuiApplication | None = None


def ensure_gui() -> None:
    """Qt paints text only inside a GUI application; make an offscreen one if none runs."""
    global _app
    if QGuiApplication.instance() is not None:
        return
    argv = ["sendesk"]
    if sys.platform != "win32" and not os.environ.get("QT_QPA_PLATFORM"):
        argv += ["-platform", "offscreen"]
    _app = QGuiApplication(argv)


def _as_list(documents: Document | Sequence[Document]) -> list[Document]:
    return [documents] if isinstance(documents, Document) else list(documents)


def paint(documents: Document | Sequence[Document], device: QPagedPaintDevice) -> int:
    """Paint the documents onto a PDF writer or printer, each starting on a new page and
    numbered on its own; returns the number of pages."""
    ensure_gui()
    docs = _as_list(documents)
    if not docs:
        raise ValueError("nothing to paint")
    metrics = Metrics()
    laid_out = [(doc, layout(doc, metrics)) for doc in docs]
    painter = QPainter()
    if not painter.begin(device):
        from ..errors import SendeskError
        raise SendeskError("The printer or PDF could not be started.")
    pages = 0
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        for doc, doc_pages in laid_out:
            for number, page in enumerate(doc_pages, start=1):
                if pages:
                    device.newPage()
                begin_page(painter, device)
                paint_band(painter, metrics, doc, number, len(doc_pages))
                for op in page.ops:
                    op(painter)
                pages += 1
    finally:
        painter.end()
    return pages


def render_pdf(documents: Document | Sequence[Document]) -> bytes:
    """One PDF holding every document given, built in memory."""
    ensure_gui()
    docs = _as_list(documents)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_RESOLUTION)
    writer.setPageLayout(QPageLayout(a4(), QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0),
                                     QPageLayout.Unit.Millimeter))
    writer.setTitle(docs[0].title if len(docs) == 1 else f"{docs[0].title} ({len(docs)} copies)")
    writer.setCreator("sendesk")
    paint(docs, writer)
    del writer
    buffer.close()
    return bytes(data.data())


_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def page_count(pdf: bytes) -> int:
    """How many pages a PDF made by render_pdf has."""
    return len(_PAGE.findall(pdf))


def render_counted(documents: Sequence[Document]) -> tuple[bytes, int]:
    """The PDF and its page count: the drawing documents.export's operations are handed."""
    pdf = render_pdf(documents)
    return pdf, page_count(pdf)


def export_documents(session: Session, pupil_id: int | None, kind: str, path: Path) -> int:
    """documents.export.export_documents, drawn by this package."""
    return export.export_documents(session, pupil_id, kind, path, render_counted)


def save_pdf(session: Session, documents: Sequence[Document], pupil_id: export.Pupils,
             kind: str, path: Path) -> int:
    """documents.export.save_documents, drawn by this package."""
    return export.save_documents(session, documents, pupil_id, kind, path, render_counted)


def print_documents(session: Session, documents: Sequence[Document], device: QPagedPaintDevice,
                    pupil_id: export.Pupils, kind: str) -> int:
    """documents.export.print_documents, painted onto the printer by this package."""
    return export.print_documents(session, documents, pupil_id, kind,
                                  lambda docs: paint(docs, device))
