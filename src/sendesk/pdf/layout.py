"""Laying a Document out on A4 pages: each block measured, wrapped and flowed down the pages,
starting a new one when a page is full, into the drawing operations of each page.

Layout is done first, page by page, so the total is known before anything is painted and every
page can say "Page n of m". The page itself (sizes, fonts, measuring text, the band painted on
every page) is sendesk.pdf.page's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from ..documents.model import (
    AddressBlock,
    Block,
    BulletList,
    Chart,
    Document,
    Heading,
    KeyValues,
    Letterhead,
    PageBreak,
    Paragraph,
    Signature,
    SignatureBoxes,
    Spacer,
    Table,
)
from . import charts, tables
from .page import (
    BOTTOM_MM,
    GREY,
    HEADER_FILL,
    INK,
    MARGIN_MM,
    PAGE_MM,
    RULE,
    TOP_MM,
    Line,
    Metrics,
    Op,
    Page,
    draw_lines,
    font,
)

KEEP_PAIRS_WHOLE = 8   # a block of this many label-and-value lines or fewer is never split


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
        self._tables: dict[int, tuple[Table, tables.PreparedTable]] = {}

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

    def place_lines(self, lines: list[Line], used: QFont, x: float | None = None, *,
                    color: QColor = INK, keep: int = 2) -> None:
        """Lines flow onto the next page when they must, never leaving fewer than `keep`
        lines of a paragraph alone at the foot of a page."""
        x = self.left if x is None else x
        index = 0
        while index < len(lines):
            if index == 0:
                self.ensure(sum(line.height for line in lines[:keep]))
            chunk: list[Line] = []
            height = 0.0
            while index < len(lines) and (height + lines[index].height <= self.room() or not chunk
                                          and self.y == self.top):
                chunk.append(lines[index])
                height += lines[index].height
                index += 1
            if chunk:
                self.page.ops.append(draw_lines(chunk, used, x, self.y, color=color))
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

    def block(self, blocks: Sequence[Block], index: int) -> None:
        block = blocks[index]
        if isinstance(block, Heading):
            self.heading(blocks, index)
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
        elif isinstance(block, Chart):
            self.chart(block)
        elif isinstance(block, PageBreak):
            if self.y > self.top:
                self.new_page()

    def _heading_lines(self, block: Heading) -> tuple[QFont, list[Line], float]:
        """The heading's font, its lines, and the room it takes around them (the gap above,
        the rule below)."""
        used = font(min(max(block.level, 1), 3), bold=True)
        around = self.m.mm(3 + 1.6 + 1.5) if block.level == 1 else self.m.mm(2 + 1.5)
        return used, self.m.wrap(block.text, used, self.width), around

    def heading(self, blocks: Sequence[Block], index: int) -> None:
        """A heading keeps with the start of what follows it (keep-with-next): it moves to the
        next page unless the first rows of its table, its chart or the first lines of its
        text fit below it. A section heading with a short lead-in and a sub-heading under it
        keeps with the sub-heading's table too (the chain), but never leaves more than half a
        page empty for it: then only the nearest block is kept with it."""
        block = blocks[index]
        assert isinstance(block, Heading)
        used, lines, _around = self._heading_lines(block)
        need = self.lead(blocks, index)
        if need > self.room() and self.room() > (self.bottom - self.top) / 2:
            need = self.lead(blocks, index, chain=False)
        self.ensure(min(need, self.bottom - self.top))
        self.gap(3 if block.level == 1 else 2)
        self.place_lines(lines, used)
        if block.level == 1:
            y, left, right = self.y + self.m.mm(0.8), self.left, self.left + self.width
            self.page.ops.append(self._rule(left, right, y))
            self.y += self.m.mm(1.6)
        self.y += self.m.mm(1.5)

    def lead(self, blocks: Sequence[Block], index: int, *, chain: bool = True) -> float:
        """How much of blocks[index] has to fit on a page for it to start there, by the rule
        each block is placed by; for a heading, its own height and the lead of what follows.
        A short lead-in under a heading ("Requests the school sent...") stays with the table
        or chart it introduces, and (with `chain`) with the sub-heading after it and that
        sub-heading's own start, so a section never starts at the foot of a page with nothing
        of its content beneath."""
        if index >= len(blocks):
            return 0.0
        block = blocks[index]
        if isinstance(block, Heading):
            _used, lines, around = self._heading_lines(block)
            return sum(ln.height for ln in lines) + around \
                + self.lead(blocks, index + 1, chain=chain)
        if isinstance(block, Paragraph):
            used = font("small" if block.style == "small" else "body",
                        italic=block.style == "emphasis")
            lines = self.m.wrap(block.text, used, self.width)
            introduces = (Table, Chart, Heading) if chain else (Table, Chart)
            if len(lines) <= 3 and index and isinstance(blocks[index - 1], Heading) \
                    and index + 1 < len(blocks) and isinstance(blocks[index + 1], introduces):
                return sum(ln.height for ln in lines) + self.m.mm(2.5) \
                    + self.lead(blocks, index + 1, chain=chain)
            return sum(ln.height for ln in lines[:2])
        if isinstance(block, Table):
            if not block.rows:
                return sum(ln.height for ln in self.m.wrap(block.empty_text, font("small"),
                                                            self.width)[:2])
            return tables.start_height(self.m, self.prepared(block))
        if isinstance(block, Chart):
            return charts.chart_height(block, font("small"), self.width)
        if isinstance(block, BulletList):
            first = self.m.wrap(block.items[0], font("body"), self.width - self.m.mm(6)) \
                if block.items else []
            return sum(ln.height for ln in first[:2])
        if isinstance(block, KeyValues):
            # A short block of figures (the governors' spend: six lines) is kept whole, so its
            # heading never takes only its first line to the foot of a page; a long one
            # starts where its first line fits.
            heights = [self._pair_height(key, value) + self.m.mm(0.8)
                       for key, value in block.rows[:KEEP_PAIRS_WHOLE + 1]]
            if len(heights) <= KEEP_PAIRS_WHOLE:
                return sum(heights)
            return heights[0]
        if isinstance(block, (PageBreak, Spacer)):
            return 0.0
        return self.m.mm(22)

    def bullets(self, block: BulletList) -> None:
        used = font("body")
        indent = self.m.mm(6)
        for item in block.items:
            lines = self.m.wrap(item, used, self.width - indent)
            self.ensure(lines[0].height if lines else 0)
            y, left = self.y, self.left + self.m.mm(1.5)
            first = lines[0] if lines else None
            if first is not None:
                self.page.ops.append(draw_lines([Line("\u2022", first.height, first.ascent)],
                                                 used, left, y))
            self.place_lines(lines, used, self.left + indent, keep=1)
            self.y += self.m.mm(1)
        self.gap(1.5)

    def _pair_height(self, key: str, value: str) -> float:
        label_width = self.width * 0.34
        return max(sum(ln.height for ln in self.m.wrap(key, font("body", bold=True),
                                                      label_width - self.m.mm(3))),
                   sum(ln.height for ln in self.m.wrap(value, font("body"),
                                                      self.width - label_width)))

    def key_values(self, block: KeyValues) -> None:
        label_font, value_font = font("body", bold=True), font("body")
        label_width = self.width * 0.34
        for key, value in block.rows:
            labels = self.m.wrap(key, label_font, label_width - self.m.mm(3))
            values = self.m.wrap(value, value_font, self.width - label_width)
            height = max(sum(ln.height for ln in labels), sum(ln.height for ln in values))
            if height <= self.bottom - self.top:
                self.ensure(height)
                self.page.ops.append(draw_lines(labels, label_font, self.left, self.y))
                self.page.ops.append(draw_lines(values, value_font, self.left + label_width,
                                                 self.y))
                self.y += height + self.m.mm(0.8)
            else:
                self.place_lines(labels, label_font)
                self.place_lines(values, value_font, self.left + label_width)
        self.gap(2.5)

    def chart(self, block: Chart) -> None:
        """A chart is kept whole on one page, drawn by the painter the screens use."""
        used = font("small")
        height = min(charts.chart_height(block, used, self.width), self.bottom - self.top)
        self.ensure(height)
        rect = QRectF(self.left, self.y, self.width, height)
        self.page.ops.append(lambda p: charts.paint_chart(p, rect, block, used))
        self.y += height
        self.gap(3)

    # -- tables ------------------------------------------------------------------------------
    def prepared(self, block: Table) -> tables.PreparedTable:
        """The table measured once, whether for itself or for the heading above it."""
        held = self._tables.get(id(block))
        if held is None or held[0] is not block:
            held = (block, tables.prepare(self.m, block, self.width))
            self._tables[id(block)] = held
        return held[1]

    def table(self, block: Table) -> None:
        if not block.rows:
            used = font("small")
            self.place_lines(self.m.wrap(block.empty_text, used, self.width), used, color=GREY)
            self.gap(2.5)
            return
        table = self.prepared(block)
        pad, widths = table.pad, table.widths

        def draw_header() -> None:
            self.page.ops.append(self._row_op(table.header, widths, self.y, table.header_height,
                                              table.head_font, pad, HEADER_FILL))
            self.y += table.header_height

        self.ensure(tables.start_height(self.m, table))
        draw_header()
        for row in table.rows:
            remaining = row.cells
            while remaining:
                height = max(sum(ln.height for ln in c) for c in remaining) + 2 * pad
                if height <= self.room():
                    self.page.ops.append(self._row_op(remaining, widths, self.y, height,
                                                      row.used, pad, row.fill))
                    self.y += height
                    break
                # A row of ordinary height moves to the next page whole; only a row too tall
                # to sit well on a page is cut where the page ends.
                short_row = height <= (self.bottom - self.top) / 3
                fits, rest = (None, remaining) if short_row else \
                    self._split_row(remaining, self.room() - 2 * pad)
                if fits is not None:
                    piece = max(sum(ln.height for ln in c) for c in fits) + 2 * pad
                    self.page.ops.append(self._row_op(fits, widths, self.y, piece, row.used,
                                                      pad, row.fill))
                    self.y += piece
                    remaining = rest
                self.new_page()
                draw_header()
        del self._tables[id(block)]
        self.gap(3)

    @staticmethod
    def _split_row(row: list[list[Line]], room: float
                   ) -> tuple[list[list[Line]] | None, list[list[Line]]]:
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

    def _row_op(self, row: list[list[Line]], widths: list[float], y: float, height: float,
                used: QFont, pad: float, fill: QColor | None) -> Op:
        left = self.left
        pen_width = self.m.mm(0.2)

        def op(painter: QPainter) -> None:
            x = left
            for cell, width in zip(row, widths, strict=False):
                rect = QRectF(x, y, width, height)
                if fill is not None:
                    painter.fillRect(rect, fill)
                painter.setPen(QPen(RULE, pen_width))
                painter.drawRect(rect)
                draw_lines(cell, used, x + pad, y + pad)(painter)
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
        details = [ln for line in block.lines for ln in self.m.wrap(line, line_font, text_width)]
        height = max(sum(ln.height for ln in names + details), logo_height if logo_width else 0)
        top, left, right = self.y, self.left, self.left + self.width
        self.page.ops.append(draw_lines(names, name_font, left, top))
        self.page.ops.append(draw_lines(details, line_font, left,
                                         top + sum(ln.height for ln in names), color=GREY))
        if logo_width:
            scaled_height = logo_width * logo.height() / max(logo.width(), 1)
            target = QRectF(right - logo_width, top, logo_width, scaled_height)
            self.page.ops.append(lambda p: p.drawImage(target, logo))
        rule_y = top + height + self.m.mm(2)
        self.page.ops.append(self._rule(left, right, rule_y))
        self.y = rule_y + self.m.mm(8)

    def _rule(self, left: float, right: float, y: float) -> Callable[[QPainter], None]:
        """A thin rule across the text, as a page op (under a heading, the letterhead)."""
        width = self.m.mm(0.3)

        def draw(painter: QPainter) -> None:
            painter.setPen(QPen(RULE, width))
            painter.drawLine(QPointF(left, y), QPointF(right, y))
        return draw

    def address(self, block: AddressBlock) -> None:
        used = font("body")
        lines = [ln for text in block.lines for ln in self.m.wrap(text, used, self.width * 0.6)]
        self.ensure(sum(ln.height for ln in lines))
        if block.date_text:
            date_lines = self.m.wrap(block.date_text, used, self.width * 0.35)
            self.page.ops.append(draw_lines(date_lines, used, 0, self.y, metrics=self.m,
                                             align_right_at=self.left + self.width))
        self.place_lines(lines, used)
        self.gap(8)

    def signature(self, block: Signature) -> None:
        used, bold = font("body"), font("body", bold=True)
        closing = self.m.wrap(block.closing, used, self.width)
        name = self.m.wrap(block.name, bold, self.width)
        role = self.m.wrap(block.role, used, self.width) if block.role else []
        space = self.m.mm(16)
        self.ensure(sum(ln.height for ln in closing + name + role) + space)
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

    def _box_op(self, x: float, y: float, width: float, height: float, heading: list[Line],
                used: QFont, rows: list[tuple[str, float]], small: QFont) -> Op:
        m = self.m

        def op(painter: QPainter) -> None:
            painter.setPen(QPen(RULE, m.mm(0.3)))
            painter.drawRect(QRectF(x, y, width, height))
            draw_lines(heading, used, x + m.mm(2), y + m.mm(1.5))(painter)
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
    for index in range(len(blocks)):
        pager.block(blocks, index)
    if not pager.pages[-1].ops and len(pager.pages) > 1:
        pager.pages.pop()
    return pager.pages

