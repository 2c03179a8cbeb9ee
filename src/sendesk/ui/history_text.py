"""The record's change history in plain words: UK dates, field names a teacher reads, and the
previous school's edits kept apart from this school's own (a transferred record's history is
the old school's, and must not read as changes made here)."""

from __future__ import annotations

import datetime as dt

from ..models import dates
from ..models.pupils import FIELD_LABELS
from ..records.pupils import FieldChange

RECORD_LABELS = {"pupil": "", "review progress": "Review progress",
                 "review specialist view": "Specialist's view at a review"}


def when(stamp: str) -> str:
    """'2026-11-23T09:30:00' as '23/11/2026 09:30'."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return f"{dates.format_uk(moment.date())} {moment:%H:%M}"


def field_label(change: FieldChange) -> str:
    if change.record_type == "pupil":
        return FIELD_LABELS.get(change.field, change.field.replace("_", " ").capitalize())
    record = RECORD_LABELS.get(change.record_type, change.record_type.capitalize())
    return f"{record}: {change.field.replace('_', ' ')}"


def history_rows(changes: list[FieldChange]) -> list[tuple[str, str, str | None, str | None, str]]:
    """This school's changes first, newest first; then the previous school's, each saying so."""
    ours = [c for c in changes if not c.from_school]
    theirs = [c for c in changes if c.from_school]
    rows = [(when(c.changed_at), field_label(c), c.old_value, c.new_value, c.changed_by)
            for c in reversed(ours)]
    for c in reversed(theirs):
        who = c.changed_by.removesuffix(f" ({c.from_school})")
        rows.append((f"{when(c.changed_at)}, at the previous school", field_label(c),
                     c.old_value, c.new_value, f"{who}, from the previous school ({c.from_school})"))
    return rows
