"""The periods a report is chosen by, read from the school's own term dates (models.periods),
and the impact table for a period covering exactly those dates."""

from __future__ import annotations

import datetime as dt

import pytest

from sendesk.models import periods
from sendesk.models.calendar import SchoolCalendar, check_term_dates, england_default
from sendesk.models.periods import Period
from sendesk.records import impact, school_calendar

D = dt.date
# A school's own 2026/27: each term starts with an INSET day (2 September, 5 January).
OWN = [(D(2026, 9, 2), D(2026, 10, 23)), (D(2026, 11, 2), D(2026, 12, 18)),
       (D(2027, 1, 5), D(2027, 2, 12)), (D(2027, 2, 22), D(2027, 3, 26)),
       (D(2027, 4, 12), D(2027, 5, 28)), (D(2027, 6, 7), D(2027, 7, 21))]
INSET = [D(2026, 9, 2), D(2027, 1, 5)]


@pytest.fixture
def calendar() -> SchoolCalendar:
    return SchoolCalendar({2026: check_term_dates(2026, OWN)}, inset_days={2026: INSET})


def text(period: Period, calendar: SchoolCalendar, today: dt.date) -> str:
    found = periods.span(period, calendar, today)
    assert found is not None
    return found.text


def test_in_the_february_half_term_holiday(calendar):
    today = D(2027, 2, 16)     # the holiday after Spring 1 belongs to Spring 1
    assert text(Period.THIS_HALF_TERM, calendar, today) == \
        "Spring 1 half-term 2027: 05/01/2027 to 21/02/2027"
    assert text(Period.LAST_HALF_TERM, calendar, today) == \
        "Autumn 2 half-term 2026: 02/11/2026 to 04/01/2027"
    assert text(Period.THIS_TERM, calendar, today) == "Spring term 2027: 05/01/2027 to 11/04/2027"
    assert text(Period.LAST_TERM, calendar, today) == "Autumn term 2026: 02/09/2026 to 04/01/2027"
    assert text(Period.THIS_YEAR, calendar, today) == \
        "School year 2026/27: 02/09/2026 to " + \
        (england_default(2027).first_day - dt.timedelta(days=1)).strftime("%d/%m/%Y")


def test_earlier_years_come_from_england_default_where_the_school_has_none(calendar):
    today = D(2027, 2, 16)
    before, earliest = england_default(2025), england_default(2024)
    last = periods.span(Period.LAST_YEAR, calendar, today)
    assert last == periods.Span("School year 2025/26", before.first_day, D(2026, 9, 1))
    three = periods.span(Period.LAST_THREE_YEARS, calendar, today)
    assert three == periods.Span("School years 2024/25 to 2026/27", earliest.first_day,
                                 england_default(2027).first_day - dt.timedelta(days=1))


def test_early_autumn_looks_back_into_the_year_before(calendar):
    today = D(2026, 9, 2)      # the INSET day that starts the school's year
    assert text(Period.THIS_HALF_TERM, calendar, today) == \
        "Autumn 1 half-term 2026: 02/09/2026 to 01/11/2026"
    summer = england_default(2025).half_terms
    assert periods.span(Period.LAST_HALF_TERM, calendar, today) == periods.Span(
        "Summer 2 half-term 2026", summer[5].start, D(2026, 9, 1))
    assert periods.span(Period.LAST_TERM, calendar, today) == periods.Span(
        "Summer term 2026", summer[4].start, D(2026, 9, 1))


def test_the_summer_holiday_belongs_to_the_year_just_ended(calendar):
    today = D(2027, 8, 10)
    assert text(Period.THIS_HALF_TERM, calendar, today) == \
        "Summer 2 half-term 2027: 07/06/2027 to " + \
        (england_default(2027).first_day - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert text(Period.THIS_YEAR, calendar, today).startswith("School year 2026/27")
    assert text(Period.LAST_TERM, calendar, today) == "Spring term 2027: 05/01/2027 to 11/04/2027"


def test_dates_is_the_persons_own_and_every_period_is_offered(calendar):
    found = periods.spans(calendar, D(2027, 2, 16))
    assert list(found) == list(Period) and found[Period.DATES] is None
    assert [p.label for p in Period][-1] == "Dates..."
    assert periods.span("this-term", calendar, D(2027, 2, 16)) == found[Period.THIS_TERM]


def test_the_impact_table_covers_the_period_chosen_from_the_schools_own_dates(senco_session):
    """The fixture's today is 23/11/2026: this half-term is the school's Autumn 2 (to today),
    last half-term its Autumn 1, which starts on the INSET day."""
    school_calendar.save_term_dates(senco_session, 2026, OWN)
    school_calendar.save_inset_days(senco_session, 2026, INSET)
    calendar = school_calendar.load(senco_session)
    today = senco_session.clock.today()
    this = periods.span(Period.THIS_HALF_TERM, calendar, today)
    found = impact.impact_table(senco_session, this.start, this.end)
    assert (found.start, found.end) == (D(2026, 11, 2), today)
    last = periods.span(Period.LAST_HALF_TERM, calendar, today)
    found = impact.impact_table(senco_session, last.start, last.end)
    assert (found.start, found.end) == (D(2026, 9, 2), D(2026, 11, 1))


def test_dates_wholly_in_a_holiday_are_refused_in_a_sentence_saying_so(calendar):
    """Christmas Day to Boxing Day once gave "1 provisions from 04/01/2027 to 04/01/2027", a
    Sunday of the holiday on which nothing ran."""
    from sendesk.errors import ValidationError
    from sendesk.models.impact import whole_half_terms
    today = D(2027, 3, 1)
    with pytest.raises(ValidationError) as refused:
        whole_half_terms(D(2026, 12, 25), D(2026, 12, 26), calendar, today)
    assert str(refused.value) == (
        "25/12/2026 to 26/12/2026 falls in the school holidays (Autumn 2 ran to 18/12/2026 and "
        "Spring 1 from 05/01/2027), so no provision ran and there is nothing to show: choose "
        "dates in term time.")
    # In the holiday still, with the term not yet begun: nothing has run since it started.
    with pytest.raises(ValidationError, match=r"^20/12/2026 to today falls in the school hol"):
        whole_half_terms(D(2026, 12, 20), D(2027, 1, 31), calendar, D(2027, 1, 2))
    # A holiday start with term time after it still widens to the half-term that follows.
    assert whole_half_terms(D(2026, 12, 25), D(2027, 1, 6), calendar, today) == \
        (D(2027, 1, 5), D(2027, 2, 21))
