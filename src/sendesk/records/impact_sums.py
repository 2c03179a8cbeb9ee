"""The impact table's per-pupil rules worked out in SQL, so its reads are the size of its answer.

At a county's 60,000 pupils a three-year impact table covers some 76,000 plan lines, 47,000
reviewed outcome rows and 56,000 measures; fetching them into Python and counting each pupil
there took most of a second (docs/performance.md). Here the database applies models.impact's
rules pupil by pupil and returns sums: a few hundred rows, one per provision, measure and
(with a breakdown) group of pupils.

The rules, as models.impact states them:

* a library item's pupils are those with one of its plan lines running in the period and the
  members present in one of its groups; a group's, its members present (the groups that ran,
  and when, come from Python: their runs follow the school's calendar);
* a pupil's measure counts by the latest complete exit in the period (of two on one day, the
  one entered last); a library item counts the measures on its lines and in its groups, a
  group those taken in it, each only for the row's own pupils;
* a pupil met their outcomes when every outcome reviewed in the period was achieved: only the
  outcomes naming the row's measure, if any do, and for a library item only the plans that
  held its line (a pupil there only through a group: all their plans).

Names are matched as Python matches them (a measure's name stripped; an outcome's stripped
and case-folded), by lists of the few distinct names passed in as VALUES, not by either
engine's own case rules. Means are summed exactly, in hundredths (values have at most two
decimals), and the mean ratio gain from each age measure's months gained per month elapsed.
Everything is plain SQL that SQLite and PostgreSQL both run; only whether one part is kept
while the statement runs differs by engine (_LINED).

The library items' part, nearly all of the work, is read from facts kept in the order it is
summed in (records/impact_facts.py): the lines by library item and pupil, the reviews already
joined to the lines of their plans (impact_line_outcomes) and the lines' measures with their
line's item and days (impact_line_measures, by exit date), so SQLite groups each as it reads,
with no join and no sort. A pupil's latest line measure is read, not ranked: impact_line_measures keeps
beside each measure the exit date and line days of the next one (migration 23), so the latest
in a period is the one that counts while its next one does not; only where a group's measure,
or another line's, might be later are those few ranked. Whether a pupil met their outcomes
needs no name: only the outcomes that name a measure are read again, by name.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..models.measures import DAYS_PER_MONTH, MeasureKind
from ..session import Session
from ..store.day_numbers import day_number_sql

LIBRARY, GROUP = "library", "group"
RowKey = tuple[str, int]          # ("library", library id) or ("group", group id)
_NOBODY = ""                      # the category when there is no breakdown


@dataclass
class Measured:
    """One measure's sums over the pupils of a row (and category): latest scores only."""

    pupils: int = 0
    entry_hundredths: int = 0
    exit_hundredths: int = 0
    ratios: int = 0
    ratio_sum: float = 0.0

    def mean_entry(self) -> float | None:
        return _mean(self.entry_hundredths, self.pupils)

    def mean_exit(self) -> float | None:
        return _mean(self.exit_hundredths, self.pupils)

    def mean_gain(self) -> float | None:
        return _mean(self.exit_hundredths - self.entry_hundredths, self.pupils)

    def mean_ratio_gain(self) -> float | None:
        if not self.ratios:
            return None
        return float(Decimal(str(self.ratio_sum / self.ratios)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP))


