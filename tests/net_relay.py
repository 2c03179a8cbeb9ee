"""A TCP relay between the app and the test PostgreSQL server that can go silent, as a network
does when a cable is pulled or a switch stops forwarding: nothing passes and nothing is
refused (no reset), so the app hears nothing at all, which stopping the server cannot show.

``freeze()`` holds everything sent either way, and new connections are accepted but never
answered; ``thaw()`` lets the held bytes through, except those of a side that closed its end
meanwhile (a PC that gave up resets its connection, and a reset discards what was still
queued to send, so it would never reach the server). ``freeze(toward_server=False)`` holds only
the server's answers: the PC's statements arrive and run, and their answers are lost."""

from __future__ import annotations

import contextlib
import socket
import threading


class Relay:
    def __init__(self, target_port: int, host: str = "127.0.0.1") -> None:
        self.target = (host, target_port)
        self._listener = socket.create_server((host, 0))
        self.port = self._listener.getsockname()[1]
        self._cond = threading.Condition()
        self._frozen_up = False     # PC to server
        self._frozen_down = False   # server to PC
        self._closed = False
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True, name="relay-accept").start()

    def url(self, url: str, server_port: int) -> str:
        """The same address, through the relay."""
        return url.replace(f":{server_port}/", f":{self.port}/", 1)

    def freeze(self, toward_server: bool = True) -> None:
        with self._cond:
            self._frozen_up = toward_server
            self._frozen_down = True

    def thaw(self) -> None:
        with self._cond:
            self._frozen_up = self._frozen_down = False
            self._cond.notify_all()

    def close(self) -> None:
        self.thaw()
        self._closed = True
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.close()

    def _frozen(self, up: bool) -> bool:
        return self._frozen_up if up else self._frozen_down

    def _accept(self) -> None:
        while not self._closed:
            try:
                pc, _ = self._listener.accept()
            except OSError:
                return
            self._sockets.append(pc)
            with self._cond:   # a new connection waits, unanswered, while the network is down
                while self._frozen_up and not self._closed:
                    self._cond.wait()
            try:
                server = socket.create_connection(self.target)
            except OSError:
                pc.close()
                continue
            self._sockets.append(server)
            threading.Thread(target=self._pipe, args=(pc, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, pc, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, up: bool) -> None:
        held: list[bytes] = []
        try:
            while True:
                try:
                    data = source.recv(65536)
                except OSError:
                    data = b""
                with self._cond:
                    frozen = self._frozen(up)
                if not data:
                    if frozen:   # the sender gave up while cut off: what it queued is gone
                        held.clear()
                    with self._cond:
                        while (self._frozen(up) or held) and not self._closed:
                            self._cond.wait(0.05)
                    break
                if frozen:
                    held.append(data)
                    if len(held) == 1:
                        threading.Thread(target=self._release, args=(held, sink, up),
                                         daemon=True).start()
                    continue
                while held:   # still being released: keep the order
                    with self._cond:
                        self._cond.wait(0.05)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _release(self, held: list[bytes], sink: socket.socket, up: bool) -> None:
        """Send what was held once the network is back (nothing, if the sender gave up)."""
        with self._cond:
            while self._frozen(up) and not self._closed:
                self._cond.wait()
        try:
            while held:
                sink.sendall(held.pop(0))
        except OSError:
            held.clear()
        with self._cond:
            self._cond.notify_all()
