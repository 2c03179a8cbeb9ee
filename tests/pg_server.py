"""A real PostgreSQL server for the test run, started once from the installed server binaries
and stopped at the end: initdb into a temporary folder, a CA and a server certificate made
with `cryptography`, ssl on, scram-sha-256 over TCP on 127.0.0.1 with a free port.

PostgreSQL refuses to run as root (CI runs as root), so there the server runs as the
unprivileged system user ``sendesk-test``, created if missing, through runuser. The harness
itself signs in as the cluster's superuser over the Unix socket (trust, for that role only)
to clone and drop each test's database; the app connects over TLS with verify-full like a
school PC.

Each school is a database cloned from a template that already holds every migration, so a
test pays for CREATE DATABASE rather than for the migrations (tests/test_server_store.py runs
them from nothing).
"""

from __future__ import annotations

import datetime as dt
import glob
import ipaddress
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SUPERUSER = "sendesk_admin"
SUPERUSER_PASSWORD = "test-only-superuser-5f2c9d"
OS_USER = "sendesk-test"
TEMPLATE = "sendesk_template"


def find_bindir() -> Path | None:
    """The newest installed server's bin folder (Debian puts it under /usr/lib/postgresql)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _write_certificates(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path, Path]:
    """A throwaway school CA and a server certificate for `host` (an IP address), 127.0.0.1 and localhost."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sendesk test school CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"),
                *[x509.IPAddress(ipaddress.ip_address(a)) for a in dict.fromkeys(("127.0.0.1", host))]]),
                critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_path, cert_path, key_path = folder / "ca.crt", folder / "server.crt", folder / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return ca_path, cert_path, key_path


def _make_os_user() -> None:
    """The unprivileged user the server runs as, made once per machine. The test workers
    (pytest-xdist, one server each) may all find it missing at once: the one whose useradd
    loses the race, or finds /etc/passwd locked by the other, looks again before giving up."""
    for _attempt in range(20):
        try:
            pwd.getpwnam(OS_USER)
            return
        except KeyError:
            made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                                   "/usr/sbin/nologin", OS_USER], capture_output=True, text=True)
            if made.returncode == 0:
                return
            time.sleep(0.25)
    raise RuntimeError(f"useradd {OS_USER} failed: {made.stderr.strip()}")


