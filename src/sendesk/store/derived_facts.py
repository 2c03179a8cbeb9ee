"""The facts derived from pupils' pathways, as SQL: the tables records/impact_facts.py and
records/pathway_plans.py keep, the SELECT that works each one's rows out from the records, and
the statements that rebuild them, refresh them for some pupils and forget deleted pupils'.

Held here, below the records layer, because three places must run exactly the same SQL, as
with the pupil list's summary (store/pupil_summary.py):

* on the file, the rules in records/derived.py run these statements themselves;
* on the school server no login may write these tables at all: the rules call the owner's
  SECURITY DEFINER functions (store/server_security.py builds their bodies from these same
  statements), so a member of staff with psql and their own password can only ever make the
  facts what the records say, never change, add or delete a row by hand;
* ``sendesk-cli verify`` recounts every table from scratch and names any that differs.

A condition on a pupil's id is written as the part after the id: ``IN (?, ?)`` on the file,
``= ANY(p_pupils)`` in a server function.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .database import Database
from .day_numbers import day_number_sql

# SQLite accepts many more parameters, but chunks this size keep each statement quick.
_CHUNK = 500


@dataclass(frozen=True)
class FactsTable:
    """One derived table: its columns, the SELECT giving its rows (``{pupils}`` is where a
    condition on ``w.pupil_id`` goes) and, for verify's sentence, what reads it."""

    name: str
    columns: tuple[str, ...]
    select: str
    read_by: str

    def insert(self, pupils: str = "") -> str:
        return (f"INSERT INTO {self.name} ({', '.join(self.columns)})"
                + self.select.format(pupils=pupils))


@dataclass(frozen=True)
class Facts:
    """The tables one rule keeps, rebuilt, refreshed and forgotten together; ``name`` names
    the server's functions for them (sendesk_refresh_<name> and so on)."""

    name: str
    tables: tuple[FactsTable, ...]


_BEGAN = "COALESCE(i.started_on, pl.plan_date)"
_STOPPED = "COALESCE(i.ended_on, rv.held_on, pl.review_date)"
# A plan line's plan, cycle and pathway, and the held review that closed its cycle (i is the
# line); the lines kept are those filled from the library on an agreed plan with a review date.
_LINE_PLAN = """JOIN apdr_plans pl ON pl.id = i.plan_id
    JOIN apdr_cycles c ON c.id = pl.cycle_id
    JOIN send_pathways w ON w.id = c.pathway_id
    LEFT JOIN apdr_reviews rv ON rv.cycle_id = c.id AND rv.completed_at IS NOT NULL"""
_LINE_KEPT = f"""pl.agreed_at IS NOT NULL AND pl.review_date IS NOT NULL
      AND i.library_id IS NOT NULL AND i.removed_at IS NULL
      AND {_BEGAN} IS NOT NULL"""
