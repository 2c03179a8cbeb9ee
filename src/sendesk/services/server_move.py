"""Moving a school between a database file on a PC and the school server (issue 21, #7).

* ``server import FILE URL`` (import_to_server): a school that outgrew one PC goes onto an
  empty database on the server. The file's administrator unlocks it; the server's owner role
  (named in the URL) writes every table's rows with their own ids in one transaction, sets
  each table's next id after the largest copied, and the copy is read back and compared with
  the file (row counts and a digest of every row, services/school_copy.py) before it is
  committed. The audit log goes across entry for entry, so its hash chain verifies on the
  server. The file's active users become server logins: the administrator doing the move
  keeps their password; nobody else's password is known to sendesk (the file holds only keys
  derived from them), so their logins get an unguessable one and the administrator sets each
  with ``sendesk-cli user passwd``, which is listed for them.
* ``server export URL OUT`` (export_to_file): back to a new encrypted file with its key file,
  for an archive or a laptop; the same check row for row. Only the person exporting gets a
  key slot (theirs is the only password known here), plus a new recovery key; the others'
  passwords are set on the file by them or an administrator, as listed.
* A backup on the server (services/backup.py) is an export to a temporary encrypted file
  beside the backup, which is then backed up as any file is and deleted: nothing on disk is
  ever in plain, and the backup restores into a file like any other.

The database id travels with the school both ways, so a file and its server copy are known to
be the same school (docs/scale-out.md: bringing a laptop's changes back).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..crypto import keys
from ..errors import DamagedDatabase, PermissionDenied, StorageError, ValidationError, WrongPassword
from ..models.roles import Permission
from ..operations import operation, viewed
from ..session import Session
from ..store import audit, server_roles
from ..store.database import Database
from ..store.files import describe_os_error, fsync_directory
from ..store.keyfile import KeyFile, keyfile_path
from ..store.server_address import ServerConnectionError
from ..store.server_database import ServerDatabase
from . import school_copy, server_school
from .school_rows import load_school, load_user
from .verify import safeguard_problems


@dataclass
class MoveReport:
    """What a move copied and who must still be given a password where the school now is."""

    rows: int
    tables: int
    audit_entries: int
    need_password: list[str] = field(default_factory=list)
    recovery_key: str | None = None


def _active_users(db: Database) -> list[str]:
    return [str(row[0]) for row in db.query(
        "SELECT username FROM users WHERE active = 1 ORDER BY username")]


def _audit_entries(db: Database) -> int:
    return int(db.scalar("SELECT count FROM audit_head WHERE id = 1") or 0)


def _require_intact(session: Session) -> None:
    """The file's own verify (its audit chain and the safeguards that keep history unchangeable)
    before anything reaches the server: a tampered log copied across would verify there as the
    school's true history with nothing to show where it came from."""
    problems = audit.verify(session.db).problems + safeguard_problems(session.db)
    if problems:
        raise DamagedDatabase(
            f"This school's file does not pass verify ({'; '.join(problems[:3])}), so it was "
            f"not moved: run sendesk-cli verify {session.location} and restore a good backup "
            "first; nothing was moved.")


def _compare(source: Database, target: Database, tables: list[str]) -> None:
    problems = school_copy.differences(school_copy.check(source, tables),
                                       school_copy.check(target, tables))
    if problems:
        raise DamagedDatabase("The copy did not match the original row for row ("
                              + "; ".join(problems[:3]) + "). Nothing was moved.")


@operation(Permission.MANAGE_USERS, writes=False, audit="moved the school to the school server")
def import_to_server(session: Session, url: str, owner_password: str,
                     password: str) -> MoveReport:
    """Copy the open file's whole school onto the empty server database at `url` (as its
    owner) and make the file's active users server logins; `password` (this administrator's
    own, just used to unlock the file) becomes their server password."""
    source = session.db
    _require_intact(session)
    db, address, owner = server_school.connect_as_owner(url, owner_password)
    try:
        server_school.require_empty(db, address, owner)
        people = _active_users(source)
        if owner in people:
            raise ValidationError(f"{owner} owns the database on the server, and this school has a "
                                  "user of that name too; give the owner another role name.",
                                  field="url")
        taken = [name for name in people if server_roles.role_exists(db, name)]
        if taken:
            raise ValidationError(
                "The school server already has a login called " + ", ".join(taken) + " (login "
                "names are shared by every database on one server, perhaps another school's). "
                "Rename that user in the file first; nothing was moved.", field="username")
        # Only now, with every refusal above behind it, is anything built on the server.
        db.migrate()
        tables = school_copy.require_same_tables(source, db)
        with source.snapshot(), db.transaction():
            server_roles.install(db)
            copied = school_copy.copy_all(source, db, tables)
            db.reset_identities()
            _compare(source, db, tables)
            others = [name for name in people if name != session.user.username]
            server_roles.create_login(db, session.user.username, password)
            for name in others:   # a password nobody knows, until one is set for them
                server_roles.create_login(db, name, secrets.token_urlsafe(32) + "aA1!")
            entries = _audit_entries(db)
        # Statistics for the planner and the visibility map for index-only scans, now rather
        # than whenever autovacuum gets round to millions of new rows (until then the first
        # screens read whole tables and sort them, and autovacuum competes with the PCs).
        db.execute("VACUUM ANALYZE")
    finally:
        db.close()
    moved = server_school.open_on_server(url, session.user.username, password, session.clock)
    try:
        moved.audit_now("moved the school here from a file", "school", None,
                        {"rows": copied, "from": session.location})
    finally:
        moved.close()
    viewed(session, "school", rows=copied, to=address.display())
    return MoveReport(copied, len(tables), entries, others)


