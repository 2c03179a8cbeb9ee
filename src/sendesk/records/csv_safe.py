"""CSV that is safe to open in a spreadsheet.

A cell beginning with = + - @ or a tab or carriage return can be run as a formula by Excel or
LibreOffice (CSV injection); such cells are written with a leading apostrophe so they show as
text. A plain number ("-1.5", "42") is left alone even though it may start with "-": a
spreadsheet reads it as the number it is, and an apostrophe would turn a mean gain of -1.5
into text that cannot be summed or charted. Files are written beside the target and renamed
into place, so a failed export never leaves half a file that looks complete.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from ..store.files import atomic_write

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_rows(stream: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header and rows to an open text stream; returns the number of rows."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        count += 1
    return count


def export_file(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a CSV file (UTF-8 with a BOM, so Excel reads accents correctly) all or nothing."""
    buffer = io.StringIO()
    count = write_rows(buffer, header, rows)
    atomic_write(Path(path), buffer.getvalue().encode("utf-8-sig"))
    return count
