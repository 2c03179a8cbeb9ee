"""Two PCs on one record (issue 21, item 6): a save is refused when someone else changed the
record after this person opened it, and both versions are offered side by side.

Why by values rather than a version column: every form already holds the record exactly as it
was read when it opened (the record window's PupilRecord, a plan's rows). The write passes
that as ``expected``; inside its transaction (writers take turns: BEGIN IMMEDIATE on the file,
the advisory write lock on the server) the operation compares it with what is stored now. If
they differ, nothing is written and :class:`StaleRecord` says who changed it, when (the change
trail, field_changes, which every edit writes), and what each version holds. A change made and
then undone loses nothing, so it is not a conflict. No schema change, and it works the same on
the SQLCipher file (two windows, or the window and sendesk-cli) and on the school server.

``expected=None`` (the command line, imports) keeps the old behaviour: the last save wins,
with the old values kept in the change trail as always.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import SendeskError
from ..models import dates
from ..session import Session

SOMEONE = "Someone on another PC"


@dataclass(frozen=True)
class Difference:
    """One field as this person would save it and as it is stored now. ``changed_by_me``:
    whether this person changed it in the form (from what the form opened with); a field only
    the other person changed is not "yours", and is shown as unchanged by you."""

    label: str
    mine: str
    theirs: str
    changed_by_me: bool = True


class StaleRecord(SendeskError):
    """The record changed after it was opened; nothing was saved. ``now``: the record as it is
    stored now, in the shape the write takes as ``expected``, so that "keep mine" can save this
    person's changes over it deliberately (and a third PC's change meanwhile is refused too).
    ``same``: how many of the record's other fields hold the same in both versions (not
    listed: a row with one value twice only hides the ones that differ)."""

    def __init__(self, what: str, who: str, when: str, differences: tuple[Difference, ...],
                 now: Any = None, same: int = 0) -> None:
        self.what, self.who, self.when, self.differences = what, who, when, differences
        self.now, self.same = now, same
        super().__init__(f"{who} changed {what} {when}, after you opened it, so your changes "
                         "were not saved. Compare the two versions and choose which to keep.")


def plain(value: Any) -> Any:
    """A value as a form and the database both hold it: dates as ISO text, None and the empty
    string alike, numbers and flags as text, lists and rows compared field by field."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def shown(value: Any) -> str:
    """A value in the side-by-side view: dates the British way, rows (a plan's outcomes) one
    to a line by their first field that is not an id (a row's words, not its number)."""
    if isinstance(value, list | tuple):
        return "\n".join(shown(v) for v in value)
    if isinstance(value, Mapping):
        return next((shown(v) for k, v in value.items()
                     if k != "id" and not str(k).endswith("_id") and plain(v)), "")
    if isinstance(value, dt.date):
        return dates.format_uk(value)
    text = plain(value)
    try:
        return dates.format_uk(dt.date.fromisoformat(text)) if len(text) == 10 else text
    except ValueError:
        return text


def last_change(session: Session, pupil_id: int, record_type: str | Iterable[str],
                record_id: int | None = None) -> tuple[str, str] | None:
    """Who made the latest trail entry for this record (or these kinds of record of the
    pupil), and when, as "on 23/11/2026 at 09:30"; None if the trail holds none."""
    types = [record_type] if isinstance(record_type, str) else list(record_type)
    sql = ("SELECT f.changed_at, u.full_name FROM field_changes f LEFT JOIN users u"
           " ON u.id = f.changed_by WHERE f.pupil_id = ? AND f.record_type IN ("
           + ",".join("?" * len(types)) + ")")
    params: list[Any] = [int(pupil_id), *types]
    if record_id is not None:
        sql += " AND f.record_id = ?"
        params.append(int(record_id))
    row = session.db.query_one(sql + " ORDER BY f.id DESC LIMIT 1", params)
    if row is None:
        return None
    return row["full_name"] or SOMEONE, when_text(row["changed_at"])


def when_text(stamp: str) -> str:
    try:
        at = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return "just now"
    if at.tzinfo is not None:
        at = at.astimezone()
    return f"on {dates.format_uk(at.date())} at {at:%H:%M}"


def require_unchanged(session: Session, *, what: str, expected: Mapping[str, Any],
                      stored: Mapping[str, Any], mine: Mapping[str, Any],
                      labels: Mapping[str, str], who_when: tuple[str, str] | None = None,
                      pupil_id: int | None = None, record_type: str | Iterable[str] = (),
                      record_id: int | None = None, now: Any = None) -> None:
    """Refuse the save if what is stored is no longer what the form opened with.

    ``expected`` is the record as the form opened it, ``stored`` the record now, ``mine``
    what this person would save; ``labels`` names each field the side-by-side view shows;
    ``now`` the stored record as the write takes ``expected`` (default: ``stored``).
    Only the fields whose two versions differ are listed (a field both changed alike is not).
    """
    if plain(expected) == plain(stored):
        return
    differences = tuple(
        Difference(label, shown(mine.get(name)), shown(stored.get(name)),
                   plain(mine.get(name)) != plain(expected.get(name)))
        for name, label in labels.items() if plain(mine.get(name)) != plain(stored.get(name)))
    if who_when is None and pupil_id is not None:
        who_when = last_change(session, pupil_id, record_type, record_id)
    who, when = who_when or (SOMEONE, "just now")
    raise StaleRecord(what, who, when, differences, stored if now is None else now,
                      same=len(labels) - len(differences))


def merge_rows(opened: Sequence[Mapping[str, Any]], mine: Sequence[Mapping[str, Any]],
               now: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A list of lines (a plan's outcomes, its provision) as "keep mine" saves it over the
    version now stored, so that keeping mine never takes away what the other PC added.

    ``opened``: the lines as this person's form opened them (each with its ``id``); ``mine``:
    the lines as they stand in the form; ``now``: the lines as stored now. A line the other PC
    added stays, after the line it followed; a line this person removed is removed and one
    they edited is saved as they edited it (edited on both PCs: theirs is in the change
    trail); a line this person left alone keeps the other PC's edit, or stays removed if the
    other PC removed it; one this person edited that the other PC removed comes back as a new
    line rather than being lost.
    """
    base = {row["id"]: row for row in opened if row.get("id")}
    held = {row["id"]: row for row in now if row.get("id")}

    def edited(row: Mapping[str, Any]) -> bool:
        was = base.get(row.get("id"))
        return was is None or plain({k: row.get(k) for k in was}) != plain(was)

    merged: list[dict[str, Any]] = []
    for row in mine:
        row_id = row.get("id")
        if row_id in held:
            merged.append(dict(row) if edited(row) else dict(held[row_id]))
        elif not row_id or edited(row):
            merged.append(dict(row, id=None))
    for index, row in enumerate(now):
        if row.get("id") in base:
            continue   # there when the form opened: this person kept, edited or removed it
        before = {r.get("id") for r in now[:index]}
        at = max((i + 1 for i, r in enumerate(merged) if r.get("id") in before), default=0)
        merged.insert(at, dict(row))
    return merged
