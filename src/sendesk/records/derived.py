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
