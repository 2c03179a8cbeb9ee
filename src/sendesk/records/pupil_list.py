"""The pupil list, split the way Anki splits its browser: search_ids() filters and sorts in SQL
and returns only ids; fetch_rows() reads the columns for the ids on screen. A view over 60,000
pupils then holds a list of integers and asks for rows only as they scroll into sight.

Filtering reads the summary columns on the pupils table through one covering index, so a
keystroke in the search box never touches the history tables. Neither function is audited:
the list shows no more than a class register does; opening a record is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..errors import ValidationError
from ..models import dates
from ..models.calendar import last_census_before
from ..models.flags import Flag, flags_from_bits
from ..models.pupils import YEAR_RANK, clean_year_group, searchable
from ..models.registers import RegisterKind
from ..models.roles import Permission
from ..models.sen import clean_need_code, read_status
from ..operations import operation, viewed
from ..session import Session
from ..store.database import Database
from . import csv_safe
from ._common import chunks, placeholders, today
from .apdr.due import NO_CURRENT_PLAN
from .sen_register import effective_status

# Status filters beyond the three codes.
ON_REGISTER = "register"
NOT_ON_REGISTER = "none"

SORTS = {"name": "sort_key", "year": "year_rank", "class": "class_name",
         "status": "sen_status", "need": "primary_need", "review": "next_review"}


@dataclass(frozen=True)
class PupilFilter:
    """What the user has typed and picked; empty means everyone on roll, by name."""

    text: str = ""
    status: str | None = None  # E, K, N, 'register' (E or K) or 'none'
    need: str | None = None  # primary need code
    year_group: str | None = None
    registers: frozenset[RegisterKind] = field(default_factory=frozenset)
    review_overdue: bool = False
    notification_due: bool = False
    no_current_plan: bool = False   # on the SEN register with no current plan (apdr.due)
    include_archived: bool = False
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class PupilRow:
    """One line of the list: the columns a SENCO scans."""

    id: int
    upn: str
    surname: str
    forename: str
    legal_surname: str
    legal_forename: str
    dob: dt.date
    gender: str
    year_group: str
    class_name: str | None
    sen_status: str | None
    primary_need: str | None
    next_review: dt.date | None
    review_overdue: bool
    flags: frozenset[Flag]
    archived: bool

    @property
    def name(self) -> str:
        return f"{self.surname}, {self.forename}"


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s,]+", searchable(text or "")) if word]


# The reference the calendar and its .ics show instead of a name (models.agenda.pupil_reference):
# "A.O. ref 289", or "ref 289" alone. Typed into the search it finds that pupil, by record number.
REFERENCE = re.compile(r"(?:[a-z]\.){0,2}\s*ref\s*(\d{1,12})", re.IGNORECASE)


def _where(db: Database, flt: PupilFilter, on: dt.date) -> tuple[list[str], list[Any]]:
    clauses: list[str] = [] if flt.include_archived else ["archived_at IS NULL"]
    params: list[Any] = []
    reference = REFERENCE.fullmatch((flt.text or "").strip())
    if reference:
        clauses.append("id = ?")
        params.append(int(reference.group(1)))
    for word in [] if reference else _words(flt.text)[:8]:
        clause, param = db.contains("search_text", word)
        clauses.append(clause)
        params.append(param)
    n_lapsed = last_census_before(on).isoformat()
    if flt.status == ON_REGISTER:
        clauses.append("sen_status IN ('E', 'K')")
    elif flt.status == NOT_ON_REGISTER:
        clauses.append("(sen_status IS NULL OR (sen_status = 'N' AND sen_since <= ?))")
        params.append(n_lapsed)
    elif flt.status:
        status = read_status(flt.status)
        clauses.append("sen_status = ?")
        params.append(status)
        if status == "N":
            clauses.append("sen_since > ?")
            params.append(n_lapsed)
    if flt.need:
        clauses.append("primary_need = ?")
        params.append(clean_need_code(flt.need))
    if flt.year_group:
        clauses.append("year_rank = ?")
        params.append(YEAR_RANK[clean_year_group(flt.year_group)])
    bits = 0
    for register in flt.registers:
        bits |= RegisterKind(register).flag
    if flt.notification_due:
        bits |= Flag.NOTIFICATION_DUE
    if bits:
        clauses.append("(flags & ?) = ?")
        params += [int(bits), int(bits)]
    if flt.review_overdue:
        clauses.append("next_review < ?")
        params.append(on.isoformat())
    if flt.no_current_plan:
        clauses += ["sen_status IN ('E', 'K')", NO_CURRENT_PLAN]
    return clauses, params


def _search_sql(session: Session, flt: PupilFilter | None) -> tuple[str, list[Any], bool]:
    """The ids query of a filter, its parameters, and whether one of its words is found
    through an index (the school server's trigram index) rather than by reading the list."""
    flt = flt or PupilFilter()
    if flt.sort not in SORTS:
        raise ValidationError(f"The list cannot be sorted by '{flt.sort}'.", field="sort")
    clauses, params = _where(session.db, flt, today(session))
    direction = " DESC" if flt.descending else ""
    # Name, then search_text (which ends with the unique UPN) is a total order and the leading
    # columns of the list's indexes, so SQLite reads an index in order instead of sorting
    # 60,000 ids: a third of the time for the first screen and each keystroke.
    order = f"sort_key{direction}, search_text{direction}"
    if flt.sort != "name":
        order = f"{SORTS[flt.sort]}{direction}, {order}"
    selective = (flt.status in ("E", "K", "N", ON_REGISTER) or flt.need or flt.year_group
                 or flt.review_overdue or flt.no_current_plan or flt.sort == "year")
    # Without a selective filter, SQLite (having no statistics) may pick a narrow index and
    # look every row up in the table, ten times slower than scanning the covering list index.
    # With leavers included SQLite finds pupils_everyone for the name order itself, and a hint
    # would force it (and a lookup of every row) on the other sorts and the flag filters too.
    hint = "" if flt.include_archived or selective else session.db.index_hint("pupils_list")
    sql = (f"SELECT id FROM pupils{hint}" + (" WHERE " + " AND ".join(clauses) if clauses else "")
           + f" ORDER BY {order}")
    indexed = not REFERENCE.fullmatch((flt.text or "").strip()) and any(
        session.db.contains_indexed(word) for word in _words(flt.text)[:8])
    return sql, params, indexed


@operation(Permission.VIEW_RECORDS, writes=False)
def search_ids(session: Session, flt: PupilFilter | None = None) -> list[int]:
    """The ids of the pupils that match, in display order."""
    sql, params, _ = _search_sql(session, flt)
    return session.db.id_list(sql, params)


@operation(Permission.VIEW_RECORDS, writes=False)
def search_first(session: Session, flt: PupilFilter | None, block: int) -> tuple[list[int], bool]:
    """The first `block` ids of a search, in display order, and whether they are all of
    them: what the list shows before the rest is read (ui/pupil_list_page.py). A one-letter
    search matches half the school, and all of its ids take a pass over the whole list,
    where its first screenful is found at once in the list's order. A word the server's
    trigram index finds is looked up among a few candidates instead: there the whole list
    costs no more than its first block (and the planner, reading the list in order in the
    hope of stopping early, would pass over most of it for the Smiths), so it is read whole."""
    sql, params, indexed = _search_sql(session, flt)
    if indexed:
        return session.db.id_list(sql, params), True
    ids = session.db.id_list(f"{sql} LIMIT {int(block) + 1}", params)
    return ids[:block], len(ids) <= block


_COLUMNS = ("id, upn, legal_surname, legal_forename, preferred_surname, preferred_forename, dob,"
            " gender, year_group, class_name, sen_status, sen_since, primary_need, next_review,"
            " flags, archived_at")


@operation(Permission.VIEW_RECORDS, writes=False)
def fetch_rows(session: Session, ids: Sequence[int]) -> list[PupilRow]:
    """The list columns for these pupils, in the order given (unknown ids are skipped)."""
    on = today(session)
    found: dict[int, PupilRow] = {}
    for chunk in chunks([int(pupil_id) for pupil_id in ids]):
        rows = session.db.query(f"SELECT {_COLUMNS} FROM pupils WHERE id IN "
                                f"({placeholders(len(chunk))})", list(chunk))
        # Unpacked by position: a screenful is cheap either way, but the dashboard and exports
        # read thousands of rows, where looking each column up by name doubles the time.
        for (pupil_id, upn, legal_surname, legal_forename, preferred_surname, preferred_forename,
             dob, gender, year_group, class_name, status, since, need, review, flags,
             archived_at) in rows:
            review = dates.from_text(review)
            found[pupil_id] = PupilRow(
                id=pupil_id, upn=upn, surname=preferred_surname or legal_surname,
                forename=preferred_forename or legal_forename, legal_surname=legal_surname,
                legal_forename=legal_forename, dob=dt.date.fromisoformat(dob), gender=gender,
                year_group=year_group, class_name=class_name,
                sen_status=effective_status(status, dates.from_text(since), on),
                primary_need=need, next_review=review,
                review_overdue=review is not None and review < on,
                flags=flags_from_bits(flags), archived=archived_at is not None)
    return [found[pupil_id] for pupil_id in ids if pupil_id in found]


EXPORT_HEADER = ("upn", "surname", "forename", "dob", "year", "class", "sen_status",
                 "primary_need", "known_as", "gender", "next_review", "flags")


@operation(Permission.EXPORT_DOCUMENTS, Permission.IMPORT_PUPILS, writes=False,
           audit="exported the pupil list")
def export_csv(session: Session, stream: TextIO, flt: PupilFilter | None = None) -> int:
    """Write the filtered list as formula-safe CSV (legal names first); audited as an export."""
    ids = search_ids(session, flt)

    def lines() -> Iterator[tuple]:
        for chunk in chunks(ids):
            for row in fetch_rows(session, chunk):
                yield (row.upn, row.legal_surname, row.legal_forename, row.dob.isoformat(),
                       row.year_group, row.class_name or "", row.sen_status or "",
                       row.primary_need or "", row.name, row.gender,
                       dates.to_text(row.next_review) or "",
                       ";".join(sorted(flag.label for flag in row.flags)))

    count = csv_safe.write_rows(stream, EXPORT_HEADER, lines())
    viewed(session, None, None, pupils=count)
    return count