class PgServer:
    """`host`: the address it listens on, `clients`: the network it accepts sign-ins from;
    `enter`: a command prefix its programs run under and `local_logins`: sign-ins over its Unix
    socket too (tests/net_namespace.py's server, in a namespace of its own, reached over the
    socket by a PC whose network still works)."""

    def __init__(self, bindir: Path, host: str = "127.0.0.1", clients: str = "127.0.0.1/32",
                 enter: Sequence[str] = (), local_logins: bool = False) -> None:
        self.bindir = bindir
        self.host = host
        self._clients = clients
        self._enter = list(enter)
        self._local_logins = local_logins
        self.root = Path(tempfile.mkdtemp(prefix="sendesk-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.port = _free_port()
        self.ca: Path | None = None
        self._names = itertools.count(1)
        self._as_user: list[str] = []
        self._free: list[str] = []
        self._spoiled: set[str] = set()
        self._seed: list[str] | None = None
        self._log_read = 0
        self.started = False

    # --- running as someone PostgreSQL accepts --------------------------------------------

    def _prepare_user(self) -> None:
        if os.geteuid() != 0:
            return
        _make_os_user()
        self._as_user = ["runuser", "-u", OS_USER, "--"]
        entry = pwd.getpwnam(OS_USER)
        for path in (self.root, self.socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._enter, *self._as_user, *args], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args[:2])} failed:\n{done.stdout}\n{done.stderr}")

    # --- the server -------------------------------------------------------------------------

    def start(self) -> None:
        self.socket_dir.mkdir()
        self.root.chmod(0o755)
        self._prepare_user()
        pwfile = self.root / "pw"
        pwfile.write_text(SUPERUSER_PASSWORD + "\n")
        pwfile.chmod(0o644)
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                  "--pwfile", str(pwfile), "--encoding=UTF8", "--locale=C", "--no-sync",
                  "--auth-local=trust", "--auth-host=scram-sha-256")
        pwfile.unlink()
        certs = self.root / "certs"
        certs.mkdir()
        self.ca, cert, key = _write_certificates(certs, self.host)
        if self._as_user:
            entry = pwd.getpwnam(OS_USER)
            for path in (certs, cert, key):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"""
port = {self.port}
listen_addresses = '{self.host}'
unix_socket_directories = '{self.socket_dir}'
ssl = on
ssl_cert_file = '{cert}'
ssl_key_file = '{key}'
password_encryption = 'scram-sha-256'
max_connections = 60
fsync = off
synchronous_commit = off
full_page_writes = off
log_lock_waits = on
log_autovacuum_min_duration = 0
log_line_prefix = '%m [%p] %a %d '
""")
        (self.data / "pg_hba.conf").write_text(
            f"local all {SUPERUSER} trust\n"
            + ("local all all scram-sha-256\n" if self._local_logins else "")
            + f"hostssl all all {self._clients} scram-sha-256\n"
            f"hostnossl all all {self._clients} scram-sha-256\n")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.root / "server.log"), "-w", "-t", "60", "start")
        self.started = True
        self._make_template()

    def log_since_last_asked(self) -> str:
        """What the server logged since this was last called: its errors, lock waits and
        autovacuum runs, shown beside a failed server test (tests/conftest.py), so that a
        failure seen once on CI can be traced from its report."""
        log = self.root / "server.log"
        if not log.exists():
            return ""
        with open(log, "rb") as file:
            file.seek(self._log_read)
            text = file.read()
            self._log_read = file.tell()
        return _without_autovacuum_detail(text.decode(errors="replace"))[-20000:]

    def stop(self, mode: str = "fast") -> None:
        if self.started:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
            self.started = False

    def restart(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.root / "server.log"), "-w", "-t", "60", "start")
        self.started = True

    def remove(self) -> None:
        with_errors = self.started
        try:
            self.stop("immediate")
        finally:
            if not with_errors or not self.started:
                shutil.rmtree(self.root, ignore_errors=True)

    # --- databases --------------------------------------------------------------------------

    def admin(self, database: str = "postgres") -> psycopg.Connection:
        """The superuser, over the Unix socket (the harness only)."""
        return psycopg.connect(host=str(self.socket_dir), port=self.port, user=SUPERUSER,
                               dbname=database, autocommit=True)

    def url(self, database: str, user: str | None = None, **query: str) -> str:
        """The address a school PC would be given: TLS, verify-full, the school's CA."""
        who = f"{user}@" if user else ""
        extra = "".join(f"&{key}={value}" for key, value in query.items())
        return f"postgresql://{who}{self.host}:{self.port}/{database}?sslrootcert={self.ca}{extra}"

    def _make_template(self) -> None:
        from sendesk.store.server_address import parse
        from sendesk.store.server_database import ServerDatabase
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        db = ServerDatabase(parse(self.url(TEMPLATE)), SUPERUSER, SUPERUSER_PASSWORD)
        try:
            db.migrate()
        finally:
            db.close()
        # release() empties every table after each test, which sets autovacuum onto them just
        # as the next test's `server init` takes each one's exclusive lock (row security, the
        # guard trigger): under load that wait passed the app's 5 s lock_timeout on CI. A
        # school's init and upgrades are rare and are told to try again; the harness's
        # emptying is not what a school does, so its tables are left unvacuumed.
        with self.admin(TEMPLATE) as conn:
            for (table,) in conn.execute(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r'").fetchall():
                conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off, "
                             "toast.autovacuum_enabled = off)")

    def new_database(self, *, migrated: bool = True) -> str:
        name = f"school_{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {TEMPLATE}" if migrated else
                                                      " TEMPLATE template0 LOCALE 'C'"))
        return name

    def acquire(self) -> str:
        """A migrated database holding nothing yet: one emptied by release(), or a new one
        (emptying takes a few milliseconds, CREATE DATABASE a few hundred)."""
        if self._free:
            return self._free.pop()
        return self.new_database()

    def spoil(self, name: str) -> None:
        """The test changed the schema itself (dropped a safeguard): drop the database at
        release instead of emptying it for the next test."""
        self._spoiled.add(name)

    def release(self, name: str) -> None:
        """Empty a test's database back to the migrations' own rows, its ids starting at 1
        again, and drop the roles that belong to it (roles are cluster-wide: another test's
        database, or another run's, keeps its own)."""
        if name in self._spoiled:
            self._spoiled.discard(name)
            self.drop_database(name)
            return
        with self.admin(name) as conn:
            # With a timeout, terminating waits until each session has gone, with the locks it
            # held: without one the next test could meet a dying session's write lock.
            conn.execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            roles = roles_of(conn, name)
            tables = [r[0] for r in conn.execute(
                "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r'").fetchall()]
            if self._seed is None:
                self._seed = self._seed_rows(tables)
            script = ["BEGIN", "SET LOCAL session_replication_role = replica"]
            script += [f"DELETE FROM {table}" for table in tables]
            script += self._seed
            script += ["SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
                       "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'S'"]
            if roles:
                names = ", ".join(f'"{role}"' for role in roles)
                script += [f"DROP OWNED BY {names}"]
            script += ["COMMIT"]
            conn.execute(";\n".join(script))
        if roles:
            with self.admin() as conn:
                for role in roles:
                    _drop_role(conn, role)
        self._free.append(name)

    def _seed_rows(self, tables: list[str]) -> list[str]:
        """INSERTs that put back the rows the migrations themselves write (audit_head's)."""
        inserts = []
        with self.admin(TEMPLATE) as conn:
            for table in tables:
                for (row,) in conn.execute(f"SELECT row_to_json(t)::text FROM {table} t").fetchall():
                    inserts.append(f"INSERT INTO {table} SELECT * FROM json_populate_record("
                                   f"NULL::{table}, '{row.replace(chr(39), chr(39) * 2)}')")
        return inserts

    def drop_database(self, name: str) -> None:
        """A database made by new_database() and the roles that belong to it."""
        with self.admin() as conn:
            roles = roles_of(conn, name)
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            for role in roles:
                _drop_role(conn, role)


