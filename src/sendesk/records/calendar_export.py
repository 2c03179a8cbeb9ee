"""Writing the SEND agenda to an iCalendar file for staff calendars.

The file names no pupil: each event carries initials and the record's reference number only,
and no event says which register a pupil is on. The agenda leaves sendesk, like a document, only
for roles allowed to export documents (not staff, who may view it in the app). Only the chosen
file is written (atomically), and the export is recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..models import ical
from ..models.roles import Permission
from ..operations import operation, viewed
from ..session import Session
from ..store.files import atomic_write
from . import agenda


@operation(Permission.EXPORT_DOCUMENTS, writes=False,
           audit="exported the SEND agenda as a calendar")
def export_ics(session: Session, path: Path | str, start: dt.date | str, end: dt.date | str) -> int:
    """Write the agenda from start to end as .ics; returns how many events it holds."""
    first, last = agenda.check_range(start, end)
    items = agenda.gather(session, first, last)
    data = ical.calendar_bytes(items, name=f"SEND agenda: {session.school.name}",
                               uid_domain=f"{session.database_id.hex()[:16]}.sendesk",
                               stamp=session.clock.now())
    atomic_write(Path(path), data)
    viewed(session, None, None, **{"from": first.isoformat(), "to": last.isoformat(),
                                   "events": len(items)})
    return len(items)
