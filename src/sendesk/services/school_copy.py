"""Copying a whole school's rows from one database to another, and proving the copy whole.

Moving a school between a file on a PC and the school server (services/server_move.py) must
lose nothing and change nothing: every table's rows go across with their own ids (so links
between records, transfer histories and the audit chain, whose hashes cover the ids, stay as
they were), in one transaction on the receiving side, and then both sides are read back and
compared table by table: the row count and a digest of every row's values. The two engines
return the same stored value in slightly different Python types (bytes or memoryview, 3 or
3.0 in a REAL column), so each value is normalised the same way before it is hashed.

Tables are written parents first (foreign keys are checked row by row on the server), rows in
id order; the only rows a freshly migrated database holds (the audit log's empty head) are
cleared first, inside the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import DamagedDatabase
from ..store.database import Database

BATCH = 5_000


@dataclass(frozen=True)
class TableCheck:
    """What one table holds: its row count and the digest of all its rows' values."""

    rows: int
    digest: str


def tables_in_order(db: Database) -> list[str]:
    """Every table, each after the tables its foreign keys point to."""
    names = db.table_names()
    parents = {name: {fk["table"] for fk in db.foreign_keys(name)} - {name} for name in names}
    done: list[str] = []
    placed: set[str] = set()

    def place(name: str, path: tuple[str, ...]) -> None:
        if name in placed or name not in parents:
            return
        if name in path:
            raise DamagedDatabase(f"The tables {', '.join(path)} point at each other in a circle; "
                                  "they cannot be copied in order.")
        for parent in sorted(parents[name]):
            place(parent, (*path, name))
        placed.add(name)
        done.append(name)
    for name in names:
        place(name, ())
    return done


def column_names(db: Database, table: str) -> list[str]:
    return sorted(str(column["name"]) for column in db.columns(table))


def _has_id(db: Database, table: str) -> bool:
    return any(column["name"] == "id" for column in db.columns(table))


def rows(db: Database, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """A table's rows (columns in the order given), by id in batches so that a county-sized
    audit log is never all in memory at once; a table without an id is read whole."""
    listed = ", ".join(columns)
    if not _has_id(db, table):
        yield from (tuple(row) for row in db.query(f"SELECT {listed} FROM {table}"))
        return
    last = None
    while True:
        if last is None:
            batch = db.query(f"SELECT {listed} FROM {table} ORDER BY id LIMIT {BATCH}")
        else:
            batch = db.query(f"SELECT {listed} FROM {table} WHERE id > ? ORDER BY id "
                             f"LIMIT {BATCH}", (last,))
        if not batch:
            return
        at = columns.index("id")
        for row in batch:
            yield tuple(row)
        last = batch[-1][at]


def _normal(value: Any) -> Any:
    """A stored value as the same JSON-able token on either engine."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ["i", int(value)]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, float):
        return ["i", int(value)] if value.is_integer() else ["f", repr(value)]
    if isinstance(value, bytes | bytearray | memoryview):
        return ["b", bytes(value).hex()]
    return ["s", str(value)]


def row_hash(row: tuple[Any, ...]) -> bytes:
    return hashlib.sha256(json.dumps([_normal(v) for v in row], ensure_ascii=False,
                                     separators=(",", ":")).encode("utf-8")).digest()


def check(db: Database, tables: list[str]) -> dict[str, TableCheck]:
    """Each table's row count and digest. The digest is over the sorted row hashes, so it
    does not depend on the order either engine returns rows in."""
    found = {}
    for table in tables:
        hashes = sorted(row_hash(row) for row in rows(db, table, column_names(db, table)))
        digest = hashlib.sha256(b"".join(hashes)).hexdigest()
        found[table] = TableCheck(len(hashes), digest)
    return found


def differences(source: dict[str, TableCheck], target: dict[str, TableCheck]) -> list[str]:
    """One sentence per table that did not come across exactly."""
    problems = []
    for table in sorted(set(source) | set(target)):
        mine, theirs = source.get(table), target.get(table)
        if mine is None or theirs is None:
            problems.append(f"the table {table} is on only one side")
        elif mine.rows != theirs.rows:
            problems.append(f"{table} has {mine.rows:,} rows here and {theirs.rows:,} in the copy")
        elif mine.digest != theirs.digest:
            problems.append(f"{table} has the same number of rows but different values")
    return problems


def require_same_tables(source: Database, target: Database) -> list[str]:
    """The tables to copy; both databases must be at the same schema, column for column."""
    tables = tables_in_order(source)
    mismatched = [table for table in tables
                  if not target.has_table(table)
                  or column_names(source, table) != column_names(target, table)]
    if mismatched or set(target.table_names()) != set(tables):
        raise DamagedDatabase("The two databases are not at the same version of sendesk's "
                              f"tables (for example {(mismatched or ['their list of tables'])[0]}); "
                              "upgrade both to this sendesk first. Nothing was copied.")
    return tables


def copy_all(source: Database, target: Database, tables: list[str]) -> int:
    """Write every row of `tables` from source into target, inside the caller's transaction on
    target (the target holds only what its migrations wrote, which is cleared first). Returns
    how many rows were copied."""
    for table in reversed(tables):
        target.execute(f"DELETE FROM {table}")
    copied = 0
    for table in tables:
        columns = column_names(source, table)
        batch: list[tuple[Any, ...]] = []
        for row in rows(source, table, columns):
            batch.append(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
            if len(batch) >= BATCH:
                copied += _write(target, table, columns, batch)
                batch = []
        if batch:
            copied += _write(target, table, columns, batch)
    return copied


def _write(target: Database, table: str, columns: list[str], batch: list[tuple[Any, ...]]) -> int:
    copy_rows = getattr(target, "copy_rows", None)
    if copy_rows is not None:
        copy_rows(table, columns, batch)   # the server's COPY: many times faster than INSERTs
    else:
        placeholders = ", ".join("?" for _ in columns)
        target.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                           batch)
    return len(batch)
