"""A concerns flowchart's review and a short note's review fall on school days (issue 20, item
9): the flowchart suggests a school day from the school's own calendar, and a date a person
enters for either is refused in one sentence naming the day, why, and the next school day,
with nothing recorded. A note reviewed on a day set before the rule can still be amended."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.concerns_support import DISCUSSION, ROUTES, add_pupil

from sendesk.errors import ValidationError
from sendesk.models import flowchart as fc
from sendesk.records import concerns, notes, school_calendar

TODAY = dt.date(2026, 11, 23)   # the test clock: a Monday in the autumn term
SATURDAY = dt.date(2027, 3, 6)
EARLY_MAY = dt.date(2027, 5, 3)
TABLES = ("concern_runs", "concern_answers", "short_notes", "register_entries",
          "sen_status_history")


@pytest.fixture
def chart() -> fc.Flowchart:
    return fc.load_default()


@pytest.fixture
def pupil(senco_session) -> int:
    return add_pupil(senco_session)


def counts(session) -> dict[str, int]:
    return {table: session.db.scalar(f"SELECT count(*) FROM {table}") for table in TABLES}


def finish(session, pupil_id, chart, route, review):
    return concerns.finish(session, pupil_id, chart, ROUTES[route][0], DISCUSSION,
                           discussion_date=TODAY, review_date=review)


@pytest.mark.parametrize(("route", "day", "sentence"), [
    ("low_attainment", SATURDAY, "Saturday 06/03/2027 is not a school day; the next school day "
                                 "is Monday 08/03/2027."),
    ("sen_support", EARLY_MAY, "Monday 03/05/2027 is a bank holiday (Early May bank holiday), "
                               "not a school day; the next school day is Tuesday 04/05/2027."),
    ("attendance", dt.date(2026, 12, 21), "Monday 21/12/2026 is in the school holidays, not a "
                                          "school day; the next school day is Monday 04/01/2027.")])
def test_finishing_refuses_a_review_on_a_day_the_school_is_shut(senco_session, pupil, chart,
                                                                 route, day, sentence):
    before = counts(senco_session)
    with pytest.raises(ValidationError) as refused:
        finish(senco_session, pupil, chart, route, day)
    assert str(refused.value) == sentence and refused.value.field == "review_date"
    assert counts(senco_session) == before


def test_the_suggested_review_is_a_school_day_of_the_schools_own_calendar(senco_session, pupil,
                                                                          chart):
    """Four weeks from 23/11/2026 is 21/12/2026, in the Christmas holidays: the suggestion is
    the first day of the spring term, or the day after it when the school makes that an
    INSET day; finishing accepts the suggestion."""
    exclusion = chart.nodes["out_exclusion"]
    assert exclusion.review_weeks == 4
    calendar = school_calendar.load(senco_session)
    assert concerns.review_date_for(exclusion, TODAY, calendar) == dt.date(2027, 1, 4)
    school_calendar.save_inset_days(senco_session, 2026, [dt.date(2027, 1, 4)])
    calendar = school_calendar.load(senco_session)
    suggested = concerns.review_date_for(exclusion, TODAY, calendar)
    assert suggested == dt.date(2027, 1, 5)
    run = concerns.get_run(senco_session, finish(senco_session, pupil, chart, "exclusion",
                                                 suggested))
    assert run.review_date == dt.date(2027, 1, 5)
    with pytest.raises(ValidationError, match=r"^Monday 04/01/2027 is an INSET day, not a school "
                                              r"day; the next school day is Tuesday 05/01/2027\.$"):
        finish(senco_session, add_pupil(senco_session, "Other", "Pupil"), chart, "exclusion",
               dt.date(2027, 1, 4))


def test_a_suggestion_that_would_land_on_a_bank_holiday_moves_to_the_next_day(senco_session,
                                                                               chart, clock):
    clock.advance(dt.date(2027, 3, 22) - TODAY)   # six weeks before the early May bank holiday
    calendar = school_calendar.load(senco_session)
    outcome = chart.nodes["out_low_attainment"]
    assert dt.date(2027, 3, 22) + dt.timedelta(weeks=outcome.review_weeks) == EARLY_MAY
    assert concerns.review_date_for(outcome, clock.today(), calendar) == dt.date(2027, 5, 4)


def test_a_short_note_review_is_a_school_day(senco_session, pupil):
    before = counts(senco_session)
    raw = {"event_date": TODAY, "concern": "Finds copying from the board hard.",
           "review_date": SATURDAY}
    with pytest.raises(ValidationError) as refused:
        notes.add_note(senco_session, pupil, raw)
    assert str(refused.value) == ("Saturday 06/03/2027 is not a school day; the next school day "
                                  "is Monday 08/03/2027.")
    assert counts(senco_session) == before
    note_id = notes.add_note(senco_session, pupil, raw | {"review_date": dt.date(2027, 3, 8)})
    with pytest.raises(ValidationError, match=r"^Monday 03/05/2027 is a bank holiday"):
        notes.amend_note(senco_session, note_id, {"review_date": EARLY_MAY})
    assert notes.list_notes(senco_session, pupil)[0].review_date == dt.date(2027, 3, 8)
    notes.add_note(senco_session, pupil, raw | {"review_date": None})   # a review is optional


def test_a_note_reviewed_on_a_saturday_set_before_the_rule_can_still_be_amended(senco_session,
                                                                                 pupil):
    note_id = notes.add_note(senco_session, pupil, {"event_date": TODAY, "concern": "Tired.",
                                                    "review_date": dt.date(2027, 3, 8)})
    with senco_session.db.transaction():   # as a note written before the rule was kept
        senco_session.db.execute("UPDATE short_notes SET review_date = ? WHERE id = ?",
                                 (SATURDAY.isoformat(), note_id))
    assert notes.amend_note(senco_session, note_id, {"concern": "Tired most mornings."}) == [
        "concern"]
    assert notes.list_notes(senco_session, pupil)[0].review_date == SATURDAY
