"""The school's provision library: the SENCO adds, edits and retires the interventions the
school offers; everyone reads them; plans pick from those still offered.

Items are never deleted: a retired item stays on the plans that used it (their lines keep its
id and their own copy of its fields) but is no longer offered for new ones, and it can be
brought back. The whole library goes to and from a CSV file (all rows or none, matched by name)
so a school can edit it in a spreadsheet or share it with another school.

Which way each measure improves is the school's answer for the measure's name (records/
measure_directions.py), shown on every item that lists it and changed from any of them: a
line marked "(lower is better)" makes it so; a line the item already had, left unmarked, is
higher-is-better; a measure new to the item takes the school's answer (higher if none). A
file with the lower_is_better column says for each of a row's measures; one without it says
nothing, so its measures keep the school's answers (new ones higher-is-better).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..models import dates
from ..models import provision_library as library
from ..models.measures import direction_key
from ..models.provision import stored_sessions
from ..models.provision_library import LibraryItem
from ..models.roles import Permission
from ..operations import Kind, changed, operation, viewed
from ..services import starter_library
from ..session import Session
from ..store.database import Row
from . import csv_safe, measure_directions
from ._common import today

MAX_CSV_BYTES = 1024 * 1024


class LibraryFileRefused(ValidationError):
    """A library file with bad rows: nothing was imported; faults names each line's fault."""

    def __init__(self, source: str, faults: list[str]) -> None:
        super().__init__(f"{source} was not imported; nothing was changed. " + " ".join(faults),
                         field="file")
        self.source = source
        self.faults = faults


def _item(row: Row, lower: frozenset[str] = frozenset()) -> LibraryItem:
    measures = tuple(m for m in (row["measures"] or "").split("\n") if m)
    return LibraryItem(
        id=row["id"], name=row["name"], area=row["area"], description=row["description"] or "",
        evidence_summary=row["evidence_summary"] or "",
        evidence_reference=row["evidence_reference"] or "", staff_role=row["staff_role"] or "",
        group_size=row["group_size"] or 1,
        sessions_per_week=stored_sessions(row["sessions_per_week"]),
        minutes=row["minutes"] or 0, weeks=row["weeks"] or library.DEFAULT_WEEKS,
        hourly_cost_pence=int(round((row["hourly_cost"] or 0) * 100)),
        measures=measures, retired_on=dates.from_text(row["retired_on"]),
        lower_is_better=tuple(m for m in measures if direction_key(m) in lower))


def _row(session: Session, item_id: int) -> Row:
    row = session.db.query_one("SELECT * FROM provision_library WHERE id = ?", (int(item_id),))
    if row is None:
        raise ValidationError("That intervention is not in the school's library.",
                              field="library")
    return row


def _name_taken(session: Session, other_than: int | None = None) -> Callable[[str], None]:
    """The check clean_library_item makes of the name: no other item has it."""
    rows = session.db.query("SELECT id, name, name_key FROM provision_library")

    def check(name: str) -> None:
        key = library.name_key(name)
        for row in rows:
            if row["id"] != other_than and (row["name_key"] or library.name_key(row["name"])) \
                    == key:
                raise ValidationError(f"The library already has '{row['name']}'; give this one "
                                      "another name, or edit that one.", field="Name")
    return check


def _set_directions(session: Session, fields: Mapping[str, Any], before: tuple[str, ...]
                    ) -> bool:
    """Which way the item's measures improve, by the rule in this module's docstring: the
    directions it says, and higher-is-better for a measure it had before (`before`) left
    unmarked. True when any changed."""
    said = {direction_key(name): lower for name, lower in fields["directions"].items()}
    had = {direction_key(name) for name in before}
    changed_any = False
    for name in fields["measures"]:
        key = direction_key(name)
        lower = said.get(key, False if key in had else None)
        if lower is not None:
            changed_any = measure_directions.set_direction(session, name, lower) or changed_any
    return changed_any


@operation(Permission.VIEW_RECORDS, writes=False)
def list_items(session: Session, include_retired: bool = False) -> list[LibraryItem]:
    """The library by area then name; retired items only when asked for (they are not offered
    for new plans)."""
    rows = session.db.query(
        "SELECT * FROM provision_library"
        + ("" if include_retired else " WHERE retired_on IS NULL")
        + " ORDER BY area, name_key, id")
    lower = measure_directions.lower_names(session.db)
    return [_item(row, lower) for row in rows]


