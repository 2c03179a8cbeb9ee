"""Commands for the graduated approach: export the whole-school costed provision map."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..models import provision
from ..records import provision_map
from .io import DB_HELP, Secrets, database, open_session


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("provision-map", help="export the whole-school costed provision map as CSV")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_provision_map)


def cmd_provision_map(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        found = provision_map.export_csv(session, args.out)
    finally:
        session.close()
    over = len(found.over_threshold())
    items = f"{len(found.rows):,} provision item" + ("" if len(found.rows) == 1 else "s")
    pupils = f"{found.pupils:,} pupil" + ("" if found.pupils == 1 else "s")
    print(f"Wrote {items} for {pupils} to {args.out} "
          f"(total {provision.format_money(found.total_pence)} a year"
          + (f"; {over} over the notional threshold" if over else "") + ").")
    return 0
