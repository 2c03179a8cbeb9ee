"""Where the school server is, and whether sendesk may talk to it: a ``postgresql://`` URL
read into its parts, the TLS rule checked before anything is sent, and libpq's failures put
into one sentence an IT technician can act on.

The rule (issue 21): every connection is TLS with the server's certificate checked against
the school's CA (``sslmode=verify-full`` and a CA file, from the URL's ``sslrootcert`` or the
``SENDESK_SERVER_CA`` setting), so that a laptop on the wrong network cannot hand children's
records to an impostor. The only exception is ``sslmode=disable`` to the same machine
(loopback, or a Unix socket), where there is no network to protect.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from ..errors import SendeskError

SCHEMES = ("postgresql://", "postgres://")
DEFAULT_PORT = 5432
# The CA certificate named outside the URL (settings write it here; tests and scripts set it).
CA_SETTING = "SENDESK_SERVER_CA"
# The only libpq settings a URL may carry besides host, port, dbname, user, sslmode and
# sslrootcert. Anything else (options, gssencmode, service, ...) could route round the TLS rule
# or change what the server does for sendesk, so it is refused by name rather than passed on.
ALLOWED_OPTIONS = ("hostaddr", "sslcert", "sslkey", "connect_timeout", "application_name")


class ServerConnectionError(SendeskError):
    """The school server could not be reached, refused the certificate or the sign-in."""


class NotOnServer(SendeskError):
    """Something that belongs to the encrypted file (key file, rekey, quick unlock, the file's
    path) was asked of a database on the school server."""


def is_server_url(location: object) -> bool:
    """True for a ``postgresql://`` URL (the CLI's DB argument, the session's location)."""
    return isinstance(location, str) and location.strip().lower().startswith(SCHEMES)


@dataclass(frozen=True)
class ServerAddress:
    """A school server's database, without anybody's password."""
    host: str                       # a name, an address, or a Unix socket folder (starts with /)
    port: int
    database: str
    user: str | None = None         # the URL's role, when it names one
    sslmode: str = "verify-full"
    sslrootcert: str | None = None
    options: dict[str, str] = field(default_factory=dict)   # other libpq settings, as given

    @property
    def on_this_machine(self) -> bool:
        """Loopback or a Unix socket: the only places a plain connection is allowed. libpq
        connects to ``hostaddr`` when it is given (the host is then only the name checked), so
        both must be on this machine, and every entry of a comma-separated list."""
        hosts = self.host.split(",")
        addresses = [a for a in self.options.get("hostaddr", "").split(",") if a.strip()]
        return all(_local(name) for name in hosts) and all(_local(a, named=False)
                                                          for a in addresses)

    def display(self) -> str:
        """The address as shown to people: no password, no options."""
        where = self.host if self.host.startswith("/") else f"{self.host}:{self.port}"
        return f"postgresql://{where}/{self.database}"

    def url(self) -> str:
        """The address to open it again (a PC's settings remember this): no password."""
        query = {key: value for key, value in self.options.items()}
        if self.sslmode != "verify-full":
            query["sslmode"] = self.sslmode
        if self.sslrootcert:
            query["sslrootcert"] = self.sslrootcert
        who = f"{quote(self.user, safe='')}@" if self.user else ""
        if self.host.startswith("/"):
            query["host"] = self.host
            where = ""
        else:
            where = f"[{self.host}]" if ":" in self.host else self.host
            where += f":{self.port}"
        text = f"postgresql://{who}{where}/{quote(self.database, safe='')}"
        return text + ("?" + urlencode(query, safe="/") if query else "")

    def conninfo(self, user: str, password: str | None) -> dict[str, str]:
        """The keyword arguments for libpq (psycopg.connect), after the TLS rule is checked."""
        check_tls(self)
        params = dict(self.options)
        params.update({"host": self.host, "port": str(self.port), "dbname": self.database,
                       "user": user, "sslmode": self.sslmode,
                       "application_name": params.get("application_name", "sendesk"),
                       "connect_timeout": params.get("connect_timeout", "10")})
        if self.sslmode != "disable":
            params["sslrootcert"] = str(self.ca_file())
        if password is not None:
            params["password"] = password
        return params

    def ca_file(self) -> Path:
        named = self.sslrootcert or os.environ.get(CA_SETTING)
        if not named:
            raise ServerConnectionError(
                f"No CA certificate is set for {self.display()}. Give the school's CA certificate "
                "file in the address (?sslrootcert=/path/to/ca.crt), in the unlock window's CA "
                f"certificate box, or in the {CA_SETTING} environment variable, so that sendesk "
                "can check it is talking to the school's own server.")
        path = Path(named).expanduser()
        if not path.is_file():
            raise ServerConnectionError(
                f"The CA certificate {path} cannot be found. Copy the school's CA certificate to "
                "this PC and name that file (sslrootcert).")
        return path


def _local(where: str, *, named: bool = True) -> bool:
    """One host (a name, an address or a socket folder) or hostaddr (an address) on this PC."""
    where = where.strip()
    if named and (not where or where.startswith("/") or where.lower() == "localhost"):
        return True
    try:
        return ipaddress.ip_address(where.strip("[]")).is_loopback
    except ValueError:
        return False


