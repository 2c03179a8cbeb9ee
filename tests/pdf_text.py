"""Reading a PDF back as a person would: the text of each page, with the word gaps and line
breaks Qt's writer leaves between words folded to single spaces."""

from __future__ import annotations

import io
import re
import unicodedata

from pypdf import PdfReader


def pages_text(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(unicodedata.normalize("NFKC", page.extract_text() or "").split())
            for page in reader.pages]


def squash(text: str) -> str:
    """Text as it reads in the PDF (the same spacing rules), for comparing with the record."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def contains(page: str, text: str) -> bool:
    """True when `text` appears on the page, ignoring where lines were broken (a table cell
    or a paragraph may wrap anywhere, even after a slash, and extraction then adds a space)."""
    return re.sub(r"\s+", "", squash(text)) in re.sub(r"\s+", "", page)
