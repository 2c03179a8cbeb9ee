"""The support timetable: a pupil's, or a member of staff's, week of group provision, Monday to
Friday, each time with the group, the place and who else is there (the member of staff on a
pupil's timetable, the pupils on a member of staff's).

It shows the school week holding the given day (today unless given), deciding each day on its
own: a group's time appears on a day only if the group runs that day (it has started and not
ended), on a pupil's timetable only if they are a member that day, and a member of staff's lists
the pupils who are members that day. So a group starting on a Tuesday is not on the Monday, and
a pupil who left on Wednesday is not on the Thursday. A day the school is closed (a holiday,
a bank holiday, an INSET day, by the school's own calendar) has no group times, and says why,
so a printed week over Christmas does not send a pupil to an empty room. Viewing either is
audited as a read (a staff timetable lists pupils by name: its entry says whose and how many
pupils). Two times on one person's week that overlap on the same day (a member of staff, or a
pupil, due in two groups at once) each carry a sentence saying so ("Overlaps with ...").
A pupil's week also carries the lines of their plan in force (Untimed), which have no times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from ..errors import ValidationError
from ..models import provision_groups as rules
from ..models.roles import Permission
from ..operations import operation, viewed
from ..session import Session
from . import apdr, ehc_costs
from ._common import pupil_row, today
from .provision_groups import Group, load_groups
from .pupils import pupil_from_row
from .school_calendar import calendar_of


@dataclass(frozen=True)
class Entry:
    day: int
    start_time: str
    end_time: str
    group_id: int
    group_name: str
    place: str
    people: tuple[str, ...]   # the member of staff, or the pupils
    clashes: tuple[str, ...] = ()   # "Overlaps with ..." for each other time it overlaps

    @property
    def with_whom(self) -> str:
        return "; ".join(self.people)

    @property
    def times(self) -> str:
        return f"{self.start_time}-{self.end_time}"


@dataclass(frozen=True)
class Untimed:
    """Support the pupil receives with no set times (only group sessions have them), listed
    beside the week so the timetable is not taken for all the pupil receives."""

    what: str
    how_often: str
    who: str


@dataclass(frozen=True)
class Week:
    """One person's school week of group provision."""

    who: str                           # the pupil's name or the member of staff's
    for_pupil: bool
    monday: dt.date
    entries: tuple[Entry, ...]
    pupil_id: int | None = None
    pupils: int = 0                    # on a member of staff's: how many pupils it names
    closed: tuple[tuple[int, str], ...] = ()   # the days the school is closed, and why
    untimed: tuple[Untimed, ...] = ()  # on a pupil's: their plan's other support

    def closed_on(self, day: int) -> str | None:
        """Why the school is closed that day (1 Monday to 5 Friday), or None when it is open."""
        return dict(self.closed).get(day)

    @property
    def covers(self) -> str:
        """What the timetable covers, for a document's header band."""
        if self.for_pupil:
            return f"Pupil: {self.who}"
        return f"Member of staff: {self.who} ({self.pupils} pupil" + \
            ("" if self.pupils == 1 else "s") + ")"

    @property
    def friday(self) -> dt.date:
        return self.monday + dt.timedelta(days=4)

    def on(self, day: int) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.day == day)

    @property
    def clashes(self) -> tuple[Entry, ...]:
        """The times that overlap another on the same day."""
        return tuple(e for e in self.entries if e.clashes)

    @property
    def times(self) -> list[tuple[str, str]]:
        """Each distinct time of day something happens, in order (the rows of a week grid)."""
        return sorted({(e.start_time, e.end_time) for e in self.entries})


def week_of(day: dt.date) -> dt.date:
    """The Monday of the school week holding the day (a Saturday or Sunday: the next week)."""
    if day.weekday() >= 5:
        day += dt.timedelta(days=7 - day.weekday())
    return day - dt.timedelta(days=day.weekday())


def _date(monday: dt.date, day: int) -> dt.date:
    return monday + dt.timedelta(days=day - 1)


def _pupil_entries(group: Group, pupil_id: int, monday: dt.date) -> list[Entry]:
    """The group's times on the days of the week it runs and the pupil is in it."""
    return [Entry(slot.day, slot.start_time, slot.end_time, group.id, group.name, slot.place,
                  (group.staff_name,)) for slot in group.slots
            if group.running_on(when := _date(monday, slot.day)) and any(
                m.pupil_id == pupil_id and m.present_on(when) for m in group.members)]


def _days_running(group: Group, monday: dt.date) -> list[dt.date]:
    """The dates this week the group meets and runs."""
    return [when for slot in group.slots if group.running_on(when := _date(monday, slot.day))]


