"""How long the app waits for the school server, and what it does when the answer never comes
(issue 21, item 9: a network cut that drops packets, with no reset, must not hang a save).

A cable pulled or a switch gone quiet sends nothing back: without a bound, a statement waits in
the socket for as long as the operating system keeps retrying (many minutes), and when the
network returns what was sent is delivered and committed, perhaps after the PC has locked.
Four bounds, each for its own case:

* **The PC's own deadline** (``ANSWER_SECONDS``): ``Watchdog.guard`` times every statement of
  ordinary work; one with no answer after that long has its socket cut from a second thread
  (``cut``), so the waiting statement fails at once as "not answering" and libpq closes the
  socket with a reset (SO_LINGER 0), which discards whatever was still queued to send: a
  COMMIT never sent is never delivered later. This is the bound that holds whatever the
  network does.
* **The server's statement limit** (``STATEMENT_SECONDS``, shorter than the deadline): a live
  but slow server stops a runaway statement itself and says so, so the deadline only fires
  when the server is truly silent. Reports at 60,000 pupils run a few seconds at most
  (docs/performance.md); a person waiting longer than this for a screen is better told.
* **The server's idle-in-transaction limit** (``IDLE_IN_TRANSACTION_SECONDS``, longer than the
  deadline): a session left inside a transaction with no word from its PC is ended by the
  server and its work rolled back. After the PC gave up on a save, nothing of it can land later,
  and the school's write lock (one advisory lock every save takes) is free again for the other
  PCs within seconds rather than when TCP notices.
* **TCP keepalives and a user timeout** on both ends: the operating system probes a quiet
  connection, so a dead network is noticed during long work too (and by the server). The
  server needs the user timeout as well as keepalives: when the network goes while it is
  sending (an export's rows) or before the PC acknowledged its last answer, its keepalives
  never start and it would retry for about 15 minutes (Linux's defaults), holding the
  school's write lock (tests/test_server_packet_loss.py, under real packet loss).

Maintenance is exempt from the first three: the owner's connection (server init, upgrade,
import of a 60,000-pupil school, its VACUUM ANALYZE) and a snapshot (a backup, an export) can
rightly run a statement or hold a transaction for minutes; they keep the keepalives.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Iterator

from .server_dialect import SESSION_SETTINGS

ANSWER_SECONDS = 12.0
STATEMENT_SECONDS = 10
IDLE_IN_TRANSACTION_SECONDS = 15
LOCK_SECONDS = 5
# libpq's side: probe after 5 s of quiet, every 2 s, give up after 3 unanswered; data sent and
# not acknowledged for 10 s ends the connection.
CLIENT_KEEPALIVES = {"keepalives": "1", "keepalives_idle": "5", "keepalives_interval": "2",
                     "keepalives_count": "3", "tcp_user_timeout": "10000"}


def server_options(patient: bool) -> str:
    """The session settings sent at connect (libpq's ``options``): the server's own bounds,
    its keepalives and user timeout towards this PC, and the planner's settings
    (server_dialect.SESSION_SETTINGS). A patient session (maintenance) has no statement or
    idle limit."""
    limits = {"lock_timeout": f"{LOCK_SECONDS}s",
              "statement_timeout": "0" if patient else f"{STATEMENT_SECONDS}s",
              "idle_in_transaction_session_timeout":
                  "0" if patient else f"{IDLE_IN_TRANSACTION_SECONDS}s",
              "tcp_keepalives_idle": "5", "tcp_keepalives_interval": "2",
              "tcp_keepalives_count": "3", "tcp_user_timeout": "10000",
              "client_connection_check_interval": "5s", **SESSION_SETTINGS}
    return " ".join(f"-c {name}={value}" for name, value in limits.items())


PATIENT_SETTINGS = "SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0"
ORDINARY_SETTINGS = "RESET statement_timeout; RESET idle_in_transaction_session_timeout"


def cut(fileno: int) -> None:
    """End a connection whose server has gone silent, from another thread: a reset on close
    (nothing still queued is sent) and both directions shut, which wakes the thread waiting on
    it with an end of file (libpq then reports the connection lost and closes it)."""
    sock = socket.socket(fileno=fileno)
    try:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    finally:
        sock.detach()   # the socket is libpq's: it closes it


class Watchdog:
    """One thread per database connection owner, cutting the socket of a statement that has
    waited past its deadline. Guarding a statement costs two lock round trips, no thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._watched: tuple[float, int, int] | None = None   # deadline, socket, turn
        self._turn = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self.cuts = 0   # how many statements it has cut off (for the tests)

    @contextlib.contextmanager
    def guard(self, fileno: int, seconds: float | None = None) -> Iterator[None]:
        """Cut `fileno` if the block is still running after `seconds` (ANSWER_SECONDS)."""
        seconds = ANSWER_SECONDS if seconds is None else seconds
        with self._cond:
            self._turn += 1
            turn = self._turn
            self._watched = (time.monotonic() + seconds, fileno, turn)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, daemon=True,
                                                name="sendesk-server-watchdog")
                self._thread.start()
            self._cond.notify()
        try:
            yield
        finally:
            with self._cond:
                if self._watched is not None and self._watched[2] == turn:
                    self._watched = None

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _watch(self) -> None:
        with self._cond:
            while not self._closed:
                if self._watched is None:
                    self._cond.wait()
                    continue
                deadline, fileno, _turn = self._watched
                left = deadline - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                self._watched = None
                self.cuts += 1
                cut(fileno)   # under the lock: the statement cannot finish and hand it on
