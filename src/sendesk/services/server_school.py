"""Setting up, upgrading and signing in to a school's records on the school server.

``services.lifecycle`` hands a ``postgresql://`` location here (the file's functions stay in
lifecycle). The server's own roles do the work the key file does for a file:

* ``server init`` (create_on_server) connects as the database's owner role (named in the URL,
  its password asked for), checks the database is empty and uses the C collation, runs every
  migration, writes the school's first rows exactly as a new file gets them, and makes the
  first administrator a login role with a SCRAM password (store/server_roles.py).
* ``server upgrade`` (upgrade_server) runs newer migrations, as the owner, after installing a
  newer sendesk, puts the grants and the owner's functions in place again and works the
  derived facts out afresh from the records (a row written by hand when a login could still
  write them, or by hand since, is put right); an ordinary sign-in never changes the schema,
  and an older sendesk is refused by the schema version as it is on a file.
* Signing in (open_on_server) connects as the person's own login role; the session's user is
  the users row with that username.
"""

from __future__ import annotations

import dataclasses
import os

from ..clock import Clock, SystemClock
from ..errors import NewerVersionError, PermissionDenied, SendeskError, ValidationError, WrongPassword
from ..models import roles as roles_mod
from ..models.school import make_identity
from ..models.users import clean_full_name, clean_username
from ..passwords import require_strong
from ..session import Session
from ..store import derived_facts, migrations, server_roles
from ..store.database import Database
from ..store.server_address import NotOnServer, ServerAddress, parse

__all__ = ["connect_as_owner", "create_on_server", "open_on_server", "parse", "refuse",
           "require_empty", "upgrade_server"]
from ..store.server_database import ServerDatabase
from .school_rows import first_rows, load_school, load_user

# Collations whose order is the code points' (as SQLite's default BINARY order is).
CODE_POINT_COLLATIONS = ("C", "POSIX", "C.UTF-8", "C.utf8")


def _connect(address: ServerAddress, user: str, password: str) -> ServerDatabase:
    return ServerDatabase(address, user, password)


def connect_as_owner(url: str, owner_password: str) -> tuple[ServerDatabase, ServerAddress, str]:
    """The database's owner role, named in the URL (server init, upgrade, import)."""
    address = parse(url)
    owner = _owner(address)
    return _connect(address, owner, owner_password), address, owner


def _owner(address: ServerAddress) -> str:
    if not address.user:
        raise ValidationError("Name the database's owner role in the address, for example "
                              f"postgresql://sendesk_owner@{address.host}/{address.database}.",
                              field="url")
    return address.user


def create_on_server(url: str, owner_password: str, *, school_name: str, school_reference: str,
                     username: str, full_name: str, password: str,
                     clock: Clock | None = None, user_roles: str = "senco,admin") -> Session:
    """Build the school's schema on the server and its first administrator; returns that
    administrator's session (signed in with their own new login)."""
    clock = clock or SystemClock()
    address = parse(url)
    owner = _owner(address)
    identity = make_identity(school_name, school_reference)
    username = clean_username(username)
    full_name = clean_full_name(full_name)
    first_roles = roles_mod.parse_roles(user_roles)
    if username == owner:
        raise ValidationError(f"{owner} owns the database on the server; the first sendesk "
                              "administrator needs a login of their own. Choose another username.",
                              field="username")
    require_strong(password, [username, full_name, identity.name])
    db = _connect(address, owner, owner_password)
    try:
        require_empty(db, address, owner)
        db.migrate()
        with db.transaction():
            server_roles.install(db)
            first_rows(db, os.urandom(16), identity, username, full_name, first_roles, clock)
            server_roles.create_login(db, username, password)
    finally:
        db.close()
    session = open_on_server(url, username, password, clock)
    assert load_user(session.db, username) is not None and load_school(session.db).name
    return session


