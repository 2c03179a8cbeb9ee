"""Everything due between two dates, across the school: SEN support plan reviews, register and
short-note reviews, parent notifications, EHC annual reviews with their notice dates, EHC needs
assessment deadlines, the LA's request cut-off and census days.

Reading the agenda is audited once (it shows which pupils have what coming up). Pupils who have
left are not on it.
"""

from __future__ import annotations

import datetime as dt

from ..errors import ValidationError
from ..models import dates
from ..models import ehc as ehc_rules
from ..models.agenda import AgendaItem, AgendaKind, on_school_days, pupil_reference, sort_items
from ..models.calendar import SchoolCalendar, census_days
from ..models.registers import RegisterKind
from ..models.roles import Permission
from ..operations import operation, viewed
from ..session import Session
from ..store.database import Row
from . import ehc, notifications, review_requests, school_calendar
from ._common import today

MAX_DAYS = 3 * 366
_LONGEST_HOLIDAY = dt.timedelta(days=50)
FIRST_YEAR = 1990
LAST_YEAR = 2100


class _Pupils:
    """Names and references of the pupils met while gathering, read once each."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._rows: dict[int, Row | None] = {}

    def row(self, pupil_id: int) -> Row | None:
        if pupil_id not in self._rows:
            self._rows[pupil_id] = self._session.db.query_one(
                "SELECT id, legal_surname, legal_forename, preferred_surname, preferred_forename,"
                " year_group FROM pupils WHERE id = ? AND archived_at IS NULL", (pupil_id,))
        return self._rows[pupil_id]

    def item(self, pupil_id: int, day: dt.date, kind: AgendaKind, key: str, detail: str,
             today_: dt.date, title: str | None = None, screen_label: str | None = None,
             screen_detail: str | None = None, booked: bool = False) -> AgendaItem | None:
        row = self.row(pupil_id)
        if row is None:
            return None
        forename = row["preferred_forename"] or row["legal_forename"]
        surname = row["preferred_surname"] or row["legal_surname"]
        reference = pupil_reference(row["id"], forename, surname)
        return AgendaItem(day, kind, f"{title or kind.label}: {reference}", detail, key,
                          row["id"], reference, f"{surname}, {forename}", day < today_,
                          screen_label, screen_detail, booked)


def check_day(value: dt.date | str, label: str) -> dt.date:
    """A day the agenda can be worked out for: the school calendar's rules need the years
    around it, so a year like 9999 is refused here with a message rather than failing later."""
    day = dates.require_date(value, label)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(f"'{label}' ({dates.format_uk(day)}) is out of range; choose dates "
                              f"with a year between {FIRST_YEAR} and {LAST_YEAR}.",
                              field=label.lower())
    return day


def check_range(start: dt.date | str, end: dt.date | str) -> tuple[dt.date, dt.date]:
    first = check_day(start, "From")
    last = check_day(end, "To")
    if last < first:
        raise ValidationError(f"'To' ({dates.format_uk(last)}) is before 'From' "
                              f"({dates.format_uk(first)}).", field="to")
    if (last - first).days > MAX_DAYS:
        raise ValidationError("Choose a range of at most three years.", field="to")
    return first, last


@operation(Permission.VIEW_RECORDS, writes=False, audit="viewed the SEND agenda")
def agenda(session: Session, start: dt.date | str, end: dt.date | str) -> list[AgendaItem]:
    """Everything due from start to end inclusive, in date order (audited read)."""
    first, last = check_range(start, end)
    items = gather(session, first, last)
    viewed(session, None, None, **{"from": first.isoformat(), "to": last.isoformat(),
                                   "items": len(items)})
    return items


@operation(Permission.VIEW_RECORDS, writes=False)
def gather(session: Session, first: dt.date, last: dt.date) -> list[AgendaItem]:
    """The agenda without its audit entry, for an export that records its own."""
    calendar = school_calendar.calendar_of(session)
    day = today(session)
    pupils = _Pupils(session)
    # Read past the range: a date in the holiday after it is shown on the school day before.
    beyond = last + _LONGEST_HOLIDAY
    found: list[AgendaItem | None] = []
    found += _support_reviews(session, pupils, first, beyond, day)
    found += _register_reviews(session, pupils, first, beyond, day)
    found += _notifications(session, pupils, first, beyond, day)
    found += _ehc_reviews(session, pupils, calendar, first, beyond, day)
    found += _ehcna_deadlines(session, pupils, first, beyond, day)
    found += _school_dates(calendar, first, last)
    found += _joint_reviews(session, pupils, day)
    found += _move_reviews(session, pupils, first, beyond, day)
    shown = on_school_days((item for item in found if item is not None), calendar, day)
    return sort_items(item for item in shown if first <= item.day <= last)


def _between(first: dt.date, last: dt.date) -> tuple[str, str]:
    return first.isoformat(), last.isoformat()


def _support_reviews(session: Session, pupils: _Pupils, first: dt.date, last: dt.date,
                     day: dt.date) -> list[AgendaItem | None]:
    rows = session.db.query(
        "SELECT w.pupil_id, c.id AS cycle_id, c.number, c.stage, pl.review_date"
        " FROM send_pathways w JOIN apdr_cycles c ON c.pathway_id = w.id"
        " JOIN apdr_plans pl ON pl.cycle_id = c.id"
        " WHERE w.status = 'open' AND pl.agreed_at IS NOT NULL AND pl.review_date BETWEEN ? AND ?"
        " AND NOT EXISTS (SELECT 1 FROM apdr_reviews r WHERE r.cycle_id = c.id"
        "                 AND r.completed_at IS NOT NULL)", _between(first, last))
    return [pupils.item(r["pupil_id"], dt.date.fromisoformat(r["review_date"]),
                        AgendaKind.SUPPORT_REVIEW, f"apdr-review-{r['cycle_id']}",
                        f"Review of the cycle {r['number']} plan ({r['stage']} stage) with the "
                        "parents.", day) for r in rows]


def _register_reviews(session: Session, pupils: _Pupils, first: dt.date, last: dt.date,
                      day: dt.date) -> list[AgendaItem | None]:
    found: list[AgendaItem | None] = []
    for r in session.db.query("SELECT id, pupil_id, register, review_date FROM register_entries"
                              " WHERE end_date IS NULL AND review_date BETWEEN ? AND ?",
                              _between(first, last)):
        # Which register (looked after, medical) is special-category data: it stays on the
        # app's screen and never reaches a staff calendar.
        label = RegisterKind(r["register"]).label
        found.append(pupils.item(r["pupil_id"], dt.date.fromisoformat(r["review_date"]),
                                 AgendaKind.REGISTER_REVIEW, f"register-review-{r['id']}",
                                 "Review the pupil's register entry.", day,
                                 screen_label=f"{label} register review",
                                 screen_detail=f"Review the pupil's place on the {label.lower()} "
                                               "register."))
    for r in session.db.query("SELECT id, pupil_id, review_date FROM short_notes WHERE"
                              " reviewed_on IS NULL AND review_date BETWEEN ? AND ?",
                              _between(first, last)):
        found.append(pupils.item(r["pupil_id"], dt.date.fromisoformat(r["review_date"]),
                                 AgendaKind.NOTE_REVIEW, f"note-review-{r['id']}",
                                 "Review the actions agreed in a short note.", day))
    return found


def _notifications(session: Session, pupils: _Pupils, first: dt.date, last: dt.date,
                   day: dt.date) -> list[AgendaItem | None]:
    return [pupils.item(r["pupil_id"], dt.date.fromisoformat(r["due_since"]),
                        AgendaKind.PARENT_NOTIFICATION, f"notification-{r['id']}",
                        f"Tell {notifications.whom(session, r['young_person'])} formally that "
                        "the pupil was " + ("added to" if r["change"] == "added" else "removed from")
                        + " the SEN register.", day)
            for r in session.db.query(
                "SELECT id, pupil_id, change, due_since, young_person FROM parent_notifications_due WHERE"
                " cleared_at IS NULL AND due_since BETWEEN ? AND ?", _between(first, last))]


def _ehc_reviews(session: Session, pupils: _Pupils, calendar: SchoolCalendar, first: dt.date,
                 last: dt.date, day: dt.date) -> list[AgendaItem | None]:
    found: list[AgendaItem | None] = []
    for row in session.db.query("SELECT * FROM ehc_plans WHERE ceased_on IS NULL"):
        pupil = pupils.row(row["pupil_id"])
        if pupil is None:
            continue
        plan = ehc.plan_from_row(session, row)
        for review in plan.reviews:
            if review.held_on is not None and review.report_sent_on is None:
                found.append(pupils.item(
                    plan.pupil_id, review.held_on + ehc_rules.REPORT_AFTER_MEETING,
                    AgendaKind.EHC_REPORT, f"ehc-report-{review.id}",
                    "Send the annual review report and recommendation to the local authority "
                    "(within two weeks of the meeting).", day))
        schedule = ehc_rules.review_schedule(plan, pupil["year_group"], day, calendar)
        if schedule is None:
            continue
        stem = f"ehc-{plan.id}-{schedule.number}"
        extra = f"{schedule.transition}." if schedule.transition else ""
        booked = plan.booked_review
        meeting = ("Meeting booked." if schedule.booked else
                   f"Hold the meeting by this date (the review must be completed by "
                   f"{dates.format_uk(calendar.school_day_on_or_before(schedule.due_by))}).")
        if schedule.pfa:
            meeting += " Include Preparing for Adulthood."
        if schedule.notice_warning:
            meeting += " " + schedule.notice_warning
        found.append(pupils.item(plan.pupil_id, schedule.meeting_on, AgendaKind.EHC_REVIEW_MEETING,
                                 f"{stem}-meeting", f"{meeting} {extra}".strip(), day,
                                 screen_label=f"{AgendaKind.EHC_REVIEW_MEETING.label} (short notice)"
                                 if schedule.short_notice else None, booked=schedule.booked))
        if booked is None or booked.invitations_sent_on is None:
            found.append(pupils.item(plan.pupil_id, schedule.invitations_by,
                                     AgendaKind.EHC_INVITATIONS, f"{stem}-invitations",
                                     "Invite the parents, the pupil and every specialist involved "
                                     f"to the review on {dates.format_uk(schedule.meeting_on)}.", day))
        found.append(pupils.item(plan.pupil_id, schedule.papers_by, AgendaKind.EHC_PAPERS,
                                 f"{stem}-papers", "Send the advice and reports to everyone "
                                 "invited, two weeks before the meeting.", day))
        found.append(pupils.item(plan.pupil_id, schedule.due_by, AgendaKind.EHC_ANNIVERSARY,
                                 f"{stem}-anniversary", "The annual review must be complete (the "
                                 "LA's decision made) by this date.", day))
    return found


def _ehcna_deadlines(session: Session, pupils: _Pupils, first: dt.date, last: dt.date,
                     day: dt.date) -> list[AgendaItem | None]:
    found: list[AgendaItem | None] = []
    for row in session.db.query("SELECT * FROM ehcna_requests WHERE submitted_on IS NOT NULL AND"
                                " withdrawn_on IS NULL"):
        request = ehc.request_from_row(row)
        for milestone in ehc_rules.timeline(request, day):
            if milestone.done_on is not None or milestone.state is ehc_rules.MilestoneState.NOT_NEEDED:
                continue
            found.append(pupils.item(
                request.pupil_id, milestone.due, AgendaKind.EHCNA_DEADLINE,
                f"ehcna-{request.id}-{milestone.key}",
                f"Week {milestone.week} of the statutory timeline: {milestone.title} "
                f"({request.local_authority}).", day,
                title=f"EHC needs assessment, week {milestone.week}"))
    return found


# A looked-after child's PEP review and SEN review a few weeks apart are better held as one
# meeting (the same people come to both): the agenda proposes it on the earlier date.
JOINT_REVIEW_DAYS = 28


def _joint_reviews(session: Session, pupils: _Pupils, day: dt.date) -> list[AgendaItem | None]:
    found: list[AgendaItem | None] = []
    for entry in session.db.query(
            "SELECT id, pupil_id, pep_review_date FROM register_entries WHERE register ="
            " 'looked_after' AND end_date IS NULL AND pep_review_date IS NOT NULL"):
        pep = dt.date.fromisoformat(entry["pep_review_date"])
        for what, review in _sen_reviews(session, entry["pupil_id"]):
            if abs((review - pep).days) > JOINT_REVIEW_DAYS:
                continue
            both = (f"the PEP review ({dates.format_uk(pep)}) and the {what} "
                    f"({dates.format_uk(review)})")
            found.append(pupils.item(
                entry["pupil_id"], min(pep, review), AgendaKind.JOINT_REVIEW,
                f"joint-review-{entry['id']}-{review.isoformat()}",
                f"Two of the pupil's reviews fall within {JOINT_REVIEW_DAYS // 7} weeks "
                f"({dates.format_uk(min(pep, review))} and {dates.format_uk(max(pep, review))}): "
                "consider holding them as one meeting.", day,
                screen_label="PEP and SEN reviews: hold together?",
                screen_detail=f"Proposed: hold {both} as one meeting, inviting the virtual "
                              "school and the social worker with the parents or carers."))
    return found


def _sen_reviews(session: Session, pupil_id: int) -> list[tuple[str, dt.date]]:
    """The pupil's next SEN reviews: the current support plan's review and the EHC annual
    review meeting."""
    found = [("SEN support plan review", dt.date.fromisoformat(r["review_date"]))
             for r in session.db.query(
                 "SELECT pl.review_date FROM send_pathways w JOIN apdr_cycles c ON"
                 " c.pathway_id = w.id JOIN apdr_plans pl ON pl.cycle_id = c.id WHERE"
                 " w.pupil_id = ? AND w.status = 'open' AND pl.agreed_at IS NOT NULL AND"
                 " pl.review_date IS NOT NULL AND NOT EXISTS (SELECT 1 FROM apdr_reviews r"
                 " WHERE r.cycle_id = c.id AND r.completed_at IS NOT NULL)", (pupil_id,))]
    found += [("EHC annual review", dt.date.fromisoformat(r["next_review_by"]))
              for r in session.db.query(
                  "SELECT next_review_by FROM ehc_plans WHERE pupil_id = ? AND ceased_on IS NULL"
                  " AND next_review_by IS NOT NULL", (pupil_id,))]
    return found


def _move_reviews(session: Session, pupils: _Pupils, first: dt.date, last: dt.date,
                  day: dt.date) -> list[AgendaItem | None]:
    """The reviews a move asked for and no review has met yet (records/review_requests.py).
    The reason may leave the app; the detail (it may name the previous school) stays on the
    screen."""
    return [pupils.item(request.pupil_id, request.review_date, AgendaKind.MOVE_REVIEW,
                        f"review-request-{request.id}", f"{request.why}: review the plan.", day,
                        screen_detail=request.detail)
            for requests in review_requests.open_by_pupil(session).values()
            for request in requests if first <= request.review_date <= last]


def _school_dates(calendar: SchoolCalendar, first: dt.date, last: dt.date) -> list[AgendaItem]:
    found = []
    for year in range(calendar.school_year_of(first), calendar.school_year_of(last) + 1):
        cutoff = calendar.ehcna_cutoff(year)
        found.append(AgendaItem(
            cutoff, AgendaKind.EHCNA_CUTOFF, AgendaKind.EHCNA_CUTOFF.label,
            f"Requests for an EHC needs assessment should reach the local authority by this date "
            f"({calendar.ehcna_cutoff_weeks} weeks before the last week of the summer term) so "
            "an outcome can come before the new school year.", f"ehcna-cutoff-{year}"))
    for year in range(first.year, last.year + 1):
        for census in census_days(year):
            found.append(AgendaItem(census, AgendaKind.CENSUS, AgendaKind.CENSUS.label,
                                    "Check SEN status and needs are up to date."
                                    if census.month == 1 else "School census.",
                                    f"census-{census.isoformat()}"))
    return found
