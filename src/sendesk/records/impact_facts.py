"""The impact facts: the narrow rows the impact table (and so the governors' figures) reads,
kept beside the history by a rule in records/derived.py.

Working the impact table out of the history joins every plan line to its plan, cycle,
pathway and held review, and every reviewed outcome to its review, over ten years: at a
county's 60,000 pupils that is seconds of SQLCipher pages read and decrypted for an answer a
few hundred rows long (docs/performance.md). So the facts are kept ready:

* impact_lines: one row per plan line filled from the library on an agreed plan (with a
  review date): its pupil, plan and library item, the first and last day it ran (from its
  start, or the plan's date, to its end, the held review that closed its cycle, or the
  review date agreed), as ISO dates and as day numbers, and its costing;
* impact_reviews: for each held review, per plan and named measure, how many outcomes were
  reviewed and how many achieved;
* plan_reviews: each agreed plan's review date, the day its review was held (if it has been),
  whether its pathway is still open (the governors' reviews held on time) and whether it is
  the pathway's latest agreed plan (the plan in force, whose lines the provision map shows).
* impact_line_outcomes: those two joined, one row per library line and reviewed row of its
  plan, with the line's days, the review's day and whether every outcome reviewed was
  achieved; and impact_line_measures: one row per complete entry and exit measure taken on a
  library line, with the line's library item and days. The impact table reads each of them
  in one pass in the order of its sums (library item, pupil), with no join and no sort: at
  60,000 pupils the same joined and ranked at read time was most of a three-year table.

All are worked out again for a pupil whenever anything on their pathway or their measures
changes (a plan agreed, a line ended, a review held, a score entered) and dropped when the
pupil's record is deleted; a test holds them to a recomputation from scratch after a run of
edits. Migrations 16 and 21 filled them from the history as it stood, with the same SELECTs
as here.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..store.database import Database
from ..store.day_numbers import day_number_sql
from ._common import chunks, placeholders

LINE_COLUMNS = ("item_id", "pupil_id", "library_id", "plan_id", "began", "stopped", "began_day",
                "stopped_day", "group_size", "sessions_per_week", "minutes", "weeks", "cost_basis",
                "rate_pence")
PLAN_REVIEW_COLUMNS = ("plan_id", "pupil_id", "pathway_id", "cycle_number", "review_date",
                       "held_on", "pathway_open", "latest")
REVIEW_COLUMNS = ("review_id", "plan_id", "measure_name", "pupil_id", "held_on", "reviewed",
                  "achieved")
LINE_OUTCOME_COLUMNS = ("item_id", "review_id", "measure_name", "pupil_id", "library_id", "began",
                        "stopped", "held_on", "met")
LINE_MEASURE_COLUMNS = ("measure_id", "pupil_id", "library_id", "name", "kind", "exit_date",
                        "began", "stopped", "entry_value", "exit_value", "days")

_BEGAN = "COALESCE(i.started_on, pl.plan_date)"
_STOPPED = "COALESCE(i.ended_on, rv.held_on, pl.review_date)"
_LINES = f"""
    SELECT i.id AS item_id, w.pupil_id AS pupil_id, i.library_id AS library_id,
           i.plan_id AS plan_id, {_BEGAN} AS began, {_STOPPED} AS stopped,
           {day_number_sql(_BEGAN)} AS began_day, {day_number_sql(_STOPPED)} AS stopped_day,
           i.group_size, i.sessions_per_week, i.minutes, i.weeks, i.cost_basis, i.rate_pence
    FROM apdr_provision_items i JOIN apdr_plans pl ON pl.id = i.plan_id
    JOIN apdr_cycles c ON c.id = pl.cycle_id
    JOIN send_pathways w ON w.id = c.pathway_id
    LEFT JOIN apdr_reviews rv ON rv.cycle_id = c.id AND rv.completed_at IS NOT NULL
    WHERE pl.agreed_at IS NOT NULL AND pl.review_date IS NOT NULL
      AND i.library_id IS NOT NULL AND i.removed_at IS NULL
      AND {_BEGAN} IS NOT NULL
"""

_REVIEWS = """
    SELECT rv.id AS review_id, o.plan_id AS plan_id, COALESCE(o.measure_name, '') AS measure_name,
           w.pupil_id AS pupil_id, rv.held_on AS held_on, count(*) AS reviewed,
           SUM(CASE WHEN rp.progress = 'achieved' THEN 1 ELSE 0 END) AS achieved
    FROM apdr_review_progress rp
    JOIN apdr_reviews rv ON rv.id = rp.review_id
    JOIN apdr_outcomes o ON o.id = rp.outcome_id
    JOIN apdr_cycles c ON c.id = rv.cycle_id
    JOIN send_pathways w ON w.id = c.pathway_id
    WHERE rv.completed_at IS NOT NULL AND rv.held_on IS NOT NULL AND o.removed_at IS NULL
    {pupils}
    GROUP BY rv.id, o.plan_id, COALESCE(o.measure_name, ''), w.pupil_id, rv.held_on
"""

_PLAN_REVIEWS = """
    SELECT pl.id, w.pupil_id, w.id, c.number, pl.review_date,
           CASE WHEN rv.completed_at IS NOT NULL THEN rv.held_on ELSE NULL END,
           CASE WHEN w.status = 'open' THEN 1 ELSE 0 END,
           CASE WHEN c.number = (SELECT max(c2.number) FROM apdr_cycles c2
                                 JOIN apdr_plans p2 ON p2.cycle_id = c2.id
                                 WHERE c2.pathway_id = w.id AND p2.agreed_at IS NOT NULL)
                THEN 1 ELSE 0 END
    FROM apdr_plans pl JOIN apdr_cycles c ON c.id = pl.cycle_id
    JOIN send_pathways w ON w.id = c.pathway_id
    LEFT JOIN apdr_reviews rv ON rv.cycle_id = c.id
    WHERE pl.agreed_at IS NOT NULL AND pl.review_date IS NOT NULL
