"""The recovery key sheet for the school safe: which school it opens, when it was made, the
OFFICIAL-SENSITIVE marking (on every page, as on every printout) and the key itself on one
line, so it can be copied back exactly.

It is built as a Document like every other printout, so the PDF and the paper copy say the
same thing; sendesk.pdf draws it. The sheet holds no pupil data, but the key opens every
record, so it says how to keep it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..models import dates
from ..models.school import SchoolIdentity
from ..store.files import atomic_write
from .export import Render
from .model import Builder, Document, Heading, SignatureBoxes

TITLE = "sendesk recovery key"


def school_reference(school: SchoolIdentity) -> tuple[str, str]:
    """The label and value that identify the school: its URN, or its LA/establishment number."""
    if school.urn:
        return "URN", school.urn
    if school.la_code and school.estab:
        return "LA/establishment number", f"{school.la_code}/{school.estab}"
    return "URN", "not recorded"


def build_recovery_sheet(school: SchoolIdentity, key: str, made_on: dt.date) -> Document:
    build = Builder()
    build.pairs([("School", school.name), school_reference(school),
                 ("Date made", dates.format_uk(made_on))])
    build.heading("Recovery key", 2)
    # A heading never wraps a word, and the key has no spaces: it prints on one line.
    build.add(Heading(key.strip().upper(), 1))
    build.para("With this key anyone can set a new password for any user of this school's "
               "sendesk database. Without it, a forgotten password means the records cannot be "
               "opened again.")
    build.bullets([
        "Keep this sheet in the school safe, with the business continuity papers.",
        "Do not photograph it, email it or keep it on a computer. If you saved it as a PDF, "
        "print it and then delete the file.",
        "Letters and numbers are easy to mistype: the key uses only A to Z and 2 to 7, and "
        "the dashes are optional.",
        "If the sheet is lost or may have been seen, ask the administrator to make a new "
        "recovery key and destroy this one.",
    ])
    build.add(SignatureBoxes(("Placed in the safe by",)))
    return Document(title=TITLE, pupil_name="", document_date=made_on,
                    blocks=tuple(build.blocks), kind="recovery-key",
                    covers="The school's recovery key (no pupil's record)")


def save_recovery_sheet(path: Path, sheet: Document, render: Render) -> int:
    """Write the sheet as a PDF all at once (never half a file); returns its pages.

    The user chose the file; the caller says to print it and delete it."""
    data, pages = render([sheet])
    atomic_write(Path(path), data)
    return pages
