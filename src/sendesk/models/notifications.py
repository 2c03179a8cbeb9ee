"""Formal notice to parents when a pupil is added to or removed from the SEN register.

Parents must be told both ways (003 'SEN register'). Each change opens a 'notification due'
item; it stays open until a notification to every contact with parental responsibility has
been recorded with its date, method and recipient.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import ValidationError

METHODS = ("letter", "email", "meeting", "telephone")


def clean_method(value: str) -> str:
    text = (value or "").strip().lower()
    if text not in METHODS:
        raise ValidationError(f"'{(value or '').strip()}' is not a way of notifying parents; use "
                              + ", ".join(METHODS) + ".", field="method")
    return text


@dataclass(frozen=True)
class NotificationSent:
    id: int
    contact_id: int
    recipient: str
    sent_on: dt.date
    method: str
    entered_at: str


@dataclass(frozen=True)
class NotificationDue:
    id: int
    pupil_id: int
    change: str  # 'added' or 'removed'
    status: str
    due_since: dt.date
    cleared_at: str | None
    sent: tuple[NotificationSent, ...]
    outstanding_contact_ids: tuple[int, ...]

    @property
    def open(self) -> bool:
        return self.cleared_at is None
