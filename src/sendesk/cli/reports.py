"""`sendesk-cli report governors`: the governors' SEND report and SEN Information Report
figures for a school year as a PDF with charts (and, with --csv, as CSV);
`sendesk-cli impact`: the impact of provision as CSV, one row per provision and measure.

Both count and never name: any count under 5 is written as "fewer than 5". Each file written
is an export, recorded in the audit log as one made in the app.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import PermissionDenied, ValidationError
from ..models import dates
from ..models.roles import Permission, who_may
from ..models.school_year import parse_school_year
from .io import DB_HELP, Secrets, database, open_session


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("report", help="reports for governors: counts, never names")
    report_sub = group.add_subparsers(dest="report_command", required=True, metavar="governors")
    p = report_sub.add_parser("governors", help="the governors' SEND report and SEN Information "
                                               "Report figures for a school year (PDF, CSV)")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--year", required=True, help="the school year, such as 2025/26")
    p.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    p.add_argument("--csv", type=Path, help="also write the figures as CSV")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_governors)

    p = sub.add_parser("impact", help="the impact of provision as CSV: pupils, measures, "
                                      "outcomes met and cost, per provision and measure")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--out", type=Path, required=True,
                   help="the CSV file to write. cost_total is the provision's whole cost in "
                        "the period, repeated on each of its measure rows (and a library "
                        "item's row includes its groups): add up one row per provision, not "
                        "the column. mean_gain is the improvement: for a measure whose "
                        "'better' is 'lower' (an SDQ score), mean_entry less mean_exit")
    p.add_argument("--from", dest="start",
                   help="first day of the period (default: the first day of this school year's "
                        "autumn term, from the school's term dates)")
    p.add_argument("--to", dest="end",
                   help="last day of the period (default: today). The period is widened to "
                        "whole half-terms, each with the holiday after it, and ends today at "
                        "the latest; a school year runs from the first day of its autumn term "
                        "to the day before the next one, as in the governors' report")
    p.add_argument("--by", default="", metavar="area|year|sex|status",
                   help="also break each row down by area of need, year group, sex or SEN status")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_impact)


EXPORT_REFUSED = ("Your role does not allow documents to leave sendesk, so the governors' report "
                  "cannot be written. " + who_may(Permission.EXPORT_DOCUMENTS))


def _suffix(path: Path, suffix: str) -> None:
    if path.suffix.lower() != suffix:
        raise ValidationError(f"{path.name}: the file to write must end in {suffix}.")


def cmd_governors(args: argparse.Namespace, secrets: Secrets) -> int:
    _suffix(args.out, ".pdf")
    if args.csv is not None:
        _suffix(args.csv, ".csv")
    session = open_session(args.db, args.user, secrets)
    try:
        from ..documents import export
        from ..documents import governors_report as document
        from ..pdf import render_counted
        from ..records import governors_report
        year = parse_school_year(args.year, session.clock.today())
        # The command only writes files: one who may not export is refused before any figure
        # is worked out or any view of them recorded.
        if not session.can(Permission.EXPORT_DOCUMENTS):
            raise PermissionDenied(EXPORT_REFUSED)
        found = governors_report.figures(session, year)
        pages = export.save_documents(session, [document.build(found, session.school.name)],
                                      None, document.KIND, args.out, render_counted)
        if args.csv is not None:
            governors_report.export_csv(session, year, args.csv)
    finally:
        session.close()
    print(f"Wrote the governors' report for {year.label} ({pages} page"
          f"{'s' if pages != 1 else ''}) to {args.out}"
          + (f" and its figures to {args.csv}." if args.csv is not None else "."))
    return 0


def cmd_impact(args: argparse.Namespace, secrets: Secrets) -> int:
    _suffix(args.out, ".csv")
    start = dates.parse_date(args.start, "--from", required=False)
    end = dates.parse_date(args.end, "--to", required=False)
    from ..records import impact
    breakdown = impact.parse_breakdown(args.by)
    session = open_session(args.db, args.user, secrets)
    try:
        found = impact.export_csv(session, args.out, start, end, breakdown)
    except ValidationError as exc:
        if start is None and end is not None and exc.field == "period":
            # "before it starts on 02/09/2026": a start nobody typed, unless said where from.
            raise ValidationError(f"{exc} Without --from the period starts on the first day of "
                                  "this school year; give --from for one before it.",
                                  field="period") from None
        raise
    finally:
        session.close()
    count = len({r.provision for r in found.lines})
    print(f"Wrote the impact of {count} provision{'' if count == 1 else 's'} from "
          f"{dates.format_uk(found.start)} to {dates.format_uk(found.end)} to {args.out}."
          + ("" if (start in (None, found.start) and end in (None, found.end)) else
             " The period is whole half-terms of the school's calendar, to today at the latest,"
             " so that two periods a day apart cannot single out one child."))
    return 0
