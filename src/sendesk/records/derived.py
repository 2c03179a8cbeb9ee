"""The derived state kept beside the history, recomputed in one place after every write.

Each rule is registered with :func:`sendesk.operations.derived` for the kinds of change that
can alter what it derives; the operations seam runs them, in this order, inside the write's
transaction. No repository function refreshes these by hand.
"""

from __future__ import annotations

from ..operations import Changes, Kind, derived
from ..session import Session
from . import notifications, summary


@derived(Kind.CONTACT, Kind.NOTIFICATION)
def clear_notifications_now_complete(session: Session, changes: Changes) -> None:
    """A contact ended, or a notification recorded, may complete an open notification item."""
    for pupil_id in sorted(changes.pupils):
        notifications.reconcile(session, pupil_id)


@derived(Kind.PUPIL, Kind.CONTACT, Kind.NOTE, Kind.REGISTER, Kind.SEN, Kind.NOTIFICATION,
         Kind.PATHWAY, Kind.EHC)
def refresh_summary_columns(session: Session, changes: Changes) -> None:
    """The pupil list's status, primary need, next review and flags."""
    if changes.whole_school:
        summary.refresh(session.db)
    elif changes.pupils:
        summary.refresh(session.db, sorted(changes.pupils))


# --- EHC plans' next annual review ------------------------------------------------------------
# Registered after the summary columns, so it refreshes the summary of the pupils whose review
# date it moved itself (a rule sees only what earlier rules reported).
from ..operations import changed  # noqa: E402
from . import ehc  # noqa: E402


@derived(Kind.EHC, Kind.CALENDAR)
def recompute_ehc_review_dates(session: Session, changes: Changes) -> None:
    """A plan's next annual review follows from the plan, its reviews and the term dates: after
    a term-dates change every current plan's, after an EHC change those of the pupils changed."""
    if changes.touches(Kind.CALENDAR) or changes.whole_school:
        moved = ehc.refresh_schedules(session)
    else:
        plan_ids = ehc.plans_of_pupils(session, sorted(changes.pupils))
        moved = ehc.refresh_schedules(session, plan_ids) if plan_ids else []
    if moved:
        changed(session, Kind.EHC, moved)
        summary.refresh(session.db, moved)
