"""The support timetable as a document: one person's school week of group provision as a grid
(a row for each time of day, a column for each day, Monday to Friday), then each day's list,
so it can be pinned up in the classroom or handed to the member of staff. A time that overlaps
another on the same day is marked CLASH wherever it appears, with what it overlaps, first in its
cell and in bold, and the week says how many there are before the grid: two rows of a grid side
by side did not show it. Under a pupil's week, their plan's other support, which has no set
times, so the week is not taken for all they receive.

Built from records.timetable's Week (viewing it is audited there); saving or printing it goes
through documents.export like every other document.
"""

from __future__ import annotations

import datetime as dt

from ..models.dates import format_uk
from ..models.provision_groups import DAYS
from ..models.roles import Permission
from ..operations import operation
from ..records import timetable
from ..records.protected import redactor_for
from ..records.timetable import Entry, Week
from ..session import Session
from .model import Builder, Document, redact

KIND = "timetable"
CLASH = "CLASH"


def _clash_text(entry: Entry) -> str:
    return f"{CLASH}: " + " ".join(entry.clashes) if entry.clashes else ""


def _cell(entries: tuple[Entry, ...], for_pupil: bool) -> str:
    """A grid cell: each group meeting then, its CLASH mark first (in bold: the table's strong
    line), where the eye finds it above the group, the room and every pupil's name."""
    return "\n\n".join("\n".join(part for part in (
        _clash_text(e), e.group_name, e.place,
        f"With {e.with_whom}" if for_pupil else "\n".join(e.people))
        if part)
        for e in entries)


def build_timetable(week: Week, school_name: str, today: dt.date) -> Document:
    b = Builder()
    b.pairs([("Pupil" if week.for_pupil else "Member of staff", week.who),
             ("Week", f"Monday {format_uk(week.monday)} to Friday {format_uk(week.friday)}"),
             ("Group sessions", str(len(week.entries)))])
    header = ["Time"] + [f"{name}\n{format_uk(week.monday + dt.timedelta(days=day - 1))[:5]}"
                         + ("\nschool closed" if week.closed_on(day) else "")
                         for day, name in DAYS.items()]
    rows = []
    for start, end in week.times:
        rows.append([f"{start}-{end}"] + [
            _cell(tuple(e for e in week.on(day) if (e.start_time, e.end_time) == (start, end)),
                  week.for_pupil) for day in DAYS])
    b.heading("The week")
    if week.clashes:
        count = len(week.clashes)
        b.para(f"{CLASH}: {count} of these times overlap another on the same day; "
               f"{week.who} cannot be in two groups at once. Each is marked {CLASH} below.",
               "emphasis")
    if week.closed and len(week.closed) < len(DAYS):
        b.para("The school is closed on " + "; ".join(
            f"{DAYS[day]} {format_uk(week.monday + dt.timedelta(days=day - 1))} ({why})"
            for day, why in week.closed) + ": no group meets.", "small")
    empty = ("The school is closed all this week." if len(week.closed) == len(DAYS)
             else f"{week.who} has no group provision timetabled this week.")
    b.table(header, rows, widths=[0.8, 1.5, 1.5, 1.5, 1.5, 1.5], empty=empty, strong=CLASH)
    if week.entries:
        b.heading("Day by day")
        for day, name in DAYS.items():
            entries = week.on(day)
            if not entries:
                continue
            b.heading(name, 3)
            b.table(["Time", "Group", "Place", "Staff" if week.for_pupil else "Pupils"],
                    [(e.times, "\n".join(filter(None, (_clash_text(e), e.group_name))),
                      e.place, e.with_whom) for e in entries], widths=[0.9, 2.0, 1.4, 2.9],
                    strong=CLASH)
    if week.untimed:
        b.heading("Other support (no set times)")
        b.table(["Provision", "How often", "Who"],
                [(u.what, u.how_often, u.who) for u in week.untimed], widths=[3.3, 2.4, 2.1])
    elif not week.for_pupil:
        b.para("Only group sessions have set times; each pupil's other support is on their "
               "plan.", "small")
    return Document("Support timetable", week.who if week.for_pupil else "", today,
                    tuple(b.blocks), subtitle=f"{week.who} · {school_name}", kind=KIND,
                    covers="" if week.for_pupil else week.covers)


@operation(Permission.VIEW_RECORDS, writes=False)
def pupil_timetable(session: Session, pupil_id: int, day: dt.date | None = None) -> Document:
    """A pupil's timetable (reading it is audited by records.timetable), with any protected
    address that reached a group's name or place taken out, as in every pupil document."""
    week = timetable.pupil_week(session, pupil_id, day)
    document = build_timetable(week, session.school.name, session.clock.today())
    return redact(document, redactor_for(session.db, int(pupil_id), session.school.name))


@operation(Permission.VIEW_RECORDS, writes=False)
def staff_timetable(session: Session, staff_name: str, day: dt.date | None = None) -> Document:
    week = timetable.staff_week(session, staff_name, day)
    return build_timetable(week, session.school.name, session.clock.today())