def require_empty(db: ServerDatabase, address: ServerAddress, owner: str) -> None:
    """A database ready for a new school (server init, server import): the C collation, and
    no school in it yet."""
    collation = db.query_one("SELECT datcollate, datctype FROM pg_database "
                             "WHERE datname = current_database()")
    if collation is None or collation[0] not in CODE_POINT_COLLATIONS:
        raise SendeskError(
            f"The database {address.database} sorts text by the {collation and collation[0]} "
            "rules; sendesk needs the C collation so that lists sort the same on every PC. "
            f"Create it with: createdb --locale=C --template=template0 -O {owner} "
            f"{address.database}")
    if db.schema_version() and db.scalar("SELECT count(*) FROM meta"):
        raise SendeskError(f"{address.display()} already holds a sendesk school. Sign in to "
                           "it, or choose another database.")


def upgrade_server(url: str, owner_password: str) -> tuple[int, int]:
    """Run the migrations this sendesk has and the server's database lacks, as the owner, and
    rebuild what follows from them. Returns (version before, version after)."""
    address = parse(url)
    db = _connect(address, _owner(address), owner_password)
    try:
        before = db.migrate()
        with db.transaction():
            server_roles.install(db)
            for facts in derived_facts.EVERY_FACTS:
                derived_facts.rebuild(db, facts)
        return before, db.schema_version()
    finally:
        db.close()


def open_on_server(url: str, username: str, password: str, clock: Clock | None = None) -> Session:
    """Sign in to the school server with one's own login and password."""
    address = dataclasses.replace(parse(url), user=None)   # who signs in is the person
    username = (username or "").strip().lower()
    if not username:
        raise WrongPassword("Wrong username or password.")
    db = _connect(address, username, password)
    try:
        try:
            version = db.schema_version()
        except PermissionDenied as exc:
            raise WrongPassword(f"{username} can sign in to the school server but is not a "
                                "sendesk user of this school. Ask your administrator.") from exc
        if version == 0:
            raise SendeskError(f"{address.display()} has not been set up for sendesk yet. The "
                               "server's administrator sets it up with sendesk-cli server init.")
        if version > migrations.LATEST:
            raise NewerVersionError("The school server's records were upgraded by a newer version "
                                    "of sendesk. Install the latest sendesk on this PC to open them; "
                                    "nothing has been changed.")
        if version < migrations.LATEST:
            raise SendeskError("The school server's records need upgrading for this version of "
                               "sendesk. Ask the server's administrator to run sendesk-cli server "
                               f"upgrade \"{owner_url(address)}\" with OWNER replaced by the "
                               "database's owner role.")
        user = load_user(db, username)
        if user is None:
            raise WrongPassword(f"{username} can sign in to the school server but is not a "
                                "sendesk user of this school. Ask your administrator.")
        session = Session(db, None, None, user, load_school(db), clock or SystemClock())
        session.audit_now("signed in")
        return session
    except BaseException:
        db.close()
        raise


def owner_url(address: ServerAddress) -> str:
    """The address to paste into a command run as the database's owner: the same options
    (the CA file this PC used included) and OWNER where the owner's role name goes."""
    ca = address.sslrootcert
    if address.sslmode != "disable" and not ca:
        ca = str(address.ca_file())
    return dataclasses.replace(address, user="OWNER", sslrootcert=ca).url()


def refuse(what: str) -> NotOnServer:
    """The plain sentence for something that only a database file on this PC has."""
    return NotOnServer(f"{what} applies to a school database file on this PC, not to the school "
                       "server; there, each person signs in with their own server password.")


def check_password(db: Database, username: str, password: str) -> None:
    """Prove a signed-in person's password on the server (before they change it) by signing
    in again with it; the server is the only one that can tell."""
    assert isinstance(db, ServerDatabase)
    try:
        ServerDatabase(db.address, username, password).close()
    except SendeskError as exc:
        if "Wrong username or password" in str(exc):
            raise WrongPassword("That is not your current password. Nothing was changed.") from exc
        raise
