"""`sendesk-cli sar`: answer a subject access request for one pupil (SENCO or administrator).

Everything held about the pupil (the full SEND file as a PDF, every record as formula-safe CSV,
stored reports, the audit trail of who read and changed the record) is written to a new folder,
with other people's protected addresses withheld; see records/sar.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import PermissionDenied, ValidationError
from ..models.roles import Permission
from ..records import pupils, sar
from .io import DB_HELP, Secrets, database, open_session
from .transfer import render_file_pdf


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sar", help="answer a subject access request: everything held about a "
                                   "pupil, in a new folder")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--upn", required=True, help="the pupil's UPN")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="the new folder to write (it must not exist, or be empty)")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_sar)


def cmd_sar(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        if not session.can(Permission.READ_AUDIT):
            raise PermissionDenied(sar.REFUSED)
        pupil_id = pupils.find_by_upn(session, args.upn)
        if pupil_id is None:
            raise ValidationError(f"No pupil with UPN {args.upn.strip().upper()} is in this "
                                  "database.", field="upn")
        answer = sar.answer_request(session, pupil_id, args.out, render_file_pdf)
    finally:
        session.close()
    print(f"Wrote the subject access request ({len(answer.files)} files) to {answer.folder}.")
    for what in answer.withheld:
        print(f"Withheld: {what}.")
    return 0
