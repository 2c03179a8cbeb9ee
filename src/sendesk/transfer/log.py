"""The school's record of transfers: what went where (or came from where), when, by whom, its
fingerprint, deadline and acknowledgement; the signed scan of a paper acknowledgement form,
kept inside the encrypted database like a specialist's report; a saved receipt that can be
written out again if the first copy went astray; and whether the other school's signing key
has been checked with them (until it is, the transfer says so)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..crypto import signing
from ..errors import ValidationError
from ..models import dates
from ..models.roles import Permission
from ..models.specialists import check_report_file, check_report_size
from ..operations import Kind, changed, operation, viewed
from ..session import Session
from ..store.database import Row
from ..store.files import atomic_write
from .package import package_fingerprint
from .schools import KeyCheck, key_check, transfer_school


@dataclass(frozen=True)
class TransferItem:
    name: str
    kind: str
    title: str
    size: int
    pages: int | None


@dataclass(frozen=True)
class Scan:
    id: int
    filename: str
    size: int
    entered_at: str


@dataclass(frozen=True)
class Transfer:
    id: int
    direction: str                  # sent or received
    pupil_id: int
    upn: str
    school_name: str
    school_reference: str
    contact: str | None
    school_key: str | None          # the other school's signing key, once known
    fingerprint: str                # the package's
    items: tuple[TransferItem, ...]
    stripped: tuple[str, ...]
    leaving_date: dt.date | None
    deadline: dt.date | None
    status: str
    happened_at: str
    done_by: str
    acknowledged_at: str | None
    acknowledged_by: str | None
    has_receipt: bool
    scans: tuple[Scan, ...]
    key_check: KeyCheck | None = None     # the other school's key, checked with them

    @property
    def key_fingerprint(self) -> str:
        return signing.fingerprint(bytes.fromhex(self.school_key)) if self.school_key else ""

    @property
    def needs_key_check(self) -> bool:
        """Signed by a key of the other school's that nobody has checked with them yet."""
        return bool(self.school_key) and self.key_check is None and (
            self.direction == "received" or self.status == "acknowledged")

    @property
    def status_text(self) -> str:
        unconfirmed = ", key not yet confirmed" if self.needs_key_check else ""
        if self.direction == "received":
            return "Received" + unconfirmed
        if self.status == "acknowledged":
            day = dates.format_uk(dt.date.fromisoformat((self.acknowledged_at or "")[:10]))
            if unconfirmed:
                return f"Receipt from {self.acknowledged_by} on {day}{unconfirmed}"
            return f"Acknowledged by {self.acknowledged_by} on {day}"
        return "Awaiting acknowledgement"


def _reference(row: Row) -> str:
    if row["school_urn"]:
        return f"URN {row['school_urn']}"
    if row["school_la"] and row["school_estab"]:
        return f"{row['school_la']}/{row['school_estab']}"
    return ""


def _transfer(session: Session, row: Row) -> Transfer:
    scans = tuple(Scan(r["id"], r["filename"], r["size"], r["entered_at"]) for r in session.db.query(
        "SELECT id, filename, size, entered_at FROM transfer_scans WHERE transfer_id = ? ORDER BY id",
        (row["id"],)))
    items = tuple(TransferItem(i["name"], i["kind"], i["title"], i["size"], i.get("pages"))
                  for i in json.loads(row["items"]))
    return Transfer(row["id"], row["direction"], row["pupil_id"], row["upn"], row["school_name"],
                    _reference(row), row["school_contact"], row["school_key"],
                    package_fingerprint(row["manifest_sha256"]),
                    items, tuple(json.loads(row["stripped"])), dates.from_text(row["leaving_date"]),
                    dates.from_text(row["deadline"]), row["status"], row["happened_at"],
                    row["who"] or "", row["acknowledged_at"], row["acknowledged_by"],
                    bool(row["receipt"]), scans,
                    key_check(session.db, transfer_school(row), row["school_key"]))


_SELECT = ("SELECT t.*, coalesce(u.full_name, '') AS who FROM transfers t"
           " LEFT JOIN users u ON u.id = t.done_by")