@operation(Permission.VIEW_RECORDS, writes=False)
def get_item(session: Session, item_id: int) -> LibraryItem:
    return _item(_row(session, item_id), measure_directions.lower_names(session.db))


@operation(Permission.MANAGE_PLANS, audit="added an intervention to the provision library")
def add_item(session: Session, raw: Mapping[str, Any]) -> int:
    fields = library.clean_library_item(raw, _name_taken(session))
    item_id = int(session.db.scalar(starter_library.INSERT, {
        **starter_library.columns(fields), "at": session.now_text(), "user": session.user.id}))
    _set_directions(session, fields, ())
    changed(session, Kind.LIBRARY, whole_school=True, target=("provision_library", item_id),
            name=fields["name"])
    return item_id


def _fields(item: LibraryItem) -> dict[str, Any]:
    """A stored item's fields as clean_library_item returns them (to compare with an edit)."""
    values = item.values()
    values["sessions_per_week"] = item.sessions_per_week
    values["hourly_cost_pence"] = item.hourly_cost_pence
    values["measures"] = item.measures
    return values


def _update(session: Session, row: Row, fields: dict[str, Any]) -> list[str]:
    old = starter_library.columns(_fields(_item(row)))
    new = starter_library.columns(fields)
    differ = [name for name in new if name != "name_key" and new[name] != old[name]]
    if differ or row["name_key"] != new["name_key"]:
        session.db.execute(
            "UPDATE provision_library SET " + ", ".join(f"{n} = :{n}" for n in new)
            + ", updated_at = :at, updated_by = :user WHERE id = :id",
            {**new, "at": session.now_text(), "user": session.user.id, "id": row["id"]})
    return differ


@operation(Permission.MANAGE_PLANS, audit="changed an intervention in the provision library")
def edit_item(session: Session, item_id: int, raw: Mapping[str, Any]) -> list[str]:
    """Change an item; returns the changed fields. Plans already made keep their own copy."""
    row = _row(session, item_id)
    item = _item(row, measure_directions.lower_names(session.db))
    fields = library.clean_library_item({**item.values(), **raw},
                                        _name_taken(session, other_than=row["id"]))
    differ = _update(session, row, fields)
    if _set_directions(session, fields, item.measures):
        differ.append("lower_is_better")
    if differ:
        changed(session, Kind.LIBRARY, whole_school=True, target=("provision_library", row["id"]),
                fields=differ)
    return differ


def _set_retired(session: Session, row: Row, day: dt.date | None) -> None:
    session.db.execute("UPDATE provision_library SET retired_on = ?, retired_by = ?,"
                       " updated_at = ?, updated_by = ? WHERE id = ?",
                       (dates.to_text(day), session.user.id if day else None, session.now_text(),
                        session.user.id, row["id"]))


@operation(Permission.MANAGE_PLANS, audit="retired an intervention from the provision library")
def retire_item(session: Session, item_id: int) -> None:
    """No longer offered for new plans; plans that used it keep it."""
    row = _row(session, item_id)
    if row["retired_on"] is not None:
        raise ValidationError(f"'{row['name']}' is already retired.", field="library")
    _set_retired(session, row, today(session))
    changed(session, Kind.LIBRARY, whole_school=True, target=("provision_library", row["id"]))


@operation(Permission.MANAGE_PLANS, audit="brought back an intervention to the provision library")
def unretire_item(session: Session, item_id: int) -> None:
    row = _row(session, item_id)
    if row["retired_on"] is None:
        raise ValidationError(f"'{row['name']}' is not retired.", field="library")
    _set_retired(session, row, None)
    changed(session, Kind.LIBRARY, whole_school=True, target=("provision_library", row["id"]))


@operation(Permission.MANAGE_PLANS, audit="added the suggested interventions to the library")
def add_suggested(session: Session) -> list[str]:
    """Add the interventions shipped with sendesk that the library does not hold by name
    (those the school retired stay retired); returns the names added."""
    added = starter_library.add_suggested(session.db, session.now_text(), session.user.id)
    if added:
        changed(session, Kind.LIBRARY, whole_school=True, added=len(added))
    return added


