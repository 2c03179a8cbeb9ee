"""What a school database holds about the school and its users, read and first written the
same way on both engines (the file, services/lifecycle.py; the school server,
services/server_school.py)."""

from __future__ import annotations

from ..clock import Clock, isoformat
from ..crypto import signing
from ..models import roles as roles_mod
from ..models.school import SchoolIdentity
from ..models.users import User
from ..store import audit
from ..store.database import Database
from . import starter_library


def _meta(db: Database) -> dict[str, str]:
    return {row["key"]: row["value"] for row in db.query("SELECT key, value FROM meta")}


def load_school(db: Database) -> SchoolIdentity:
    meta = _meta(db)
    return SchoolIdentity(meta.get("school_name", ""), meta.get("urn") or None,
                          meta.get("la_code") or None, meta.get("estab") or None)


def load_user(db: Database, username: str) -> User | None:
    row = db.query_one("SELECT * FROM users WHERE username = ? AND active = 1", (username,))
    if row is None:
        return None
    return User(row["id"], row["username"], row["full_name"], roles_mod.parse_roles(row["roles"]),
                bool(row["active"]))


def first_rows(db: Database, database_id: bytes, identity: SchoolIdentity, username: str,
               full_name: str, first_roles: frozenset[roles_mod.Role], clock: Clock) -> int:
    """What every new school database holds first, on either engine: its identity and signing
    key in meta, the first user, and the audit log's first entry. Returns the user's id."""
    now = isoformat(clock.now())
    private = signing.new_private_key()
    meta = {"database_id": database_id.hex(), "school_name": identity.name,
            "urn": identity.urn or "", "la_code": identity.la_code or "",
            "estab": identity.estab or "", "created_at": now,
            "signing_private_key": private.hex(),
            "signing_public_key": signing.public_key(private).hex()}
    db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
    user_id = int(db.scalar(
        "INSERT INTO users (username, full_name, roles, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        (username, full_name, roles_mod.format_roles(first_roles), now)))
    audit.append(db, at=now, user_id=user_id, username=username,
                 action="created the school database")
    # A new school's provision library starts from the suggested interventions.
    starter_library.add_suggested(db, now, user_id)
    return user_id
