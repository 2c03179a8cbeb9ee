"""`sendesk-cli document`: a pupil's support plan, profile, letters or full SEND file as a PDF;
`sendesk-cli templates`: the school's own letterhead, logo and letter wording.

The PDF is built in memory with Qt's painter (no window system is needed) and only the chosen
file is written; the export is recorded in the audit log like one made in the app.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..documents import templates
from ..documents.model import KINDS, clean_kind
from ..errors import ValidationError
from ..records import pupils
from ..store.files import atomic_write, read_limited
from .io import DB_HELP, Secrets, database, open_session


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("document", help="save a pupil's plan, profile, letters or SEND file as PDF")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--upn", help="the pupil's UPN")
    p.add_argument("--kind", required=True, metavar="|".join(KINDS),
                   help="which document: " + ", ".join(KINDS))
    p.add_argument("--whole-school", action="store_true",
                   help="with --kind provision-map: every pupil's provision instead of one pupil's")
    p.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_document)

    group = sub.add_parser("templates", help="the letterhead, logo and wording of parent letters")
    group_sub = group.add_subparsers(dest="templates_command", required=True,
                                     metavar="export|import|reset")
    p = group_sub.add_parser("export", help="save the letters template in use, to edit it")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("out", type=Path, help="the JSON file to write")
    p.add_argument("--logo-out", type=Path, help="also save the logo in use (PNG or JPEG)")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_templates_export)
    p = group_sub.add_parser("import", help="check a letters template and use it for this school")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("file", type=Path, help="the edited JSON file")
    p.add_argument("--logo", type=Path, help="the school's logo, PNG or JPEG (at most 512 KB)")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_templates_import)
    p = group_sub.add_parser("reset", help="go back to sendesk's own letters template")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_templates_reset)


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
        from ..documents import export
        from ..pdf import render_counted
        pages = export.export_documents(session, pupil_id, kind.key, args.out, render_counted)
    finally:
        session.close()
    print(f"Wrote {kind.label} ({pages} page{'s' if pages != 1 else ''}) to {args.out}.")
    return 0


def cmd_templates_export(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        data, logo = templates.current_bytes(session)
    finally:
        session.close()
    atomic_write(args.out, data)
    print(f"Wrote the letters template to {args.out}.")
    if args.logo_out is not None:
        if logo is None:
            print("The template has no logo.")
        else:
            atomic_write(args.logo_out, logo)
            print(f"Wrote the logo to {args.logo_out}.")
    return 0


def cmd_templates_import(args: argparse.Namespace, secrets: Secrets) -> int:
    data = read_limited(args.file, templates.MAX_TEMPLATE_BYTES, "letters template")
    logo = read_limited(args.logo, templates.MAX_LOGO_BYTES, "logo") if args.logo else None
    logo_name = args.logo.name if args.logo else ""
    # Refused before asking a password.
    templates.parse(data, source=args.file.name, logo=logo, logo_source=logo_name)
    session = open_session(args.db, args.user, secrets)
    try:
        templates.import_templates(session, data, logo, args.file.name, logo_name)
    finally:
        session.close()
    print(f"The school's letters now use {args.file.name}"
          + (f" with the logo {args.logo.name}." if logo else "."))
    return 0


def cmd_templates_reset(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        templates.reset_templates(session)
    finally:
        session.close()
    print("The school's letters use sendesk's own template again.")
    return 0
