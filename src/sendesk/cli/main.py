"""sendesk-cli: the same core as the app, for IT staff and scripts (modelled on keepassxc-cli).

Exit status 0 on success; on any failure, one plain line on stderr and a non-zero status.
Tracebacks are never shown unless SENDESK_DEBUG is set.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import __version__
from ..errors import SendeskError
from . import (
    apdr,
    calendar,
    documents,
    flowchart,
    provision,
    provision_groups,
    pupils,
    reports,
    sar,
    school,
    server,
    transfer,
)
from .io import Secrets

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141   # as a shell reports a command stopped by SIGPIPE


class _Parser(argparse.ArgumentParser):
    """Usage mistakes keep the same promise as every other failure: one line on stderr."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sendesk-cli",
        description="Manage sendesk school databases from the command line. Passwords are "
                    "prompted for, or read one per line from standard input when it is not a terminal.")
    parser.add_argument("--version", action="version", version=f"sendesk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _command_modules():
        module.register(sub)
    return parser


def _command_modules() -> list:
    # provision_groups after provision: it adds "groups" under the "provision" command.
    return [school, pupils, flowchart, apdr, documents, calendar, transfer, sar, provision,
            provision_groups, reports, server]


def main(argv: Sequence[str] | None = None, stdin=None) -> int:
    multiprocessing.freeze_support()  # the age worker's child process, in the bundle
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return int(args.run(args, Secrets(stdin)) or 0)
    except SendeskError as exc:
        _fail(str(exc))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _fail("stopped.")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _output_cut_short()
    except Exception as exc:  # noqa: BLE001 - the one place a bug meets the user
        if os.environ.get("SENDESK_DEBUG"):
            raise
        _fail(f"an unexpected error stopped the command ({type(exc).__name__}). Nothing more was "
              "changed. Set SENDESK_DEBUG=1 to see details for a bug report.")
        return EXIT_FAILURE


def _output_cut_short() -> int:
    """`sendesk-cli pupils list DB | head`: the reader stopped reading. Unix tools end quietly
    then (the shell reports 141, killed by SIGPIPE); what is left unwritten is thrown away so
    that Python's own flush at exit does not complain either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass   # stdout is not a real file (a test's capture): nothing left to flush
    return EXIT_BROKEN_PIPE


def _fail(message: str) -> None:
    print("sendesk-cli: " + " ".join(message.split()), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