def parse(url: str) -> ServerAddress:
    """Read a ``postgresql://[user@]host[:port]/database[?sslmode=...&sslrootcert=...]`` URL.

    A password in the URL is refused: it would end up in shell histories and settings files;
    sendesk asks for it instead."""
    text = url.strip()
    if not is_server_url(text):
        raise ServerConnectionError(f"{text} is not a postgresql:// address.")
    parts = urlsplit(text)
    if parts.password is not None:
        raise ServerConnectionError("Leave the password out of the server address; sendesk asks "
                                    "for it when you sign in.")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    host = unquote(parts.hostname or "") if parts.netloc.rsplit("@", 1)[-1] else ""
    host = query.pop("host", host)
    if not host:
        raise ServerConnectionError(f"{text} names no server: write postgresql://HOST/DATABASE.")
    database = unquote(parts.path.lstrip("/")) or query.pop("dbname", "")
    query.pop("dbname", None)
    if not database:
        raise ServerConnectionError(f"{text} names no database: write postgresql://HOST/DATABASE.")
    try:
        port = int(query.pop("port", parts.port or DEFAULT_PORT))
    except ValueError as exc:
        raise ServerConnectionError(f"The port in {text} is not a number.") from exc
    sslmode = query.pop("sslmode", "verify-full")
    sslrootcert = query.pop("sslrootcert", None)
    for refused in ("password", "passfile", "sslpassword"):
        if refused in query:
            raise ServerConnectionError(f"Leave {refused} out of the server address; sendesk asks "
                                        "for the password when you sign in.")
    user_option = query.pop("user", None)
    unknown = sorted(set(query) - set(ALLOWED_OPTIONS))
    if unknown:
        raise ServerConnectionError(
            f"sendesk does not accept {', '.join(unknown)} in a server address: use only host, "
            f"port, user, sslmode, sslrootcert, {', '.join(ALLOWED_OPTIONS)}.")
    user = unquote(parts.username) if parts.username else user_option
    address = ServerAddress(host, port, database, user, sslmode, sslrootcert, query)
    check_tls(address)
    return address


def check_tls(address: ServerAddress) -> None:
    """Refuse anything weaker than verify-full, except a plain connection on this machine."""
    if address.sslmode == "verify-full":
        address.ca_file()
        return
    if address.sslmode == "disable" and address.on_this_machine:
        return
    if address.sslmode == "disable":
        raise ServerConnectionError(
            f"sendesk will not send pupils' records to "
            f"{address.options.get('hostaddr') or address.host} without encryption. "
            "Remove sslmode=disable (it is allowed only for a server on this same computer) and "
            "give the school's CA certificate (sslrootcert).")
    if address.sslmode == "verify-ca":
        raise ServerConnectionError(
            "sslmode=verify-ca checks that the server's certificate is signed by the school's CA "
            "but does not check the server's name on it, so another server holding any "
            "certificate from that CA could pose as this one. Use sslmode=verify-full, or leave "
            "sslmode out.")
    raise ServerConnectionError(
        f"sslmode={address.sslmode} does not check the server's certificate, so an impostor "
        "could pose as the school server. Use sslmode=verify-full with the school's CA "
        "certificate (sslrootcert), or leave sslmode out.")


def describe_connect_failure(address: ServerAddress, user: str, message: str) -> str:
    """libpq's words for a failed connection, as one sentence an IT technician can act on."""
    text = message.lower()
    where = address.display()
    if "password authentication failed" in text or "authentication failed" in text:
        return "Wrong username or password."
    if "no pg_hba.conf entry" in text or "pg_hba.conf rejects" in text:
        return (f"The school server {where} does not accept sign-ins from this PC for {user}: "
                "ask IT to add a hostssl line for this network to the server's pg_hba.conf.")
    if "does not exist" in text and "database" in text:
        return (f"There is no database called {address.database} on the school server "
                f"({address.host}). Check the address, or set it up with sendesk-cli server init.")
    if "does not exist" in text and "role" in text:
        return "Wrong username or password."
    if "not permitted to log in" in text:   # NOLOGIN: what removing a user does to the login
        return (f"{user} can no longer sign in to the school server: the account has been "
                "removed (or turned off by IT). Ask your administrator.")
    if "permission denied for database" in text:   # not in this school's groups (or removed)
        return (f"{user} can sign in to the school server but is not a sendesk user of this "
                f"school ({address.database}). Ask your administrator.")
    if "does not match host name" in text:
        return (f"The server's certificate is not made out to {address.host}. Connect using the "
                "name on the certificate, or ask IT to issue one that includes this name.")
    if "root certificate file" in text or "could not read root certificate" in text:
        return (f"The CA certificate {address.sslrootcert or os.environ.get(CA_SETTING)} could not "
                "be read. Copy the school's CA certificate to this PC again.")
    if "certificate" in text or "ssl error" in text:
        return (f"The server at {address.host} did not prove it is the school server: its "
                "certificate is not signed by the CA certificate this PC has, or has expired. "
                "Ask IT to check the server's certificate and give this PC the school's CA file.")
    if "server does not support ssl" in text or "ssl is not enabled" in text:
        return (f"The school server {where} does not offer encrypted connections. Ask IT to turn "
                "on ssl in postgresql.conf with the school's certificate.")
    if "too many connections" in text:
        return ("The school server has no room for another connection just now. Try again in a "
                "minute, or ask IT to raise max_connections.")
    if "starting up" in text or "shutting down" in text or "recovery" in text:
        return f"The school server {where} is starting up or shutting down. Try again in a minute."
    if ("connection refused" in text or "could not connect" in text or "timeout" in text
            or "timed out" in text or "translate host name" in text or "no route" in text
            or "network is unreachable" in text or "connection to server" in text):
        return (f"The school server is not answering at {where}. Check this PC's network "
                "connection and that the server is running; nothing was changed.")
    return f"sendesk could not connect to the school server {where} ({message.strip()})."
