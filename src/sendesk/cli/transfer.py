"""Commands for records transfer and the Common Transfer File. The core makes and checks the
package; these commands read arguments, files and passwords and print what happened."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..errors import SendeskError
from ..models import dates
from ..records import pupils, school_calendar
from ..session import Session
from ..store.files import atomic_write, read_limited
from ..transfer import ctf, log, receiving, sending
from .io import DB_HELP, Secrets, database, open_session


def register(sub: argparse._SubParsersAction) -> None:
    transfer = sub.add_parser("transfer", help="send or receive a pupil's records transfer package")
    transfer_sub = transfer.add_subparsers(dest="transfer_command", required=True,
                                           metavar="export|import|receipt-import|receipt-save")
    p = transfer_sub.add_parser("export", help="write a pupil's encrypted, signed transfer package")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--upn", required=True)
    p.add_argument("--to-urn", required=True, metavar="URN",
                   help="the receiving school's URN (or LA/establishment number, e.g. 937/4001)")
    p.add_argument("--to-name", required=True, metavar="NAME", help="the receiving school's name")
    p.add_argument("--to-contact", default="", metavar="NAME", help="the named contact there")
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p.add_argument("--user", required=True)
    p.add_argument("--passphrase-file", type=Path, metavar="P",
                   help="use the passphrase in this file instead of generating one")
    p.add_argument("--leaving-date", metavar="DD/MM/YYYY", default=None,
                   help="the day the pupil left (default today): the 15 school days count from it")
    p.add_argument("--without-consent", metavar="REASON",
                   help="send although no consent to share with another school is recorded, "
                        "saying why (kept in the audit log)")
    p.set_defaults(run=cmd_export)

    p = transfer_sub.add_parser("import", help="verify and import a package; write the signed receipt")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("file", type=Path)
    p.add_argument("--user", required=True)
    p.add_argument("--passphrase-file", type=Path, required=True, metavar="P")
    p.add_argument("--receipt-out", type=Path, required=True, metavar="RECEIPT")
    p.add_argument("--resolve", action="append", type=_resolution, metavar="ours|theirs|KEY=ours|theirs",
                   help="decide the changes to a pupil already here: ours keeps this school's "
                        "record (and leaves out what the package would add), theirs takes the "
                        "package's; KEY=... decides one change (the keys are listed when "
                        "undecided); may be repeated (default: list them and import nothing)")
    p.add_argument("--admission-date", metavar="DATE",
                   help="for a new pupil: the day they arrive here (default: today)")
    p.add_argument("--year-group", metavar="YEAR",
                   help="for a new pupil: their year group here (default: the package's)")
    p.add_argument("--class-name", metavar="CLASS",
                   help="for a new pupil: their class here (default: none yet; the old "
                        "school's class is not copied)")
    p.set_defaults(run=cmd_import)

    p = transfer_sub.add_parser("receipt-save", help="write the receipt of a package received "
                                                     "here again, for the sending school")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--upn", required=True)
    p.add_argument("--out", type=Path, required=True, metavar="RECEIPT")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_receipt_save)

    p = transfer_sub.add_parser("receipt-import", help="close a sent transfer with its receipt")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("receipt", type=Path)
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_receipt)

    c = sub.add_parser("ctf", help="export or import a DfE Common Transfer File")
    ctf_sub = c.add_subparsers(dest="ctf_command", required=True, metavar="export|import")
    p = ctf_sub.add_parser("export", help="write one pupil's CTF XML")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("--upn", required=True)
    p.add_argument("--out", type=Path, metavar="FILE.xml",
                   help="default: the DfE's name, LLLEEEE_CTF_LLLEEEE_NNN.xml, in this folder")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_ctf_export)
    p = ctf_sub.add_parser("import", help="take SEN status and needs from a CTF XML")
    p.add_argument("db", type=database, metavar="DB", help=DB_HELP)
    p.add_argument("file", type=Path, metavar="FILE.xml")
    p.add_argument("--user", required=True)
    p.set_defaults(run=cmd_ctf_import)


def render_file_pdf(session: Session, pupil_id: int) -> bytes:
    """The pupil's full SEND file as one PDF, drawn by sendesk.pdf."""
    from ..documents import build_documents
    from ..pdf import render_pdf
    return render_pdf(build_documents(session, pupil_id, "file"))


