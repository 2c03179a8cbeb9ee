"""Creating, opening and recovering a school database (the database file plus its key file).

Every function that takes the database's location also takes a ``postgresql://`` URL: signing
in then goes to services/server_school.py (the school server has no key file), and what only a
file has (quick unlock, the recovery key) says plainly that it does not apply."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from ..clock import Clock, SystemClock
from ..crypto import keys
from ..errors import DamagedDatabase, KeyFileError, NotASendeskDatabase, SendeskError, StorageError, WrongPassword
from ..models import roles as roles_mod
from ..models.school import make_identity
from ..models.users import clean_full_name, clean_username
from ..passwords import require_strong
from ..session import Session
from ..store import keyswap
from ..store.database import Database
from ..store.files import describe_os_error, fsync_directory
from ..store.keyfile import KeyFile, keyfile_path
from ..store.server_address import is_server_url
from .school_rows import first_rows, load_school, load_user

__all__ = ["create", "describe_failure", "first_rows", "load_school", "load_user", "open_school",
           "open_with_data_key", "recover"]


def create(path: Path | str, *, school_name: str, school_reference: str, username: str, full_name: str,
           password: str, clock: Clock | None = None,
           user_roles: str = "senco,admin") -> tuple[Session, str]:
    """Make a new encrypted database and key file; returns the session and the recovery key.

    The recovery key is shown once and never stored in plain form anywhere.
    """
    if is_server_url(path):
        raise StorageError("A school on the school server is set up by its administrator with "
                           "sendesk-cli server init URL (as the database's owner).")
    clock = clock or SystemClock()
    path = Path(path)
    identity = make_identity(school_name, school_reference)
    username = clean_username(username)
    full_name = clean_full_name(full_name)
    first_roles = roles_mod.parse_roles(user_roles)
    require_strong(password, [username, full_name, identity.name])
    key_path = keyfile_path(path)
    if key_path.exists() and not path.exists():
        raise StorageError(
            f"{key_path.name} already exists but {path.name} does not. If creating this school "
            f"was interrupted, delete {key_path.name} and try again; if the database was moved, "
            "move it back or choose another file name.")
    for existing in (path, key_path):
        if existing.exists():
            raise StorageError(f"{existing.name} already exists. Choose another file name, "
                               "or open the existing database.")
    if not path.parent.is_dir():
        raise StorageError(f"The folder {path.parent} does not exist.")
    if not os.access(path.parent, os.W_OK):
        raise StorageError(f"sendesk may not write to {path.parent}. Choose a folder you can save in.")

    data_key = keys.new_data_key()
    database_id = os.urandom(16)
    recovery_text = keys.new_recovery_key()
    keyfile = KeyFile(database_id)
    keyfile.set_password(username, password, data_key)
    recovery_key = keys.parse_recovery_key(recovery_text)
    assert recovery_key is not None  # new_recovery_key() writes only keys it can read back
    keyfile.set_recovery(recovery_key, data_key)

    # The database is built under a hidden temporary name and renamed into place only once its
    # key file is safely written: a crash part-way never leaves a database nobody can open
    # under the real name (which would also block trying again).
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    made: list[Path] = [temp, temp.with_name(temp.name + "-journal")]
    db = None
    try:
        db = Database(temp, data_key, create=True)
        db.migrate()
        with db.transaction():
            first_rows(db, database_id, identity, username, full_name, first_roles, clock)
        db.close()
        made.append(key_path)
        keyfile.save(key_path, data_key)
        made.append(path)
        os.replace(temp, path)
        fsync_directory(path.parent)
        db = Database(path, data_key)
    except BaseException as exc:
        if db is not None:
            db.close()
        for leftover in made:
            with contextlib.suppress(OSError):
                leftover.unlink()
        keys.wipe(data_key)
        if isinstance(exc, OSError):
            raise StorageError(describe_os_error(exc, path)) from exc
        raise
    user = load_user(db, username)
    assert user is not None
    return Session(db, data_key, keyfile, user, identity, clock), recovery_text


def _open_with_key(path: Path, keyfile: KeyFile, data_key: bytearray, username: str,
                   clock: Clock, how: str, no_such_user: str = "Wrong username or password.") -> Session:
    db = None
    try:
        db = Database(path, data_key)
        db.migrate()
        stored_id = db.scalar("SELECT value FROM meta WHERE key = 'database_id'")
        if stored_id != keyfile.database_id.hex():
            raise NotASendeskDatabase("The key file beside this database belongs to a different "
                                      "school database.")
        user = load_user(db, username)
        if user is None:
            raise WrongPassword(no_such_user)
        session = Session(db, data_key, keyfile, user, load_school(db), clock)
        session.audit_now(how)
        return session
    except BaseException:
        if db is not None:
            db.close()
        keys.wipe(data_key)
        raise


def open_school(path: Path | str, username: str, password: str,
                clock: Clock | None = None) -> Session:
    """Unlock with a username and password: unwrap the data key, then open the database (or
    sign in to the school server, for a postgresql:// location)."""
    if is_server_url(path):
        from . import server_school
        return server_school.open_on_server(str(path), username, password, clock)
    path = Path(path)
    _require_database_file(path)
    keyfile = KeyFile.load(keyfile_path(path))
    username = (username or "").strip().lower()
    data_key = keyfile.unlock_with_password(username, password)
    session = _open_with_key(path, keyfile, data_key, username, clock or SystemClock(), "signed in")
    if keyfile.upgraded:
        # A version 1 entry was just rewritten with a sealed key (store/keyfile.py), so that a
        # later re-encryption can carry this user over without their password.
        try:
            keyfile.save(keyfile_path(path), session.data_key)
        except BaseException:
            session.close()
            raise
    return session


def open_with_data_key(path: Path | str, data_key: bytes, username: str,
                       clock: Clock | None = None) -> Session:
    """Quick unlock: the key came from the OS keyring; it is still checked against the key file."""
    if is_server_url(path):
        from . import server_school
        raise server_school.refuse("Quick unlock")
    path = Path(path)
    _require_database_file(path)
    keyfile = KeyFile.load(keyfile_path(path))
    key = bytearray(data_key)
    try:
        keyfile.verify(key)
    except KeyFileError as exc:
        keys.wipe(key)
        raise WrongPassword("Quick unlock no longer opens this database: its key has changed "
                            "since (a user was removed or a password reset), or the key file "
                            "was altered. Sign in with your password.") from exc
    except BaseException:
        keys.wipe(key)
        raise
    return _open_with_key(path, keyfile, key, username, clock or SystemClock(),
                          "signed in with quick unlock")


def recover(path: Path | str, recovery_key: str, username: str, new_password: str,
            clock: Clock | None = None) -> Session:
    """Set a new password for a user who has forgotten theirs, using the school's recovery key."""
    if is_server_url(path):
        from . import server_school
        raise server_school.refuse("The recovery key")
    path = Path(path)
    _require_database_file(path)
    key_path = keyfile_path(path)
    keyfile = KeyFile.load(key_path)
    username = (username or "").strip().lower()
    # Refuse a weak password before anything is opened or written to the audit log.
    require_strong(new_password, [username])
    data_key = keyfile.unlock_with_recovery(recovery_key)
    # No password was asked for, so "wrong username or password" would mislead. The key was
    # checked first and opens every record, so naming the missing user tells its holder
    # nothing they could not read anyway; without the key no one gets this far.
    session = _open_with_key(path, keyfile, data_key, username, clock or SystemClock(),
                             "opened the database with the recovery key",
                             no_such_user=f"No one called {username or '(blank)'} can sign in to "
                                          "this school's database, so no password was set. "
                                          "Check the username; the recovery key was right.")
    try:
        require_strong(new_password, [username, session.user.full_name, session.school.name])
        keyfile.set_password(username, new_password, session.data_key)
        with session.db.transaction():
            session.audit("set a new password with the recovery key", "user", session.user.id)
            keyfile.save(key_path, session.data_key)
    except BaseException:
        session.close()
        raise
    return session


def _require_database_file(path: Path) -> None:
    """The database is there (after finishing a switch to a new key that a crash cut short:
    store/keyswap.py)."""
    keyswap.finish_interrupted(path, keyfile_path(path))
    if not path.exists():
        raise StorageError(f"{path} cannot be found. Check the path, or create a new school database.")
    if path.is_dir():
        raise NotASendeskDatabase(f"{path} is a folder, not a sendesk database.")


def describe_failure(exc: BaseException) -> str:
    """The message a front end shows for anything that went wrong while opening."""
    if isinstance(exc, SendeskError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "This computer ran out of memory while opening the database."
    if isinstance(exc, OSError):
        return f"The files could not be read ({exc.strerror or 'disk error'})."
    return DamagedDatabase("The database could not be opened because of an unexpected fault. "
                           "Nothing was changed.").args[0]
