"""The SQLCipher connection: opening with a raw key, the pragmas we rely on, and turning
SQLite's terse errors into messages a school administrator can act on.

One connection serves the whole app, guarded by a lock, so work may run on a background
thread without two statements ever interleaving.

The connection itself is private to the store (``_connection()``): everything above it goes
through the methods here, and whatever only SQLite or SQLCipher understands (PRAGMAs, the
upsert, ``group_concat``, ``sqlite_master``) is said here or in the migrations, so another
backend (PostgreSQL, issue 17) can sit behind the same interface.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlcipher3

from ..errors import DamagedDatabase, NotASendeskDatabase, PermissionDenied, SendeskError, StorageError

PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
Row = sqlcipher3.Row
# One read: its SQL and parameters (see Database.read_ahead).
Statement = tuple[str, tuple[Any, ...]]
# A constraint refused a row (a duplicate, a foreign key): callers above the store catch this
# rather than the driver's own class.
IntegrityError = sqlcipher3.IntegrityError


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
        return StorageError(f"{name} is in use by another copy of sendesk (the app or "
                            "sendesk-cli) saving a change. Try again in a moment. Nothing was "
                            "changed.")
    return DamagedDatabase(f"{name} could not be read ({exc}). Nothing was changed.")


class Database:
    """An open, decrypted school database. close() drops the connection and with it the key.

    store/server_database.py ``ServerDatabase`` is the same interface over a PostgreSQL server
    (a subclass, so code typed for a Database takes either); ``engine`` says which."""

    engine = "sqlite"
    # The column that names a row of a table without an id (PostgreSQL's is ctid).
    rowid = "rowid"

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
        self._inode = _inode(self.path)

    def _translate(self, exc: Exception) -> SendeskError:
        """translate(), knowing which file this connection opened: if another copy of sendesk
        has since re-encrypted the database (a user removed), the file under this name is a
        new one, and the honest message is to sign in again."""
        if self._inode is not None and _inode(self.path) not in (None, self._inode):
            return PermissionDenied(f"{self.path.name} has been re-encrypted under a new key "
                                    "since you signed in (a user has been removed, or a "
                                    "password reset). Sign in again. Nothing was changed.")
        return translate(exc, self.path)

    def _connection(self) -> sqlcipher3.Connection:
        """The raw connection: for the store's own modules only (migrations, audit)."""
        if self._conn is None:
            raise SendeskError("The database is locked. Unlock it to continue.")
        return self._conn

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def location(self) -> str:
        """Where the database is, as shown to people: the file's path."""
        return str(self.path)

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def execute(self, sql: str, params: Sequence[Any] | dict = ()) -> sqlcipher3.Cursor:
        with self._lock:
            try:
                return self._connection().execute(sql, params)
            except sqlcipher3.IntegrityError:
                raise
            except sqlcipher3.Error as exc:
                raise self._translate(exc) from exc

    def executemany(self, sql: str, rows: Any) -> None:
        """One statement for many rows (an import, a trail of changed fields)."""
        with self._lock:
            try:
                self._connection().executemany(sql, rows)
            except sqlcipher3.IntegrityError:
                raise
            except sqlcipher3.Error as exc:
                raise self._translate(exc) from exc

    def set_meta(self, key: str, value: str) -> None:
        """Insert or replace one value in the meta table (the upsert is the store's dialect)."""
        self.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                     "SET value = excluded.value", (key, value))

    def migrate(self, steps: dict[int, Any] | None = None) -> int:
        """Run the pending migrations (all of them, or ``steps`` in tests); returns the version
        the database started from."""
        from . import migrations
        with self._lock:
            try:
                return migrations.upgrade(self._connection(), steps)
            except sqlcipher3.Error as exc:
                raise self._translate(exc) from exc

    def schema_version(self) -> int:
        """Which migration the database has reached."""
        return int(self.scalar("PRAGMA user_version"))

    def secure_delete(self) -> None:
        """From now on, overwrite freed pages instead of leaving them in the file, so a
        deleted record does not linger in free space (on top of the file being encrypted).
        Call it before the transaction that deletes."""
        self.execute("PRAGMA secure_delete = ON")

    def cipher_problems(self) -> list[str]:
        """Every page whose cipher MAC fails (SQLCipher's own check); empty when all pass."""
        return [str(row[0]) for row in self.query("PRAGMA cipher_integrity_check")]

    def structure_problems(self) -> list[str]:
        """SQLite's structure check; empty when it passes."""
        found = [str(row[0]) for row in self.query("PRAGMA integrity_check")]
        return [] if found == ["ok"] else found

    def foreign_key_problems(self) -> list[tuple[Any, ...]]:
        """Rows whose foreign keys point nowhere (checked by hand after a bulk load)."""
        return [tuple(row) for row in self.query("PRAGMA foreign_key_check")]

    @contextlib.contextmanager
    def bulk_load(self, cache_kib: int = 262144) -> Iterator[Database]:
        """One very large write (the benchmark's synthetic school): a bigger page cache and no
        foreign-key checks per row, all in one transaction. Call foreign_key_problems() before
        leaving the block; both settings are put back afterwards."""
        cache_size = int(self.scalar("PRAGMA cache_size"))
        self.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        self.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction():
                yield self
        finally:
            self.execute("PRAGMA foreign_keys = ON")
            self.execute(f"PRAGMA cache_size = {cache_size}")

    def table_names(self) -> list[str]:
        """The tables in the database, by name (the engine's own tables left out)."""
        return [str(r[0]) for r in self.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name")]

    def has_table(self, name: str) -> bool:
        return bool(self.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                (name,)))

    def columns(self, table: str) -> list[dict[str, Any]]:
        """A table's columns, in order: name, type, notnull, dflt_value, pk."""
        return [{"name": c["name"], "type": c["type"], "notnull": bool(c["notnull"]),
                 "dflt_value": c["dflt_value"], "pk": int(c["pk"])}
                for c in self.query(f"PRAGMA table_info({_identifier(table)})")]

    def foreign_keys(self, table: str) -> list[dict[str, Any]]:
        """A table's foreign keys: from (its column), table (the parent), to, on_delete."""
        return [{"from": f["from"], "table": f["table"], "to": f["to"],
                 "on_delete": f["on_delete"]}
                for f in self.query(f"PRAGMA foreign_key_list({_identifier(table)})")]

    def triggers(self) -> dict[str, str]:
        """Every trigger's name and its SQL as stored."""
        return {str(r[0]): str(r[1]) for r in self.query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}

    @staticmethod
    def index_hint(index: str) -> str:
        """`` INDEXED BY index``: which index SQLite (having no statistics) must use; the
        server's planner has statistics and no such clause, so there it is empty."""
        return f" INDEXED BY {_identifier(index)}"

    @staticmethod
    def group_ids(expression: str) -> str:
        """SQL aggregating ``expression`` over a group into one comma-separated string (one
        string crosses into Python much faster than a row each)."""
        return f"group_concat({expression})"

    @staticmethod
    def contains(column: str, text: str) -> tuple[str, str]:
        """A condition that ``column`` contains ``text`` anywhere, and its one parameter."""
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{column} LIKE ? ESCAPE '\\'", f"%{escaped}%"

    @staticmethod
    def contains_indexed(text: str) -> bool:
        """Whether an index finds the rows that contain `text` (a file has none: the list is
        read through)."""
        return False

    def id_list(self, sql: str, params: Sequence[Any] | dict = ()) -> list[int]:
        """The ids a query selects (its first column), in the query's order."""
        joined = self.scalar(f"SELECT {self.group_ids('id')} FROM ({sql})", params)
        return [int(part) for part in str(joined).split(",")] if joined else []

    def query(self, sql: str, params: Sequence[Any] | dict = ()) -> list[sqlcipher3.Row]:
        with self._lock:
            try:
                return self._connection().execute(sql, params).fetchall()
            except sqlcipher3.Error as exc:
                raise self._translate(exc) from exc

    def query_batch(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Any]]:
        """The rows of several independent reads, in order. On the file each is run in turn;
        the school server sends them all at once (one round trip instead of one each)."""
        return [self.query(sql, params) for sql, params in statements]

    @contextlib.contextmanager
    def read_ahead(self, statements: Sequence[Statement]) -> Iterator[None]:
        """Reads about to be made, named in advance so the school server can answer them all
        in one round trip (ServerDatabase.read_ahead); on the file each read is a call within
        this process, so nothing is gained and nothing is done."""
        yield

    def query_one(self, sql: str, params: Sequence[Any] | dict = ()) -> sqlcipher3.Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | dict = ()) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def announce(self, kinds: list[str], pupils: list[int], whole_school: bool) -> None:
        """Say what the current write changed to other connections (the school server's
        NOTIFY); a file has no listeners: other processes notice its data_version."""

    def data_version(self) -> int:
        """A number that changes whenever another process (sendesk-cli, a second window)
        commits to this database, and not for this connection's own writes: an open window
        asks it every few seconds to see that it must refresh. SQLite answers from the file's
        change counter, without reading any table."""
        return int(self.scalar("PRAGMA data_version"))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
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
                self._connection().execute("BEGIN IMMEDIATE")
            except sqlcipher3.Error as exc:
                raise self._translate(exc) from exc
            self._depth = 1
            try:
                yield self
                self._connection().execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlcipher3.Error):
                    self._connection().execute("ROLLBACK")
                if isinstance(exc, sqlcipher3.Error) and not isinstance(exc, sqlcipher3.IntegrityError):
                    raise self._translate(exc) from exc
                raise
            finally:
                self._depth = 0

    def _savepoint(self) -> Iterator[Database]:
        name = f"nested_{self._depth}"
        self._connection().execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield self
            self._connection().execute(f"RELEASE {name}")
        except BaseException:
            with contextlib.suppress(sqlcipher3.Error):
                self._connection().execute(f"ROLLBACK TO {name}")
                self._connection().execute(f"RELEASE {name}")
            raise
        finally:
            self._depth -= 1

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Hold writers off (and the file consistent on disk) while it is copied."""
        with self.transaction():
            yield

    def export_rekeyed(self, target: Path, new_key: bytes | bytearray,
                       on_progress: Callable[[int, int], None] | None = None) -> None:
        """Write a complete copy of this database to ``target`` (a new file) encrypted under
        ``new_key``, with SQLCipher's own sqlcipher_export, and make it durable.

        ``on_progress(done_bytes, total_bytes)`` is called every few thousand steps from inside
        the copy (SQLite's progress handler, measured by the size the copy has reached); if it
        raises, the copy stops and the exception is raised here. Call it outside a transaction
        on this connection (SQLite refuses ATTACH inside one): another connection may hold
        writers off meanwhile, since the copy only reads."""
        target = Path(target)
        total = max(1, self.path.stat().st_size)
        raised: list[BaseException] = []

        def tick() -> int:
            try:
                if on_progress is not None:
                    on_progress(min(_size(target), total), total)
            except BaseException as exc:  # noqa: BLE001 - re-raised below, outside SQLite
                raised.append(exc)
                return 1
            return 0

        with self._lock:
            conn = self._connection()
            try:
                conn.execute("ATTACH DATABASE ? AS rekeyed KEY \"x'" + bytes(new_key).hex() + "'\"",
                             (str(target),))
            except sqlcipher3.Error as exc:
                raise self._translate(exc) from exc
            try:
                conn.set_progress_handler(tick, 20000)
                conn.execute("PRAGMA rekeyed.journal_mode = DELETE")
                conn.execute("PRAGMA rekeyed.synchronous = FULL")
                conn.execute("BEGIN")
                conn.execute("SELECT sqlcipher_export('rekeyed')")
                conn.execute(f"PRAGMA rekeyed.user_version = {int(self.schema_version())}")
                conn.execute("COMMIT")
            except sqlcipher3.Error as exc:
                with contextlib.suppress(sqlcipher3.Error):
                    conn.execute("ROLLBACK")
                if raised:
                    raise raised[0] from None
                raise self._translate(exc) from exc
            finally:
                conn.set_progress_handler(None, 0)
                with contextlib.suppress(sqlcipher3.Error):
                    conn.execute("DETACH DATABASE rekeyed")
        if on_progress is not None:
            on_progress(total, total)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(sqlcipher3.Error):
                    self._conn.close()
                self._conn = None


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a table name: {name!r}")
    return name


def cipher_version() -> str:
    """The SQLCipher library's version (Help > About)."""
    connection = sqlcipher3.connect(":memory:")
    try:
        return str(connection.execute("PRAGMA cipher_version").fetchone()[0])
    finally:
        connection.close()


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


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
