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


# One pupil's id, several pupils' (a class's handover pack), or None for the whole school.
Pupils = int | Sequence[int] | None


def _viewed(session: Session, pupils: Pupils, **detail: object) -> None:
    """The audit entry names the pupil, or for a pack about several the school with how many
    pupils and each one's id (as the MIS import and the map count them, never by name)."""
    if pupils is None or isinstance(pupils, int):
        viewed(session, "pupil" if pupils is not None else None, pupils, **detail)
        return
    ids = sorted({int(p) for p in pupils})
    viewed(session, "school", None, **detail, pupils=len(ids), pupil_ids=ids)


@operation(Permission.EXPORT_DOCUMENTS, writes=False, audit="exported a document")
def save_documents(session: Session, documents: Sequence[Document], pupil_id: Pupils,
                   kind: str, path: Path, render: Render) -> int:
    """Write documents already built (a preview's) to the chosen file, all at once, audited as
    an export; returns the number of pages."""
    documents = list(documents)
    data, pages = render(documents)
    atomic_write(Path(path), data)
    _viewed(session, pupil_id, kind=kind, pages=pages, copies=len(documents))
    return pages


@operation(Permission.EXPORT_DOCUMENTS, writes=False)
def export_documents(session: Session, pupil_id: int | None, kind: str, path: Path,
                     render: Render) -> int:
    """Build the documents (audited as a read) and write them as one PDF (audited as an
    export); returns the number of pages."""
    documents = build_documents(session, pupil_id, kind)
    return save_documents(session, documents, pupil_id, kind, path, render)


@operation(Permission.EXPORT_DOCUMENTS, writes=False, audit="printed a document")
def print_documents(session: Session, documents: Sequence[Document], pupil_id: Pupils,
                    kind: str, paint: Paint) -> int:
    """A print-out leaves the database just as a PDF does: the permission is checked before a
    page goes to the printer, and the print is audited the same way; returns the pages."""
    documents = list(documents)
    pages = paint(documents)
    _viewed(session, pupil_id, kind=kind, pages=pages, copies=len(documents))
    return pages
