"""Provision groups: one intervention for several pupils, its members, its timetable slots and
its one cost shared among the members present (the sharing rule is models.provision_groups').

A group is made from a library item (its name, area, description, staff role, frequency and
cost filled in, every field still editable) or from scratch; it is edited, and ended (its end
date set, every member still in it leaving that day). Pupils join (from a date, today unless
given) and leave (on a date: their last day in the group). A slot is a time in the school week
when it meets; a slot, or a new member, that would put a pupil or the member of staff in two
places at once, or two groups in one place, is saved with a warning, never refused.

The warnings a form asks about before it saves (models.provision_groups: a day the school is
closed, weekly times that do not match the sessions a week, a clash) come from the *_warnings
reads here, each given what the form would save; the saves themselves only refuse what is
clearly wrong (a pupil joining before the group starts).

Anyone who may view records may read groups; the SENCO (MANAGE_PLANS) changes them. Each
change is reported for every member, so their records and the maps refresh.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from ..errors import ValidationError
from ..models import dates
from ..models import provision_groups as rules
from ..models.provision import describe_frequency
from ..models.provision_groups import DAYS, Membership, Run
from ..models.roles import Permission
from ..operations import Kind, changed, operation, viewed
from ..session import Session
from ..store.database import Row
from ._common import chunks, placeholders, require_editable, today
from .pupils import pupil_from_row
from .school_calendar import calendar_of

_EDITABLE = ("name", "area", "description", "staff_name", "staff_role", "start_date",
             "end_date", "cost_total", "sessions_per_week", "minutes", "weeks")


@dataclass(frozen=True)
class Member:
    id: int
    group_id: int
    pupil_id: int
    pupil_name: str
    year_group: str
    joined_on: dt.date
    left_on: dt.date | None

    def present_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)

    @property
    def membership(self) -> Membership:
        return Membership(self.pupil_id, self.joined_on, self.left_on)


@dataclass(frozen=True)
class Slot:
    id: int
    group_id: int
    day: int
    start_time: str
    end_time: str
    place: str

    @property
    def day_name(self) -> str:
        return DAYS[self.day]

    @property
    def text(self) -> str:
        return f"{self.day_name} {self.start_time}-{self.end_time}" + (
            f", {self.place}" if self.place else "")


@dataclass(frozen=True)
class Group:
    id: int
    name: str
    library_id: int | None
    area: str | None
    description: str
    staff_name: str
    staff_role: str
    start_date: dt.date
    end_date: dt.date | None
    cost_total_pence: int
    sessions_per_week: Decimal
    minutes: int
    weeks: int
    created_at: str
    members: tuple[Member, ...] = ()
    slots: tuple[Slot, ...] = ()
    school_days: rules.SchoolDays = field(default_factory=rules.SchoolDays, compare=False,
                                          repr=False)

    @cached_property
    def run(self) -> Run:
        """The costed run over the school's own school days (models.provision_groups)."""
        return rules.run_of(self.start_date, self.end_date, self.weeks, self.cost_total_pence,
                            self.school_days)

    def pupils_today(self, day: dt.date) -> int:
        """How many pupils are in the group on the day (none before it starts or after it
        ends): the one count the groups list and the group's summary both show."""
        return len(self.present_on(day)) if self.running_on(day) else 0

    def joined_after_run(self, member: Member) -> bool:
        """A member who joined after the planned weeks of a group with no end date shares none
        of its cost (the rule in models.provision_groups); the page says so beside them."""
        return self.end_date is None and member.joined_on > self.run.end

    def running_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def ended_by(self, day: dt.date) -> bool:
        return self.end_date is not None and self.end_date < day

    def present_on(self, day: dt.date) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.present_on(day))

    def shares(self, start: dt.date | None = None, end: dt.date | None = None) -> dict[int, int]:
        """Each member's share of the cost over the period (the whole run by default)."""
        return rules.shares(self.run, [m.membership for m in self.members], start, end)

    @property
    def frequency(self) -> str:
        return describe_frequency({"sessions_per_week": self.sessions_per_week,
                                   "minutes": self.minutes, "weeks": self.weeks,
                                   "cost_basis": "hour", "group_size": max(len(self.members), 1)}
                                  ).rsplit(", ", 1)[0]

    @property
    def hours(self) -> Decimal:
        """The adult's hours over the planned weeks."""
        return self.sessions_per_week * Decimal(self.minutes) * Decimal(self.weeks) / Decimal(60)


