"""``sendesk-cli server ...``: setting up and upgrading a school's records on the school server
(PostgreSQL), for the IT technician. init, upgrade and import connect as the database's owner
role, named in the URL (postgresql://OWNER@host/database?sslrootcert=ca.crt); its password is
asked for. ``server import`` moves a school's file onto the server and ``server export`` copies
it back into a new encrypted file (services/server_move.py)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ..services import lifecycle, server_move, server_school
from .io import Secrets, password_advice


def register(sub: argparse._SubParsersAction) -> None:
    server = sub.add_parser("server", help="set up or upgrade a school's records on the school "
                                           "server (PostgreSQL)")
    server_sub = server.add_subparsers(dest="server_command", required=True, metavar="init|upgrade|import|export")
    p = server_sub.add_parser("init", help="build sendesk's tables in an empty database on the "
                                           "server and make the first administrator's login")
    p.add_argument("url", metavar="URL",
                   help="postgresql://OWNER@HOST[:PORT]/DATABASE?sslrootcert=CA.crt (as the owner)")
    p.add_argument("--school", required=True, help="school name")
    p.add_argument("--urn", required=True, help="DfE URN, or LA/establishment number such as 937/4001")
    p.add_argument("--user", required=True, help="username (server login) of the first administrator")
    p.add_argument("--full-name", required=True, help="full name of the first administrator")
    # Both spellings, as on user add (--role): the one a person remembers from the other works.
    p.add_argument("--roles", "--role", dest="roles", default="senco,admin",
                   help="roles of the first user (default senco,admin)")
    p.set_defaults(run=cmd_init)
    p = server_sub.add_parser("upgrade", help="bring the server's tables up to this version of "
                                              "sendesk (as the owner, after installing it)")
    p.add_argument("url", metavar="URL", help="postgresql://OWNER@HOST[:PORT]/DATABASE?sslrootcert=CA.crt")
    p.set_defaults(run=cmd_upgrade)
    p = server_sub.add_parser("import", help="move a school's database file onto an empty "
                                             "database on the server (checked row for row)")
    p.add_argument("file", type=Path, metavar="FILE.sendesk", help="the school's database file")
    p.add_argument("url", metavar="URL", help="postgresql://OWNER@HOST[:PORT]/DATABASE?sslrootcert=CA.crt")
    p.add_argument("--user", required=True, help="an administrator of the file; their password "
                                                 "becomes their server password")
    p.set_defaults(run=cmd_import)
    p = server_sub.add_parser("export", help="copy the server's school into a new encrypted "
                                             "database file and key file (an archive, a laptop)")
    p.add_argument("url", metavar="URL", help="postgresql://HOST[:PORT]/DATABASE?sslrootcert=CA.crt")
    p.add_argument("out", type=Path, metavar="OUT.sendesk", help="the new database file")
    p.add_argument("--user", required=True, help="your sendesk login on the server; your server "
                                                 "password opens the new file")
    p.set_defaults(run=cmd_export)


def _owner_password(url: str, secrets: Secrets) -> str:
    owner = server_school.parse(url).user or "the owner"
    return secrets.read(f"Password for {owner} (the database's owner on the server)")


def cmd_init(args: argparse.Namespace, secrets: Secrets) -> int:
    owner_password = _owner_password(args.url, secrets)
    password = secrets.read(f"New password for {args.user}", confirm=True)
    session = server_school.create_on_server(
        args.url, owner_password, school_name=args.school, school_reference=args.urn,
        username=args.user, full_name=args.full_name, password=password, user_roles=args.roles)
    where = server_school.parse(args.url).display()
    session.close()
    print(f"Set up {args.school} on {where}. {args.user} can now sign in with their new "
          "password; add the other users with sendesk-cli user add.")
    return 0


def cmd_upgrade(args: argparse.Namespace, secrets: Secrets) -> int:
    before, after = server_school.upgrade_server(args.url, _owner_password(args.url, secrets))
    if before == after:
        print(f"The server's tables are already at version {after}; nothing was changed.")
    else:
        print(f"Upgraded the server's tables from version {before} to {after}.")
    print("The server's permissions (group roles, grants, row security, the audit function) "
          "were set again from this sendesk's permission matrix.")
    return 0


def cmd_import(args: argparse.Namespace, secrets: Secrets) -> int:
    password = secrets.read(f"Password for {args.user}")
    owner_password = _owner_password(args.url, secrets)
    session = lifecycle.open_school(args.file, args.user, password)
    try:
        report = server_move.import_to_server(session, args.url, owner_password, password)
    finally:
        session.close()
    where = server_school.parse(args.url).display()
    plain_url = dataclasses.replace(server_school.parse(args.url), user=None).url()
    print(f"Moved {args.file.name} to {where}: {report.rows:,} rows in {report.tables} tables, "
          f"checked row for row; the audit log's {report.audit_entries:,} entries came across "
          f"with their chain. {args.user} signs in to the server with the same password."
          + password_advice(report.need_password, plain_url, args.user, "on the server"))
    print("Keep the file as an archive or delete it; changes made in it from now on are not "
          "on the server.")
    return 0


def cmd_export(args: argparse.Namespace, secrets: Secrets) -> int:
    password = secrets.read(f"Password for {args.user}")
    session = lifecycle.open_school(args.url, args.user, password)
    try:
        report = server_move.export_to_file(session, args.out, password)
    finally:
        session.close()
    print(f"Exported to {args.out} (and its key file): {report.rows:,} rows in {report.tables} "
          f"tables, checked row for row; the audit log's {report.audit_entries:,} entries kept. "
          f"{args.user} opens it with their server password."
          + password_advice(report.need_password, str(args.out), args.user, "on this file"))
    print(f"Recovery key (shown once; keep it safe): {report.recovery_key}")
    return 0