def _staff_entries(group: Group, monday: dt.date) -> list[Entry]:
    """The group's times on the days of the week it runs, each with that day's pupils."""
    return [Entry(slot.day, slot.start_time, slot.end_time, group.id, group.name, slot.place,
                  tuple(m.pupil_name for m in group.present_on(when)) or ("no pupils yet",))
            for slot in group.slots if group.running_on(when := _date(monday, slot.day))]


def _closed_days(session: Session, monday: dt.date) -> tuple[tuple[int, str], ...]:
    calendar = calendar_of(session)
    return tuple((day, why) for day in range(1, 6)
                 if (why := calendar.not_a_school_day(_date(monday, day))) is not None)


def _with_clashes(entries: list[Entry]) -> list[Entry]:
    """Each time with a sentence for every other time of the week it overlaps on its day: on
    one person's week, two at once is always a clash (one ending as the next starts is not)."""
    return [replace(entry, clashes=tuple(
        f"Overlaps with {other.group_name} {other.times}" + (f" ({other.place})" if other.place
                                                             else "") + "."
        for other in entries if other is not entry and other.day == entry.day
        and rules.overlaps(entry.start_time, entry.end_time, other.start_time, other.end_time)))
        for entry in entries]


def _in_order(entries: list[Entry], closed: tuple[tuple[int, str], ...]) -> tuple[Entry, ...]:
    shut = {day for day, _why in closed}
    return tuple(sorted(_with_clashes([e for e in entries if e.day not in shut]),
                        key=lambda e: (e.day, e.start_time, e.end_time, e.group_name)))


@operation(Permission.VIEW_RECORDS, writes=False, audit="viewed a support timetable")
def pupil_week(session: Session, pupil_id: int, day: dt.date | None = None) -> Week:
    pupil = pupil_from_row(pupil_row(session, pupil_id))
    monday = week_of(day or today(session))
    rows = session.db.query(
        "SELECT * FROM provision_groups WHERE id IN (SELECT group_id FROM"
        " provision_group_members WHERE pupil_id = ?) ORDER BY name, id", (pupil.id,))
    groups = load_groups(session, rows)
    entries = [e for g in groups for e in _pupil_entries(g, pupil.id, monday)]
    viewed(session, "pupil", pupil.id, week=monday.isoformat())
    closed = _closed_days(session, monday)
    return Week(pupil.display_name, True, monday, _in_order(entries, closed), pupil.id,
                closed=closed, untimed=_untimed(session, pupil.id, groups, monday))


def _untimed(session: Session, pupil_id: int, groups: list[Group], monday: dt.date
             ) -> tuple[Untimed, ...]:
    """What else the pupil receives, with no set times: the support plan's lines in force,
    the EHC plan's costed provision, and their groups that run this week with no times set
    (the review found an EHC pupil's week reading as all they receive)."""
    pathway = apdr.current_pathway(session, pupil_id)
    plan = pathway.current_plan if pathway is not None else None
    found = [Untimed(i.description, i.frequency, i.delivered_by or "")
             for i in (plan.active_items if plan is not None else ())]
    found += [Untimed(f"{line.description} (EHC plan)", line.frequency, line.delivered_by)
              for line in ehc_costs.current_lines(session, [pupil_id])]
    days = [_date(monday, day) for day in rules.DAYS]
    found += [Untimed(f"{g.name} (group, no times set)", g.frequency, g.staff_name)
              for g in groups if not g.slots and any(
                  g.running_on(when) and m.pupil_id == pupil_id and m.present_on(when)
                  for when in days for m in g.members)]
    return tuple(found)


@operation(Permission.VIEW_RECORDS, writes=False, audit="viewed a support timetable")
def staff_week(session: Session, staff_name: str, day: dt.date | None = None) -> Week:
    key = rules.staff_key(staff_name)
    if not key:
        raise ValidationError("Choose the member of staff.", field="staff")
    monday = week_of(day or today(session))
    rows = session.db.query("SELECT * FROM provision_groups WHERE staff_key = ? ORDER BY name, id",
                            (key,))
    if not rows:
        raise ValidationError(f"No group is run by '{staff_name.strip()}'.", field="staff")
    groups = load_groups(session, rows)
    closed = _closed_days(session, monday)
    entries = _in_order([e for g in groups for e in _staff_entries(g, monday)], closed)
    shut = {_date(monday, day) for day, _why in closed}
    names = {m.pupil_id for g in groups for when in _days_running(g, monday) if when not in shut
             for m in g.present_on(when)}
    who = rows[0]["staff_name"]
    viewed(session, None, None, staff=who, week=monday.isoformat(),
           groups=len({e.group_id for e in entries}), pupils=len(names))
    return Week(who, False, monday, entries, pupils=len(names), closed=closed)
