"""What a printed document says, as plain data: the core builds it, a renderer draws it.

The content of every document (a support plan, a letter, the full SEND file) is decided here,
without Qt, so it can be tested by reading its text and so the transfer package can build its
own forms the same way. sendesk.pdf turns a Document into PDF pages: A4, the marking, the
pupil's name and the date and "Page n of m" on every page.

Blocks are deliberately few. A Table repeats its header row on every page it runs onto; a
Heading is never left alone at the foot of a page.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ..errors import ValidationError
from ..models.redaction import Redactor

MARKING = "OFFICIAL-SENSITIVE"

# Characters that could make printed text read differently from what is stored (direction
# overrides, other invisible controls). Stored text is already checked when it is typed
# (models/text.py); this is the last guard for anything that reached a document another way.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))


def printable(text: object) -> str:
    """Text safe to print: NFC, no control or direction-override characters (line breaks and
    tabs kept as they mean something in a paragraph)."""
    value = unicodedata.normalize("NFC", "" if text is None else str(text)).replace("\r\n", "\n")
    value = value.translate(_BIDI)
    return "".join(char for char in value
                   if char in "\n\t\u200d" or unicodedata.category(char) not in ("Cc", "Cf", "Zl",
                                                                                  "Zp", "Cs", "Co"))


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1          # 1 = section, 2 = sub-section, 3 = small heading


@dataclass(frozen=True)
class Paragraph:
    text: str               # line breaks in the text are kept
    style: str = "body"     # body, small, emphasis (a quotation or the pupil's own words)


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]


@dataclass(frozen=True)
class KeyValues:
    """Label and value pairs, two columns (name, date of birth, ...)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()        # relative column widths; equal when empty
    empty_text: str = "None recorded."     # printed instead of a table with no rows
    total: tuple[str, ...] | None = None   # a bold last row (for costs)
    strong: str = ""                       # a cell's line that begins with this is in bold


@dataclass(frozen=True)
class Letterhead:
    """The school's name, address and contact lines, and its logo (PNG or JPEG bytes)."""

    school_name: str
    lines: tuple[str, ...] = ()
    logo: bytes | None = None


@dataclass(frozen=True)
class AddressBlock:
    """A letter's recipient and date, top left as in a windowed envelope."""

    lines: tuple[str, ...]
    date_text: str = ""


@dataclass(frozen=True)
class SignatureBoxes:
    """Spaces for people to sign and date by hand (one box each)."""

    labels: tuple[str, ...]


@dataclass(frozen=True)
class Signature:
    """A letter's sign-off: closing words, a space for the signature, the name and role."""

    closing: str
    name: str
    role: str = ""


@dataclass(frozen=True)
class Spacer:
    millimetres: float = 4.0


@dataclass(frozen=True)
class PageBreak:
    """The next block starts on a new page."""


