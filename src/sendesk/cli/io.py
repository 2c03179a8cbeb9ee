"""How the CLI reads passwords and opens a database, the same way for every command.

On a terminal, secrets are prompted for without echo. From a pipe or file, each secret is
read from the next line of standard input, so scripts can drive every command.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from ..errors import SendeskError, ValidationError
from ..services import lifecycle
from ..session import Session


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


def open_session(database: str | Path, username: str, secrets: Secrets) -> Session:
    password = secrets.read(f"Password for {username}")
    return lifecycle.open_school(Path(database), username, password)
