"""One running copy: a second `sendesk` (or a double-clicked records-transfer package) hands
itself to the window already open instead of starting again and asking for the password twice.

The running copy listens on a local socket (QLocalServer) named for this user and this data
folder, reachable only by the same user. A second launch connects (QLocalSocket), sends one
short line and exits once the running copy says "ok":

    show\\n                      bring the running window forward
    open <absolute path>\\n      and receive this package (a .sendesk-transfer file)

A line is at most MAX_LINE bytes of UTF-8; anything else (too long, not a command, a path that
is not an absolute path to an existing package file) is refused with one sentence and changes
nothing. A socket left behind by a copy that crashed is found stale (nobody answers) and
replaced.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from ..settings import data_dir
from ..transfer.package import SUFFIX

if TYPE_CHECKING:
    from .controller import AppController

MAX_LINE = 4096
CONNECT_MS = 500
REPLY_MS = 3000
POLL_MS = 20
_SOCKET_PATH_MAX = 100      # sun_path holds 104-108 bytes; keep clear of it


def server_name(folder: Path | None = None) -> str:
    """The socket's name: this user and a hash of the data folder (two data folders, as in
    tests or for two schools' demo copies, are two running copies)."""
    place = str((folder or data_dir()).resolve())
    digest = hashlib.sha256(place.encode("utf-8")).hexdigest()[:16]
    user = re.sub(r"[^A-Za-z0-9_.-]", "_", _user())[:32]
    name = f"sendesk-{user}-{digest}"
    if sys.platform == "win32":
        return name          # a named pipe; the user's own by QLocalServer.UserAccessOption
    # On Unix, in the user's own runtime folder (not /tmp, where another user could take the
    # name first), unless its path is too long for a socket.
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime).is_dir():
        path = str(Path(runtime) / f"{name}.sock")
        if len(path.encode()) <= _SOCKET_PATH_MAX:
            return path
    return name


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "user"


# --- the message --------------------------------------------------------------------------------
def encode(package: Path | None) -> bytes:
    if package is None:
        return b"show\n"
    line = f"open {Path(package).resolve()}\n".encode()
    if len(line) > MAX_LINE:
        raise ValueError("path too long to hand over")
    return line


def decode(line: bytes) -> tuple[str, Path | None]:
    """('show', None) or ('open', path); raises ValueError with the sentence to reply."""
    if len(line) > MAX_LINE or not line.endswith(b"\n"):
        raise ValueError("The message was too long or incomplete.")
    try:
        text = line[:-1].decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("The message was not text.") from None
    if text == "show":
        return "show", None
    command, _, rest = text.partition(" ")
    if command != "open" or not rest or any(c in rest for c in "\n\r\0"):
        raise ValueError("The message was not one sendesk understands.")
    path = Path(rest)
    if not path.is_absolute():
        raise ValueError("The package must be named by its full path.")
    if not path.name.endswith(SUFFIX):
        raise ValueError(f"Only records-transfer packages ({SUFFIX}) can be opened this way.")
    if not path.is_file():
        raise ValueError(f"There is no file {path}.")
    return "open", path


# --- the second launch --------------------------------------------------------------------------
def hand_over(package: Path | None = None, name: str | None = None) -> bool:
    """Give the package (or just a nudge) to a running copy; True when it took it, False when
    no copy runs (or it did not answer), so this launch should start the app itself.

    Blocking, and needs no event loop: it runs before the app has any window."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(CONNECT_MS):
        return False
    try:
        socket.write(encode(package))
        if socket.bytesToWrite() and not socket.waitForBytesWritten(REPLY_MS):
            return False
        reply = b""
        deadline = time.monotonic() + REPLY_MS / 1000
        while not reply.endswith(b"\n") and len(reply) <= MAX_LINE:
            # Short waits, looking between them for a running copy that has gone away.
            if not socket.bytesAvailable() and not socket.waitForReadyRead(POLL_MS):
                gone = socket.state() != QLocalSocket.LocalSocketState.ConnectedState
                if not socket.bytesAvailable() and (gone or time.monotonic() > deadline):
                    return False
                continue
            reply += bytes(socket.readAll().data())
        return reply == b"ok\n"
    finally:
        socket.abort()


def hand_over_launch(argument: Path | None) -> bool:
    """For `sendesk [FILE]`: hand a package (or a plain start) to a running copy. A school
    database named on the command line is never handed over: that launch opens it itself."""
    if argument is not None and not argument.name.endswith(SUFFIX):
        return False
    return hand_over(argument)


# --- the running copy ---------------------------------------------------------------------------
class InstanceServer(QObject):
    """Listens for later launches; `arrived(path or None)` for each message accepted."""

    arrived = Signal(object)    # Path | None

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening, unless a live copy answers under this name (then False). Asked
        first because Qt, with UserAccessOption, renames its socket over any file already
        there, live or not; a stale one (nobody answering) is removed."""
        if _answers(self.name):
            return False
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    def _connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.read(MAX_LINE + 1).data())
        if b"\n" not in data and len(data) <= MAX_LINE:
            self._buffers[socket] = data
            return
        del self._buffers[socket]
        line = data[:data.index(b"\n") + 1] if b"\n" in data else data
        try:
            _command, path = decode(line)
        except ValueError as refused:
            socket.write(f"refused: {refused}\n".encode())
            accepted = False
        else:
            socket.write(b"ok\n")
            accepted = True
        socket.flush()
        socket.disconnectFromServer()
        # Only now: opening the wizard runs the event loop, in which this socket may go.
        if accepted:
            self.arrived.emit(path)


def _answers(name: str) -> bool:
    """Whether a live copy answers under `name` (used to tell a stale socket from a live one)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    alive = socket.waitForConnected(CONNECT_MS)
    socket.abort()
    return alive


# --- what the running window does with it -------------------------------------------------------
def deliver(controller: AppController, package: Path | None) -> None:
    """Bring the running copy forward; a package opens in the receiving wizard now, or, when
    the window is locked, once the user has unlocked (the unlock window says so)."""
    if controller.session is not None and controller.workspace is not None:
        window = controller.main_window
        if window is not None:
            _raise(window.showNormal if window.isMinimized() else window.show, window)
        if package is not None:
            controller.workspace.receive_package(package)
        return
    if package is not None:
        controller.pending_package = package
    entry = controller.unlock_dialog or controller.create_dialog
    if entry is not None:
        _raise(entry.show, entry)
        dialog = controller.unlock_dialog
        if package is not None and dialog is not None:
            said = dialog.lock_notice.text() if dialog.lock_notice.isVisible() else ""
            dialog.show_lock_notice((said + "\n" if said else "") +
                                    f"Unlock to receive the pupil's file {package.name}.")


def _raise(show: Callable[[], None], window) -> None:
    show()
    window.raise_()
    window.activateWindow()


def serve(controller: AppController) -> InstanceServer | None:
    """Listen for later launches on behalf of this app; None when another copy already does."""
    server = InstanceServer(parent=controller)
    if not server.listen():
        server.deleteLater()
        return None
    server.arrived.connect(lambda package: deliver(controller, package))
    return server