# Each held review's outcomes reviewed and achieved, by plan and named measure.
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
    GROUP BY rv.id, o.plan_id, COALESCE(o.measure_name, ''), w.pupil_id, rv.held_on"""

# A line measure's next one: the measure of the same pupil, library item, name as written and
# kind with the next exit date (of two on one day, the one entered next), on whichever of the
# pupil's lines of the item (migration 23). Its exit date and its line's first and last days
# tell the impact table whether anything later can count in a period.
LATER_COLUMNS = ("later_exit", "later_began", "later_stopped")
_NEXT = ("OVER (PARTITION BY i.library_id, m.pupil_id, m.name, m.kind"
         " ORDER BY m.exit_date, m.id)")
LATER_MEASURE = (f",\n           LEAD(m.exit_date) {_NEXT},\n           LEAD({_BEGAN}) {_NEXT},"
                 f"\n           LEAD({_STOPPED}) {_NEXT}")

IMPACT_FACTS = Facts("impact_facts", (
    FactsTable(
        "impact_lines",
        ("item_id", "pupil_id", "library_id", "plan_id", "began", "stopped", "began_day",
         "stopped_day", "group_size", "sessions_per_week", "minutes", "weeks", "cost_basis",
         "rate_pence"),
        f"""
    SELECT i.id, w.pupil_id, i.library_id, i.plan_id, {_BEGAN}, {_STOPPED},
           {day_number_sql(_BEGAN)}, {day_number_sql(_STOPPED)}, i.group_size,
           i.sessions_per_week, i.minutes, i.weeks, i.cost_basis, i.rate_pence
    FROM apdr_provision_items i {_LINE_PLAN}
    WHERE {_LINE_KEPT}
    {{pupils}}""",
        "the impact of provision and the governors' spend"),
    FactsTable(
        "impact_reviews",
        ("review_id", "plan_id", "measure_name", "pupil_id", "held_on", "reviewed", "achieved"),
        _REVIEWS,
        "the impact of provision's outcomes reviewed and met"),
    FactsTable(
        "plan_reviews",
        ("plan_id", "pupil_id", "pathway_id", "cycle_number", "review_date", "held_on",
         "pathway_open", "latest"),
        """
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
    {pupils}""",
        "the governors' reviews held on time and the provision map's plans in force"),
    # The two above joined: each library line with each reviewed row of its plan, and
    # whether every outcome of the row was achieved (met), worked out from the records with
    # the same SELECTs (migration 22 first filled it from the two tables).
    FactsTable(
        "impact_line_outcomes",
        ("item_id", "review_id", "measure_name", "pupil_id", "library_id", "began", "stopped",
         "held_on", "met"),
        f"""
    WITH r (review_id, plan_id, measure_name, pupil_id, held_on, reviewed, achieved)
      AS ({_REVIEWS})
    SELECT i.id, r.review_id, r.measure_name, w.pupil_id, i.library_id, {_BEGAN}, {_STOPPED},
           r.held_on, CASE WHEN r.reviewed = r.achieved THEN 1 ELSE 0 END
    FROM r JOIN apdr_provision_items i ON i.plan_id = r.plan_id {_LINE_PLAN}
    WHERE {_LINE_KEPT} AND w.pupil_id = r.pupil_id""",
        "the impact of provision's outcomes met"),
    # Each complete entry and exit measure on a library line (not removed, both values, an
    # exit date to place it in a period; a line's own, not a group's, records/measures.py)
    # with its line's library item and days and the days from entry to exit (none without an
    # entry date) for the ratio gain; and the next later measure's exit date and line days
    # (LATER_MEASURE), so the impact table finds each pupil's latest without ranking them.
    FactsTable(
        "impact_line_measures",
        ("measure_id", "pupil_id", "library_id", "name", "kind", "exit_date", "began",
         "stopped", "entry_value", "exit_value", "days", *LATER_COLUMNS),
        f"""
    SELECT m.id, m.pupil_id, i.library_id, m.name, m.kind, m.exit_date, {_BEGAN}, {_STOPPED},
           m.entry_value, m.exit_value,
           {day_number_sql('m.exit_date')} - {day_number_sql('m.entry_date')}{LATER_MEASURE}
    FROM provision_measures m JOIN apdr_provision_items i ON i.id = m.item_id {_LINE_PLAN}
    WHERE {_LINE_KEPT} AND w.pupil_id = m.pupil_id
      AND m.removed_at IS NULL AND m.entry_value IS NOT NULL AND m.exit_value IS NOT NULL
      AND m.exit_date IS NOT NULL AND COALESCE(m.group_id, 0) = 0
    {{pupils}}""",
        "the impact of provision's measures"),
))

# The same SELECT filled the table in migration 19 (store/migrations.py keeps its own copy,
# as a migration must not change when this module does).
PATHWAY_PLANS = Facts("pathway_plans", (
    FactsTable(
        "pathway_plans",
        ("pathway_id", "pupil_id", "stage", "opened_on", "cycle_id", "cycle_number",
         "plan_date", "review_date", "has_plan"),
        """
    SELECT w.id, w.pupil_id, w.stage, w.opened_on, c.id, c.number, pl.plan_date,
           CASE WHEN pl.agreed_at IS NOT NULL THEN pl.review_date ELSE NULL END,
           CASE WHEN EXISTS (SELECT 1 FROM apdr_cycles c2 JOIN apdr_plans p2
                             ON p2.cycle_id = c2.id
                             WHERE c2.pathway_id = w.id AND p2.agreed_at IS NOT NULL)
                THEN 1 ELSE 0 END
    FROM send_pathways w
    JOIN apdr_cycles c ON c.pathway_id = w.id
     AND c.number = (SELECT max(c3.number) FROM apdr_cycles c3 WHERE c3.pathway_id = w.id)
    LEFT JOIN apdr_plans pl ON pl.cycle_id = c.id
    WHERE w.status = 'open'
    {pupils}""",
        "Reviews due, Home and the pupil list's \"no current plan\""),
))

EVERY_FACTS = (IMPACT_FACTS, PATHWAY_PLANS)


# --- the statements (both engines) -------------------------------------------------------------

def rebuild_statements(facts: Facts) -> list[str]:
    """Every pupil's rows worked out afresh."""
    return ([f"DELETE FROM {t.name}" for t in facts.tables]
            + [t.insert() for t in facts.tables])


def refresh_statements(facts: Facts, members: str) -> list[str]:
    """The rows of the pupils whose id ``members`` (``IN (...)``, ``= ANY(...)``) worked out
    again from their pathways (a deleted pupil's removed)."""
    return ([f"DELETE FROM {t.name} WHERE pupil_id {members}" for t in facts.tables]
            + [t.insert(f"AND w.pupil_id {members}") for t in facts.tables])


