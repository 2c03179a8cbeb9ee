"""Commands for IT staff: create, verify, back up, restore and recover a school database,
and manage its users."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import SendeskError
from ..operations import Progress
from ..records import audit_log, csv_safe
from ..services import backup as backup_mod
from ..services import lifecycle, rekey, users
from ..services import verify as verify_mod
from ..store.server_address import is_server_url
from .io import DB_HELP, Secrets, database, open_session, password_advice, shown


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="create a new encrypted school database")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--school", required=True, help="school name")
    p.add_argument("--urn", required=True, help="DfE URN, or LA/establishment number such as 937/4001")
    p.add_argument("--user", required=True, help="username of the first user")
    p.add_argument("--full-name", required=True, help="full name of the first user")
    p.add_argument("--roles", "--role", dest="roles", default="senco,admin",
                   help="roles of the first user (default senco,admin)")
    p.set_defaults(run=cmd_init)

    p = sub.add_parser("verify", help="check encryption, structure and the audit log")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--user", required=True)
    p.add_argument("--backup", type=Path, action="append", default=[],
                   help="an earlier backup: also check no history it holds has since been cut off")
    p.set_defaults(run=cmd_verify)

    p = sub.add_parser("audit", help="print the audit log as CSV (SENCOs and administrators)")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--user", required=True)
    p.add_argument("--pupil", type=int, help="only the entries about this pupil's record (id)")
    p.set_defaults(run=cmd_audit)

    p = sub.add_parser("backup", help="write one encrypted backup file")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("out", type=Path)
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup to a new database file (the password "
                                       "must be that of an administrator of the backup)")
    p.add_argument("backup", type=Path)
    p.add_argument("db", type=database, metavar="DB",
                   help="the new database file (to put it on the school server, restore to a "
                        "file, then use sendesk-cli server import)")
    p.add_argument("--user", help="an administrator of the backup, whose password is given "
                                  "(default: try every user; theirs must be an administrator's)")
    p.set_defaults(run=cmd_restore)

    p = sub.add_parser("recover", help="set a new password using the recovery key")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--user", help="the user whose password to reset")
    p.set_defaults(run=cmd_recover)

    user = sub.add_parser("user", help="add, change, remove or list users, or change a password")
    user_sub = user.add_subparsers(dest="user_command", required=True,
                                   metavar="add|update|remove|list|passwd")
    p = user_sub.add_parser("add", help="add a user (administrators only)")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("username")
    p.add_argument("--full-name", required=True)
    p.add_argument("--role", "--roles", dest="role", required=True,
                   help="senco, staff or admin (several: senco,admin)")
    p.add_argument("--user", required=True, help="the administrator doing this")
    p.set_defaults(run=cmd_user_add)
    p = user_sub.add_parser("update", help="change a user's full name or roles (administrators "
                                           "only; takes effect at their next sign-in)")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("username")
    p.add_argument("--full-name", help="the new full name")
    p.add_argument("--roles", "--role", dest="roles",
                   help="the new roles: senco, staff or admin (several: senco,admin)")
    p.add_argument("--user", required=True, help="the administrator doing this")
    p.set_defaults(run=cmd_user_update)
    p = user_sub.add_parser("remove", help="remove a user and re-encrypt the database under a "
                                           "new key (administrators only)")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("username")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_user_remove)
    p = user_sub.add_parser("list", help="list users as CSV")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_user_list)
    p = user_sub.add_parser("passwd", help="change your password, or reset another user's")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("username", nargs="?", help="whose password (default: your own)")
    p.add_argument("--user", required=True)
    p.add_argument("--rotate-key", action="store_true",
                   help="when resetting another user's password because it may be known: also "
                        "re-encrypt the database under a new key, so copies of the old key file "
                        "open nothing written from now on")
    p.set_defaults(run=cmd_user_passwd)


def cmd_init(args: argparse.Namespace, secrets: Secrets) -> int:
    if isinstance(args.db, str):
        raise SendeskError("A school on the school server is set up with sendesk-cli server init "
                           "URL, as the database's owner.")
    password = secrets.read(f"New password for {args.user}", confirm=True)
    session, recovery = lifecycle.create(
        args.db, school_name=args.school, school_reference=args.urn, username=args.user,
        full_name=args.full_name, password=password, user_roles=args.roles)
    session.close()
    print(f"Created {args.db}")
    print("Recovery key (print it and keep it in the school safe; it is shown only once):")
    print(recovery)
    return 0


def cmd_verify(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        anchors = [backup_mod.audit_anchor(session, path) for path in args.backup]
        report = verify_mod.verify(session, anchors)
    finally:
        session.close()
    print("\n".join(report.lines()))
    if not report.ok:
        problems = (report.cipher_problems[:1] + report.structure_problems[:1]
                    + report.audit_problems[:1] + report.safeguard_problems[:1]
                    + report.derived_problems[:1] + (report.grant_problems or [])[:1])
        if not problems:   # nothing failed, but the audit chain could not be read by this login
            raise SendeskError(f"{shown(args.db)} was not fully checked: the audit log was not "
                               f"checked ({report.audit_unread}).")
        raise SendeskError(f"{shown(args.db)} failed verification: " + "; ".join(problems))
    return 0


def cmd_backup(args: argparse.Namespace, secrets: Secrets) -> int:
    password = secrets.read(f"Password for {args.user}")
    session = lifecycle.open_school(args.db, args.user, password)
    try:   # on the school server the backup is sealed with this same password
        size = backup_mod.backup(session, args.out, password=password if session.on_server else None)
    finally:
        session.close()
    print(f"Backup written to {args.out} ({size:,} bytes)")
    return 0


def cmd_restore(args: argparse.Namespace, secrets: Secrets) -> int:
    if is_server_url(args.db):
        raise SendeskError("A backup is restored into a new database file, not straight onto "
                           "the school server: restore it to a file first (sendesk-cli restore "
                           "BACKUP school.sendesk), then move that file onto an empty database "
                           "on the server with sendesk-cli server import school.sendesk URL "
                           "--user USERNAME.")
    password = secrets.read(f"Password for {args.user}" if args.user else "Password of an administrator of the backup")
    need_password = backup_mod.restore(args.backup, args.db, password, args.user)
    print(f"Restored to {args.db}"
          + password_advice(need_password, args.db, args.user, "on the restored file"))
    return 0


def cmd_recover(args: argparse.Namespace, secrets: Secrets) -> int:
    username = args.user
    if not username:
        if not secrets.interactive:
            raise SendeskError("Say whose password to reset with --user.")
        username = input("Username: ")
    recovery = secrets.read("Recovery key")
    password = secrets.read(f"New password for {username}", confirm=True)
    lifecycle.recover(args.db, recovery, username, password).close()
    print(f"New password set for {username}.")
    return 0


def cmd_user_add(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        password = secrets.read(f"Password for the new user {args.username}", confirm=True)
        user = users.add_user(session, args.username, args.full_name, args.role, password)
    finally:
        session.close()
    print(f"Added {user.username} ({user.role_label})")
    return 0


def cmd_user_update(args: argparse.Namespace, secrets: Secrets) -> int:
    if args.full_name is None and args.roles is None:
        raise SendeskError("Say what to change with --full-name, --roles or both.")
    session = open_session(args.db, args.user, secrets)
    try:
        user = users.update_user(session, args.username, args.full_name, args.roles)
    finally:
        session.close()
    print(f"{user.username} is now {user.full_name} ({user.role_label}); this takes effect "
          "the next time they sign in.")
    return 0


def cmd_user_remove(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        rotation = users.remove_user(session, args.username, _progress())
    finally:
        session.close()
    print(f"Removed {args.username}")
    if rotation is None:   # the school server: no key to change, the login is switched off
        print(f"{args.username} can no longer sign in to the school server; their entries in "
              "the records and the audit log still name them.")
    else:
        _say_rotated(rotation)
    return 0


def _progress() -> Progress:
    """Re-encrypting a large school takes a while: show how far it is, on a terminal only."""
    if not sys.stderr.isatty():
        return Progress()

    def show(done: int, total: int, text: str) -> None:
        print(f"\r{text}: {100 * done // max(1, total)}%   ", end="", file=sys.stderr, flush=True)
        if done >= total:
            print(file=sys.stderr)

    return Progress(show)


def _say_rotated(rotation: rekey.Rotation) -> None:
    print("The database was re-encrypted under a new key: copies of the old key file no longer "
          "open it. Backups made before now still hold the records as they were then, under "
          "the passwords of then: keep them locked away, or delete them.")
    if rotation.needs_reset:
        print("These users must have their password reset before they can sign in again: "
              + ", ".join(rotation.needs_reset))
    if rotation.recovery_key:
        print("New recovery key (the old one no longer opens the database; print this and keep "
              "it in the school safe; it is shown only once):")
        print(rotation.recovery_key)


def cmd_user_list(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        rows = users.list_users(session)
    finally:
        session.close()
    csv_safe.write_rows(sys.stdout, ["username", "full_name", "roles"],
                        ([user.username, user.full_name, ",".join(sorted(r.value for r in user.roles))]
                         for user in rows))
    return 0


def cmd_audit(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        entries = (audit_log.read_log(session, "pupil", args.pupil) if args.pupil is not None
                   else audit_log.read_log(session))
    finally:
        session.close()
    csv_safe.write_rows(sys.stdout, audit_log.HEADER, (entry.as_row() for entry in entries))
    return 0


def cmd_user_passwd(args: argparse.Namespace, secrets: Secrets) -> int:
    target = (args.username or args.user).strip().lower()
    own = target == args.user.strip().lower()
    current = secrets.read(f"Current password for {args.user}" if own else f"Password for {args.user}")
    session = lifecycle.open_school(args.db, args.user, current)
    try:
        if own and args.rotate_key:
            raise SendeskError("--rotate-key is for resetting another user's password; ask "
                               "another administrator if yours may be known.")
        new = secrets.read(f"New password for {target}", confirm=True)
        rotation = users.change_password(session, target, new, current if own else None,
                                         rotate_key=args.rotate_key, progress=_progress())
    finally:
        session.close()
    print(f"Password changed for {target}.")
    if rotation is not None:
        _say_rotated(rotation)
    return 0
