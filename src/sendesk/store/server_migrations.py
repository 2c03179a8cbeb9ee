"""How the numbered migrations (store/migrations.py) run on the school server: the same
``upgrade()`` drives a ``MigrationTarget``, whose execute() runs each SQLite statement as the
PostgreSQL statements it becomes (server_dialect.migration_statements), inside one transaction
that holds the school's write lock; the version is the one row of ``sendesk_schema_version``.
Only the owner role runs them (``sendesk-cli server init`` / ``server upgrade``)."""

from __future__ import annotations

import psycopg
from psycopg.pq import TransactionStatus

from . import server_dialect
from .server_write_lock import TAKE


class MigrationTarget:
    """What a migration step is given on the server, in place of SQLite's connection."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str) -> None:
        if sql.strip().rstrip(";").upper() in ("COMMIT", "ROLLBACK"):
            self._conn.execute(sql)
            return
        for statement in server_dialect.migration_statements(sql):
            self._conn.execute(statement)

    @property
    def in_transaction(self) -> bool:
        return self._conn.info.transaction_status != TransactionStatus.IDLE

    def schema_version(self) -> int:
        table = server_dialect.SCHEMA_VERSION_TABLE
        row = self._conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()
        if row is None or row[0] is None:
            return 0
        found = self._conn.execute(f"SELECT max(version) FROM {table}").fetchone()
        return int(found[0] or 0) if found else 0

    def begin_exclusive(self) -> None:
        table = server_dialect.SCHEMA_VERSION_TABLE
        self._conn.execute(f"BEGIN; {TAKE}")
        self._conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (version BIGINT NOT NULL)")

    def set_schema_version(self, version: int) -> None:
        table = server_dialect.SCHEMA_VERSION_TABLE
        self._conn.execute(f"DELETE FROM {table}")
        self._conn.execute(f"INSERT INTO {table} (version) VALUES (%s)", (int(version),))
