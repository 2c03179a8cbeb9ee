"""Which way each named measure improves: the school's one answer for each measure's name,
higher is better (the default, when the school has said nothing) or lower is better (an SDQ
difficulties score, a count of behaviour incidents).

One answer a name, not one a pupil's measure or a library item: the impact table's row for a
measure adds up every pupil measured by it, and half of them gaining upwards and half
downwards would make its mean gain mean nothing. So the answer is given wherever the measure
is named (the library's "measures it is usually judged by", a pupil's entry and exit) and
changing it in one place changes it everywhere, for the pupils already measured too: what is
stored is the entry and exit as taken, and which way is better is applied as they are read
(models.measures.Measure.gain, models.impact.directed).

A school setting, not a pupil's record: a transferred record carries the sending school's
answer for each measure in it, and the next school takes it only where it has not answered
itself (transfer/directions.py).
"""

from __future__ import annotations

from ..models.measures import direction_key
from ..models.roles import Permission
from ..operations import Kind, changed, operation
from ..session import Session
from ..store.database import Database
from ._common import placeholders


def directions(db: Database) -> dict[str, bool]:
    """Every name the school has answered for (by direction_key): True where lower is better."""
    return {row["name_key"]: bool(row["lower_is_better"])
            for row in db.query("SELECT name_key, lower_is_better FROM measure_directions")}


def lower_names(db: Database) -> frozenset[str]:
    """The names (by direction_key) for which lower is better."""
    return frozenset(key for key, lower in directions(db).items() if lower)


def set_direction(session: Session, name: str, lower: bool) -> bool:
    """Record the school's answer for the name, inside the caller's operation; True when it
    changed which way the measure improves (and then every page showing a gain reads again)."""
    key = direction_key(name)
    if not key:
        return False
    row = session.db.query_one("SELECT lower_is_better FROM measure_directions"
                               " WHERE name_key = ?", (key,))
    if row is not None and bool(row["lower_is_better"]) == lower:
        return False
    if row is None:
        session.db.execute("INSERT INTO measure_directions (name_key, name, lower_is_better,"
                           " updated_at, updated_by) VALUES (?, ?, ?, ?, ?)",
                           (key, name, int(lower), session.now_text(), session.user.id))
    else:
        session.db.execute("UPDATE measure_directions SET name = ?, lower_is_better = ?,"
                           " updated_at = ?, updated_by = ? WHERE name_key = ?",
                           (name, int(lower), session.now_text(), session.user.id, key))
    if row is None and not lower:
        return False          # said out loud what was already the default
    changed(session, Kind.MEASURE, whole_school=True, measure=name,
            direction="lower is better" if lower else "higher is better")
    return True


@operation(Permission.VIEW_RECORDS, writes=False)
def school_directions(session: Session) -> dict[str, bool]:
    """The school's answers, for a form that follows the name typed (by direction_key)."""
    return directions(session.db)


@operation(Permission.VIEW_RECORDS, writes=False)
def pupils_measured_by(session: Session, name: str, other_than: int | None = None) -> int:
    """How many pupils (other than other_than) have a measure of this name (a count, no
    names), so changing which way it improves can say how many it touches."""
    key = direction_key(name)
    names = [row["name"] for row in session.db.query(
        "SELECT DISTINCT name FROM provision_measures WHERE removed_at IS NULL")
        if direction_key(row["name"]) == key]
    if not names:
        return 0
    return int(session.db.scalar(
        "SELECT count(DISTINCT pupil_id) FROM provision_measures WHERE removed_at IS NULL"
        f" AND pupil_id <> ? AND name IN ({placeholders(len(names))})",
        [-1 if other_than is None else int(other_than), *names]))
