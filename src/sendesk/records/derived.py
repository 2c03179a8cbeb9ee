"""The derived state kept beside the history, recomputed in one place after every write.

Each rule is registered with :func:`sendesk.operations.derived` for the kinds of change that
can alter what it derives; the operations seam runs them, in this order, inside the write's
transaction. A rule sees what earlier rules reported, so a rule whose result another rule
derives from comes first (the EHC review dates before the pupil list's next review). No
repository function refreshes these by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..operations import Changes, Kind, changed, derived
from ..session import Session
from ..store.database import Database
from . import ehc, governors_report, impact_facts, notifications, pathway_plans, summary


@derived(Kind.CONTACT, Kind.NOTIFICATION, Kind.PUPIL, Kind.SETTINGS)
def clear_notifications_now_complete(session: Session, changes: Changes) -> None:
    """A contact ended, a notification recorded, a date of birth corrected or the school's
    choice of whom to tell from 16 changed may complete an open notification item; the pupils
    whose items changed are reported, so the summary rule below sees them."""
    everyone = changes.whole_school or changes.touches(Kind.SETTINGS)
    moved = notifications.reconcile(
        session, None if everyone else sorted(changes.pupils),
        recheck=changes.touches(Kind.CONTACT, Kind.NOTIFICATION, Kind.SETTINGS))
    if moved:
        changed(session, Kind.NOTIFICATION, moved)


@derived(Kind.PUPIL, Kind.EHC, Kind.CALENDAR)
def recompute_ehc_review_dates(session: Session, changes: Changes) -> None:
    """A plan's next annual review follows from the plan, its reviews, the term dates and the
    pupil's year group (Year 6 by 31 December, Preparing for Adulthood, Year 11): after a
    term-dates change every current plan's, after a change to a pupil (a year group edited,
    imported from the MIS or received in a transfer) or their EHC records those of the pupils
    changed. The pupils whose date moved are reported, so the summary rule below sees them."""
    if changes.touches(Kind.CALENDAR) or changes.whole_school:
        moved = ehc.refresh_schedules(session)
    else:
        plan_ids = ehc.plans_of_pupils(session, sorted(changes.pupils))
        moved = ehc.refresh_schedules(session, plan_ids) if plan_ids else []
    if moved:
        changed(session, Kind.EHC, moved)


@derived(Kind.PUPIL, Kind.CONTACT, Kind.NOTE, Kind.REGISTER, Kind.SEN, Kind.NOTIFICATION,
         Kind.PATHWAY, Kind.EHC)
def refresh_summary_columns(session: Session, changes: Changes) -> None:
    """The pupil list's status, primary need, next review and flags."""
    if changes.whole_school:
        summary.refresh(session.db)
    elif changes.pupils:
        summary.refresh(session.db, sorted(changes.pupils))


class _PathwayFacts(Protocol):
    def rebuild(self, db: Database) -> None: ...
    def refresh(self, db: Database, pupil_ids: Sequence[int]) -> None: ...
    def forget_deleted(self, db: Database, pupil_ids: Sequence[int] | None = None) -> None: ...


def _pathway_facts(facts: _PathwayFacts, session: Session, changes: Changes,
                   sources: tuple[Kind, ...] = (Kind.PATHWAY,)) -> None:
    """A table of facts derived from pupils' pathways (impact_facts, pathway_plans: each has
    rebuild, refresh and forget_deleted): a change to what they are derived from (sources: the
    pathway, and for the impact facts the measures too) works out its pupils' rows again; a
    pupil's change can only matter if the record was deleted."""
    if changes.touches(*sources):
        if changes.whole_school:
            facts.rebuild(session.db)
        else:
            facts.refresh(session.db, sorted(changes.pupils))
    else:
        facts.forget_deleted(session.db, None if changes.whole_school else sorted(changes.pupils))


@derived(Kind.PUPIL, Kind.PATHWAY, Kind.MEASURE)
def refresh_impact_facts(session: Session, changes: Changes) -> None:
    """The impact table's facts (records/impact_facts.py): its plan lines, reviews and the
    measures taken on its lines."""
    _pathway_facts(impact_facts, session, changes, (Kind.PATHWAY, Kind.MEASURE))


@derived(Kind.PUPIL, Kind.PATHWAY)
def refresh_pathway_plans(session: Session, changes: Changes) -> None:
    """Each open pathway's latest cycle and plan (records/pathway_plans.py), for Reviews due."""
    _pathway_facts(pathway_plans, session, changes)


@derived(*Kind)
def forget_the_governors_figures(session: Session, changes: Changes) -> None:
    """Any write may change a year's governors' figures: those kept for this session
    (records/governors_report.py) are worked out afresh next time."""
    governors_report.forget(session)
