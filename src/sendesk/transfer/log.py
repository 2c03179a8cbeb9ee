"""The school's record of transfers: what went where (or came from where), when, by whom, its
fingerprint, deadline and acknowledgement; the signed scan of a paper acknowledgement form,
kept inside the encrypted database like a specialist's report; and a saved receipt that can be
written out again if the first copy went astray."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import ValidationError
from ..models import dates
from ..models.roles import Permission
from ..models.specialists import check_report_file, check_report_size
from ..operations import Kind, changed, operation, viewed
from ..session import Session
from ..store.database import Row
from ..store.files import atomic_write
from .package import package_fingerprint


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

    @property
    def status_text(self) -> str:
        if self.direction == "received":
            return "Received"
        if self.status == "acknowledged":
            day = dt.date.fromisoformat((self.acknowledged_at or "")[:10])
            return f"Acknowledged by {self.acknowledged_by} on {dates.format_uk(day)}"
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
                    bool(row["receipt"]), scans)


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
    """Write the signed receipt of a received package to a file once more."""
    row = session.db.query_one("SELECT pupil_id, receipt FROM transfers WHERE id = ? AND"
                               " direction = 'received'", (int(transfer_id),))
    if row is None or not row["receipt"]:
        raise ValidationError("There is no receipt for that transfer.", field="transfer")
    atomic_write(Path(path), row["receipt"].encode("utf-8"))
    viewed(session, "pupil", row["pupil_id"], transfer_id=int(transfer_id))
