"""The A4 page every document is drawn on: its measurements, fonts and colours; text measured
and wrapped at one reference resolution; and what is painted on every page whatever it holds
(the scaling to the device, and the band with the marking, the pupil and "Page n of m").

Everything is measured in the units of the reference resolution and scaled to the device it is
painted on, so a PDF, a print-out and the preview break their lines and pages in exactly the
same places. Flowing a document's blocks down these pages is sendesk.pdf.layout's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPen,
)

from ..documents.model import Document, printable

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


def font(size_key: str | int, *, bold: bool = False, italic: bool = False,
         scale: float = 1.0) -> QFont:
    """The face at one of SIZES (scaled down for a table too wide for the page at its size)."""
    chosen = QFont()
    chosen.setFamilies(FONT_FAMILIES)
    chosen.setStyleHint(QFont.StyleHint.SansSerif)
    # Sized in reference dots, not points, so that the size does not depend on the device.
    chosen.setPixelSize(round(SIZES[size_key] * scale * REFERENCE_DPI / 72))
    chosen.setBold(bold)
    chosen.setItalic(italic)
    # Without ligatures 'fi' is copied, searched and read aloud as two letters, not one glyph.
    if hasattr(QFont, "setFeature"):
        for tag in ("liga", "clig"):
            chosen.setFeature(QFont.Tag.fromString(tag), 0)
    return chosen


@dataclass
class Line:
    text: str
    height: float
    ascent: float
    bold: bool = False   # drawn in the bold of its font (a table's strong line)


@dataclass
class Page:
    ops: list[Op] = field(default_factory=list)


class Metrics:
    """Millimetres to layout units, and wrapped text measured at the reference resolution.

    One document's layout wraps the same few texts in the same columns again and again (a
    county's governors' report: 4,600 table cells, 1,400 different, such as "fewer than 5"),
    so each text's lines, per font and width, are worked out once for the layout."""

    def __init__(self) -> None:
        self.device = QImage(1, 1, QImage.Format.Format_RGB32)
        dots_per_metre = round(REFERENCE_DPI / 0.0254)
        self.device.setDotsPerMeterX(dots_per_metre)
        self.device.setDotsPerMeterY(dots_per_metre)
        self.per_mm = REFERENCE_DPI / 25.4
        self._wrapped: dict[tuple[str, str, float], list[tuple[str, float, float]]] = {}

    def fm(self, used: QFont) -> QFontMetricsF:
        return QFontMetricsF(used, self.device)

    def mm(self, value: float) -> float:
        return value * self.per_mm

    def wrap(self, text: str, used: QFont, width: float) -> list[Line]:
        """Lines of the text (its own line breaks kept), each at most `width` wide, broken
        between words. A word is broken only when it alone is wider than `width`: after a
        hyphen or slash it already has if that will do, otherwise with a hyphen added."""
        key = (text or "", used.key(), width)
        found = self._wrapped.get(key)
        if found is None:
            found = self._wrapped[key] = self._wrap(text, used, width)
        return [Line(shown, height, ascent) for shown, height, ascent in found]

    def _wrap(self, text: str, used: QFont, width: float) -> list[tuple[str, float, float]]:
        metrics = self.fm(used)
        height, ascent = metrics.height(), metrics.ascent()
        width = max(width, 1.0)
        lines: list[tuple[str, float, float]] = []
        for paragraph in (text or "").split("\n"):
            paragraph = paragraph.replace("\t", "    ")
            if not paragraph.strip():
                lines.append(("", height, ascent))
                continue
            for shown in _break_words(paragraph, metrics, width):
                lines.append((shown, height, ascent))
        return lines


# Between words: ordinary spaces only (a no-break space, as in "fewer than 5" if a document
# asks for it, holds its words together).
_GAPS = re.compile(r"( +)")


def _break_words(paragraph: str, metrics: QFontMetricsF, width: float) -> list[str]:
    """Greedy filling, word by word: the line so far plus the next word, measured whole (so
    kerning and the space count as they will be drawn). A leading indent stays on the first
    line; the spaces at a break are dropped."""
    body = paragraph.lstrip(" ")
    current = paragraph[:len(paragraph) - len(body)]
    tokens = _GAPS.split(body)            # word, gap, word, gap, ...
    lines: list[str] = []
    for index in range(0, len(tokens), 2):
        word = tokens[index]
        if not word:
            continue
        gap = tokens[index - 1] if index and current.strip() else ""
        if metrics.horizontalAdvance(current + gap + word) <= width:
            current += gap + word
            continue
        if current.strip():
            lines.append(current.rstrip())
        pieces = _split_word(word, metrics, width)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    if current.strip():
        lines.append(current.rstrip())
    _no_lone_figure(lines, metrics, width)
    return lines or [""]


def _no_lone_figure(lines: list[str], metrics: QFontMetricsF, width: float) -> None:
    """'fewer than' over a lone '5' reads as two things; take the word before down with it
    ('fewer' over 'than 5') when it fits."""
    if len(lines) < 2 or len(lines[-1]) > 2 or " " in lines[-1]:
        return
    before, _gap, word = lines[-2].rstrip().rpartition(" ")
    if before.strip() and metrics.horizontalAdvance(f"{word} {lines[-1]}") <= width:
        lines[-2:] = [before.rstrip(), f"{word} {lines[-1]}"]


_OWN_BREAKS = "-/\u2010\u2013"


def _split_word(word: str, metrics: QFontMetricsF, width: float) -> list[str]:
    """A word as pieces no wider than `width` (a single piece when it fits). A break after a
    hyphen or slash the word has is taken first; otherwise the longest part that fits is cut
    off, with a hyphen added between two letters (never inside a number, where it would read
    as a minus), leaving at least two letters for the next line where the column allows."""
    pieces: list[str] = []
    rest = word
    while len(rest) > 1 and metrics.horizontalAdvance(rest) > width:
        own = [at for at in range(1, len(rest)) if rest[at - 1] in _OWN_BREAKS
               and metrics.horizontalAdvance(rest[:at]) <= width]
        if own:
            pieces.append(rest[:own[-1]])
            rest = rest[own[-1]:]
            continue
        low, high = 1, len(rest) - 1       # the longest prefix that fits with a hyphen
        while low < high:
            middle = (low + high + 1) // 2
            if metrics.horizontalAdvance(rest[:middle] + "-") <= width:
                low = middle
            else:
                high = middle - 1
        cut = low
        if len(rest) - cut < 2 and cut > 2:
            cut = len(rest) - 2
        hyphen = rest[cut - 1].isalpha() and rest[cut].isalpha()
        pieces.append(rest[:cut] + ("-" if hyphen else ""))
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def draw_lines(lines: Sequence[Line], used: QFont, x: float, y: float, *, color: QColor = INK,
                align_right_at: float | None = None, metrics: Metrics | None = None) -> Op:
    bold = used
    if any(line.bold for line in lines):
        bold = QFont(used)
        bold.setBold(True)

    def op(painter: QPainter) -> None:
        painter.setFont(used)
        painter.setPen(color)
        top = y
        for line in lines:
            if bold is not used:
                painter.setFont(bold if line.bold else used)
            if align_right_at is not None:
                advance = metrics.fm(used).horizontalAdvance(line.text) if metrics else 0.0
                painter.drawText(QPointF(align_right_at - advance, top + line.ascent), line.text)
            else:
                painter.drawText(QPointF(x, top + line.ascent), line.text)
            top += line.height
    return op



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
    about = f"Pupil: {printable(document.pupil_name)}" if document.pupil_name else \
        printable(document.covers or "All pupils")
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
