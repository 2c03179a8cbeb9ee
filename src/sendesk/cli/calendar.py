"""The SEND agenda as an iCalendar file that staff calendars import."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from ..models import dates
from ..records import agenda, calendar_export
from .io import DB_HELP, Secrets, database, open_session

DEFAULT_DAYS = 365


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calendar", help="export the SEND agenda (reviews and deadlines) as .ics, "
                                        "with initials instead of pupils' names")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--out", type=Path, required=True, help="the .ics file to write")
    p.add_argument("--user", required=True)
    p.add_argument("--from", dest="start", help="first day, dd/mm/yyyy or yyyy-mm-dd (default today)")
    p.add_argument("--to", dest="end", help="last day (default a year after the first)")
    p.set_defaults(run=cmd_calendar)


def cmd_calendar(args: argparse.Namespace, secrets: Secrets) -> int:
    start = dates.parse_date(args.start, "--from", required=False)
    end = dates.parse_date(args.end, "--to", required=False)
    session = open_session(args.db, args.user, secrets)
    try:
        first = agenda.check_day(start or session.clock.today(), "From")
        last = end or min(first + dt.timedelta(days=DEFAULT_DAYS), dt.date(agenda.LAST_YEAR, 12, 31))
        count = calendar_export.export_ics(session, args.out, first, last)
    finally:
        session.close()
    events = f"{count:,} event" + ("" if count == 1 else "s")
    print(f"Wrote {events} from {dates.format_uk(first)} to {dates.format_uk(last)} to {args.out}.")
    return 0