@dataclass(frozen=True)
class Clash:
    """A slot of another group that needs the same pupil or member of staff at the same time."""

    group_id: int
    group_name: str
    slot: Slot
    who: str          # "Mrs Khan runs both", "Temi Adeyemi is in both", "both use Room 4"

    @property
    def text(self) -> str:
        return f"{self.group_name} also meets {self.slot.day_name} {self.slot.start_time}-" \
               f"{self.slot.end_time}: {self.who}."


@dataclass(frozen=True)
class Saved:
    """What an addition made, and the clashes it was warned about."""

    id: int
    clashes: tuple[Clash, ...] = ()


@dataclass(frozen=True)
class PupilGroup:
    """A group as one member's record shows it: their time in it and their share of its cost."""

    group: Group
    member: Member
    share_pence: int

    def begun_by(self, day: dt.date) -> bool:
        """Whether the group has started by `day`: one still to begin is listed with the day it
        begins and counted in no total (the plan tab, the pupil's and the school's maps)."""
        return self.group.start_date <= day


def counted_shares(groups: Iterable[PupilGroup], day: dt.date) -> int:
    """A pupil's share of their groups' costs, of those begun by `day`: the one total the plan
    tab and the pupil's costed map both show."""
    return sum(g.share_pence for g in groups if g.begun_by(day))


