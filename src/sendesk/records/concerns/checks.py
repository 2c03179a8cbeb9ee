"""What a concerns flowchart run is checked against, whether it is being saved as a draft or
finished: the pupil (on roll, not already on the SEN register), the answers (they must walk the
flowchart), the discussion and the dates; and the small reads the wizard needs before it starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ...errors import PermissionDenied, ValidationError
from ...models import dates, sen
from ...models import flowchart as fc
from ...models.calendar import SchoolCalendar
from ...models.roles import Permission
from ...models.school_days import require_school_day
from ...models.text import clean_text
from ...operations import operation
from ...session import Session
from .._common import pupil_row, require_editable, today
from ..pupils import pupil_from_row
from ..school_calendar import calendar_of

MAX_COMMENT = 2000
MAX_DISCUSSION = 4000
MAX_REVIEW_DAYS = 366

# How a typed answer is handed in: (question id, answer id, optional comment).
AnswerInput = Sequence[str]


def _check_pupil(session: Session, pupil_id: int) -> None:
    """The pupil exists, is still on roll and is not already on the SEN register."""
    require_editable(session, pupil_id)
    status = session.db.scalar("SELECT status FROM sen_status_history WHERE pupil_id = ? AND"
                               " end_date IS NULL", (int(pupil_id),))
    if status in sen.ON_REGISTER:
        raise ValidationError(
            f"This pupil is already on the SEN register ({sen.statuses()[status]}), so the "
            "initial concerns flowchart does not apply. Review their support plan instead.",
            field="pupil")


@operation(Permission.VIEW_RECORDS, writes=False)
def not_available_because(session: Session, pupil_id: int) -> str | None:
    """Why the flowchart cannot be used for this pupil now (left, or already on the SEN
    register), so a front end can say so before anyone starts; None when it can."""
    try:
        _check_pupil(session, int(pupil_id))
    except (ValidationError, PermissionDenied) as exc:
        return str(exc)
    return None


def _clean_answers(chart: fc.Flowchart, answers: Sequence[AnswerInput]) -> fc.Walk:
    cleaned = []
    for item in answers:
        if len(item) not in (2, 3):
            raise ValidationError("An answer must name its question and the answer chosen.",
                                  field="answers")
        comment = clean_text(str(item[2] if len(item) == 3 else ""), "Comment",
                             max_length=MAX_COMMENT)
        cleaned.append((str(item[0]), str(item[1]), comment))
    try:
        return fc.walk(chart, cleaned)
    except fc.WalkError as exc:
        raise ValidationError(f"The answers do not fit the flowchart: {exc}",
                              field="answers") from None


def _clean_discussion(chart: fc.Flowchart, discussion: Mapping[str, str], *,
                      complete: bool) -> dict[str, str]:
    known = {item.id: item for item in chart.discussion_fields}
    for key in discussion:
        if key not in known:
            raise ValidationError(f"'{key}' is not a question in this flowchart's discussion.",
                                  field="discussion")
    cleaned = {}
    for key, item in known.items():
        text = clean_text(str(discussion.get(key) or ""), item.label, max_length=MAX_DISCUSSION)
        if complete and item.required and not text:
            raise ValidationError(f"Fill in '{item.label}'.", field=key)
        if text:
            cleaned[key] = text
    return cleaned


def _clean_dates(session: Session, discussion_date: Any, review_date: Any) -> tuple[dt.date, dt.date]:
    """The discussion (a past conversation, kept as the day it happened) and the review, which
    is looked at on the day set and so must be a school day (the flowchart suggests one)."""
    now = today(session)
    talked = dates.require_date(discussion_date, "Date of the discussion")
    dates.not_after(talked, now, "Date of the discussion")
    review = dates.require_date(review_date, "Review date")
    dates.not_before(review, now + dt.timedelta(days=1), "Review date", "tomorrow")
    latest = now + dt.timedelta(days=MAX_REVIEW_DAYS)
    dates.not_after(review, latest, "Review date", "a year from now")
    require_school_day(calendar_of(session), review, "review_date")
    return talked, review


@operation(Permission.VIEW_RECORDS, writes=False)
def pupil_name(session: Session, pupil_id: int) -> str:
    """The name the wizard shows (surname first), for a pupil whose record is already open."""
    return pupil_from_row(pupil_row(session, pupil_id)).display_name


def review_date_for(outcome: fc.Outcome, today_: dt.date, calendar: SchoolCalendar) -> dt.date:
    """The suggested review date: the outcome's number of weeks from today, moved on to the
    next school day when that falls on a weekend, a bank holiday, an INSET day or in the
    holidays (the date finishing accepts, so a suggestion is never refused)."""
    return calendar.school_day_on_or_after(today_ + dt.timedelta(weeks=outcome.review_weeks))


def proposed_need(walk: fc.Walk) -> str | None:
    return walk.proposed.get("need_code")
