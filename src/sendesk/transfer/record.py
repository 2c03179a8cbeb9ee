"""The pupil's full structured record as versioned JSON, and loading it into another school.

Rather than a hand-kept list that would miss the next table someone adds, the record is
every row that belongs to the pupil, found by following the schema's own foreign keys from
`pupils`: register entries, needs, notes, concern runs, pathways and APDR cycles with their
assessments, plans, outcomes, provision, reviews, specialists, EHC records and attachments.
Each row is written with its column names; binary content (reports, attachments) travels as
separate package items. References to the sending school's users become the person's name,
and the receiving school keeps that name on an inactive, unusable user row so the history
still says who wrote what. Beside the rows goes the school's answer for which way each measure
named in them improves (transfer/directions.py), so its gains read the same way at the next
school.

Before anything leaves, protected addresses are taken out: a contact's address marked 'do not
disclose', the looked-after register's protected address, and any copy of either typed into
free text. What was removed is listed in the manifest and shown to the sender.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError
from ..models import bounded_json, my_story
from ..models.redaction import WITHHELD
from ..models.upn import clean_upn
from ..records._common import pupil_row
from ..records.protected import is_protected_change, protected_contacts, redactor_for, secrets_of
from ..session import Session
from ..store.database import Database
from . import current, directions, row_types
from .errors import TamperedPackage, UnknownVersion

FORMAT = "sendesk-record"
VERSION = 1
# Columns of the pupil row that describe the pupil (the rest is derived or local to a school).
PUPIL_COLUMNS = ("upn", "legal_surname", "legal_forename", "preferred_surname",
                 "preferred_forename", "dob", "gender", "year_group", "class_name",
                 "admission_date", "leaving_date", "destination")
# Which table a field_changes row's record_type names, so its record_id can follow the row.
RECORD_TYPES = {"pupil": "pupils", "contact": "contacts", "consent": "consents",
                "note": "short_notes", "register": "register_entries",
                "specialist": "specialist_involvements",
                "recommendation": "specialist_recommendations", "assessment": "apdr_assessments",
                "assessment tool": "apdr_assessment_tools", "plan": "apdr_plans",
                "outcome": "apdr_outcomes", "provision": "apdr_provision_items",
                "review": "apdr_reviews", "review progress": "apdr_outcomes",
                "review specialist view": "specialist_involvements",
                "measure": "provision_measures",
                "exam access": "exam_access_arrangements", "my story": "my_story"}
# The school's own tables, and the transfer log itself, which stays with the school that kept it.
_NOT_OWNED = {"pupils", "users", "meta", "audit_log", "audit_head", "sqlite_sequence",
              "transfers", "transfer_scans", "known_senders",
              # A pupil's place in one of this school's provision groups (its timetable and
              # shared cost) means nothing at the next school, whose plans carry the provision.
              "provision_group_members"}


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: tuple[str, ...]
    required: frozenset[str]        # NOT NULL without a default: every row must give them
    has_id: bool
    parents: dict[str, str]          # column -> parent table (pupil-owned tables and pupils)
    owner: str                       # the column that ties a row to its pupil or parent
    user_columns: frozenset[str]
    types: dict[str, str] = field(default_factory=dict)          # column -> declared SQL type
    not_null: frozenset[str] = frozenset()                        # columns that may not be NULL


def owned_tables(db: Database) -> list[TableInfo]:
    """Every table whose rows belong to a pupil, parents before children."""
    names = [name for name in db.table_names() if name not in _NOT_OWNED]
    info: dict[str, TableInfo] = {}
    pending = list(names)
    progress = True
    while pending and progress:
        progress = False
        for name in list(pending):
            fks = db.foreign_keys(name)
            targets = {fk["from"]: fk["table"] for fk in fks}
            cascades = [fk["from"] for fk in fks if fk["on_delete"] == "CASCADE"
                        and (fk["table"] == "pupils" or fk["table"] in info)]
            waiting = [t for c, t in targets.items() if t not in ("pupils", "users") and t not in info
                       and t in pending and t != name]
            if waiting:
                continue
            pending.remove(name)
            progress = True
            if not cascades:
                continue  # not a pupil's table (or not reachable): never exported
            owner = "pupil_id" if "pupil_id" in cascades else cascades[0]
            columns = db.columns(name)
            info[name] = TableInfo(
                name=name, columns=tuple(c["name"] for c in columns),
                required=frozenset(c["name"] for c in columns
                                   if c["notnull"] and c["dflt_value"] is None and c["name"] != "id"),
                has_id=any(c["name"] == "id" and c["pk"] for c in columns),
                parents={c: t for c, t in targets.items() if t != "users"},
                owner=owner,
                user_columns=frozenset(c for c, t in targets.items() if t == "users"),
                types={c["name"]: str(c["type"]).upper() for c in columns},
                not_null=frozenset(c["name"] for c in columns if c["notnull"]))
    # The change trail points at rows of many tables by record_id, so it is loaded last.
    return sorted(info.values(), key=lambda t: t.name == "field_changes")


def _order(db: Database, table: TableInfo) -> str:
    """The order rows were added in: by id (SQLite's rowid, where a table has one), else the
    engine's own row name."""
    return "id" if table.has_id else db.rowid


@dataclass
class Dump:
    record: dict[str, Any]
    attachments: list[tuple[str, bytes, dict[str, Any]]]   # (item name, content, row info)
    stripped: list[str]


def dump_record(session: Session, pupil_id: int) -> Dump:
    """The pupil's record as plain data, with protected addresses taken out."""
    db = session.db
    pupil = pupil_row(session, pupil_id)
    users = {r["id"]: r["full_name"] for r in db.query("SELECT id, full_name FROM users")}
    secrets = secrets_of(db, pupil_id)
    redactor = redactor_for(db, pupil_id, session.school.name)
    protected = protected_contacts(db, pupil_id)
    stripped = list(dict.fromkeys(what for what, _ in secrets))
    attachments: list[tuple[str, bytes, dict[str, Any]]] = []
    ids: dict[str, list[int]] = {"pupils": [pupil_id]}
    tables: dict[str, list[dict[str, Any]]] = {}

    def clean(value: Any) -> Any:
        return redactor(value) if isinstance(value, str) else value

    known = owned_tables(db)
    # A reference to one of the school's own tables (a provision line's library item) means
    # nothing at the next school: it does not travel.
    local = {(t.name, c) for t in known for c, parent in t.parents.items()
             if parent != "pupils" and parent not in {k.name for k in known}}
    for table in known:
        parent_ids = ids.get(table.parents.get(table.owner, "pupils"), [])
        if not parent_ids:
            continue
        rows = db.query(f"SELECT * FROM {table.name} WHERE {table.owner} IN"
                        f" ({','.join('?' * len(parent_ids))}) ORDER BY {_order(db, table)}", parent_ids)
        rows = _with_consent(table.name, rows, ids, stripped)
        out = []
        for row in rows:
            item: dict[str, Any] = {}
            for column in table.columns:
                value = row[column]
                if (table.name, column) in local:
                    value = None
                elif column in table.user_columns and value is not None:
                    value = {"$user": users.get(value, "a former member of staff")}
                elif isinstance(value, bytes):
                    name = f"attachments/{len(attachments) + 1}"
                    attachments.append((name, value, {"table": table.name, "row": dict(
                        (k, row[k]) for k in table.columns if not isinstance(row[k], bytes))}))
                    value = {"$attachment": name}
                elif table.name == "contacts" and column == "address" and row["do_not_disclose_address"]:
                    value = None
                elif table.name == "register_entries" and column == "protected_address":
                    value = None
                elif (table.name == "field_changes" and column in ("old_value", "new_value")
                      and value is not None and is_protected_change(row, protected)):
                    value = WITHHELD
                else:
                    value = clean(value)
                item[column] = value
            out.append(item)
        if out:
            tables[table.name] = out
            if table.has_id:
                ids[table.name] = [r["id"] for r in rows]
    in_text = redactor.count
    if in_text:
        stripped.append(f"{in_text} cop{'y' if in_text == 1 else 'ies'} of a protected address "
                        f"typed into notes or other text (replaced by {WITHHELD})")
    record = {"format": FORMAT, "version": VERSION,
              "schema_version": db.schema_version(),
              "pupil": {column: clean(pupil[column]) for column in PUPIL_COLUMNS},
              "tables": tables,
              # How this school reads each measure in it (transfer/directions.py).
              directions.FIELD: directions.for_record(db, tables)}
    return Dump(record, attachments, stripped)


def _with_consent(table: str, rows: list[Any], ids: Mapping[str, list[int]],
                  stripped: list[str]) -> list[Any]:
    """My Story goes to the next school only when its consent says so (models.my_story); its
    change trail, which holds the words too, goes with it or not at all."""
    if table == "my_story":
        kept = [r for r in rows if my_story.may_share_with_next_school(r)]
        if len(kept) < len(rows):
            left = len(rows) - len(kept)
            stripped.append(f"{left} My Story account{'s' if left != 1 else ''} whose consent "
                            "does not include the next school (kept here)")
        return kept
    if table == "field_changes":
        sent = set(ids.get("my_story", []))
        return [r for r in rows if r["record_type"] != "my story" or r["record_id"] in sent]
    return rows


# --- reading ----------------------------------------------------------------------------------

def _bad(detail: str) -> TamperedPackage:
    return TamperedPackage(f"The pupil record inside this package is not in the expected form "
                           f"({detail}). Nothing was imported.")


def _scalar_ok(value: Any) -> bool:
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if isinstance(value, dict) and len(value) == 1:
        (key, inner), = value.items()
        return key in ("$user", "$attachment") and isinstance(inner, str) and len(inner) <= 200
    return False


def parse_record(data: bytes, known: list[TableInfo], today: dt.date) -> dict[str, Any]:
    """Check record.json against what this database can hold (the record's schema), and type
    every value (row_types) so nothing is written from a package that would break the school."""
    try:
        # Integers are bounded field by field (row_types), so a fault names its field.
        record = bounded_json.loads(data, max_int=10 ** 40)
    except bounded_json.JsonRefused as exc:
        raise _bad(str(exc)) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise _bad("it is not readable JSON") from exc
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise _bad("it is not a sendesk pupil record")
    if record.get("version") != VERSION:
        raise UnknownVersion(f"The pupil record in this package is version {record.get('version')};"
                             f" this sendesk reads version {VERSION}. Install the latest sendesk "
                             "to open it. Nothing was imported.")
    pupil, tables = record.get("pupil"), record.get("tables")
    if not isinstance(pupil, dict) or not isinstance(tables, dict):
        raise _bad("the pupil or the tables are missing")
    if set(pupil) != set(PUPIL_COLUMNS):
        raise _bad("the pupil's details are malformed")
    for name, value in pupil.items():
        if value is not None and not isinstance(value, str):
            raise _bad(f"the pupil's {name} is not text")
    try:
        clean_upn(pupil["upn"] or "")
    except ValidationError as exc:
        raise _bad("the pupil's UPN is not valid") from exc
    row_types.check_pupil(pupil, today)   # also gives the UPN in the form this school stores
    by_name = {t.name: t for t in known}
    for name, rows in tables.items():
        table = by_name.get(name)
        if table is None:
            raise UnknownVersion(f"This package holds records ({name}) that this version of "
                                 "sendesk cannot store. Install the latest sendesk and import it "
                                 "again. Nothing was imported.")
        if not isinstance(rows, list):
            raise _bad(f"{name} is not a list")
        for row in rows:
            if not isinstance(row, dict) or not all(_scalar_ok(v) for v in row.values()):
                raise _bad(f"a row of {name} is malformed")
            unknown = set(row) - set(table.columns)
            if unknown:
                raise UnknownVersion(f"This package holds details ({name}.{sorted(unknown)[0]}) "
                                     "that this version of sendesk cannot store. Install the "
                                     "latest sendesk. Nothing was imported.")
            if table.has_id and not (isinstance(row.get("id"), int) and not isinstance(row["id"], bool)):
                raise _bad(f"a row of {name} has no id")
            missing = sorted(table.required - set(row))
            if missing:
                raise _bad(f"a row of {name} lacks {missing[0]}")
    row_types.check_rows(tables, known, today)
    # Typed like the rows: from here on {direction_key: (name, lower)}, {} from older packages.
    record[directions.FIELD] = directions.parse(record)
    return record


# Columns that say when and by whom a row was entered, not what it says: a second package of
# the same pupil carries the same row with a different entry time or sender's note.
_ENTRY_COLUMNS = frozenset({"id", "entered_at", "updated_at", "created_at", "from_school"})
Held = dict[str, dict[int, Any]]   # table -> package row index -> the id of the row held here


def _comparable(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _package_key(table: TableInfo, row: Mapping[str, Any], compared: list[str], pupil_id: int,
                 ids: Mapping[str, Mapping[int, int]], attachments: Mapping[str, bytes]
                 ) -> tuple[Any, ...] | None:
    """A package row's content as this school would hold it, or None when it hangs on a row
    not held here (then it cannot be held here either)."""
    key = []
    for column in compared:
        value = row.get(column)
        parent = table.parents.get(column)
        if isinstance(value, dict):
            (kind, inner), = value.items()
            value = attachments.get(inner) if kind == "$attachment" else None
        elif parent == "pupils":
            value = pupil_id
        elif parent is not None and value is not None:
            value = ids.get(parent, {}).get(value)
            if value is None:
                return None
        elif table.name == "field_changes" and column == "record_id":
            target = RECORD_TYPES.get(str(row.get("record_type")), "")
            if target == "pupils":
                value = pupil_id
            elif value is not None:
                value = ids.get(target, {}).get(value)
            if value is None:
                return None
        key.append(_comparable(value))
    return tuple(key)


def already_held(db: Database, pupil_id: int, record: Mapping[str, Any], known: list[TableInfo],
                 attachments: Mapping[str, bytes]) -> Held:
    """The package's rows this school already holds for the pupil: same table, same content
    (ids, entry times, the entering user and the sender's name aside), under the same held
    parent. A second package from the same school carries the first one's rows again; they are
    neither offered nor written twice. Each held row answers for one package row only, so two
    identical rows in a package and one here leave one to add."""
    held: Held = {}
    ids: dict[str, dict[int, int]] = {}
    for table in known:
        rows = record["tables"].get(table.name, [])
        parent = table.parents.get(table.owner)
        owners = [pupil_id] if parent == "pupils" else sorted(set(ids.get(str(parent), {}).values()))
        if not rows or not owners:
            continue
        compared = [c for c in table.columns
                    if c not in _ENTRY_COLUMNS and c not in table.user_columns]
        ours = db.query(f"SELECT {'id' if table.has_id else 'NULL'} AS held_id, "
                        f"{', '.join(compared)} FROM {table.name} WHERE {table.owner} IN"
                        f" ({','.join('?' * len(owners))}) ORDER BY {_order(db, table)}", owners)
        free: dict[tuple[Any, ...], list[Any]] = {}
        for each in ours:
            free.setdefault(tuple(_comparable(each[c]) for c in compared), []).append(
                each["held_id"])
        matched, mapping = held.setdefault(table.name, {}), ids.setdefault(table.name, {})
        for index, row in enumerate(rows):
            key = _package_key(table, row, compared, pupil_id, ids, attachments)
            if key is None or not free.get(key):
                continue
            matched[index] = free[key].pop(0)
            if table.has_id:
                mapping[row["id"]] = matched[index]
    return held


@dataclass
class Loader:
    """Inserts a parsed record's rows for one pupil, giving every row a new id."""

    session: Session
    pupil_id: int
    sender_name: str
    attachments: Mapping[str, bytes]
    close_imported: Mapping[str, dt.date] = field(default_factory=dict)  # table -> end date
    # Rows the user left out (table, package id), and whole tables; what hangs on them follows.
    skip_rows: set[tuple[str, int]] = field(default_factory=set)
    skip_tables: set[str] = field(default_factory=set)
    held: Held = field(default_factory=dict)   # rows already here (already_held): not written again
    ids: dict[str, dict[int, int]] = field(default_factory=dict)
    _users: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def user(self, name: str) -> int:
        """An inactive user row naming a member of the sending school's staff."""
        label = f"{name} ({self.sender_name})"[:100]
        if label not in self._users:
            db = self.session.db
            existing = db.scalar("SELECT id FROM users WHERE full_name = ? AND active = 0 AND"
                                 " username LIKE 'transfer:%'", (label,))
            if existing is None:
                number = int(db.scalar("SELECT coalesce(max(id), 0) FROM users")) + 1
                existing = db.execute(
                    "INSERT INTO users (username, full_name, roles, active, created_at, created_by,"
                    " removed_at) VALUES (?, ?, 'staff', 0, ?, ?, ?)",
                    (f"transfer:{number}", label, self.session.now_text(), self.session.user.id,
                     self.session.now_text())).lastrowid
            self._users[label] = int(existing)
        return self._users[label]

    def value(self, table: TableInfo, column: str, value: Any, row: Mapping[str, Any]) -> Any:
        if column == table.owner and table.parents.get(column) == "pupils":
            return self.pupil_id
        if isinstance(value, dict):
            (kind, inner), = value.items()
            if kind == "$user":
                return self.user(inner) if column in table.user_columns else None
            if inner not in self.attachments:
                raise _bad(f"attachment {inner} is missing")
            return self.attachments[inner]
        if column in table.user_columns:
            return None
        parent = table.parents.get(column)
        if parent is not None and value is not None:
            mapped = self.ids.get(parent, {}).get(value)
            if mapped is None:
                raise _bad(f"{table.name} refers to a {parent} row it does not hold")
            return mapped
        if table.name == "field_changes" and column == "record_id":
            target = RECORD_TYPES.get(str(row.get("record_type")), "")
            if target == "pupils":
                return self.pupil_id
            return self.ids.get(target, {}).get(value, -1)
        return value

    def _kept(self, table: TableInfo, row: dict[str, Any]) -> bool:
        """False for a row left out, or hanging on one; a reference the row can do without
        (a note a flowchart run points at, say) is cleared instead."""
        own = (table.name, row.get("id"))
        if table.name in self.skip_tables or own in self.skip_rows:
            self._leave_out(own)
            return False
        for column, parent in table.parents.items():
            if row.get(column) is None or (parent, row.get(column)) not in self.skip_rows:
                continue
            if column == table.owner or column in table.required:
                self._leave_out(own)
                return False
            row[column] = None
        if table.name == "field_changes":
            target = RECORD_TYPES.get(str(row.get("record_type")), "")
            return (target, row.get("record_id")) not in self.skip_rows
        return True

    def _leave_out(self, own: tuple[str, Any]) -> None:
        if isinstance(own[1], int):
            self.skip_rows.add(own)

    def load(self, record: Mapping[str, Any], known: list[TableInfo]) -> None:
        db = self.session.db
        for table in known:
            rows = record["tables"].get(table.name, [])
            mapping = self.ids.setdefault(table.name, {})
            held = self.held.get(table.name, {})
            for index, row in enumerate(rows):
                if index in held:
                    if table.has_id:
                        mapping[row["id"]] = held[index]   # what hangs on it hangs on ours
                    continue
                row = dict(row)
                if not self._kept(table, row):
                    continue
                if table.name == "field_changes" and "from_school" in table.columns:
                    # The sender's edits are its history, not this school's changes.
                    row["from_school"] = row.get("from_school") or self.sender_name
                kind = current.BY_TABLE.get(table.name)
                ending = None   # how to close their open row, when ours stays the current one
                if (kind is not None and table.name in self.close_imported
                        and kind.is_open(row)):
                    if kind.ending is None:
                        continue   # a draft or checklist answer of theirs: ours is kept
                    ending = kind.ending
                values = {c: self.value(table, c, v, row) for c, v in row.items() if c != "id"}
                if ending is not None:
                    values.update(ending(self.close_imported[table.name],
                                         self.session.now_text()))
                missing = sorted(table.required - set(values))
                if missing:
                    raise _bad(f"a row of {table.name} lacks {missing[0]}")
                columns = list(values)
                cursor = db.execute(
                    f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES"
                    f" ({', '.join('?' * len(columns))})", [values[c] for c in columns])
                if table.has_id:
                    mapping[row["id"]] = int(cursor.lastrowid)
                self.counts[table.name] = self.counts.get(table.name, 0) + 1

