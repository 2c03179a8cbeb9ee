"""Writing files so that a crash or full disk leaves either the old file or the new one."""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

from ..errors import StorageError


def describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"There is not enough disk space to save {path.name}. Nothing was changed."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"sendesk may not write to {path.parent}. Choose a folder you can save in. Nothing was changed."
    if exc.errno == errno.ENOENT:
        return f"The folder {path.parent} does not exist."
    return f"Could not save {path.name} ({exc.strerror or 'disk error'}). Nothing was changed."


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` all at once: never half a file, never no file."""
    path = Path(path)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        fsync_directory(path.parent)
    except OSError as exc:
        try:
            temp.unlink()
        except OSError:
            pass
        raise StorageError(describe_os_error(exc, path)) from exc


def fsync_directory(folder: Path) -> None:
    """Make a rename in `folder` durable: without this a power cut can undo it."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """Read a file we expect to be small, refusing anything larger than makes sense."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise StorageError(f"{path.name} is far too large to be a {what}.")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise StorageError(f"{path} cannot be found.") from exc
    except IsADirectoryError as exc:
        raise StorageError(f"{path} is a folder, not a {what}.") from exc
    except PermissionError as exc:
        raise StorageError(f"sendesk may not read {path}.") from exc
