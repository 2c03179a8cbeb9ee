"""Commands for pupils and the SEN register: make a demo school, import pupils from the MIS,
list pupils and export the January census check. The rules are the core's; these commands
only read arguments and print results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import demo
from ..errors import SendeskError, ValidationError
from ..models import dates
from ..records import census, mis_file, mis_import, pupil_list
from .io import DB_HELP, Secrets, database, open_session

# Enough row errors to fix a file in one pass without flooding the terminal.
_MAX_ERRORS_SHOWN = 50


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="create a demo school database of invented pupils")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--pupils", type=int, default=600, help="how many pupils (default 600)")
    p.add_argument("--user", required=True, help="username of the demo SENCO")
    p.add_argument("--full-name", default="Demo SENCO", help="full name of the demo SENCO")
    p.add_argument("--seed", type=int, default=2026, help="the same seed makes the same school")
    p.set_defaults(run=cmd_demo)

    pupils = sub.add_parser("pupils", help="import or list pupils")
    pupils_sub = pupils.add_subparsers(dest="pupils_command", required=True, metavar="import|list")
    p = pupils_sub.add_parser("import", help="import or update pupils from a MIS CSV export")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("file", type=Path)
    p.add_argument("--user", required=True)
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="match a column by hand, e.g. --map dob='Birth Date' (fields: "
                        + ", ".join(mis_file.HEADERS) + ")")
    p.add_argument("--dry-run", action="store_true",
                   help="check the file, list every change (was -> now) and save nothing")
    p.add_argument("--skip-conflicts", action="store_true",
                   help="skip every row whose UPN is held here for a different child (or whose "
                        "name and date of birth are held under another UPN)")
    p.add_argument("--decide", action="append", default=[], metavar="LINE=CHOICE",
                   help="what to do with one conflicting line: skip, update (the same child: "
                        "take the file's details) or add (a different child), where offered")
    p.set_defaults(run=cmd_import)
    p = pupils_sub.add_parser("list", help="list pupils on roll as CSV")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--user", required=True)
    p.add_argument("--status", help="E, K or N (S, A and P from old systems are mapped)")
    p.add_argument("--need", help="primary need code, e.g. SLCN")
    p.add_argument("--year", help="year group, e.g. 7 or R")
    p.add_argument("--search", default="", help="text to find in names or UPNs")
    p.add_argument("--include-leavers", action="store_true")
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("census", help="export the January census check as CSV")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--day", help="census day (default: the next January census)")
    p.set_defaults(run=cmd_census)


def cmd_demo(args: argparse.Namespace, secrets: Secrets) -> int:
    if isinstance(args.db, str):   # a postgresql:// URL: the demo is made as a file
        raise ValidationError(
            "The demo school is made as a file on this PC, not on a school server: make it "
            "with sendesk-cli demo FILE, then move it on with sendesk-cli server import FILE "
            f"{args.db} --user {args.user}.")
    password = secrets.read(f"New password for {args.user}", confirm=True)
    session, recovery = demo.create_demo_school(args.db, args.user, args.full_name, password,
                                                pupils=args.pupils, seed=args.seed)
    session.close()
    print(f"Created {args.db}: {demo.DEMO_SCHOOL_NAME}, {args.pupils:,} invented pupils.")
    print("Recovery key (print it and keep it in the school safe; it is shown only once):")
    print(recovery)
    return 0


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep:
            raise ValidationError(f"--map {pair}: write it as FIELD=COLUMN, e.g. dob='Birth Date'.")
        mapping[field.strip()] = column.strip()
    return mapping


def _decisions(pairs: list[str]) -> dict[int, str]:
    decisions = {}
    for pair in pairs:
        line, sep, choice = pair.partition("=")
        choice = choice.strip().lower()
        if not sep or not line.strip().isdigit() or choice not in mis_import.CHOICES:
            raise ValidationError(f"--decide {pair}: write it as LINE=CHOICE, e.g. --decide 7=skip "
                                  "(choices: " + ", ".join(mis_import.CHOICES) + ").")
        decisions[int(line)] = choice
    return decisions


def cmd_import(args: argparse.Namespace, secrets: Secrets) -> int:
    mapping = _mapping(args.map)
    decisions = _decisions(args.decide)
    session = open_session(args.db, args.user, secrets)
    try:
        plan = mis_import.preview(session, args.file, mapping)
        if not plan.ok:
            for row in plan.errors[:_MAX_ERRORS_SHOWN]:
                print(mis_import.describe_row(row), file=sys.stderr)
            more = len(plan.errors) - _MAX_ERRORS_SHOWN
            if more > 0:
                print(f"... and {more} more rows with errors", file=sys.stderr)
            raise SendeskError(f"{len(plan.errors)} of {len(plan.rows)} rows in {args.file.name} "
                               "have errors; nothing was imported.")
        if plan.not_imported:
            print(plan.not_imported)
        if args.skip_conflicts:
            decisions = {row.line: mis_import.SKIP for row in plan.conflicts} | decisions
        undecided = plan.undecided(decisions)
        if undecided and not args.dry_run:
            for row in undecided:
                print(mis_import.describe_row(row), file=sys.stderr)
            raise SendeskError(f"{len(undecided)} rows in {args.file.name} give a UPN held here "
                               "for a different child, or a child held under another UPN; "
                               "nothing was imported. Add --skip-conflicts, or --decide "
                               "LINE=skip|update|add for each line.")
        for row in plan.rows:
            for note in row.warnings + row.checks:
                print(f"line {row.line} (UPN {row.upn}): {note}", file=sys.stderr)
        summary = (f"{plan.count('add')} to add, {plan.count('update')} to update, "
                   f"{plan.count('unchanged')} unchanged, {plan.count('skip')} skipped")
        if plan.conflicts:
            summary += f", {len(plan.conflicts)} to decide"
        if args.dry_run:
            for row in plan.rows:
                if row.conflict is not None:
                    print(mis_import.describe_row(row) + " (choices: "
                          + ", ".join(row.conflict.choices) + ")")
                if row.diffs:
                    print(f"line {row.line} (UPN {row.upn}): "
                          + "; ".join(str(change) for change in row.diffs))
            print(f"Checked {args.file.name}: {summary}. Nothing was saved (--dry-run).")
            return 0
        result = mis_import.commit(session, plan, decisions)
    finally:
        session.close()
    print(f"Imported {args.file.name}: {result.added} added, {result.updated} updated, "
          f"{result.unchanged} unchanged, {result.skipped} skipped.")
    if result.reviews_asked:
        print(mis_import.reviews_sentence(result))
    return 0


def cmd_list(args: argparse.Namespace, secrets: Secrets) -> int:
    flt = pupil_list.PupilFilter(text=args.search, status=args.status or None,
                                 need=args.need or None, year_group=args.year or None,
                                 include_archived=args.include_leavers)
    session = open_session(args.db, args.user, secrets)
    try:
        pupil_list.export_csv(session, sys.stdout, flt)
    finally:
        session.close()
    return 0


def cmd_census(args: argparse.Namespace, secrets: Secrets) -> int:
    day = dates.require_date(args.day, "Census day") if args.day else None
    session = open_session(args.db, args.user, secrets)
    try:
        check = census.export_census(session, args.out, day)
    finally:
        session.close()
    print(census.describe(check))
    print(f"Wrote {len(check.rows):,} pupils to {args.out}")
    return 0
