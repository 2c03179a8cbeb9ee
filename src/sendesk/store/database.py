"""The SQLCipher connection: opening with a raw key, the pragmas we rely on, and turning
SQLite's terse errors into messages a school administrator can act on.

One connection serves the whole app, guarded by a lock, so work may run on a background
thread without two statements ever interleaving.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any, Iterator, Sequence

import sqlcipher3

from ..errors import DamagedDatabase, NotASendeskDatabase, SendeskError, StorageError

PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
Row = sqlcipher3.Row


def translate(exc: Exception, path: Path) -> SendeskError:
    """Say what a SQLite error means for the user's files."""
    text = str(exc).lower()
    name = Path(path).name
    if "file is not a database" in text or "notadb" in text:
        return NotASendeskDatabase(
            f"{name} could not be decrypted. Either it is not a sendesk database, its key file "
            "belongs to a different database, or the file has been damaged.")
    if "malformed" in text or "corrupt" in text or "hmac" in text:
        return DamagedDatabase(f"{name} is damaged (part of it fails its integrity check). "
                               "Restore it from your latest backup. Nothing was changed.")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StorageError(f"sendesk may not write to {name} or its folder. "
                            "Check the file is not read-only. Nothing was changed.")
    if "full" in text or "disk i/o" in text or "ioerr" in text:
        return StorageError(f"The disk refused to save changes to {name} (it may be full). "
                            "Nothing was changed.")
    if "locked" in text or "busy" in text:
        return StorageError(f"{name} is in use by another copy of sendesk. Close it there first.")
    return DamagedDatabase(f"{name} could not be read ({exc}). Nothing was changed.")


class Database:
    """An open, decrypted school database. close() drops the connection and with it the key."""

    # Set on every connection once the key is accepted (the benchmark's unencrypted copy uses
    # the same, so the two differ only in encryption). SQLCipher decrypts a page each time it
    # enters the page cache, so the cache is sized (64 MB) to keep a county-scale school's
    # pupil list, indexes and the dashboard's tables decrypted between screens, rather than
    # SQLite's default of a few MB (docs/performance.md).
    PRAGMAS = ("PRAGMA foreign_keys = ON", "PRAGMA temp_store = MEMORY",
               "PRAGMA journal_mode = DELETE", "PRAGMA synchronous = FULL",
               "PRAGMA busy_timeout = 3000", "PRAGMA cache_size = -65536")

    def __init__(self, path: Path, data_key: bytes | bytearray, *, create: bool = False) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._depth = 0  # transactions open on this connection (1 = outermost)
        if not create:
            _check_looks_encrypted(self.path)
        elif self.path.exists():
            raise StorageError(f"{self.path.name} already exists. Choose another name.")
        try:
            conn = sqlcipher3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        except sqlcipher3.Error as exc:
            raise translate(exc, self.path) from exc
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = \"x'{bytes(data_key).hex()}'\"")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            for pragma in self.PRAGMAS:
                conn.execute(pragma)
        except sqlcipher3.Error as exc:
            conn.close()
            raise translate(exc, self.path) from exc
        conn.row_factory = sqlcipher3.Row
        self._conn: sqlcipher3.Connection | None = conn

    @property
    def conn(self) -> sqlcipher3.Connection:
        if self._conn is None:
            raise SendeskError("The database is locked. Unlock it to continue.")
        return self._conn

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def execute(self, sql: str, params: Sequence[Any] | dict = ()) -> sqlcipher3.Cursor:
        with self._lock:
            try:
                return self.conn.execute(sql, params)
            except sqlcipher3.IntegrityError:
                raise
            except sqlcipher3.Error as exc:
                raise translate(exc, self.path) from exc

    def executemany(self, sql: str, rows: Any) -> None:
        """One statement for many rows (an import, a trail of changed fields)."""
        with self._lock:
            try:
                self.conn.executemany(sql, rows)
            except sqlcipher3.IntegrityError:
                raise
            except sqlcipher3.Error as exc:
                raise translate(exc, self.path) from exc

    def set_meta(self, key: str, value: str) -> None:
        """Insert or replace one value in the meta table (the upsert is the store's dialect)."""
        self.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                     "SET value = excluded.value", (key, value))

    def query(self, sql: str, params: Sequence[Any] | dict = ()) -> list[sqlcipher3.Row]:
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlcipher3.Error as exc:
                raise translate(exc, self.path) from exc

    def query_one(self, sql: str, params: Sequence[Any] | dict = ()) -> sqlcipher3.Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | dict = ()) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Database"]:
        """All or nothing: any exception inside rolls every statement back.

        Inside another transaction it becomes a savepoint, so a repository function that opens
        its own transaction can also be one part of a larger change (a wizard's finish writes a
        note, a register entry and a status change together): its statements then commit or
        roll back with the outer transaction.
        """
        with self._lock:
            if self._depth:
                yield from self._savepoint()
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlcipher3.Error as exc:
                raise translate(exc, self.path) from exc
            self._depth = 1
            try:
                yield self
                self.conn.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlcipher3.Error):
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlcipher3.Error) and not isinstance(exc, sqlcipher3.IntegrityError):
                    raise translate(exc, self.path) from exc
                raise
            finally:
                self._depth = 0

    def _savepoint(self) -> Iterator["Database"]:
        name = f"nested_{self._depth}"
        self.conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield self
            self.conn.execute(f"RELEASE {name}")
        except BaseException:
            with contextlib.suppress(sqlcipher3.Error):
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
            raise
        finally:
            self._depth -= 1

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Hold writers off (and the file consistent on disk) while it is copied."""
        with self.transaction():
            yield

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(sqlcipher3.Error):
                    self._conn.close()
                self._conn = None


def _check_looks_encrypted(path: Path) -> None:
    if not path.exists():
        raise StorageError(f"{path} cannot be found. Check the path, or create a new school database.")
    if not path.is_file():
        raise NotASendeskDatabase(f"{path} is a folder, not a sendesk database.")
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(PLAIN_SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(f"sendesk may not read {path}.") from exc
    if head == PLAIN_SQLITE_HEADER:
        raise NotASendeskDatabase(f"{path.name} is an ordinary unencrypted SQLite file, "
                                  "not a sendesk database.")
    if len(head) < len(PLAIN_SQLITE_HEADER):
        raise NotASendeskDatabase(f"{path.name} is empty or cut short; it is not a usable sendesk database.")
