"""The school's provision library: the menu of interventions it offers, each with its area of
need, evidence base, usual staff, size, frequency, length, hourly cost and the measures it is
usually judged by.

A plan picks an item and gets a provision line filled from it (every field still editable), so a
phonics group is described once, not once per pupil. A measure that improves as it falls (an
SDQ score) is marked "(lower is better)" on its line of the item's measures, and in a CSV file
named in the lower_is_better column; which way a measure improves is the school's one answer
for its name (records/measure_directions.py), so the item shows the school's answer.

This module holds the checks every way in shares (the form, the CSV import, the suggested
interventions shipped in resources/provision_library.json) and the CSV layout; nothing here
touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import FieldFaults, SendeskError, ValidationError
from . import bounded_json, dates
from .measures import LOWER_IS_BETTER, direction_key, kind_of_name, labelled
from .provision import (
    DEFAULT_WEEKS,
    MAX_GROUP,
    MAX_MINUTES,
    MAX_WEEKS,
    CostBasis,
    clean_area,
    format_money,
    money_for_csv,
    parse_money,
    parse_sessions,
    sessions_shown,
)
from .sen import areas
from .text import clean_line, clean_text

MAX_NAME = 120
MAX_MEASURES = 10
MAX_MEASURE_NAME = 100
MAX_HOURLY_PENCE = 100_000   # £1,000 an hour: anything larger is a typing slip
MAX_ITEMS = 500              # in a file; a school's menu is a few dozen
FORMAT = 1
SUGGESTED_FILE = "provision_library.json"

# The CSV columns, in order: the same on export and import. lower_is_better names those of
# the row's measures that improve as they fall; a file written before it was added has no
# such column, and still imports (saying nothing of which way its measures improve).
COLUMNS = ("name", "area", "description", "evidence_summary", "evidence_reference",
           "staff_role", "group_size", "sessions_per_week", "minutes", "weeks", "hourly_cost",
           "measures", "lower_is_better", "retired_on")
OPTIONAL_COLUMNS = ("lower_is_better",)
LABELS = {"name": "Name", "area": "Area of need", "description": "Description",
          "evidence_summary": "Evidence summary", "evidence_reference": "Evidence reference",
          "staff_role": "Usual staff role", "group_size": "Group size",
          "sessions_per_week": "Sessions a week", "minutes": "Minutes a session",
          "weeks": "Weeks", "hourly_cost": "Hourly cost", "measures": "Measures",
          "lower_is_better": "Lower is better", "retired_on": "Retired on"}
# The fields a person edits and the library table holds (which way a measure improves is
# marked on its line of the measures; retired_on has its own action).
FIELDS = tuple(c for c in COLUMNS if c not in ("lower_is_better", "retired_on"))


@dataclass(frozen=True)
class LibraryItem:
    id: int
    name: str
    area: str | None
    description: str
    evidence_summary: str
    evidence_reference: str
    staff_role: str
    group_size: int
    sessions_per_week: Decimal              # whole or a half (0.5 is once a fortnight)
    minutes: int
    weeks: int
    hourly_cost_pence: int
    measures: tuple[str, ...]
    retired_on: dt.date | None
    lower_is_better: tuple[str, ...] = ()      # those of its measures that improve as they fall

    @property
    def retired(self) -> bool:
        return self.retired_on is not None

    @property
    def area_label(self) -> str:
        return areas().get(self.area or "", "")

    @property
    def hourly_cost(self) -> str:
        return format_money(self.hourly_cost_pence)

    def values(self) -> dict[str, Any]:
        """The fields as a form or a CSV row shows them."""
        return {"name": self.name, "area": self.area, "description": self.description,
                "evidence_summary": self.evidence_summary,
                "evidence_reference": self.evidence_reference, "staff_role": self.staff_role,
                "group_size": self.group_size,
                "sessions_per_week": sessions_shown(self.sessions_per_week),
                "minutes": self.minutes, "weeks": self.weeks,
                "hourly_cost": money_for_csv(self.hourly_cost_pence),
                "measures": "\n".join(self.measure_labels)}

    @property
    def measure_labels(self) -> tuple[str, ...]:
        """Its measures as a reader sees them: '(lower is better)' after those that are."""
        lower = {direction_key(name) for name in self.lower_is_better}
        return tuple(labelled(name, direction_key(name) in lower) for name in self.measures)

    def provision_line(self) -> dict[str, Any]:
        """A provision line filled from this item (the plan's own copy; every field editable)."""
        return {"description": self.name[:200], "area": self.area,
                "delivered_by": self.staff_role, "group_size": self.group_size,
                "sessions_per_week": self.sessions_per_week, "minutes": self.minutes,
                "weeks": self.weeks, "cost_basis": CostBasis.HOUR,
                "rate_pence": self.hourly_cost_pence, "library_id": self.id}


def _whole(value: Any, label: str, low: int, high: int, default: int | None = None) -> int:
    text = str(value if value is not None else "").strip()
    if not text and default is not None:
        return default
    if not text.isdigit() or not text.isascii():
        raise ValidationError(f"{label} must be a whole number from {low} to {high}.", field=label)
    number = int(text)
    if not low <= number <= high:
        raise ValidationError(f"{label} must be from {low} to {high}.", field=label)
    return number


_MARK = re.compile(r"\s*[(\[]\s*(lower|higher)\s+is\s+better\s*[)\]]\s*$", re.IGNORECASE)


def _parts(value: Any) -> list[str]:
    """Names one a line, or separated by semicolons (as a spreadsheet cell holds them)."""
    if isinstance(value, (list, tuple)):
        return [str(part) for part in value]
    return str(value or "").replace(";", "\n").splitlines()


def marked_measures(value: Any) -> tuple[tuple[str, ...], dict[str, bool]]:
    """Measures typed one a line, trimmed, blanks and repeats dropped, each perhaps marked
    "(lower is better)" or "(higher is better)" after its name: the names, and the marks by
    name (True where lower is better)."""
    found: list[str] = []
    marks: dict[str, bool] = {}
    for part in _parts(value):
        mark = _MARK.search(part)
        name = clean_line(part[:mark.start()] if mark else part, "A measure",
                          max_length=MAX_MEASURE_NAME, required=False)
        if name and name.lower() not in {f.lower() for f in found}:
            found.append(name)
        if name and mark:
            marks[name] = mark.group(1).lower() == "lower"
    if len(found) > MAX_MEASURES:
        raise ValidationError(f"Measures: at most {MAX_MEASURES} for one intervention.",
                              field="measures")
    return tuple(found), marks


def split_measures(value: Any) -> tuple[str, ...]:
    """The measures' names, without their marks (marked_measures)."""
    return marked_measures(value)[0]


def _directions(names: tuple[str, ...], marks: dict[str, bool],
                lower_column: Any) -> dict[str, bool]:
    """Which way each measure improves, where the item says: the marks on its lines and, when
    a file has the lower_is_better column (lower_column not None), every measure, those it
    names lower-is-better and the rest higher. An age or a scaled score is never lower."""
    by_key = {direction_key(name): name for name in names}
    said: dict[str, bool] = {}
    if lower_column is not None:
        said = dict.fromkeys(names, False)
        for part in _parts(lower_column):
            wanted = direction_key(_MARK.sub("", part))
            if not wanted:
                continue
            if wanted not in by_key:
                raise ValidationError(f"Lower is better names '{part.strip()}', which is not one "
                                      "of its measures.", field="lower_is_better")
            said[by_key[wanted]] = True
    said.update(marks)
    for name, lower in said.items():
        kind = kind_of_name(name)
        if lower and kind is not None and not kind.may_be_lower:
            raise ValidationError(f"Measures: '{name}' is a {kind.label.lower()}, which is always "
                                  f"better higher; take '({LOWER_IS_BETTER})' off it.",
                                  field="measures")
    return said


def _hourly_pence(cost: Any) -> int:
    pence = parse_money(cost if isinstance(cost, int) else str(cost or "0"), "Hourly cost")
    assert pence is not None
    if pence > MAX_HOURLY_PENCE:
        raise ValidationError(f"Hourly cost must be at most {format_money(MAX_HOURLY_PENCE)}.",
                              field="Hourly cost")
    return pence


def clean_library_item(raw: Mapping[str, Any],
                       name_taken: Callable[[str], None] | None = None) -> dict[str, Any]:
    """An item's fields, typed and checked, field by field in the form's order; every fault
    is raised together (FieldFaults), naming the fields. name_taken, when given, refuses a
    name another item has, in the name's place among the faults. "directions" are the
    measures whose way of improving the item says (_directions)."""
    fields: dict[str, Any] = {}
    faults: list[ValidationError] = []

    def check(key: str, work: Callable[[], Any]) -> None:
        try:
            fields[key] = work()
        except ValidationError as exc:
            faults.append(exc)

    def name() -> str:
        found = clean_line(str(raw.get("name") or ""), "Name", max_length=MAX_NAME)
        if name_taken is not None:
            name_taken(found)
        return found

    def measures() -> tuple[str, ...]:
        names, marks = marked_measures(raw.get("measures"))
        fields["directions"] = _directions(names, marks, raw.get("lower_is_better"))
        return names

    check("name", name)
    check("area", lambda: clean_area(str(raw.get("area") or ""), required=True))
    check("description", lambda: clean_text(str(raw.get("description") or ""), "Description",
                                             max_length=2000))
    check("evidence_summary", lambda: clean_text(str(raw.get("evidence_summary") or ""),
                                                 "Evidence summary", max_length=1000))
    check("evidence_reference", lambda: clean_line(str(raw.get("evidence_reference") or ""),
                                                   "Evidence reference", max_length=300,
                                                   required=False))
    check("staff_role", lambda: clean_line(str(raw.get("staff_role") or ""), "Usual staff role",
                                           max_length=100, required=False))
    check("group_size", lambda: _whole(raw.get("group_size"), "Group size", 1, MAX_GROUP,
                                       default=1))
    check("sessions_per_week", lambda: parse_sessions(raw.get("sessions_per_week")))
    check("minutes", lambda: _whole(raw.get("minutes"), "Minutes a session", 1, MAX_MINUTES))
    check("weeks", lambda: _whole(raw.get("weeks"), "Weeks", 1, MAX_WEEKS,
                                  default=DEFAULT_WEEKS))
    check("hourly_cost_pence", lambda: _hourly_pence(raw.get("hourly_cost")))
    check("measures", measures)
    if faults:
        raise FieldFaults(faults)
    return fields


def name_key(name: str) -> str:
    """How names are compared: an import matches an item whatever the case or spacing."""
    return " ".join(name.split()).casefold()


# --- the CSV layout -------------------------------------------------------------------------
def csv_row(item: LibraryItem) -> list[str]:
    values = item.values()
    values["measures"] = "; ".join(item.measures)
    values["lower_is_better"] = "; ".join(item.lower_is_better)
    values["retired_on"] = dates.format_uk(item.retired_on) if item.retired_on else ""
    return [str(values[name]) for name in COLUMNS]


@dataclass(frozen=True)
class ImportRow:
    line: int
    fields: dict[str, Any]
    retired_on: dt.date | None


def parse_rows(headers: Sequence[str], rows: Sequence[tuple[int, list[str]]],
               today: dt.date) -> tuple[list[ImportRow], list[str]]:
    """Each row typed, or a message naming its line; the header must name every column (but
    lower_is_better, which files written before it do not have). A measure said to improve
    one way on one row and the other on another is refused: it is one answer a measure."""
    keys = [h.strip().lower().replace(" ", "_") for h in headers]
    missing = [name for name in COLUMNS if name not in keys and name not in OPTIONAL_COLUMNS]
    if missing:
        return [], ["The header row lacks the column" + ("s " if len(missing) > 1 else " ")
                    + ", ".join(missing) + ". Start from a file the library export wrote."]
    unknown = [h for h, k in zip(headers, keys, strict=True) if k not in COLUMNS]
    if unknown:
        return [], ["The header row has a column sendesk does not know: "
                    + ", ".join(unknown) + "."]
    index = {name: keys.index(name) for name in COLUMNS if name in keys}
    parsed: list[ImportRow] = []
    faults: list[str] = []
    seen: dict[str, int] = {}
    ways: dict[str, tuple[bool, int]] = {}       # measure -> (lower is better, first line)
    for line, cells in rows:
        if len(cells) > len(keys):
            faults.append(f"Line {line}: it has more cells than the header row.")
            continue
        cells = [_unescape(c) for c in cells] + [""] * (len(keys) - len(cells))
        raw: dict[str, Any] = {name: cells[at] for name, at in index.items()}
        try:
            fields = clean_library_item(raw)
            retired = dates.parse_date(raw["retired_on"], "Retired on", required=False)
            dates.not_after(retired, today, "Retired on")
        except ValidationError as exc:
            faults.append(f"Line {line}: {exc}")
            continue
        key = name_key(fields["name"])
        if key in seen:
            faults.append(f"Line {line}: '{fields['name']}' is already on line {seen[key]}.")
            continue
        seen[key] = line
        clash = next((f"Line {line}: '{measure}' is lower is better here but not on line "
                      f"{ways[k][1]}, or the other way round; a measure improves the same way "
                      "on every intervention." for measure, lower in fields["directions"].items()
                      if (k := direction_key(measure)) in ways and ways[k][0] != lower), None)
        if clash:
            faults.append(clash)
            continue
        for measure, lower in fields["directions"].items():
            ways.setdefault(direction_key(measure), (lower, line))
        parsed.append(ImportRow(line, fields, retired))
    return parsed, faults


_ESCAPED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def _unescape(cell: str) -> str:
    """A cell the export wrote with a leading apostrophe (so spreadsheets show it as text)."""
    return cell[1:] if cell.startswith(_ESCAPED) else cell


# --- the suggested interventions shipped with sendesk ----------------------------------------
_ENTRY_KEYS = set(COLUMNS) - {"retired_on"}


def check_suggested(raw: Any, source: str) -> list[dict[str, Any]]:
    """The shipped file's entries, each checked as a person's would be; a damaged file is
    refused whole, with a message naming the entry and the fault."""
    def fault(text: str) -> SendeskError:
        return SendeskError(f"sendesk's suggested interventions file {source} is damaged: "
                            f"{text}. Reinstall sendesk to restore it.")

    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise fault(f"it is not a format {FORMAT} provision library")
    entries = raw.get("interventions")
    if not isinstance(entries, list) or not entries or len(entries) > MAX_ITEMS:
        raise fault(f"'interventions' must list from 1 to {MAX_ITEMS} entries")
    found: list[dict[str, Any]] = []
    names: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise fault(f"entry {number} is not an object")
        extra = sorted(set(entry) - _ENTRY_KEYS)
        if extra:
            raise fault(f"entry {number} has unknown field(s) {', '.join(extra)}")
        for key in ("measures", "lower_is_better"):
            if not isinstance(entry.get(key, []), list):
                raise fault(f"entry {number}: {key} must be a list")
        try:
            fields = clean_library_item(entry)
        except ValidationError as exc:
            raise fault(f"entry {number} ({entry.get('name', 'no name')}): {exc}") from None
        if not fields["evidence_summary"] or not fields["measures"]:
            raise fault(f"entry {number} ({fields['name']}) needs an evidence summary and at "
                        "least one measure")
        if name_key(fields["name"]) in names:
            raise fault(f"entry {number}: '{fields['name']}' is listed twice")
        names.add(name_key(fields["name"]))
        found.append(fields)
    return found


MAX_FILE_BYTES = 256 * 1024


def load_suggested(path: Path | None = None) -> list[dict[str, Any]]:
    """The suggested interventions (resources/provision_library.json unless another file is
    named), read within bounds and checked entry by entry."""
    from ..resources import resource_path
    path = path or resource_path(SUGGESTED_FILE)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        raise SendeskError(f"sendesk's suggested interventions file {path.name} is missing. "
                           "Reinstall sendesk to restore it.") from None
    if len(data) > MAX_FILE_BYTES:
        raise SendeskError(f"sendesk's suggested interventions file {path.name} is over "
                           f"{MAX_FILE_BYTES // 1024} KB, so it cannot be the one shipped. "
                           "Reinstall sendesk to restore it.")
    try:
        raw = bounded_json.loads(data.decode("utf-8-sig"), max_depth=8)
    except (UnicodeDecodeError, ValueError) as exc:
        raise SendeskError(f"sendesk's suggested interventions file {path.name} is damaged: "
                           f"it is not readable JSON ({exc}). Reinstall sendesk to restore "
                           "it.") from None
    return check_suggested(raw, path.name)
