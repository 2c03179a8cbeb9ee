"""Parts of the full SEND file kept outside the graduated approach: the pupil's entry and exit
measures, exam access arrangements, and "My Story" in the pupil's own words.

A measure that this school reads as better lower (a count of incidents) says so once, after its
name, so a school reading the file knows which way its gains run, whatever that school's own
answer for the name (transfer/directions.py). Each measure names the provision it was taken
for (the plan line's description, or the group's name): a pupil measured by one name on two
lines would otherwise show two rows told apart only by their dates.

The full file is what a receiving school is given, so My Story is printed in full only when its
consent includes the next school; otherwise the file says that an account is held and why it is
not included, so nobody thinks it was never written.
"""

from __future__ import annotations

from ..models import dates
from ..models.measures import Measure, format_value
from ..records import exam_access as arrangements
from ..records import measures as pupil_measures
from ..records import my_story as stories
from ..session import Session
from .facts import PupilFacts
from .model import Builder


def measures(b: Builder, session: Session, facts: PupilFacts) -> None:
    """Each entry and exit measure with its gain, the way it improves said where it is lower
    (the caller has checked and audited the read)."""
    b.heading("Entry and exit measures")
    found = pupil_measures.measures_for_pupil(session, facts.pupil.id)
    provisions = _provisions(session, found)
    b.table(["Measure", "Provision", "Kind", "Entry", "Exit", "Gain"],
            [(m.label, provisions.get(m.id, ""), m.kind.label,
              f"{format_value(m.kind, m.entry_value)}\n{dates.format_uk(m.entry_date)}".strip(),
              f"{format_value(m.kind, m.exit_value)}\n{dates.format_uk(m.exit_date)}".strip(),
              m.gain_text(say_direction=False)) for m in found],
            widths=[1.9, 1.7, 1.1, 0.95, 0.95, 1.4],
            empty="No entry or exit measures are recorded.")


def _provisions(session: Session, found: list[Measure]) -> dict[int, str]:
    """What each measure was taken for, by measure id: its plan line's description, or (for a
    group member's measure) the group's name."""
    ids = [m.id for m in found]
    if not ids:
        return {}
    return {int(row["id"]): row["provision"] or "" for row in session.db.query(
        "SELECT m.id, COALESCE(i.description, g.name) AS provision FROM provision_measures m"
        " LEFT JOIN apdr_provision_items i ON i.id = m.item_id"
        " LEFT JOIN provision_groups g ON g.id = m.group_id"
        f" WHERE m.id IN ({', '.join('?' * len(ids))})", ids)}


def exam_access(b: Builder, session: Session, facts: PupilFacts) -> None:
    """The arrangements with their assessment, evidence and dates (the caller has checked and
    audited the read)."""
    b.heading("Exam access arrangements")
    found = arrangements.arrangements_of(session, facts.pupil.id)
    if not found:
        b.para("No exam access arrangements are recorded.", "small")
        return
    b.table(["Arrangement", "Assessed", "Valid", "Assessment and evidence"],
            [(a.label, f"{dates.format_uk(a.assessed_on)} by {a.assessor}",
              f"{dates.format_uk(a.valid_from)} to {dates.format_uk(a.valid_to)}"
              + ("" if a.state(facts.today).startswith("Valid") else f"\n{a.state(facts.today)}"),
              "\n".join(part for part in (a.assessment, a.evidence and f"Normal way of working: "
                                          f"{a.evidence}") if part))
             for a in found], widths=[1.6, 1.6, 1.5, 3.3])


def my_story(b: Builder, session: Session, facts: PupilFacts) -> None:
    """Each account, in full where its consent reaches the next school."""
    b.heading("My Story")
    found = stories.stories_of(session, facts.pupil.id)
    if not found:
        b.para("The pupil has not written a My Story.", "small")
        return
    for story in found:
        b.heading(f"Written {dates.format_uk(story.written_on)}", 3)
        b.para(story.consent_text, "small")
        if story.to_next_school:
            b.para(story.story)
        else:
            b.para("Not included: the consent recorded does not allow it to go to another "
                   "school. The SENCO holds it.", "small")
