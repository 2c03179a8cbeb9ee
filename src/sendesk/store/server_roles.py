"""Each sendesk user on the school server is a PostgreSQL login role with a SCRAM-SHA-256
password (the password rules are sendesk's, checked before this is called).

The password never reaches the server in plain: the SCRAM verifier (RFC 5802/7677, the form
PostgreSQL stores in pg_authid) is computed here and sent instead, so it cannot land in the
server's statement log either.

This is the basic version issue 21 needs to sign in at all: a login role with the plain table
privileges every sendesk user needs. The next step (group roles for senco, staff and admin,
column grants and row security that mirror the permission matrix, removing and re-passwording
roles) replaces grant_basic(); create_login() and scram_verifier() stay.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from ..errors import ValidationError
from .database import Database

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


# Installed by the owner (server init, server upgrade): the one way a sendesk administrator
# makes a login, without holding CREATEROLE themselves. It runs as the owner and checks that
# whoever calls it is the owner or an active sendesk administrator of this school.
_CREATE_LOGIN = r"""
CREATE OR REPLACE FUNCTION sendesk_create_login(new_role text, verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
    IF session_user <> (SELECT pg_get_userbyid(datdba) FROM pg_database
                        WHERE datname = current_database())
       AND NOT EXISTS (SELECT 1 FROM users WHERE username = session_user AND active = 1
                       AND ',' || roles || ',' LIKE '%,admin,%') THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'only a sendesk administrator may add users';
    END IF;
    IF new_role !~ '^[a-z][a-z0-9._-]{1,31}$' OR verifier !~ '^SCRAM-SHA-256\$' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = 'not a login';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', new_role, verifier);
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), new_role);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', new_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I',
                   new_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', new_role);
    EXECUTE format('GRANT EXECUTE ON FUNCTION sendesk_create_login(text, text) TO %I', new_role);
END
$fn$
"""


def install(db: Database) -> None:
    """The server-side pieces the roles need (as the owner, after the migrations)."""
    db.execute(_CREATE_LOGIN)
    db.execute("REVOKE ALL ON FUNCTION sendesk_create_login(text, text) FROM PUBLIC")


def create_login(db: Database, username: str, password: str) -> None:
    """A new login role for a sendesk user, with what every user needs to work (inside the
    caller's transaction: PostgreSQL makes roles transactionally, so a failed user add
    leaves no role behind). The group roles and grants that mirror the permission matrix
    replace the plain table privileges sendesk_create_login gives (see the module's notes)."""
    role_identifier(username)
    if role_exists(db, username):
        raise ValidationError(f"The school server already has a login called {username} (perhaps "
                              "for another school's database on it). Choose another username.",
                              field="username")
    db.scalar("SELECT sendesk_create_login(?, ?)", (username, scram_verifier(password)))
