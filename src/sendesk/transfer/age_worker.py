"""Age's passphrase encryption run in a child process, so scrypt never stops the window.

pyrage keeps Python's global lock for the whole of its scrypt passphrase stretching (about a
second or two of the processor, by design), so run in the app's own process it freezes the
window's event loop even from a worker thread. Here each encrypt or decrypt runs in a fresh
child process (multiprocessing's 'spawn' start method, the same on Linux, macOS and Windows and
in the PyInstaller bundle, whose entry points call ``multiprocessing.freeze_support()``); the
calling thread just waits on a pipe, without the lock.

The child needs nothing from the program that started it but this module, so it is started
without re-running that program's main script ('spawn' would otherwise import it again, which
a script without an ``if __name__ == "__main__"`` guard, a benchmark or a test harness, does
not survive).

The bytes travel over the pipe both ways and nothing is written to disk: no plaintext package
ever touches a temporary file. A failure inside age comes back as the same
``pyrage.DecryptError`` (with age's own text) that calling pyrage directly raises, so the
package code tells a wrong passphrase from a damaged file exactly as before.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
import types
from collections.abc import Iterator
from multiprocessing.connection import Connection

import pyrage

from ..errors import SendeskError

# A child that has answered has nothing left to do; one that has not after this long after its
# pipe closed is stuck and is ended.
_JOIN_SECONDS = 5.0
_STARTING = threading.Lock()


class AgeWorkerFailed(SendeskError):
    """The child process stopped without an answer (for example, out of memory)."""


def encrypt(data: bytes, passphrase: str) -> bytes:
    """``pyrage.passphrase.encrypt`` in a child process."""
    return _run("encrypt", data, passphrase)


def decrypt(data: bytes, passphrase: str) -> bytes:
    """``pyrage.passphrase.decrypt`` in a child process; raises pyrage.DecryptError as it does."""
    return _run("decrypt", data, passphrase)


def _run(op: str, data: bytes, passphrase: str) -> bytes:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe(duplex=True)
    child = context.Process(target=_serve, args=(theirs,), name="sendesk-age", daemon=True)
    with _STARTING, _main_script_hidden():
        child.start()
    theirs.close()
    try:
        ours.send((op, passphrase))
        ours.send_bytes(data)
        answer = ours.recv()
        if answer[0] == "ok":
            return ours.recv_bytes()
        if answer[0] == "decrypt-error":
            raise pyrage.DecryptError(answer[1])
        raise AgeWorkerFailed(_stopped(op) + f" ({answer[1]})")
    except (EOFError, OSError) as exc:
        raise AgeWorkerFailed(_stopped(op)) from exc
    finally:
        ours.close()
        child.join(_JOIN_SECONDS)
        if child.is_alive():
            child.kill()
            child.join()


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """While the child starts, the parent's __main__ names no script, so the child does not
    import it again (it only needs _serve, found by its module name)."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _stopped(op: str) -> str:
    what = "encrypting the package" if op == "encrypt" else "opening the package"
    return (f"The helper process {what} stopped before it finished (the computer may be short "
            "of memory). Close other programs and try again. Nothing was changed.")


def _serve(conn: Connection) -> None:
    """In the child: one request, one answer, then exit."""
    try:
        op, passphrase = conn.recv()
        data = conn.recv_bytes()
        try:
            if op == "encrypt":
                result = pyrage.passphrase.encrypt(data, passphrase)
            elif op == "decrypt":
                result = pyrage.passphrase.decrypt(data, passphrase)
            else:
                conn.send(("error", f"unknown request {op!r}"))
                return
        except pyrage.DecryptError as exc:
            conn.send(("decrypt-error", str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - reported to the parent by its type alone
            conn.send(("error", type(exc).__name__))
            return
        conn.send(("ok",))
        conn.send_bytes(result)
    finally:
        conn.close()
