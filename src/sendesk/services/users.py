"""Adding, removing, renaming and re-passwording users: one row in the database, one slot in the
key file (which names nobody: a user's name and roles live only in the database's users table).

The key file is written while the database transaction is still open (the operation's, see
``sendesk.operations``), so a failure in either leaves both as they were (a slot written just
before a failed commit opens nothing, because the user row it would need is not there).

Removing a user, and a reset "because the password may be known", also re-encrypt the whole
database under a new key (services/rekey.py), so that a key file copied while the user could
still sign in opens nothing written afterwards. Those two run outside any transaction of
their own (``writes=False``): their changes are made, and committed, in the re-encrypted copy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import PermissionDenied, ValidationError, WrongPassword
from ..models import roles as roles_mod
from ..models.roles import Permission, Role
from ..models.users import User, clean_full_name, clean_username
from ..operations import Kind, Progress, changed, operation
from ..passwords import require_strong
from ..session import Session
from ..store import server_roles
from ..store.database import Row
from ..store.keyfile import KeyFile, keyfile_path
from . import rekey, server_school


@operation(Permission.VIEW_RECORDS, writes=False)
def list_users(session: Session) -> list[User]:
    rows = session.db.query("SELECT * FROM users WHERE active = 1 ORDER BY username")
    return [User(r["id"], r["username"], r["full_name"], roles_mod.parse_roles(r["roles"]), True)
            for r in rows]


@operation(Permission.MANAGE_USERS)
def add_user(session: Session, username: str, full_name: str, roles: str, password: str) -> User:
    username = clean_username(username)
    full_name = clean_full_name(full_name)
    user_roles = roles_mod.parse_roles(roles)
    require_strong(password, [username, full_name, session.school.name])
    if session.db.scalar("SELECT count(*) FROM users WHERE username = ?", (username,)):
        raise ValidationError(f"There is already a user called {username} (usernames are never "
                              "reused, so that the audit log stays unambiguous).", field="username")
    if session.on_server:   # a login role instead of a key-file slot (store/server_roles.py)
        user_id = _user_added(session, username, full_name, roles_mod.format_roles(user_roles))
        server_roles.create_login(session.db, username, password)   # its groups: the row's roles
        return User(user_id, username, full_name, user_roles, True)
    keyfile = session.keyfile
    keyfile.set_password(username, password, session.data_key)
    try:
        user_id = _user_added(session, username, full_name, roles_mod.format_roles(user_roles))
        keyfile.save(keyfile_path(session.path), session.data_key)
    except BaseException:
        keyfile.remove_user(username)
        raise
    return User(user_id, username, full_name, user_roles, True)


@operation(Permission.MANAGE_USERS, audit="changed a user")
def update_user(session: Session, username: str, full_name: str | None = None,
                roles: str | None = None) -> User:
    """Change a user's full name, roles or both (None leaves that one as it is).

    A user's roles are read when they sign in, so the change takes effect at their next
    sign-in; a window they already have open keeps the roles it opened with. The username
    never changes (the audit log names people by it). Nobody may take away their own
    administrator role, and the last administrator keeps theirs, so the school is never left
    with nobody who can manage users."""
    username = clean_username(username)
    row = _active_user(session, username)
    if full_name is None and roles is None:
        raise ValidationError("Give a new full name or new roles (or both).", field="full_name")
    new_name = row["full_name"] if full_name is None else clean_full_name(full_name)
    old_roles = roles_mod.parse_roles(row["roles"])
    new_roles = old_roles if roles is None else roles_mod.parse_roles(roles)
    if Role.ADMIN in old_roles and Role.ADMIN not in new_roles:
        if username == session.user.username:
            raise PermissionDenied("You cannot take away your own administrator role. Ask "
                                   "another administrator.")
        if not any(Role.ADMIN in u.roles for u in list_users(session) if u.username != username):
            raise PermissionDenied(f"{username} is the last administrator; make someone else an "
                                   "administrator first.")
    if new_name != row["full_name"] or new_roles != old_roles:
        detail: dict[str, Any] = {"username": username}
        if new_name != row["full_name"]:
            detail["full_name"] = new_name
        if new_roles != old_roles:
            detail["roles"] = roles_mod.format_roles(new_roles)
        session.db.execute("UPDATE users SET full_name = ?, roles = ? WHERE id = ?",
                           (new_name, roles_mod.format_roles(new_roles), row["id"]))
        if session.on_server and new_roles != old_roles:
            server_roles.sync_login(session.db, username)
        changed(session, Kind.USER, target=("user", row["id"]), **detail)
    return User(row["id"], username, new_name, new_roles, True)


# The database half of each change is an operation of its own, so that its audit entry is
# written (as a savepoint of the outer operation) before the key file is saved: a failure in
# either then puts the key file in memory back and leaves the one on disk untouched.
@operation(Permission.MANAGE_USERS, audit="added a user")
def _user_added(session: Session, username: str, full_name: str, roles: str) -> int:
    cursor = session.db.execute(
        "INSERT INTO users (username, full_name, roles, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?)", (username, full_name, roles, session.now_text(), session.user.id))
    user_id = int(cursor.lastrowid)
    changed(session, Kind.USER, target=("user", user_id), username=username, roles=roles)
    return user_id


@operation(Permission.MANAGE_USERS, audit="removed a user")
def _user_removed(session: Session, user_id: int, username: str) -> None:
    session.db.execute("UPDATE users SET active = 0, removed_at = ? WHERE id = ?",
                       (session.now_text(), user_id))
    changed(session, Kind.USER, target=("user", user_id), username=username)


@operation(Permission.MANAGE_USERS, audit="reset a password")
def _password_reset(session: Session, user_id: int) -> None:
    changed(session, Kind.USER, target=("user", user_id))


@operation(Permission.MANAGE_USERS)
def _login_removed(session: Session, user_id: int, username: str) -> None:
    """On the server: the users row made inactive (their rows still name them) and the login
    made NOLOGIN and taken out of every group, in one transaction."""
    _user_removed(session, user_id, username)
    server_roles.sync_login(session.db, username)


@operation(Permission.MANAGE_USERS, writes=False)
def remove_user(session: Session, username: str,
                progress: Progress | None = None) -> rekey.Rotation | None:
    """Remove a user and re-encrypt the database under a new key that they never held (on the
    school server there is no key: their login can no longer sign in, and None is returned)."""
    username = clean_username(username)
    if username == session.user.username:
        raise PermissionDenied("You cannot remove yourself. Ask another administrator.")
    row = _active_user(session, username)
    others = [u for u in list_users(session) if u.username != username]
    if Role.ADMIN in roles_mod.parse_roles(row["roles"]) and not any(Role.ADMIN in u.roles for u in others):
        raise PermissionDenied("That is the last administrator; add another before removing them.")
    if session.on_server:
        _login_removed(session, row["id"], username)
        return None

    def drop_slot(keyfile: KeyFile, _key: bytearray) -> None:
        keyfile.remove_user(username)

    return rekey.rotate(session, f"removed {username}",
                        lambda s: _user_removed(s, row["id"], username), drop_slot, progress)


@operation(Permission.VIEW_RECORDS, writes=False)
def change_password(session: Session, username: str, new_password: str,
                    current_password: str | None = None, rotate_key: bool = False,
                    progress: Progress | None = None) -> rekey.Rotation | None:
    """Users change their own password (proving the current one); admins may reset anyone's,
    re-encrypting the database too when ``rotate_key`` (see reset_password)."""
    if clean_username(username) == session.user.username:
        change_own_password(session, new_password, current_password)
        return None
    return reset_password(session, username, new_password, rotate_key, progress)


@operation(Permission.VIEW_RECORDS, audit="changed a password")
def change_own_password(session: Session, new_password: str,
                        current_password: str | None = None) -> None:
    """Any signed-in user may change their own password, proving the current one first (every
    role may view records, so the declared permission admits everyone still a user)."""
    username = session.user.username
    row = _active_user(session, username)
    if current_password is None:
        raise WrongPassword("Enter your current password to change it.")
    if session.on_server:
        server_school.check_password(session.db, username, current_password)
        require_strong(new_password, [username, row["full_name"], session.school.name])
        server_roles.set_password(session.db, username, new_password, own=True)
        changed(session, Kind.USER, target=("user", row["id"]))
        return
    session.keyfile.unlock_with_password(username, current_password)
    require_strong(new_password, [username, row["full_name"], session.school.name])
    _set_password(session, username, new_password,
                  lambda: changed(session, Kind.USER, target=("user", row["id"])))


@operation(Permission.MANAGE_USERS, writes=False)
def reset_password(session: Session, username: str, new_password: str, rotate_key: bool = False,
                   progress: Progress | None = None) -> rekey.Rotation | None:
    """An administrator sets a new password for another user (who has forgotten theirs).

    ``rotate_key``: the old password may be known to someone else, so re-encrypt the database
    under a new key too; a key file copied before then no longer opens it."""
    username = clean_username(username)
    if username == session.user.username:
        raise PermissionDenied("Change your own password with your current one.")
    row = _active_user(session, username)
    require_strong(new_password, [username, row["full_name"], session.school.name])
    if session.on_server:
        if rotate_key:
            raise server_school.refuse("Re-encrypting under a new key")
        _login_password_set(session, username, new_password, row["id"])
        return None
    if not rotate_key:
        _password_replaced(session, username, new_password, row["id"])
        return None

    def set_slot(keyfile: KeyFile, key: bytearray) -> None:
        keyfile.set_password(username, new_password, key)

    return rekey.rotate(session, f"reset the password of {username}",
                        lambda s: _password_reset(s, row["id"]), set_slot, progress)


@operation(Permission.MANAGE_USERS)
def _login_password_set(session: Session, username: str, new_password: str, user_id: int) -> None:
    server_roles.set_password(session.db, username, new_password, own=False)
    _password_reset(session, user_id)


@operation(Permission.MANAGE_USERS)
def _password_replaced(session: Session, username: str, new_password: str, user_id: int) -> None:
    _set_password(session, username, new_password, lambda: _password_reset(session, user_id))


def _active_user(session: Session, username: str) -> Row:
    row = session.db.query_one("SELECT * FROM users WHERE username = ? AND active = 1", (username,))
    if row is None:
        raise ValidationError(f"There is no user called {username}.", field="username")
    return row


def _set_password(session: Session, username: str, new_password: str,
                  record: Callable[[], None]) -> None:
    """Replace the user's key-file slot and save the key file inside the open transaction,
    putting the old slot back in memory if anything fails."""
    keyfile = session.keyfile
    old_slot = keyfile.slots.get(keyfile.user_slot_id(username))
    keyfile.set_password(username, new_password, session.data_key)
    try:
        record()
        keyfile.save(keyfile_path(session.path), session.data_key)
    except BaseException:
        if old_slot is not None:
            keyfile.slots[old_slot.id] = old_slot
        raise
