"""Importing pupils from the school's MIS as CSV: read, preview, then commit all or nothing.

preview() writes nothing. It decodes the file (UTF-8 with or without a BOM, UTF-16 from
Excel's 'Unicode text', or Windows-1252), matches the usual MIS headers to sendesk's fields
(or takes an explicit mapping), checks every row and says per row what would be added or
updated and what is wrong. commit() refuses a preview with errors; otherwise it applies every
row in one transaction, matching pupils by UPN so a re-import updates rather than duplicates.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ..errors import ValidationError
from ..models.pupils import FIELD_LABELS, PupilDetails, check_details
from ..models.roles import Permission
from ..operations import Kind, changed, operation
from ..session import Session
from . import ehc
from .pupils import INSERT_SQL, details_columns, details_from_row
from ._common import chunks, placeholders, record_changes, today

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
REQUIRED = ("upn", "legal_surname", "legal_forename", "dob", "gender", "year_group")
# Header spellings seen in SIMS, Arbor, Bromcom and similar exports, compared after removing
# case, spaces and punctuation.
HEADERS: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "uniquepupilnumber", "pupilupn"),
    "legal_surname": ("surname", "legalsurname", "lastname", "familyname"),
    "legal_forename": ("forename", "legalforename", "firstname", "givenname"),
    "preferred_surname": ("preferredsurname", "knownassurname"),
    "preferred_forename": ("preferredforename", "preferredname", "knownas", "chosenname"),
    "dob": ("dob", "dateofbirth", "birthdate"),
    "gender": ("gender", "sex"),
    "year_group": ("year", "ncyear", "yeargroup", "ncyearactual", "nationalcurriculumyear",
                   "curriculumyear"),
    "class_name": ("class", "reg", "reggroup", "registrationgroup", "regroup", "form",
                   "tutorgroup", "classname"),
    "admission_date": ("admissiondate", "dateofadmission", "entrydate", "startdate"),
}


@dataclass(frozen=True)
class ImportRow:
    line: int
    upn: str
    action: str  # 'add', 'update', 'unchanged', 'skip' or 'error'
    details: PupilDetails | None
    pupil_id: int | None = None
    changes: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportPreview:
    source: str
    encoding: str
    headers: list[str]
    mapping: dict[str, str]
    rows: list[ImportRow]
    unused_headers: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    skipped: int


def normalise_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def decode(data: bytes, source: str) -> tuple[str, str]:
    """The file's text and the encoding it was read with, or a message saying what to do."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    elif b"\x00" in data[:65536]:
        raise ValidationError(f"{source} is not a CSV text file (it contains binary data). "
                              "Export the pupil list from your MIS as CSV.", field="file")
    else:
        encodings = ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ValidationError(f"{source} is not in a text encoding sendesk can read (UTF-8 or "
                          "Windows-1252). Save it from your MIS or spreadsheet as 'CSV UTF-8' "
                          "and try again.", field="file")


def read_table(data: bytes, source: str) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """Headers, (line number, cells) for each non-blank row, and the encoding."""
    if len(data) > MAX_BYTES:
        raise ValidationError(f"{source} is {len(data) / 1024 / 1024:.0f} MB; sendesk imports "
                              f"pupil lists of up to {MAX_BYTES // 1024 // 1024} MB. Check it is "
                              "the right file.", field="file")
    text, encoding = decode(data, source)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        headers = next(reader, None)
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, cells))
                if len(rows) > MAX_ROWS:
                    raise ValidationError(f"{source} has more than {MAX_ROWS:,} pupils; sendesk "
                                          "imports at most that many at once.", field="file")
    except csv.Error as exc:
        raise ValidationError(f"{source} could not be read as CSV at line {reader.line_num} "
                              f"({exc}). Export it again from your MIS.", field="file") from None
    if not headers or not any(cell.strip() for cell in headers):
        raise ValidationError(f"{source} is empty; it needs a header row and one row per pupil.",
                              field="file")
    if not rows:
        raise ValidationError(f"{source} has a header row but no pupils.", field="file")
    return [cell.strip() for cell in headers], rows, encoding


def auto_map(headers: list[str]) -> dict[str, str]:
    """sendesk field -> file header, for every header recognised."""
    mapping: dict[str, str] = {}
    for header in headers:
        key = normalise_header(header)
        for name, aliases in HEADERS.items():
            if key in aliases and name not in mapping:
                mapping[name] = header
    return mapping


