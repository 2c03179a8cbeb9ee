"""How long a leaver's SEND file is kept, and which files are now due for secure deletion.

The default keeps a file until the pupil's 31st birthday (the schools' records management
toolkit); a school whose policy differs sets its own number of years after the date of birth.
Changing it recalculates the keep-until date of every archived record, and is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import ValidationError
from ..models import dates
from ..models.pupils import RETENTION_YEARS_AFTER_BIRTH
from ..models.roles import Permission
from ..operations import Kind, changed, operation
from ..session import Session
from ._common import today

META_KEY = "retention_years_after_birth"
MIN_YEARS = 25   # never shorter than the end of an EHC plan (25) allows
MAX_YEARS = 100


@operation(Permission.VIEW_RECORDS, writes=False)
def retention_years(session: Session) -> int:
    value = session.db.scalar("SELECT value FROM meta WHERE key = ?", (META_KEY,))
    return int(value) if value else RETENTION_YEARS_AFTER_BIRTH


def keep_until(session: Session, dob: dt.date) -> dt.date:
    return dates.add_years(dob, retention_years(session))


@operation(Permission.SETTINGS, audit="changed the retention period")
def set_retention_years(session: Session, years: int) -> int:
    """Set the school's retention period; returns how many archived records were recalculated."""
    try:
        years = int(years)
    except (TypeError, ValueError) as exc:
        raise ValidationError("Give the retention period as a whole number of years.",
                              field="retention") from exc
    if not MIN_YEARS <= years <= MAX_YEARS:
        raise ValidationError(f"Keep SEND files for between {MIN_YEARS} and {MAX_YEARS} years "
                              "after the date of birth.", field="retention")
    session.db.set_meta(META_KEY, str(years))
    rows = session.db.query("SELECT id, dob FROM pupils WHERE archived_at IS NOT NULL")
    session.db.executemany(
        "UPDATE pupils SET retain_until = ? WHERE id = ?",
        [(dates.add_years(dt.date.fromisoformat(r["dob"]), years).isoformat(), r["id"])
         for r in rows])
    # Every archived record's keep-until date moved: a school-wide setting, audited as such.
    changed(session, Kind.SETTINGS, whole_school=True, target=(None, None),
            years_after_birth=years, records=len(rows))
    return len(rows)


@dataclass(frozen=True)
class RetainedRecord:
    pupil_id: int
    upn: str
    name: str
    dob: dt.date
    left_on: dt.date | None
    destination: str | None
    retain_until: dt.date
    due: bool           # past its keep-until date: may (and should) be securely deleted


@operation(Permission.EDIT_PUPILS, Permission.SETTINGS, writes=False)
def retained_records(session: Session, due_only: bool = False) -> list[RetainedRecord]:
    """Leavers' archived records, those due for deletion first (SENCO or administrator).

    Like the pupil list, this names pupils without opening any record, so it is not audited."""
    day = today(session)
    rows = session.db.query(
        "SELECT id, upn, legal_forename, legal_surname, dob, leaving_date, destination,"
        " retain_until FROM pupils WHERE archived_at IS NOT NULL AND retain_until IS NOT NULL"
        + (" AND retain_until < ?" if due_only else "") + " ORDER BY retain_until, id",
        (day.isoformat(),) if due_only else ())
    return [RetainedRecord(r["id"], r["upn"], f"{r['legal_forename']} {r['legal_surname']}",
                           dt.date.fromisoformat(r["dob"]), dates.from_text(r["leaving_date"]),
                           r["destination"], dt.date.fromisoformat(r["retain_until"]),
                           dt.date.fromisoformat(r["retain_until"]) < day) for r in rows]
