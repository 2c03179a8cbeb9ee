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

Both are worked out again for a pupil whenever anything on their pathway changes (a plan
agreed, a line ended, a review held) and dropped when the pupil's record is deleted; a test
holds them to a recomputation from scratch after a run of edits. Migration 20 filled them
from the history as it stood, with the same SELECTs as here.
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

_BEGAN = "COALESCE(i.started_on, pl.plan_date)"
_STOPPED = "COALESCE(i.ended_on, rv.held_on, pl.review_date)"
_LINES = f"""
    SELECT i.id, w.pupil_id, i.library_id, i.plan_id, {_BEGAN}, {_STOPPED},
           {day_number_sql(_BEGAN)}, {day_number_sql(_STOPPED)}, i.group_size,
           i.sessions_per_week, i.minutes, i.weeks, i.cost_basis, i.rate_pence
    FROM apdr_provision_items i JOIN apdr_plans pl ON pl.id = i.plan_id
    JOIN apdr_cycles c ON c.id = pl.cycle_id
    JOIN send_pathways w ON w.id = c.pathway_id
    LEFT JOIN apdr_reviews rv ON rv.cycle_id = c.id AND rv.completed_at IS NOT NULL
    WHERE pl.agreed_at IS NOT NULL AND pl.review_date IS NOT NULL
      AND i.library_id IS NOT NULL AND i.removed_at IS NULL
      AND {_BEGAN} IS NOT NULL
"""

_REVIEWS = """
    SELECT rv.id, o.plan_id, COALESCE(o.measure_name, ''), w.pupil_id, rv.held_on,
           count(*), SUM(CASE WHEN rp.progress = 'achieved' THEN 1 ELSE 0 END)
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

_TABLES = (("impact_lines", LINE_COLUMNS, _LINES + "{pupils}"),
           ("impact_reviews", REVIEW_COLUMNS, _REVIEWS),
           ("plan_reviews", PLAN_REVIEW_COLUMNS, _PLAN_REVIEWS + "{pupils}"))


def _fill(db: Database, pupils_sql: str, params: Sequence[int]) -> None:
    for table, columns, select in _TABLES:
        db.execute(f"INSERT INTO {table} ({', '.join(columns)})"
                   + select.format(pupils=pupils_sql), list(params))


def rebuild(db: Database) -> None:
    """Every pupil's facts worked out afresh (after a bulk load such as the demo school's)."""
    for table, _, _ in _TABLES:
        db.execute(f"DELETE FROM {table}")
    _fill(db, "", ())


def refresh(db: Database, pupil_ids: Sequence[int]) -> None:
    """These pupils' facts worked out again from their pathways (a deleted pupil's removed)."""
    for chunk in chunks(sorted(set(pupil_ids))):
        marks = placeholders(len(chunk))
        for table, _, _ in _TABLES:
            db.execute(f"DELETE FROM {table} WHERE pupil_id IN ({marks})", list(chunk))
        _fill(db, f"AND w.pupil_id IN ({marks})", chunk)


def forget_deleted(db: Database, pupil_ids: Sequence[int] | None = None) -> None:
    """Drop the facts of pupils whose record has been deleted (of these, or of anyone).

    Every pupil's save comes here, so the named pupils are looked up by primary key first
    and nothing is deleted unless one of them is gone: a ``NOT IN (SELECT id FROM pupils)``
    made PostgreSQL hash the whole school's pupils three times a save (5 ms became 250 ms at
    20,000 pupils). The whole-school sweep asks NOT EXISTS, a primary-key probe a row."""
    if pupil_ids is None:
        for table, _, _ in _TABLES:
            db.execute(f"DELETE FROM {table} WHERE NOT EXISTS"
                       f" (SELECT 1 FROM pupils p WHERE p.id = {table}.pupil_id)")
        return
    for chunk in chunks(sorted(set(pupil_ids))):
        present = {int(r[0]) for r in db.query(
            f"SELECT id FROM pupils WHERE id IN ({placeholders(len(chunk))})", list(chunk))}
        gone = [pupil for pupil in chunk if pupil not in present]
        if not gone:
            continue
        for table, _, _ in _TABLES:
            db.execute(f"DELETE FROM {table} WHERE pupil_id IN ({placeholders(len(gone))})",
                       gone)


def from_scratch(db: Database) -> dict[str, list[tuple]]:
    """What each table should hold, worked out from the history (for the tests): table name
    to its rows in column order, sorted."""
    return {table: sorted(tuple(r) for r in db.query(select.format(pupils="")))
            for table, _, select in _TABLES}


def held(db: Database) -> dict[str, list[tuple]]:
    """What each table holds, in the same form."""
    return {table: sorted(tuple(r) for r in db.query(f"SELECT {', '.join(columns)} FROM {table}"))
            for table, columns, _ in _TABLES}
