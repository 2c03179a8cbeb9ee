"""Adding, removing and re-passwording users: one row in the database, one slot in the key file.

The key file is written while the database transaction is still open, so a failure in either
leaves both as they were (a slot written just before a failed commit opens nothing, because the
user row it would need is not there).
"""

from __future__ import annotations

from ..errors import PermissionDenied, ValidationError, WrongPassword
from ..models import roles as roles_mod
from ..models.roles import Permission, Role
from ..models.users import User, clean_full_name, clean_username
from ..passwords import require_strong
from ..session import Session
from ..store.keyfile import keyfile_path


def list_users(session: Session) -> list[User]:
    rows = session.db.query("SELECT * FROM users WHERE active = 1 ORDER BY username")
    return [User(r["id"], r["username"], r["full_name"], roles_mod.parse_roles(r["roles"]), True)
            for r in rows]


def add_user(session: Session, username: str, full_name: str, roles: str, password: str) -> User:
    session.require(Permission.MANAGE_USERS)
    username = clean_username(username)
    full_name = clean_full_name(full_name)
    user_roles = roles_mod.parse_roles(roles)
    require_strong(password, [username, full_name, session.school.name])
    if session.db.scalar("SELECT count(*) FROM users WHERE username = ?", (username,)):
        raise ValidationError(f"There is already a user called {username} (usernames are never "
                              "reused, so that the audit log stays unambiguous).", field="username")
    keyfile = session.keyfile
    keyfile.set_password(username, password, session.data_key)
    try:
        with session.db.transaction():
            cursor = session.db.execute(
                "INSERT INTO users (username, full_name, roles, created_at, created_by)"
                " VALUES (?, ?, ?, ?, ?)",
                (username, full_name, roles_mod.format_roles(user_roles), session.now_text(),
                 session.user.id))
            session.audit("added a user", "user", cursor.lastrowid,
                          {"username": username, "roles": roles_mod.format_roles(user_roles)})
            keyfile.save(keyfile_path(session.path), session.data_key)
    except BaseException:
        keyfile.remove_user(username)
        raise
    return User(cursor.lastrowid, username, full_name, user_roles, True)


def remove_user(session: Session, username: str) -> None:
    session.require(Permission.MANAGE_USERS)
    username = clean_username(username)
    if username == session.user.username:
        raise PermissionDenied("You cannot remove yourself. Ask another administrator.")
    row = session.db.query_one("SELECT * FROM users WHERE username = ? AND active = 1", (username,))
    if row is None:
        raise ValidationError(f"There is no user called {username}.", field="username")
    others = [u for u in list_users(session) if u.username != username]
    if Role.ADMIN in roles_mod.parse_roles(row["roles"]) and not any(Role.ADMIN in u.roles for u in others):
        raise PermissionDenied("That is the last administrator; add another before removing them.")
    keyfile = session.keyfile
    slot = keyfile.slots.get(keyfile.user_slot_id(username))
    keyfile.remove_user(username)
    try:
        with session.db.transaction():
            session.db.execute("UPDATE users SET active = 0, removed_at = ? WHERE id = ?",
                               (session.now_text(), row["id"]))
            session.audit("removed a user", "user", row["id"], {"username": username})
            keyfile.save(keyfile_path(session.path), session.data_key)
    except BaseException:
        if slot is not None:
            keyfile.slots[slot.id] = slot
        raise


def change_password(session: Session, username: str, new_password: str,
                    current_password: str | None = None) -> None:
    """Users change their own password (proving the current one); admins may reset anyone's."""
    username = clean_username(username)
    own = username == session.user.username
    if not own:
        session.require(Permission.MANAGE_USERS)
    row = session.db.query_one("SELECT * FROM users WHERE username = ? AND active = 1", (username,))
    if row is None:
        raise ValidationError(f"There is no user called {username}.", field="username")
    keyfile = session.keyfile
    if own:
        if current_password is None:
            raise WrongPassword("Enter your current password to change it.")
        keyfile.unlock_with_password(username, current_password)
    require_strong(new_password, [username, row["full_name"], session.school.name])
    old_slot = keyfile.slots.get(keyfile.user_slot_id(username))
    keyfile.set_password(username, new_password, session.data_key)
    try:
        with session.db.transaction():
            session.audit("changed a password" if own else "reset a password", "user", row["id"])
            keyfile.save(keyfile_path(session.path), session.data_key)
    except BaseException:
        if old_slot is not None:
            keyfile.slots[old_slot.id] = old_slot
        raise
