"""The annual review schedule of an EHC plan.

An EHC plan is reviewed every year (003 "Reviewing EHC plans"): the meeting about four weeks
before the anniversary of issue, so the LA can decide by the anniversary (and never more than a
year after the last review was completed, which brings the anniversary forward); every
specialist involved is given at least six weeks' notice; papers go out two weeks before the
meeting; the school sends its report to the LA within two weeks after it. In Year 6 the review
is done by 31 December so the plan is ready for secondary school; Preparing for Adulthood is
part of every review from Year 9; the Year 11 review is the transition review for post-16.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import dates
from ..calendar import SchoolCalendar
from ..pupils import YEAR_RANK
from .plan import EhcPlan

MEETING_BEFORE_ANNIVERSARY = dt.timedelta(weeks=4)
SPECIALIST_NOTICE = dt.timedelta(weeks=6)
PAPERS_BEFORE_MEETING = dt.timedelta(weeks=2)
REPORT_AFTER_MEETING = dt.timedelta(weeks=2)
YEAR6_REVIEW_BY = (12, 31)
PFA_FROM_YEAR = 9
TRANSITION_YEAR = 11


def year_rank(year_group: str | None) -> int | None:
    return YEAR_RANK.get((year_group or "").strip().upper())


def year_group_on(year_group: str | None, today: dt.date, day: dt.date,
                  calendar: SchoolCalendar) -> int | None:
    """The national curriculum year a pupil in year_group today will be in on another day."""
    rank = year_rank(year_group)
    if rank is None:
        return None
    return rank + calendar.school_year_of(day) - calendar.school_year_of(today)


@dataclass(frozen=True)
class ReviewSchedule:
    number: int                     # 1 for the first annual review
    due_by: dt.date                 # the anniversary (or a year after the last review ended)
    meeting_by: dt.date             # the latest date the meeting should be held
    meeting_on: dt.date             # the booked date, or meeting_by when none is booked
    booked: bool
    invitations_by: dt.date         # six weeks' notice to specialists
    papers_by: dt.date              # advice and reports to everyone invited
    report_by: dt.date              # the review report to the LA
    year_group: int | None          # the pupil's year at the meeting
    year6_deadline: dt.date | None  # 31 December of Year 6
    pfa: bool
    transition: str | None
    notes: tuple[str, ...]
    late: bool                      # the booked date is after meeting_by
    notice_warning: str | None = None  # specialists get (or can now get) under six weeks' notice

    @property
    def short_notice(self) -> bool:
        return self.notice_warning is not None


def review_schedule(plan: EhcPlan, year_group: str | None, today: dt.date,
                    calendar: SchoolCalendar) -> ReviewSchedule | None:
    """When the next annual review of a current plan is due and what must happen before it."""
    if not plan.current:
        return None
    held = plan.held_reviews
    number = len(held) + 1
    due = dates.add_years(plan.issued_on, number)
    if held:
        # A review is complete when the LA decides, up to four weeks after the meeting; the next
        # one is due within a year of that, so an early meeting (Year 6) brings it forward.
        last_held_on = held[-1].held_on
        assert last_held_on is not None  # held_reviews holds only reviews with a held date
        due = min(due, dates.add_years(last_held_on + MEETING_BEFORE_ANNIVERSARY, 1))
    meeting_by = calendar.school_day_on_or_before(due - MEETING_BEFORE_ANNIVERSARY)
    notes: list[str] = []
    year = year_group_on(year_group, today, meeting_by, calendar)
    year6_deadline = None
    if year == 6:
        autumn_year = calendar.school_year_of(meeting_by)
        year6_deadline = dt.date(autumn_year, *YEAR6_REVIEW_BY)
        if meeting_by > year6_deadline:
            meeting_by = calendar.school_day_on_or_before(year6_deadline)
            notes.append("Year 6: the review is brought forward so it is done by 31 December, "
                         "in time to plan the move to secondary school.")
        else:
            notes.append("Year 6: done by 31 December; consider what will need to change at "
                         "secondary school.")
    booking = plan.booked_review
    booked_on = booking.meeting_on if booking is not None else None
    booked = booked_on is not None
    meeting_on = booked_on if booked_on is not None else meeting_by
    year = year_group_on(year_group, today, meeting_on, calendar)
    pfa = year is not None and year >= PFA_FROM_YEAR
    transition = None
    if year == 6:
        transition = "Transfer from primary to secondary school"
    elif year == TRANSITION_YEAR:
        transition = "Year 11 transition review: post-16 options and destinations"
        notes.append("Year 11: the transition review; invite the careers adviser.")
    if pfa:
        notes.append("Preparing for Adulthood: cover good health; friendships, relationships and "
                     "community; independent living; and employment.")
    invited = booking.invitations_sent_on if booking is not None else None
    notice_warning = None
    if (invited or today) > meeting_on - SPECIALIST_NOTICE:
        notice_warning = _short_notice_note(meeting_on, invited, today)
        notes.append(notice_warning)
    return ReviewSchedule(
        number=number, due_by=due, meeting_by=meeting_by, meeting_on=meeting_on, booked=booked,
        invitations_by=calendar.school_day_on_or_before(meeting_on - SPECIALIST_NOTICE),
        papers_by=calendar.school_day_on_or_before(meeting_on - PAPERS_BEFORE_MEETING),
        report_by=calendar.school_day_on_or_before(meeting_on + REPORT_AFTER_MEETING), year_group=year,
        year6_deadline=year6_deadline, pfa=pfa, transition=transition, notes=tuple(notes),
        late=booked and meeting_on > meeting_by, notice_warning=notice_warning)


def _short_notice_note(meeting_on: dt.date, invited: dt.date | None, today: dt.date) -> str:
    meeting = dates.format_uk(meeting_on)
    if invited is None and meeting_on < today:
        return (f"The meeting was due by {meeting} and no invitations have been sent: book it "
                "and invite everyone now, giving specialists as much notice as possible.")
    if invited is not None:
        return (f"Short notice: the invitations went out on {dates.format_uk(invited)}, giving "
                f"specialists fewer than six weeks' notice of the meeting on {meeting}. Check "
                "that they can come or send advice, or move the meeting.")
    return (f"Short notice: the invitations have not been sent and fewer than six weeks remain "
            f"before the meeting on {meeting}. Send them now, or move the meeting so "
            "specialists have six weeks' notice.")