def _mean(hundredths: int, count: int) -> float | None:
    """The mean rounded half up to one decimal, as models.impact shows it, worked out exactly."""
    if not count:
        return None
    return float((Decimal(hundredths) / Decimal(100 * count)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class Part:
    """A row's counts for one category of pupils ('' with no breakdown)."""

    pupils: int = 0
    reviewed: int = 0
    all_met: int = 0
    # outcome name key -> (pupils with an outcome so named, of those all met, of those all of
    # the named ones met)
    named: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    measures: dict[tuple[str, MeasureKind], Measured] = field(default_factory=dict)

    def met(self, key: int | None) -> int:
        """Pupils who met their outcomes for a measure whose name is this outcome key."""
        if key is None or key not in self.named:
            return self.all_met
        _, all_ok, named_ok = self.named[key]
        return self.all_met - all_ok + named_ok


@dataclass
class Sums:
    """Every row's parts, and the key each outcome name folds to."""

    parts: dict[RowKey, dict[str, Part]]
    outcome_keys: dict[str, int]

    def key_of(self, measure: str) -> int | None:
        return self.outcome_keys.get(measure.casefold()) if measure else None


# A line ran in the period (its days overlap the period's); t is the table's alias.
_RAN = "{t}.stopped >= ? AND {t}.began <= ? AND {t}.began <= {t}.stopped"
_COMPLETE = ("m.removed_at IS NULL AND m.entry_value IS NOT NULL AND m.exit_value IS NOT NULL"
             " AND m.exit_date >= ? AND m.exit_date <= ?")
# The next later measure's line (impact_line_measures' later_began and later_stopped) ran.
_RAN_LATER = ("x.later_stopped >= ? AND x.later_began <= ?"
              " AND x.later_began <= x.later_stopped")
# The days from entry to exit of a group's measure (a line's are kept: impact_line_measures),
# worked out only for an age, the one kind whose ratio gain needs them.
_DAYS = ("CASE WHEN m.kind IN ({ages}) THEN "
         f"{day_number_sql('m.exit_date')} - {day_number_sql('m.entry_date')} END")
# The first row of each VALUES list is typed, so PostgreSQL knows its columns' types.
_TYPED = "(CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS TEXT))"
_TYPED_NAME = "(CAST(? AS TEXT), CAST(? AS INTEGER))"
_TYPED_MEASURE = "(CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS INTEGER))"

# Every name a measure has been given, or an outcome reviewed named (those of the period among
# them; the rest match no row), read by stepping along the column's index (provision_measures_
# name, impact_reviews_named) from one name to the next.
_NAMES = """
WITH RECURSIVE names (name) AS (
    SELECT MIN({column}) FROM {table}
    UNION ALL
    SELECT (SELECT MIN(t.{column}) FROM {table} t WHERE t.{column} > n.name)
    FROM names n WHERE n.name IS NOT NULL)
SELECT name FROM names WHERE name IS NOT NULL
"""

# The library items' pupils with a line that ran (lined, below), by engine: on the server read
# once, grouped and kept, since its three uses each hashed all the period's 76,000 lines (20
# ms of the server's CPU for three years); on SQLite put in place at each use, where each is a
# search of impact_lines_library (kept, it would be a table to index for each look-up).
_LINED = {
    "postgresql": ("MATERIALIZED (SELECT l.library_id, l.pupil_id FROM impact_lines l"
                   " WHERE {ran} GROUP BY l.library_id, l.pupil_id)"),
    "sqlite": "NOT MATERIALIZED (SELECT l.library_id, l.pupil_id FROM impact_lines l WHERE {ran})",
}

_SQL = """
WITH ran_groups (group_id, first_on, last_on) AS (VALUES {groups}),
outcome_names (raw, name_key) AS (VALUES {outcome_names}),
measure_names (raw, name_key, shared) AS (VALUES {measure_names}),
present AS (
    SELECT DISTINCT m.group_id, g.library_id, m.pupil_id
    FROM ran_groups r JOIN provision_group_members m ON m.group_id = r.group_id
    JOIN provision_groups g ON g.id = r.group_id
    WHERE m.joined_on <= r.last_on AND (m.left_on IS NULL OR m.left_on >= r.first_on)),
-- The library items' pupils with one of their lines that ran (_LINED: kept or not by engine).
lined AS {lined},
-- Each row's pupils there through a group alone (a library item's with no line of it that
-- ran), kept apart from the many with lines, so what looks them up looks among few.
others AS MATERIALIZED (
    SELECT DISTINCT 'library' AS row_kind, p.library_id AS ref, p.pupil_id FROM present p
    WHERE p.library_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM lined l WHERE l.library_id = p.library_id AND l.pupil_id = p.pupil_id)
    UNION ALL
    SELECT 'group', p.group_id, p.pupil_id FROM present p),
members AS (
    SELECT 'library' AS row_kind, l.library_id AS ref, l.pupil_id
    FROM lined l GROUP BY l.library_id, l.pupil_id
    UNION ALL
    SELECT h.row_kind, h.ref, h.pupil_id FROM others h),
-- Whether each reviewed pupil met every outcome reviewed, and every one naming each measure
-- (a name folding to nothing names none): for a library item's pupil with its lines, over the
-- reviews of the plans holding one that ran; for anyone else, over all their reviews.
others_reviewed AS (
    SELECT r.pupil_id, n.name_key, MIN(CASE WHEN r.reviewed = r.achieved THEN 1 ELSE 0 END) AS ok
    FROM impact_reviews r CROSS JOIN outcome_names n
    WHERE r.held_on >= ? AND r.held_on <= ? AND n.raw = r.measure_name
      AND r.pupil_id IN (SELECT p.pupil_id FROM present p)
    GROUP BY r.pupil_id, n.name_key),
by_pupil AS (
    SELECT 'library' AS row_kind, o.library_id AS ref, o.pupil_id, MIN(o.met) AS ok
    FROM impact_line_outcomes o WHERE o.held_on >= ? AND o.held_on <= ? AND {ran_o}
    GROUP BY o.library_id, o.pupil_id
    UNION ALL
    SELECT h.row_kind, h.ref, h.pupil_id, MIN(k.ok)
    FROM others h JOIN others_reviewed k ON k.pupil_id = h.pupil_id
    GROUP BY h.row_kind, h.ref, h.pupil_id),
by_name AS (
    SELECT 'library' AS row_kind, o.library_id AS ref, o.pupil_id, n.name_key, MIN(o.met) AS ok
    FROM outcome_names n CROSS JOIN impact_line_outcomes o
    WHERE n.name_key <> 0 AND o.measure_name = n.raw AND o.measure_name <> ''
      AND o.held_on >= ? AND o.held_on <= ? AND {ran_o}
    GROUP BY o.library_id, o.pupil_id, n.name_key
    UNION ALL
    SELECT h.row_kind, h.ref, h.pupil_id, k.name_key, k.ok
    FROM others h JOIN others_reviewed k ON k.pupil_id = h.pupil_id WHERE k.name_key <> 0),
found AS (
    SELECT 'group' AS row_kind, m.group_id AS ref, m.pupil_id, m.kind, m.name, m.exit_date, m.id,
           m.entry_value, m.exit_value, {days} AS days
    FROM provision_measures m JOIN ran_groups r ON r.group_id = m.group_id WHERE {complete}
    UNION ALL
    SELECT 'library', g.library_id, m.pupil_id, m.kind, m.name, m.exit_date, m.id,
           m.entry_value, m.exit_value, {days}
    FROM provision_measures m JOIN ran_groups r ON r.group_id = m.group_id
    JOIN provision_groups g ON g.id = m.group_id
    WHERE {complete} AND g.library_id IS NOT NULL),
-- The lines' complete measures that may be their pupil's latest: each with no later measure
-- of its name on its item (impact_line_measures keeps the next one's exit date and line days)
-- that counts in the period. Every pupil's latest line measure is one of them; unsure when
-- there may be another (the next one's line did not run in the period, so an even later one
-- may count; or another name as written strips to the same).
line_found AS MATERIALIZED (
    SELECT x.library_id AS ref, x.pupil_id, n.name_key, x.kind, x.exit_date, x.measure_id AS id,
           x.entry_value, x.exit_value, x.days,
           CASE WHEN n.shared = 1 OR x.later_exit <= ? THEN 1 ELSE 0 END AS unsure
    FROM impact_line_measures x CROSS JOIN measure_names n
    WHERE x.exit_date >= ? AND x.exit_date <= ? AND {ran_x} AND n.raw = x.name
      AND (x.later_exit IS NULL OR x.later_exit > ? OR NOT ({ran_later}))),
-- The groups' complete measures of each row's own pupils (a group's: those present in it; a
-- library item's: those with a line of it that ran, or else present in a group made from it:
-- its others), by the name stripped. Each look-up matches its whole key, one column to one,
-- so PostgreSQL hashes the few thousand others once; one that picked the column by row_kind
-- was run as a scan of everyone present for each of 10,000 measures (0.9 s, three years).
group_found AS MATERIALIZED (
    SELECT f.row_kind, f.ref, f.pupil_id, n.name_key, f.kind, f.exit_date, f.id, f.entry_value,
           f.exit_value, f.days
    FROM found f CROSS JOIN measure_names n
    WHERE n.raw = f.name AND (
        EXISTS (SELECT 1 FROM others h WHERE h.row_kind = f.row_kind AND h.ref = f.ref
                AND h.pupil_id = f.pupil_id)
        OR (f.row_kind = 'library' AND EXISTS (
            SELECT 1 FROM lined l WHERE l.library_id = f.ref AND l.pupil_id = f.pupil_id)))),
-- A line's measure is its pupil's latest by the name stripped unless a group's measure of that
-- name, or another line's, might be later (the pupil, item, name and measure kind are
-- contested): those, and the groups', are ranked (of two on one day, the one entered last
-- counts).
contested AS MATERIALIZED (
    SELECT o.ref, o.pupil_id, o.name_key, o.kind FROM group_found o WHERE o.row_kind = 'library'
    UNION
    SELECT l.ref, l.pupil_id, l.name_key, l.kind FROM line_found l WHERE l.unsure = 1),
line_marked AS (
    SELECT l.*, CASE WHEN t.ref IS NULL THEN 0 ELSE 1 END AS ranked
    FROM line_found l LEFT JOIN contested t
      ON t.ref = l.ref AND t.pupil_id = l.pupil_id AND t.name_key = l.name_key
     AND t.kind = l.kind),
ranked AS (
    SELECT c.row_kind, c.ref, c.pupil_id, c.name_key, c.kind, c.entry_value, c.exit_value,
           c.days, ROW_NUMBER() OVER (PARTITION BY c.row_kind, c.ref, c.pupil_id, c.name_key,
                                      c.kind ORDER BY c.exit_date DESC, c.id DESC) AS place
    FROM (SELECT 'library' AS row_kind, l.ref, l.pupil_id, l.name_key, l.kind, l.exit_date,
                 l.id, l.entry_value, l.exit_value, l.days
          FROM line_marked l WHERE l.ranked = 1
          UNION ALL
          SELECT o.row_kind, o.ref, o.pupil_id, o.name_key, o.kind, o.exit_date, o.id,
                 o.entry_value, o.exit_value, o.days
          FROM group_found o) c),
kept AS (
    SELECT 'library' AS row_kind, l.ref, l.pupil_id, l.name_key, l.kind, l.entry_value,
           l.exit_value, l.days
    FROM line_marked l WHERE l.ranked = 0
    UNION ALL
    SELECT k.row_kind, k.ref, k.pupil_id, k.name_key, k.kind, k.entry_value, k.exit_value, k.days
    FROM ranked k WHERE k.place = 1)
SELECT 'pupils' AS part, h.row_kind, h.ref, {category} AS category, {known} AS known,
       0 AS name_key, '' AS kind, count(*) AS a, 0 AS b, 0 AS c, 0 AS d, 0.0 AS e
FROM members h {pupils}
GROUP BY h.row_kind, h.ref{by_category}
UNION ALL
SELECT 'reviewed', h.row_kind, h.ref, {category}, {known}, 0, '', count(*), SUM(h.ok), 0, 0, 0.0
FROM by_pupil h {pupils}
GROUP BY h.row_kind, h.ref{by_category}
UNION ALL
SELECT 'named', b.row_kind, b.ref, {category}, {known}, b.name_key, '', count(*), SUM(h.ok),
       SUM(b.ok), 0, 0.0
FROM by_name b JOIN by_pupil h
     ON h.row_kind = b.row_kind AND h.ref = b.ref AND h.pupil_id = b.pupil_id {pupils}
WHERE b.name_key <> 0
GROUP BY b.row_kind, b.ref{by_category}, b.name_key
UNION ALL
SELECT 'measured', h.row_kind, h.ref, {category}, {known}, h.name_key, h.kind, count(*),
       SUM(CAST(ROUND(h.entry_value * 100) AS INTEGER)),
       SUM(CAST(ROUND(h.exit_value * 100) AS INTEGER)),
       SUM(CASE WHEN h.kind IN ({ages}) AND h.days * 100 >= {month_hundredths}
                THEN 1 ELSE 0 END),
       SUM(CASE WHEN h.kind IN ({ages}) AND h.days * 100 >= {month_hundredths}
                THEN (h.exit_value - h.entry_value) * {month_hundredths} / (h.days * 100)
                ELSE 0.0 END)
FROM kept h {pupils}
GROUP BY h.row_kind, h.ref{by_category}, h.name_key, h.kind
"""

_AGES = tuple(kind.value for kind in MeasureKind if kind.is_age)
_KINDS = {kind.value: kind for kind in MeasureKind}


def _values(rows: Sequence[tuple], typed: str, dummy: tuple) -> tuple[str, list]:
    """A VALUES list of rows (a row matching nothing if there are none), first row typed."""
    rows = list(rows) or [dummy]
    plain = "(" + ", ".join("?" * len(rows[0])) + ")"
    return ", ".join([typed] + [plain] * (len(rows) - 1)), [v for row in rows for v in row]


def sums(session: Session, start: dt.date, end: dt.date,
         ran_groups: Sequence[tuple[int, dt.date, dt.date]],
         category_column: str | None, category_of: Callable[[bool, object], str]) -> Sums:
    """The period's sums by row and category. ran_groups: each group that ran in the period
    with the first and last day of its run inside it. category_column: the pupils' column a
    breakdown groups by (None: no breakdown); category_of(known, value) names its group."""
    period = [start.isoformat(), end.isoformat()]
    last = period[1]
    db = session.db
    raw_outcomes = [r[0] for r in db.query(_NAMES.format(column="measure_name",
                                                        table="impact_reviews"))]
    outcome_keys: dict[str, int] = {}
    for raw in raw_outcomes:
        folded = raw.strip().casefold()
        if folded:
            outcome_keys.setdefault(folded, len(outcome_keys) + 1)
    raw_measures = [r[0] for r in db.query(_NAMES.format(column="name",
                                                        table="provision_measures"))]
    measure_keys: dict[str, int] = {}
    for raw in raw_measures:
        measure_keys.setdefault(raw.strip(), len(measure_keys) + 1)
    measure_names = {number: name for name, number in measure_keys.items()}
    groups_sql, group_params = _values(
        [(gid, first.isoformat(), last.isoformat()) for gid, first, last in ran_groups],
        _TYPED, (0, "9999-12-31", "0000-01-01"))
    outcomes_sql, outcome_params = _values(
        [(raw, outcome_keys.get(raw.strip().casefold(), 0)) for raw in raw_outcomes],
        _TYPED_NAME, ("", 0))
    # shared: another name as written strips to the same (the lines' latest is then checked
    # across the names).
    written = Counter(raw.strip() for raw in raw_measures)
    measures_sql, measure_params = _values(
        [(raw, measure_keys[raw.strip()], int(written[raw.strip()] > 1)) for raw in raw_measures],
        _TYPED_MEASURE, ("", 0, 0))
    if category_column is None:
        category, known, pupils, by_category = "''", "1", "", ""
    else:
        category, known = f"p.{category_column}", "CASE WHEN p.id IS NULL THEN 0 ELSE 1 END"
        pupils = "LEFT JOIN pupils p ON p.id = h.pupil_id"
        by_category = f", {category}, {known}"
    ages = ", ".join("?" * len(_AGES))
    sql = _SQL.format(
        groups=groups_sql, outcome_names=outcomes_sql, measure_names=measures_sql,
        lined=_LINED[db.engine].format(ran=_RAN.format(t="l")),
        ran_o=_RAN.format(t="o"), ran_x=_RAN.format(t="x"),
        ran_later=_RAN_LATER,
        complete=_COMPLETE, category=category, known=known,
        pupils=pupils, by_category=by_category, ages=ages, days=_DAYS.format(ages=ages),
        month_hundredths=int(DAYS_PER_MONTH * 100))
    params = [*group_params, *outcome_params, *measure_params,
              *period,                       # lined: the lines that ran
              *period,                       # the others' reviews
              *period, *period,              # by_pupil: through lines
              *period, *period,              # by_name: through lines
              *_AGES, *period, *_AGES, *period,      # found: groups' measures
              last, *period, *period, last, *period,   # line_found: lines' measures
              *_AGES, *_AGES]
    parts: dict[RowKey, dict[str, Part]] = defaultdict(dict)
    # Each row unpacked in the statement's column order: on the server a row's fields read by
    # name go through Python (store/server_rows.py), a few thousand rows times a dozen fields.
    for (kind, row_kind, ref, category, known, name_key, measure_kind,
         a, b, c, d, e) in db.query(sql, params):
        label = _NOBODY if category_column is None else category_of(bool(known), category)
        part = parts[(row_kind, int(ref))].setdefault(label, Part())
        a = int(a)
        if kind == "pupils":
            part.pupils += a
        elif kind == "reviewed":
            part.reviewed += a
            part.all_met += int(b)
        elif kind == "named":
            was = part.named.get(int(name_key), (0, 0, 0))
            part.named[int(name_key)] = (was[0] + a, was[1] + int(b), was[2] + int(c))
        else:
            measured = part.measures.setdefault(
                (measure_names[int(name_key)], _KINDS[measure_kind]), Measured())
            measured.pupils += a
            measured.entry_hundredths += int(b)
            measured.exit_hundredths += int(c)
            measured.ratios += int(d)
            measured.ratio_sum += float(e)
    return Sums(dict(parts), outcome_keys)
