"""Importing pupils from the school's MIS as CSV: read, preview, then commit all or nothing.

preview() writes nothing. It reads the file (records/mis_file.py), checks every row and says
per row what would be added or updated, field by field (was -> now), what is wrong, and what is
worth a second look (a year group that does not fit the date of birth). A row whose UPN is
held here for a different child (models/matching.py: the date of birth or a legal name
differs), or whose name and date of birth are held under another UPN, is a conflict: never
applied as an update, it waits for the user to decide. commit() refuses a preview with errors
or undecided conflicts; otherwise it applies every row in one transaction, so Cancel or a
failure leaves nothing written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..models import dates, matching
from ..models.pupils import FIELD_LABELS, PupilDetails, check_details
from ..models.roles import Permission
from ..models.year_fit import describe_year, mismatch
from ..operations import Kind, Progress, changed, operation
from ..session import Session
from . import mis_file, review_requests
from ._common import chunks, placeholders, record_changes, today
from .pupils import INSERT_SQL, details_columns, details_from_row

# What the user may decide for a conflicting row. Skipping is always offered and always safe.
SKIP, UPDATE, ADD = "skip", "update", "add"
CHOICES = {SKIP: "Skip this row (the pupil here stays as they are)",
           UPDATE: "Same child: take the file's details",
           ADD: "A different child: add as a new pupil"}
# Cancel is noticed, and the window's progress moves, every this many rows.
PROGRESS_EVERY = 200


@dataclass(frozen=True)
class FieldChange:
    """One field an import would change on a pupil already here, as the user reads it."""

    field: str
    label: str
    was: str
    now: str

    def __str__(self) -> str:
        return f"{self.label}: {self.was} -> {self.now}"


@dataclass(frozen=True)
class Conflict:
    """Why a row is not simply applied, and what the user may choose (SKIP first)."""

    reason: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class ImportRow:
    line: int
    upn: str
    action: str  # 'add', 'update', 'unchanged', 'skip', 'conflict' or 'error'
    details: PupilDetails | None
    pupil_id: int | None = None
    changes: tuple[str, ...] = ()          # the names of the fields that change
    diffs: tuple[FieldChange, ...] = ()    # the same, was -> now
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()           # worth a look, imported all the same
    conflict: Conflict | None = None
    fields: frozenset[str] = frozenset()   # the fields this row supplies
    name: str = ""                         # as the preview shows them
    dob: str = ""
    year: str = ""
    class_name: str = ""


@dataclass(frozen=True)
class ImportPreview:
    source: str
    encoding: str
    headers: list[str]
    mapping: dict[str, str]
    rows: list[ImportRow]
    unused_headers: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def conflicts(self) -> list[ImportRow]:
        return [row for row in self.rows if row.action == "conflict"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def not_imported(self) -> str:
        """'These columns will not be imported: ...', or '' when every column is used."""
        return mis_file.unused_sentence(self.unused_headers)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def undecided(self, decisions: Mapping[int, str]) -> list[ImportRow]:
        return [row for row in self.conflicts if decisions.get(row.line) is None]


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    skipped: int
    reviews_asked: int = 0   # pupils on the SEN register who moved year group


@operation(Permission.IMPORT_PUPILS, writes=False)
def preview(session: Session, source: Path | bytes, mapping: Mapping[str, str] | None = None,
            name: str | None = None) -> ImportPreview:
    """Check a MIS export and say what importing it would do. Nothing is saved."""
    label = name or (Path(source).name if not isinstance(source, bytes) else "The file")
    data = mis_file.read_bytes(source, label) if not isinstance(source, bytes) else source
    headers, rows, encoding = mis_file.read_table(data, label)
    mapped = mis_file.apply_override(headers, mis_file.auto_map(headers), mapping or {})
    missing = [FIELD_LABELS[name] for name in mis_file.REQUIRED if name not in mapped]
    if missing:
        raise ValidationError(f"{label} has no column for: " + ", ".join(missing) + ". Found: "
                              + ", ".join(headers[:20]) + ". Map the columns by hand if they "
                              "have other names.", field="mapping")
    column = {name: headers.index(header) for name, header in mapped.items()}
    day = today(session)
    checked = []
    for line, cells in rows:
        raw, fields = mis_file.row_values(cells, column)
        details, problems = check_details(raw, day)
        checked.append(_Checked(line, raw.get("upn", "").replace(" ", "").upper(), details,
                                [str(problem) for problem in problems], frozenset(fields), raw))
    return ImportPreview(label, encoding, headers, mapped, _plan(session, checked),
                         mis_file.unused(headers, mapped))


@dataclass
class _Checked:
    line: int
    upn: str
    details: PupilDetails | None
    errors: list[str]
    fields: frozenset[str]
    raw: dict[str, str]


def _shown(item: _Checked) -> dict[str, Any]:
    """Name, date of birth (dd/mm/yyyy, as read), year and class for the preview."""
    d = item.details
    if d is None:
        raw = item.raw
        forename = raw.get("preferred_forename") or raw.get("legal_forename", "")
        surname = raw.get("preferred_surname") or raw.get("legal_surname", "")
        return {"name": ", ".join(part for part in (surname, forename) if part),
                "dob": raw.get("dob", ""), "year": raw.get("year_group", ""),
                "class_name": raw.get("class_name", "")}
    return {"name": f"{d.preferred_surname or d.legal_surname}, "
                    f"{d.preferred_forename or d.legal_forename}",
            "dob": dates.format_uk(d.dob), "year": describe_year(d.year_group),
            "class_name": d.class_name or ""}


def _plan(session: Session, checked: list[_Checked]) -> list[ImportRow]:
    lines_by_upn: dict[str, list[int]] = {}
    for item in checked:
        lines_by_upn.setdefault(item.upn, []).append(item.line)
    existing = {}
    upns = [upn for upn in lines_by_upn if upn]
    for chunk in chunks(upns):
        for row in session.db.query("SELECT * FROM pupils WHERE upn IN "
                                    f"({placeholders(len(chunk))})", list(chunk)):
            existing[row["upn"]] = row
    people: dict[tuple[str, str, str], str] | None = None
    day = today(session)
    plan = []
    for item in checked:
        upn, details, errors = item.upn, item.details, list(item.errors)
        common = dict(fields=item.fields, **_shown(item))
        if upn and len(lines_by_upn[upn]) > 1:
            others = ", ".join(str(n) for n in lines_by_upn[upn] if n != item.line)
            errors.append(f"UPN {upn} is also on line {others}; each pupil may appear once.")
        if errors or details is None:
            plan.append(ImportRow(item.line, upn, "error", details, errors=tuple(errors),
                                  **common))
            continue
        checks = tuple(note for note in [mismatch(details.year_group, details.dob, day)] if note)
        current = existing.get(details.upn)
        if current is None:
            if people is None:
                people = _people(session)
            twin = people.get(_person_key(details.dob.isoformat(), details.legal_surname,
                                          details.legal_forename))
            conflict = None if twin is None else Conflict(
                f"A pupil with the same name and date of birth is already recorded under UPN "
                f"{twin}. If their UPN has changed, correct it on that pupil and skip this row; "
                "add this row only if it is a different child.", (SKIP, ADD))
            plan.append(ImportRow(item.line, upn, "conflict" if conflict else "add", details,
                                  checks=checks, conflict=conflict, **common))
            continue
        if current["archived_at"] is not None:
            plan.append(ImportRow(item.line, upn, "skip", details, current["id"], warnings=(
                "This pupil has left and their record is archived; the row is not imported.",),
                **common))
            continue
        old = details_from_row(current)
        diffs = _diffs(old, details, item.fields)
        changes = tuple(change.field for change in diffs)
        ours = matching.Identity.of(old.legal_surname, old.legal_forename, old.dob)
        theirs = matching.Identity.of(details.legal_surname, details.legal_forename, details.dob)
        different = matching.differences(ours, theirs)
        if different:
            conflict = describe_conflict(upn, ours, theirs, different)
            plan.append(ImportRow(item.line, upn, "conflict", details, current["id"], changes,
                                  diffs, checks=checks, conflict=conflict, **common))
            continue
        plan.append(ImportRow(item.line, upn, "update" if changes else "unchanged", details,
                              current["id"], changes, diffs, checks=checks, **common))
    return plan


def describe_conflict(upn: str, ours: matching.Identity, theirs: matching.Identity,
                      different: tuple[str, ...]) -> Conflict:
    """A UPN held here for a child whose date of birth or legal name differ.

    When only one of the three differs it may be the same child (a corrected date of birth, a
    legal change of name), so the user may take the file's details; when more differ it is
    another child under a wrong UPN, and the row can only be skipped (a UPN held here cannot
    be given to a second pupil)."""
    sentence = matching.describe(upn, ours, theirs) + "."
    if matching.may_be_same(different):
        what = matching.LABELS[different[0]]
        return Conflict(f"{sentence} Skip the row unless this is the same child and their "
                        f"{what} has changed.", (SKIP, UPDATE))
    return Conflict(f"{sentence} This is a different child: skip the row and correct the UPN "
                    "in the MIS.", (SKIP,))


def _person_key(dob: str, surname: str, forename: str) -> tuple[str, str, str]:
    return dob, matching.name_key(surname), matching.name_key(forename)


def _people(session: Session) -> dict[tuple[str, str, str], str]:
    """(date of birth, legal surname, legal forename) -> UPN, to catch a changed UPN."""
    return {_person_key(row[0], row[1], row[2]): row[3] for row in session.db.query(
        "SELECT dob, legal_surname, legal_forename, upn FROM pupils")}


def _shown_value(name: str, value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    if name == "year_group":
        return describe_year(value)
    if name in ("dob", "admission_date"):
        return dates.format_uk(value)
    return str(value)


def _diffs(old: PupilDetails, new: PupilDetails, fields: frozenset[str]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(name, FIELD_LABELS[name], _shown_value(name, getattr(old, name)),
                             _shown_value(name, getattr(new, name)))
                 for name in sorted(fields) if getattr(old, name) != getattr(new, name))


def _decided(plan: ImportPreview, decisions: Mapping[int, str]) -> dict[int, str]:
    """Each conflicting line's decision, refusing the import if one is missing or not offered."""
    undecided = plan.undecided(decisions)
    if undecided:
        raise ValidationError(f"{len(undecided)} rows need a decision (skip, or as offered): "
                              + " ".join(describe_row(row) for row in undecided[:5])
                              + (" ..." if len(undecided) > 5 else "")
                              + " Nothing was imported.", field="decisions")
    result = {}
    for row in plan.conflicts:
        choice = decisions[row.line]
        assert row.conflict is not None
        if choice not in row.conflict.choices:
            raise ValidationError(f"Line {row.line} (UPN {row.upn}) can only be: "
                                  + " or ".join(row.conflict.choices) + ". Nothing was imported.",
                                  field="decisions")
        result[row.line] = choice
    return result


