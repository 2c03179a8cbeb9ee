"""Re-encrypting the school database under a new key (removing a user; resetting a password
that may be known), so that a key file copied earlier opens nothing written afterwards.

The old database and key file are never changed. Holding every writer off (a write
transaction on the open connection), a second connection copies the database into a hidden
new file encrypted under a fresh data key (SQLCipher's sqlcipher_export). The change itself
(the user removed, the password reset) and its audit entries are then made in the copy,
through the ordinary operations, and a new key file seals the new key for every remaining
user and the recovery key (store/keyfile.py: no passwords are needed). Both files are made
durable before store/keyswap.py commits the switch with its marker and renames them into
place. So a kill at any moment leaves the old pair or the new pair, never a mixture.

Afterwards the old file, still open in any other copy of sendesk, is overwritten at its start
(it no longer has a name), so those copies fail with "sign in again" instead of saving
changes into a file nobody will ever read.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..crypto import keys
from ..errors import DamagedDatabase, SendeskError, StorageError
from ..models.roles import Permission
from ..operations import Kind, Progress, changed, operation
from ..session import Session
from ..store import keyswap
from ..store.database import Database
from ..store.files import describe_os_error
from ..store.keyfile import RECOVERY_SLOT, KeyFile, keyfile_path

POISON_BYTES = 64 * 1024


@dataclass
class Rotation:
    """What re-encrypting meant for the people who use the database."""

    # Users whose key-file entry predates sealed keys (they have not signed in since sendesk
    # was updated): they need an administrator to reset their password.
    needs_reset: list[str] = field(default_factory=list)
    # A new recovery key, when the old one's entry predates sealed keys: print it now.
    recovery_key: str | None = None
    seconds: float = 0.0


@operation(Permission.MANAGE_USERS, audit="re-encrypted the database under a new key")
def _rotated(session: Session, reason: str, needs_reset: list[str], new_recovery: bool) -> None:
    detail: dict[str, Any] = {"reason": reason}
    if needs_reset:
        detail["needs_password_reset"] = needs_reset
    if new_recovery:
        detail["new_recovery_key"] = True
    changed(session, Kind.USER, target=("school", None), **detail)


def rotate(session: Session, reason: str, change: Callable[[Session], None],
           edit_keys: Callable[[KeyFile, bytearray], None],
           progress: Progress | None = None) -> Rotation:
    """Make ``change`` (operations on the session) in a copy under a new key, and switch to it.

    ``edit_keys(keyfile, new_key)`` adjusts the new key file (drops the removed user's entry,
    sets the reset password). Call outside any transaction; the caller checks permission."""
    started = time.monotonic()
    if session.db.in_transaction:
        raise SendeskError("The database cannot be re-encrypted in the middle of another change.")
    path, key_path = session.path, keyfile_path(session.path)
    old_db, old_key, old_keyfile = session.db, session.data_key, session.keyfile
    new_key = keys.new_data_key()
    copy = keyswap.new_database(path)
    result = Rotation()
    committed = False
    old_file: int | None = None
    try:
        with old_db.transaction():  # every writer, here or in another copy, waits meanwhile
            keyswap.discard_unfinished(path)
            old_file = os.open(path, os.O_RDWR)
            _copy(session, copy, new_key, progress)
            new_keys = old_keyfile.resealed(new_key)
            edit_keys(new_keys, new_key)
            result.needs_reset = _needing_reset(session, old_keyfile, new_keys)
            if RECOVERY_SLOT not in new_keys.slots:
                result.recovery_key = keys.new_recovery_key()
                parsed = keys.parse_recovery_key(result.recovery_key)
                assert parsed is not None
                new_keys.set_recovery(parsed, new_key)
            _report(progress, 96, "Recording the change")
            new_db = Database(copy, new_key)
            session.db, session._data_key, session.keyfile = new_db, new_key, new_keys
            try:
                change(session)
                _rotated(session, reason, result.needs_reset, result.recovery_key is not None)
            finally:
                new_db.close()
                session.db, session._data_key, session.keyfile = old_db, old_key, old_keyfile
            _report(progress, 98, "Saving the new key file")
            new_keys.save(keyswap.new_keyfile(path), new_key)
            _fsync(copy)
            keyswap.mark_committed(path)
            committed = True
            keyswap.finish_interrupted(path, key_path)
            _poison(old_file)
    except BaseException as exc:
        if committed:
            # The switch is decided and the next opening completes it (store/keyswap.py); this
            # session's old connection must not write again.
            session.close()
        else:
            _undo(path, new_key)
        if isinstance(exc, OSError):
            raise StorageError(describe_os_error(exc, path)) from exc
        raise
    finally:
        if old_file is not None:
            os.close(old_file)
    old_db.close()
    session.db, session._data_key, session.keyfile = Database(path, new_key), new_key, new_keys
    keys.wipe(old_key)
    result.seconds = time.monotonic() - started
    if progress is not None:
        with contextlib.suppress(SendeskError):
            progress.report(100, 100, "Done")
    return result


def _copy(session: Session, copy: Path, new_key: bytearray, progress: Progress | None) -> None:
    """The whole database, under the new key, in the hidden copy (checked that it opens)."""
    reader = Database(session.path, session.data_key)
    try:
        reader.export_rekeyed(copy, new_key, lambda done, total: _report(
            progress, int(95 * done / total), "Re-encrypting the database"))
    finally:
        reader.close()
    check = Database(copy, new_key)
    try:
        if check.scalar("SELECT value FROM meta WHERE key = 'database_id'") != \
                session.database_id.hex():
            raise DamagedDatabase("The re-encrypted copy does not match the database; nothing "
                                  "was changed.")
    finally:
        check.close()


def _report(progress: Progress | None, percent: int, text: str) -> None:
    if progress is not None:
        progress.report(percent, 100, text)


def _needing_reset(session: Session, old: KeyFile, new: KeyFile) -> list[str]:
    legacy = old.legacy_slots()
    return sorted(str(row[0]) for row in session.db.query(
        "SELECT username FROM users WHERE active = 1")
        if old.user_slot_id(str(row[0])) in legacy and old.user_slot_id(str(row[0])) not in new.slots)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _poison(descriptor: int) -> None:
    """Overwrite the start of the old, now nameless, file: any other copy of sendesk that
    still has it open fails at its next step (and says to sign in again) rather than saving
    into it. Its contents were encrypted under the old key and are gone with its name."""
    with contextlib.suppress(OSError):
        os.pwrite(descriptor, os.urandom(POISON_BYTES), 0)


def _undo(path: Path, new_key: bytearray) -> None:
    with contextlib.suppress(OSError):
        keyswap.discard_unfinished(path)
    keys.wipe(new_key)
