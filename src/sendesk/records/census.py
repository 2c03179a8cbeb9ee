"""The January census check: each pupil's SEN status and primary need as they will be
returned, with anything that would fail or mislead flagged, and a CSV export.

Status and need are read from the history as at census day, so a past census can be checked
too. N is returned only at the first census after a pupil came off the register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..models import dates
from ..models.calendar import n_reportable, next_january_census
from ..models.roles import Permission
from ..models.sen import need_codes
from ..operations import operation, viewed
from ..session import Session
from . import csv_safe
from ._common import today

HEADER = ("upn", "surname", "forename", "dob", "gender", "year", "sen_status", "primary_need",
          "check")


@dataclass(frozen=True)
class CensusRow:
    pupil_id: int
    upn: str
    surname: str
    forename: str
    dob: dt.date
    gender: str
    year_group: str
    sen_status: str
    primary_need: str | None
    problems: tuple[str, ...]


@dataclass(frozen=True)
class CensusCheck:
    census_day: dt.date
    rows: list[CensusRow]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.sen_status == status)

    @property
    def problems(self) -> list[CensusRow]:
        return [row for row in self.rows if row.problems]


_SQL = """
    SELECT p.id, p.upn, p.legal_surname, p.legal_forename, p.dob, p.gender, p.year_group,
           h.status, h.start_date,
           (SELECT n.code FROM sen_needs n WHERE n.pupil_id = p.id AND n.rank = 1
              AND n.start_date <= :day AND (n.end_date IS NULL OR n.end_date > :day)
            ORDER BY n.start_date DESC, n.id DESC LIMIT 1) AS primary_need
    FROM pupils p JOIN sen_status_history h ON h.pupil_id = p.id
         AND h.start_date <= :day AND (h.end_date IS NULL OR h.end_date > :day)
    WHERE (p.admission_date IS NULL OR p.admission_date <= :day)
      AND (p.leaving_date IS NULL OR p.leaving_date > :day)
    ORDER BY p.legal_surname, p.legal_forename, p.id
"""


def _problems(status: str, need: str | None) -> tuple[str, ...]:
    if status == "N":
        return () if need is None else ("A pupil with status N has no census need; end the needs.",)
    if need is None:
        return ("No primary need recorded; the census needs one for E and K.",)
    rule = need_codes().get(need)
    if rule is None:
        return (f"{need} is not a current census need code.",)
    if rule.only_with_status and status not in rule.only_with_status:
        return (f"{need} is only used with SEN support (K).",)
    return ()


@operation(Permission.VIEW_RECORDS, writes=False, audit="viewed the census check")
def census_check(session: Session, census_day: dt.date | None = None) -> CensusCheck:
    """The pupils the census will report with SEN status (E, K or N) on census day.

    One audit entry records that the check was viewed.
    """
    day = census_day or next_january_census(today(session))
    rows = []
    for r in session.db.query(_SQL, {"day": day.isoformat()}):
        status = r["status"]
        if status == "N" and not n_reportable(dt.date.fromisoformat(r["start_date"]), day):
            continue
        need = r["primary_need"]
        rows.append(CensusRow(r["id"], r["upn"], r["legal_surname"], r["legal_forename"],
                              dt.date.fromisoformat(r["dob"]), r["gender"], r["year_group"],
                              status, need, _problems(status, need)))
    viewed(session, None, None, census_day=day.isoformat(), pupils=len(rows))
    return CensusCheck(day, rows)


@operation(Permission.EXPORT_DOCUMENTS, Permission.IMPORT_PUPILS, writes=False,
           audit="exported the census check")
def export_census(session: Session, path: Path,
                  census_day: dt.date | None = None) -> CensusCheck:
    """Write the census check as CSV; returns the check that was written."""
    check = census_check(session, census_day)
    count = csv_safe.export_file(Path(path), HEADER, (
        (row.upn, row.surname, row.forename, row.dob.isoformat(), row.gender, row.year_group,
         row.sen_status, row.primary_need or "", " ".join(row.problems))
        for row in check.rows))
    viewed(session, None, None, census_day=check.census_day.isoformat(), pupils=count)
    return check


def describe(check: CensusCheck) -> str:
    """One line for the CLI and the census screen's heading."""
    return (f"January census {dates.format_uk(check.census_day)}: {check.count('E')} E, "
            f"{check.count('K')} K, {check.count('N')} N; {len(check.problems)} to check.")
