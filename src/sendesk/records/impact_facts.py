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
  the pathway's latest agreed plan (the plan in force, whose lines the provision map shows);
* impact_line_outcomes: the first two joined, one row per library line and reviewed row of its
  plan, with the line's days, the review's day and whether every outcome reviewed was
  achieved; and impact_line_measures: one row per complete entry and exit measure taken on a
  library line, with the line's library item and days, and the exit date and line days of the
  next measure of its name on the item (migration 23), so the latest in a period is read, not
  ranked. The impact table reads each of them in one pass, with no join and no sort: at 60,000
  pupils the same joined and ranked at read time was most of a three-year table.

All are worked out again for a pupil whenever anything on their pathway or their measures
changes (a plan agreed, a line ended, a review held, a score entered) and dropped when the
pupil's record is deleted; a test holds them to a recomputation from scratch after a run of
edits, and so does ``sendesk-cli verify``. Migrations 16 and 22 filled them from the history
as it stood, with the same SELECTs (23 the next measures).

The SQL is store/derived_facts.py's (IMPACT_FACTS), which the school server's own functions
run too: there no login may write these tables, only call those functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..store import derived_facts
from ..store.database import Database

_FACTS = derived_facts.IMPACT_FACTS


def rebuild(db: Database) -> None:
    """Every pupil's facts worked out afresh (after a bulk load such as the demo school's)."""
    derived_facts.rebuild(db, _FACTS)


def refresh(db: Database, pupil_ids: Sequence[int]) -> None:
    """These pupils' facts worked out again from their pathways (a deleted pupil's removed)."""
    derived_facts.refresh(db, _FACTS, pupil_ids)


def forget_deleted(db: Database, pupil_ids: Sequence[int] | None = None) -> None:
    """Drop the facts of pupils whose record has been deleted (of these, or of anyone)."""
    derived_facts.forget_deleted(db, _FACTS, pupil_ids)


def from_scratch(db: Database) -> dict[str, list[tuple]]:
    """What each table should hold, worked out from the history: table name to its rows in
    column order, sorted."""
    return derived_facts.from_scratch(db, _FACTS)


def held(db: Database) -> dict[str, list[tuple]]:
    """What each table holds, in the same form."""
    return derived_facts.held(db, _FACTS)
