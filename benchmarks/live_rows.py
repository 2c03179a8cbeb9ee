"""Rows for one table, filled by column name and checked against the live schema (PRAGMA
table_info on the open database), so a bulk generator follows the migrations instead of
restating every table's columns by hand. Used by scale_school.py.
"""

from __future__ import annotations

from typing import Any

from sendesk.store.database import Database


class SchemaMismatch(AssertionError):
    """The generator names a column the live table lacks, or leaves out one it requires."""


class LiveRows:
    """The rows waiting to be written to one table, each as a tuple (memory matters at 60,000
    pupils) in the order of the table's own columns.

    The columns come from the live schema (PRAGMA table_info on the open database). The first
    row added fixes which of them the generator fills; every later row must name the same ones.
    """

    def __init__(self, db: Database, table: str) -> None:
        info = db.columns(table)
        if not info:
            raise SchemaMismatch(f"the synthetic history writes to {table}, which the schema lacks")
        self.table = table
        self.live = [row["name"] for row in info]
        # NOT NULL without a default, other than a lone INTEGER PRIMARY KEY (it numbers itself).
        keys = [row for row in info if row["pk"]]
        rowid = keys[0]["name"] if len(keys) == 1 and keys[0]["type"].upper() == "INTEGER" \
            else None
        self.required = {row["name"] for row in info if (row["notnull"] or row["pk"])
                         and row["dflt_value"] is None and row["name"] != rowid}
        self.columns: tuple[str, ...] | None = None
        self.rows: list[tuple] = []

    def add(self, **values: Any) -> None:
        columns = self.columns
        if columns is None:
            columns = self.columns = self._columns_for(values)
        elif len(values) != len(columns):
            raise SchemaMismatch(f"{self.table}: a row names {sorted(values)}, the first named "
                                 f"{sorted(columns)}")
        try:
            self.rows.append(tuple([values[name] for name in columns]))
        except KeyError as exc:
            raise SchemaMismatch(f"{self.table}: a row leaves out {exc.args[0]}") from None

    def _columns_for(self, values: dict[str, Any]) -> tuple[str, ...]:
        unknown = sorted(set(values) - set(self.live))
        if unknown:
            raise SchemaMismatch(f"{self.table} has no column {', '.join(unknown)} (it has "
                                 f"{', '.join(self.live)})")
        missing = sorted(self.required - set(values))
        if missing:
            raise SchemaMismatch(f"{self.table} requires {', '.join(missing)}, which the "
                                 f"synthetic history does not fill")
        return tuple(name for name in self.live if name in values)

    def insert_sql(self) -> str:
        assert self.columns is not None
        return (f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES "
                f"({', '.join('?' * len(self.columns))})")
