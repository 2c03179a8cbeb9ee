"""Laying a Document out on A4 pages and painting it onto any paged device (a PDF writer, a
printer, or images for the on-screen preview).

Layout is done first, page by page, so the total is known before anything is painted and every
page can say "Page n of m". Everything is laid out in the units of one reference resolution
and scaled to the device it is painted on, so a PDF, a print-out and the preview break their
lines and pages in exactly the same places.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QImage, QPageSize, QPaintDevice, QPainter,
                           QPen, QTextLayout, QTextOption)

from ..documents.model import (AddressBlock, Block, BulletList, Document, Heading, KeyValues,
                               Letterhead, PageBreak, Paragraph, Signature, SignatureBoxes, Spacer,
                               Table, printable)

# Layout units: dots at this resolution (QPdfWriter's own default).
REFERENCE_DPI = 1200

PAGE_MM = (210.0, 297.0)
MARGIN_MM = 20.0
TOP_MM = 24.0      # body starts below the header band
BOTTOM_MM = 22.0   # body ends above the footer band
# Widely available sans-serif faces, most legible first; the first one installed is used.
FONT_FAMILIES = ["Arial", "Helvetica", "Liberation Sans", "DejaVu Sans", "Noto Sans"]
SIZES = {"body": 11.0, "small": 9.5, "emphasis": 11.0, "table": 10.0, "band": 9.0,
         "title": 18.0, "subtitle": 12.0, 1: 15.0, 2: 12.5, 3: 11.0, "school": 16.0}
INK = QColor("#111111")
GREY = QColor("#555555")
RULE = QColor("#9e9e9e")
HEADER_FILL = QColor("#e6e6e6")
TOTAL_FILL = QColor("#f2f2f2")

Op = Callable[[QPainter], None]


def font(size_key: str | int, *, bold: bool = False, italic: bool = False) -> QFont:
    chosen = QFont()
    chosen.setFamilies(FONT_FAMILIES)
    chosen.setStyleHint(QFont.StyleHint.SansSerif)
    # Sized in reference dots, not points, so that the size does not depend on the device.
    chosen.setPixelSize(round(SIZES[size_key] * REFERENCE_DPI / 72))
    chosen.setBold(bold)
    chosen.setItalic(italic)
    # Without ligatures 'fi' is copied, searched and read aloud as two letters, not one glyph.
    if hasattr(QFont, "setFeature"):
        for tag in ("liga", "clig"):
            chosen.setFeature(QFont.Tag.fromString(tag), 0)
    return chosen


@dataclass
class _Line:
    text: str
    height: float
    ascent: float


@dataclass
class Page:
    ops: list[Op] = field(default_factory=list)


class Metrics:
    """Millimetres to layout units, and wrapped text measured at the reference resolution."""

    def __init__(self) -> None:
        self.device = QImage(1, 1, QImage.Format.Format_RGB32)
        dots_per_metre = round(REFERENCE_DPI / 0.0254)
        self.device.setDotsPerMeterX(dots_per_metre)
        self.device.setDotsPerMeterY(dots_per_metre)
        self.per_mm = REFERENCE_DPI / 25.4

    def fm(self, used: QFont) -> QFontMetricsF:
        return QFontMetricsF(used, self.device)

    def mm(self, value: float) -> float:
        return value * self.per_mm

    def wrap(self, text: str, used: QFont, width: float) -> list[_Line]:
        """Lines of the text (its own line breaks kept), each at most `width` wide."""
        lines: list[_Line] = []
        metrics = QFontMetricsF(used, self.device)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        for paragraph in (text or "").split("\n"):
            paragraph = paragraph.replace("\t", "    ")
            if not paragraph.strip():
                lines.append(_Line("", metrics.height(), metrics.ascent()))
                continue
            layout = QTextLayout(paragraph, used, self.device)
            layout.setTextOption(option)
            layout.beginLayout()
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(max(width, 1.0))
                start, length = line.textStart(), line.textLength()
                lines.append(_Line(paragraph[start:start + length].rstrip(), line.height(),
                                   line.ascent()))
            layout.endLayout()
        return lines


def _draw_lines(lines: Sequence[_Line], used: QFont, x: float, y: float, *, color: QColor = INK,
                align_right_at: float | None = None, metrics: Metrics | None = None) -> Op:
    def op(painter: QPainter) -> None:
        painter.setFont(used)
        painter.setPen(color)
        top = y
        for line in lines:
            if align_right_at is not None:
                advance = metrics.fm(used).horizontalAdvance(line.text) if metrics else 0.0
                painter.drawText(QPointF(align_right_at - advance, top + line.ascent), line.text)
            else:
                painter.drawText(QPointF(x, top + line.ascent), line.text)
            top += line.height
    return op


class Pager:
    """Places blocks of one document down the pages, starting a page when one is full."""

    def __init__(self, metrics: Metrics, document: Document) -> None:
        self.m = metrics
        self.doc = document
        self.left = metrics.mm(MARGIN_MM)
        self.width = metrics.mm(PAGE_MM[0] - 2 * MARGIN_MM)
        self.top = metrics.mm(TOP_MM)
        self.bottom = metrics.mm(PAGE_MM[1] - BOTTOM_MM)
        self.pages: list[Page] = [Page()]
        self.y = self.top

    # -- the page ---------------------------------------------------------------------------
    @property
    def page(self) -> Page:
        return self.pages[-1]

    def room(self) -> float:
        return self.bottom - self.y

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = self.top

    def ensure(self, height: float) -> None:
        """Start a new page unless `height` fits below what is already on this one."""
        if height > self.room() and self.y > self.top:
            self.new_page()

    def gap(self, millimetres: float) -> None:
        if self.y > self.top:
            self.y = min(self.y + self.m.mm(millimetres), self.bottom)

    def place_lines(self, lines: list[_Line], used: QFont, x: float | None = None, *,
                    color: QColor = INK, keep: int = 2) -> None:
        """Lines flow onto the next page when they must, never leaving fewer than `keep`
        lines of a paragraph alone at the foot of a page."""
        x = self.left if x is None else x
        index = 0
        while index < len(lines):
            if index == 0:
                self.ensure(sum(line.height for line in lines[:keep]))
            chunk: list[_Line] = []
            height = 0.0
            while index < len(lines) and (height + lines[index].height <= self.room() or not chunk
                                          and self.y == self.top):
                chunk.append(lines[index])
                height += lines[index].height
                index += 1
            if chunk:
                self.page.ops.append(_draw_lines(chunk, used, x, self.y, color=color))
                self.y += height
            if index < len(lines):
                self.new_page()

    # -- blocks ------------------------------------------------------------------------------
    def title(self) -> None:
        if not self.doc.show_title:
            return
        used = font("title", bold=True)
        self.place_lines(self.m.wrap(self.doc.title, used, self.width), used)
        if self.doc.subtitle:
            sub = font("subtitle")
            self.place_lines(self.m.wrap(self.doc.subtitle, sub, self.width), sub, color=GREY)
        self.gap(5)

    def block(self, block: Block, following: Block | None) -> None:
        if isinstance(block, Heading):
            self.heading(block, following)
        elif isinstance(block, Paragraph):
            used = font("small" if block.style == "small" else "body",
                        italic=block.style == "emphasis")
            indent = self.m.mm(5) if block.style == "emphasis" else 0.0
            self.place_lines(self.m.wrap(block.text, used, self.width - indent), used,
                             self.left + indent, color=GREY if block.style == "small" else INK)
            self.gap(2.5)
        elif isinstance(block, BulletList):
            self.bullets(block)
        elif isinstance(block, KeyValues):
            self.key_values(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Letterhead):
            self.letterhead(block)
        elif isinstance(block, AddressBlock):
            self.address(block)
        elif isinstance(block, SignatureBoxes):
            self.signature_boxes(block)
        elif isinstance(block, Signature):
            self.signature(block)
        elif isinstance(block, Spacer):
            self.gap(block.millimetres)
        elif isinstance(block, PageBreak):
            if self.y > self.top:
                self.new_page()

    def heading(self, block: Heading, following: Block | None) -> None:
        used = font(min(max(block.level, 1), 3), bold=True)
        lines = self.m.wrap(block.text, used, self.width)
        height = sum(line.height for line in lines)
        # Keep a heading with the start of what follows it.
        follow = 0.0 if following is None or isinstance(following, PageBreak) else self.m.mm(22)
        self.gap(3 if block.level == 1 else 2)
        self.ensure(height + follow)
        self.place_lines(lines, used)
        if block.level == 1:
            y, left, right = self.y + self.m.mm(0.8), self.left, self.left + self.width
            self.page.ops.append(lambda p: (p.setPen(QPen(RULE, self.m.mm(0.3))),
                                            p.drawLine(QPointF(left, y), QPointF(right, y))))
            self.y += self.m.mm(1.6)
        self.y += self.m.mm(1.5)

    def bullets(self, block: BulletList) -> None:
        used = font("body")
        indent = self.m.mm(6)
        for item in block.items:
            lines = self.m.wrap(item, used, self.width - indent)
            self.ensure(lines[0].height if lines else 0)
            y, left = self.y, self.left + self.m.mm(1.5)
            first = lines[0] if lines else None
            if first is not None:
                self.page.ops.append(_draw_lines([_Line("\u2022", first.height, first.ascent)],
                                                 used, left, y))
            self.place_lines(lines, used, self.left + indent, keep=1)
            self.y += self.m.mm(1)
        self.gap(1.5)

    def key_values(self, block: KeyValues) -> None:
        label_font, value_font = font("body", bold=True), font("body")
        label_width = self.width * 0.34
        for key, value in block.rows:
            labels = self.m.wrap(key, label_font, label_width - self.m.mm(3))
            values = self.m.wrap(value, value_font, self.width - label_width)
            height = max(sum(l.height for l in labels), sum(l.height for l in values))
            if height <= self.bottom - self.top:
                self.ensure(height)
                self.page.ops.append(_draw_lines(labels, label_font, self.left, self.y))
                self.page.ops.append(_draw_lines(values, value_font, self.left + label_width,
                                                 self.y))
                self.y += height + self.m.mm(0.8)
            else:
                self.place_lines(labels, label_font)
                self.place_lines(values, value_font, self.left + label_width)
        self.gap(2.5)

    # -- tables ------------------------------------------------------------------------------
    def table(self, block: Table) -> None:
        if not block.rows:
            used = font("small")
            self.place_lines(self.m.wrap(block.empty_text, used, self.width), used, color=GREY)
            self.gap(2.5)
            return
        pad = self.m.mm(1.5)
        head_font, cell_font = font("table", bold=True), font("table")
        widths = self._column_widths(block, head_font, cell_font, pad)

        def cells(row: Sequence[str], used: QFont) -> list[list[_Line]]:
            return [self.m.wrap(text, used, width - 2 * pad) for text, width in zip(row, widths)]

        header = cells(block.header, head_font)
        header_height = max(sum(l.height for l in c) for c in header) + 2 * pad

        def draw_header() -> None:
            self.page.ops.append(self._row_op(header, widths, self.y, header_height, head_font,
                                              pad, HEADER_FILL))
            self.y += header_height

        rows = [(cells(row, cell_font), cell_font, None) for row in block.rows]
        if block.total:
            bold = font("table", bold=True)
            rows.append((cells(block.total, bold), bold, TOTAL_FILL))
        first_row = rows[0][0]
        first_height = max(sum(l.height for l in c) for c in first_row) + 2 * pad
        self.ensure(header_height + min(first_height, self.m.mm(30)))
        draw_header()
        for row_cells, used, fill in rows:
            remaining = row_cells
            while remaining:
                height = max(sum(l.height for l in c) for c in remaining) + 2 * pad
                if height <= self.room():
                    self.page.ops.append(self._row_op(remaining, widths, self.y, height, used,
                                                      pad, fill))
                    self.y += height
                    break
                # A row of ordinary height moves to the next page whole; only a row too tall
                # to sit well on a page is cut where the page ends.
                short_row = height <= (self.bottom - self.top) / 3
                fits, rest = (None, remaining) if short_row else \
                    self._split_row(remaining, self.room() - 2 * pad)
                if fits is not None:
                    piece = max(sum(l.height for l in c) for c in fits) + 2 * pad
                    self.page.ops.append(self._row_op(fits, widths, self.y, piece, used, pad, fill))
                    self.y += piece
                    remaining = rest
                self.new_page()
                draw_header()
        self.gap(3)

    def _column_widths(self, block: Table, head_font: QFont, cell_font: QFont,
                       pad: float) -> list[float]:
        """The block's relative widths, widened where a column's longest word would otherwise
        be broken (taking the room from columns that have some to spare)."""
        count = len(block.header)
        weights = list(block.widths) if len(block.widths) == count else [1.0] * count
        widths = [self.width * w / sum(weights) for w in weights]
        head, body = self.m.fm(head_font), self.m.fm(cell_font)
        needed = []
        for column in range(count):
            words = [(head, w) for w in block.header[column].split()]
            words += [(body, w) for row in block.rows for w in row[column].split()]
            words += [(head, w) for w in (block.total[column].split() if block.total else [])]
            longest = max((fm.horizontalAdvance(w) for fm, w in words), default=0.0)
            needed.append(min(longest + 2 * pad + 1, self.width * 0.4))
        for _ in range(count):
            short = [c for c in range(count) if widths[c] < needed[c] - 0.5]
            if not short:
                break
            for c in short:
                lack = needed[c] - widths[c]
                spare = {d: widths[d] - needed[d] for d in range(count)
                         if d not in short and widths[d] > needed[d]}
                room = sum(spare.values())
                if room <= 0:
                    break
                take = min(lack, room)
                for d, extra in spare.items():
                    widths[d] -= take * extra / room
                widths[c] += take
        return widths

    @staticmethod
    def _split_row(row: list[list[_Line]], room: float
                   ) -> tuple[list[list[_Line]] | None, list[list[_Line]]]:
        """Cut a row too tall for the space left: the lines that fit, and the rest. None when
        not even one line fits (or only a sliver would), so the row starts on the next page."""
        smallest = max((c[0].height for c in row if c), default=0.0)
        if room < smallest * 3:
            return None, row
        fits, rest = [], []
        for cell in row:
            height, cut = 0.0, 0
            while cut < len(cell) and height + cell[cut].height <= room:
                height += cell[cut].height
                cut += 1
            fits.append(cell[:cut])
            rest.append(cell[cut:])
        if not any(rest):
            return fits, []
        return fits, rest

    def _row_op(self, row: list[list[_Line]], widths: list[float], y: float, height: float,
                used: QFont, pad: float, fill: QColor | None) -> Op:
        left = self.left
        pen_width = self.m.mm(0.2)

        def op(painter: QPainter) -> None:
            x = left
            for cell, width in zip(row, widths):
                rect = QRectF(x, y, width, height)
                if fill is not None:
                    painter.fillRect(rect, fill)
                painter.setPen(QPen(RULE, pen_width))
                painter.drawRect(rect)
                _draw_lines(cell, used, x + pad, y + pad)(painter)
                x += width
        return op

    # -- letters and forms -------------------------------------------------------------------
    def letterhead(self, block: Letterhead) -> None:
        logo_height = self.m.mm(22)
        logo = QImage.fromData(block.logo) if block.logo else QImage()
        logo_width = 0.0
        if not logo.isNull():
            logo_width = min(self.m.mm(55), logo_height * logo.width() / max(logo.height(), 1))
        text_width = self.width - logo_width - (self.m.mm(5) if logo_width else 0)
        name_font, line_font = font("school", bold=True), font("small")
        names = self.m.wrap(block.school_name, name_font, text_width)
        details = [l for line in block.lines for l in self.m.wrap(line, line_font, text_width)]
        height = max(sum(l.height for l in names + details), logo_height if logo_width else 0)
        top, left, right = self.y, self.left, self.left + self.width
        self.page.ops.append(_draw_lines(names, name_font, left, top))
        self.page.ops.append(_draw_lines(details, line_font, left,
                                         top + sum(l.height for l in names), color=GREY))
        if logo_width:
            scaled_height = logo_width * logo.height() / max(logo.width(), 1)
            target = QRectF(right - logo_width, top, logo_width, scaled_height)
            self.page.ops.append(lambda p: p.drawImage(target, logo))
        rule_y = top + height + self.m.mm(2)
        self.page.ops.append(lambda p: (p.setPen(QPen(RULE, self.m.mm(0.3))),
                                        p.drawLine(QPointF(left, rule_y), QPointF(right, rule_y))))
        self.y = rule_y + self.m.mm(8)

    def address(self, block: AddressBlock) -> None:
        used = font("body")
        lines = [l for text in block.lines for l in self.m.wrap(text, used, self.width * 0.6)]
        self.ensure(sum(l.height for l in lines))
        if block.date_text:
            date_lines = self.m.wrap(block.date_text, used, self.width * 0.35)
            self.page.ops.append(_draw_lines(date_lines, used, 0, self.y, metrics=self.m,
                                             align_right_at=self.left + self.width))
        self.place_lines(lines, used)
        self.gap(8)

    def signature(self, block: Signature) -> None:
        used, bold = font("body"), font("body", bold=True)
        closing = self.m.wrap(block.closing, used, self.width)
        name = self.m.wrap(block.name, bold, self.width)
        role = self.m.wrap(block.role, used, self.width) if block.role else []
        space = self.m.mm(16)
        self.ensure(sum(l.height for l in closing + name + role) + space)
        self.place_lines(closing, used)
        self.y += space
        self.place_lines(name, bold)
        self.place_lines(role, used)
        self.gap(3)

    def signature_boxes(self, block: SignatureBoxes) -> None:
        label_font, small = font("body", bold=True), font("small")
        box_height = self.m.mm(29)
        gap = self.m.mm(6)
        width = (self.width - gap) / 2
        for start in range(0, len(block.labels), 2):
            self.ensure(box_height)
            y = self.y
            for column, label in enumerate(block.labels[start:start + 2]):
                x = self.left + column * (width + gap)
                heading = self.m.wrap(label, label_font, width - self.m.mm(4))
                rows = [("Signed", 11.0), ("Name", 18.5), ("Date", 26.0)]
                self.page.ops.append(self._box_op(x, y, width, box_height, heading, label_font,
                                                  rows, small))
            self.y += box_height + self.m.mm(4)
        self.gap(2)

    def _box_op(self, x: float, y: float, width: float, height: float, heading: list[_Line],
                used: QFont, rows: list[tuple[str, float]], small: QFont) -> Op:
        m = self.m

        def op(painter: QPainter) -> None:
            painter.setPen(QPen(RULE, m.mm(0.3)))
            painter.drawRect(QRectF(x, y, width, height))
            _draw_lines(heading, used, x + m.mm(2), y + m.mm(1.5))(painter)
            for label, offset in rows:
                base = y + m.mm(offset + 2)
                painter.setFont(small)
                painter.setPen(GREY)
                painter.drawText(QPointF(x + m.mm(2), base), label)
                painter.setPen(QPen(RULE, m.mm(0.2)))
                painter.drawLine(QPointF(x + m.mm(18), base), QPointF(x + width - m.mm(3), base))
        return op


def layout(document: Document, metrics: Metrics) -> list[Page]:
    """The pages of one document, in layout units."""
    pager = Pager(metrics, document)
    pager.title()
    blocks = list(document.blocks)
    for index, block in enumerate(blocks):
        pager.block(block, blocks[index + 1] if index + 1 < len(blocks) else None)
    if not pager.pages[-1].ops and len(pager.pages) > 1:
        pager.pages.pop()
    return pager.pages


def begin_page(painter: QPainter, device: QPaintDevice) -> None:
    """Layout units to the device's own: the same page at any resolution."""
    painter.resetTransform()
    painter.scale(device.logicalDpiX() / REFERENCE_DPI, device.logicalDpiY() / REFERENCE_DPI)