def count_pages(pdf: bytes) -> int:
    from ..pdf import page_count
    return page_count(pdf)


def _pupil_id(session: Session, upn: str) -> int:
    pupil_id = pupils.find_by_upn(session, upn)
    if pupil_id is None:
        raise SendeskError(f"No pupil with UPN {upn.strip().upper()} is in this database.")
    return pupil_id


def _resolution(text: str) -> tuple[str | None, str]:
    """'ours', 'theirs', or 'KEY=ours|theirs' (one decision)."""
    key, _, value = text.rpartition("=")
    if value not in (receiving.OURS, receiving.THEIRS):
        raise argparse.ArgumentTypeError(f"'{text}' is not ours, theirs or KEY=ours|theirs")
    return (key or None), value


def decisions_from(resolve: list[tuple[str | None, str]] | None,
                   conflicts: list[receiving.Conflict]) -> dict[str, str]:
    """Each conflict's decision: a KEY=value given for it, else the last blanket value."""
    chosen: dict[str, str] = {}
    blanket = None
    keys = {c.key for c in conflicts}
    for key, value in resolve or []:
        if key is None:
            blanket = value
        elif key not in keys:
            raise SendeskError(f"--resolve names {key}, which is not one of the changes this "
                               "package would make. Nothing was imported.")
        else:
            chosen[key] = value
    decided = {c.key: chosen.get(c.key, blanket) for c in conflicts}
    return {key: value for key, value in decided.items() if value is not None}


def _read_passphrase(path: Path) -> str:
    text = read_limited(path, 4096, "passphrase file").decode("utf-8", errors="replace")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise SendeskError(f"{path.name} is empty; put the passphrase on its first line.")
    return lines[0].strip()


def cmd_export(args: argparse.Namespace, secrets: Secrets) -> int:
    chosen = _read_passphrase(args.passphrase_file) if args.passphrase_file else None
    recipient = sending.make_recipient(args.to_name, args.to_urn, args.to_contact)
    session = open_session(args.db, args.user, secrets)
    try:
        pupil_id = _pupil_id(session, args.upn)
        checks = sending.check_before_sending(session, pupil_id)
        for warning in checks.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        for what in checks.stripped:
            print(f"removed: {what}", file=sys.stderr)
        sent = sending.send(session, pupil_id, recipient, args.out, render_file_pdf,
                            chosen_passphrase=chosen, count_pages=count_pages,
                            leaving_date=args.leaving_date, without_consent=args.without_consent)
    finally:
        session.close()
    print(f"Wrote {args.out} to send to {recipient.name}.")
    print(f"Package fingerprint: {sent.fingerprint}")
    print(f"Our signing key: {sent.school_fingerprint}")
    print(sent.late or f"Send it by {sent.deadline.strftime('%d/%m/%Y')} (15 school days after leaving).")
    if chosen is None:
        print("Passphrase (send it by a different route from the file, e.g. by phone):")
        print(sent.passphrase)
    return 0


def _describe_conflict(conflict: receiving.Conflict) -> str:
    if conflict.is_addition:
        text = f"{conflict.key}: {conflict.label}: the package would add {conflict.theirs}"
    else:
        text = (f"{conflict.key}: {conflict.label}: this school has {conflict.ours}; the package "
                f"has {conflict.theirs}")
    return text + (f" ({conflict.warning})" if conflict.warning else "")


