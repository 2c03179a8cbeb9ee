"""Each sendesk user on the school server is a PostgreSQL login role with a SCRAM-SHA-256
password (the password rules are sendesk's, checked before this is called).

The password never reaches the server in plain: the SCRAM verifier (RFC 5802/7677, the form
PostgreSQL stores in pg_authid) is computed here and sent instead, so it cannot land in the
server's statement log either.

Which groups a login belongs to, and so what the server lets it do, follows from the users
table (store/server_security.py): create_login, sync_login and set_password call the owner's
functions, which check the caller is an active sendesk administrator of this school.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from ..errors import ValidationError
from . import server_security
from .database import Database
from .server_database import ServerDatabase

ITERATIONS = 4096   # PostgreSQL's own default (scram_iterations)
_ROLE_NAME = re.compile(r"[a-z][a-z0-9._-]{1,31}")


def scram_verifier(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>``, as CREATE ROLE accepts it."""
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def role_identifier(username: str) -> str:
    """A username (already cleaned by models.users) as a quoted SQL identifier."""
    if not _ROLE_NAME.fullmatch(username):
        raise ValidationError(f"{username} cannot be a login on the school server.", field="username")
    return f'"{username}"'


def role_exists(db: Database, username: str) -> bool:
    return bool(db.scalar("SELECT 1 FROM pg_roles WHERE rolname = ?", (username,)))


def install(db: Database) -> None:
    """The server-side pieces the roles need (as the owner, after the migrations)."""
    server_security.install(db)


def create_login(db: Database, username: str, password: str) -> None:
    """A new login role for a sendesk user whose users row is already written in this
    transaction (PostgreSQL makes roles transactionally, so a failed user add leaves no role
    behind); it joins the group roles the row's roles name."""
    role_identifier(username)
    if role_exists(db, username):
        raise ValidationError(f"The school server already has a login called {username} (perhaps "
                              "for another school's database on it). Choose another username.",
                              field="username")
    db.scalar("SELECT sendesk_create_login(?, ?)", (username, scram_verifier(password)))


def sync_login(db: Database, username: str) -> None:
    """Make the login's group memberships, and whether it may sign in at all, what its users
    row says (after a role change or a removal: a removed user's login is NOLOGIN and in no
    group, while their rows and audit entries still name them)."""
    db.scalar("SELECT sendesk_sync_login(?)", (username,))


def set_password(db: Database, username: str, password: str, *, own: bool) -> None:
    """A new SCRAM verifier, computed here, for one's own login or (an administrator) another's."""
    verifier = scram_verifier(password)
    if own:   # every role may change its own password; the verifier is plain base64 and $:
        db.execute(f"ALTER ROLE CURRENT_USER PASSWORD '{verifier}'")
        if isinstance(db, ServerDatabase):
            db.use_password(password)   # the next reconnection (after a cut) uses the new one
    else:
        db.scalar("SELECT sendesk_set_password(?, ?)", (username, verifier))