@operation(Permission.IMPORT_PUPILS, audit="imported pupils from the MIS")
def commit(session: Session, plan: ImportPreview, decisions: Mapping[int, str] | None = None,
           progress: Progress | None = None) -> ImportResult:
    """Apply a clean preview in one transaction: every row or none.

    ``decisions`` says, by line number, what to do with each conflicting row (SKIP, or UPDATE
    or ADD where the row offers it). ``progress`` hears every few hundred rows and may cancel,
    which rolls the whole import back. Besides the one entry for the import, the audit log
    gets an entry per pupil added or changed (as if each had been entered by hand)."""
    if not plan.ok:
        raise ValidationError(f"{len(plan.errors)} rows have errors; correct them in the file and "
                              "import it again. Nothing was imported.", field="file")
    decided = _decided(plan, decisions or {})
    added = updated = skipped = 0
    touched: list[int] = []
    moved_year: list[int] = []
    arrived_in_7: list[int] = []
    total = len(plan.rows)
    for index, row in enumerate(plan.rows):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress.report(index, total, f"{index:,} of {total:,} rows")
        action = row.action
        if action == "conflict":
            action = {SKIP: "skip", UPDATE: "update", ADD: "add"}[decided[row.line]]
            skipped += action == "skip"
        if action not in ("add", "update") or row.details is None:
            continue
        current = session.db.query_one("SELECT * FROM pupils WHERE upn = ?", (row.upn,))
        if action == "add":
            if current is not None:
                raise ValidationError(f"UPN {row.upn} was added by someone else since the "
                                      "preview; preview the file again.", field="file")
            cursor = session.db.execute(INSERT_SQL, {**details_columns(row.details),
                                                     "created_at": session.now_text(),
                                                     "created_by": session.user.id})
            session.audit("added a pupil", "pupil", cursor.lastrowid, {"source": "MIS import"})
            touched.append(int(cursor.lastrowid))
            if row.details.year_group == "7":
                arrived_in_7.append(int(cursor.lastrowid))
            added += 1
            continue
        if (current is None or current["archived_at"] is not None
                or current["id"] != row.pupil_id or _now_differs(current, row)):
            raise ValidationError(f"The pupil with UPN {row.upn} has changed since the "
                                  "preview; preview the file again.", field="file")
        fields = _update(session, current, row, confirmed=row.action == "conflict")
        if fields:
            touched.append(int(current["id"]))
        if "year_group" in fields:
            moved_year.append(int(current["id"]))
            if row.details.year_group == "7":
                arrived_in_7.append(int(current["id"]))
        updated += 1
    # The pupils' ids (not the whole school) so the summary columns are worked out for the
    # imported pupils only; the import's own entry names no pupil.
    # A new year group means a new class: the plans are to be reviewed (records/review_requests);
    # a pupil arriving in Year 7 has the transition review before the autumn term ends instead.
    year7 = {r.pupil_id for r in review_requests.after_year7_arrival(session, arrived_in_7)}
    asked = len(year7) + review_requests.after_year_change(
        session, [p for p in moved_year if p not in year7])
    changed(session, Kind.PUPIL, touched, target=(None, None), added=added, updated=updated,
            rows=total, conflicts=len(plan.conflicts), reviews_asked=asked)
    return ImportResult(added, updated, plan.count("unchanged"), plan.count("skip") + skipped,
                        asked)