def cmd_import(args: argparse.Namespace, secrets: Secrets) -> int:
    passphrase = _read_passphrase(args.passphrase_file)
    receiving.check_receipt_path(args.receipt_out)   # before anything is opened or stored
    data = receiving.read_file(args.file)
    arrival = receiving.Arrival(args.admission_date, args.year_group, args.class_name)
    session = open_session(args.db, args.user, secrets)
    try:
        preview = receiving.open_package(session, data, passphrase)
        print(f"From {receiving.describe_school(preview.sender)}, signing key "
              f"{preview.sender_fingerprint}"
              + ("" if preview.sender_known else " (first package from this school: check the "
                                                 "fingerprint with them by phone, then record "
                                                 "the check on the Transfers page)") + ".")
        for warning in preview.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        for direction in preview.directions:
            if direction.worth_saying:
                print(f"note: {direction.sentence()}", file=sys.stderr)
        decisions = decisions_from(args.resolve, preview.conflicts)
        undecided = [c for c in preview.conflicts if c.key not in decisions]
        if undecided:
            for conflict in undecided:
                print(f"conflict: {_describe_conflict(conflict)}", file=sys.stderr)
            raise SendeskError(f"{len(undecided)} changes to this school's record of the pupil "
                               "need your decision. Decide each in the app's receiving wizard, "
                               "or run again with --resolve ours|theirs, or --resolve "
                               "KEY=ours|theirs for each. Nothing was imported.")
        if preview.existing_pupil_id is None:
            details = receiving.arrival_details(session.clock.today(), preview.pupil, arrival)
            note = receiving.admission_warning(school_calendar.load(session),
                                               details.admission_date, session.clock.today())
            if note:
                print(f"warning: {note}", file=sys.stderr)
        imported = receiving.import_package(session, preview, decisions, arrival,
                                            receipt_out=args.receipt_out)
    finally:
        session.close()
    rows = sum(imported.counts.values())
    what = "new record" if imported.created else "added to the existing record"
    print(f"Imported UPN {preview.pupil['upn']} ({what}): {rows} entries, "
          f"{len(preview.contents)} items.")
    if imported.created:
        print(f"Admitted on {details.admission_date:%d/%m/%Y}, Year {details.year_group}, "
              + (f"class {details.class_name}." if details.class_name else
                 "no class yet (set it with --class-name, or on the pupil's record)."))
    try:
        atomic_write(args.receipt_out, imported.receipt)
    except SendeskError as exc:
        raise SendeskError(f"The pupil was imported, but the receipt was not written: {exc} Save "
                           f"it with: sendesk-cli transfer receipt-save {args.db} --upn "
                           f"{preview.pupil['upn']} --out RECEIPT --user {args.user}") from exc
    print(f"Receipt written to {args.receipt_out}; send it to the sending school.")
    return 0


def cmd_receipt_save(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        transfer_id = log.received_transfer_for(session, args.upn)
        log.save_receipt_again(session, transfer_id, args.out)
    finally:
        session.close()
    print(f"Receipt written to {args.out}; send it to the sending school.")
    return 0


def cmd_receipt(args: argparse.Namespace, secrets: Secrets) -> int:
    data = receiving.read_receipt_file(args.receipt)
    session = open_session(args.db, args.user, secrets)
    try:
        done = receiving.import_receipt(session, data)
    finally:
        session.close()
    # The Transfers page's status words: not "acknowledged" until the key has been checked.
    day = dates.format_uk(dt.date.fromisoformat(done.received_at[:10]))
    status = (f"Acknowledged by {done.received_by} on {day}" if done.key_confirmed
              else f"Receipt from {done.received_by} on {day}, key not yet confirmed")
    print(f"Transfer to {done.school}: {status} (their signing key {done.school_fingerprint}).")
    if not done.key_confirmed:
        print(receiving.RECEIPT_KEY_UNCONFIRMED + " Until the check is recorded on the Transfers "
              "page, the transfer reads \"key not yet confirmed\".")
    return 0


def cmd_ctf_export(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        out = args.out or ctf.next_file_name(session.school, None, Path("."))
        ctf.export_ctf(session, _pupil_id(session, args.upn), out)
    finally:
        session.close()
    print(f"Wrote {out}")
    return 0


def cmd_ctf_import(args: argparse.Namespace, secrets: Secrets) -> int:
    session = open_session(args.db, args.user, secrets)
    try:
        result = ctf.import_ctf(session, args.file)
    finally:
        session.close()
    for line in result.conflicts:
        print(f"conflict: {line}", file=sys.stderr)
    for line in result.not_found:
        print(f"not found: {line}", file=sys.stderr)
    print(f"Read the CTF from {result.source}: {len(result.applied)} updated, "
          f"{len(result.unchanged)} unchanged, {len(result.conflicts)} left for you to decide, "
          f"{len(result.not_found)} not in this database.")
    return 0
