"""What statements send and rows bring back on the school server, made to match the file:
rows read both ways as sqlite3.Row's are, SQLite's 0/1 for booleans and plain numbers for
sums, parameters converted as SQLite stores them, and a cursor with rowcount and lastrowid.
(store/server_database.py uses these.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg.adapt import Loader

from . import server_dialect


class Row(tuple):
    """A result row read both ways, as sqlite3.Row is: row["name"], row[0], tuple(row),
    dict(row) and row.keys(). A tuple underneath, of a subclass made once per set of column
    names (row_factory), so that reading thousands of rows costs what plain tuples do: a
    Python object built per row took twice as long as the query for Home's reviews."""

    __slots__ = ()
    _names: tuple[str, ...] = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            found = self._index.get(key)
            if found is None:
                found = self._index.get(key.lower())
                if found is None:
                    raise IndexError(f"No item with that key: {key}")
            return tuple.__getitem__(self, found)
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._names == other._names and tuple.__eq__(self, other)
        return False

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((self._names, tuple(self)))

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._names, self, strict=True))!r})"


_ROW_CLASSES: dict[tuple[str, ...], type[Row]] = {}


def row_class(names: tuple[str, ...]) -> type[Row]:
    """The Row subclass for one set of column names (made once, then reused)."""
    found = _ROW_CLASSES.get(names)
    if found is None:
        index: dict[str, int] = {}
        for position, name in enumerate(names):
            index.setdefault(name, position)
        found = type("Row", (Row,), {"__slots__": (), "_names": names, "_index": index})
        if len(_ROW_CLASSES) < 4096:
            _ROW_CLASSES[names] = found
    return found


def row_factory(cursor: Any) -> Callable[[Sequence[Any]], Any]:
    description = cursor.description
    if description is None:
        return tuple
    return row_class(tuple(column.name for column in description))


class BoolAsInt(Loader):
    """SQLite has no booleans: ``x IS NULL`` reads 0 or 1 there, so it does here too."""

    def load(self, data: Any) -> int:
        return 1 if bytes(data) == b"t" else 0


class NumericAsNumber(Loader):
    """sum() of integers is numeric on PostgreSQL; SQLite gives an int (or a float)."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode("ascii")
        if any(c in text for c in ".eEN"):
            return float(text)
        return int(text)


def sql_value(value: Any) -> Any:
    """A parameter as SQLite would have stored it."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    return value


def sql_params(params: Sequence[Any] | dict | None) -> Sequence[Any] | dict | None:
    if params is None:
        return None
    if isinstance(params, dict):
        return {key: sql_value(value) for key, value in params.items()}
    return [sql_value(value) for value in params]


def psycopg_sql(sql: str, params: Any) -> str:
    if not params:
        return sql
    return server_dialect.placeholders(sql, isinstance(params, dict))



class ServerCursor:
    """What execute() returns: rows, rowcount and lastrowid, as a sqlite3 cursor has them."""

    def __init__(self, cursor: psycopg.Cursor, lastrowid: int | None = None,
                 hide_rows: bool = False) -> None:
        self._cursor = cursor
        self.lastrowid = lastrowid
        self.rowcount = cursor.rowcount
        self._rows: list[Any] = [] if hide_rows or cursor.description is None else cursor.fetchall()
        self.description = None if hide_rows else cursor.description
        self._at = 0

    def fetchone(self) -> Any:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchall(self) -> list[Any]:
        rest, self._at = self._rows[self._at:], len(self._rows)
        return rest

    def __iter__(self) -> Iterator[Any]:
        while (row := self.fetchone()) is not None:
            yield row
