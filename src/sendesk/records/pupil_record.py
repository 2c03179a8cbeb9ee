"""Everything the pupil record screen shows, read in one go and audited once as
'opened a pupil record' when a person opens it; read again without that entry when the open
window refreshes after a change (records/pupil_record.reread_record)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..models.contacts import Consent, Contact
from ..models.notes import ShortNote
from ..models.notifications import NotificationDue
from ..models.pupils import Pupil
from ..models.registers import RegisterEntry
from ..models.roles import Permission
from ..models.sen import NeedPeriod, StatusPeriod
from ..operations import operation, viewed
from ..session import Session
from . import (
    consent,
    contacts,
    notes,
    notifications,
    registers,
    review_requests,
    school_contacts,
    sen_register,
    specialists,
)
from ._common import pupil_row, pupil_row_read
from .pupils import FieldChange, change_history, change_history_read, pupil_from_row
from .review_requests import ReviewRequest


@dataclass(frozen=True)
class PupilRecord:
    pupil: Pupil
    contacts: list[Contact]
    consents: list[Consent]
    status_history: list[StatusPeriod]
    current_needs: list[NeedPeriod]
    needs_history: list[NeedPeriod]
    registers: list[RegisterEntry]
    notes: list[ShortNote]
    notifications: list[NotificationDue]
    changes: list[FieldChange]
    # Reviews a move asked for that no review has met yet (records/review_requests.py).
    review_requests: list[ReviewRequest] = field(default_factory=list)
    need_review: str | None = None   # a specialist's report asks to review an NSA primary need

    @property
    def next_review(self) -> dt.date | None:
        """The earlier of the plan's review date and an open request's: a move's review is
        the next review when it comes first."""
        found = [day for day in (self.pupil.next_review,
                                 *(r.review_date for r in self.review_requests)) if day]
        return min(found, default=None)


@operation(Permission.VIEW_RECORDS, writes=False, audit="opened a pupil record")
def open_record(session: Session, pupil_id: int) -> PupilRecord:
    """Read a pupil's whole record for display; one audit entry records that it was opened."""
    record = _read(session, pupil_id)
    viewed(session, "pupil", record.pupil.id)
    return record


@operation(Permission.VIEW_RECORDS, writes=False)
def reread_record(session: Session, pupil_id: int) -> PupilRecord:
    """The record read again for a window that already has it open, after a change saved on
    this PC or another: not audited, because nobody opened anything (the opening was audited
    once, by open_record). Every save would otherwise write 'opened a pupil record' for each
    person with the record open, and a subject access request would list openings that never
    happened. The permission is still checked: a role taken away meanwhile is refused."""
    return _read(session, pupil_id)


def _read(session: Session, pupil_id: int) -> PupilRecord:
    """The record's reads, named first so the school server answers them in one round trip
    (a record opened on a busy school network waited for each in turn); each module still
    makes its own read, so the record reads on the server exactly what it reads on the file."""
    with session.db.read_ahead([
            pupil_row_read(pupil_id), sen_register.needs_history_read(pupil_id),
            contacts.list_contacts_read(pupil_id, include_ended=True),
            consent.list_consents_read(pupil_id), sen_register.status_history_read(pupil_id),
            registers.list_entries_read(pupil_id), notes.list_notes_read(pupil_id),
            *notifications.notifications_for_pupil_reads(pupil_id), school_contacts.STORED_READ,
            change_history_read(pupil_id), review_requests.open_by_pupil_read([int(pupil_id)])]):
        return _record(session, pupil_id)


def _record(session: Session, pupil_id: int) -> PupilRecord:
    pupil = pupil_from_row(pupil_row(session, pupil_id))
    needs = sen_register.needs_history(session, pupil.id)
    # The current needs by rank, from the history already read (a query fewer: on the school
    # server each is a round trip); likewise whether the primary need is NSA, the only case in
    # which a specialist's report can ask for it to be reviewed.
    current = sorted((need for need in needs if need.end_date is None), key=lambda need: need.rank)
    nsa = any(need.rank == 1 and need.code == "NSA" for need in current)
    return PupilRecord(
        pupil=pupil,
        contacts=contacts.list_contacts(session, pupil.id, include_ended=True),
        consents=consent.list_consents(session, pupil.id),
        status_history=sen_register.status_history(session, pupil.id),
        current_needs=current,
        needs_history=needs,
        registers=registers.list_entries(session, pupil.id),
        notes=notes.list_notes(session, pupil.id),
        notifications=notifications.notifications_for_pupil(session, pupil.id),
        changes=change_history(session, pupil.id),
        review_requests=review_requests.open_for(session, pupil.id),
        need_review=specialists.need_review_due(session, pupil.id) if nsa else None)
