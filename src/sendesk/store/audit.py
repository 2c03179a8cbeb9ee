"""The append-only audit log: who did what to which record, and when.

Each entry's hash covers the previous entry's hash, so editing or deleting any entry breaks
the chain from that point on; audit_head keeps the count and last hash so a log cut short at
the end is caught too. Triggers refuse UPDATE and DELETE outright. Details hold ids and field
names, never a pupil's name, so the log itself can be shown to an inspector.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import DamagedDatabase
from .database import Database

GENESIS = "0" * 64


def _entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + canonical).encode("utf-8")).hexdigest()


def head(db: Database) -> tuple[int, str]:
    """The log's entry count and last hash ('' while empty) as audit_head records them; a
    database without its audit_head row is damaged."""
    row = db.query_one("SELECT count, last_hash FROM audit_head WHERE id = 1")
    if row is None:
        raise DamagedDatabase("The audit log's head record is missing from the database.")
    return row["count"], row["last_hash"]


def _last_hash(db: Database) -> str:
    """The hash the next entry chains from."""
    return head(db)[1] or GENESIS


def append(db: Database, *, at: str, user_id: int | None, username: str, action: str,
           target_type: str | None = None, target_id: str | int | None = None,
           detail: dict[str, Any] | None = None) -> None:
    """Add one entry. Call inside the transaction that made the change it records.

    On the school server the database appends it (sendesk_audit_append, see
    store/server_security.py): it chains the entry exactly as below, under the session's own
    login, so no client can write in another's name or touch the log otherwise."""
    fields = {"at": at, "user_id": user_id, "username": username, "action": action,
              "target_type": target_type, "target_id": None if target_id is None else str(target_id),
              "detail": json.dumps(detail, sort_keys=True) if detail is not None else None}
    if db.engine == "postgresql":
        db.scalar("SELECT sendesk_audit_append(CAST(:at AS TEXT), CAST(:user_id AS BIGINT),"
                  " CAST(:username AS TEXT), CAST(:action AS TEXT), CAST(:target_type AS TEXT),"
                  " CAST(:target_id AS TEXT), CAST(:detail AS TEXT))", fields)
        return
    prev_hash = _last_hash(db)
    entry_hash = _entry_hash(prev_hash, fields)
    db.execute(
        "INSERT INTO audit_log (at, user_id, username, action, target_type, target_id, detail,"
        " prev_hash, hash) VALUES (:at, :user_id, :username, :action, :target_type, :target_id,"
        " :detail, :prev_hash, :hash)", {**fields, "prev_hash": prev_hash, "hash": entry_hash})
    db.execute("UPDATE audit_head SET count = count + 1, last_hash = ? WHERE id = 1", (entry_hash,))


def append_many(db: Database, entries: Iterable[dict[str, Any]]) -> int:
    """Add many entries at once, in the order given (each a mapping of append()'s keyword
    arguments). For bulk writers such as the benchmark's synthetic school: the chain is the
    same one append() builds, computed in Python and written with one executemany.

    Call inside a transaction. Returns how many entries were added. On the school server only
    the database's owner may write the log directly like this (a bulk load, an import); every
    other login appends through append(). Ids are the head's count onwards, as the server's
    append assigns them, so a sequence that skipped values leaves no gap for verify to see.
    """
    count, last = head(db)
    prev_hash = last or GENESIS
    rows: list[tuple[Any, ...]] = []
    for entry in entries:
        target_id, detail = entry.get("target_id"), entry.get("detail")
        fields = {"at": entry["at"], "user_id": entry.get("user_id"),
                  "username": entry["username"], "action": entry["action"],
                  "target_type": entry.get("target_type"),
                  "target_id": None if target_id is None else str(target_id),
                  "detail": json.dumps(detail, sort_keys=True) if detail is not None else None}
        prev_hash, previous = _entry_hash(prev_hash, fields), prev_hash
        rows.append((count + len(rows) + 1, fields["at"], fields["user_id"], fields["username"], fields["action"],
                     fields["target_type"], fields["target_id"], fields["detail"], previous,
                     prev_hash))
    db.executemany(
        "INSERT INTO audit_log (id, at, user_id, username, action, target_type, target_id,"
        " detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    if rows:
        db.execute("UPDATE audit_head SET count = count + ?, last_hash = ? WHERE id = 1",
                   (len(rows), prev_hash))
    return len(rows)


@dataclass(frozen=True)
class Anchor:
    """The log's length and last hash at some earlier moment, kept outside the database (in a
    backup's header): whoever holds the data key can rewrite the log and its head row into a
    consistent shorter chain, but not make it agree with an anchor they cannot reach."""
    entries: int
    last_hash: str
    source: str


@dataclass
class AuditReport:
    entries: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(db: Database, anchors: Sequence[Anchor] = ()) -> AuditReport:
    """Walk the whole chain and say where, if anywhere, history was altered; then check the
    log still holds, unchanged, every entry each anchor says it had."""
    problems: list[str] = []
    prev_hash = GENESIS
    count = 0
    last_id = 0
    cursor = db.execute("SELECT * FROM audit_log ORDER BY id")
    for row in cursor:
        count += 1
        if row["id"] != last_id + 1 and not problems:
            problems.append(f"audit entries {last_id + 1} to {row['id'] - 1} have been removed")
        last_id = row["id"]
        fields = {key: row[key] for key in ("at", "user_id", "username", "action", "target_type",
                                             "target_id", "detail")}
        if row["prev_hash"] != prev_hash or _entry_hash(prev_hash, fields) != row["hash"]:
            problems.append(f"audit entry {row['id']} has been altered or reordered")
            break
        prev_hash = row["hash"]
    head = db.query_one("SELECT count, last_hash FROM audit_head WHERE id = 1")
    if not problems and head is not None and (head["count"] != count
                                              or (head["last_hash"] or GENESIS) != prev_hash):
        problems.append("the end of the audit log has been cut off or replaced")
    for anchor in anchors:
        if anchor.entries == 0:
            continue
        row = db.query_one("SELECT hash FROM audit_log ORDER BY id LIMIT 1 OFFSET ?",
                           (anchor.entries - 1,))
        if row is None or row["hash"] != anchor.last_hash:
            problems.append(f"the audit log no longer holds the {anchor.entries} entries it had "
                            f"when {anchor.source} was made: history has been cut off or "
                            "rewritten since then")
    return AuditReport(count, problems)
