"""An unlocked school database and the person using it.

Every core operation takes a Session, checks the user's permission on it and records what it
did in the audit log under the user's name. Locking discards the session: the connection is
closed and the key overwritten, so nothing stays readable behind a 'locked' flag.

On the school server (``on_server``, store/server_database.py) there is no data key and no key
file: the person signed in with their own PostgreSQL login. Whatever belongs to the file (the
key file, re-encryption, the file's path) then says plainly that it does not apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .clock import Clock, SystemClock, isoformat
from .crypto import keys
from .errors import ACCOUNT_REMOVED, PermissionDenied, SendeskError
from .models.roles import Permission, who_may
from .models.school import SchoolIdentity
from .models.users import User
from .store import audit
from .store.database import Database
from .store.keyfile import KeyFile
from .store.server_address import NotOnServer


class Session:
    def __init__(self, db: Database, data_key: bytearray | None, keyfile: KeyFile | None,
                 user: User, school: SchoolIdentity, clock: Clock | None = None) -> None:
        self.db = db
        self._data_key: bytearray | None = data_key
        self._keyfile = keyfile
        self.user = user
        self.school = school
        self.clock = clock or SystemClock()
        self._database_id: bytes | None = None

    @property
    def on_server(self) -> bool:
        """The school's records are on a PostgreSQL server, not in a file on this PC."""
        return self.db.engine != "sqlite"

    @property
    def location(self) -> str:
        """Where the records are, as shown to people (a file's path or the server's address)."""
        return self.db.location

    @property
    def path(self) -> Path:
        return self.db.path

    @property
    def keyfile(self) -> KeyFile:
        if self._keyfile is None:
            raise NotOnServer("Key files belong to a school database file on this PC; on the "
                              "school server each person signs in with their own server "
                              "password instead.")
        return self._keyfile

    @keyfile.setter
    def keyfile(self, value: KeyFile) -> None:
        self._keyfile = value

    @property
    def database_id(self) -> bytes:
        if self._keyfile is not None:
            return self._keyfile.database_id
        if self._database_id is None:
            self._database_id = bytes.fromhex(str(self.db.scalar(
                "SELECT value FROM meta WHERE key = 'database_id'")))
        return self._database_id

    @property
    def data_key(self) -> bytearray:
        if self.on_server and self.db.is_open:
            raise NotOnServer("The school server's records are not encrypted with a key held on "
                              "this PC (the server protects them), so this does not apply.")
        if self._data_key is None:
            raise SendeskError("The database is locked. Unlock it to continue.")
        return self._data_key

    @property
    def is_open(self) -> bool:
        return (self.on_server or self._data_key is not None) and self.db.is_open

    def can(self, permission: Permission) -> bool:
        return permission in self.user.permissions

    def require(self, permission: Permission) -> None:
        """Check the role, and that the user has not been removed since signing in.

        On the school server the server itself refuses a removed login's every statement
        (removing it takes it out of every group), and its refusal is told as removed
        (store/server_database.py): asking first would cost a round trip per action, seven
        of them each time a record is opened."""
        if not self.on_server and not self.db.scalar(
                "SELECT active FROM users WHERE id = ?", (self.user.id,)):
            raise PermissionDenied(ACCOUNT_REMOVED)
        if not self.can(permission):
            raise PermissionDenied(
                f"Your role ({self.user.role_label}) does not allow you to {permission.value}. "
                + who_may(permission))

    def now_text(self) -> str:
        return isoformat(self.clock.now())

    def audit(self, action: str, target_type: str | None = None, target_id: Any = None,
              detail: dict[str, Any] | None = None) -> None:
        """Record an action; inside a transaction it commits or rolls back with the change."""
        audit.append(self.db, at=self.now_text(), user_id=self.user.id, username=self.user.username,
                     action=action, target_type=target_type, target_id=target_id, detail=detail)

    def audit_now(self, action: str, target_type: str | None = None, target_id: Any = None,
                  detail: dict[str, Any] | None = None) -> None:
        """Record a read or export on its own, committed at once.

        On the school server the entry is one statement, its own transaction (the server's
        append locks the chain's head itself): one round trip, not three with BEGIN and
        COMMIT, for every record opened."""
        if self.on_server and not self.db.in_transaction:
            self.audit(action, target_type, target_id, detail)
            return
        with self.db.transaction():
            self.audit(action, target_type, target_id, detail)

    def close(self) -> None:
        """Drop the database connection and overwrite the key held in memory."""
        self.db.close()
        if self._data_key is not None:
            keys.wipe(self._data_key)
        self._data_key = None
