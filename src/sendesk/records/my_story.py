"""The pupil's "My Story", stored with its consent.

Written (with the pupil) and kept by the SENCO (Permission.MANAGE_PLANS); anyone who may view
records may read it in the app, and each read is audited because it is the pupil's own words.
Where it may go beyond the app is what its consent says (models.my_story): the transfer package
carries it only when the consent includes the next school. A new version is a new entry, so the
pupil's earlier accounts stay as they were; a correction leaves the old values in the trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from ..models import dates
from ..models.my_story import SHARING, ConsentBy, MyStory, clean_story
from ..models.roles import Permission
from ..operations import Kind, changed, operation, viewed
from ..session import Session
from ..store.database import Row
from ._common import pupil_row, record_changes, require_editable, today

_FIELDS = ("written_on", "story", "consent_by", "consent_as", "consent_on",
           *(column for column, _ in SHARING))


def from_row(row: Row) -> MyStory:
    return MyStory(
        row["id"], row["pupil_id"], dt.date.fromisoformat(row["written_on"]), row["story"],
        row["consent_by"], ConsentBy(row["consent_as"]) if row["consent_as"] else None,
        dates.from_text(row["consent_on"]),
        frozenset(column for column, _ in SHARING if row[column]), row["entered_at"])


def stories_of(session: Session, pupil_id: int) -> list[MyStory]:
    """Without check or audit, for callers that have done both (the full file)."""
    return [from_row(r) for r in session.db.query(
        "SELECT * FROM my_story WHERE pupil_id = ? ORDER BY written_on, id", (int(pupil_id),))]


@operation(Permission.VIEW_RECORDS, writes=False, audit="read My Story")
def list_stories(session: Session, pupil_id: int) -> list[MyStory]:
    """The pupil's accounts, oldest first (audited read)."""
    pupil_row(session, pupil_id)
    found = stories_of(session, pupil_id)
    viewed(session, "pupil", int(pupil_id), stories=len(found))
    return found


@operation(Permission.MANAGE_PLANS, audit="recorded My Story")
def add_story(session: Session, pupil_id: int, raw: Mapping[str, Any]) -> int:
    """Record the pupil's account and its consent; returns its id."""
    values = clean_story(raw, today(session))
    pupil = require_editable(session, pupil_id)
    story_id = int(session.db.scalar(
        "INSERT INTO my_story (pupil_id, " + ", ".join(_FIELDS) + ", entered_at, entered_by)"
        " VALUES (:pupil_id, " + ", ".join(f":{n}" for n in _FIELDS) + ", :now, :user)"
        " RETURNING id",
        {**values, "pupil_id": pupil["id"], "now": session.now_text(), "user": session.user.id}))
    changed(session, Kind.MY_STORY, pupil["id"], story_id=story_id,
            shared=[c for c, _ in SHARING if values[c]])
    return story_id


@operation(Permission.MANAGE_PLANS, audit="changed My Story or its consent")
def update_story(session: Session, story_id: int, changes: Mapping[str, Any]) -> list[str]:
    """Correct the account or change its consent (a consent withdrawn is a consent changed);
    returns what changed."""
    row = session.db.query_one("SELECT * FROM my_story WHERE id = ?", (int(story_id),))
    if row is None:
        raise ValidationError("That account is not in this database.", field="story")
    require_editable(session, row["pupil_id"])
    values = clean_story({n: changes.get(n, row[n]) for n in _FIELDS}, today(session))
    fields = record_changes(session, row["pupil_id"], "my story", row["id"],
                            {n: row[n] for n in _FIELDS}, values)
    if fields:
        session.db.execute(
            "UPDATE my_story SET " + ", ".join(f"{n} = :{n}" for n in _FIELDS)
            + ", updated_at = :now, updated_by = :user WHERE id = :id",
            {**values, "now": session.now_text(), "user": session.user.id, "id": row["id"]})
        changed(session, Kind.MY_STORY, row["pupil_id"], story_id=row["id"], fields=fields)
    return fields
