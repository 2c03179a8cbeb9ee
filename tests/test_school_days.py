"""School days leave out England's bank holidays and the school's INSET days (issue 20 item 3,
domain.md section 10): the shipped bank holiday file against the standing rules and the
announced one-offs, the default term dates, the 15-school-day transfer deadline, the moves out
of the holidays, and a damaged file refused with a message naming the fault."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from sendesk.errors import ValidationError
from sendesk.models import bank_holidays
from sendesk.models.bank_holidays import BankHolidayFileError, rule_based
from sendesk.models.calendar import (
    TRANSFER_SCHOOL_DAYS,
    HalfTerm,
    SchoolCalendar,
    TermDates,
    add_school_days,
    check_inset_days,
    easter_sunday,
    england_default,
)
from sendesk.resources import resource_path

D = dt.date
CALENDAR = SchoolCalendar()
def shipped() -> bank_holidays.BankHolidays:
    return bank_holidays.england()

# The one-off changes government announced, checked by hand against gov.uk/bank-holidays.
ONE_OFFS = {
    2020: ({D(2020, 5, 4)}, {D(2020, 5, 8): "Early May bank holiday (VE Day)"}),
    2022: ({D(2022, 5, 30)}, {D(2022, 6, 2): "Spring bank holiday",
                              D(2022, 6, 3): "Platinum Jubilee bank holiday",
                              D(2022, 9, 19): "Bank holiday for the State Funeral of Queen Elizabeth II"}),
    2023: (set(), {D(2023, 5, 8): "Bank holiday for the coronation of King Charles III"}),
}


# --- the shipped file -------------------------------------------------------------------------
def test_the_shipped_file_covers_2020_to_2035():
    assert shipped().first_year <= 2020 and shipped().last_year >= 2035
    for year in range(2020, 2036):
        assert len(shipped().in_year(year)) >= 8, year


@pytest.mark.parametrize("year", range(2020, 2036))
def test_the_file_agrees_with_the_standing_rules_apart_from_the_announced_one_offs(year):
    easter = easter_sunday(year)
    rules = dict(rule_based(year))
    assert rules[easter - dt.timedelta(days=2)] == "Good Friday"
    assert rules[easter + dt.timedelta(days=1)] == "Easter Monday"
    dropped, added = ONE_OFFS.get(year, (set(), {}))
    expected = {day: name for day, name in rules.items() if day not in dropped} | added
    assert dict(shipped().in_year(year)) == expected


def test_the_standing_rules_give_the_substitute_days():
    # 2022: New Year's Day a Saturday -> Monday 3 January; Christmas a Sunday -> Boxing Day
    # keeps Monday 26, Christmas moves to Tuesday 27.
    assert rule_based(2022)[0] == (D(2022, 1, 3), "New Year's Day (substitute day)")
    assert rule_based(2022)[-2:] == [(D(2022, 12, 26), "Boxing Day"),
                                     (D(2022, 12, 27), "Christmas Day (substitute day)")]
    # 2023: New Year's Day a Sunday -> Monday 2 January.
    assert rule_based(2023)[0] == (D(2023, 1, 2), "New Year's Day (substitute day)")
    # 2021: Christmas a Saturday -> Monday 27 and Tuesday 28.
    assert [day for day, _ in rule_based(2021)[-2:]] == [D(2021, 12, 27), D(2021, 12, 28)]
    # 2026: Christmas a Friday -> Boxing Day on Monday 28.
    assert rule_based(2026)[-2:] == [(D(2026, 12, 25), "Christmas Day"),
                                     (D(2026, 12, 28), "Boxing Day (substitute day)")]


@pytest.mark.parametrize("year, days", [
    # As published on gov.uk, independent of the rules above.
    (2024, ["2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26",
            "2024-12-25", "2024-12-26"]),
    (2025, ["2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25",
            "2025-12-25", "2025-12-26"]),
    (2026, ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
            "2026-12-25", "2026-12-28"]),
    (2027, ["2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
            "2027-12-27", "2027-12-28"]),
    (2022, ["2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03",
            "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"]),
])
def test_the_file_matches_the_published_dates(year, days):
    assert [day.isoformat() for day, _ in shipped().in_year(year)] == days


def test_a_year_beyond_the_file_still_skips_the_usual_bank_holidays():
    good_friday = easter_sunday(2040) - dt.timedelta(days=2)
    assert shipped().last_year < 2040
    assert shipped().name(good_friday) == "Good Friday"
    assert shipped().name(D(2040, 5, 7)) == "Early May bank holiday"
    assert not CALENDAR.is_school_day(D(2040, 5, 7))


# --- the default term dates and the counts ----------------------------------------------------
@pytest.mark.parametrize("year", range(2024, 2031))
def test_the_early_may_bank_holiday_is_not_a_school_day(year):
    early_may = next(day for day, name in shipped().in_year(year) if name == "Early May bank holiday")
    assert early_may.month == 5 and early_may.weekday() == 0 and early_may.day <= 7
    assert CALENDAR.teaching_half_term(early_may).name == "Summer 1"   # in term, yet...
    assert not CALENDAR.is_school_day(early_may)
    assert CALENDAR.is_school_day(early_may + dt.timedelta(days=1))
    assert CALENDAR.school_day_on_or_before(early_may) == early_may - dt.timedelta(days=3)
    assert CALENDAR.school_day_on_or_after(early_may) == early_may + dt.timedelta(days=1)


@pytest.mark.parametrize("school_year, substitute", [(2021, D(2022, 1, 3)), (2027, D(2028, 1, 3)),
                                                     (2032, D(2033, 1, 3))])
def test_a_substitute_new_years_day_is_not_the_first_day_of_the_spring_term(school_year, substitute):
    assert D(substitute.year, 1, 1).weekday() == 5        # 1 January a Saturday
    assert shipped().name(substitute) == "New Year's Day (substitute day)"
    spring = england_default(school_year).half_terms[2]
    assert spring.name == "Spring 1"
    assert spring.start == substitute + dt.timedelta(days=1)  # Tuesday 4 January
    assert not CALENDAR.is_school_day(substitute)
    assert CALENDAR.school_day_on_or_after(substitute) == spring.start


@pytest.mark.parametrize("school_year", range(2019, 2041))
def test_no_default_half_term_starts_or_ends_on_a_bank_holiday_or_weekend(school_year):
    for half in england_default(school_year).half_terms:
        for day in (half.start, half.end):
            assert day.weekday() < 5 and day not in shipped(), (half, day)
            assert CALENDAR.is_school_day(day), (half, day)


def test_summer_term_after_a_late_easter_starts_after_the_early_may_bank_holiday():
    # Easter 2038 is 25 April: the two-week break ends on Friday 30 April and Monday 3 May is
    # the early May bank holiday, so the summer term starts on Tuesday 4 May.
    assert england_default(2037).half_terms[4].start == D(2038, 5, 4)


def test_the_transfer_deadline_across_the_early_may_bank_holiday_is_a_day_later():
    # A pupil leaving on Friday 24 April 2026: 15 school days were Monday 27 April to Friday
    # 15 May when Monday 4 May counted; without it they end on Monday 18 May.
    assert TRANSFER_SCHOOL_DAYS == 15
    assert add_school_days(D(2026, 4, 24), 15) == D(2026, 5, 18)
    assert add_school_days(D(2026, 5, 1), 1) == D(2026, 5, 5)


def test_bank_holidays_inside_a_schools_own_term_dates_are_not_school_days():
    # A school whose spring term runs through Easter 2027 (Good Friday 26 March, Easter Monday
    # 29 March) still does not teach on them.
    own = TermDates(2026, england_default(2026).half_terms[:3] + (
        HalfTerm("Spring 2", D(2027, 2, 22), D(2027, 4, 2)),
        HalfTerm("Summer 1", D(2027, 4, 19), D(2027, 5, 28)),
        england_default(2026).half_terms[5]))
    calendar = SchoolCalendar({2026: own})
    assert calendar.teaching_half_term(D(2027, 3, 29)).name == "Spring 2"
    assert not calendar.is_school_day(D(2027, 3, 26)) and not calendar.is_school_day(D(2027, 3, 29))
    assert add_school_days(D(2027, 3, 25), 1, calendar) == D(2027, 3, 30)
    assert calendar.not_a_school_day(D(2027, 3, 29)) == "a bank holiday (Easter Monday)"


def test_the_ehcna_cutoff_on_a_bank_holiday_moves_back_to_the_school_day_before():
    # Summer 2027's last week starts Monday 19 July; 11 weeks before is Monday 3 May, the early
    # May bank holiday, so the cut-off is Friday 30 April.
    assert SchoolCalendar(ehcna_cutoff_weeks=11).ehcna_cutoff(2026) == D(2027, 4, 30)


def test_why_a_day_is_not_a_school_day():
    calendar = SchoolCalendar(inset_days={2026: {D(2026, 9, 2)}})
    assert calendar.not_a_school_day(D(2026, 9, 5)) == "a Saturday"
    assert calendar.not_a_school_day(D(2026, 12, 25)) == "a bank holiday (Christmas Day)"
    assert calendar.not_a_school_day(D(2026, 9, 2)) == "an INSET day"
    assert calendar.not_a_school_day(D(2026, 8, 20)) == "in the school holidays"
    assert calendar.not_a_school_day(D(2026, 9, 3)) is None


# --- INSET days -------------------------------------------------------------------------------
def test_inset_days_are_not_school_days_in_any_count():
    inset = {D(2026, 9, 2), D(2026, 9, 3), D(2027, 1, 4)}
    calendar = SchoolCalendar(inset_days={2026: inset})
    assert calendar.inset_days(2026) == frozenset(inset) and calendar.inset_days(2027) == frozenset()
    assert all(not calendar.is_school_day(day) and calendar.is_inset_day(day) for day in inset)
    assert CALENDAR.is_school_day(D(2026, 9, 2))                  # no INSET days by default
    assert calendar.school_day_on_or_after(D(2026, 9, 1)) == D(2026, 9, 4)
    assert calendar.school_day_on_or_before(D(2027, 1, 4)) == D(2026, 12, 18)
    # Left on the last day of the summer term: the first school day is Friday 4 September.
    assert add_school_days(D(2026, 7, 22), 1, calendar) == D(2026, 9, 4)
    assert add_school_days(D(2026, 7, 22), 1) == D(2026, 9, 2)
    # Left at Christmas: the INSET day on Monday 4 January puts the deadline one school day on.
    assert add_school_days(D(2026, 12, 18), TRANSFER_SCHOOL_DAYS) == D(2027, 1, 22)
    assert add_school_days(D(2026, 12, 18), TRANSFER_SCHOOL_DAYS, calendar) == D(2027, 1, 25)


@pytest.mark.parametrize("day, message", [
    (D(2027, 9, 1), "outside the 2026/27 school year"),
    (D(2026, 9, 5), "is a Saturday"),
    (D(2027, 5, 3), r"is a bank holiday \(Early May bank holiday\)"),
    ("2026-09-02", "must be a date"),
])
def test_impossible_inset_days_are_refused(day, message):
    with pytest.raises(ValidationError, match=message):
        check_inset_days(2026, [day])
    with pytest.raises(ValidationError, match=message):
        SchoolCalendar(inset_days={2026: [day]})


# --- a damaged file ---------------------------------------------------------------------------
def _shipped_data() -> dict:
    return json.loads(resource_path(bank_holidays.FILE_NAME).read_text(encoding="utf-8"))


def _write(tmp_path: Path, data) -> Path:
    path = tmp_path / bank_holidays.FILE_NAME
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _entries(data: dict, year: int) -> list[dict]:
    return data["years"][str(year)]


def test_the_shipped_file_loads_through_the_checks(tmp_path):
    copy = tmp_path / bank_holidays.FILE_NAME
    shutil.copy(resource_path(bank_holidays.FILE_NAME), copy)
    assert bank_holidays.load(copy) == shipped()


def _missing_year(data):
    del data["years"]["2027"]


def _bad_date(data):
    _entries(data, 2027)[3]["date"] = "2027-02-30"


def _uk_date(data):
    _entries(data, 2027)[3]["date"] = "03/05/2027"


def _duplicate(data):
    _entries(data, 2027).append(dict(_entries(data, 2027)[3]))


def _weekend(data):
    _entries(data, 2027)[-1]["date"] = "2027-12-25"


def _wrong_year(data):
    _entries(data, 2027).append({"date": "2028-01-03", "name": "New Year's Day (substitute day)"})


def _no_name(data):
    _entries(data, 2027)[0]["name"] = "  "


def _one_lost(data):
    del _entries(data, 2027)[0]


def _short_range(data):
    data["last_year"] = 2030
    for year in range(2031, 2036):
        del data["years"][str(year)]


def _extra_year(data):
    data["years"]["2036"] = data["years"]["2035"]


@pytest.mark.parametrize("damage, message", [
    (_missing_year, "the year 2027 is missing"),
    (_bad_date, "'2027-02-30' in 2027 is not a real date"),
    (_uk_date, "'03/05/2027' in 2027 is not a date written YYYY-MM-DD"),
    (_duplicate, "2027-05-03 is listed twice in 2027"),
    (_weekend, "2027-12-25 is a Saturday"),
    (_wrong_year, "2028-01-03 is listed under 2027"),
    (_no_name, "2027-01-01 has no name"),
    (_one_lost, "2027 has 7 bank holidays"),
    (_short_range, "it covers 2020 to 2030, but sendesk needs every year from 2020 to 2035"),
    (_extra_year, "\"2036\", which is not a year from 2020 to 2035"),
])
def test_a_damaged_file_is_refused_with_the_fault_named(tmp_path, damage, message):
    data = _shipped_data()
    damage(data)
    with pytest.raises(BankHolidayFileError) as refused:
        bank_holidays.load(_write(tmp_path, data))
    text = str(refused.value)
    assert text.startswith(f"sendesk's reference file {bank_holidays.FILE_NAME} is damaged: ")
    assert message in text and text.endswith("Reinstall sendesk to restore it.")


def test_a_file_that_is_not_json_or_not_there_is_refused(tmp_path):
    with pytest.raises(BankHolidayFileError, match="is damaged: it is not valid JSON"):
        bank_holidays.load(_write(tmp_path, '{"first_year": 2020,'))
    with pytest.raises(BankHolidayFileError, match="is missing"):
        bank_holidays.load(tmp_path / "nowhere.json")
    with pytest.raises(BankHolidayFileError, match="not a JSON object"):
        bank_holidays.load(_write(tmp_path, "[]"))
