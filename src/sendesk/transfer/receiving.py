"""Receiving a pupil's file from their previous school, and closing the loop with a receipt.

open_package() verifies the whole package and says what it holds, who sent it, with which key,
and which of this school's pupils it matches by UPN (or that a new record will be made). For a
pupil already here it lists every decision to make: a detail that differs, a current status,
need, register entry, pathway or draft that both schools hold, and every record the package
would add (each contact, above all one with parental responsibility, each status, need,
plan, consent and note; see arrivals.py). For any pupil it says where the sender reads a
measure the other way from this school (directions.py: this school's answer is kept). Nothing
is merged silently; import_package() takes the user's decision on each and imports in one
transaction, then returns a receipt signed with this school's key. A new pupil arrives as this
school's record: admitted on the arrival day, in the year group and class chosen here
(Arrival). The sender's import_receipt() verifies the receipt against the transfer it sent and
records it; until someone checks the receiving school's key fingerprint with them
(schools.confirm_key) it is not read as acknowledged.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..crypto import signing
from ..errors import ValidationError
from ..models import bounded_json, dates, matching
from ..models.calendar import SchoolCalendar
from ..models.pupils import FIELD_LABELS, clean_details
from ..models.roles import Permission
from ..models.school import SchoolIdentity
from ..models.text import hidden_character
from ..operations import Kind, changed, operation, viewed
from ..records import pupils, review_requests
from ..records._common import pupil_row, record_changes, today
from ..session import Session
from ..store.database import IntegrityError
from ..store.files import read_limited
from . import arrivals, current, directions, row_types
from . import passphrase as passphrases
from .errors import NotForThisSchool, TamperedPackage, UnexpectedSigner, UnknownVersion
from .package import MAX_PACKAGE_BYTES, OpenedPackage, canonical_json, package_fingerprint, read_package
from .record import Held, Loader, already_held, owned_tables, parse_record
from .schools import digits, expected_receipt_keys, key_check, known_keys, school_getter, school_refs, transfer_school
from .sending import school_keys

RECEIPT_FORMAT = "sendesk-transfer-receipt"
RECEIPT_VERSION = 1
RECEIPT_SUFFIX = ".sendesk-receipt"
MAX_RECEIPT_BYTES = 64 * 1024
IDENTITY_FIELDS = ("legal_surname", "legal_forename", "preferred_surname", "preferred_forename",
                   "dob", "gender")
OURS, THEIRS = "ours", "theirs"


def school_ref(school: Mapping[str, Any] | SchoolIdentity) -> str:
    """How two schools are compared: URN where given, else LA/establishment."""
    refs = school_refs(school)
    return refs[0] if refs else ""


def _same_school(a: Mapping[str, Any] | SchoolIdentity, b: Mapping[str, Any] | SchoolIdentity) -> bool:
    get_a, get_b = school_getter(a), school_getter(b)
    if digits(get_a("urn")) and digits(get_b("urn")):
        return digits(get_a("urn")) == digits(get_b("urn"))
    if digits(get_a("la_code")) and digits(get_b("la_code")):
        return ((digits(get_a("la_code")), digits(get_a("estab")))
                == (digits(get_b("la_code")), digits(get_b("estab"))))
    return False


def describe_school(school: Mapping[str, Any]) -> str:
    ref = SchoolIdentity(school.get("name") or "", school.get("urn"), school.get("la_code"),
                         school.get("estab")).reference
    return f"{school.get('name')} ({ref})" if ref else str(school.get("name"))


@dataclass(frozen=True)
class Conflict:
    key: str            # "field:<name>", "current:<table>", or "add:<table>[:<row id>]"
    label: str
    ours: str
    theirs: str
    warning: str = ""   # what taking theirs would mean, when that matters (a parent, a status)

    @property
    def is_addition(self) -> bool:
        """A record the package would add: "theirs" adds it, "ours" leaves it out."""
        return self.key.startswith(arrivals.ADD + ":")


@dataclass(frozen=True)
class Arrival:
    """What this school sets for a pupil who arrives new: the admission date (the day they
    arrive, not the old school's), and the year group and class here, offered from the package
    but never copied without being shown."""

    admission_date: dt.date | str | None = None   # None: today
    year_group: str | None = None                 # None: the package's
    class_name: str | None = None                 # this school's class; none until chosen


@dataclass
class Preview:
    """A verified package and what importing it would do."""

    package: OpenedPackage
    record: dict[str, Any]
    sender: dict[str, Any]
    sender_fingerprint: str
    sender_known: bool          # we have received from this school, with this key, before
    pupil: dict[str, Any]
    existing_pupil_id: int | None
    conflicts: list[Conflict]
    contents: list[str]
    stripped: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    held: Held = field(default_factory=dict)   # package rows already held here (not offered)
    # The sender's answer for which way each measure improves, beside ours (directions.py).
    directions: list[directions.Arriving] = field(default_factory=list)

    @property
    def package_fingerprint(self) -> str:
        return self.package.fingerprint


def admission_warning(calendar: SchoolCalendar, admission_date: dt.date | str | None,
                      day: dt.date) -> str:
    """A sentence when the admission date (``day`` when none is given) is not a school day,
    else '': accepted, not refused (a pupil is often admitted on paper on a holiday or a
    weekend), but the SENCO should know, as the review after arrival counts from it. A date that
    does not read as one gives '' here: the import refuses it in its own sentence."""
    try:
        admitted = dates.parse_date(admission_date, "Admission date", required=False) or day
    except ValidationError:
        return ""
    why = calendar.not_a_school_day(admitted)
    if why is None:
        return ""
    return (f"The admission date {dates.format_uk(admitted)} is {why}, not a school day. It is "
            "kept as given; check it is the day they start here, as the review after arrival "
            "is counted from it.")


def read_file(path: Path) -> bytes:
    return read_limited(Path(path), MAX_PACKAGE_BYTES, "records-transfer package")


def _same_name_other_key(session: Session, sender: Mapping[str, Any], key: bytes) -> list[str]:
    """A school of the same name pinned with a different key: worth a phone call."""
    name = " ".join(str(sender.get("name") or "").lower().split())
    return [f"A school named {r['school_name']} sent to you before with a different key "
            f"({signing.fingerprint(bytes.fromhex(r['public_key']))}). Phone them before importing."
            for r in session.db.query("SELECT school_name, public_key FROM known_senders")
            if " ".join(r["school_name"].lower().split()) == name
            and bytes.fromhex(r["public_key"]) != key]


def _conflicts(session: Session, pupil_id: int, pupil: Mapping[str, Any],
               record: Mapping[str, Any], held: Held) -> list[Conflict]:
    row = pupil_row(session, pupil_id)
    found = []
    for name in IDENTITY_FIELDS:
        ours, theirs = row[name] or "", pupil.get(name) or ""
        if ours != theirs:
            found.append(Conflict(f"field:{name}", FIELD_LABELS[name], ours or "(none)",
                                  theirs or "(none)"))
    for kind in current.KINDS:
        ours_now = current.ours(session, pupil_id, kind)
        here = held.get(kind.table, {})
        # Theirs that this school already holds is not a second current one: no conflict.
        theirs_now = [r for i, r in enumerate(record["tables"].get(kind.table, []))
                      if kind.is_open(r) and i not in here]
        if not ours_now or not theirs_now:
            continue
        if not {kind.same_slot(r) for r in ours_now} & {kind.same_slot(r) for r in theirs_now}:
            continue
        found.append(Conflict(f"current:{kind.table}", kind.label,
                              ", ".join(kind.describe(r) for r in ours_now),
                              ", ".join(kind.describe(r) for r in theirs_now)))
    for addition in arrivals.additions(record, owned_tables(session.db), held):
        found.append(Conflict(addition.key, addition.label, "(not here)", addition.text,
                              addition.warning))
    return found


@operation(Permission.EXPORT_TRANSFER, writes=False, audit="opened a records-transfer package")
def open_package(session: Session, data: bytes, passphrase: str) -> Preview:
    """Decrypt and verify a package and plan its import; nothing is written."""
    opened = read_package(data, passphrases.normalise(passphrase))
    manifest = opened.manifest
    if not school_refs(manifest["sender"]):
        raise TamperedPackage("This package does not give the sending school's URN or LA and "
                              "establishment number, so its signing key cannot be checked. Do "
                              "not import it; phone the sending school. Nothing was imported.")
    pinned = known_keys(session, manifest["sender"])
    wrong = [key for key in pinned.values() if key != opened.sender_public_key]
    known = wrong[0] if wrong else (opened.sender_public_key if pinned else None)
    if wrong:
        raise UnexpectedSigner(
            f"This package is signed by a key with fingerprint "
            f"{signing.fingerprint(opened.sender_public_key)}, but {manifest['sender']['name']} "
            f"signed with {signing.fingerprint(wrong[0])} before. Phone the sending school to check "
            "before going further. Nothing was imported.")
    if not _same_school(manifest["recipient"], session.school):
        raise NotForThisSchool(
            f"This package is addressed to {describe_school(manifest['recipient'])}, not to "
            f"{session.school.name}. Do not import it; tell the sending school. Nothing was "
            "imported.")
    if _same_school(manifest["sender"], session.school):
        raise NotForThisSchool("This package was sent by this school; it is opened by the school "
                               "it was sent to. Nothing was imported.")
    _not_imported_yet(session, manifest["package_id"])
    tables = owned_tables(session.db)
    record = parse_record(opened.item_of_kind("record"), tables, today(session))
    pupil = record["pupil"]
    if pupil.get("upn") != package_upn(manifest["pupil"].get("upn")):
        raise TamperedPackage("The record inside this package is for a different pupil from the "
                              "one its manifest names. Nothing was imported.")
    existing = _match(session, pupil["upn"])
    if existing is not None:
        _not_another_child(session, existing, pupil)
    held = (already_held(session.db, existing, record, tables, _attachments(opened))
            if existing is not None else {})
    conflicts = _conflicts(session, existing, pupil, record, held) if existing is not None else []
    contents = [f"{entry['title'] or entry['name']} ({_size(entry['size'])})"
                for entry in manifest["items"]]
    viewed(session, "pupil", existing, package_id=manifest["package_id"],
           **{"from": school_ref(manifest["sender"])})
    return Preview(opened, record, manifest["sender"], signing.fingerprint(opened.sender_public_key),
                   known is not None, pupil, existing, conflicts, contents,
                   list(manifest.get("stripped", [])),
                   {name: len(rows) for name, rows in record["tables"].items()},
                   [] if known is not None else
                   _same_name_other_key(session, manifest["sender"], opened.sender_public_key),
                   held, directions.compare(session.db, record[directions.FIELD]))


def _attachments(opened: OpenedPackage) -> dict[str, bytes]:
    return {entry["name"]: opened.items[entry["name"]] for entry in opened.manifest["items"]
            if entry["kind"] == "attachment"}


def package_upn(value: Any) -> str:
    """A UPN as a package carries it, in the form this school stores (upper case, no spaces)."""
    return "".join(str(value or "").split()).upper()


def _not_imported_yet(session: Session, package_id: str) -> None:
    done = session.db.scalar("SELECT happened_at FROM transfers WHERE direction = 'received' AND"
                             " package_id = ?", (package_id,))
    if done:
        raise ValidationError(f"This package was already imported on {_uk(done)}. Nothing was "
                              "imported again.")


def _uk(moment: str) -> str:
    """A stored moment's day as this school reads dates (dd/mm/yyyy)."""
    day = dates.from_text(moment[:10])
    return dates.format_uk(day) if day else moment[:10]


def _match(session: Session, upn: str) -> int | None:
    """This school's pupil with the UPN, refusing one whose archived record is read-only."""
    existing = session.db.scalar("SELECT id FROM pupils WHERE upper(upn) = ?", (upn,))
    if existing is not None and session.db.scalar("SELECT archived_at FROM pupils WHERE id = ?",
                                                  (existing,)):
        raise ValidationError(f"UPN {upn} belongs to a pupil who has left this school; "
                              "their archived record is read-only. Nothing was imported.")
    return existing


def _not_another_child(session: Session, pupil_id: int, pupil: Mapping[str, Any]) -> None:
    """The same-child rule of every import (models/matching.py). One identity field apart is
    listed as a conflict to decide; further apart, the UPN is held here for another child, and
    no choice of 'theirs' may turn this school's pupil into them."""
    row = pupil_row(session, pupil_id)
    ours = matching.Identity.of(row["legal_surname"], row["legal_forename"], row["dob"])
    theirs = matching.Identity.of(pupil.get("legal_surname"), pupil.get("legal_forename"),
                                  pupil.get("dob"))
    if not matching.may_be_same(matching.differences(ours, theirs)):
        raise ValidationError("This package names a different child from the pupil this school "
                              "holds under its UPN: " + matching.describe(pupil["upn"], ours, theirs,
                                                                          "the package")
                              + ". Phone the sending school to check the UPN. Nothing was "
                              "imported.")


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


@dataclass(frozen=True)
class Imported:
    pupil_id: int
    transfer_id: int
    created: bool
    receipt: bytes
    counts: dict[str, int]


def arrival_details(day: dt.date, pupil: Mapping[str, Any], arrival: Arrival | None):
    """The new pupil's details as this school records them on ``day``, checked as typed
    details are."""
    arrival = arrival or Arrival()
    raw = {k: pupil.get(k) for k in ("upn", "legal_surname", "legal_forename", "preferred_surname",
                                     "preferred_forename", "dob", "gender")}
    raw.update(year_group=pupil.get("year_group") if arrival.year_group is None
               else arrival.year_group,
               class_name=arrival.class_name or None,
               admission_date=arrival.admission_date or day)
    return clean_details(raw, day)


def _new_pupil(session: Session, pupil: Mapping[str, Any], arrival: Arrival | None) -> int:
    details = arrival_details(today(session), pupil, arrival)
    columns = pupils.details_columns(details)
    cursor = session.db.execute(pupils.INSERT_SQL, {**columns, "created_at": session.now_text(),
                                                    "created_by": session.user.id})
    return int(cursor.lastrowid)


# Declared as a read: the import's one transaction is _import's, so that a contradiction found
# when it commits is reported like one found while loading.
@operation(Permission.EXPORT_TRANSFER, writes=False)
def import_package(session: Session, preview: Preview, decisions: Mapping[str, str],
                   arrival: Arrival | None = None, receipt_out: Path | None = None) -> Imported:
    """Import in one transaction, as decided for each conflict and addition; returns the
    receipt. With ``receipt_out`` the receipt's folder is checked before anything is stored
    (the receipt is kept with the transfer too, and can be saved again from there)."""
    undecided = [c.label for c in preview.conflicts if decisions.get(c.key) not in (OURS, THEIRS)]
    if undecided:
        raise ValidationError("Decide which version to keep for: "
                              + ", ".join(dict.fromkeys(undecided)) + ". Nothing was imported.")
    _taken_current_kept(preview, decisions)
    if preview.existing_pupil_id is None:
        arrival_details(today(session), preview.pupil, arrival)   # a bad date refuses first
    if receipt_out is not None:
        check_receipt_path(Path(receipt_out))
    manifest = preview.package.manifest
    left = dates.from_text(manifest.get("leaving_date")) or today(session)
    day = today(session)
    close_imported: dict[str, dt.date] = {}
    close_ours: list[str] = []
    for conflict in preview.conflicts:
        kind, _, name = conflict.key.partition(":")
        if kind != "current":
            continue
        if decisions[conflict.key] == OURS:
            close_imported[name] = min(left, day)   # theirs kept as history, ended when they left
        else:
            close_ours.append(name)                 # ours ends today; theirs carries on
    try:
        return _import(session, preview, decisions, left, day, close_imported, close_ours,
                       arrival)
    except IntegrityError as exc:
        raise TamperedPackage("The record inside this package holds entries that contradict each "
                              "other or this school's records (for example two current SEN "
                              "statuses). Nothing was imported.") from exc


# A received record holds every kind of record about the pupil.
_RECORD_KINDS = (Kind.PUPIL, Kind.CONTACT, Kind.CONSENT, Kind.NOTE, Kind.REGISTER, Kind.SEN,
                 Kind.NOTIFICATION, Kind.PATHWAY, Kind.SPECIALIST, Kind.EHC, Kind.MEASURE)


@operation(Permission.EXPORT_TRANSFER, audit="received a records transfer")
def _import(session: Session, preview: Preview, decisions: Mapping[str, str], left: dt.date,
            day: dt.date, close_imported: dict[str, dt.date], close_ours: list[str],
            arrival: Arrival | None = None) -> Imported:
    manifest = preview.package.manifest
    # Checked again inside the transaction: another window may have imported it meanwhile.
    _not_imported_yet(session, manifest["package_id"])
    if _match(session, preview.pupil["upn"]) != preview.existing_pupil_id:
        raise ValidationError("This school's records changed since the package was opened. "
                              "Open the package again. Nothing was imported.")
    existing = preview.existing_pupil_id
    created = existing is None
    pupil_id = _new_pupil(session, preview.pupil, arrival) if existing is None else int(existing)
    attachments = _attachments(preview.package)
    tables = owned_tables(session.db)
    # Held again now, inside the transaction: a row added here since is not written twice;
    # one held when the package was opened but gone since was never offered, so stays out.
    held = (already_held(session.db, pupil_id, preview.record, tables, attachments)
            if not created else {})
    skip_rows, skip_tables = arrivals.left_out(
        decisions, [c.key for c in preview.conflicts if c.is_addition], OURS)
    for name, rows in preview.held.items():
        package_rows = preview.record["tables"].get(name, [])
        skip_rows |= {(name, package_rows[i]["id"]) for i in rows
                      if i not in held.get(name, {}) and "id" in package_rows[i]}
    if not created:
        _apply_identity(session, pupil_id, preview, decisions)
        for table in close_ours:
            current.end_ours(session, pupil_id, current.BY_TABLE[table], day,
                             keep=set(held.get(table, {}).values()))
    loader = Loader(session, pupil_id, preview.sender["name"], attachments,
                    close_imported=close_imported, skip_rows=skip_rows, skip_tables=skip_tables,
                    held=held)
    # Which way the measures improve, read again now (an answer given since the package was
    # opened is kept) and before the pupil's own measures are loaded (only ours are counted).
    arriving = directions.compare(session.db, preview.record[directions.FIELD])
    loader.load(preview.record, tables)
    # The sender's answer where nobody here reads the name yet.
    found = directions.take(session, arriving,
                            directions.names_in(preview.record["tables"], loader.ids))
    # The sender scheduled EHC reviews by its own term dates and year group; ours rule here
    # (records/derived.py works them out again for the pupil reported below).
    for kind in _RECORD_KINDS:
        changed(session, kind, pupil_id)
    # The receiving school reviews soon after arrival (Year 7: before the autumn term ends).
    review_requests.after_arrival(session, pupil_id, preview.sender["name"])
    ref = school_ref(preview.sender)
    for each in school_refs(preview.sender):
        if session.db.scalar("SELECT 1 FROM known_senders WHERE school_ref = ?", (each,)) is None:
            session.db.execute("INSERT INTO known_senders (school_ref, school_name, public_key,"
                               " first_seen, recorded_by) VALUES (?, ?, ?, ?, ?)",
                               (each, preview.sender["name"], preview.sender["public_key"],
                                session.now_text(), session.user.id))
    receipt = make_receipt(session, manifest, preview.package.manifest_sha256)
    cursor = session.db.execute(
        "INSERT INTO transfers (direction, package_id, pupil_id, upn, school_name, school_urn,"
        " school_la, school_estab, school_contact, school_key, manifest_sha256, items, stripped,"
        " leaving_date, status, happened_at, done_by, receipt) VALUES ('received', ?, ?, ?,"
        " ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, 'received', ?, ?, ?)",
        (manifest["package_id"], pupil_id, preview.pupil["upn"], preview.sender["name"],
         preview.sender.get("urn"), preview.sender.get("la_code"), preview.sender.get("estab"),
         preview.sender["public_key"], preview.package.manifest_sha256,
         json.dumps([{k: e[k] for k in ("name", "kind", "title", "size", "sha256")}
                     for e in manifest["items"]]),
         json.dumps(preview.stripped), manifest.get("leaving_date"), session.now_text(),
         session.user.id, receipt.decode("utf-8")))
    transfer_id = int(cursor.lastrowid)
    sender: dict[str, Any] = {"from": ref}   # "from" is a keyword: passed as a dict
    changed(session, Kind.TRANSFER, pupil_id, transfer_id=transfer_id, created=created,
            decisions={k: v for k, v in decisions.items()}, **sender,
            **directions.audit(found))
    return Imported(pupil_id, transfer_id, created, receipt, dict(loader.counts))


def _taken_current_kept(preview: Preview, decisions: Mapping[str, str]) -> None:
    """Taking the package's current status (say) ends ours: then theirs cannot be left out."""
    for conflict in preview.conflicts:
        kind, _, table = conflict.key.partition(":")
        if kind != "current" or decisions.get(conflict.key) != THEIRS:
            continue
        open_rows = [r for r in preview.record["tables"].get(table, [])
                     if current.BY_TABLE[table].is_open(r)]
        if any(decisions.get(f"{arrivals.ADD}:{table}:{r.get('id')}",
                             decisions.get(f"{arrivals.ADD}:{table}")) == OURS for r in open_rows):
            raise ValidationError(f"You chose the package's {conflict.label} but left it out; "
                                  "add it, or keep this school's. Nothing was imported.")


def check_receipt_path(path: Path) -> None:
    """Refuse, before anything is stored, a receipt file that could not be written: a missing
    folder, a folder in its place, or one sendesk may not write to."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ValidationError(f"{path} is a folder; give a file name for the receipt. Nothing "
                              "was imported.", field="receipt")
    if not folder.is_dir():
        raise ValidationError(f"The folder {folder} does not exist, so the receipt could not be "
                              "saved there. Nothing was imported.", field="receipt")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValidationError(f"sendesk may not write to {folder}, so the receipt could not be "
                              "saved there. Nothing was imported.", field="receipt")


def _apply_identity(session: Session, pupil_id: int, preview: Preview,
                    decisions: Mapping[str, str]) -> None:
    taken = [c.key.split(":", 1)[1] for c in preview.conflicts
             if c.key.startswith("field:") and decisions[c.key] == THEIRS]
    if not taken:
        return
    row = session.db.query_one("SELECT * FROM pupils WHERE id = ?", (pupil_id,))
    old = pupils.details_from_row(row)
    merged = {name: getattr(old, name) for name in pupils.EDITABLE_FIELDS}
    merged.update({name: preview.pupil.get(name) for name in taken})
    new = clean_details(merged, today(session))
    old_columns, new_columns = pupils.details_columns(old), pupils.details_columns(new)
    record_changes(session, pupil_id, "pupil", pupil_id, {n: old_columns[n] for n in taken},
                   {n: new_columns[n] for n in taken})
    assignments = ", ".join(f"{name} = :{name}" for name in new_columns)
    session.db.execute(f"UPDATE pupils SET {assignments} WHERE id = :id", {**new_columns, "id": pupil_id})


# --- receipts ---------------------------------------------------------------------------------

def make_receipt(session: Session, manifest: Mapping[str, Any], manifest_sha256: str) -> bytes:
    """A receipt signed with our key: which package, received by whom and when."""
    private, public = school_keys(session)
    body = {"format": RECEIPT_FORMAT, "version": RECEIPT_VERSION,
            "package_id": manifest["package_id"], "manifest_sha256": manifest_sha256,
            "package_fingerprint": package_fingerprint(manifest_sha256),
            "sending_school": {k: manifest["sender"].get(k) for k in ("name", "urn", "la_code", "estab")},
            "receiving_school": {"name": session.school.name, "urn": session.school.urn,
                                 "la_code": session.school.la_code, "estab": session.school.estab,
                                 "public_key": public.hex()},
            "received_by": session.user.full_name, "received_at": session.now_text()}
    signature = signing.sign(private, canonical_json(body))
    return canonical_json({"receipt": body, "signature": signature.hex()})


def _bad_receipt(detail: str) -> TamperedPackage:
    return TamperedPackage(f"This receipt cannot be accepted ({detail}). Ask the receiving school "
                           "to send it again. Nothing was changed.")


def parse_receipt(data: bytes) -> dict[str, Any]:
    """Check a receipt's form and signature (by the key it names)."""
    try:
        outer = bounded_json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _bad_receipt("it is not a sendesk receipt") from exc
    if not isinstance(outer, dict) or not isinstance(outer.get("receipt"), dict):
        raise _bad_receipt("it is not a sendesk receipt")
    body = outer["receipt"]
    if body.get("format") != RECEIPT_FORMAT:
        raise _bad_receipt("it is not a sendesk receipt")
    if body.get("version") != RECEIPT_VERSION:
        raise UnknownVersion(f"This receipt is version {body.get('version')}; this sendesk reads "
                             f"version {RECEIPT_VERSION}. Install the latest sendesk.")
    school = body.get("receiving_school")
    texts = [body.get(k) for k in ("package_id", "manifest_sha256", "received_by", "received_at")]
    if (not isinstance(school, dict) or not isinstance(school.get("public_key"), str)
            or not isinstance(outer.get("signature"), str)
            or not all(isinstance(t, str) and 0 < len(t) <= 200 for t in texts)
            or not all(school.get(k) is None or isinstance(school.get(k), str)
                       for k in ("name", "urn", "la_code", "estab"))):
        raise _bad_receipt("it lacks a detail every receipt has")
    try:
        public = bytes.fromhex(school["public_key"])
        signature = bytes.fromhex(outer["signature"])
    except ValueError as exc:
        raise _bad_receipt("it lacks a detail every receipt has") from exc
    if len(public) != 32 or not signing.signature_valid(public, canonical_json(body), signature):
        raise _bad_receipt("its signature does not match its contents")
    _check_receipt_text(body)
    return body


def _check_receipt_text(body: dict[str, Any]) -> None:
    """The signatory and school come from another school's computer: held to the rules typed
    names are (no hidden characters, no markup), and the time must be a real one."""
    try:
        body["received_by"] = row_types.clean_outside_name(body["received_by"])
    except row_types.Fault as exc:
        raise _bad_receipt(f"the name of the person who signed it {exc}") from None
    for key in ("name", "urn", "la_code", "estab"):
        text = body["receiving_school"].get(key)
        if text is not None and (hidden_character(text) is not None or row_types.markup_in(text)):
            raise _bad_receipt("the receiving school is named with hidden characters or markup")
    try:
        row_types.check_timestamp(body["received_at"], dt.date.max)
    except row_types.Fault as exc:
        raise _bad_receipt(f"the time it was signed {exc}") from None


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Acknowledged:
    transfer_id: int
    pupil_id: int
    school: str
    received_by: str
    received_at: str
    school_fingerprint: str
    key_known: bool       # the receipt's key is one already seen for that school
    key_confirmed: bool   # someone has checked its fingerprint with that school


RECEIPT_KEY_UNCONFIRMED = ("This school's key has not been checked with them yet: phone them, "
                           "check that they read out the same fingerprint, and record the check.")


@operation(Permission.EXPORT_TRANSFER, audit="recorded a transfer receipt")
def import_receipt(session: Session, data: bytes) -> Acknowledged:
    """Close a sent transfer with the receiving school's signed receipt."""
    body = parse_receipt(data)
    row = session.db.query_one("SELECT * FROM transfers WHERE direction = 'sent' AND package_id = ?",
                               (body["package_id"],))
    if row is None or row["manifest_sha256"] != body["manifest_sha256"]:
        raise NotForThisSchool("This receipt is for a package this school did not send (or it was "
                               "sent from another database). Nothing was changed.")
    school = body["receiving_school"]
    recorded = {"urn": row["school_urn"], "la_code": row["school_la"], "estab": row["school_estab"]}
    if not _same_school(school, recorded):
        raise NotForThisSchool(f"This receipt was signed by {describe_school(school)}, but the "
                               f"package was sent to {row['school_name']}. Nothing was changed.")
    if _moment(body["received_at"]) < _moment(row["happened_at"]):
        raise _bad_receipt(f"it says the package was received on {_uk(body['received_at'])}, "
                           f"before it was sent on {_uk(row['happened_at'])}")
    if row["status"] == "acknowledged":
        raise ValidationError(f"This transfer was already acknowledged on "
                              f"{_uk(row['acknowledged_at'])}. Nothing was changed.")
    signer = bytes.fromhex(school["public_key"])
    expected = expected_receipt_keys(session, row)
    if expected and signer not in expected:
        raise UnexpectedSigner(
            f"This receipt is signed by a key with fingerprint {signing.fingerprint(signer)}, but "
            f"{row['school_name']} is known here by "
            + " or ".join(sorted(signing.fingerprint(k) for k in expected))
            + ". Phone the receiving school before accepting it. Nothing was changed.")
    session.db.execute(
        "UPDATE transfers SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?,"
        " school_key = ?, receipt = ?, closed_at = ?, closed_by = ? WHERE id = ?",
        (body["received_at"], body["received_by"], school["public_key"], data.decode("utf-8"),
         session.now_text(), session.user.id, row["id"]))
    checked = key_check(session.db, transfer_school(row), school["public_key"]) is not None
    changed(session, Kind.TRANSFER, row["pupil_id"], transfer_id=row["id"],
            signer=signing.fingerprint(signer), key_known=bool(expected), key_confirmed=checked)
    return Acknowledged(row["id"], row["pupil_id"], row["school_name"], body["received_by"],
                        body["received_at"], signing.fingerprint(signer), bool(expected), checked)


def read_receipt_file(path: Path) -> bytes:
    return read_limited(Path(path), MAX_RECEIPT_BYTES, "transfer receipt")