def _apply_override(headers: list[str], mapping: dict[str, str],
                    override: Mapping[str, str]) -> dict[str, str]:
    by_key = {normalise_header(header): header for header in headers}
    result = dict(mapping)
    for name, header in override.items():
        if name not in HEADERS:
            raise ValidationError(f"'{name}' is not a field sendesk imports; use one of "
                                  + ", ".join(HEADERS) + ".", field="mapping")
        if not header:
            result.pop(name, None)
            continue
        if normalise_header(header) not in by_key:
            raise ValidationError(f"The file has no column called '{header}'.", field="mapping")
        result[name] = by_key[normalise_header(header)]
    used: dict[str, str] = {}
    for name, header in result.items():
        if header in used:
            raise ValidationError(f"The column '{header}' is mapped to both {used[header]} and "
                                  f"{name}; map each column once.", field="mapping")
        used[header] = name
    return result


@operation(Permission.IMPORT_PUPILS, writes=False)
def preview(session: Session, source: Path | bytes, mapping: Mapping[str, str] | None = None,
            name: str | None = None) -> ImportPreview:
    """Check a MIS export and say what importing it would do. Nothing is saved."""
    label = name or (Path(source).name if not isinstance(source, bytes) else "The file")
    data = _read_bytes(source, label) if not isinstance(source, bytes) else source
    headers, rows, encoding = read_table(data, label)
    mapped = _apply_override(headers, auto_map(headers), mapping or {})
    missing = [FIELD_LABELS[name] for name in REQUIRED if name not in mapped]
    if missing:
        raise ValidationError(f"{label} has no column for: " + ", ".join(missing) + ". Found: "
                              + ", ".join(headers[:20]) + ". Map the columns by hand if they "
                              "have other names.", field="mapping")
    column = {name: headers.index(header) for name, header in mapped.items()}
    day = today(session)
    checked = []
    for line, cells in rows:
        raw = {name: cells[index].strip() if index < len(cells) else ""
               for name, index in column.items()}
        details, problems = check_details(raw, day)
        checked.append((line, raw.get("upn", "").replace(" ", "").upper(), details,
                        [str(problem) for problem in problems]))
    return ImportPreview(label, encoding, headers, mapped, _plan(session, checked, set(mapped)),
                         [header for header in headers if header not in mapped.values()])


def _read_bytes(path: Path | str, label: str) -> bytes:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ValidationError(f"{label} is {size / 1024 / 1024:.0f} MB; sendesk imports "
                                  f"pupil lists of up to {MAX_BYTES // 1024 // 1024} MB. Check it "
                                  "is the right file.", field="file")
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{label} could not be read ({exc.strerror or 'disk error'}).",
                              field="file") from None


def _plan(session: Session, checked: list, mapped: set[str]) -> list[ImportRow]:
    lines_by_upn: dict[str, list[int]] = {}
    for line, upn, _, _ in checked:
        lines_by_upn.setdefault(upn, []).append(line)
    existing = {}
    upns = [upn for upn in lines_by_upn if upn]
    for chunk in chunks(upns):
        for row in session.db.query("SELECT * FROM pupils WHERE upn IN "
                                    f"({placeholders(len(chunk))})", list(chunk)):
            existing[row["upn"]] = row
    people: dict[tuple[str, str, str], str] | None = None
    plan = []
    for line, upn, details, errors in checked:
        if upn and len(lines_by_upn[upn]) > 1:
            others = ", ".join(str(n) for n in lines_by_upn[upn] if n != line)
            errors = errors + [f"UPN {upn} is also on line {others}; each pupil may appear once."]
        if errors or details is None:
            plan.append(ImportRow(line, upn, "error", details, errors=tuple(errors)))
            continue
        current = existing.get(details.upn)
        if current is None:
            if people is None:
                people = _people(session)
            twin = people.get((details.dob.isoformat(), details.legal_surname,
                               details.legal_forename))
            if twin:
                plan.append(ImportRow(line, upn, "error", details, errors=(
                    f"A pupil with the same name and date of birth is already recorded under UPN "
                    f"{twin}. If their UPN has changed, correct it on that pupil first.",)))
            else:
                plan.append(ImportRow(line, upn, "add", details))
            continue
        if current["archived_at"] is not None:
            plan.append(ImportRow(line, upn, "skip", details, current["id"], warnings=(
                "This pupil has left and their record is archived; the row is not imported.",)))
            continue
        changes = tuple(_changed_fields(details_from_row(current), details, mapped))
        plan.append(ImportRow(line, upn, "update" if changes else "unchanged", details,
                              current["id"], changes))
    return plan