"""

# The two tables joined from those above: filled from them once they are worked out (for the
# same pupils), and recounted by the tests from the history itself.
_LINE_OUTCOMES = """
    SELECT l.item_id, r.review_id, r.measure_name, l.pupil_id, l.library_id, l.began, l.stopped,
           r.held_on, CASE WHEN r.reviewed = r.achieved THEN 1 ELSE 0 END
    FROM {reviews} r JOIN {lines} l ON l.plan_id = r.plan_id
    WHERE l.pupil_id = r.pupil_id {pupils}
"""

# A measure counts when it has both values (its exit date places it in a period); a line's
# measure is its own pupil's (records/measures.py), and a group's is read with its group. The
# days from entry to exit (none without an entry date) are kept for the ratio gain.
_LINE_MEASURES = f"""
    SELECT m.id, m.pupil_id, l.library_id, m.name, m.kind, m.exit_date, l.began, l.stopped,
           m.entry_value, m.exit_value,
           {day_number_sql('m.exit_date')} - {day_number_sql('m.entry_date')}
    FROM provision_measures m JOIN {{lines}} l ON l.item_id = m.item_id AND l.pupil_id = m.pupil_id
    WHERE m.removed_at IS NULL AND m.entry_value IS NOT NULL AND m.exit_value IS NOT NULL
      AND m.exit_date IS NOT NULL AND COALESCE(m.group_id, 0) = 0 {{pupils}}
"""

# Each table: its columns, its SELECT, and the alias whose pupil_id picks the pupils to refresh.
_TABLES = (("impact_lines", LINE_COLUMNS, _LINES + "{pupils}", "w"),
           ("impact_reviews", REVIEW_COLUMNS, _REVIEWS, "w"),
           ("plan_reviews", PLAN_REVIEW_COLUMNS, _PLAN_REVIEWS + "{pupils}", "w"),
           ("impact_line_outcomes", LINE_OUTCOME_COLUMNS, _LINE_OUTCOMES, "r"),
           ("impact_line_measures", LINE_MEASURE_COLUMNS, _LINE_MEASURES, "m"))
_HELD = {"lines": "impact_lines", "reviews": "impact_reviews"}
_FROM_HISTORY = {"lines": f"({_LINES.format(pupils='')})",
                 "reviews": f"({_REVIEWS.format(pupils='')})"}


def _select(select: str, pupils_sql: str, sources: dict[str, str]) -> str:
    return select.format(pupils=pupils_sql, **sources)


def _fill(db: Database, marks: str | None, params: Sequence[int]) -> None:
    for table, columns, select, who in _TABLES:
        pupils_sql = "" if marks is None else f"AND {who}.pupil_id IN ({marks})"
        db.execute(f"INSERT INTO {table} ({', '.join(columns)})"
                   + _select(select, pupils_sql, _HELD), list(params))


def rebuild(db: Database) -> None:
    """Every pupil's facts worked out afresh (after a bulk load such as the demo school's)."""
    for table, *_ in _TABLES:
        db.execute(f"DELETE FROM {table}")
    _fill(db, None, ())


def refresh(db: Database, pupil_ids: Sequence[int]) -> None:
    """These pupils' facts worked out again from their pathways (a deleted pupil's removed)."""
    for chunk in chunks(sorted(set(pupil_ids))):
        marks = placeholders(len(chunk))
        for table, *_ in _TABLES:
            db.execute(f"DELETE FROM {table} WHERE pupil_id IN ({marks})", list(chunk))
        _fill(db, marks, chunk)


def forget_deleted(db: Database, pupil_ids: Sequence[int] | None = None) -> None:
    """Drop the facts of pupils whose record has been deleted (of these, or of anyone).

    Every pupil's save comes here, so the named pupils are looked up by primary key first
    and nothing is deleted unless one of them is gone: a ``NOT IN (SELECT id FROM pupils)``
    made PostgreSQL hash the whole school's pupils three times a save (5 ms became 250 ms at
    20,000 pupils). The whole-school sweep asks NOT EXISTS, a primary-key probe a row."""
    if pupil_ids is None:
        for table, *_ in _TABLES:
            db.execute(f"DELETE FROM {table} WHERE NOT EXISTS"
                       f" (SELECT 1 FROM pupils p WHERE p.id = {table}.pupil_id)")
        return
    for chunk in chunks(sorted(set(pupil_ids))):
        present = {int(r[0]) for r in db.query(
            f"SELECT id FROM pupils WHERE id IN ({placeholders(len(chunk))})", list(chunk))}
        gone = [pupil for pupil in chunk if pupil not in present]
        if not gone:
            continue
        for table, *_ in _TABLES:
            db.execute(f"DELETE FROM {table} WHERE pupil_id IN ({placeholders(len(gone))})",
                       gone)


def from_scratch(db: Database) -> dict[str, list[tuple]]:
    """What each table should hold, worked out from the history (for the tests): table name
    to its rows in column order, sorted."""
    return {table: sorted(tuple(r) for r in db.query(_select(select, "", _FROM_HISTORY)))
            for table, _, select, _ in _TABLES}


def held(db: Database) -> dict[str, list[tuple]]:
    """What each table holds, in the same form."""
    return {table: sorted(tuple(r) for r in db.query(f"SELECT {', '.join(columns)} FROM {table}"))
            for table, columns, *_ in _TABLES}
