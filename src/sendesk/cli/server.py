"""``sendesk-cli server ...``: setting up and upgrading a school's records on the school server
(PostgreSQL), for the IT technician. Both connect as the database's owner role, named in the
URL (postgresql://OWNER@host/database?sslrootcert=ca.crt); its password is asked for.

Moving a school's file to the server and back (``server import`` / ``server export``) is the
next step of issue 21 and is registered here when it lands."""

from __future__ import annotations

import argparse

from ..services import server_school
from .io import Secrets


def register(sub: argparse._SubParsersAction) -> None:
    server = sub.add_parser("server", help="set up or upgrade a school's records on the school "
                                           "server (PostgreSQL)")
    server_sub = server.add_subparsers(dest="server_command", required=True, metavar="init|upgrade")
    p = server_sub.add_parser("init", help="build sendesk's tables in an empty database on the "
                                           "server and make the first administrator's login")
    p.add_argument("url", metavar="URL",
                   help="postgresql://OWNER@HOST[:PORT]/DATABASE?sslrootcert=CA.crt (as the owner)")
    p.add_argument("--school", required=True, help="school name")
    p.add_argument("--urn", required=True, help="DfE URN, or LA/establishment number such as 937/4001")
    p.add_argument("--user", required=True, help="username (server login) of the first administrator")
    p.add_argument("--full-name", required=True, help="full name of the first administrator")
    p.add_argument("--roles", default="senco,admin", help="roles of the first user (default senco,admin)")
    p.set_defaults(run=cmd_init)
    p = server_sub.add_parser("upgrade", help="bring the server's tables up to this version of "
                                              "sendesk (as the owner, after installing it)")
    p.add_argument("url", metavar="URL", help="postgresql://OWNER@HOST[:PORT]/DATABASE?sslrootcert=CA.crt")
    p.set_defaults(run=cmd_upgrade)


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
