"""What the initial concerns discussion already holds, offered to the first cycle's pages.

When the flowchart ended in SEN support, the SENCO has already written down the pupil's
strengths, what they find hard, what the pupil said and what the parents said, and what everyone
wants to achieve. The first cycle of the pathway opened after that run starts from those words,
so nobody types them twice. Only empty fields are filled: whatever was typed or saved in the
cycle stays as it is. Nothing is written here; the page saves the words with its own draft.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

from ...models import dates
from ...models.roles import Permission
from ...operations import operation
from ...session import Session
from ._context import _cycle_row, _pathway_row

# Which discussion answer (by the flowchart field's id) fills which field of the cycle.
ASSESS_FROM = {"strengths": "strengths", "needs": "difficulties", "child_views": "child_views",
               "parent_views": "parent_views"}
ASPIRATIONS_FROM = "agreed_outcomes"


@dataclass(frozen=True)
class ConcernsSeed:
    run_id: int
    discussed_on: dt.date
    assessment: Mapping[str, str]   # Assess field name -> the discussion's words
    aspirations: str

    @property
    def source(self) -> str:
        """The line a page shows beside what it filled, so the SENCO knows where it came from."""
        return ("Filled in from the initial concerns discussion on "
                f"{dates.format_uk(self.discussed_on)}.")


def fill_empty(current: Mapping[str, str | None], offered: Mapping[str, str]) -> dict[str, str]:
    """The offered words for each field that is still empty; a field with anything typed in it
    (even a single word) is left out, so nothing a person wrote is ever replaced."""
    return {name: text for name, text in offered.items()
            if text.strip() and not (current.get(name) or "").strip()}


@operation(Permission.VIEW_RECORDS, writes=False)
def concerns_seed(session: Session, cycle_id: int) -> ConcernsSeed | None:
    """The concerns discussion that led to this pathway, when the cycle is its first one: the
    pupil's latest run that ended in SEN support, finished before the pathway was opened, with
    no other pathway opened in between. None for later cycles or when there is none."""
    cycle = _cycle_row(session, cycle_id)
    if cycle["number"] != 1:
        return None
    pathway = _pathway_row(session, cycle["pathway_id"])
    run = session.db.query_one(
        "SELECT id, discussion, discussion_date, finished_at FROM concern_runs"
        " WHERE pupil_id = ? AND status = 'finished' AND outcome_kind = 'sen_support'"
        " AND finished_at <= ? ORDER BY finished_at DESC, id DESC LIMIT 1",
        (pathway["pupil_id"], pathway["entered_at"]))
    if run is None or session.db.scalar(
            "SELECT 1 FROM send_pathways WHERE pupil_id = ? AND id <> ? AND entered_at >= ?"
            " AND entered_at <= ?", (pathway["pupil_id"], pathway["id"], run["finished_at"],
                                     pathway["entered_at"])):
        return None
    answers = _answers_by_field(run["discussion"])
    assessment = {name: answers[field] for name, field in ASSESS_FROM.items() if answers.get(field)}
    aspirations = answers.get(ASPIRATIONS_FROM, "")
    if not assessment and not aspirations:
        return None
    return ConcernsSeed(run["id"], dt.date.fromisoformat(run["discussion_date"]), assessment,
                        aspirations)


def _answers_by_field(stored: str | None) -> dict[str, str]:
    """The run's discussion by field id ([label, text, id] as finish stores it; runs recorded
    before the id was kept hold [label, text] only and offer nothing)."""
    found: dict[str, str] = {}
    for entry in json.loads(stored or "[]"):
        if isinstance(entry, list) and len(entry) == 3:
            found[str(entry[2])] = str(entry[1])
    return found
