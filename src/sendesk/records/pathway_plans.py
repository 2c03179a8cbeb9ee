"""Each open pathway's latest cycle and its plan, kept beside the history by a rule in
records/derived.py, for Reviews due, Home and the list's "no current plan" filter.

Reviews due lists every open pathway's next review. Worked out from the history that means
finding each open pathway's latest cycle (a correlated max over its cycles) and its plan, and,
for every pupil on the SEN register, searching all of their open pathways' cycles for an
agreed plan: at a county's 60,000 pupils, with 6,700 open pathways, those two searches were
most of Home's and Reviews due's time on the school server (docs/performance.md). So the
answer is kept ready, one row per open pathway that has a cycle:

* its pupil, stage and the day it opened;
* its latest cycle (id and number), that cycle's plan date and, once the plan is agreed, its
  review date (NULL while the plan is a draft or not yet written);
* has_plan: 1 when any of its cycles has an agreed plan, so a pupil at SEN support with an
  open pathway has a current plan (records/apdr/due.py's NO_CURRENT_PLAN).

(records/impact_facts.py's plan_reviews holds each agreed plan, the latest agreed one marked;
Reviews due needs the latest cycle whether or not its plan is agreed, which that table does
not hold.) A pupil's rows are worked out again whenever anything on their pathway changes and
dropped when the pupil's record is deleted; the table carries no foreign keys, so it is never
part of a transferred record or a subject access copy. A test holds it to a recount from
scratch after a run of edits; migration 19 filled it from the history as it stood.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..store.database import Database
from ._common import chunks, placeholders

COLUMNS = ("pathway_id", "pupil_id", "stage", "opened_on", "cycle_id", "cycle_number",
           "plan_date", "review_date", "has_plan")

# The same SELECT fills the table in migration 19 (store/migrations.py keeps its own copy, as
# a migration must not change when this module does).
SELECT = """
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
"""

_INSERT = f"INSERT INTO pathway_plans ({', '.join(COLUMNS)})"


def rebuild(db: Database) -> None:
    """Every open pathway's row worked out afresh (after a bulk load such as the demo's)."""
    db.execute("DELETE FROM pathway_plans")
    db.execute(_INSERT + SELECT)


def refresh(db: Database, pupil_ids: Sequence[int]) -> None:
    """These pupils' rows worked out again from their pathways (a deleted pupil's removed)."""
    for chunk in chunks(sorted(set(pupil_ids))):
        marks = placeholders(len(chunk))
        db.execute(f"DELETE FROM pathway_plans WHERE pupil_id IN ({marks})", list(chunk))
        db.execute(_INSERT + SELECT + f" AND w.pupil_id IN ({marks})", list(chunk))


def forget_deleted(db: Database, pupil_ids: Sequence[int] | None = None) -> None:
    """Drop the rows of pupils whose record has been deleted (of these, or of anyone). NOT
    EXISTS, so PostgreSQL looks each pupil up by the primary key instead of hashing them all."""
    gone = ("NOT EXISTS (SELECT 1 FROM pupils p WHERE p.id = pathway_plans.pupil_id)")
    if pupil_ids is None:
        db.execute(f"DELETE FROM pathway_plans WHERE {gone}")
        return
    for chunk in chunks(sorted(set(pupil_ids))):
        db.execute(f"DELETE FROM pathway_plans WHERE pupil_id IN ({placeholders(len(chunk))})"
                   f" AND {gone}", list(chunk))


def from_scratch(db: Database) -> list[tuple]:
    """What the table should hold, worked out from the history (for the tests), sorted."""
    return sorted(tuple(r) for r in db.query(SELECT))


def held(db: Database) -> list[tuple]:
    """What the table holds, in the same form."""
    return sorted(tuple(r) for r in db.query(f"SELECT {', '.join(COLUMNS)} FROM pathway_plans"))
