"""A small network of Linux network namespaces whose switch can go quiet: real packet loss in
the kernel, as when a cable is pulled or Wi-Fi drops, for tests/test_server_packet_loss.py.

tests/net_relay.py freezes a relay in user space; the PC's own TCP stack still talks to a live
socket on loopback. Here nothing is in between but the kernel: the PC's namespace (10.231.0.1)
and the server's (10.231.0.2) are each joined by a veth pair to a bridge in a third namespace,
the "switch". ``cut()`` takes the bridge down: frames reaching it are dropped, both ends keep
their address, route and carrier, and nothing comes back (no reset, no refusal, no ICMP), so
what ends a connection is the PC's TCP user timeout, keepalives and watchdog, and the server's
keepalives (store/server_watch.py). Deleting the server's address or downing its link also
silences the PC, but changes the server's own routing; the bridge changes neither end.

Nothing of the machine's own network is touched: every link is made inside these namespaces
(``ip -n``), and the test process only moves ONE thread, the one running the test, into the
PC's namespace (setns acts per thread), so the sockets it opens there cross the switch. The
namespaces' names carry the process id, and ``remove()`` deletes them.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

PC_ADDRESS = "10.231.0.1"
SERVER_ADDRESS = "10.231.0.2"
_CLONE_NEWNET = 0x40000000
# CapEff bits: network configuration, and setns (which needs CAP_SYS_ADMIN).
_CAPABILITIES = {"CAP_NET_ADMIN": 12, "CAP_SYS_ADMIN": 21}


class Unavailable(Exception):
    """Namespaces cannot be made here (not Linux, not root, no `ip`): the tests skip."""


def _capabilities_missing() -> list[str]:
    try:
        status = open("/proc/self/status", encoding="ascii").read()
    except OSError:
        return list(_CAPABILITIES)
    line = next((row for row in status.splitlines() if row.startswith("CapEff:")), "CapEff: 0")
    effective = int(line.split()[1], 16)
    return [name for name, bit in _CAPABILITIES.items() if not effective >> bit & 1]


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, _CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns: {os.strerror(errno)}")


class Network:
    """The PC's namespace, the server's and the switch between them (see the module's notes)."""

    def __init__(self) -> None:
        if not sys.platform.startswith("linux"):
            raise Unavailable("network namespaces are Linux's")
        for tool in ("ip", "nsenter"):
            if shutil.which(tool) is None:
                raise Unavailable(f"`{tool}` is not installed")
        missing = _capabilities_missing()
        if missing:
            raise Unavailable(f"this process lacks {' and '.join(missing)} (run as root)")
        stem = f"sendesk-{os.getpid()}"
        self.pc, self.server, self.switch = f"{stem}-pc", f"{stem}-server", f"{stem}-switch"
        self._made: list[str] = []
        try:
            self._build()
        except BaseException:
            self.remove()
            raise

    def _ip(self, *args: str) -> None:
        done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
        if done.returncode:
            raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")

    def _build(self) -> None:
        for name in (self.pc, self.server, self.switch):
            try:
                self._ip("netns", "add", name)
            except RuntimeError as exc:
                raise Unavailable(f"a network namespace cannot be made here ({exc})") from None
            self._made.append(name)
        for ns, end, port, address in ((self.pc, "pc0", "sw-pc", PC_ADDRESS),
                                       (self.server, "srv0", "sw-srv", SERVER_ADDRESS)):
            self._ip("-n", ns, "link", "set", "lo", "up")
            self._ip("-n", ns, "link", "add", end, "type", "veth", "peer", "name", port,
                     "netns", self.switch)
            self._ip("-n", ns, "addr", "add", f"{address}/24", "dev", end)
            self._ip("-n", ns, "link", "set", end, "up")
        self._ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
        for port in ("sw-pc", "sw-srv"):
            self._ip("-n", self.switch, "link", "set", port, "master", "br0")
            self._ip("-n", self.switch, "link", "set", port, "up")
        self.restore()

    def on_server(self) -> list[str]:
        """The command prefix that runs a program (the PostgreSQL server) in the server's
        namespace."""
        return ["nsenter", f"--net=/run/netns/{self.server}"]

    @contextlib.contextmanager
    def at_pc(self) -> Iterator[None]:
        """The calling thread in the PC's namespace: connections it opens go over the switch
        (a Unix socket, being a file, still reaches the server from anywhere)."""
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        try:
            target = os.open(f"/run/netns/{self.pc}", os.O_RDONLY)
            try:
                _setns(target)
            finally:
                os.close(target)
            try:
                yield
            finally:
                _setns(home)
        finally:
            os.close(home)

    def cut(self) -> None:
        """The switch goes quiet: every packet either way is dropped, silently."""
        self._ip("-n", self.switch, "link", "set", "br0", "down")

    def restore(self) -> None:
        self._ip("-n", self.switch, "link", "set", "br0", "up")

    def remove(self) -> None:
        """Delete the namespaces (their links go with them)."""
        while self._made:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._ip("netns", "del", self._made.pop())
