"""Backups: one file holding the encrypted database and its key file, sealed with a MAC.

The database inside is still SQLCipher-encrypted and the key file still wraps the key, so the
backup can sit on a USB stick or a file server. Restoring checks the password, the MAC, every
page's cipher MAC and SQLite's structure before it writes a single byte to the destination.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import struct
from pathlib import Path

from ..clock import isoformat
from ..crypto import keys
from ..errors import DamagedDatabase, PermissionDenied, SendeskError, StorageError
from ..models import bounded_json
from ..models import roles as roles_mod
from ..models.roles import Permission, Role
from ..operations import Progress, operation, viewed
from ..session import Session
from ..store import audit
from ..store.database import Database
from ..store.files import describe_os_error, fsync_directory
from ..store.keyfile import MAX_BYTES as KEYFILE_MAX_BYTES
from ..store.keyfile import KeyFile, keyfile_path
from . import server_move

MAGIC = b"sendesk-backup\x00\x01"
MAC_BYTES = 32
MAX_HEADER = 64 * 1024
CHUNK = 1 << 20
NOT_A_BACKUP = "{name} is not a sendesk backup (or it has been damaged)."


def _backup_mac_key(data_key: bytes | bytearray, database_id: bytes) -> bytes:
    return keys.subkey(data_key, "backup", database_id)


@operation(Permission.BACKUP, writes=False, audit="made a backup")
def backup(session: Session, out: Path, progress: Progress | None = None,
           password: str | None = None) -> int:
    """Write a backup to `out` (never over an existing file); returns its size in bytes.

    A read as far as the records go: it changes nothing but the audit log, and holds writers
    off only while the file is copied (its own snapshot). ``progress`` hears how much is copied;
    cancelling it stops the copy before the file is renamed into place, and the partial file is
    removed, so nothing is left behind.

    On the school server the same kind of backup is made from a temporary encrypted copy
    (services/server_move.py), sealed with `password`, the person's own server password: it
    restores into a file like any other, with that password."""
    out = Path(out)
    if out.exists():
        raise StorageError(f"{out.name} already exists. Choose a new file name for the backup.")
    if session.on_server:
        with server_move.file_copy_for_backup(session, out, password or "") as copy:
            size = _write_backup(copy, out, progress)
    else:
        size = _write_backup(session, out, progress)
    viewed(session, "school", bytes=size)
    return size


def _write_backup(session: Session, out: Path, progress: Progress | None) -> int:
    """The backup file itself, from a database file and its key file."""
    keyfile_bytes = keyfile_path(session.path).read_bytes()
    mac = hmac.new(_backup_mac_key(session.data_key, session.database_id), digestmod=hashlib.sha256)
    temp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.partial")
    try:
        with session.db.snapshot(), open(temp, "xb") as handle:
            db_size = session.path.stat().st_size
            audit_entries, audit_last_hash = audit.head(session.db)
            header = json.dumps({"created_at": isoformat(session.clock.now()),
                                 "audit_entries": audit_entries, "audit_last_hash": audit_last_hash,
                                 "database_id": session.database_id.hex(),
                                 "schema_version": session.db.schema_version(),
                                 "keyfile_bytes": len(keyfile_bytes),
                                 "database_bytes": db_size}).encode()
            for part in (MAGIC, struct.pack(">I", len(header)), header, keyfile_bytes):
                handle.write(part)
                mac.update(part)
            with open(session.path, "rb") as source:
                copied = 0
                _report(progress, 0, db_size)
                while chunk := source.read(CHUNK):
                    handle.write(chunk)
                    mac.update(chunk)
                    copied += len(chunk)
                    _report(progress, copied, db_size)
            if copied != db_size:
                raise DamagedDatabase("The database changed size while it was being backed up.")
            handle.write(mac.digest())
            handle.flush()
            os.fsync(handle.fileno())
        _report(progress, db_size, db_size)   # the last chance to cancel: then it is in place
        os.replace(temp, out)
        fsync_directory(out.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise StorageError(describe_os_error(exc, out)) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return out.stat().st_size


def _report(progress: Progress | None, copied: int, total: int) -> None:
    if progress is not None:
        progress.report(copied // 1024, max(total // 1024, 1),
                        f"{copied / 1_048_576:.0f} of {total / 1_048_576:.0f} MB copied")


def _read_header(handle, name: str, total: int) -> tuple[dict, bytes, int]:
    if total < len(MAGIC) + 4 + MAC_BYTES or handle.read(len(MAGIC)) != MAGIC:
        raise DamagedDatabase(NOT_A_BACKUP.format(name=name))
    (header_len,) = struct.unpack(">I", handle.read(4))
    if header_len > MAX_HEADER:
        raise DamagedDatabase(NOT_A_BACKUP.format(name=name))
    try:
        header = bounded_json.loads(handle.read(header_len))
        keyfile_len = int(header["keyfile_bytes"])
        db_len = int(header["database_bytes"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, OverflowError,
            RecursionError) as exc:
        raise DamagedDatabase(NOT_A_BACKUP.format(name=name)) from exc
    expected = len(MAGIC) + 4 + header_len + keyfile_len + db_len + MAC_BYTES
    if not 0 <= keyfile_len <= KEYFILE_MAX_BYTES or db_len < 0 or expected != total:
        raise DamagedDatabase(f"{name} has been cut short or added to; it cannot be restored.")
    return header, handle.read(keyfile_len), db_len


def restore(backup_path: Path, database: Path, password: str,
            username: str | None = None) -> list[str]:
    """Check a backup completely, then write its database and key file to `database`.

    The password must be that of a user who holds the admin role in the backup (``username``,
    or whichever user's it is); anyone else is refused before anything is written under the
    destination's name. Returns the users who cannot sign in to the restored file until an
    administrator sets them a password: a backup of the school server is sealed with one
    person's password, so only they have a key in its key file."""
    backup_path, database = Path(backup_path), Path(database)
    name = backup_path.name
    key_path = keyfile_path(database)
    if database.exists():
        raise _exists(database)
    if key_path.exists() and not key_path.is_file():
        raise _exists(key_path)
    if not database.parent.is_dir():
        raise StorageError(f"The folder {database.parent} does not exist.")
    try:
        total = backup_path.stat().st_size
        handle = open(backup_path, "rb")
    except OSError as exc:
        raise StorageError(f"{backup_path} cannot be read.") from exc
    temp_db = database.with_name(f".{database.name}.{secrets.token_hex(4)}.partial")
    data_key = None
    try:
        with handle:
            header, keyfile_bytes, db_len = _read_header(handle, name, total)
            keyfile = KeyFile.from_bytes(keyfile_bytes, f"key file inside {name}")
            if key_path.exists() and not _left_by_an_interrupted_restore(key_path, keyfile):
                raise _exists(key_path)
            if username:
                username = username.strip().lower()
                data_key = keyfile.unlock_with_password(username, password)
                slot_id = keyfile.user_slot_id(username)
            else:
                data_key, slot_id = keyfile.unlock_with_password_any(password)
            mac = hmac.new(_backup_mac_key(data_key, keyfile.database_id), digestmod=hashlib.sha256)
            handle.seek(0)
            remaining = total - MAC_BYTES
            with open(temp_db, "xb") as out:
                header_part = handle.read(total - MAC_BYTES - db_len)
                mac.update(header_part)
                remaining -= len(header_part)
                while remaining > 0:
                    chunk = handle.read(min(CHUNK, remaining))
                    if not chunk:
                        break
                    mac.update(chunk)
                    out.write(chunk)
                    remaining -= len(chunk)
                out.flush()
                os.fsync(out.fileno())
            if not hmac.compare_digest(mac.digest(), handle.read(MAC_BYTES)):
                raise DamagedDatabase(f"{name} has been altered or damaged since it was made; "
                                      "it was not restored.")
        need_password = _check_restored(temp_db, data_key, keyfile, slot_id, name,
                                        named=bool(username))
        # The key file goes first: the database appearing under its name is what completes a
        # restore, so a crash never leaves a database without the key file that opens it.
        keyfile.save(key_path, data_key)
        try:
            os.replace(temp_db, database)
            fsync_directory(database.parent)
        except OSError:
            key_path.unlink()
            raise
    except OSError as exc:
        raise StorageError(describe_os_error(exc, database)) from exc
    finally:
        with contextlib.suppress(OSError):
            temp_db.unlink()
        keys.wipe(data_key)
    return need_password


@operation(Permission.VIEW_RECORDS, writes=False)
def audit_anchor(session: Session, backup_path: Path) -> audit.Anchor:
    """How long the audit log was, and its last hash, when this backup of the open database
    was made. The backup's MAC is checked first, so the anchor can be trusted as far as the
    backup itself can (a backup kept on a stick in the school safe is out of reach of someone
    who alters the live database)."""
    backup_path = Path(backup_path)
    name = backup_path.name
    try:
        total = backup_path.stat().st_size
        handle = open(backup_path, "rb")
    except OSError as exc:
        raise StorageError(f"{backup_path} cannot be read.") from exc
    with handle:
        header, _, _ = _read_header(handle, name, total)
        if header.get("database_id") != session.database_id.hex():
            raise DamagedDatabase(f"{name} is a backup of a different school database.")
        mac = hmac.new(_backup_mac_key(session.data_key, session.database_id),
                       digestmod=hashlib.sha256)
        handle.seek(0)
        remaining = total - MAC_BYTES
        while remaining > 0 and (chunk := handle.read(min(CHUNK, remaining))):
            mac.update(chunk)
            remaining -= len(chunk)
        if not hmac.compare_digest(mac.digest(), handle.read(MAC_BYTES)):
            raise DamagedDatabase(f"{name} has been altered or damaged since it was made.")
    entries, last_hash = header.get("audit_entries"), header.get("audit_last_hash")
    if not isinstance(entries, int) or not isinstance(last_hash, str):
        raise DamagedDatabase(f"{name} was made by an older sendesk that did not record the "
                              "audit log's length; use a newer backup.")
    return audit.Anchor(entries, last_hash, f"the backup {name} ({header.get('created_at', '')})")


def _exists(target: Path) -> StorageError:
    return StorageError(f"{target.name} already exists. Restore to a new file name, or move the "
                        "old database away first.")


def _left_by_an_interrupted_restore(key_path: Path, incoming: KeyFile) -> bool:
    """A key file with no database beside it, for the very database being restored, is what a
    restore killed part-way leaves behind: the backup's own key file may replace it. Any other
    key file is kept, because it may be the only way into a database that was moved away."""
    try:
        existing = KeyFile.load(key_path)
    except SendeskError:
        return False
    return existing.database_id == incoming.database_id


def _check_restored(path: Path, data_key: bytes | bytearray, keyfile: KeyFile, slot_id: str,
                    name: str, named: bool) -> list[str]:
    """The copy is whole, of the database its key file is for, and the password given is an
    administrator's in it: restoring puts a whole school's records back, and whoever holds a
    backup and any one user's password must not be able to do that (roles live inside the
    encrypted database, so this is the first point they can be read). A refusal names the
    user only when they were `named` (--user): a password tried without a name must not say
    whose password it is. Returns the active users with no key in the key file."""
    db = Database(path, data_key)
    try:
        cipher, structure = db.cipher_problems(), db.structure_problems()
        stored_id = db.scalar("SELECT value FROM meta WHERE key = 'database_id'")
        if cipher or structure or stored_id != keyfile.database_id.hex():
            raise DamagedDatabase("The database inside the backup fails its integrity check; "
                                  "it was not restored.")
        person = next((row for row in db.query("SELECT username, roles FROM users WHERE active = 1")
                       if keyfile.user_slot_id(str(row["username"])) == slot_id), None)
        if person is None or Role.ADMIN not in roles_mod.parse_roles(person["roles"]):
            who = f"{person['username']} is not an administrator" if person is not None and named \
                else "That password is not an administrator's"
            raise PermissionDenied(f"{who} in the backup {name}, and only an administrator of the "
                                   "backup may restore it. Nothing was written.")
        return [str(row["username"]) for row in
                db.query("SELECT username FROM users WHERE active = 1 ORDER BY username")
                if not keyfile.has_user(str(row["username"]))]
    finally:
        db.close()
