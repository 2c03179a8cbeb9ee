"""The support timetable: a pupil's, or a member of staff's, week of group provision, Monday to
Friday, each time with the group, the place and who else is there (the member of staff on a
pupil's timetable, the pupils on a member of staff's).

It shows the school week holding the given day (today unless given): a group appears if it runs
on any day of that week, and a pupil if they are a member on any day of it. Viewing either is
audited as a read (a staff timetable lists pupils by name).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import ValidationError
from ..models import provision_groups as rules
from ..models.roles import Permission
from ..operations import operation, viewed
from ..session import Session
from ._common import pupil_row, today
from .provision_groups import Group, load_groups
from .pupils import pupil_from_row


@dataclass(frozen=True)
class Entry:
    day: int
    start_time: str
    end_time: str
    group_id: int
    group_name: str
    place: str
    people: tuple[str, ...]   # the member of staff, or the pupils

    @property
    def with_whom(self) -> str:
        return "; ".join(self.people)


@dataclass(frozen=True)
class Week:
    """One person's school week of group provision."""

    who: str                           # the pupil's name or the member of staff's
    for_pupil: bool
    monday: dt.date
    entries: tuple[Entry, ...]
    pupil_id: int | None = None

    @property
    def friday(self) -> dt.date:
        return self.monday + dt.timedelta(days=4)

    def on(self, day: int) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.day == day)

    @property
    def times(self) -> list[tuple[str, str]]:
        """Each distinct time of day something happens, in order (the rows of a week grid)."""
        return sorted({(e.start_time, e.end_time) for e in self.entries})


def week_of(day: dt.date) -> dt.date:
    """The Monday of the school week holding the day (a Saturday or Sunday: the next week)."""
    if day.weekday() >= 5:
        day += dt.timedelta(days=7 - day.weekday())
    return day - dt.timedelta(days=day.weekday())


def _running(group: Group, monday: dt.date) -> bool:
    return rules.periods_meet(group.start_date, group.end_date, monday,
                              monday + dt.timedelta(days=4))


def _in_week(member, monday: dt.date) -> bool:
    return rules.periods_meet(member.joined_on, member.left_on, monday,
                              monday + dt.timedelta(days=4))


def _entries(group: Group, people: tuple[str, ...]) -> list[Entry]:
    return [Entry(slot.day, slot.start_time, slot.end_time, group.id, group.name, slot.place,
                  people) for slot in group.slots]


def _in_order(entries: list[Entry]) -> tuple[Entry, ...]:
    return tuple(sorted(entries, key=lambda e: (e.day, e.start_time, e.end_time, e.group_name)))


@operation(Permission.VIEW_RECORDS, writes=False, audit="viewed a support timetable")
def pupil_week(session: Session, pupil_id: int, day: dt.date | None = None) -> Week:
    pupil = pupil_from_row(pupil_row(session, pupil_id))
    monday = week_of(day or today(session))
    rows = session.db.query(
        "SELECT * FROM provision_groups WHERE id IN (SELECT group_id FROM"
        " provision_group_members WHERE pupil_id = ?) ORDER BY name, id", (pupil.id,))
    groups = [g for g in load_groups(session, rows) if _running(g, monday) and any(
        m.pupil_id == pupil.id and _in_week(m, monday) for m in g.members)]
    entries = [e for g in groups for e in _entries(g, (g.staff_name,))]
    viewed(session, "pupil", pupil.id, week=monday.isoformat())
    return Week(pupil.display_name, True, monday, _in_order(entries), pupil.id)


@operation(Permission.VIEW_RECORDS, writes=False, audit="viewed a support timetable")
def staff_week(session: Session, staff_name: str, day: dt.date | None = None) -> Week:
    key = rules.staff_key(staff_name)
    if not key:
        raise ValidationError("Choose the member of staff.", field="staff")
    monday = week_of(day or today(session))
    rows = session.db.query("SELECT * FROM provision_groups WHERE staff_key = ? ORDER BY name, id",
                            (key,))
    groups = [g for g in load_groups(session, rows) if _running(g, monday)]
    if not rows:
        raise ValidationError(f"No group is run by '{staff_name.strip()}'.", field="staff")
    entries = [e for g in groups for e in _entries(g, tuple(
        m.pupil_name for m in g.members if _in_week(m, monday)) or ("no pupils yet",))]
    viewed(session, None, None, week=monday.isoformat(), groups=len(groups))
    return Week(rows[0]["staff_name"], False, monday, _in_order(entries))
