"""Which way each measure in a pupil's record improves, as the sending school reads it: written
beside the record, checked on receipt, taken where this school has not said and nobody here is
measured by it, and shown where this school reads it otherwise.

A measure's entry and exit travel as taken; which way is better is the school's one answer for
the measure's name (records/measure_directions.py). Without the sender's answer a count of
behaviour incidents arrives at a school that has never named it, reads as higher is better,
and every gain it shows is backwards. So the record carries the sender's answer for each
measure name in it (a pupil's entry and exit, an outcome's "measure used") that the sending
school has given: {"name": ..., "lower_is_better": true or false}, under "measure_directions".
A name the sender never answered is not sent: it read higher there, as an unanswered name
reads here, and sending the default would store it here as an answer nobody gave (so the next
school's "lower" for it would be reported as a difference this school never made).

On receipt, for each name whose measures are imported:

- this school has not said and none of its own pupils is measured by the name: the sender's
  answer is taken, and the review says so when it is lower is better;
- this school says the same (or has not said, its measured pupils reading higher, and the
  sender says higher): nothing;
- this school says otherwise, or has not said but its own pupils measured by the name read
  higher: this school's reading is kept, and the review says so before Import. The answer is
  one for the whole school: changing it turns the gains of every pupil here measured by that
  name, and the impact and governors' figures already reported, which is the SENCO's decision
  on the measure's own form (it says how many pupils it touches), not a side effect of
  admitting one pupil. Two schools giving one name opposite answers usually measure different
  things by it. The pupil's values are kept as recorded either way, and the sender's SEND file
  PDF marks the measure "(lower is better)".

An answer the measure's form would refuse (lower is better for a reading or spelling age or a
scaled score) refuses the package: no sendesk writes it.

Added to record version 1 without a new version: the field is optional (a package made before
it is read as before, its measures taking this school's answers), and an older sendesk that
ignores it reads gains as it always did, where a new version would make it refuse the whole
file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..models.measures import MeasureKind, direction_key, kind_of_name
from ..records import measure_directions
from ..session import Session
from ..store.database import Database
from . import row_types
from .errors import TamperedPackage

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
    """The sending school's answer for each measure name in the record that it has given (an
    unanswered name is left out: it reads higher, here and there)."""
    ours = measure_directions.directions(db)
    return [{"name": name, "lower_is_better": ours[key]}
            for key, name in sorted(names_in(tables).items()) if key in ours]


def _refused(fault: str) -> TamperedPackage:
    return TamperedPackage("The pupil record inside this package cannot be imported: " + fault
                           + ". Nothing was imported.")


def _malformed(detail: str) -> TamperedPackage:
    return _refused("its record of whether lower scores are better for each measure is in a "
                    f"form sendesk does not write ({detail})")


def _never_lower(tables: Mapping[str, Iterable[Mapping[str, Any]]], key: str, name: str
                 ) -> MeasureKind | None:
    """The kind of the record's measures of this name when none of them may be better lower
    (all reading or spelling ages, say), as the measure's form refuses; None otherwise. A name
    with no measures (an outcome's measure used) goes by what the name says it is."""
    kinds = {MeasureKind(row["kind"]) for row in tables.get("provision_measures", [])
             if isinstance(row.get("name"), str) and direction_key(row["name"]) == key}
    if not kinds:
        said = kind_of_name(name)
        kinds = set() if said is None else {said}
    if kinds and not any(kind.may_be_lower for kind in kinds):
        return min(kinds, key=lambda kind: kind.value)
    return None


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
        raise _malformed("it is not a list of measures")
    found: dict[str, tuple[str, bool]] = {}
    for number, entry in enumerate(given, start=1):
        if not isinstance(entry, dict) or set(entry) != {"name", "lower_is_better"}:
            raise _malformed(f"measure {number} is not a measure's name with a yes or no")
        try:
            name = row_types.clean_outside_name(entry["name"], max_length=NAME_LENGTH)
        except row_types.Fault as exc:
            raise _malformed(f"the name of measure {number} {exc}") from None
        key = direction_key(name)
        if key not in named:
            raise _malformed(f"measure {number}, '{name}', is not a measure in the record")
        if key in found:
            raise _malformed(f"measure {number}, '{name}', is answered for twice")
        lower = entry["lower_is_better"]
        if not isinstance(lower, bool):
            raise _malformed(f"measure {number}: {str(lower)[:30]!r} instead of yes or no")
        kind = _never_lower(record["tables"], key, name) if lower else None
        if kind is not None:
            raise _refused(f"it says lower scores are better for '{name}', which is a "
                           f"{kind.label.lower()} and always better higher")
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
    def reading_here(self) -> bool | None:
        """How this school reads the name: its answer, else higher (the default) when its
        own pupils are measured by it, else None (nobody here reads it yet)."""
        if self.ours is not None:
            return self.ours
        return False if self.measured_here else None

    @property
    def state(self) -> str:
        here = self.reading_here
        return TAKEN if here is None else SAME if here == self.theirs else DIFFERS

    @property
    def worth_saying(self) -> bool:
        """A difference, or a lower-is-better answer taken (taking 'higher' changes nothing)."""
        return self.state == DIFFERS or (self.state == TAKEN and self.theirs)

    def sentence(self) -> str:
        def way(lower: bool) -> str:
            return "lower" if lower else "higher"
        given = f"The sending school records {way(self.theirs)} scores as better for '{self.name}'"
        if self.state == TAKEN:
            return f"{given}; this school had not said, so that is taken here."
        if self.ours is not None:
            return (f"{given}; this school records {way(not self.theirs)} as better. "
                    "Their measures are kept as recorded and read here as this school says; "
                    "to change that, change it on a measure's form.")
        one = self.measured_here == 1
        pupils = (f"{self.measured_here} pupil{'' if one else 's'} here "
                  f"{'is' if one else 'are'} measured by it and read{'s' if one else ''}")
        return (f"{given}; this school has not said, but {pupils} higher as better, "
                "so this school's reading is kept: the SENCO can change it on a measure's form.")


def compare(db: Database, sent: Mapping[str, tuple[str, bool]]) -> list[Arriving]:
    """Each of the sender's answers beside this school's, in the order of the names. Read
    before the pupil's own measures are loaded, so only this school's pupils are counted."""
    ours = measure_directions.directions(db)
    measured = _measured_here(db, {key for key in sent if key not in ours})
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


def take(session: Session, found: Iterable[Arriving], imported: Iterable[str]) -> list[Arriving]:
    """Inside the import's transaction: take the sender's answer for each imported name (by
    direction_key) where found, read by compare before the pupil's measures were loaded, has
    nobody here reading it; returns those imported, for the audit entry."""
    wanted = set(imported)
    kept = [each for each in found if direction_key(each.name) in wanted]
    for each in kept:
        if each.state == TAKEN:
            measure_directions.set_direction(session, each.name, each.theirs)
    return kept


def audit(found: Iterable[Arriving]) -> dict[str, Any]:
    """The names taken and the names whose difference was kept, for the transfer's entry."""
    listed = list(found)
    return {key: names for key, names in (
        ("directions_taken", [a.name for a in listed if a.state == TAKEN]),
        ("directions_kept_ours", [a.name for a in listed if a.state == DIFFERS])) if names}