# --- reading ----------------------------------------------------------------------------------
def pounds_to_pence(value: Any) -> int:
    return int((Decimal(str(value or 0)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _pence_to_pounds(pence: int) -> float:
    return float(Decimal(int(pence)) / 100)


def _group(row: Row, members: tuple[Member, ...] = (), slots: tuple[Slot, ...] = (),
           school_days: rules.SchoolDays | None = None) -> Group:
    return Group(row["id"], row["name"], row["library_id"], row["area"], row["description"],
                 row["staff_name"], row["staff_role"],
                 dates.require_date(row["start_date"], "Start date"),
                 dates.from_text(row["end_date"]), pounds_to_pence(row["cost_total"]),
                 Decimal(str(row["sessions_per_week"])).normalize(), int(row["minutes"]),
                 int(row["weeks"]), row["created_at"], members, slots,
                 school_days or rules.SchoolDays())


def _slot(row: Row) -> Slot:
    return Slot(row["id"], row["group_id"], int(row["day"]), row["start_time"], row["end_time"],
                row["place"])


def _members(session: Session, group_ids: list[int]) -> dict[int, list[Member]]:
    found: dict[int, list[Member]] = {}
    rows: list[Row] = []
    for chunk in chunks(group_ids):
        rows += session.db.query(
            "SELECT m.* FROM provision_group_members m"
            f" JOIN pupils p ON p.id = m.pupil_id WHERE m.group_id IN ({placeholders(len(chunk))})"
            " ORDER BY p.sort_key, m.joined_on, m.id", list(chunk))
    pupils = {row["id"]: pupil_from_row(row) for row in _pupil_rows(
        session, sorted({row["pupil_id"] for row in rows}))}
    for row in rows:
        pupil = pupils[row["pupil_id"]]
        found.setdefault(row["group_id"], []).append(Member(
            row["id"], row["group_id"], row["pupil_id"], pupil.display_name,
            pupil.details.year_group, dates.require_date(row["joined_on"], "Joined"),
            dates.from_text(row["left_on"])))
    return found


def _pupil_rows(session: Session, ids: list[int]) -> list[Row]:
    rows: list[Row] = []
    for chunk in chunks(ids):
        rows += session.db.query(f"SELECT * FROM pupils WHERE id IN ({placeholders(len(chunk))})",
                                 list(chunk))
    return rows


def _slots(session: Session, group_ids: list[int]) -> dict[int, list[Slot]]:
    found: dict[int, list[Slot]] = {}
    for chunk in chunks(group_ids):
        for row in session.db.query(
                "SELECT * FROM provision_group_slots WHERE group_id IN"
                f" ({placeholders(len(chunk))}) ORDER BY day, start_time, id", list(chunk)):
            found.setdefault(row["group_id"], []).append(_slot(row))
    return found


def load_groups(session: Session, rows: Iterable[Row]) -> list[Group]:
    """Groups with their members and slots, read in three queries whatever their number, and
    the school calendar once for all their costs."""
    rows = list(rows)
    ids = [row["id"] for row in rows]
    members, slots = _members(session, ids), _slots(session, ids)
    school_days = rules.SchoolDays(calendar_of(session)) if rows else None
    return [_group(row, tuple(members.get(row["id"], ())), tuple(slots.get(row["id"], ())),
                   school_days) for row in rows]


def _group_row(session: Session, group_id: int) -> Row:
    row = session.db.query_one("SELECT * FROM provision_groups WHERE id = ?", (int(group_id),))
    if row is None:
        raise ValidationError("That group is not in this database.", field="group")
    return row


def _one(session: Session, group_id: int) -> Group:
    """A group for the core's own use inside an operation (not audited as a read)."""
    return load_groups(session, [_group_row(session, group_id)])[0]


def _pupils_named(groups: Iterable[Group]) -> int:
    return len({m.pupil_id for g in groups for m in g.members})


@operation(Permission.VIEW_RECORDS, writes=False, audit="viewed the provision groups")
def list_groups(session: Session, include_ended: bool = False, *, audit: bool = True
                ) -> list[Group]:
    """Groups running or still to start (and, if asked, those ended), newest start first.

    The list names pupils, so reading it is audited with how many groups and pupils it showed;
    the Groups page passes audit=False when it reads again only because something changed
    (that change is audited itself), so the log is not filled by every refresh."""
    sql = "SELECT * FROM provision_groups"
    params: list[Any] = []
    if not include_ended:
        sql += " WHERE end_date IS NULL OR end_date >= ?"
        params.append(today(session).isoformat())
    found = load_groups(session, session.db.query(sql + " ORDER BY start_date DESC, name, id",
                                                  params))
    if audit:
        viewed(session, None, None, groups=len(found), pupils=_pupils_named(found))
    return found


@operation(Permission.VIEW_RECORDS, writes=False, audit="viewed a provision group")
def get_group(session: Session, group_id: int) -> Group:
    """One group with its members (audited: it names them)."""
    group = _one(session, group_id)
    viewed(session, "provision_group", group.id, pupils=_pupils_named([group]))
    return group


@operation(Permission.VIEW_RECORDS, writes=False)
def groups_of_pupil(session: Session, pupil_id: int, include_past: bool = False
                    ) -> list[PupilGroup]:
    """The groups a pupil is in (or, if asked, has been in), with their share of each cost
    over the group's run (current members counted to its end)."""
    rows = session.db.query(
        "SELECT g.* FROM provision_groups g WHERE g.id IN (SELECT group_id FROM"
        " provision_group_members WHERE pupil_id = ?) ORDER BY g.start_date DESC, g.name, g.id",
        (int(pupil_id),))
    day = today(session)
    found = []
    for group in load_groups(session, rows):
        shares = group.shares()
        for member in group.members:
            if member.pupil_id != int(pupil_id):
                continue
            if not include_past and (group.ended_by(day) or
                                     (member.left_on is not None and member.left_on < day)):
                continue
            found.append(PupilGroup(group, member, shares.get(member.pupil_id, 0)))
    return found


@operation(Permission.VIEW_RECORDS, writes=False)
def group_shares(session: Session, group_id: int, start: dt.date | None = None,
                 end: dt.date | None = None) -> dict[int, int]:
    """Each member's share of a group's cost over a period, in pence (for the impact figures)."""
    return _one(session, group_id).shares(start, end)


@operation(Permission.VIEW_RECORDS, writes=False)
def staff_names(session: Session) -> list[str]:
    """The members of staff who run groups, each once (as first typed), for the timetable."""
    seen: dict[str, str] = {}
    for row in session.db.query("SELECT staff_name, staff_key FROM provision_groups"
                                " ORDER BY staff_key, id"):
        if row["staff_key"]:
            seen.setdefault(row["staff_key"], row["staff_name"])
    return list(seen.values())


@operation(Permission.VIEW_RECORDS, writes=False)
def library_choices(session: Session) -> list[tuple[int, str]]:
    """The library items a new group can be made from (retired ones are not offered)."""
    return [(row["id"], row["name"]) for row in session.db.query(
        "SELECT id, name FROM provision_library WHERE retired_on IS NULL ORDER BY name_key, id")]


@operation(Permission.VIEW_RECORDS, writes=False)
def library_defaults(session: Session, library_id: int) -> dict[str, Any]:
    """A new group's fields filled from a library item: the whole group's cost is one adult's
    time (sessions a week x minutes x weeks at the hourly cost), shared by its members."""
    row = session.db.query_one("SELECT * FROM provision_library WHERE id = ?", (int(library_id),))
    if row is None:
        raise ValidationError("That library item is not in this database.", field="library")
    if row["retired_on"] is not None:
        raise ValidationError(f"'{row['name']}' has been retired from the library; choose another "
                              "item or make the group from scratch.", field="library")
    sessions = Decimal(str(row["sessions_per_week"] or 1))
    minutes = int(row["minutes"] or 30)
    weeks = int(row["weeks"] or 38)
    hourly = Decimal(str(row["hourly_cost"] or 0))
    cost = (sessions * minutes / 60 * weeks * hourly).quantize(Decimal("0.01"),
                                                                 rounding=ROUND_HALF_UP)
    return {"library_id": row["id"], "name": row["name"], "area": row["area"] or "",
            "description": row["description"], "staff_role": row["staff_role"],
            "sessions_per_week": f"{sessions.normalize():f}", "minutes": str(minutes),
            "weeks": str(weeks), "cost_total": f"{cost:.2f}"}


# --- changing ---------------------------------------------------------------------------------
def _columns(clean: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": clean["name"], "library_id": clean["library_id"], "area": clean["area"],
            "description": clean["description"], "staff_name": clean["staff_name"],
            "staff_key": rules.staff_key(clean["staff_name"]), "staff_role": clean["staff_role"],
            "start_date": clean["start_date"].isoformat(),
            "end_date": dates.to_text(clean["end_date"]),
            "cost_total": _pence_to_pounds(clean["cost_total"]),
            "sessions_per_week": float(clean["sessions_per_week"]), "minutes": clean["minutes"],
            "weeks": clean["weeks"]}


def _raw(group: Group) -> dict[str, Any]:
    return {"name": group.name, "library_id": group.library_id, "area": group.area,
            "description": group.description, "staff_name": group.staff_name,
            "staff_role": group.staff_role, "start_date": group.start_date,
            "end_date": group.end_date, "cost_total": group.cost_total_pence,
            "sessions_per_week": f"{group.sessions_per_week:f}", "minutes": group.minutes,
            "weeks": group.weeks}


def _member_ids(group: Group) -> list[int]:
    return sorted({m.pupil_id for m in group.members})


@operation(Permission.MANAGE_PLANS, audit="made a provision group")
def create_group(session: Session, raw: Mapping[str, Any]) -> int:
    """A new group; with a library_id, fields left out are filled from the library item."""
    values = dict(raw)
    if values.get("library_id") not in (None, ""):
        defaults = library_defaults(session, int(values["library_id"]))
        values = {**defaults, **{k: v for k, v in values.items() if v not in (None, "")}}
    clean = rules.clean_group(values)
    columns = _columns(clean)
    group_id = int(session.db.scalar(
        "INSERT INTO provision_groups (" + ", ".join(columns) + ", created_at, created_by)"
        " VALUES (" + ", ".join("?" * len(columns)) + ", ?, ?) RETURNING id",
        [*columns.values(), session.now_text(), session.user.id]))
    changed(session, Kind.GROUP, target=("provision_group", group_id),
            library_id=clean["library_id"])
    return group_id


@operation(Permission.MANAGE_PLANS, audit="changed a provision group")
def update_group(session: Session, group_id: int, changes: Mapping[str, Any]) -> list[str]:
    """Change some of a group's details; returns the changed field names."""
    group = _one(session, group_id)
    unknown = sorted(set(changes) - set(_EDITABLE))
    if unknown:
        raise ValidationError(f"'{unknown[0]}' is not something a group has.", field=unknown[0])
    clean = rules.clean_group({**_raw(group), **changes})
    _fits_members(group, clean["start_date"], clean["end_date"])
    old, new = _columns(rules.clean_group(_raw(group))), _columns(clean)
    fields = [name for name in new if old[name] != new[name]]
    if fields:
        session.db.execute(
            "UPDATE provision_groups SET " + ", ".join(f"{name} = ?" for name in fields)
            + ", updated_at = ?, updated_by = ? WHERE id = ?",
            [*(new[name] for name in fields), session.now_text(), session.user.id, group.id])
        changed(session, Kind.GROUP, _member_ids(group), target=("provision_group", group.id),
                fields=fields)
    return fields


def _fits_members(group: Group, start: dt.date, end: dt.date | None) -> None:
    for member in group.members:
        if member.joined_on < start:
            raise ValidationError(f"{member.pupil_name} joined on {dates.format_uk(member.joined_on)}"
                                  ", before that start date.", field="start_date")
        if end is not None and member.joined_on > end:
            raise ValidationError(f"{member.pupil_name} joins on {dates.format_uk(member.joined_on)}"
                                  ", after that end date.", field="end_date")


@operation(Permission.MANAGE_PLANS, audit="ended a provision group")
def end_group(session: Session, group_id: int, end_date: dt.date | str | None = None) -> None:
    """The group stops on this day (today unless given); everyone still in it leaves then."""
    group = _one(session, group_id)
    day = dates.require_date(end_date or today(session), "Date the group ended")
    if day < group.start_date:
        raise ValidationError("A group cannot end before it started "
                              f"({dates.format_uk(group.start_date)}).", field="end_date")
    _fits_members(group, group.start_date, day)
    session.db.execute("UPDATE provision_groups SET end_date = ?, ended_at = ?, ended_by = ?"
                       " WHERE id = ?", (day.isoformat(), session.now_text(), session.user.id,
                                         group.id))
    session.db.execute("UPDATE provision_group_members SET left_on = ? WHERE group_id = ?"
                       " AND (left_on IS NULL OR left_on > ?)",
                       (day.isoformat(), group.id, day.isoformat()))
    changed(session, Kind.GROUP, _member_ids(group), target=("provision_group", group.id),
            end_date=day.isoformat())


@operation(Permission.MANAGE_PLANS, audit="added a pupil to a provision group")
def add_member(session: Session, group_id: int, pupil_id: int,
               joined_on: dt.date | str | None = None) -> Saved:
    """The pupil joins from this day (today unless given); clashes with the pupil's other
    groups are returned as warnings."""
    group = _one(session, group_id)
    require_editable(session, pupil_id)
    day = dates.require_date(joined_on or today(session), "Joining date")
    if day < group.start_date:
        raise ValidationError(f"The group starts on {dates.format_uk(group.start_date)}; the "
                              "joining date cannot be before that.", field="joined_on")
    if group.end_date is not None and day > group.end_date:
        raise ValidationError(f"The group ends on {dates.format_uk(group.end_date)}; the joining "
                              "date cannot be after that.", field="joined_on")
    for member in group.members:
        if member.pupil_id == int(pupil_id) and (member.left_on is None or member.left_on >= day):
            raise ValidationError(f"{member.pupil_name} is already in this group.", field="pupil")
    member_id = int(session.db.scalar(
        "INSERT INTO provision_group_members (group_id, pupil_id, joined_on, added_at, added_by)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id",
        (group.id, int(pupil_id), day.isoformat(), session.now_text(), session.user.id)))
    changed(session, Kind.GROUP, int(pupil_id), group_id=group.id)
    clashes = _clashes(session, group, list(group.slots), pupils=[int(pupil_id)], staff=False,
                       from_day=day)
    return Saved(member_id, tuple(clashes))


@operation(Permission.MANAGE_PLANS, audit="added pupils to a provision group")
def add_members(session: Session, group_id: int, pupil_ids: Iterable[int],
                joined_on: dt.date | str | None = None) -> list[Saved]:
    """Several pupils join from one day: all of them, or (if one cannot) none."""
    return [add_member(session, group_id, pupil_id, joined_on) for pupil_id in pupil_ids]


@operation(Permission.MANAGE_PLANS, audit="a pupil left a provision group")
def member_leaves(session: Session, member_id: int, left_on: dt.date | str | None = None) -> None:
    """The pupil's last day in the group (today unless given)."""
    row = session.db.query_one("SELECT * FROM provision_group_members WHERE id = ?",
                               (int(member_id),))
    if row is None:
        raise ValidationError("That pupil is not in the group.", field="member")
    day = dates.require_date(left_on or today(session), "Leaving date")
    if row["left_on"] is not None:
        raise ValidationError("This pupil has already left the group.", field="member")
    joined = dates.require_date(row["joined_on"], "Joined")
    if day < joined:
        raise ValidationError(f"They joined on {dates.format_uk(joined)}; the leaving date "
                              "cannot be before that.", field="left_on")
    group = _group_row(session, row["group_id"])
    end = dates.from_text(group["end_date"])
    if end is not None and day > end:
        day = end
    session.db.execute("UPDATE provision_group_members SET left_on = ? WHERE id = ?",
                       (day.isoformat(), row["id"]))
    changed(session, Kind.GROUP, row["pupil_id"], group_id=row["group_id"])


@operation(Permission.VIEW_RECORDS, writes=False)
def slot_clashes(session: Session, group_id: int, raw: Mapping[str, Any]) -> list[Clash]:
    """What a new slot would clash with (asked before it is added, so the window can warn)."""
    group = _one(session, group_id)
    clean = rules.clean_slot(raw)
    return _clashes(session, group, [Slot(0, group.id, **clean)])


@operation(Permission.MANAGE_PLANS, audit="added a provision group's time")
def add_slot(session: Session, group_id: int, raw: Mapping[str, Any]) -> Saved:
    """A time the group meets each week; clashes are returned as warnings."""
    group = _one(session, group_id)
    clean = rules.clean_slot(raw)
    for slot in group.slots:
        if slot.day == clean["day"] and rules.overlaps(slot.start_time, slot.end_time,
                                                       clean["start_time"], clean["end_time"]):
            raise ValidationError(f"This group already meets {slot.day_name} {slot.start_time}-"
                                  f"{slot.end_time}.", field="start_time")
    slot_id = int(session.db.scalar(
        "INSERT INTO provision_group_slots (group_id, day, start_time, end_time, place)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id",
        (group.id, clean["day"], clean["start_time"], clean["end_time"], clean["place"])))
    changed(session, Kind.GROUP, _member_ids(group), target=("provision_group", group.id),
            slot_id=slot_id)
    return Saved(slot_id, tuple(_clashes(session, group, [Slot(slot_id, group.id, **clean)])))


@operation(Permission.MANAGE_PLANS, audit="removed a provision group's time")
def remove_slot(session: Session, slot_id: int) -> None:
    row = session.db.query_one("SELECT * FROM provision_group_slots WHERE id = ?", (int(slot_id),))
    if row is None:
        raise ValidationError("That time is not in the group's timetable.", field="slot")
    group = _one(session, row["group_id"])
    session.db.execute("DELETE FROM provision_group_slots WHERE id = ?", (row["id"],))
    changed(session, Kind.GROUP, _member_ids(group), target=("provision_group", group.id),
            slot_id=row["id"])


# --- clashes ----------------------------------------------------------------------------------
def _clashes(session: Session, group: Group, slots: list[Slot], *,
             pupils: list[int] | None = None, staff: bool = True, places: bool = True,
             from_day: dt.date | None = None) -> list[Clash]:
    """Other groups' slots, while both groups run, that need the same pupil (the members still
    in this group, or those given), the same member of staff or the same place at an
    overlapping time."""
    if not slots:
        return []
    day = from_day or today(session)
    if pupils is None:
        pupils = [m.pupil_id for m in group.members if m.left_on is None or m.left_on >= day]
    key = rules.staff_key(group.staff_name)
    others = [g for g in load_groups(session, session.db.query(
        "SELECT * FROM provision_groups WHERE id <> ? AND (end_date IS NULL OR end_date >= ?)",
        (group.id, max(day, group.start_date).isoformat())))
        if rules.periods_meet(group.start_date, group.end_date, g.start_date, g.end_date)]
    found: list[Clash] = []
    for other in others:
        same_staff = staff and bool(key) and rules.staff_key(other.staff_name) == key
        shared = [m for m in other.members if m.pupil_id in pupils
                  and (m.left_on is None or m.left_on >= day)]
        people = ([f"{group.staff_name} runs both"] if same_staff else []) + (
            [", ".join(m.pupil_name for m in shared) + (" is" if len(shared) == 1 else " are")
             + " in both"] if shared and not same_staff else [])
        for mine in slots:
            for theirs in other.slots:
                if theirs.day != mine.day or not rules.overlaps(
                        mine.start_time, mine.end_time, theirs.start_time, theirs.end_time):
                    continue
                place = places and bool(rules.place_key(mine.place)) and \
                    rules.place_key(mine.place) == rules.place_key(theirs.place)
                who = people + ([f"both use {theirs.place}"] if place else [])
                if who:
                    found.append(Clash(other.id, other.name, theirs, "; ".join(who)))
    return found


# --- what a form warns about before it saves ----------------------------------------------
def _library_sessions(session: Session, group: Group) -> tuple[str, Any] | None:
    if group.library_id is None:
        return None
    row = session.db.query_one("SELECT name, sessions_per_week FROM provision_library"
                               " WHERE id = ?", (group.library_id,))
    return (row["name"], row["sessions_per_week"]) if row is not None and \
        row["sessions_per_week"] else None


def _slots_warning(session: Session, group: Group, slots: int) -> list[str]:
    found = rules.sessions_mismatch(group.sessions_per_week, slots,
                                    _library_sessions(session, group))
    return [found] if found else []


@operation(Permission.VIEW_RECORDS, writes=False)
def group_warnings(session: Session, raw: Mapping[str, Any], group_id: int | None = None
                   ) -> list[str]:
    """What the new or edited group (its form's values) would be warned about: starting or
    ending on a day the school is closed and, for a group already timetabled, weekly times
    not as many as its sessions a week, or a time that now clashes (a new member of staff,
    new dates). An edit is warned only about what it changes, not what was saved before. The
    faults a save refuses are raised as it would raise them."""
    calendar = calendar_of(session)
    values = dict(raw)
    current: Group | None = None
    if group_id is not None:
        current = _one(session, group_id)
        values = {**_raw(current), **values}
    elif values.get("library_id") not in (None, ""):
        values = {**library_defaults(session, int(values["library_id"])),
                  **{k: v for k, v in values.items() if v not in (None, "")}}
    clean = rules.clean_group(values)
    found = [w for w in (
        rules.closed_day(calendar, clean["start_date"], "The start date")
        if current is None or clean["start_date"] != current.start_date else None,
        rules.closed_day(calendar, clean["end_date"], "The end date", last_day=True)
        if current is None or clean["end_date"] != current.end_date else None) if w]
    if current is None:
        return found
    edited = replace(current, staff_name=clean["staff_name"], start_date=clean["start_date"],
                     end_date=clean["end_date"], sessions_per_week=clean["sessions_per_week"])
    if edited.sessions_per_week != current.sessions_per_week:
        found += _slots_warning(session, edited, len(current.slots))
    before = _clashes(session, current, list(current.slots), pupils=[], places=False)
    found += [c.text for c in _clashes(session, edited, list(current.slots), pupils=[],
                                       places=False) if c not in before]
    return found


@operation(Permission.VIEW_RECORDS, writes=False)
def joining_warnings(session: Session, group_id: int, pupil_ids: Iterable[int],
                     joined_on: dt.date | str | None = None) -> list[str]:
    """What adding these pupils from this day would be warned about: a day the school is
    closed, pupils years apart from each other, and a time of the group's when one of them
    is in another group."""
    group = _one(session, group_id)
    day = dates.require_date(joined_on or today(session), "Joining date")
    ids = [int(p) for p in pupil_ids]
    joining = [(pupil_from_row(row).display_name, row["year_group"]) for row in session.db.query(
        f"SELECT * FROM pupils WHERE id IN ({placeholders(len(ids))}) ORDER BY legal_surname,"
        " legal_forename, id", ids)] if ids else []
    present = [m.year_group for m in group.members if m.present_on(day) and m.pupil_id not in ids]
    found = [w for w in [rules.closed_day(calendar_of(session), day, "The joining date"),
                         rules.years_apart(present, joining)] if w]
    return found + [c.text for c in _clashes(session, group, list(group.slots),
                                             pupils=ids, staff=False,
                                             places=False, from_day=day)]


@operation(Permission.VIEW_RECORDS, writes=False)
def leaving_warnings(session: Session, member_id: int, left_on: dt.date | str | None = None
                     ) -> list[str]:
    """What a pupil's last day in a group would be warned about: a day the school is closed."""
    day = dates.require_date(left_on or today(session), "Leaving date")
    found = rules.closed_day(calendar_of(session), day, "The leaving date", last_day=True)
    return [found] if found else []


@operation(Permission.VIEW_RECORDS, writes=False)
def end_warnings(session: Session, group_id: int, end_date: dt.date | str | None = None
                 ) -> list[str]:
    """What ending a group on this day would be warned about: a day the school is closed."""
    _group_row(session, group_id)
    day = dates.require_date(end_date or today(session), "Date the group ended")
    found = rules.closed_day(calendar_of(session), day, "The last day of the group",
                             last_day=True)
    return [found] if found else []


@operation(Permission.VIEW_RECORDS, writes=False)
def slot_warnings(session: Session, group_id: int, raw: Mapping[str, Any]) -> list[str]:
    """What a new weekly time would be warned about: its clashes (slot_clashes), and more
    weekly times than the group's sessions a week."""
    group = _one(session, group_id)
    clean = rules.clean_slot(raw)
    found = [c.text for c in _clashes(session, group, [Slot(0, group.id, **clean)])]
    if len(group.slots) + 1 > max(1, math.ceil(group.sessions_per_week)):
        found += _slots_warning(session, group, len(group.slots) + 1)
    return found


@operation(Permission.VIEW_RECORDS, writes=False)
def removal_warnings(session: Session, slot_id: int) -> list[str]:
    """What taking a weekly time away would be warned about: fewer weekly times than the
    group's sessions a week."""
    row = session.db.query_one("SELECT group_id FROM provision_group_slots WHERE id = ?",
                               (int(slot_id),))
    if row is None:
        raise ValidationError("That time is not in the group's timetable.", field="slot")
    group = _one(session, row["group_id"])
    return _slots_warning(session, group, len(group.slots) - 1)

