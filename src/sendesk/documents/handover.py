"""The end-of-year handover pack: for the next teacher of a class, every pupil in it on the SEN
register, each with their one-page profile and current plan (the EHC plan in force, then any
SEN support plan), after a cover page that lists them; and the record that the pack was handed
over (to whom, when), which each pupil's history shows. Made mid-year it is a handover to the
class's new teacher, and its cover says so.

The pack is built like every other document (facts, then support.py's builders, then the
redaction net) and leaves the database only through documents.export, which checks the
permission and audits the export or print.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import ValidationError
from ..models import dates
from ..models.calendar import SchoolCalendar
from ..models.roles import Permission
from ..models.text import clean_line
from ..operations import Kind, changed, operation, viewed
from ..records import school_calendar
from ..records._common import record_changes, today
from ..session import Session
from . import build_for_facts, ehc, redacted_for
from .facts import PupilFacts, read_facts, year_label
from .letters import responsible_people
from .model import Builder, Document

KIND = "handover"
ON_REGISTER = ("K", "E")


@dataclass(frozen=True)
class HandoverClass:
    class_name: str
    pupils: int          # pupils in the class on the SEN register


@operation(Permission.VIEW_RECORDS, writes=False)
def handover_classes(session: Session) -> list[HandoverClass]:
    """The classes with at least one pupil on the SEN register, for choosing a pack, in the
    order a teacher counts them (1A, 3A, 10A, 11A), not as text (10A, 11A, 1A, 3A)."""
    found = [HandoverClass(row[0], int(row[1])) for row in session.db.query(
        "SELECT class_name, count(*) FROM pupils WHERE archived_at IS NULL"
        " AND class_name IS NOT NULL AND sen_status IN (?, ?) GROUP BY class_name",
        ON_REGISTER)]
    return sorted(found, key=lambda c: _natural_key(c.class_name))


def _natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """'10A' -> ((0, 10), (1, 'a')): numbers compare as numbers, the rest without case."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.lower())
                 for part in re.findall(r"\d+|\D+", text))


@operation(Permission.VIEW_RECORDS, writes=False)
def class_pupils(session: Session, class_name: str) -> list[int]:
    """The pupils a class's pack is about, for the export's audit entry."""
    return _pupil_ids(session, clean_line(str(class_name or ""), "Class", max_length=30))


def _pupil_ids(session: Session, class_name: str) -> list[int]:
    ids = [row[0] for row in session.db.query(
        "SELECT id FROM pupils WHERE archived_at IS NULL AND class_name = ?"
        " AND sen_status IN (?, ?) ORDER BY sort_key, id", (class_name, *ON_REGISTER))]
    if not ids:
        raise ValidationError(f"No pupil in class {class_name} is on the SEN register, so there "
                              "is no handover pack to make.", field="class_name")
    return ids


def _current_plan_text(facts: PupilFacts, ehc_line: str) -> str:
    """The plans in force: the EHC plan (its line from ehc.plan_line) and the agreed support
    plan, either or both; "No agreed plan" only when there is neither."""
    pathway = facts.open_pathway
    plan = pathway.current_plan if pathway else None
    parts = [ehc_line] if ehc_line else []
    if plan is not None:
        parts.append(f"Support plan agreed {dates.format_uk(plan.plan_date)}; review by "
                     f"{dates.format_uk(plan.review_date)}")
    return "\n".join(parts) or "No agreed plan"


def _for_whom(class_name: str, calendar: SchoolCalendar, day: dt.date) -> str:
    """The cover's opening, true to when the pack is made: at the end of the school year (from
    the summer term) it is for next year's teacher, to read before September; at any other time
    it is a handover to the class's new teacher, to read before they take the class."""
    summer = calendar.term_dates(calendar.school_year_of(day)).half_terms[4].start
    if day >= summer:
        return (f"For the teacher of class {class_name} next year: each pupil below is on the "
                "SEN register. Their one-page profile (what helps them) and their current plan "
                "follow, one pupil after another. Please read them before September and talk to "
                "the SENCO about anything that is not clear.")
    return (f"For the new teacher of class {class_name}: each pupil below is on the SEN "
            "register. Their one-page profile (what helps them) and their current plan follow, "
            "one pupil after another. Please read them before you take the class and talk to "
            "the SENCO about anything that is not clear.")


