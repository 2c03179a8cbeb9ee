"""The one on-screen renderer of the documents model: a Document (or its blocks) as HTML.

The PDFs are drawn from ``sendesk.documents.model`` by ``sendesk.pdf``; the record window's
panels that show part of a record as reading text (a cycle on the Plans tab, a request or a
plan on the EHC tab) build the same blocks, with the same builders where ``documents`` has
them, and show them through :func:`document_html` in a QTextBrowser. So a screen and a printout
say the same thing in the same words, and no tab writes HTML of its own.

Everything is escaped here: block text is data, never markup. The screen adds one thing the
printed page does not have: a block wrapped in :class:`Marked` is shown on a coloured
background, for the amber and red warnings a screen shows (a review overdue, provision over the
cost threshold, something missing before a request is sent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from PySide6.QtWidgets import QTextBrowser

from ..documents.model import (
    AddressBlock,
    Block,
    BulletList,
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

GREY = "#555"


@dataclass(frozen=True)
class Marked:
    """A block shown on a coloured background (screen only; a printout has no colour)."""

    block: Block
    background: str


Shown = Block | Marked
_HEADING_TAGS = {1: "h3", 2: "h4", 3: "h5"}


def _text(value: str) -> str:
    return escape(value or "").replace("\n", "<br>")


def _styled(tag: str, body: str, style: str) -> str:
    return f"<{tag} style='{style}'>{body}</{tag}>" if style else f"<{tag}>{body}</{tag}>"


def block_html(block: Shown, background: str = "") -> str:
    """One block as HTML (an empty string for blocks that mean nothing on a screen)."""
    if isinstance(block, Marked):
        return block_html(block.block, block.background)
    shade = f"background:{background};" if background else ""
    if isinstance(block, Heading):
        tag = _HEADING_TAGS.get(block.level, "h5")
        return _styled(tag, _text(block.text), shade + "margin-bottom:2px")
    if isinstance(block, Paragraph):
        body = _text(block.text)
        if block.style == "emphasis":
            body = f"<i>{body}</i>"
        return _styled("p", body, shade + (f"color:{GREY}" if block.style == "small" else ""))
    if isinstance(block, BulletList):
        return _styled("ul", "".join(f"<li>{_text(item)}</li>" for item in block.items), shade)
    if isinstance(block, KeyValues):
        rows = "".join(f"<tr><td><b>{_text(key)}</b></td><td>{_text(value)}</td></tr>"
                       for key, value in block.rows)
        return f"<table cellpadding='3' style='{shade}'>{rows}</table>"
    if isinstance(block, Table):
        return _table_html(block, shade)
    if isinstance(block, Letterhead):
        return (f"<p><b>{_text(block.school_name)}</b>"
                + "".join(f"<br>{_text(line)}" for line in block.lines) + "</p>")
    if isinstance(block, AddressBlock):
        lines = "<br>".join(_text(line) for line in block.lines)
        return f"<p>{lines}</p>" + (f"<p>{_text(block.date_text)}</p>" if block.date_text else "")
    if isinstance(block, SignatureBoxes):
        return "".join(f"<p>{_text(label)}: signed ______________ date ________</p>"
                       for label in block.labels)
    if isinstance(block, Signature):
        return (f"<p>{_text(block.closing)}<br><br>{_text(block.name)}"
                + (f"<br>{_text(block.role)}" if block.role else "") + "</p>")
    if isinstance(block, Spacer):
        return "<br>"
    if isinstance(block, PageBreak):
        return "<hr>"
    return ""


def _table_html(table: Table, shade: str) -> str:
    if not table.rows:
        return _styled("p", _text(table.empty_text), shade + f"color:{GREY}")
    total_width = sum(table.widths) if table.widths and len(table.widths) == len(table.header) else 0

    def head(index: int, text: str) -> str:
        width = f" width='{round(100 * table.widths[index] / total_width)}%'" if total_width else ""
        return f"<th{width} align='left'>{_text(text)}</th>"

    header = "<tr>" + "".join(head(i, h) for i, h in enumerate(table.header)) + "</tr>"
    def cell(text: str) -> str:
        if not table.strong or table.strong not in text:
            return _text(text)
        return "<br>".join(f"<b>{_text(line)}</b>" if line.startswith(table.strong)
                           else _text(line) for line in text.split("\n"))

    rows = "".join("<tr>" + "".join(f"<td>{cell(text)}</td>" for text in row) + "</tr>"
                   for row in table.rows)
    total = ("<tr>" + "".join(f"<td><b>{_text(cell)}</b></td>" for cell in table.total) + "</tr>"
             if table.total else "")
    return (f"<table border='1' cellspacing='0' cellpadding='4' width='100%' style='{shade}'>"
            f"{header}{rows}{total}</table>")


def blocks_html(blocks: Iterable[Shown]) -> str:
    return "".join(block_html(block) for block in blocks)


def document_html(document: Document) -> str:
    """A whole document: its title (when it shows one) and subtitle, then its blocks."""
    top = ""
    if document.show_title and document.title:
        top += f"<h2 style='margin-bottom:2px'>{_text(document.title)}</h2>"
    if document.subtitle:
        top += f"<p style='color:{GREY}'>{_text(document.subtitle)}</p>"
    return top + blocks_html(document.blocks)


def show(browser: QTextBrowser, content: Document | Iterable[Shown]) -> None:
    """Put a document (or a run of blocks) in a text browser."""
    html = document_html(content) if isinstance(content, Document) else blocks_html(content)
    browser.setHtml(html)
