"""The school server's schema read from PostgreSQL's catalogue, reported as the file reports
its own: table names, columns with SQLite's type names and defaults, foreign keys and triggers
(store/server_database.py answers the Database interface's schema questions with these), so
services/verify.py and the server import compare both engines against the same expectations.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg

from . import server_dialect
from .database import Database

_SQLITE_TYPES = {"bigint": "INTEGER", "integer": "INTEGER", "smallint": "INTEGER",
                 "text": "TEXT", "double precision": "REAL", "real": "REAL", "bytea": "BLOB"}
_ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL",
              "d": "SET DEFAULT"}


def identity_tables(conn: psycopg.Connection) -> frozenset[str]:
    """The tables whose id is an identity column."""
    return frozenset(str(r[0]) for r in conn.execute(
        "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
        "AND a.attname = 'id' AND a.attidentity <> ''").fetchall())


def table_names(db: Database) -> list[str]:
    return [str(r[0]) for r in db.query(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> ? "
        "ORDER BY c.relname COLLATE \"C\"", (server_dialect.SCHEMA_VERSION_TABLE,))]


def columns(db: Database, table: str) -> list[dict[str, Any]]:
    """A table's columns as the file reports them (SQLite's type names, defaults as SQL)."""
    rows = db.query(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "pg_get_expr(d.adbin, d.adrelid), a.attidentity, "
        "COALESCE(array_position(i.indkey::int2[], a.attnum) + 1 - array_lower(i.indkey::int2[], 1), 0) "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
        "WHERE n.nspname = current_schema() AND c.relname = ? AND a.attnum > 0 "
        "AND NOT a.attisdropped ORDER BY a.attnum", (table,))
    return [{"name": r[0], "type": _SQLITE_TYPES.get(r[1], r[1].upper()),
             "notnull": bool(r[2]) and not r[4], "dflt_value": _default(r[3]),
             "pk": int(r[5])} for r in rows]


def _default(expression: str | None) -> str | None:
    """PostgreSQL's default ('open'::text) as SQLite shows it ('open')."""
    if expression is None:
        return None
    return re.sub(r"::[a-z ]+$", "", expression)


def foreign_keys(db: Database, table: str) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT a.attname, parent.relname, pa.attname, con.confdeltype "
        "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_class parent ON parent.oid = con.confrelid "
        "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) AS k(col, parent_col) "
        "JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.col "
        "JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = k.parent_col "
        "WHERE con.contype = 'f' AND n.nspname = current_schema() AND c.relname = ? "
        "ORDER BY con.conname COLLATE \"C\"", (table,))
    return [{"from": r[0], "table": r[1], "to": r[2], "on_delete": _ON_DELETE[r[3]]}
            for r in rows]


def triggers(db: Database) -> dict[str, str]:
    """Every trigger, by name. A safeguard exactly as the migrations made it is reported
    as the SQLite statement it was made from, so services/verify.py compares both engines
    with the same expected list; a changed one is reported as it now stands."""
    from . import migrations
    expected = migrations.expected_triggers()
    found = {}
    for name, definition, source in db.query(
            "SELECT t.tgname, pg_get_triggerdef(t.oid), p.prosrc FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema() AND t.tgenabled <> 'D'"):
        live = server_dialect.trigger_fingerprint(definition, source)
        original = expected.get(name)
        matches = original is not None and server_dialect.expected_fingerprint(original) == live
        found[str(name)] = original if matches and original is not None else live
    return found