def _cover(class_name: str, everyone: list[PupilFacts], ehc_lines: dict[int, str], school: str,
           day: dt.date, calendar: SchoolCalendar) -> Document:
    b = Builder()
    b.para(_for_whom(class_name, calendar, day))
    rows = []
    for facts in everyone:
        teacher, key_worker = responsible_people(facts)
        rows.append((facts.name, year_label(facts.pupil.details.year_group), facts.status_label,
                     facts.need_label(facts.pupil.primary_need) or "Not yet identified",
                     _current_plan_text(facts, ehc_lines.get(facts.pupil.id, "")),
                     "\n".join(part for part in (teacher and f"Teacher: {teacher}",
                                                 key_worker and f"Key worker: {key_worker}")
                               if part)))
    b.table(["Pupil", "Year", "SEN status", "Primary need", "Current plan", "Responsible"],
            rows, widths=[2.0, 1.0, 1.8, 2.2, 2.2, 1.8])
    b.para("This pack holds sensitive information about children. Keep it securely and shred it "
           "when it is no longer needed.", "small")
    count = f"{len(everyone)} pupil{'s' if len(everyone) != 1 else ''}"
    return Document(f"Handover pack: class {class_name}", "", day, tuple(b.blocks),
                    subtitle=f"{count} on the SEN register · {school}", kind=KIND,
                    covers=f"Class: {class_name} ({count})")


def _no_plan(facts: PupilFacts, school: str) -> Document:
    b = Builder()
    if facts.pupil.sen_status == "E":   # on the register with an EHC plan not recorded here
        b.para(f"{facts.name} has an EHC plan, but it is not recorded in this file yet. Ask the "
               "SENCO for the plan and what support is in place.")
    else:
        b.para(f"{facts.name} has no support plan written yet. Ask the SENCO what support is in "
               "place and when the plan will be agreed.")
    return Document("My SEN Support Plan", facts.name, facts.today, tuple(b.blocks),
                    subtitle=f"{facts.name} · {school}", kind="plan")


@operation(Permission.VIEW_RECORDS, writes=False, audit="built a handover pack")
def build_handover(session: Session, class_name: str) -> list[Document]:
    """The cover page, then each pupil's profile and current plan; audited once as a read of
    the class's records."""
    name = clean_line(str(class_name or ""), "Class", max_length=30)
    ids = _pupil_ids(session, name)
    everyone = [read_facts(session, pupil_id) for pupil_id in ids]
    school = session.school.name
    plans = {facts.pupil.id: ehc.current_plan(session, facts.pupil.id) for facts in everyone}
    lines = {pupil_id: ehc.plan_line(session, plan) for pupil_id, plan in plans.items() if plan}
    cover = [_cover(name, everyone, lines, school, today(session),
                    school_calendar.calendar_of(session))]
    for facts in everyone:   # the cover names every pupil: each one's protected addresses go
        cover = redacted_for(session, facts, cover)
    documents = cover
    for facts in everyone:
        documents += build_for_facts(session, facts, "profile")
        plan = plans[facts.pupil.id]
        if plan is not None:   # the EHC plan is the current plan; a support plan may follow
            documents += redacted_for(session, facts, [
                ehc.build_plan_summary(session, facts, plan, school)])
        try:
            documents += build_for_facts(session, facts, "plan")
        except ValidationError:
            if plan is None:
                documents.append(_no_plan(facts, school))
    viewed(session, None, None, kind=KIND, class_name=name, pupils=len(ids))
    return documents


@operation(Permission.MANAGE_PLANS, audit="recorded a class handover")
def record_handover(session: Session, class_name: str, handed_to: str,
                    handed_on: dt.date | str) -> int:
    """Record that the class's pack was handed to the next teacher on a day; each pupil's
    history shows it. Returns how many pupils it covered."""
    name = clean_line(str(class_name or ""), "Class", max_length=30)
    person = clean_line(str(handed_to or ""), "Handed to", max_length=100)
    day = dates.require_date(handed_on, "Handed over on")
    dates.not_after(day, today(session), "Handed over on")
    ids = _pupil_ids(session, name)
    for pupil_id in ids:
        row_id = session.db.scalar(
            "INSERT INTO class_handovers (pupil_id, class_name, handed_to, handed_on, entered_at,"
            " entered_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (pupil_id, name, person, day.isoformat(), session.now_text(), session.user.id))
        record_changes(session, pupil_id, "handover", int(row_id),
                       {"class_name": None, "handed_to": None, "handed_on": None},
                       {"class_name": name, "handed_to": person, "handed_on": day})
    changed(session, Kind.PUPIL, ids, target=(None, None), class_name=name,
            handed_on=day.isoformat())
    changed(session, Kind.DOCUMENT, ids)
    return len(ids)