@operation(Permission.VIEW_RECORDS, writes=False)
def transfers_for_pupil(session: Session, pupil_id: int) -> list[Transfer]:
    rows = session.db.query(_SELECT + " WHERE t.pupil_id = ? ORDER BY t.id", (int(pupil_id),))
    return [_transfer(session, row) for row in rows]


@operation(Permission.EXPORT_TRANSFER, writes=False)
def all_transfers(session: Session) -> list[Transfer]:
    """Every transfer, newest first (names are not included; open the pupil to see them)."""
    rows = session.db.query(_SELECT + " ORDER BY t.id DESC")
    return [_transfer(session, row) for row in rows]


@operation(Permission.EXPORT_TRANSFER, writes=False)
def unconfirmed_keys(session: Session) -> list[Transfer]:
    """The newest transfer for each other school's key that nobody has checked with them yet:
    a first package received, or a first receipt, whose fingerprint still needs a phone call."""
    seen: set[tuple[str, str]] = set()
    found = []
    for transfer in all_transfers(session):
        pair = (transfer.school_key or "", transfer.school_reference or transfer.school_name)
        if transfer.needs_key_check and pair not in seen:
            seen.add(pair)
            found.append(transfer)
    return found


@operation(Permission.VIEW_RECORDS, writes=False)
def get_transfer(session: Session, transfer_id: int) -> Transfer:
    row = session.db.query_one(_SELECT + " WHERE t.id = ?", (int(transfer_id),))
    if row is None:
        raise ValidationError("That transfer is not in this database.", field="transfer")
    return _transfer(session, row)


@operation(Permission.EXPORT_TRANSFER, audit="stored a signed transfer acknowledgement")
def attach_scan(session: Session, transfer_id: int, path: Path) -> int:
    """Keep the signed acknowledgement form's scan with the transfer (encrypted, audited)."""
    path = Path(path)
    try:
        check_report_size(path.name, path.stat().st_size)
        content = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path.name} could not be read ({exc.strerror or 'disk error'}).",
                              field="file") from exc
    name, media_type = check_report_file(path.name, content)
    transfer = get_transfer(session, transfer_id)
    digest = hashlib.sha256(content).hexdigest()
    cursor = session.db.execute(
        "INSERT INTO transfer_scans (transfer_id, filename, media_type, size, sha256, content,"
        " entered_at, entered_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (transfer.id, name, media_type, len(content), digest, content, session.now_text(),
         session.user.id))
    scan_id = int(cursor.lastrowid)
    changed(session, Kind.TRANSFER, transfer.pupil_id, transfer_id=transfer.id, scan_id=scan_id,
            sha256=digest)
    return scan_id


@operation(Permission.EXPORT_TRANSFER, writes=False, audit="saved a transfer receipt")
def save_receipt_again(session: Session, transfer_id: int, path: Path) -> None:
    """Write the signed receipt of a received package to a file once more: the receipt is kept
    with the transfer, so a lost or unwritable first copy never leaves the sender waiting."""
    row = session.db.query_one("SELECT pupil_id, receipt FROM transfers WHERE id = ? AND"
                               " direction = 'received'", (int(transfer_id),))
    if row is None or not row["receipt"]:
        raise ValidationError("There is no receipt for that transfer.", field="transfer")
    atomic_write(Path(path), row["receipt"].encode("utf-8"))
    viewed(session, "pupil", row["pupil_id"], transfer_id=int(transfer_id))


@operation(Permission.EXPORT_TRANSFER, writes=False)
def received_transfer_for(session: Session, upn: str) -> int:
    """The newest package received for the pupil with this UPN (for saving its receipt again)."""
    clean = "".join(str(upn or "").split()).upper()
    found = session.db.scalar("SELECT id FROM transfers WHERE direction = 'received' AND"
                              " upper(upn) = ? ORDER BY id DESC LIMIT 1", (clean,))
    if found is None:
        raise ValidationError(f"No package has been received here for UPN {clean}.",
                              field="upn")
    return int(found)