def check_offered(session: Session, library_id: Any) -> int | None:
    """A new provision line's library item: one in the library and not retired (internal to
    the plan operations, which check their own permission)."""
    if library_id in (None, ""):
        return None
    row = _row(session, int(library_id))
    if row["retired_on"] is not None:
        raise ValidationError(f"'{row['name']}' has been retired from the library and is not "
                              "offered for new plans.", field="library")
    return int(row["id"])


# --- the CSV file ---------------------------------------------------------------------------
@operation(Permission.VIEW_RECORDS, writes=False, audit="exported the provision library")
def export_csv(session: Session, path: Path) -> int:
    """Every item, retired ones too (with the day they were retired); returns the count."""
    items = list_items(session, include_retired=True)
    count = csv_safe.export_file(Path(path), library.COLUMNS, (library.csv_row(i) for i in items))
    viewed(session, None, None, items=count)
    return count


def _decode(data: bytes, source: str) -> str:
    if b"\x00" in data[:65536]:
        raise ValidationError(f"{source} is not a CSV text file (it contains binary data).",
                              field="file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(f"{source} is not UTF-8 or Windows-1252 text; save it from the "
                          "spreadsheet as 'CSV UTF-8' and try again.", field="file")


def read_csv(data: bytes, source: str, day: dt.date) -> list[library.ImportRow]:
    """A library file's rows, typed, or one ValidationError naming every bad line."""
    if len(data) > MAX_CSV_BYTES:
        raise ValidationError(f"{source} is over {MAX_CSV_BYTES // 1024} KB; a provision "
                              "library file is much smaller. Check it is the right file.",
                              field="file")
    reader = csv.reader(io.StringIO(_decode(data, source), newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        headers = next(reader, None)
        start = reader.line_num + 1      # a quoted cell may run over several lines
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((start, cells))
                if len(rows) > library.MAX_ITEMS:
                    raise ValidationError(f"{source} has more than {library.MAX_ITEMS} "
                                          "interventions; sendesk imports at most that many.",
                                          field="file")
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationError(f"{source} could not be read as CSV at line {reader.line_num} "
                              f"({exc}).", field="file") from None
    if not headers or not rows:
        raise ValidationError(f"{source} has no interventions in it (it needs a header row and "
                              "a row for each).", field="file")
    parsed, faults = library.parse_rows(headers, rows, day)
    if faults:
        raise LibraryFileRefused(source, faults)
    return parsed


@operation(Permission.MANAGE_PLANS, audit="imported the provision library")
def import_csv(session: Session, path: Path) -> dict[str, int]:
    """Import a library file, all rows or none: a row whose name the library holds updates
    that item (and its retired date), any other row adds one. Returns the counts added,
    updated and unchanged."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CSV_BYTES + 1)
    except OSError as exc:
        raise ValidationError(f"{path.name} cannot be read ({exc.strerror or exc}).",
                              field="file") from None
    rows = read_csv(data, path.name, today(session))
    existing = {(r["name_key"] or library.name_key(r["name"])): r
                for r in session.db.query("SELECT * FROM provision_library")}
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    for found in rows:
        row = existing.get(library.name_key(found.fields["name"]))
        if row is None:
            item_id = int(session.db.scalar(starter_library.INSERT, {
                **starter_library.columns(found.fields), "at": session.now_text(),
                "user": session.user.id}))
            if found.retired_on is not None:
                _set_retired(session, _row(session, item_id), found.retired_on)
            _set_directions(session, found.fields, ())
            counts["added"] += 1
            continue
        differ = _update(session, row, found.fields)
        if _set_directions(session, found.fields, ()):
            differ.append("lower_is_better")
        if dates.from_text(row["retired_on"]) != found.retired_on:
            _set_retired(session, row, found.retired_on)
            differ.append("retired_on")
        counts["updated" if differ else "unchanged"] += 1
    if counts["added"] or counts["updated"]:
        changed(session, Kind.LIBRARY, whole_school=True, added=counts["added"],
                updated=counts["updated"])
    return counts