def paint_band(painter: QPainter, metrics: Metrics, document: Document, number: int,
               total: int) -> None:
    """The marking, the pupil's name and the date at the head of the page; the marking, the
    title and 'Page n of m' at its foot."""
    m = metrics
    left, right = m.mm(MARGIN_MM), m.mm(PAGE_MM[0] - MARGIN_MM)
    centre = (left + right) / 2
    band, mark = font("band"), font("band", bold=True)
    fm_band, fm_mark = m.fm(band), m.fm(mark)
    marking = printable(document.marking)

    def text(used: QFont, fm: QFontMetricsF, value: str, x: float, y: float, align: str) -> None:
        value = fm.elidedText(value, Qt.TextElideMode.ElideRight, (right - left) * 0.45) \
            if align != "centre" else value
        advance = fm.horizontalAdvance(value)
        start = {"left": x, "right": x - advance, "centre": x - advance / 2}[align]
        painter.setFont(used)
        painter.drawText(QPointF(start, y), value)

    painter.setPen(INK)
    text(mark, fm_mark, marking, centre, m.mm(10), "centre")
    painter.setPen(GREY)
    about = f"Pupil: {printable(document.pupil_name)}" if document.pupil_name else "All pupils"
    text(band, fm_band, about, left, m.mm(15.5), "left")
    text(band, fm_band, f"Date: {document.document_date.strftime('%d/%m/%Y')}", right,
         m.mm(15.5), "right")
    painter.setPen(QPen(RULE, m.mm(0.25)))
    painter.drawLine(QPointF(left, m.mm(17.5)), QPointF(right, m.mm(17.5)))
    foot = m.mm(PAGE_MM[1] - 14)
    painter.drawLine(QPointF(left, foot - m.mm(4.5)), QPointF(right, foot - m.mm(4.5)))
    painter.setPen(GREY)
    text(band, fm_band, printable(document.title), left, foot, "left")
    text(band, fm_band, f"Page {number} of {total}", right, foot, "right")
    painter.setPen(INK)
    text(mark, fm_mark, marking, centre, m.mm(PAGE_MM[1] - 8), "centre")


def a4() -> QPageSize:
    return QPageSize(QPageSize.PageSizeId.A4)
