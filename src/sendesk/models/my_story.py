""""My Story": the pupil's own account of themselves (what they are good at, what is hard, what
helps), in their words, with the consent that says who may see it.

A pupil's account is theirs: it is shared only as far as the consent recorded with it allows
(by the pupil, a parent, or a young person of 16 or over for themselves), and each place it may
go is a separate choice: staff at this school, specialists working with the pupil, the local
authority (with an EHC needs assessment request) and the next school (it travels in the
transfer package only then).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from . import dates
from .text import clean_line, clean_text

STORY_LENGTH = 12_000


class ConsentBy(str, enum.Enum):
    PUPIL = "pupil"
    PARENT = "parent"
    YOUNG_PERSON = "young_person"

    @property
    def label(self) -> str:
        return {"pupil": "The pupil", "parent": "A parent or carer",
                "young_person": "The young person (16 or over)"}[self.value]


# Where the story may be shared: (column, words for "may be shared with ...").
SHARING = (("share_staff", "staff at this school"),
           ("share_specialists", "specialists working with the pupil"),
           ("share_la", "the local authority"),
           ("share_next_school", "the next school"))


@dataclass(frozen=True)
class MyStory:
    id: int
    pupil_id: int
    written_on: dt.date
    story: str
    consent_by: str | None          # the name of the person who consented
    consent_as: ConsentBy | None
    consent_on: dt.date | None
    shared_with: frozenset[str]     # the SHARING columns consented to
    entered_at: str

    @property
    def to_next_school(self) -> bool:
        return may_share_with_next_school({
            "share_next_school": "share_next_school" in self.shared_with,
            "consent_by": self.consent_by, "consent_as": self.consent_as,
            "consent_on": self.consent_on})

    @property
    def consent_text(self) -> str:
        if not self.shared_with or self.consent_on is None:
            return "No consent to share recorded: it stays with the SENCO."
        places = [words for column, words in SHARING if column in self.shared_with]
        who = (self.consent_by or "Someone unnamed") + (
            f" ({self.consent_as.label.lower()})" if self.consent_as else "")
        return (f"{who} consented on {dates.format_uk(self.consent_on)} to it being shared with "
                + ", ".join(places[:-1]) + (" and " if len(places) > 1 else "") + places[-1] + ".")


def consent_recorded(row: Mapping[str, Any]) -> bool:
    """Whether a story's consent says who gave it, as whom and when: the form asks for all
    three before any sharing is ticked."""
    return bool(row["consent_by"]) and bool(row["consent_as"]) and row["consent_on"] is not None


def may_share_with_next_school(row: Mapping[str, Any]) -> bool:
    """The one rule for whether a story travels to the next school (the transfer package and
    the SEND file sent with it): its consent names the next school and is recorded in full. A
    flag ticked without who consented and when (a package from elsewhere, an edited database)
    is not consent."""
    return bool(row["share_next_school"]) and consent_recorded(row)


def clean_story(raw: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """The story and its consent, checked: sharing anywhere needs who consented, as whom and
    when; a consent is not dated before the story it is for."""
    written = dates.require_date(raw.get("written_on"), "Date written")
    dates.not_after(written, today, "Date written")
    story = clean_text(str(raw.get("story") or ""), "My Story", max_length=STORY_LENGTH,
                       required=True)
    shares = {column: int(bool(raw.get(column))) for column, _ in SHARING}
    by = clean_line(str(raw.get("consent_by") or ""), "Consent given by", max_length=100,
                    required=False) or None
    consent_on = dates.parse_date(raw.get("consent_on"), "Date of consent", required=False)
    try:
        consent_as = ConsentBy(raw["consent_as"]) if raw.get("consent_as") else None
    except ValueError:
        raise ValidationError("Choose who gave consent: the pupil, a parent or the young "
                              "person.", field="consent_as") from None
    if any(shares.values()) and not consent_recorded(
            {"consent_by": by, "consent_as": consent_as, "consent_on": consent_on}):
        raise ValidationError("To share My Story, record who consented (their name and whether "
                              "they are the pupil, a parent or the young person) and the date.",
                              field="consent_by")
    dates.not_after(consent_on, today, "Date of consent")
    dates.not_before(consent_on, written, "Date of consent", "the date it was written")
    return {"written_on": written.isoformat(), "story": story, "consent_by": by,
            "consent_as": consent_as.value if consent_as else None,
            "consent_on": consent_on.isoformat() if consent_on else None, **shares}
