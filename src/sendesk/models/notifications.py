"""Formal notice to parents when a pupil is added to or removed from the SEN register.

Parents must be told both ways (003 'SEN register'). Each change opens a 'notification due'
item; it stays open until a notification to every contact with parental responsibility has
been recorded with its date, method and recipient.

From 16 the young person may be told themselves: when the pupil was 16 or over on the day the
item fell due, the school's choice (models/school_contacts.py, the one letters and consent
follow) says whether the parents, the young person as well, or the young person instead must
be told before the item clears.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import ValidationError
from .school_contacts import AS_WELL, PARENTS

METHODS = ("letter", "email", "meeting", "telephone")


def clean_method(value: str) -> str:
    text = (value or "").strip().lower()
    if text not in METHODS:
        raise ValidationError(f"'{(value or '').strip()}' is not a way of notifying parents; use "
                              + ", ".join(METHODS) + ".", field="method")
    return text


def must_tell(choice: str, young_person: bool) -> tuple[bool, bool]:
    """(the parents, the young person): who must be told of an item, by the school's choice,
    when the pupil was (young_person) or was not 16 or over on the day it fell due."""
    if not young_person or choice == PARENTS:
        return True, False
    return choice == AS_WELL, True


@dataclass(frozen=True)
class NotificationSent:
    id: int
    contact_id: int | None           # None for the young person (the pupil themselves)
    recipient: str
    sent_on: dt.date
    method: str
    entered_at: str
    young_person: bool = False

    @property
    def to_whom(self) -> str:
        """The recipient as the record shows them: the young person is said to be one."""
        return f"{self.recipient} (the young person)" if self.young_person else self.recipient


@dataclass(frozen=True)
class NotificationDue:
    id: int
    pupil_id: int
    change: str  # 'added' or 'removed'
    status: str
    due_since: dt.date
    cleared_at: str | None
    sent: tuple[NotificationSent, ...]
    outstanding_contact_ids: tuple[int, ...]     # parents still to tell, when they must be
    young_person: bool = False                   # 16 or over on the day it fell due
    young_person_to_tell: bool = False           # the young person must be told, and is not yet

    @property
    def open(self) -> bool:
        return self.cleared_at is None
