"""Reading the audit log: who did what to which record, and when.

The log is itself sensitive (it shows which pupils' records were opened), so reading it needs
the READ_AUDIT permission (SENCOs and administrators, not class staff), and every reading is
itself recorded. Details hold ids and field names, never names, so the log can be shown to an
inspector.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..models.roles import Permission
from ..operations import operation, viewed
from ..session import Session

HEADER = ("entry", "at", "username", "action", "target_type", "target_id", "detail")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    username: str
    action: str
    target_type: str | None
    target_id: str | None
    detail: dict[str, Any] | None

    def as_row(self) -> tuple:
        detail = json.dumps(self.detail, sort_keys=True) if self.detail is not None else ""
        return (self.id, self.at, self.username, self.action, self.target_type or "",
                self.target_id or "", detail)


def _detail(text: str | None) -> dict[str, Any] | None:
    """The entry's detail as written; one that is not sendesk's JSON (written by hand on a file
    opened outside sendesk) is shown as its text, so one bad entry cannot stop the log (or a
    subject access request) being read. verify still checks its place in the chain."""
    if not text:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return {"text as stored": text}
    return found if isinstance(found, dict) else {"text as stored": text}


@operation(Permission.READ_AUDIT, writes=False, audit="read the audit log")
def read_log(session: Session, target_type: str | None = None,
             target_id: str | int | None = None) -> list[AuditEntry]:
    """Every entry, oldest first, or only those about one record; the reading is audited."""
    sql = "SELECT * FROM audit_log"
    params: tuple = ()
    if target_type is not None:
        sql += " WHERE target_type = ? AND target_id = ?"
        params = (target_type, None if target_id is None else str(target_id))
    rows = session.db.query(sql + " ORDER BY id", params)
    entries = [AuditEntry(row["id"], row["at"], row["username"], row["action"],
                          row["target_type"], row["target_id"], _detail(row["detail"]))
               for row in rows]
    viewed(session, target_type, target_id, entries=len(entries))
    return entries
