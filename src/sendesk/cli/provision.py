"""`sendesk-cli provision library export|import`: the school's provision library to and from a
CSV file, so it can be edited in a spreadsheet or shared with another school. The rules are
the core's (records.provision_library); these commands read arguments and print results.
`provision groups` is added under the same command by cli.provision_groups."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import PermissionDenied, SendeskError
from ..models import provision_library as library
from ..models.roles import Permission
from ..records import provision_library
from .io import DB_HELP, Secrets, database, open_session

_MAX_FAULTS_SHOWN = 50


def register(sub: argparse._SubParsersAction) -> None:
    provision = sub.add_parser("provision",
                               help="the school's provision library and provision groups")
    provision_sub = provision.add_subparsers(dest="provision_command", required=True,
                                             metavar="library|groups")
    lib = provision_sub.add_parser("library", help="export or import the provision library")
    lib_sub = lib.add_subparsers(dest="library_command", required=True, metavar="export|import")
    p = lib_sub.add_parser("export", help="write every intervention in the library (retired "
                                          "ones too) to a CSV file")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_export)
    p = lib_sub.add_parser(
        "import", help="add or update interventions from a CSV file",
        description="Import a provision library CSV file (columns: " + ", ".join(library.COLUMNS)
        + "). A row whose name matches an intervention already in the library (ignoring case "
        "and spaces) updates it, its retired_on date included (blank brings it back); any "
        "other row adds one. All rows or none: if any row is wrong nothing is changed and "
        "each bad line is named. lower_is_better names those of a row's measures that "
        "improve as they fall (an SDQ score); a file without that column still imports, "
        "leaving which way its measures improve as the school has it. A file the export "
        "wrote imports without changes.")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("file", type=Path, help="the CSV file to read (at most 1 MB, 500 rows)")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_import)


def cmd_export(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        count = provision_library.export_csv(session, args.out)
    finally:
        session.close()
    print(f"Wrote {count} intervention{'' if count == 1 else 's'} to {args.out}.")
    return 0


def cmd_import(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        counts = provision_library.import_csv(session, args.file)
    except PermissionDenied:
        if not session.can(Permission.MANAGE_PLANS):
            raise PermissionDenied(
                f"Your role ({session.user.role_label}) does not allow you to import into the "
                "provision library: the SENCO changes it. You can export it.") from None
        raise
    except provision_library.LibraryFileRefused as exc:
        for fault in exc.faults[:_MAX_FAULTS_SHOWN]:
            print(fault, file=sys.stderr)
        if len(exc.faults) > _MAX_FAULTS_SHOWN:
            print(f"... and {len(exc.faults) - _MAX_FAULTS_SHOWN} more.", file=sys.stderr)
        count = len(exc.faults)
        raise SendeskError(f"{exc.source} was not imported ({count} fault"
                           f"{'' if count == 1 else 's'}, listed above); nothing was "
                           "changed.") from None
    finally:
        session.close()
    print(f"Imported {args.file}: {counts['added']} added, {counts['updated']} updated, "
          f"{counts['unchanged']} unchanged.")
    return 0
