"""The school server: one school's records in a PostgreSQL database, behind the same interface
as the SQLCipher file (store/database.py ``Database``), so that records/, documents/ and
transfer/ run unchanged on either engine.

How it fits together (issue 21; the next pieces build on these hooks):

* Opening. ``services.lifecycle.open_school`` sees a ``postgresql://`` location
  (store/server_address.py reads it and enforces TLS: verify-full against the school's CA,
  plain only to this same machine) and connects as the person's own PostgreSQL login role
  with their password. The users table still holds full names and sendesk roles; the session's
  user is the row whose username equals the login role. There is no key file and no data key:
  at rest the records are protected by the server (its disk must be encrypted), in transit by
  TLS, and who may do what by PostgreSQL (store/server_security.py: group roles, grants and
  row security generated from the permission matrix; the audit log appended by the database).
* One connection, in autocommit, guarded by a lock like the file's. ``transaction()`` is
  BEGIN plus the school's write lock (store/server_write_lock.py), so writers are serialised
  exactly as SQLite's BEGIN IMMEDIATE serialises them. Nested transactions are savepoints, as
  on the file. Conflict detection between PCs (#6) and LISTEN/NOTIFY refreshes go on top of
  this connection (``connection_for_listening`` is the hook).
* SQL. The core's statements are SQLite-flavoured standard SQL; server_dialect.py turns
  ``?``/``:name`` into psycopg's placeholders outside literals. Rows support ``row["col"]`` and
  ``row[0]`` like sqlite3.Row. Booleans and numeric results come back as SQLite would give them
  (0/1, int or float), and Python booleans and dates are sent as SQLite stores them, so
  summaries and transfer packages are byte-for-byte the same on both engines.
  ``cursor.lastrowid`` is kept by adding ``RETURNING id`` to an INSERT into a table with an
  identity id (new code writes ``scalar("INSERT ... RETURNING id")`` itself): the 34 existing
  callers stay as they are while other work edits those files.
* Errors are the store's own, with the sentences store/server_errors.py gives them (a
  constraint is ``IntegrityError`` as on the file, a refused grant PermissionDenied, a lost
  connection "the school server is not answering"); the next statement outside a transaction
  reconnects, so the app carries on when the server is back. A network gone silent is bounded
  too (store/server_watch.py: every statement's deadline, the server's own limits,
  keepalives), and a COMMIT sent with no answer back is SaveUncertain, never "nothing was
  changed".
* Migrations. The same numbered steps (store/migrations.py) run through
  store/server_migrations.py's target, which rewrites each statement (server_dialect.py); the
  version is the one row of ``sendesk_schema_version``. Only the owner role runs them
  (``sendesk-cli server init`` / ``server upgrade``); an ordinary sign-in to an older schema is
  refused with that advice, and a newer one is refused as on the file.
* The schema's tables, columns, foreign keys and triggers are read from the catalogue as the
  file reports its own (store/server_catalogue.py).
* Character order. The database must use the C collation (``createdb --locale=C``), so that
  ORDER BY and lower() behave as SQLite's do; ``server init`` checks.

Hooks left for the next helpers: ``server import/export`` (``reset_identities``
after copying rows with their ids), conflicts and LISTEN/NOTIFY, and the benchmarks
(``bulk_load``).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg import sql as pg_sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import tuple_row

from ..errors import ACCOUNT_REMOVED, DamagedDatabase, PermissionDenied, SendeskError, StorageError
from . import server_catalogue, server_dialect, server_errors
from .database import Database, Statement
from .server_address import NotOnServer, ServerAddress, ServerConnectionError, describe_connect_failure
from .server_errors import MAY_HAVE_SAVED, NOT_ANSWERING, SaveUncertain
from .server_migrations import MigrationTarget
from .server_rows import BoolAsInt, NumericAsNumber, ServerCursor, psycopg_sql, row_factory, sql_params, sql_value
from .server_watch import CLIENT_KEEPALIVES, ORDINARY_SETTINGS, PATIENT_SETTINGS, Watchdog, server_options
from .server_write_lock import TAKE

# LISTEN/NOTIFY: each write's changes, for the other PCs' windows (ui/server_changes.py).
CHANGES_CHANNEL = "sendesk_changes"
MAX_NOTIFIED_PUPILS = 200
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def _ahead_key(sql: str, params: Sequence[Any] | dict) -> tuple[str, str]:
    """A read's identity for read_ahead: its SQL and its parameters' values and types (1 and
    "1" are different reads)."""
    values = sorted(params.items()) if isinstance(params, dict) else list(params)
    return sql, repr(values)


class ServerDatabase(Database):
    """A school's database on a PostgreSQL server, signed in as one login role. It overrides
    every method of the file's Database (none of SQLite's code runs here)."""

    engine = "postgresql"
    # The column naming a row on its own, for tables without an id (SQLite's rowid).
    rowid = "ctid"

    def __init__(self, address: ServerAddress, user: str,  # no super().__init__: it opens a file
                 password: str | None) -> None:
        self.address = address
        self.user = user
        self._conninfo: dict[str, str] | None = address.conninfo(user, password)
        self._lock = threading.RLock()
        self._depth = 0
        self._id_tables: frozenset[str] | None = None
        self.watchdog = Watchdog()
        self._patient = 0     # > 0: no deadline (maintenance; see store/server_watch.py)
        self._ahead: dict[tuple[str, str], list[Any]] | None = None   # see read_ahead
        self._owner = False
        self._conn: psycopg.Connection | None = self._connect()
        self._owner = bool(self.scalar(
            "SELECT current_setting('is_superuser') = 'on' OR pg_get_userbyid(datdba) = current_user "
            "FROM pg_database WHERE datname = current_database()"))
        if self._owner:   # server init, upgrade and import: minutes of work are expected
            self._patient = 1
            self.execute(PATIENT_SETTINGS)

    # --- the connection ---------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection:
        assert self._conninfo is not None
        try:
            conn = psycopg.connect(make_conninfo(**self._conninfo, **CLIENT_KEEPALIVES,
                                                 options=server_options(self._owner)),
                                   autocommit=True, row_factory=row_factory)
        except psycopg.Error as exc:
            raise ServerConnectionError(describe_connect_failure(
                self.address, self.user, str(exc))) from exc
        conn.adapters.register_loader("bool", BoolAsInt)
        conn.adapters.register_loader("numeric", NumericAsNumber)
        return conn

    def _connection(self) -> psycopg.Connection:
        """The live connection; after the server went away, a fresh one (only between
        transactions: one cut mid-way has already been rolled back by the server)."""
        if self._conn is None or self._conninfo is None:
            raise SendeskError("The database is locked. Unlock it to continue.")
        if self._conn.broken or self._conn.closed:
            if self._depth:
                raise StorageError(NOT_ANSWERING)
            try:
                self._conn = self._connect()
            except ServerConnectionError as exc:
                raise StorageError(NOT_ANSWERING) from exc
            self._id_tables = None
        return self._conn

    @property
    def location(self) -> str:
        """The address to open this database again (no password)."""
        return self.address.url()

    @property   # the file's is a plain attribute; here there is none
    def path(self) -> Any:  # type: ignore[override]
        raise NotOnServer("This school's records are on the school server, not in a file on "
                          "this PC, so there is no database file or key file here.")

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @property
    def closed(self) -> bool:
        """Closed by close() (the session ended): unlike a server away, nothing connects again."""
        return self._conninfo is None

    def use_password(self, password: str) -> None:
        """The signed-in person changed their password: reconnect with the new one from now on."""
        if self._conninfo is not None:
            self._conninfo["password"] = password

    def close(self) -> None:
        self.watchdog.close()
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(psycopg.Error):
                    self._conn.close()
            self._conn = None
            self._conninfo = None

    def announce(self, kinds: list[str], pupils: list[int], whole_school: bool) -> None:
        """A NOTIFY on CHANGES_CHANNEL inside the write's transaction, so the other PCs hear
        of the change when (and only if) it commits: {"kinds", "pupils", "whole_school"} as
        JSON (the notification names the sending backend, so a PC can skip its own).
        Many pupils at once (an import) are sent as the whole school (NOTIFY carries < 8 kB)."""
        whole = whole_school or len(pupils) > MAX_NOTIFIED_PUPILS
        payload = json.dumps({"kinds": kinds, "pupils": [] if whole else pupils,
                              "whole_school": whole})
        self.query("SELECT pg_notify(?, ?)", (CHANGES_CHANNEL, payload))

    @property
    def backend_pid(self) -> int | None:
        """The server process serving the working connection (None when it is gone)."""
        conn = self._conn
        if conn is None or conn.broken or conn.closed:
            return None
        return int(conn.info.backend_pid)

    def connection_for_listening(self) -> psycopg.Connection:
        """A second connection as the same role (LISTEN/NOTIFY must not share the working one)."""
        if self._conninfo is None:
            raise SendeskError("The database is locked. Unlock it to continue.")
        return self._connect()

    def check_answering(self, conn: psycopg.Connection, watchdog: Watchdog) -> None:
        """A round trip on `conn` (the listener's), cut off like a statement if no answer
        comes: a silent network leaves a listening connection waiting for ever otherwise."""
        with watchdog.guard(conn.pgconn.socket):
            conn.execute("SELECT 1")

    @contextlib.contextmanager
    def _unhurried(self) -> Iterator[None]:
        """Work that may rightly take minutes (a snapshot for a backup or an export, the
        migrations): no deadline and no server limits, keepalives only."""
        with self._lock:
            if self._patient:
                self._patient += 1
                try:
                    yield
                finally:
                    self._patient -= 1
                return
            self.execute(PATIENT_SETTINGS)
            self._patient = 1
            try:
                yield
            finally:
                self._patient = 0
                conn = self._conn   # a new connection starts with the ordinary limits anyway
                if conn is not None and not conn.broken and not conn.closed:
                    with contextlib.suppress(psycopg.Error):
                        conn.execute(ORDINARY_SETTINGS)

    # --- statements -------------------------------------------------------------------------

    def _run(self, work: Callable[[psycopg.Connection], Any]) -> Any:
        with self._lock:
            conn = self._connection()
            try:
                if self._patient:
                    return work(conn)
                with self.watchdog.guard(conn.pgconn.socket):
                    return work(conn)
            except psycopg.Error as exc:
                found: BaseException = server_errors.translate(exc, self._conn)
                if not self._depth:   # inside a transaction: asked once it is rolled back
                    found = self._told_if_removed(found)
                raise found from exc

    def _told_if_removed(self, found: BaseException) -> BaseException:
        """A refusal told as the account's removal when it was. Removing a user makes their
        login NOLOGIN and takes it out of every group, so each statement of theirs is refused,
        or finds no table at all once the schema is out of its reach (which would read as a
        damaged database); Session.require does not ask before each action on the server.
        pg_roles is readable by every login, its own groups or none."""
        conn = self._conn
        if (not isinstance(found, PermissionDenied | DamagedDatabase)
                or str(found) == ACCOUNT_REMOVED
                or conn is None or conn.broken or conn.closed):
            return found
        try:
            with self.watchdog.guard(conn.pgconn.socket):
                removed = conn.execute("SELECT NOT rolcanlogin FROM pg_roles"
                                       " WHERE rolname = session_user").fetchone()
        except psycopg.Error:
            return found
        return PermissionDenied(ACCOUNT_REMOVED) if removed and removed[0] else found

    def _identity_tables(self, conn: psycopg.Connection) -> frozenset[str]:
        """The tables whose id is an identity column (read once per connection)."""
        if self._id_tables is None:
            self._id_tables = server_catalogue.identity_tables(conn)
        return self._id_tables

    def execute(self, sql: str, params: Sequence[Any] | dict = ()) -> ServerCursor:
        self._ahead = None if self._ahead is None else {}

        def work(conn: psycopg.Connection) -> ServerCursor:
            text, values = psycopg_sql(sql, params), sql_params(params) if params else None
            insert = _INSERT.match(text)
            if insert and "returning" not in text.lower() and insert[1].lower() in self._identity_tables(conn):
                cursor = conn.execute(text.rstrip().rstrip(";") + " RETURNING id", values)
                rows = cursor.fetchall()
                return ServerCursor(cursor, int(rows[-1][0]) if rows else None, hide_rows=True)
            return ServerCursor(conn.execute(text, values))
        result: ServerCursor = self._run(work)
        return result

    def executemany(self, sql: str, rows: Iterable[Any]) -> None:
        """One statement for many rows (an import, a trail of changed fields)."""
        self._ahead = None if self._ahead is None else {}

        def work(conn: psycopg.Connection) -> None:
            batch: list[Any] = [sql_params(row) for row in rows]
            if not batch:
                return
            with conn.cursor() as cursor:
                cursor.executemany(psycopg_sql(sql, batch[0] or [0]), batch)
        self._run(work)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Many whole rows into one table with COPY (moving a school onto the server): the
        same rows as INSERTs would write, ids included, in a fraction of the time."""
        def work(conn: psycopg.Connection) -> None:
            statement = pg_sql.SQL("COPY {} ({}) FROM STDIN").format(
                pg_sql.Identifier(table),
                pg_sql.SQL(", ").join(pg_sql.Identifier(c) for c in columns))
            with conn.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row([sql_value(value) for value in row])
        self._run(work)

    def query(self, sql: str, params: Sequence[Any] | dict = ()) -> list[Any]:
        if self._ahead is not None:
            with self._lock:
                ahead = self._ahead.pop(_ahead_key(sql, params), None) if self._ahead else None
            if ahead is not None:
                return ahead

        def work(conn: psycopg.Connection) -> list[Any]:
            cursor = conn.execute(psycopg_sql(sql, params), sql_params(params) if params else None)
            return [] if cursor.description is None else cursor.fetchall()
        rows: list[Any] = self._run(work)
        return rows

    def query_batch(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Any]]:
        """Several independent reads sent together in psycopg's pipeline mode: one round trip
        for all of them (a record's tabs read a dozen tables; each statement alone waits for
        the server and then for this process to be scheduled again)."""
        def work(conn: psycopg.Connection) -> list[list[Any]]:
            with conn.pipeline():
                cursors = [conn.execute(psycopg_sql(sql, params),
                                        sql_params(params) if params else None)
                           for sql, params in statements]
            return [[] if cursor.description is None else cursor.fetchall()
                    for cursor in cursors]
        rows: list[list[Any]] = self._run(work)
        return rows

    @contextlib.contextmanager
    def read_ahead(self, statements: Sequence[Statement]) -> Iterator[None]:
        """Send reads about to be made all at once (one round trip, as query_batch) and
        answer each from what came back when it is made, once, by this thread (the lock is
        held throughout). A read not named runs as usual; one named but not made is dropped at
        the end; any write drops them all, so nothing read before a change is answered after
        it. The callers keep their own SQL and are unaware of this: opening a record makes
        eleven reads in eleven modules, sixteen round trips without it."""
        with self._lock:
            if self._ahead is not None:   # inside another read-ahead: its answers stand
                yield
                return
            found = self.query_batch(statements)
            self._ahead = {_ahead_key(sql, params): rows
                           for (sql, params), rows in zip(statements, found, strict=True)}
            try:
                yield
            finally:
                self._ahead = None

    def query_one(self, sql: str, params: Sequence[Any] | dict = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | dict = ()) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        self.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                     "SET value = excluded.value", (key, value))

    @staticmethod
    def index_hint(index: str) -> str:
        return ""   # the planner has statistics (and PostgreSQL no INDEXED BY)

    @staticmethod
    def group_ids(expression: str) -> str:
        return f"string_agg(CAST({expression} AS TEXT), ',')"

    @staticmethod
    def contains(column: str, text: str) -> tuple[str, str]:
        """``LIKE '%text%'`` for the trigram index (server_dialect.TRIGRAM_INDEX) when the text
        is long enough for it to look up, strpos() when it is not (see TRIGRAM)."""
        if ServerDatabase.contains_indexed(text):
            return Database.contains(column, text)
        return f"strpos({column}, ?) <> 0", text

    @staticmethod
    def contains_indexed(text: str) -> bool:
        return len(text) >= server_dialect.TRIGRAM

    def id_list(self, sql: str, params: Sequence[Any] | dict = ()) -> list[int]:
        """The ids a query selects (its first column), in the query's order: as plain tuples
        in binary (the whole roll for the list's first screen is 60,000 ids, and a Row and a
        parsed text number for each cost more than the query)."""
        def work(conn: psycopg.Connection) -> list[int]:
            with conn.cursor(row_factory=tuple_row, binary=True) as cursor:
                cursor.execute(psycopg_sql(sql, params), sql_params(params) if params else None)
                return [row[0] for row in cursor.fetchall()]
        ids: list[int] = self._run(work)
        return ids

    # --- transactions -----------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[ServerDatabase]:
        """All or nothing, with writers from every PC taking turns (see the module's notes);
        inside another transaction it becomes a savepoint."""
        with self._lock:
            if self._depth:
                yield from self._savepoint()
                return
            try:
                self._run(lambda conn: conn.execute(f"BEGIN; {TAKE}"))
            except BaseException:   # kept waiting for the lock: BEGIN has happened, undo it
                self._rollback("ROLLBACK")
                raise
            self._depth = 1
            try:
                yield self
                self._commit()
            except BaseException as exc:
                self._rollback("ROLLBACK")
                told = self._told_if_removed(exc)
                if told is not exc:
                    raise told from exc
                raise
            finally:
                self._depth = 0

    def _commit(self) -> None:
        """COMMIT; a connection lost with it sent is told as MAY_HAVE_SAVED, not as nothing
        changed (a lost one before it was sent is: the server rolls that back)."""
        self._connection()   # already lost: the COMMIT is never sent, the server rolls back
        try:
            self._run(lambda conn: conn.execute("COMMIT"))
        except StorageError as exc:
            if str(exc) == NOT_ANSWERING:
                raise SaveUncertain(MAY_HAVE_SAVED) from exc
            raise

    def _rollback(self, sql: str) -> None:
        conn = self._conn
        if conn is not None and not conn.broken and not conn.closed:
            with contextlib.suppress(psycopg.Error):
                conn.execute(sql)

    def _savepoint(self) -> Iterator[ServerDatabase]:
        name = f"nested_{self._depth}"
        self._run(lambda conn: conn.execute(f"SAVEPOINT {name}"))
        self._depth += 1
        try:
            yield self
            self._run(lambda conn: conn.execute(f"RELEASE SAVEPOINT {name}"))
        except BaseException:
            self._rollback(f"ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}")
            raise
        finally:
            self._depth -= 1

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Hold writers off while everything is read (an export, a backup), for as long as
        that takes."""
        with self._unhurried(), self.transaction():
            yield

    @contextlib.contextmanager
    def bulk_load(self, cache_kib: int = 0) -> Iterator[ServerDatabase]:
        """One very large write in one transaction (foreign keys stay checked on the server)."""
        with self._unhurried(), self.transaction():
            yield self

    # --- the schema -------------------------------------------------------------------------

    def migrate(self, steps: dict[int, Any] | None = None) -> int:
        """Run the pending migrations as this role (the owner's); returns the starting version."""
        from . import migrations

        def work(conn: psycopg.Connection) -> int:
            started = migrations.upgrade(MigrationTarget(conn), steps)
            if steps is None:   # at the latest schema: the server's own indexes too
                for statement in server_dialect.SERVER_INDEXES:
                    conn.execute(statement)
                # No pg_trgm: searches read the list instead, and nothing of it is left.
                with contextlib.suppress(psycopg.Error), conn.transaction():
                    for statement in server_dialect.TRIGRAM_INDEX:
                        conn.execute(statement)
            return started
        with self._lock, self._unhurried():
            try:
                return int(self._run(work))
            finally:
                self._id_tables = None

    def schema_version(self) -> int:
        return int(self._run(lambda conn: MigrationTarget(conn).schema_version()))

    def table_names(self) -> list[str]:
        return server_catalogue.table_names(self)

    def has_table(self, name: str) -> bool:
        return name in self.table_names()

    def columns(self, table: str) -> list[dict[str, Any]]:
        return server_catalogue.columns(self, table)

    def foreign_keys(self, table: str) -> list[dict[str, Any]]:
        return server_catalogue.foreign_keys(self, table)

    def triggers(self) -> dict[str, str]:
        return server_catalogue.triggers(self)

    def reset_identities(self) -> None:
        """After rows were copied in with their own ids (server import), make each table's
        next id follow the largest one there."""
        for table in sorted(self._run(self._identity_tables)):
            self.query(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)")

    # --- checks that belong to the file ----------------------------------------------------

    def secure_delete(self) -> None:
        """Nothing to switch on: the server's own disk encryption protects freed space."""

    def cipher_problems(self) -> list[str]:
        return []   # no SQLCipher pages: the server's disk encryption protects the data at rest

    def structure_problems(self) -> list[str]:
        return []   # the server checks its own storage (data checksums, pg_amcheck)

    def foreign_key_problems(self) -> list[tuple[Any, ...]]:
        return []   # PostgreSQL checks every foreign key on every write

    def export_rekeyed(self, *args: Any, **kwargs: Any) -> None:
        raise NotOnServer("Re-encrypting under a new key applies to a database file on this PC; "
                          "the school server's records are protected by the server.")

