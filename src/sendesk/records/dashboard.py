"""The SENCO's home view: how many pupils at each status and need, who is owed a parent
notification, whose support plan reviews fall due this half-term or are overdue (counted by the
Reviews due list itself), who on the SEN register has no current plan, who is being monitored,
and which transferred files the next school has not yet acknowledged. Pupils are given by id so
the list view can show them; nothing here is audited because no record is opened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..models.calendar import TRANSFER_SCHOOL_DAYS, HalfTerm, SchoolCalendar, add_school_days, last_census_before
from ..models.flags import Flag
from ..models.roles import Permission
from ..models.sen import need_codes
from ..operations import operation
from ..session import Session
from . import notifications
from ._common import today
from .apdr import due as reviews_due
from .school_calendar import calendar_of


@dataclass(frozen=True)
class DueNotification:
    due_id: int
    pupil_id: int
    change: str
    due_since: dt.date
    outstanding: int  # still to tell: parents, and from 16 the young person (notifications.py)


@dataclass(frozen=True)
class TransferAwaiting:
    """A file sent to another school that they have not yet acknowledged."""

    transfer_id: int
    pupil_id: int
    school: str
    sent_on: dt.date
    deadline: dt.date       # 15 school days after the pupil left
    overdue: bool


@dataclass(frozen=True)
class FileToSend:
    """A leaver on the SEN register whose file has not been sent to their next school."""

    pupil_id: int
    left_on: dt.date
    deadline: dt.date
    overdue: bool


# Leavers are looked for this far back: beyond it the deadline is long gone either way and the
# list would only grow.
_LEAVERS_WINDOW = dt.timedelta(days=60)


def _files_to_send(session: Session, day: dt.date, calendar: SchoolCalendar) -> list[FileToSend]:
    rows = session.db.query(
        "SELECT id, leaving_date FROM pupils WHERE archived_at IS NOT NULL AND leaving_date >= ?"
        " AND sen_status IN ('E', 'K') AND NOT EXISTS (SELECT 1 FROM transfers t WHERE"
        " t.pupil_id = pupils.id AND t.direction = 'sent') ORDER BY leaving_date, id",
        ((day - _LEAVERS_WINDOW).isoformat(),))
    found = []
    for row in rows:
        left = dt.date.fromisoformat(row["leaving_date"])
        deadline = add_school_days(left, TRANSFER_SCHOOL_DAYS, calendar)
        found.append(FileToSend(row["id"], left, deadline, deadline < day))
    return found


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    half_term: HalfTerm
    on_roll: int
    by_status: dict[str, int]
    by_need: dict[str, int]
    by_area: dict[str, int]
    notifications_due: list[DueNotification]
    reviews_this_half_term: list[int]
    reviews_overdue: list[int]       # the same pupils Reviews due counts as overdue
    no_current_plan: list[int]       # on the SEN register with no current plan (no one unseen)
    plan_reviews: dict[int, dt.date]  # each pupil's agreed support plan review date
    monitoring: list[int]
    transfers_awaiting: list[TransferAwaiting]
    files_to_send: list[FileToSend]
    # The half-term's first and last school days: half_term runs on through the holiday after.
    half_term_days: tuple[dt.date, dt.date]
    # Why a review was asked for by a move, for the pupils whose review date it set
    moves_asked: dict[int, str] = field(default_factory=dict)


def _ids(session: Session, where: str, params: tuple = (),
         index: str = "pupils_by_review") -> list[int]:
    # Named indexes: without statistics SQLite may otherwise choose one that needs a lookup
    # of every pupil row.
    rows = session.db.query(f"SELECT id FROM pupils{session.db.index_hint(index)} WHERE archived_at IS NULL"
                            f" AND {where} ORDER BY next_review, sort_key, id", params)
    return [row[0] for row in rows]


@operation(Permission.VIEW_RECORDS, writes=False)
def dashboard(session: Session, calendar: SchoolCalendar | None = None) -> Dashboard:
    """The counts and lists; 'this half-term' follows the school's own term dates. The support
    plan reviews come from the Reviews due list itself, so the two always agree."""
    day = today(session)
    calendar = calendar or calendar_of(session)   # read once for everything below
    plans_due = reviews_due.reviews_due(session, calendar=calendar, checks=False)
    half_term = calendar.half_term(day)
    lapsed = last_census_before(day).isoformat()
    # The roll, the statuses (an N past the census lapsed) and the register's primary needs,
    # counted in one pass over the list's index: one query instead of three (on the school
    # server each is a round trip and a scan of the pupils).
    on_roll = 0
    by_status = {"E": 0, "K": 0, "N": 0}
    by_need = {code: 0 for code in need_codes()}
    for status, need, lapsed_n, count in session.db.query(
            "SELECT status, need, lapsed, count(*) FROM (SELECT sen_status AS status,"
            " primary_need AS need, CASE WHEN sen_status = 'N' AND (sen_since IS NULL"
            f" OR sen_since <= ?) THEN 1 ELSE 0 END AS lapsed FROM pupils{session.db.index_hint('pupils_list')}"
            " WHERE archived_at IS NULL) AS roll GROUP BY status, need, lapsed", (lapsed,)):
        on_roll += count
        if status is not None and not lapsed_n:
            by_status[status] += count
        if status in ("E", "K") and need is not None:
            by_need[need] = by_need.get(need, 0) + count
    by_area: dict[str, int] = {}
    for code, count in by_need.items():
        rule = need_codes().get(code)
        area = rule.area_label if rule and rule.area_label else "Not tied to one area"
        by_area[area] = by_area.get(area, 0) + count
    due = [DueNotification(r["id"], r["pupil_id"], r["change"],
                           dt.date.fromisoformat(r["due_since"]), r["outstanding"])
           for r in session.db.query(
               "SELECT d.id, d.pupil_id, d.change, d.due_since, "
               + notifications.OUTSTANDING_COUNT + " AS outstanding"
               " FROM parent_notifications_due d JOIN pupils p ON p.id = d.pupil_id"
               " WHERE d.cleared_at IS NULL AND p.archived_at IS NULL ORDER BY d.due_since, d.id",
               notifications.outstanding_params(session))]
    return Dashboard(
        today=day, half_term=half_term,
        on_roll=on_roll,
        by_status=by_status, by_need=by_need, by_area=by_area, notifications_due=due,
        reviews_this_half_term=list(dict.fromkeys(
            d.pupil_id for d in plans_due if d.review_date is not None
            and day <= d.review_date <= half_term.end)),
        reviews_overdue=reviews_due.overdue_ids(plans_due),
        no_current_plan=reviews_due.unseen_pupils(plans_due),
        plan_reviews={d.pupil_id: d.review_date for d in plans_due if d.review_date is not None},
        monitoring=_ids(session, "(flags & ?) != 0", (int(Flag.MONITORING),), "pupils_list"),
        transfers_awaiting=[
            TransferAwaiting(r["id"], r["pupil_id"], r["school_name"],
                             dt.date.fromisoformat(r["happened_at"][:10]),
                             dt.date.fromisoformat(r["deadline"]),
                             dt.date.fromisoformat(r["deadline"]) < day)
            for r in session.db.query(
                "SELECT id, pupil_id, school_name, happened_at, deadline FROM transfers"
                " WHERE status = 'awaiting acknowledgement' ORDER BY deadline, id")],
        files_to_send=_files_to_send(session, day, calendar),
        half_term_days=(calendar.school_day_on_or_after(half_term.start),
                        calendar.school_day_on_or_before(half_term.end)),
        moves_asked={d.pupil_id: d.request.why for d in plans_due if d.request is not None
                     and d.request.review_date == d.review_date})
