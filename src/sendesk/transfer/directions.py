"""Which way each measure in a pupil's record improves, as the sending school reads it: written
beside the record, checked on receipt, taken where this school has not said, and shown where
this school says otherwise.

A measure's entry and exit travel as taken; which way is better is the school's one answer for
the measure's name (records/measure_directions.py). Without the sender's answer a count of
behaviour incidents arrives at a school that has never named it, reads as higher is better,
and every gain it shows is backwards. So the record carries, for every measure name in it (a
pupil's entry and exit, an outcome's "measure used"), the sender's answer, its default
included: {"name": ..., "lower_is_better": true or false}, under "measure_directions".

On receipt, for each name whose measures are imported:

- this school has not said: the sender's answer is taken, and the review says so when it is
  lower is better (and how many of this school's own pupils it turns, when any are measured
  by that name);
- this school says the same: nothing;
- this school says otherwise: this school's answer is kept, and the review says so before
  Import. The answer is one for the whole school: changing it turns the gains of every pupil
  here measured by that name, and the impact and governors' figures already reported, which
  is the SENCO's decision on the measure's own form (it says how many pupils it touches), not
  a side effect of admitting one pupil. Two schools giving one name opposite answers usually
  measure different things by it. The pupil's values are kept as recorded either way, and the
  sender's SEND file PDF marks the measure "(lower is better)".

Added to record version 1 without a new version: the field is optional (a package made before
it is read as before, its measures taking this school's answers), and an older sendesk that
ignores it reads gains as it always did, where a new version would make it refuse the whole
file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..models.measures import direction_key
from ..records import measure_directions
from ..session import Session
from ..store.database import Database
from . import row_types

FIELD = "measure_directions"
NAME_LENGTH = 100   # as a measure's name and an outcome's measure used are typed
# (table, column) naming a measure in the record.
NAMED_BY = (("provision_measures", "name"), ("apdr_outcomes", "measure_name"))
TAKEN, SAME, DIFFERS = "taken", "same", "differs"


def names_in(tables: Mapping[str, Iterable[Mapping[str, Any]]],
             kept: Mapping[str, Iterable[Any]] | None = None) -> dict[str, str]:
    """The measure names in the record's tables, by direction_key (first spelling met); with
    kept, only those of rows whose package id it holds for the table (the rows imported)."""
    found: dict[str, str] = {}
    for table, column in NAMED_BY:
        ids = None if kept is None else set(kept.get(table, ()))
        for row in tables.get(table, []):
            name = row.get(column)
            if not isinstance(name, str) or not direction_key(name):
                continue
            if ids is None or row.get("id") in ids:
                found.setdefault(direction_key(name), name)
    return found


def for_record(db: Database, tables: Mapping[str, Iterable[Mapping[str, Any]]]
               ) -> list[dict[str, Any]]:
    """The sending school's answer for every measure name in the record, default included."""
    ours = measure_directions.directions(db)
    return [{"name": name, "lower_is_better": ours.get(key, False)}
            for key, name in sorted(names_in(tables).items())]


def _refused(number: int, column: str, fault: str) -> Exception:
    return row_types.refused(FIELD, number, column, fault)


def parse(record: Mapping[str, Any]) -> dict[str, tuple[str, bool]]:
    """The record's directions, typed and bounded: {direction_key: (name, lower)}. Absent (a
    package made before them) gives none; anything malformed refuses the package in one
    sentence naming the entry. Each entry names a different measure the record holds, so there
    are never more than its measure names."""
    if FIELD not in record:
        return {}
    given = record[FIELD]
    named = names_in(record["tables"])
    if not isinstance(given, list):
        raise _refused(1, "the list", "is not a list of measures")
    found: dict[str, tuple[str, bool]] = {}
    for number, entry in enumerate(given, start=1):
        if not isinstance(entry, dict) or set(entry) != {"name", "lower_is_better"}:
            raise _refused(number, "the entry", "is not a name and lower_is_better")
        try:
            name = row_types.clean_outside_name(entry["name"], max_length=NAME_LENGTH)
        except row_types.Fault as exc:
            raise _refused(number, "name", str(exc)) from None
        key = direction_key(name)
        if key not in named:
            raise _refused(number, "name", "names a measure the record does not hold")
        if key in found:
            raise _refused(number, "name", "repeats a measure already answered for")
        lower = entry["lower_is_better"]
        if not isinstance(lower, bool):
            raise _refused(number, "lower_is_better",
                           f"is {str(lower)[:30]!r}, not true or false")
        found[key] = (name, lower)
    return found


