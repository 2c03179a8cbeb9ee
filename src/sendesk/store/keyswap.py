"""Switching a database and its key file to a new key together, or not at all.

Re-encrypting (services/rekey.py) writes the new database and the new key file beside the old
ones under fixed hidden names, makes both durable, and only then writes the marker
``<database>-rekey``: the marker is the moment of commitment. The two renames that follow
put the new files in place; then the marker is removed. A crash before the marker leaves the
old pair untouched (the hidden copies open nothing the old files do not); a crash after it is
finished by :func:`finish_interrupted`, which every way of opening a database calls first, so
it never meets a new database beside an old key file or the other way round.

The names are fixed, never read from the marker, so a planted marker can only ever move
sendesk's own two hidden files into place.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ..errors import StorageError
from .files import atomic_write, describe_os_error, fsync_directory

MARKER_TEXT = b"sendesk: re-encryption under a new key, committed\n"


def new_database(database: Path) -> Path:
    return database.with_name(f".{database.name}.rekey.partial")


def new_keyfile(database: Path) -> Path:
    return database.with_name(f".{database.name}-keys.rekey.partial")


def marker(database: Path) -> Path:
    return database.with_name(f"{database.name}-rekey")


def pairs(database: Path, keyfile: Path) -> list[tuple[Path, Path]]:
    """(hidden new file, the name it takes), key file first."""
    return [(new_keyfile(database), keyfile), (new_database(database), database)]


def discard_unfinished(database: Path) -> None:
    """Remove the hidden copies an earlier attempt left before its marker (they are junk)."""
    copy = new_database(database)
    for leftover in (copy, copy.with_name(copy.name + "-journal"), new_keyfile(database)):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def mark_committed(database: Path) -> None:
    """The new files are durable: from this moment the switch will be completed, whatever
    happens (call finish_interrupted next, and never discard the new files after this)."""
    atomic_write(marker(database), MARKER_TEXT)


def finish_interrupted(database: Path, keyfile: Path) -> bool:
    """Complete a committed switch that was cut short; True if there was one to finish."""
    flag = marker(database)
    if not flag.exists():
        return False
    try:
        for new, final in pairs(database, keyfile):
            with contextlib.suppress(FileNotFoundError):  # already renamed before the crash
                os.replace(new, final)
        fsync_directory(database.parent)
        with contextlib.suppress(FileNotFoundError):  # another copy of sendesk finished it
            flag.unlink()
        fsync_directory(database.parent)
    except OSError as exc:
        raise StorageError(describe_os_error(exc, database)) from exc
    return True
