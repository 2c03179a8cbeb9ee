"""`sendesk-cli provision groups`: the school's provision groups, and a pupil's or a member of
staff's support timetable saved as PDF (the export permission checked and audited, as in the
app). Groups are made and changed in the app's Groups page.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ValidationError
from ..models import dates
from ..models.provision import format_money
from ..records import provision_groups, pupils
from .io import DB_HELP, Secrets, database, open_session


def provision_commands(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The subcommands of `provision`, made here unless another module made them first (the
    provision library's commands live under the same word)."""
    parent = sub.choices.get("provision")
    if parent is None:
        parent = sub.add_parser("provision", help="the provision library and provision groups")
        return parent.add_subparsers(dest="provision_command", required=True, metavar="COMMAND")
    for action in parent._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parent.add_subparsers(dest="provision_command", required=True, metavar="COMMAND")


def register(sub: argparse._SubParsersAction) -> None:
    group = provision_commands(sub).add_parser("groups", help="provision groups and timetables")
    group_sub = group.add_subparsers(dest="groups_command", required=True,
                                     metavar="list|timetable")
    p = group_sub.add_parser("list", help="the groups running or still to start")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--ended", action="store_true", help="include groups that have ended")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_list)
    p = group_sub.add_parser("timetable", help="save a pupil's or a member of staff's week as PDF")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--upn", help="the pupil's UPN")
    who.add_argument("--staff", help="the member of staff's name, as on their groups")
    p.add_argument("--week", help="any day of the week to show (default this week)")
    p.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_timetable)


def cmd_list(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        found = provision_groups.list_groups(session, args.ended)
    finally:
        session.close()
    if not found:
        print("No provision groups.")
        return 0
    print("id\tgroup\trun by\tstarts\tends\tpupils\tcost")
    for g in found:
        pupils_now = sum(1 for m in g.members if m.left_on is None)
        print(f"{g.id}\t{g.name}\t{g.staff_name}\t{dates.format_uk(g.start_date)}\t"
              f"{dates.format_uk(g.end_date) if g.end_date else ''}\t{pupils_now}\t"
              f"{format_money(g.cost_total_pence)}")
    return 0


def cmd_timetable(args: argparse.Namespace, secrets: Secrets) -> int:
    if args.out.suffix.lower() != ".pdf":
        raise ValidationError(f"{args.out.name}: the file to write must end in .pdf.")
    day = dates.parse_date(args.week, "--week", required=False)
    session = open_session(args.db, args.user, secrets)
    try:
        from ..documents import timetable
        from ..pdf import save_pdf
        if args.upn:
            pupil_id = pupils.find_by_upn(session, args.upn)
            if pupil_id is None:
                raise ValidationError(f"No pupil with UPN {args.upn.strip().upper()} is in this "
                                      "database.", field="upn")
            document = timetable.pupil_timetable(session, pupil_id, day)
        else:
            pupil_id = None
            document = timetable.staff_timetable(session, args.staff, day)
        pages = save_pdf(session, [document], pupil_id, timetable.KIND, args.out)
    finally:
        session.close()
    print(f"Wrote the support timetable ({pages} page{'s' if pages != 1 else ''}) to {args.out}.")
    return 0
