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


def upgrade_version_2(conn: sqlcipher3.Connection) -> None:
    """Pupils, contacts, consent, the SEN register and the other registers, short notes and
    parent notifications.

    Nothing is overwritten without trace: edits leave a row in field_changes, statuses, needs
    and register entries are periods with start and end dates, and leavers are archived. Dated
    records carry the date the event happened (set by the user) and entered_at (the clock).
    The pupils table also holds a summary of the registers (status, primary need, next review,
    flags), kept in step by sendesk.records.summary, so that the pupil list can filter 60,000
    pupils from one covering index without joining the history tables.
    """
    run_script(conn, """
        CREATE TABLE pupils (
            id                 INTEGER PRIMARY KEY,
            upn                TEXT NOT NULL UNIQUE,
            legal_surname      TEXT NOT NULL,
            legal_forename     TEXT NOT NULL,
            preferred_surname  TEXT,
            preferred_forename TEXT,
            dob                TEXT NOT NULL,
            gender             TEXT NOT NULL CHECK (gender IN ('F', 'M', 'U')),
            year_group         TEXT NOT NULL,
            year_rank          INTEGER NOT NULL,
            class_name         TEXT,
            admission_date     TEXT,
            leaving_date       TEXT,
            destination        TEXT,
            archived_at        TEXT,
            archived_by        INTEGER REFERENCES users(id),
            retain_until       TEXT,
            created_at         TEXT NOT NULL,
            created_by         INTEGER REFERENCES users(id),
            sort_key           TEXT NOT NULL,
            search_text        TEXT NOT NULL,
            sen_status         TEXT CHECK (sen_status IN ('E', 'K', 'N')),
            sen_since          TEXT,
            primary_need       TEXT,
            next_review        TEXT,
            flags              INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX pupils_list ON pupils(sort_key, search_text, sen_status, sen_since,
            primary_need, year_rank, class_name, flags, next_review) WHERE archived_at IS NULL;
        CREATE INDEX pupils_by_status ON pupils(sen_status, sort_key, search_text, sen_since,
            primary_need)
            WHERE archived_at IS NULL AND sen_status IS NOT NULL;
        CREATE INDEX pupils_by_need ON pupils(primary_need, sort_key, search_text)
            WHERE archived_at IS NULL AND primary_need IS NOT NULL;
        CREATE INDEX pupils_by_year ON pupils(year_rank, sort_key, search_text)
            WHERE archived_at IS NULL;
        CREATE INDEX pupils_by_review ON pupils(next_review, sort_key)
            WHERE archived_at IS NULL AND next_review IS NOT NULL;

        CREATE TABLE field_changes (
            id          INTEGER PRIMARY KEY,
            pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            record_type TEXT NOT NULL,
            record_id   INTEGER NOT NULL,
            field       TEXT NOT NULL,
            old_value   TEXT,
            new_value   TEXT,
            changed_at  TEXT NOT NULL,
            changed_by  INTEGER REFERENCES users(id)
        );
        CREATE INDEX field_changes_pupil ON field_changes(pupil_id, changed_at);

        CREATE TABLE contacts (
            id                      INTEGER PRIMARY KEY,
            pupil_id                INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            name                    TEXT NOT NULL,
            relationship            TEXT NOT NULL,
            parental_responsibility INTEGER NOT NULL,
            address                 TEXT,
            phone                   TEXT,
            email                   TEXT,
            do_not_disclose_address INTEGER NOT NULL DEFAULT 0,
            ended_on                TEXT,
            entered_at              TEXT NOT NULL,
            entered_by              INTEGER REFERENCES users(id)
        );
        CREATE INDEX contacts_pupil ON contacts(pupil_id);

        CREATE TABLE consents (
            id           INTEGER PRIMARY KEY,
            pupil_id     INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            contact_id   INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
            given_by     TEXT NOT NULL,
            giver_kind   TEXT NOT NULL,
            given_on     TEXT NOT NULL,
            scope        TEXT NOT NULL,
            withdrawn_on TEXT,
            entered_at   TEXT NOT NULL,
            entered_by   INTEGER REFERENCES users(id)
        );
        CREATE INDEX consents_pupil ON consents(pupil_id);

        CREATE TABLE sen_status_history (
            id          INTEGER PRIMARY KEY,
            pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            status      TEXT NOT NULL CHECK (status IN ('E', 'K', 'N')),
            start_date  TEXT NOT NULL,
            end_date    TEXT,
            reason      TEXT NOT NULL DEFAULT '',
            changed_by  INTEGER REFERENCES users(id),
            entered_at  TEXT NOT NULL
        );
        CREATE INDEX sen_status_pupil ON sen_status_history(pupil_id, start_date);
        CREATE UNIQUE INDEX sen_status_one_open ON sen_status_history(pupil_id)
            WHERE end_date IS NULL;

        CREATE TABLE sen_needs (
            id          INTEGER PRIMARY KEY,
            pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            code        TEXT NOT NULL,
            rank        INTEGER NOT NULL CHECK (rank >= 1),
            start_date  TEXT NOT NULL,
            end_date    TEXT,
            entered_at  TEXT NOT NULL,
            entered_by  INTEGER REFERENCES users(id)
        );
        CREATE INDEX sen_needs_pupil ON sen_needs(pupil_id, start_date);
        CREATE UNIQUE INDEX sen_needs_open_rank ON sen_needs(pupil_id, rank) WHERE end_date IS NULL;
        CREATE UNIQUE INDEX sen_needs_open_code ON sen_needs(pupil_id, code) WHERE end_date IS NULL;

        CREATE TABLE register_entries (
            id                INTEGER PRIMARY KEY,
            pupil_id          INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            register          TEXT NOT NULL
                              CHECK (register IN ('medical', 'eal', 'looked_after', 'monitoring')),
            start_date        TEXT NOT NULL,
            end_date          TEXT,
            review_date       TEXT,
            details           TEXT NOT NULL DEFAULT '',
            has_ihp           INTEGER NOT NULL DEFAULT 0,
            first_language    TEXT,
            pep_date          TEXT,
            responsible_la    TEXT,
            protected_address TEXT,
            entered_at        TEXT NOT NULL,
            entered_by        INTEGER REFERENCES users(id)
        );
        CREATE INDEX register_entries_pupil ON register_entries(pupil_id);
        CREATE UNIQUE INDEX register_entries_one_open ON register_entries(pupil_id, register)
            WHERE end_date IS NULL;

        CREATE TABLE short_notes (
            id                INTEGER PRIMARY KEY,
            pupil_id          INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            event_date        TEXT NOT NULL,
            author_id         INTEGER NOT NULL REFERENCES users(id),
            concern           TEXT NOT NULL,
            parent_discussion TEXT NOT NULL DEFAULT '',
            agreed_actions    TEXT NOT NULL DEFAULT '',
            review_date       TEXT,
            reviewed_on       TEXT,
            entered_at        TEXT NOT NULL
        );
        CREATE INDEX short_notes_pupil ON short_notes(pupil_id, event_date);

        CREATE TABLE parent_notifications_due (
            id               INTEGER PRIMARY KEY,
            pupil_id         INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            status_change_id INTEGER NOT NULL REFERENCES sen_status_history(id) ON DELETE CASCADE,
            change           TEXT NOT NULL CHECK (change IN ('added', 'removed')),
            due_since        TEXT NOT NULL,
            created_at       TEXT NOT NULL,
            cleared_at       TEXT
        );
        CREATE INDEX parent_notifications_due_pupil ON parent_notifications_due(pupil_id);
        CREATE INDEX parent_notifications_open ON parent_notifications_due(due_since)
            WHERE cleared_at IS NULL;

        CREATE TABLE parent_notifications (
            id          INTEGER PRIMARY KEY,
            due_id      INTEGER NOT NULL REFERENCES parent_notifications_due(id) ON DELETE CASCADE,
            contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            recipient   TEXT NOT NULL,
            sent_on     TEXT NOT NULL,
            method      TEXT NOT NULL,
            entered_at  TEXT NOT NULL,
            entered_by  INTEGER REFERENCES users(id)
        );
        CREATE INDEX parent_notifications_by_due ON parent_notifications(due_id);
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
