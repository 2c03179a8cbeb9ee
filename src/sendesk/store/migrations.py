"""Numbered schema migrations over PRAGMA user_version.

Every pending step runs inside one exclusive transaction; if any step fails the database is
left exactly at its old version. A database from a newer sendesk is refused rather than
guessed at. Add a step by writing upgrade_version_N; never edit a step that has shipped.
"""

from __future__ import annotations

import sys
from typing import Callable

import sqlcipher3

from ..errors import NewerVersionError

Step = Callable[[sqlcipher3.Connection], None]


def run_script(conn: sqlcipher3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction.

    executescript() would commit first, which would break the all-or-nothing promise.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlcipher3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError("incomplete SQL statement in migration")


def upgrade_version_1(conn: sqlcipher3.Connection) -> None:
    """School identity, users and roles, and the append-only audit log."""
    run_script(conn, """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE users (
            id          INTEGER PRIMARY KEY,
            username    TEXT NOT NULL UNIQUE,
            full_name   TEXT NOT NULL,
            roles       TEXT NOT NULL,
            active      INTEGER NOT NULL DEFAULT 1,
            created_at  TEXT NOT NULL,
            created_by  INTEGER REFERENCES users(id),
            removed_at  TEXT
        );
        CREATE TABLE audit_log (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            at          TEXT NOT NULL,
            user_id     INTEGER,
            username    TEXT NOT NULL,
            action      TEXT NOT NULL,
            target_type TEXT,
            target_id   TEXT,
            detail      TEXT,
            prev_hash   TEXT NOT NULL,
            hash        TEXT NOT NULL
        );
        CREATE INDEX audit_target ON audit_log(target_type, target_id);
        CREATE TABLE audit_head (
            id        INTEGER PRIMARY KEY CHECK (id = 1),
            count     INTEGER NOT NULL,
            last_hash TEXT NOT NULL
        );
        INSERT INTO audit_head (id, count, last_hash) VALUES (1, 0, '');
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;
    """)


def _steps() -> dict[int, Step]:
    module = sys.modules[__name__]
    steps = {}
    for name in dir(module):
        if name.startswith("upgrade_version_"):
            steps[int(name.rsplit("_", 1)[1])] = getattr(module, name)
    return steps


STEPS = _steps()
LATEST = max(STEPS)


def current_version(conn: sqlcipher3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def upgrade(conn: sqlcipher3.Connection, steps: dict[int, Step] | None = None) -> int:
    """Bring the schema up to date; returns the version it started from."""
    steps = steps or STEPS
    latest = max(steps)
    start = current_version(conn)
    if start > latest:
        raise NewerVersionError(
            "This database was saved by a newer version of sendesk. Install the latest sendesk "
            "to open it; nothing has been changed.")
    if start == latest:
        return start
    conn.execute("BEGIN EXCLUSIVE")
    try:
        for version in range(start + 1, latest + 1):
            steps[version](conn)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        # SQLite may already have rolled back (disk full does); that must not hide the cause.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return start