def _now_differs(current, row: ImportRow) -> bool:
    """Whether the pupil here is no longer the one the preview compared the row with."""
    assert row.details is not None
    old = details_from_row(current)
    return _diffs(old, row.details, row.fields) != row.diffs


def _update(session: Session, current, row: ImportRow, *, confirmed: bool) -> list[str]:
    """Apply one row's fields; returns the names of those that changed."""
    assert row.details is not None
    old = details_from_row(current)
    fields = sorted(row.fields)
    merged = old.replace(**{name: getattr(row.details, name) for name in fields})
    old_columns, new_columns = details_columns(old), details_columns(merged)
    changed = record_changes(session, current["id"], "pupil", current["id"],
                             {name: old_columns[name] for name in fields},
                             {name: new_columns[name] for name in fields})
    if changed:
        session.db.execute("UPDATE pupils SET " + ", ".join(f"{name} = :{name}"
                                                            for name in new_columns)
                           + " WHERE id = :id", {**new_columns, "id": current["id"]})
        detail: dict[str, Any] = {"fields": changed, "source": "MIS import"}
        if confirmed:
            detail["same_child_confirmed"] = True
        session.audit("changed pupil details", "pupil", current["id"], detail)
    return changed


def reviews_sentence(result: ImportResult) -> str:
    """What the import asked for, for its summary: '' when no pupil on the register moved."""
    if not result.reviews_asked:
        return ""
    who = ("1 pupil on the SEN register has" if result.reviews_asked == 1
           else f"{result.reviews_asked:,} pupils on the SEN register have")
    return (f"{who} moved year group: a review of their plans has been asked for (shown in "
            "Reviews due, on Home, in the calendar and on each pupil's record).")


def describe_row(row: ImportRow) -> str:
    """'line 7 (UPN ...): problem; problem' for CLI output and the preview's error list."""
    said = row.errors or ((row.conflict.reason,) if row.conflict else ()) or row.warnings
    return f"line {row.line} (UPN {row.upn or 'missing'}): " + "; ".join(said)
