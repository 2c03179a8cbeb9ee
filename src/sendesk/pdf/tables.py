"""A table measured before it is placed: its type size, its column widths and every cell wrapped.

Columns are sized so that no word is broken: each column is at least as wide as its longest
word (in the bold heading, the cells, a cell's strong lines and the total), the room taken from the columns the
document gave more than they need. When the words of all the columns cannot fit across the
page at the table's size, the type is made smaller, a step at a time, down to SMALLEST; only
when even that is too wide is a word broken, with a hyphen (sendesk.pdf.page's wrap).

Flowing the rows down the pages is sendesk.pdf.layout's; it also asks how much of a table has
to fit below a heading (start_height) so the heading is never left alone at a page's foot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtGui import QColor, QFont

from ..documents.model import Table
from .page import TOTAL_FILL, Line, Metrics, font

# Type sizes tried, as a share of the table size (10 pt): 10, 9, 8.2 and 7.5 pt.
SCALES = (1.0, 0.9, 0.82, 0.75)
PAD_MM = 1.5
ROWS_KEPT = 2          # rows kept with the header (and a heading) at the foot of a page
KEPT_MM = 30.0         # ... unless those rows are taller than this


@dataclass
class Row:
    cells: list[list[Line]]
    used: QFont
    fill: QColor | None

    @property
    def height(self) -> float:
        return max((sum(ln.height for ln in cell) for cell in self.cells), default=0.0)


@dataclass
class PreparedTable:
    widths: list[float]
    pad: float
    head_font: QFont
    header: list[list[Line]]
    rows: list[Row]

    @property
    def header_height(self) -> float:
        return max(sum(ln.height for ln in cell) for cell in self.header) + 2 * self.pad


def _longest_words(metrics: Metrics, block: Table, head: QFont, body: QFont) -> list[float]:
    """The width of each column's longest word, as it is drawn (heading and total in bold)."""
    head_fm, body_fm = metrics.fm(head), metrics.fm(body)
    # Each word measured once per font: a long table repeats its figures and words.
    measured: dict[tuple[bool, str], float] = {}

    def advance(bold: bool, word: str) -> float:
        found = measured.get((bold, word))
        if found is None:
            found = measured[(bold, word)] = (head_fm if bold else body_fm).horizontalAdvance(word)
        return found

    longest = []
    for column in range(len(block.header)):
        texts = [(True, block.header[column])]
        texts += [(bool(block.strong) and line.startswith(block.strong), line)
                  for row in block.rows if column < len(row)
                  for line in (_lines(row[column]) if block.strong else (row[column],))]
        if block.total and column < len(block.total):
            texts.append((True, block.total[column]))
        longest.append(max((advance(bold, word) for bold, text in texts
                            for word in text.split()), default=0.0))
    return longest


def _lines(text: str) -> list[str]:
    return text.split("\n")


def column_widths(weights: Sequence[float], needed: Sequence[float], width: float) -> list[float]:
    """The document's relative widths, with every column widened to what it needs, the room
    taken from the others in proportion to what they have to spare. `needed` must add up to
    no more than `width` (then every column gets what it needs)."""
    count = len(needed)
    weights = list(weights) if len(weights) == count and sum(weights) > 0 else [1.0] * count
    widths = [width * w / sum(weights) for w in weights]
    lack = sum(max(0.0, n - w) for n, w in zip(needed, widths, strict=True))
    spare = [max(0.0, w - n) for n, w in zip(needed, widths, strict=True)]
    room = sum(spare)
    if lack <= 0 or room <= 0:
        return widths
    share = min(1.0, lack / room)
    return [w - s * share if w >= n else n
            for n, w, s in zip(needed, widths, spare, strict=True)]


def prepare(metrics: Metrics, block: Table, width: float) -> PreparedTable:
    """The table at the largest size at which every word fits its column."""
    pad = metrics.mm(PAD_MM)
    for scale in SCALES:
        head_font, cell_font = font("table", bold=True, scale=scale), font("table", scale=scale)
        needed = [w + 2 * pad + 1 for w in _longest_words(metrics, block, head_font, cell_font)]
        if sum(needed) <= width:
            break
    else:
        # Too many long words for the page even in the smallest type: share the page in
        # proportion to what each column needs, and the longest words are hyphenated.
        needed = [n * width / sum(needed) for n in needed]
    widths = column_widths(block.widths, needed, width)

    def cells(row: Sequence[str], used: QFont) -> list[list[Line]]:
        return [metrics.wrap(text, used, w - 2 * pad) for text, w in zip(row, widths, strict=False)]

    def strong_cells(row: Sequence[str]) -> list[list[Line]]:
        """The cells with each line that begins with the table's strong mark in bold."""
        out = []
        for text, w in zip(row, widths, strict=False):
            if block.strong not in text:
                out.append(metrics.wrap(text, cell_font, w - 2 * pad))
                continue
            lines: list[Line] = []
            for part in _lines(text):
                if part.startswith(block.strong):
                    lines += [replace(ln, bold=True)
                              for ln in metrics.wrap(part, head_font, w - 2 * pad)]
                else:
                    lines += metrics.wrap(part, cell_font, w - 2 * pad)
            out.append(lines)
        return out

    rows = [Row(strong_cells(row) if block.strong else cells(row, cell_font), cell_font, None)
            for row in block.rows]
    if block.total:
        rows.append(Row(cells(block.total, head_font), head_font, TOTAL_FILL))
    return PreparedTable(widths, pad, head_font, cells(block.header, head_font), rows)


def start_height(metrics: Metrics, table: PreparedTable) -> float:
    """What must fit on a page for the table to start there: its header and its first rows
    (ROWS_KEPT of them, or KEPT_MM of a tall first row, which is cut at the foot of a page)."""
    first = sum(row.height + 2 * table.pad for row in table.rows[:ROWS_KEPT])
    return table.header_height + min(first, metrics.mm(KEPT_MM))
