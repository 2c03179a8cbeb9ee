"""The record's change history as rows for its table: this school's own changes first, then
the previous school's edits kept apart and saying so (a transferred record's history is the
old school's, and must not read as changes made here). The plain words and UK dates come from
models.field_names, the one place that names fields."""

from __future__ import annotations

from ..models import field_names
from ..records.pupils import FieldChange

Row = tuple[str, str, str, str, str, str]


def _row(change: FieldChange, when: str, who: str) -> Row:
    kind, name = change.record_type, change.field
    return (when, field_names.record_label(kind), field_names.field_label(kind, name),
            field_names.shown_value(kind, name, change.old_value),
            field_names.shown_value(kind, name, change.new_value), who)


def history_rows(changes: list[FieldChange]) -> list[Row]:
    """This school's changes first, newest first; then the previous school's, each saying so."""
    ours = [c for c in changes if not c.from_school]
    theirs = [c for c in changes if c.from_school]
    rows = [_row(c, field_names.uk_moment(c.changed_at), c.changed_by) for c in reversed(ours)]
    for c in reversed(theirs):
        who = c.changed_by.removesuffix(f" ({c.from_school})")
        rows.append(_row(c, f"{field_names.uk_moment(c.changed_at)}, at the previous school",
                         f"{who}, from the previous school ({c.from_school})"))
    return rows
