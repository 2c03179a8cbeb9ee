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
scratch after a run of edits, and so does ``sendesk-cli verify``; migration 19 filled it from
the history as it stood.

The SQL is store/derived_facts.py's (PATHWAY_PLANS), which the school server's own functions
run too: there no login may write this table, only call those functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..store import derived_facts
from ..store.database import Database

_FACTS = derived_facts.PATHWAY_PLANS
_TABLE = _FACTS.tables[0].name


def rebuild(db: Database) -> None:
    """Every open pathway's row worked out afresh (after a bulk load such as the demo's)."""
    derived_facts.rebuild(db, _FACTS)


def refresh(db: Database, pupil_ids: Sequence[int]) -> None:
    """These pupils' rows worked out again from their pathways (a deleted pupil's removed)."""
    derived_facts.refresh(db, _FACTS, pupil_ids)


def forget_deleted(db: Database, pupil_ids: Sequence[int] | None = None) -> None:
    """Drop the rows of pupils whose record has been deleted (of these, or of anyone)."""
    derived_facts.forget_deleted(db, _FACTS, pupil_ids)


def from_scratch(db: Database) -> list[tuple]:
    """What the table should hold, worked out from the history, sorted."""
    return derived_facts.from_scratch(db, _FACTS)[_TABLE]


def held(db: Database) -> list[tuple]:
    """What the table holds, in the same form."""
    return derived_facts.held(db, _FACTS)[_TABLE]
