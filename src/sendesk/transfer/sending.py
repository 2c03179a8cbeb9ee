"""Sending a pupil's file to their next school.

check_before_sending() gathers what the SENCO must confirm (consent to share, everyone with
parental responsibility, protected addresses removed, attachments going with the file);
send() writes the package and, in the same transaction, records the transfer (what, to whom,
its fingerprint, by whom and when, and the deadline 15 school days after the pupil left) and
archives the pupil's record, which from then on is read-only. The package file is written last
inside that transaction, so a full disk leaves neither a file nor a record of one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..crypto import signing
from ..errors import ValidationError
from ..models import dates
from ..models.calendar import TRANSFER_SCHOOL_DAYS, add_school_days, school_days_late
from ..models.roles import Permission
from ..models.school import SchoolIdentity, parse_school_reference
from ..models.text import clean_line
from ..operations import Kind, changed, operation, viewed
from ..records import pupils
from ..records._common import pupil_row, today
from ..records.school_calendar import calendar_of
from ..session import Session
from ..store.files import atomic_write
from . import ctf
from . import passphrase as passphrases
from .package import Item, package_fingerprint, sha256, write_package
from .record import dump_record
from .schools import known_keys


@dataclass(frozen=True)
class Recipient:
    name: str
    urn: str | None = None
    la_code: str | None = None
    estab: str | None = None
    contact: str | None = None

    @property
    def identity(self) -> SchoolIdentity:
        return SchoolIdentity(self.name, self.urn, self.la_code, self.estab)

    @property
    def reference(self) -> str:
        return self.identity.reference

    def as_manifest(self) -> dict[str, str | None]:
        return {"name": self.name, "urn": self.urn, "la_code": self.la_code, "estab": self.estab,
                "contact": self.contact}


def make_recipient(name: str, reference: str, contact: str = "") -> Recipient:
    """The receiving school: its name, URN or LA/establishment number, and a named contact."""
    return Recipient(clean_line(name, "Receiving school", max_length=120),
                     contact=clean_line(contact or "", "Named contact", max_length=120,
                                        required=False) or None,
                     **parse_school_reference(reference))


@dataclass(frozen=True)
class Attachment:
    title: str
    filename: str
    size: int


@dataclass(frozen=True)
class SendChecks:
    """What the sender confirms before the file goes."""

    pupil_id: int
    pupil_name: str
    upn: str
    consents: list[str]            # active consents to share with another school, described
    parental: list[str]            # contacts with parental responsibility
    stripped: list[str]            # protected details that will be taken out
    attachments: list[Attachment]
    warnings: list[str]            # things to put right or consciously accept


def _attachments(session: Session, pupil_id: int) -> list[Attachment]:
    rows = session.db.query(
        "SELECT r.title, r.filename, r.size FROM specialist_reports r JOIN specialist_involvements i"
        " ON i.id = r.involvement_id WHERE i.pupil_id = ? ORDER BY r.report_date, r.id", (pupil_id,))
    return [Attachment(r["title"], r["filename"], r["size"]) for r in rows]


# Consent scopes are free text; a consent counts for a transfer when its scope speaks of
# sharing with a school or setting (or the move itself), not e.g. a referral to a therapist.
SHARES_WITH_SCHOOL = re.compile(r"\b(schools?|settings?|transfers?|transition|colleges?|"
                                r"academy|academies)\b", re.IGNORECASE)
NO_CONSENT = ("No consent to share with another school is recorded for this pupil. Record the "
              "parents' (or young person's) consent first; or, since the file must still go to "
              "the next school, send it without and say why (the reason is kept in the audit "
              "log). Nothing was sent.")


def _consents_to_share(session: Session, pupil_id: int) -> list[str]:
    """Active consents whose scope covers sharing with another school, described."""
    return [f"{r['given_by']} ({r['giver_kind']}) on "
            f"{dates.format_uk(dt.date.fromisoformat(r['given_on']))}: {r['scope']}"
            for r in session.db.query("SELECT * FROM consents WHERE pupil_id = ? AND"
                                      " withdrawn_on IS NULL ORDER BY given_on", (int(pupil_id),))
            if SHARES_WITH_SCHOOL.search(r["scope"] or "")]


@operation(Permission.EXPORT_TRANSFER, writes=False,
           audit="checked a pupil's file before a transfer")
def check_before_sending(session: Session, pupil_id: int) -> SendChecks:
    row = pupil_row(session, pupil_id)
    consents = _consents_to_share(session, pupil_id)
    parental = [f"{r['name']} ({r['relationship']})" for r in session.db.query(
        "SELECT name, relationship FROM contacts WHERE pupil_id = ? AND ended_on IS NULL AND"
        " parental_responsibility = 1 ORDER BY id", (pupil_id,))]
    dump = dump_record(session, int(pupil_id))
    warnings = []
    if not consents:
        warnings.append("No consent to share with another school is recorded. The file must "
                        "still go to the next school: record the consent first, or send without "
                        "it and say why (kept in the audit log).")
    if not parental:
        warnings.append("No contact with parental responsibility is recorded; the receiving "
                        "school will not know whom to involve.")
    if transfers_of(session, pupil_id, "sent"):
        warnings.append("This pupil's file has been sent before; this will be a second package.")
    viewed(session, "pupil", int(pupil_id))
    return SendChecks(int(pupil_id), f"{row['legal_forename']} {row['legal_surname']}", row["upn"],
                      consents, parental, dump.stripped, _attachments(session, int(pupil_id)),
                      warnings)


def transfers_of(session: Session, pupil_id: int, direction: str) -> list[int]:
    return [r[0] for r in session.db.query(
        "SELECT id FROM transfers WHERE pupil_id = ? AND direction = ? ORDER BY id",
        (int(pupil_id), direction))]


@dataclass(frozen=True)
class SentPackage:
    transfer_id: int
    path: Path
    passphrase: str
    fingerprint: str         # the package's (manifest hash), for forms and phone calls
    school_fingerprint: str  # our signing key's
    deadline: dt.date
    items: list[dict]
    stripped: list[str]
    late: str | None = None  # said when the deadline has passed: by how many school days


@dataclass(frozen=True)
class LeavingDeadline:
    """The day the pupil leaves (or left) and the day their file must reach the next school."""

    left: dt.date
    deadline: dt.date
    late_by: int | None  # school days past the deadline today; None when it has not passed

    def late_sentence(self) -> str | None:
        """What the CLI and the send wizard both say when the file is late, or None."""
        if self.late_by is None:
            return None
        how = (f"{self.late_by} school day{'s' if self.late_by != 1 else ''} late"
               if self.late_by else "late")
        return (f"The file is {how}: it was due at the new school by "
                f"{dates.format_uk(self.deadline)} ({TRANSFER_SCHOOL_DAYS} school days after the "
                f"pupil left on {dates.format_uk(self.left)}). Send it now.")

    def sentence(self) -> str:
        return self.late_sentence() or (
            f"The file must reach the new school by {dates.format_uk(self.deadline)} "
            f"({TRANSFER_SCHOOL_DAYS} school days after leaving on {dates.format_uk(self.left)}).")


@operation(Permission.EXPORT_TRANSFER, writes=False)
def leaving_deadline(session: Session, pupil_id: int,
                     leaving_date: dt.date | str | None = None) -> LeavingDeadline:
    """The leaving date a transfer would use and its deadline, checked as send checks it: for
    the send wizard to show before anything is written."""
    return _leaving_deadline(session, pupil_row(session, int(pupil_id)), leaving_date)


def _leaving_deadline(session: Session, row: Any, leaving_date: dt.date | str | None) -> LeavingDeadline:
    """A pupil who has already left keeps the leaving date on their record (a different one
    given is refused, not silently ignored); otherwise they leave on leaving_date (or today),
    which may be ahead up to the end of the school year but not more than a year back."""
    day = today(session)
    calendar = calendar_of(session)
    if row["archived_at"] is not None:
        left = dates.from_text(row["leaving_date"]) or day
        given = dates.parse_date(leaving_date, "Leaving date", required=False)
        if given is not None and given != left:
            raise ValidationError(
                f"This pupil has already left: their record gives the leaving date "
                f"{dates.format_uk(left)}, and the {TRANSFER_SCHOOL_DAYS} school days count from "
                f"it. Give no leaving date, or {dates.format_uk(left)}.", field="leaving_date")
    else:
        left = dates.check_leaving_date(leaving_date, day, calendar.last_day_of_school_year(day))
    deadline = add_school_days(left, TRANSFER_SCHOOL_DAYS, calendar)
    late_by = school_days_late(deadline, day, calendar) if deadline < day else None
    return LeavingDeadline(left, deadline, late_by)


def school_keys(session: Session) -> tuple[bytes, bytes]:
    rows = {r["key"]: r["value"] for r in session.db.query(
        "SELECT key, value FROM meta WHERE key IN ('signing_private_key', 'signing_public_key')")}
    return bytes.fromhex(rows["signing_private_key"]), bytes.fromhex(rows["signing_public_key"])


@operation(Permission.VIEW_RECORDS, writes=False)
def school_fingerprint(session: Session) -> str:
    """Our school's signing-key fingerprint, as printed on forms and shown in settings."""
    value = session.db.scalar("SELECT value FROM meta WHERE key = 'signing_public_key'")
    return signing.fingerprint(bytes.fromhex(value))