def _without_autovacuum_detail(log: str) -> str:
    """The server log with each autovacuum run cut to its first line: their detail lines
    (tab-indented) otherwise fill the report and push out the lock waits that explain it."""
    kept, in_autovacuum = [], False
    for line in log.splitlines(keepends=True):
        if line.startswith("\t") and in_autovacuum:
            continue
        in_autovacuum = "automatic vacuum" in line or "automatic analyze" in line
        kept.append(line)
    return "".join(kept)


def roles_of(conn: psycopg.Connection, database: str) -> list[str]:
    """The roles sendesk made for one school's database: its three group roles
    (store/server_security.group_role), the logins made for it (their comment names the
    database, as sendesk_create_login writes it), and any login in one of its groups.
    Logins first, so that a group is dropped after its members."""
    from sendesk.models.roles import Role
    from sendesk.store.server_security import _ROLE_COMMENT, group_role
    groups = [group_role(database, role) for role in Role]
    logins = [r[0] for r in conn.execute(
        "SELECT r.rolname FROM pg_roles r WHERE r.rolname <> ALL(%s) AND r.rolname <> %s AND ("
        "shobj_description(r.oid, 'pg_authid') = %s OR EXISTS (SELECT 1 FROM pg_auth_members m "
        "JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid AND g.rolname = ANY(%s))) "
        "ORDER BY r.rolname",
        (groups, SUPERUSER, _ROLE_COMMENT + database, groups)).fetchall()]
    present = {r[0] for r in conn.execute(
        "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (groups,)).fetchall()}
    return logins + [group for group in groups if group in present]


def _drop_role(conn: psycopg.Connection, role: str) -> None:
    """Drop a login or group role, unless another school's database still grants it something
    (its group roles go when that database is released)."""
    try:
        conn.execute(f'DROP ROLE IF EXISTS "{role}"')
    except psycopg.errors.DependentObjectsStillExist:
        pass


def start_server(**where: Any) -> PgServer:
    """The server, started (`where`: PgServer's host, clients, enter and local_logins)."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL server binaries (initdb) are installed")
    server = PgServer(bindir, **where)
    try:
        server.start()
    except BaseException:
        log = server.root / "server.log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        server.remove()
        raise RuntimeError(f"the test PostgreSQL server did not start:\n{detail}") from None
    return server


# --- a person at another PC ------------------------------------------------------------------

def psql(pg_server: PgServer, database: str, user: str, password: str, sql: str) -> subprocess.CompletedProcess:
    """The real psql, as a person at another PC would run it: their own login, TLS checked."""
    binary = shutil.which("psql") or str(pg_server.bindir / "psql")
    env = {**os.environ, "PGPASSWORD": password, "PGSSLMODE": "verify-full",
           "PGSSLROOTCERT": str(pg_server.ca), "PGCONNECT_TIMEOUT": "10"}
    return subprocess.run([binary, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                           "-h", "127.0.0.1", "-p", str(pg_server.port), "-U", user,
                           "-d", database, "-c", sql],
                          capture_output=True, text=True, env=env, timeout=60)


# How the server says no: a missing grant, sendesk's own functions and trigger, row security,
# and the owner's rights (DDL).
REFUSALS = ("permission denied", "do not allow", "row-level security", "must be owner")
# (PostgreSQL's "permission denied to set parameter" and "permission denied to set role" too.)


def refused(result: subprocess.CompletedProcess, *words: str) -> bool:
    return result.returncode != 0 and any(w in result.stderr for w in words or REFUSALS)
