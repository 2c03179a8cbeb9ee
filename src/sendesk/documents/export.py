"""Documents leaving sendesk, as a PDF file or on paper: who may, and the audit entry.

A document that leaves the database (saved as a PDF, or printed) needs the EXPORT_DOCUMENTS
permission, checked before anything is drawn, and is recorded in the audit log once it has
gone. These operations hold that rule in the core; the drawing itself is handed in by the
caller (sendesk.pdf renders and paints with Qt, which the core never imports), so pdf/ only
paints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..models.roles import Permission
from ..operations import operation, viewed
from ..session import Session
from ..store.files import atomic_write
from . import build_documents
from .model import Document

# Draw documents as one PDF: the file's bytes and how many pages it has.
Render = Callable[[Sequence[Document]], tuple[bytes, int]]
# Draw documents onto a printer (or another paged device): how many pages went to it.
Paint = Callable[[Sequence[Document]], int]


def _target(pupil_id: int | None) -> tuple[str | None, int | None]:
    return ("pupil" if pupil_id is not None else None), pupil_id


@operation(Permission.EXPORT_DOCUMENTS, writes=False, audit="exported a document")
def save_documents(session: Session, documents: Sequence[Document], pupil_id: int | None,
                   kind: str, path: Path, render: Render) -> int:
    """Write documents already built (a preview's) to the chosen file, all at once, audited as
    an export; returns the number of pages."""
    documents = list(documents)
    data, pages = render(documents)
    atomic_write(Path(path), data)
    viewed(session, *_target(pupil_id), kind=kind, pages=pages, copies=len(documents))
    return pages


@operation(Permission.EXPORT_DOCUMENTS, writes=False)
def export_documents(session: Session, pupil_id: int | None, kind: str, path: Path,
                     render: Render) -> int:
    """Build the documents (audited as a read) and write them as one PDF (audited as an
    export); returns the number of pages."""
    documents = build_documents(session, pupil_id, kind)
    return save_documents(session, documents, pupil_id, kind, path, render)


@operation(Permission.EXPORT_DOCUMENTS, writes=False, audit="printed a document")
def print_documents(session: Session, documents: Sequence[Document], pupil_id: int | None,
                    kind: str, paint: Paint) -> int:
    """A print-out leaves the database just as a PDF does: the permission is checked before a
    page goes to the printer, and the print is audited the same way; returns the pages."""
    documents = list(documents)
    pages = paint(documents)
    viewed(session, *_target(pupil_id), kind=kind, pages=pages, copies=len(documents))
    return pages
