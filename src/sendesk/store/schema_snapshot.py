"""The schema the migrations build, as one readable SQL file (docs/schema.sql), so a reviewer
can see the tables without replaying the migrations in their head, and a test
(tests/test_schema_snapshot.py) fails when a migration changes the schema and the snapshot
was not regenerated with it.

    ./dev schema                                    rewrites docs/schema.sql
    python -m sendesk.store.schema_snapshot [FILE]  prints the snapshot (or writes FILE)
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import sqlcipher3

from . import migrations
from .database import Database

# Within each table: the table, then its indexes, then its triggers; views after the tables.
_ORDER = {"table": 0, "index": 1, "trigger": 2, "view": 3}


def fresh_schema_rows() -> list[tuple[str, str, str, str]]:
    """(type, name, tbl_name, sql) of every object a new database gets from the migrations.

    Built in memory without a key: the schema is the same as an encrypted database's."""
    conn = sqlcipher3.connect(":memory:", isolation_level=None)
    try:
        migrations.upgrade(conn)
        return schema_rows(conn)
    finally:
        conn.close()


_SCHEMA_SQL = ("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"
               " AND name NOT LIKE 'sqlite_%'")


def schema_rows(source: Database | sqlcipher3.Connection) -> list[tuple[str, str, str, str]]:
    """The objects in an open database's schema (SQLite's own objects and automatic indexes,
    which have no SQL, left out)."""
    found = source.query(_SCHEMA_SQL) if isinstance(source, Database) else \
        source.execute(_SCHEMA_SQL).fetchall()
    return [(row[0], row[1], row[2], row[3]) for row in found]


def normalise(sql: str) -> str:
    """One statement as the snapshot shows it: the migration's indentation removed, trailing
    spaces stripped, and a closing semicolon."""
    first, _, rest = sql.strip().partition("\n")
    body = textwrap.dedent(rest)
    lines = [first.rstrip()] + [line.rstrip() for line in body.splitlines()]
    return "\n".join(line for line in lines if line) + ";"


def render(rows: list[tuple[str, str, str, str]], version: int) -> str:
    views = [r for r in rows if r[0] == "view"]
    others = sorted((r for r in rows if r[0] != "view"),
                    key=lambda r: (r[2], _ORDER.get(r[0], 9), r[1]))
    parts = [f"-- The sendesk database schema at migration version {version}, as a new database\n"
             "-- gets it. Generated from src/sendesk/store/migrations.py: do not edit by hand;\n"
             "-- after adding a migration run ./dev schema (tests/test_schema_snapshot.py checks)."]
    table = None
    for kind, name, tbl_name, sql in others + sorted(views, key=lambda r: r[1]):
        if kind in ("table", "view") or tbl_name != table:
            parts.append(f"\n-- {tbl_name if kind != 'view' else name}")
            table = tbl_name
        parts.append(normalise(sql))
    return "\n".join(parts) + "\n"


def snapshot() -> str:
    """The snapshot text for the migrations as they are now."""
    return render(fresh_schema_rows(), migrations.LATEST)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = snapshot()
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
        print(f"Wrote {args[0]} (schema version {migrations.LATEST}).")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
