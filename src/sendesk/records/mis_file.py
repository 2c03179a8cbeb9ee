"""Reading a MIS export: bytes to headers and cells, and headers to sendesk's fields.

Nothing here touches the database. The file is bounded (size, rows) and decoded (UTF-8 with or
without a BOM, UTF-16 from Excel's 'Unicode text', or Windows-1252) before anything is looked
at; headers are matched to fields by the spellings the README gives and those of SIMS, Arbor and
Bromcom exports, compared without case, spaces or punctuation.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path

from ..errors import ValidationError
from ..models.pupils import FIELD_LABELS

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
REQUIRED = ("upn", "legal_surname", "legal_forename", "dob", "gender", "year_group")
# A "known as" column holds the name the pupil goes by: "Surname, Forename" as sendesk's own
# `pupils list` writes it, or a forename alone as some MIS exports do.
KNOWN_AS = "known_as"
# Header spellings, compared after removing case, spaces and punctuation: the README's own
# (UPN, Surname, Forename, DOB, Gender, Year, Class/Reg), sendesk's `pupils list` columns, and
# those of SIMS, Arbor, Bromcom and similar exports.
HEADERS: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "uniquepupilnumber", "pupilupn"),
    "legal_surname": ("surname", "legalsurname", "lastname", "legallastname", "familyname",
                      "legalfamilyname"),
    "legal_forename": ("forename", "legalforename", "firstname", "legalfirstname", "givenname",
                       "legalgivenname"),
    "preferred_surname": ("preferredsurname", "preferredlastname", "preferredfamilyname",
                          "knownassurname"),
    "preferred_forename": ("preferredforename", "preferredfirstname", "preferredname",
                           "knownasforename", "chosenname"),
    KNOWN_AS: ("knownas", "knownasname"),
    "dob": ("dob", "dateofbirth", "birthdate"),
    "gender": ("gender", "sex"),
    "year_group": ("year", "yeargroup", "ncyear", "ncyearactual", "nationalcurriculumyear",
                   "curriculumyear"),
    "class_name": ("class", "classreg", "reg", "reggroup", "registrationgroup",
                   "registrationform", "regform", "regroup", "form", "formgroup", "tutorgroup",
                   "classname"),
    "admission_date": ("admissiondate", "dateofadmission", "entrydate", "dateofentry",
                       "startdate"),
}
LABELS = {**FIELD_LABELS, KNOWN_AS: "Known as"}
# Cells a spreadsheet-safe export (sendesk's own) wrote with a leading apostrophe.
_ESCAPED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


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
    # Preferred-name columns of their own say more than a combined "known as" one.
    if KNOWN_AS in mapping and ({"preferred_surname", "preferred_forename"} & set(mapping)):
        del mapping[KNOWN_AS]
    return mapping


def apply_override(headers: list[str], mapping: dict[str, str],
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


def read_bytes(path: Path | str, label: str) -> bytes:
    """The file's bytes, refused before reading when it is too big to be a pupil list."""
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


def unused(headers: list[str], mapping: Mapping[str, str]) -> list[str]:
    """The file's columns that nothing is read from, in the file's order."""
    taken = set(mapping.values())
    return [header for header in headers if header not in taken]


def unused_sentence(headers: list[str]) -> str:
    """Said before anything is imported, so a column the user expected is not lost unseen."""
    if not headers:
        return ""
    return "These columns will not be imported: " + ", ".join(headers) + "."


def cell(text: str) -> str:
    """A cell as typed: trimmed, and without the apostrophe a spreadsheet-safe export adds."""
    text = text.strip()
    return text[1:] if text.startswith(_ESCAPED) else text


def row_values(cells: list[str], column: Mapping[str, int]) -> tuple[dict[str, str], set[str]]:
    """One row's raw values by field, and the fields the row supplies.

    A "known as" cell with a comma is "Surname, Forename" (as `pupils list` writes it) and
    supplies both preferred names; without one it is the preferred forename alone."""
    raw = {name: cell(cells[index]) if index < len(cells) else ""
           for name, index in column.items()}
    fields = set(raw) - {KNOWN_AS}
    if KNOWN_AS in raw:
        known = raw.pop(KNOWN_AS)
        surname, comma, forename = known.partition(",")
        if comma:
            raw["preferred_surname"], raw["preferred_forename"] = surname.strip(), forename.strip()
            fields |= {"preferred_surname", "preferred_forename"}
        else:
            raw["preferred_forename"] = known
            fields.add("preferred_forename")
    return raw, fields
