"""Short notes: the record of an early concern and the conversation with parents about it.

A note is dated by when the discussion happened, not when it was typed, so the record reads
in true order; it carries what was agreed and when it will be looked at again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from . import dates
from .text import clean_text

NOTE_FIELDS = ("event_date", "concern", "parent_discussion", "agreed_actions", "review_date")


@dataclass(frozen=True)
class ShortNote:
    id: int
    pupil_id: int
    event_date: dt.date
    author_id: int
    author_name: str
    concern: str
    parent_discussion: str
    agreed_actions: str
    review_date: dt.date | None
    reviewed_on: dt.date | None
    entered_at: str


def clean_note(raw: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    event = dates.require_date(raw.get("event_date"), "Date of the discussion")
    dates.not_after(event, today, "Date of the discussion")
    review = dates.parse_date(raw.get("review_date"), "Review date", required=False)
    dates.not_before(review, event, "Review date", "the date of the discussion")
    concern = clean_text(str(raw.get("concern") or ""), "Concern", max_length=8000)
    if not concern:
        raise ValidationError("Describe the concern.", field="concern")
    return {"event_date": event, "concern": concern,
            "parent_discussion": clean_text(str(raw.get("parent_discussion") or ""),
                                            "Discussion with parents", max_length=8000),
            "agreed_actions": clean_text(str(raw.get("agreed_actions") or ""), "Agreed actions",
                                         max_length=8000),
            "review_date": review}