def _people(session: Session) -> dict[tuple[str, str, str], str]:
    """(date of birth, legal surname, legal forename) -> UPN, to catch a changed UPN."""
    return {(row[0], row[1], row[2]): row[3] for row in session.db.query(
        "SELECT dob, legal_surname, legal_forename, upn FROM pupils")}


def _changed_fields(old: PupilDetails, new: PupilDetails, mapped: set[str]) -> list[str]:
    return [name for name in sorted(mapped) if getattr(old, name) != getattr(new, name)]


@operation(Permission.IMPORT_PUPILS, audit="imported pupils from the MIS")
def commit(session: Session, plan: ImportPreview) -> ImportResult:
    """Apply a clean preview in one transaction: every row or none.

    Besides the one entry for the import, the audit log gets an entry per pupil added or
    changed (as if each had been entered by hand), written inside the same transaction."""
    if not plan.ok:
        raise ValidationError(f"{len(plan.errors)} rows have errors; correct them in the file and "
                              "import it again. Nothing was imported.", field="file")
    added = updated = 0
    touched: list[int] = []
    moved_year: list[int] = []
    for row in plan.rows:
        if row.action not in ("add", "update") or row.details is None:
            continue
        current = session.db.query_one("SELECT * FROM pupils WHERE upn = ?", (row.upn,))
        if row.action == "add":
            if current is not None:
                raise ValidationError(f"UPN {row.upn} was added by someone else since the "
                                      "preview; preview the file again.", field="file")
            cursor = session.db.execute(INSERT_SQL, {**details_columns(row.details),
                                                     "created_at": session.now_text(),
                                                     "created_by": session.user.id})
            session.audit("added a pupil", "pupil", cursor.lastrowid, {"source": "MIS import"})
            touched.append(int(cursor.lastrowid))
            added += 1
        else:
            if current is None or current["archived_at"] is not None:
                raise ValidationError(f"The pupil with UPN {row.upn} has changed since the "
                                      "preview; preview the file again.", field="file")
            fields = _update(session, current, row, plan.mapping)
            if fields:
                touched.append(int(current["id"]))
            if "year_group" in fields:
                moved_year.append(current["id"])
            updated += 1
    # An EHC plan's review schedule depends on the year group.
    ehc.refresh_pupils(session, moved_year)
    if moved_year:
        changed(session, Kind.EHC, moved_year)
    # The pupils' ids (not the whole school) so the summary columns are worked out for the
    # imported pupils only; the import's own entry names no pupil.
    changed(session, Kind.PUPIL, touched, target=(None, None), added=added, updated=updated,
            rows=len(plan.rows))
    return ImportResult(added, updated, plan.count("unchanged"), plan.count("skip"))


def _update(session: Session, current, row: ImportRow, mapping: dict[str, str]) -> list[str]:
    """Apply one row's mapped fields; returns the names of those that changed."""
    old = details_from_row(current)
    fields = sorted(mapping)
    merged = old.replace(**{name: getattr(row.details, name) for name in fields})
    old_columns, new_columns = details_columns(old), details_columns(merged)
    changed = record_changes(session, current["id"], "pupil", current["id"],
                             {name: old_columns[name] for name in fields},
                             {name: new_columns[name] for name in fields})
    if changed:
        session.db.execute("UPDATE pupils SET " + ", ".join(f"{name} = :{name}"
                                                            for name in new_columns)
                           + " WHERE id = :id", {**new_columns, "id": current["id"]})
        session.audit("changed pupil details", "pupil", current["id"],
                      {"fields": changed, "source": "MIS import"})
    return changed


def describe_row(row: ImportRow) -> str:
    """'line 7 (UPN ...): problem; problem' for CLI output and the preview's error list."""
    return f"line {row.line} (UPN {row.upn or 'missing'}): " + "; ".join(row.errors)