def _school(identity: SchoolIdentity) -> dict[str, str | None]:
    return {"name": identity.name, "urn": identity.urn, "la_code": identity.la_code,
            "estab": identity.estab}


# The package is drawn and encrypted (the PDF, scrypt) before any write, so the database is not
# held for seconds: send itself is declared as a read and records the transfer through
# _record_sent, one short write of its own.
@operation(Permission.EXPORT_TRANSFER, writes=False)
def send(session: Session, pupil_id: int, recipient: Recipient, out_path: Path,
         render_file_pdf: Callable[[Session, int], bytes], chosen_passphrase: str | None = None,
         leaving_date: dt.date | str | None = None,
         count_pages: Callable[[bytes], int] | None = None,
         without_consent: str | None = None) -> SentPackage:
    """Write the package and record the transfer; the pupil's record becomes read-only.

    render_file_pdf makes the full SEND file PDF (the core never draws PDFs itself) and
    count_pages, when given, counts its pages for the acknowledgement form. A pupil who has
    already left keeps their leaving date; otherwise they leave on leaving_date (or today), from
    which the 15 school days count (see _leaving_deadline). Without a recorded consent to share,
    the file goes only when without_consent says why.
    """
    pupil_id = int(pupil_id)
    leaving = _leaving_deadline(session, pupil_row(session, pupil_id), leaving_date)
    override = " ".join((without_consent or "").split())[:500] or None
    if not _consents_to_share(session, pupil_id) and override is None:
        raise ValidationError(NO_CONSENT, field="consent")
    out_path = Path(out_path)
    secret = (passphrases.check_chosen(passphrases.normalise(chosen_passphrase))
              if chosen_passphrase else passphrases.generate())
    row = pupil_row(session, pupil_id)
    left, deadline = leaving.left, leaving.deadline
    pdf = render_file_pdf(session, pupil_id)
    dump = dump_record(session, pupil_id)
    items = [Item("record.json", "record", json.dumps(dump.record, ensure_ascii=False,
                                                      sort_keys=True).encode("utf-8"),
                  "The full SEND record (for sendesk)", "application/json"),
             Item("send-file.pdf", "pdf", pdf, "The full SEND file (PDF)", "application/pdf"),
             Item("ctf.xml", "ctf", ctf.build_ctf(session, [pupil_id], recipient.identity),
                  "Common Transfer File (DfE CTF XML)", "application/xml")]
    for name, content, info in dump.attachments:
        described = info["row"]
        items.append(Item(name, "attachment", content,
                          str(described.get("title") or described.get("filename") or name)[:300],
                          str(described.get("media_type") or "application/octet-stream")[:100]))
    private, public = school_keys(session)
    header = {"package_id": uuid.uuid4().hex, "created_at": session.now_text(),
              "sender": _school(session.school), "recipient": recipient.as_manifest(),
              "pupil": {"upn": row["upn"], "legal_surname": row["legal_surname"],
                        "legal_forename": row["legal_forename"], "dob": row["dob"]},
              "leaving_date": left.isoformat(), "stripped": dump.stripped}
    data, manifest = write_package(header, items, private, secret)
    manifest_hash = sha256(manifest)
    listed = json.loads(manifest)["items"]
    summaries = _item_summaries(listed, count_pages(pdf) if count_pages else None)
    transfer_id = _record_sent(session, pupil_id, row["archived_at"] is None, recipient, out_path,
                               data, header, manifest_hash, summaries, dump.stripped, left,
                               deadline, override)
    return SentPackage(transfer_id, out_path, secret, package_fingerprint(manifest_hash),
                       signing.fingerprint(public), deadline, listed, dump.stripped,
                       leaving.late_sentence())