def _same_person(session: Session, password: str) -> None:
    """The password typed is the signed-in person's own on the server (it seals the copy)."""
    db = session.db
    assert isinstance(db, ServerDatabase)
    try:
        ServerDatabase(db.address, session.user.username, password).close()
    except ServerConnectionError as exc:
        if not str(exc).startswith("Wrong username or password"):
            raise
        raise WrongPassword(f"That is not {session.user.username}'s password on the school "
                            "server. Nothing was written.") from exc


@contextlib.contextmanager
def _temporary(out: Path) -> Iterator[Path]:
    """A hidden name beside `out` for the file being built; removed (with its key file and
    journal) unless it was renamed into place."""
    temp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.partial")
    try:
        yield temp
    finally:
        for leftover in (temp, keyfile_path(temp), temp.with_name(temp.name + "-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _write_file(session: Session, path: Path, password: str,
                recovery: bool) -> tuple[Session, MoveReport]:
    """Copy the server's school into a new encrypted database at `path` (which must not exist)
    and its key file, with a password slot for this person; returns a session on it."""
    data_key = keys.new_data_key()
    keyfile = KeyFile(session.database_id)
    keyfile.set_password(session.user.username, password, data_key)
    recovery_text = None
    if recovery:
        recovery_text = keys.new_recovery_key()
        parsed = keys.parse_recovery_key(recovery_text)
        assert parsed is not None
        keyfile.set_recovery(parsed, data_key)
    target = Database(path, data_key, create=True)
    try:
        target.migrate()
        tables = school_copy.require_same_tables(session.db, target)
        with session.db.snapshot():
            with target.bulk_load():
                copied = school_copy.copy_all(session.db, target, tables)
                if target.foreign_key_problems():
                    raise DamagedDatabase("The copy has records that point at missing ones; "
                                          "nothing was exported.")
            _compare(session.db, target, tables)
        keyfile.save(keyfile_path(path), data_key)
        user = load_user(target, session.user.username)
        assert user is not None
        others = [name for name in _active_users(target) if name != user.username]
        report = MoveReport(copied, len(tables), _audit_entries(target), others, recovery_text)
        return Session(target, data_key, keyfile, user, load_school(target), session.clock), report
    except BaseException:
        target.close()
        keys.wipe(data_key)
        raise


def _refuse_existing(out: Path) -> None:
    for existing in (out, keyfile_path(out)):
        if existing.exists():
            raise StorageError(f"{existing.name} already exists. Choose a new file name.")
    if not out.parent.is_dir():
        raise StorageError(f"The folder {out.parent} does not exist.")


@operation(Permission.BACKUP, writes=False, audit="exported the school to a file")
def export_to_file(session: Session, out: Path, password: str) -> MoveReport:
    """The whole school from the server into a new encrypted database `out` and its key file
    (`password`, the person's own server password, opens it), with a new recovery key."""
    out = Path(out)
    if not session.on_server:
        raise ValidationError("This school is already in a file; copy it with a backup.")
    _refuse_existing(out)
    _same_person(session, password)
    try:
        with _temporary(out) as temp:
            copy, report = _write_file(session, temp, password, recovery=True)
            copy.close()
            os.replace(keyfile_path(temp), keyfile_path(out))
            os.replace(temp, out)
            fsync_directory(out.parent)
    except OSError as exc:
        raise StorageError(describe_os_error(exc, out)) from exc
    viewed(session, "school", rows=report.rows, to=out.name)
    return report


@contextlib.contextmanager
def file_copy_for_backup(session: Session, out: Path, password: str) -> Iterator[Session]:
    """A session on a temporary encrypted copy of the server's school beside `out`, for the
    backup to be written from (services/backup.py); the copy is deleted afterwards. Part of
    backup(), which checks the permission and writes the audit entry."""
    if not password:
        raise PermissionDenied("A backup of the school server is sealed with your own server "
                               "password; type it to make the backup.")
    _same_person(session, password)
    try:
        with _temporary(out) as temp:
            copy, _ = _write_file(session, temp, password, recovery=False)
            try:
                yield copy
            finally:
                copy.close()
    except OSError as exc:
        raise StorageError(describe_os_error(exc, out)) from exc
