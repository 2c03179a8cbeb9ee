"""Laid-out document pages on screen, each painted only when it scrolls into view.

Qt's print preview asks for every page at once, on the GUI thread: the governors' report at a
county's 60,000 pupils is 47 pages, and laying them out and recording them there held the
window still for over half a second (docs/performance.md). Here the pages are laid out on the
worker (sendesk.pdf.layout, as the PDF is, so lines and pages break in the same places) and
this view paints the one or two on screen from the laid-out drawing, the same painter calls
the PDF is made of, scaled to the zoom.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from ..documents.model import Document
from ..pdf.layout import layout
from ..pdf.page import PAGE_MM, Metrics, Page, paint_band

GAP = 12                 # pixels between pages and around them
SCREEN_DPI = 96.0        # zoom 100%: the page at its real size on a 96 dpi screen
BACKDROP = QColor("#8a8a8a")


@dataclass(frozen=True)
class LaidOutPage:
    document: Document
    page: Page
    number: int
    total: int


@dataclass(frozen=True)
class LaidOut:
    metrics: Metrics
    pages: tuple[LaidOutPage, ...]


def lay_out(documents: list[Document]) -> LaidOut:
    """On the worker: every document's pages, each numbered within its document."""
    metrics = Metrics()
    pages: list[LaidOutPage] = []
    for document in documents:
        laid = layout(document, metrics)
        pages += [LaidOutPage(document, page, number, len(laid))
                  for number, page in enumerate(laid, start=1)]
    return LaidOut(metrics, tuple(pages))


class PageView(QAbstractScrollArea):
    """The pages one under another on a grey backdrop; scroll with the bar, the wheel or the
    arrow and Page Up / Page Down keys. Fits the width until zoomed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.laid_out: LaidOut | None = None
        self._zoom = 1.0
        self._fit_width = True
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Document preview")
        self.viewport().setAccessibleName("Document preview")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

    # --- what is shown ---------------------------------------------------------------------
    def set_pages(self, laid_out: LaidOut | None) -> None:
        self.laid_out = laid_out
        self.verticalScrollBar().setValue(0)
        self._update_bars()
        self.viewport().update()

    def page_count(self) -> int:
        return len(self.laid_out.pages) if self.laid_out else 0

    def zoom_factor(self) -> float:
        if self._fit_width:
            self._zoom = self._width_zoom()
        return self._zoom

    def set_zoom(self, factor: float) -> None:
        self._fit_width = False
        self._zoom = max(0.1, min(8.0, factor))
        self._update_bars()
        self.viewport().update()

    def fit_page(self) -> None:
        """The whole of one page in view."""
        height = max(self.viewport().height() - 2 * GAP, 50)
        self.set_zoom(min(self._width_zoom(), height / self._page_px(1.0)[1]))

    # --- geometry --------------------------------------------------------------------------
    @staticmethod
    def _page_px(zoom: float) -> tuple[float, float]:
        scale = zoom * SCREEN_DPI / 25.4
        return PAGE_MM[0] * scale, PAGE_MM[1] * scale

    def _width_zoom(self) -> float:
        width = max(self.viewport().width() - 2 * GAP, 50)
        return width / self._page_px(1.0)[0]

    def _update_bars(self) -> None:
        width, height = self._page_px(self.zoom_factor())
        total = GAP + self.page_count() * (height + GAP)
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, round(total - self.viewport().height())))
        bar.setPageStep(self.viewport().height())
        bar.setSingleStep(40)
        across = self.horizontalScrollBar()
        across.setRange(0, max(0, round(width + 2 * GAP - self.viewport().width())))
        across.setPageStep(self.viewport().width())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_bars()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    # --- painting: only the pages in view ----------------------------------------------------
    def visible_pages(self) -> list[int]:
        """The indexes of the pages at least partly on screen."""
        _, height = self._page_px(self.zoom_factor())
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        first = max(0, int((top - GAP) // (height + GAP)))
        shown = []
        for index in range(first, self.page_count()):
            page_top = GAP + index * (height + GAP)
            if page_top >= bottom:
                break
            if page_top + height > top:
                shown.append(index)
        return shown

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(self.viewport().rect(), BACKDROP)
        if self.laid_out is None:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        width, height = self._page_px(self.zoom_factor())
        left = max(GAP, (self.viewport().width() - width) / 2) - self.horizontalScrollBar().value()
        metrics = self.laid_out.metrics
        units = metrics.mm(PAGE_MM[0])
        for index in self.visible_pages():
            top = GAP + index * (height + GAP) - self.verticalScrollBar().value()
            shown = self.laid_out.pages[index]
            painter.resetTransform()
            painter.fillRect(QRectF(left, top, width, height), Qt.GlobalColor.white)
            painter.translate(left, top)
            painter.scale(width / units, width / units)
            painter.setClipRect(QRectF(0, 0, units, metrics.mm(PAGE_MM[1])))
            paint_band(painter, metrics, shown.document, shown.number, shown.total)
            for op in shown.page.ops:
                op(painter)
            painter.setClipping(False)
        painter.end()
