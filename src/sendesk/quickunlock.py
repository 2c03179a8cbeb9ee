"""Quick unlock: after a full unlock the data key may wait in the operating system's keyring,
so that coming back from an auto-lock needs only the Windows (or macOS) account.

It is opt-in, expires (by default at the end of the day) and is wiped on a full lock, sign-out
or quit. Where no real keyring exists the feature reports itself unavailable and the UI hides it.
"""

from __future__ import annotations

import datetime as dt
import json

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail

from .clock import Clock, SystemClock

SERVICE = "sendesk quick unlock"


def backend_available(backend: keyring.backend.KeyringBackend | None = None) -> bool:
    backend = backend or keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return bool(backend.backends)
    return type(backend).__module__ != "keyring.backends.null"


def expiry(clock: Clock, hours: int | None) -> dt.datetime:
    now = clock.now()
    if hours:
        return now + dt.timedelta(hours=hours)
    local = now.astimezone()
    # A naive local time takes the offset in force at midnight itself, which differs from now's
    # on the days the clocks change.
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time()).astimezone()
    return midnight.astimezone(dt.UTC)


class QuickUnlock:
    def __init__(self, backend: keyring.backend.KeyringBackend | None = None,
                 clock: Clock | None = None) -> None:
        self.backend = backend or keyring.get_keyring()
        self.clock = clock or SystemClock()

    @property
    def available(self) -> bool:
        return backend_available(self.backend)

    def store(self, database_id: bytes, username: str, data_key: bytes, until: dt.datetime) -> bool:
        """Keep the key; False if the keyring refused (quick unlock then simply is not offered)."""
        secret = json.dumps({"user": username, "key": bytes(data_key).hex(),
                             "until": until.astimezone(dt.UTC).isoformat()})
        try:
            self.backend.set_password(SERVICE, database_id.hex(), secret)
        except keyring.errors.KeyringError:
            return False
        return True

    def fetch(self, database_id: bytes) -> tuple[str, bytearray] | None:
        """The stored username and key, or None if there is none or it has expired."""
        try:
            secret = self.backend.get_password(SERVICE, database_id.hex())
        except keyring.errors.KeyringError:
            return None
        if not secret:
            return None
        try:
            data = json.loads(secret)
            until = dt.datetime.fromisoformat(data["until"])
            entry = (str(data["user"]), bytearray.fromhex(data["key"]))
            # An entry without a timezone cannot be compared with now, so it is not trusted.
            expired = self.clock.now() >= until
        except (ValueError, KeyError, TypeError):
            self.forget(database_id)
            return None
        if expired:
            self.forget(database_id)
            return None
        return entry

    def forget(self, database_id: bytes) -> None:
        try:
            self.backend.delete_password(SERVICE, database_id.hex())
        except keyring.errors.KeyringError:
            pass