@operation(Permission.EXPORT_TRANSFER, audit="sent a records transfer")
def _record_sent(session: Session, pupil_id: int, still_here: bool, recipient: Recipient,
                 out_path: Path, data: bytes, header: dict, manifest_hash: str,
                 summaries: list[dict], stripped: list[str], left: dt.date, deadline: dt.date,
                 override: str | None) -> int:
    """Archive the leaver, record the transfer and write the package, all or nothing."""
    if still_here:
        pupils.archive_leaver(session, pupil_id, left, recipient.name)
    cursor = session.db.execute(
        "INSERT INTO transfers (direction, package_id, pupil_id, upn, school_name, school_urn,"
        " school_la, school_estab, school_contact, school_key, manifest_sha256, items, stripped,"
        " leaving_date, deadline, status, happened_at, done_by) VALUES ('sent', ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?, 'awaiting acknowledgement', ?, ?)",
        (header["package_id"], pupil_id, header["pupil"]["upn"], recipient.name, recipient.urn,
         recipient.la_code, recipient.estab, recipient.contact,
         _receiver_key(session, recipient), manifest_hash, json.dumps(summaries),
         json.dumps(stripped), left.isoformat(), deadline.isoformat(), session.now_text(),
         session.user.id))
    transfer_id = int(cursor.lastrowid)
    overridden: dict[str, Any] = {"sent_without_consent_to_share": override} if override else {}
    changed(session, Kind.TRANSFER, pupil_id, transfer_id=transfer_id, to=recipient.reference,
            fingerprint=package_fingerprint(manifest_hash), **overridden)
    atomic_write(out_path, data)
    return transfer_id


def _receiver_key(session: Session, recipient: Recipient) -> str | None:
    """The receiving school's key, when it has sent us a package before: its receipt must
    then be signed with that key (receiving.import_receipt checks)."""
    keys = set(known_keys(session, recipient.identity).values())
    return next(iter(keys)).hex() if len(keys) == 1 else None


def _item_summaries(listed: list[dict], pdf_pages: int | None) -> list[dict]:
    """What the transfer row keeps of each item: enough for the acknowledgement form."""
    return [{"name": i["name"], "kind": i["kind"], "title": i["title"], "size": i["size"],
             "sha256": i["sha256"], "pages": pdf_pages if i["kind"] == "pdf" else None}
            for i in listed]
