"""How the CLI reads passwords and opens a database, the same way for every command.

On a terminal, secrets are prompted for without echo. From a pipe or file, each secret is
read from the next line of standard input, so scripts can drive every command.

Every command's DB argument is a database file or a ``postgresql://`` URL of the school
server (``database`` below is its argparse type); opening is the same either way.
"""

from __future__ import annotations

import getpass
import shlex
import sys
from pathlib import Path

from ..errors import SendeskError, ValidationError
from ..services import lifecycle
from ..session import Session
from ..store.server_address import is_server_url

DB_HELP = "the school database file, or the school server's postgresql:// URL"


def database(text: str) -> Path | str:
    """The DB argument: a URL stays as written (checked when it is opened), a file is a Path."""
    return text.strip() if is_server_url(text) else Path(text)


class Secrets:
    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdin

    @property
    def interactive(self) -> bool:
        try:
            return self.stream.isatty()
        except (AttributeError, ValueError):
            return False

    def read(self, prompt: str, *, confirm: bool = False) -> str:
        if self.interactive:
            value = getpass.getpass(prompt + ": ")
            if confirm and getpass.getpass("Type it again: ") != value:
                raise ValidationError("The two passwords do not match.")
            return value
        line = self.stream.readline()
        if not line:
            raise SendeskError(f"Expected a line on standard input for: {prompt.lower()}.")
        return line.rstrip("\r\n")


def shown(db: Path | str) -> str:
    """The DB argument in a message: a file's name, or the server's address."""
    return db if isinstance(db, str) else db.name


def open_session(database: str | Path, username: str, secrets: Secrets) -> Session:
    password = secrets.read(f"Password for {username}")
    where = database if is_server_url(database) else Path(database)
    return lifecycle.open_school(where, username, password)


def password_advice(names: list[str], where: str | Path, admin: str | None, place: str) -> str:
    """The users who cannot sign in yet, and the command that lets each one in, quoted so it
    can be pasted into any shell (a server's address holds '?', which zsh would expand).
    admin None: the person was not named (restore without --user), so neither are they here."""
    if not names:
        return ""
    count = f"{len(names)} user needs" if len(names) == 1 else f"{len(names)} users need"
    doer = shlex.quote(admin) if admin else "YOUR_USERNAME"
    commands = "; ".join(f"sendesk-cli user passwd {shlex.quote(str(where))} "
                         f"{shlex.quote(name)} --user {doer}" for name in names)
    return f"\n{count} a password set {place}: {commands}"
