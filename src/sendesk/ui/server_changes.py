"""On the school server, the window hears of other PCs' changes as they commit (issue 21,
item 6), and refreshes the pages they touch.

Every write sends a NOTIFY in its own transaction (operations._announce, store
ServerDatabase.announce) naming the kinds of record and the pupils it changed. A listener
thread holds a second connection as the same person (ServerDatabase.connection_for_listening:
LISTEN must not share the working connection, which the runner's worker owns) and turns each
notification into a Changes broadcast through the runner, exactly as the window's own work is
broadcast, so the pupil list, an open record and its tabs refresh by the rules they already
follow. Notifications from this window's own connection are skipped: the runner has sent
those already.

When the server stops answering, the listener tries again every few seconds; once it is back
it sends one whole-school Changes, because what was committed meanwhile was not heard: every
page on screen reads again, so a page that could not be read while the server was away fills
in (ui/load_on_show.py) and a record whose save may or may not have landed shows which. A
stopped server closes the listening connection, but a silent network does not: so after a few
quiet seconds the listener asks the server for a round trip, cut off like any statement when
no answer comes (ServerDatabase.check_answering). The thread ends when the session is locked
(the runner closes), and its connection with it.

The thread touches no Qt object: it puts what it heard on a plain queue, which a timer on the
GUI thread empties. A test worker crashed outright with this thread alive, when it still
emitted a signal of its own into the window: a thread using Qt objects that the GUI thread may be
destroying is the likeliest cause, and a queue of plain Python objects cannot race that way.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from typing import Any

import psycopg
from PySide6.QtCore import QObject, QTimer

from ..errors import SendeskError
from ..operations import Changes, Kind
from ..store.server_database import CHANGES_CHANNEL, ServerDatabase
from ..store.server_watch import Watchdog
from .runner import OpRunner

LISTEN_POLL_SECONDS = 0.5     # how often the thread looks up from waiting to see if it must end
RETRY_SECONDS = 2.0
HEARTBEAT_SECONDS = 3.0       # quiet this long: check the server still answers
DELIVER_MS = 100              # how often the GUI thread takes what the listener heard
EVERYTHING = Changes(kinds=frozenset(Kind), whole_school=True)


def changes_from(payload: str) -> Changes | None:
    """A notification's JSON as Changes (None for one that does not parse: ignored)."""
    try:
        data = json.loads(payload)
        kinds = frozenset(Kind(k) for k in data["kinds"] if k in Kind._value2member_map_)
        return Changes(frozenset(int(p) for p in data["pupils"]), kinds, bool(data["whole_school"]))
    except (ValueError, KeyError, TypeError):
        return None


class _Listener:
    """What runs on the listening thread: plain Python only (the database, a queue, events).
    It holds no Qt object, not even by a bound method of one: whatever the thread holds, it
    lets go of on that thread when it ends, and a Qt wrapper let go of there (the window's,
    its runner's) crashed the test process in Qt's offscreen window code soon after."""

    def __init__(self, db: ServerDatabase) -> None:
        self.db = db
        self.heard: queue.SimpleQueue[Changes] = queue.SimpleQueue()
        self.listening = threading.Event()   # set while LISTEN is in place (tests wait on it)
        self.stop = threading.Event()        # set from the GUI thread: stopped, locked, gone
        self._watchdog = Watchdog()   # the listener's own: the worker's guards the working one

    def ended(self) -> bool:
        """Stopped or locked (the GUI thread says), or its session closed: a closed session's
        listener otherwise went on trying to reconnect every few seconds for the life of the
        process."""
        return self.stop.is_set() or self.db.closed

    def run(self) -> None:
        missed = False
        while not self.ended():
            conn: Any = None
            try:
                conn = self.db.connection_for_listening()
                conn.execute(f"LISTEN {CHANGES_CHANNEL}")
                self.listening.set()
                if missed:   # changes committed while the server was away were not heard
                    self.heard.put(EVERYTHING)
                missed = False
                heard_at = time.monotonic()
                while not self.ended():
                    for note in conn.notifies(timeout=LISTEN_POLL_SECONDS, stop_after=50):
                        heard_at = time.monotonic()
                        self._note(note)
                    if conn.broken or conn.closed:
                        raise psycopg.OperationalError("the listening connection was lost")
                    if time.monotonic() - heard_at > HEARTBEAT_SECONDS:
                        self.db.check_answering(conn, self._watchdog)
                        heard_at = time.monotonic()
            except (psycopg.Error, SendeskError):   # the server away, or locked: try again shortly
                self.listening.clear()
                missed = True
                self.stop.wait(RETRY_SECONDS)
            finally:
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
        self.listening.clear()
        self._watchdog.close()

    def _note(self, note: Any) -> None:
        if note.pid == self.db.backend_pid:
            return   # this window's own write: the runner has broadcast it already
        changes = changes_from(note.payload)
        if changes:
            self.heard.put(changes)


class ServerChanges(QObject):
    def __init__(self, runner: OpRunner, parent: QObject) -> None:
        super().__init__(parent)
        self.runner = runner
        session = runner.session
        assert session is not None and isinstance(session.db, ServerDatabase)
        self._listener = listener = _Listener(session.db)
        self.listening = listener.listening
        self._deliver = QTimer(self)
        self._deliver.setInterval(DELIVER_MS)
        self._deliver.timeout.connect(self._broadcast)
        self._deliver.start()
        self._thread = threading.Thread(target=listener.run, name="sendesk-server-changes",
                                        daemon=True)
        self._thread.start()
        self.destroyed.connect(lambda *_: listener.stop.set())

    def stop(self) -> None:
        self._listener.stop.set()

    def _broadcast(self) -> None:
        """On the GUI thread: pass on everything heard since the last tick (and tell the
        listener to end once the runner is locked)."""
        if self.runner.closed:
            self._listener.stop.set()
            return
        while True:
            try:
                changes = self._listener.heard.get_nowait()
            except queue.Empty:
                return
            self.runner.changed.emit(changes)