def forget_statements(facts: Facts, members: str | None) -> list[str]:
    """Drop the rows of pupils whose record has been deleted (of those ``members`` names, or
    of anyone). NOT EXISTS, so PostgreSQL looks each pupil up by the primary key instead of
    hashing the whole school's pupils (a NOT IN made a save 50 times slower at 20,000)."""
    named = f"pupil_id {members} AND " if members else ""
    return [f"DELETE FROM {t.name} WHERE {named}NOT EXISTS "
            f"(SELECT 1 FROM pupils p WHERE p.id = {t.name}.pupil_id)" for t in facts.tables]


def function(facts: Facts, what: str) -> str:
    """The name of the server's function that rebuilds, refreshes or forgets these facts."""
    return f"sendesk_{what}_{facts.name}"


# --- running them --------------------------------------------------------------------------------

def _on_server(db: Database) -> bool:
    return db.engine == "postgresql"


def _ids(pupil_ids: Sequence[int]) -> list[int]:
    return sorted({int(p) for p in pupil_ids})


def _chunks(pupil_ids: Sequence[int]) -> list[list[int]]:
    ids = _ids(pupil_ids)
    return [ids[start:start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


def _marks(count: int) -> str:
    return "IN (" + ",".join("?" * count) + ")"


def rebuild(db: Database, facts: Facts) -> None:
    """Every pupil's rows worked out afresh (after a bulk load such as the demo school's)."""
    if _on_server(db):
        db.scalar(f"SELECT {function(facts, 'rebuild')}()")
        return
    for statement in rebuild_statements(facts):
        db.execute(statement)


def refresh(db: Database, facts: Facts, pupil_ids: Sequence[int]) -> None:
    """These pupils' rows worked out again from their pathways (a deleted pupil's removed)."""
    if _on_server(db):
        if pupil_ids:
            db.scalar(f"SELECT {function(facts, 'refresh')}(CAST(? AS BIGINT[]))",
                      (_ids(pupil_ids),))
        return
    for chunk in _chunks(pupil_ids):
        for statement in refresh_statements(facts, _marks(len(chunk))):
            db.execute(statement, chunk)


def forget_deleted(db: Database, facts: Facts, pupil_ids: Sequence[int] | None = None) -> None:
    """Drop the rows of pupils whose record has been deleted (of these, or of anyone).

    Every pupil's save comes here, so on the file the named pupils are looked up by primary
    key first and nothing is deleted unless one of them is gone (on the server the function
    call is the one round trip either way)."""
    if _on_server(db):
        if pupil_ids is None or pupil_ids:
            db.scalar(f"SELECT {function(facts, 'forget_deleted')}(CAST(? AS BIGINT[]))",
                      (None if pupil_ids is None else _ids(pupil_ids),))
        return
    if pupil_ids is None:
        for statement in forget_statements(facts, None):
            db.execute(statement)
        return
    for chunk in _chunks(pupil_ids):
        present = {int(r[0]) for r in db.query(
            f"SELECT id FROM pupils WHERE id {_marks(len(chunk))}", chunk)}
        gone = [pupil for pupil in chunk if pupil not in present]
        if gone:
            for statement in forget_statements(facts, _marks(len(gone))):
                db.execute(statement, gone)


# --- what they hold, and what they should -------------------------------------------------------

def from_scratch(db: Database, facts: Facts) -> dict[str, list[tuple]]:
    """What each table should hold, worked out from the records: table name to its rows in
    column order, sorted."""
    return {t.name: sorted(tuple(r) for r in db.query(t.select.format(pupils="")))
            for t in facts.tables}


def held(db: Database, facts: Facts) -> dict[str, list[tuple]]:
    """What each table holds, in the same form."""
    return {t.name: sorted(tuple(r) for r in db.query(
        f"SELECT {', '.join(t.columns)} FROM {t.name}")) for t in facts.tables}


def problems(db: Database) -> list[str]:
    """One sentence for each derived table that differs from a recount from the records (a
    row written, changed or deleted by hand, or a rule that went wrong)."""
    found = []
    for facts in EVERY_FACTS:
        want, have = from_scratch(db, facts), held(db, facts)
        for table in facts.tables:
            missing = sum((Counter(want[table.name]) - Counter(have[table.name])).values())
            wrong = sum((Counter(have[table.name]) - Counter(want[table.name])).values())
            if missing or wrong:
                parts = ([f"{_rows(missing)} missing"] if missing else []) + (
                    [f"{_rows(wrong)} the records do not give"] if wrong else [])
                found.append(f"The derived table {table.name} does not match a recount from "
                             f"the records ({' and '.join(parts)}), so {table.read_by} may be "
                             "wrong.")
    return found


def _rows(count: int) -> str:
    return f"{count} row" + ("" if count == 1 else "s")