@dataclass(frozen=True)
class Arriving:
    """The sender's answer for one measure name beside this school's."""

    name: str
    theirs: bool                 # True: the sender reads it lower is better
    ours: bool | None            # this school's answer; None when it has not said
    measured_here: int = 0       # this school's pupils already measured by the name

    @property
    def state(self) -> str:
        return TAKEN if self.ours is None else SAME if self.ours == self.theirs else DIFFERS

    @property
    def worth_saying(self) -> bool:
        """A difference, or a lower-is-better answer taken (taking 'higher' changes nothing)."""
        return self.state == DIFFERS or (self.state == TAKEN and self.theirs)

    def sentence(self) -> str:
        def way(lower: bool) -> str:
            return "lower" if lower else "higher"
        if self.state == DIFFERS:
            return (f"The sending school records {way(self.theirs)} scores as better for "
                    f"'{self.name}'; this school records {way(not self.theirs)} as better. "
                    "Their measures are kept as recorded and read here as this school says; "
                    "to change that, change it on a measure's form.")
        text = (f"The sending school records {way(self.theirs)} scores as better for "
                f"'{self.name}'; this school had not said, so that is taken here.")
        if self.measured_here and self.theirs:
            text += (f" The {self.measured_here} pupil{'s' if self.measured_here != 1 else ''}"
                     " here already measured by it will read that way too.")
        return text


def compare(db: Database, sent: Mapping[str, tuple[str, bool]]) -> list[Arriving]:
    """Each of the sender's answers beside this school's, in the order of the names."""
    ours = measure_directions.directions(db)
    measured = _measured_here(db, {k for k, (_, lower) in sent.items() if lower and k not in ours})
    return [Arriving(name, lower, ours.get(key), measured.get(key, 0))
            for key, (name, lower) in sorted(sent.items())]


def _measured_here(db: Database, keys: set[str]) -> dict[str, int]:
    """How many of this school's pupils have a measure of each name (by direction_key)."""
    if not keys:
        return {}
    pupils: dict[str, set[int]] = {}
    for row in db.query("SELECT DISTINCT pupil_id, name FROM provision_measures"
                        " WHERE removed_at IS NULL"):
        key = direction_key(row["name"])
        if key in keys:
            pupils.setdefault(key, set()).add(int(row["pupil_id"]))
    return {key: len(found) for key, found in pupils.items()}


def take(session: Session, sent: Mapping[str, tuple[str, bool]], imported: Iterable[str]
         ) -> list[Arriving]:
    """Inside the import's transaction: take the sender's answer for each imported name this
    school has not answered (read again now, so an answer given since the package was opened
    is kept); returns what was found for each, for the audit entry."""
    wanted = set(imported)
    found = compare(session.db, {k: v for k, v in sent.items() if k in wanted})
    for each in found:
        if each.state == TAKEN:
            measure_directions.set_direction(session, each.name, each.theirs)
    return found


def audit(found: Iterable[Arriving]) -> dict[str, Any]:
    """The names taken and the names whose difference was kept, for the transfer's entry."""
    listed = list(found)
    return {key: names for key, names in (
        ("directions_taken", [a.name for a in listed if a.state == TAKEN]),
        ("directions_kept_ours", [a.name for a in listed if a.state == DIFFERS])) if names}

