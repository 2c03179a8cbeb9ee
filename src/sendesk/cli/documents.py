"""`sendesk-cli document`: a pupil's support plan, profile, letters or full SEND file as a PDF.

The PDF is built in memory with Qt's painter (no window system is needed) and only the chosen
file is written; the export is recorded in the audit log like one made in the app.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..documents.model import KINDS, clean_kind
from ..errors import ValidationError
from ..records import pupils
from .io import Secrets, open_session


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("document", help="save a pupil's plan, profile, letters or SEND file as PDF")
    p.add_argument("db", type=Path)
    p.add_argument("--upn", help="the pupil's UPN")
    p.add_argument("--kind", required=True, metavar="|".join(KINDS),
                   help="which document: " + ", ".join(KINDS))
    p.add_argument("--whole-school", action="store_true",
                   help="with --kind provision-map: every pupil's provision instead of one pupil's")
    p.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_document)


def cmd_document(args: argparse.Namespace, secrets: Secrets) -> int:
    kind = clean_kind(args.kind)
    if args.whole_school and not kind.whole_school:
        raise ValidationError(f"--whole-school goes only with --kind provision-map, not {kind.key}.")
    if not args.whole_school and not args.upn:
        raise ValidationError("Give the pupil's UPN with --upn"
                              + (" (or --whole-school for the whole school's map)."
                                 if kind.whole_school else "."))
    if args.out.suffix.lower() != ".pdf":
        raise ValidationError(f"{args.out.name}: the file to write must end in .pdf.")
    session = open_session(args.db, args.user, secrets)
    try:
        pupil_id = None
        if not args.whole_school:
            pupil_id = pupils.find_by_upn(session, args.upn)
            if pupil_id is None:
                raise ValidationError(f"No pupil with UPN {args.upn.strip().upper()} is in this "
                                      "database.", field="upn")
        from ..pdf import export_documents
        pages = export_documents(session, pupil_id, kind.key, args.out)
    finally:
        session.close()
    print(f"Wrote {kind.label} ({pages} page{'s' if pages != 1 else ''}) to {args.out}.")
    return 0