@dataclass(frozen=True)
class ChartSeries:
    """One set of bars: a value for each of the chart's labels, and the words shown beside it.
    A value of None draws no bar (a count too small to show, or nothing measured): its words
    ("fewer than 5") are shown instead, so a bar's length never gives away a hidden number."""

    name: str
    values: tuple[float | None, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart (one row per label, one bar per series), drawn by the one QtGui
    painter (sendesk.pdf.charts) on screen and in the PDF, so both look the same."""

    title: str
    labels: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    note: str = ""


Block = (Heading | Paragraph | BulletList | KeyValues | Table | Letterhead | AddressBlock
         | SignatureBoxes | Signature | Spacer | PageBreak | Chart)


@dataclass(frozen=True)
class Document:
    title: str
    pupil_name: str
    document_date: dt.date
    blocks: tuple[Block, ...]
    marking: str = MARKING
    subtitle: str = ""
    kind: str = ""          # which builder made it (plan, letter-added, file, ...)
    recipient: str = ""     # for letters: whom this copy is for
    show_title: bool = True  # letters carry their subject in the text, not as a page title
    # What a document about no one pupil covers, for the header band of every page ("Member
    # of staff: Mrs Khan (3 pupils)"); empty means the whole school ("All pupils").
    covers: str = ""

    def text(self) -> str:
        """Everything the document says, in order (for checks and tests)."""
        return "\n".join(block_text(block) for block in (Heading(self.title), *self.blocks))


def block_text(block: Block) -> str:
    if isinstance(block, (Heading, Paragraph)):
        return block.text
    if isinstance(block, BulletList):
        return "\n".join(block.items)
    if isinstance(block, KeyValues):
        return "\n".join(f"{key} {value}" for key, value in block.rows)
    if isinstance(block, Table):
        rows = [block.header, *block.rows, *([block.total] if block.total else [])]
        return "\n".join(" ".join(row) for row in rows)
    if isinstance(block, Letterhead):
        return "\n".join((block.school_name, *block.lines))
    if isinstance(block, AddressBlock):
        return "\n".join((*block.lines, block.date_text))
    if isinstance(block, SignatureBoxes):
        return "\n".join(block.labels)
    if isinstance(block, Signature):
        return "\n".join((block.closing, block.name, block.role))
    if isinstance(block, Chart):
        return "\n".join([block.title] + [
            f"{label}: " + "; ".join(f"{s.name} {s.texts[i]}" if len(block.series) > 1
                                     else s.texts[i] for s in block.series)
            for i, label in enumerate(block.labels)] + ([block.note] if block.note else []))
    return ""


# --- keeping secrets out ------------------------------------------------------------------------
def redact(document: Document, secrets: Iterable[str] | Redactor) -> Document:
    """The document with every protected address, and every telling part of it (a house and
    street, a postcode), replaced by a mark (the rules are in models.redaction). Pass a
    Redactor (records.protected.redactor_for) to leave alone the words an address shares with
    the school's name and the rest of the record.

    Builders never put a protected address in a document in the first place; this is the net
    under them, so a SENCO who pasted the placement address into a note cannot leak it.
    """
    clean = secrets if isinstance(secrets, Redactor) else Redactor(secrets)
    if not clean:
        return document

    def cleaned(values: Sequence[str]) -> tuple[str, ...]:
        return tuple(clean(v) for v in values)

    blocks: list[Block] = []
    for block in document.blocks:
        if isinstance(block, (Heading, Paragraph)):
            block = replace(block, text=clean(block.text))
        elif isinstance(block, BulletList):
            block = replace(block, items=cleaned(block.items))
        elif isinstance(block, KeyValues):
            block = replace(block, rows=tuple((k, clean(v)) for k, v in block.rows))
        elif isinstance(block, Table):
            block = replace(block, rows=tuple(cleaned(r) for r in block.rows))
        elif isinstance(block, AddressBlock):
            block = replace(block, lines=cleaned(block.lines))
        blocks.append(block)
    return replace(document, blocks=tuple(blocks))


@dataclass(frozen=True)
class DocumentKind:
    key: str
    label: str
    per_contact: bool = False
    whole_school: bool = False
    description: str = ""


KINDS: dict[str, DocumentKind] = {kind.key: kind for kind in (
    DocumentKind("plan", "My SEN Support Plan",
                 description="The current support plan: strengths and aspirations, needs, "
                             "provision, outcomes and the review."),
    DocumentKind("review", "Review record",
                 description="The latest review: progress on each outcome, everyone's views and "
                             "the decision."),
    DocumentKind("profile", "One-page profile",
                 description="Strengths and interests, needs, strategies and background, for "
                             "staff who work with the pupil."),
    DocumentKind("letter-added", "Letter: added to SEN support", per_contact=True,
                 description="To each person with parental responsibility."),
    DocumentKind("letter-removed", "Letter: removed from the SEN register", per_contact=True,
                 description="To each person with parental responsibility."),
    DocumentKind("invitation", "Letter: review meeting invitation", per_contact=True,
                 description="To each person with parental responsibility."),
    DocumentKind("ehcna-evidence", "EHC needs assessment evidence",
                 description="The readiness checklist with the evidence found in the record."),
    DocumentKind("provision-map", "Costed provision map", whole_school=True,
                 description="The provision in force and what it costs a year."),
    DocumentKind("file", "Full SEND file",
                 description="Everything in the pupil's SEND record as one bound document."),
)}


def clean_kind(value: str) -> DocumentKind:
    key = (value or "").strip().lower()
    if key not in KINDS:
        raise ValidationError(f"'{value}' is not a kind of document; use one of "
                              + ", ".join(KINDS) + ".", field="kind")
    return KINDS[key]


@dataclass
class Builder:
    """Collects blocks for a document as a builder walks the record."""

    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Builder:
        self.blocks.extend(blocks)
        return self

    def heading(self, text: str, level: int = 1) -> Builder:
        return self.add(Heading(printable(text), level))

    def para(self, text: str, style: str = "body") -> Builder:
        text = printable(text).strip()
        return self.add(Paragraph(text, style)) if text else self

    def text_or(self, text: str | None, missing: str, style: str = "body") -> Builder:
        """A paragraph of recorded text, or a plain note that nothing was recorded."""
        value = printable(text or "").strip()
        return self.add(Paragraph(value, style) if value else Paragraph(missing, "small"))

    def pairs(self, rows: Iterable[tuple[str, object]]) -> Builder:
        kept = tuple((printable(k), printable(v)) for k, v in rows if v not in (None, ""))
        return self.add(KeyValues(kept)) if kept else self

    def bullets(self, items: Iterable[str]) -> Builder:
        kept = tuple(printable(i).strip() for i in items if i and str(i).strip())
        return self.add(BulletList(kept)) if kept else self

    def table(self, header: Sequence[str], rows: Iterable[Sequence[object]], *,
              widths: Sequence[float] = (), empty: str = "None recorded.",
              total: Sequence[object] | None = None, strong: str = "") -> Builder:
        return self.add(Table(tuple(printable(h) for h in header),
                              tuple(tuple(printable(c) for c in row) for row in rows),
                              tuple(widths), empty,
                              tuple(printable(c) for c in total) if total else None, strong))
