"""The SEND agenda: everything due on a day, from reviews to statutory deadlines.

Items that leave the app (the iCalendar export for staff calendars) must not name a pupil:
they carry the pupil's initials and the record's reference number only, which mean nothing
to someone who finds a calendar on a lost phone but let the SENCO find the record. The pupil's
name is kept separately for the app's own screen. So is anything else that is nobody else's
business, such as which register a pupil is on (looked after, medical needs): the title and
detail are what may leave the app, the screen label and detail are for the app only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from .calendar import SchoolCalendar
from .dates import format_uk


class AgendaKind(str, enum.Enum):
    SUPPORT_REVIEW = "support_review"
    REGISTER_REVIEW = "register_review"
    NOTE_REVIEW = "note_review"
    PARENT_NOTIFICATION = "parent_notification"
    EHC_INVITATIONS = "ehc_invitations"
    EHC_PAPERS = "ehc_papers"
    EHC_REVIEW_MEETING = "ehc_review_meeting"
    EHC_ANNIVERSARY = "ehc_anniversary"
    EHC_REPORT = "ehc_report"
    EHCNA_DEADLINE = "ehcna_deadline"
    EHCNA_CUTOFF = "ehcna_cutoff"
    CENSUS = "census"
    JOINT_REVIEW = "joint_review"
    MOVE_REVIEW = "move_review"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    AgendaKind.SUPPORT_REVIEW: "SEN support plan review",
    AgendaKind.REGISTER_REVIEW: "Register review",
    AgendaKind.NOTE_REVIEW: "Short note review",
    AgendaKind.PARENT_NOTIFICATION: "Parent notification due",
    AgendaKind.EHC_INVITATIONS: "EHC review: invite specialists (6 weeks' notice)",
    AgendaKind.EHC_PAPERS: "EHC review: send papers (2 weeks before)",
    AgendaKind.EHC_REVIEW_MEETING: "EHC annual review meeting",
    AgendaKind.EHC_ANNIVERSARY: "EHC annual review due",
    AgendaKind.EHC_REPORT: "EHC review report to the LA",
    AgendaKind.EHCNA_DEADLINE: "EHC needs assessment deadline",
    AgendaKind.EHCNA_CUTOFF: "LA's preferred cut-off for EHC requests",
    AgendaKind.CENSUS: "School census day",
    AgendaKind.JOINT_REVIEW: "Reviews to hold together",
    AgendaKind.MOVE_REVIEW: "Review asked for by a move",
}


@dataclass(frozen=True)
class AgendaItem:
    day: dt.date
    kind: AgendaKind
    title: str                 # names no pupil
    detail: str                # names no pupil
    key: str                   # stable across exports: the calendar event's identity
    pupil_id: int | None = None
    pupil_ref: str | None = None     # initials and reference, safe to share
    pupil_name: str | None = None    # for the app's own screen only
    overdue: bool = False
    screen_label: str | None = None  # a fuller "what" for the app's own screen only
    screen_detail: str | None = None  # a fuller detail for the app's own screen only
    booked: bool = False             # a meeting booked for this day, not a date to act by

    @property
    def label_on_screen(self) -> str:
        return self.screen_label or self.kind.label

    @property
    def detail_on_screen(self) -> str:
        return self.screen_detail or self.detail


def initials(forename: str, surname: str) -> str:
    """'Amara', 'Okafor-Smith' -> 'A.O.'; what the calendar shows instead of a name."""
    letters = [part[0].upper() for part in (forename.strip(), surname.strip()) if part]
    return "".join(f"{letter}." for letter in letters)


def pupil_reference(pupil_id: int, forename: str, surname: str) -> str:
    return f"{initials(forename, surname)} ref {pupil_id}"


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def group_heading(day: dt.date, by: str) -> str:
    """The heading an item sits under when the agenda is grouped by week or by month."""
    if by == "month":
        return day.strftime("%B %Y")
    monday = week_start(day)
    return f"Week of {monday.day} {monday.strftime('%B %Y')}"


def sort_items(items: Iterable[AgendaItem]) -> list[AgendaItem]:
    order = {kind: position for position, kind in enumerate(AgendaKind)}
    return sorted(items, key=lambda i: (i.day, order[i.kind], i.pupil_ref or "", i.key))


# The DfE fixes the census days; everything else on the agenda is for a day the school is open.
_FIXED_DAYS = frozenset({AgendaKind.CENSUS})
# Due from a day rather than by it: moved on to the next school day, not back before it began.
_DUE_FROM = frozenset({AgendaKind.PARENT_NOTIFICATION})


def on_school_days(items: Iterable[AgendaItem], calendar: SchoolCalendar,
                   today: dt.date) -> list[AgendaItem]:
    """Every review and deadline on a school day: one that falls at a weekend, in a holiday,
    on a bank holiday or an INSET day (a review date agreed before the rule, a deadline
    counted in calendar weeks) is shown on the school day before it (a notification, due from
    its day, on the school day after), with the reason, so nothing is due on a Saturday or
    Christmas Day. The record itself keeps its date.

    A booked meeting is not moved: it is when it is, and showing it on another day would send
    people to a meeting nobody booked. One booked for a day the school is shut (entered before
    bookings were checked) stays on its day, flagged so the SENCO can rebook it."""
    moved = []
    for item in items:
        why = None if item.kind in _FIXED_DAYS else calendar.not_a_school_day(item.day)
        if why is None:
            moved.append(item)
            continue
        if item.booked:
            flag = f" Not a school day, as it is {why}: check the booking."
            moved.append(dataclasses.replace(
                item, detail=item.detail + flag,
                screen_label=f"{item.label_on_screen} (not a school day)",
                screen_detail=None if item.screen_detail is None else item.screen_detail + flag))
            continue
        if item.kind in _DUE_FROM:
            day = calendar.school_day_on_or_after(item.day)
            note = f" (Moved on from {format_uk(item.day)}, {why}.)"
        else:
            day = calendar.school_day_on_or_before(item.day)
            note = f" (Brought forward from {format_uk(item.day)}, {why}.)"
        moved.append(dataclasses.replace(
            item, day=day, detail=item.detail + note,
            screen_detail=None if item.screen_detail is None else item.screen_detail + note,
            overdue=item.pupil_id is not None and day < today))
    return moved
