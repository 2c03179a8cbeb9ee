"""What the group forms warn about before they save, in plain words, never refusing: a group
starting or ending, or a pupil joining or leaving, on a day the school is closed by its own
calendar; weekly times that are not as many as the sessions a week (or the library item's);
two groups in the same place at once, and a member of staff timetabled in two at once (a new
time, or an edit that changes who runs it). An edit is warned only about what it changes."""

from __future__ import annotations

import datetime as dt

from tests.groups_support import PHONICS, make_group, pupils

from sendesk.records import provision_groups as groups
from sendesk.records import school_calendar

D = dt.date
MONDAY = {"day": 1, "start_time": "09:00", "end_time": "09:30"}


def test_a_day_the_school_is_closed_is_warned_about_naming_the_nearest_school_day(senco_session):
    assert groups.group_warnings(senco_session, {**PHONICS, "start_date": "28/11/2026",
                                                 "end_date": "25/12/2026"}) == [
        "The start date, Saturday 28/11/2026, is at the weekend: the school is closed that day "
        "(the next school day is Monday 30/11/2026).",
        "The end date, Friday 25/12/2026, is a bank holiday (Christmas Day): the school is "
        "closed that day (the last school day before it is Friday 18/12/2026)."]
    assert groups.group_warnings(senco_session, {**PHONICS, "start_date": "28/10/2026"}) == [
        "The start date, Wednesday 28/10/2026, is in the school holidays: the school is closed "
        "that day (the next school day is Monday 02/11/2026)."]
    assert groups.group_warnings(senco_session, PHONICS) == []
    group = make_group(senco_session)
    [a] = pupils(senco_session, "Adeyemi")
    assert groups.joining_warnings(senco_session, group, [a], "07/11/2026") == [
        "The joining date, Saturday 07/11/2026, is at the weekend: the school is closed that "
        "day (the next school day is Monday 09/11/2026)."]
    saved = groups.add_member(senco_session, group, a, "07/11/2026")      # never refused
    assert groups.leaving_warnings(senco_session, saved.id, "22/11/2026") == [
        "The leaving date, Sunday 22/11/2026, is at the weekend: the school is closed that day "
        "(the last school day before it is Friday 20/11/2026)."]
    assert groups.leaving_warnings(senco_session, saved.id, "20/11/2026") == []
    assert groups.end_warnings(senco_session, group, "21/11/2026")[0].startswith(
        "The last day of the group, Saturday 21/11/2026, is at the weekend")


def test_the_schools_own_calendar_says_which_days_are_closed(senco_session):
    # An INSET day the school set is closed; the same Monday elsewhere would be open.
    school_calendar.save_inset_days(senco_session, 2026, [D(2026, 11, 30)])
    assert groups.group_warnings(senco_session, {**PHONICS, "start_date": "30/11/2026",
                                                 "end_date": ""}) == [
        "The start date, Monday 30/11/2026, is an INSET day: the school is closed that day "
        "(the next school day is Tuesday 01/12/2026)."]


def test_weekly_times_not_matching_the_sessions_a_week_are_warned_about(senco_session):
    group = make_group(senco_session)                      # three sessions a week
    for day in (1, 3):
        assert groups.slot_warnings(senco_session, group, {**MONDAY, "day": day}) == []
        groups.add_slot(senco_session, group, {**MONDAY, "day": day})
    groups.add_slot(senco_session, group, {**MONDAY, "day": 5})
    assert groups.slot_warnings(senco_session, group, {**MONDAY, "day": 2}) == [
        "It is planned for 3 sessions a week, but its timetable has it meeting 4 times a week: "
        "change the sessions a week, or the times."]
    friday = next(s for s in groups.get_group(senco_session, group).slots if s.day == 5)
    assert groups.removal_warnings(senco_session, friday.id) == [
        "It is planned for 3 sessions a week, but its timetable has it meeting twice a week: "
        "change the sessions a week, or the times."]
    assert groups.group_warnings(senco_session, {"sessions_per_week": "2"}, group) == [
        "It is planned for 2 sessions a week, but its timetable has it meeting 3 times a week: "
        "change the sessions a week, or the times."]
    # An edit that leaves the sessions (and the dates) alone is not asked about them again.
    assert groups.group_warnings(senco_session, {"name": "Phonics"}, group) == []


def test_a_group_from_the_library_is_told_the_librarys_frequency(senco_session):
    library_id = next(row["id"] for row in senco_session.db.query(
        "SELECT id FROM provision_library WHERE name = 'Phonics catch-up group'"))
    group = groups.create_group(senco_session, {**PHONICS, "library_id": library_id,
                                                "sessions_per_week": "3"})
    groups.add_slot(senco_session, group, MONDAY)
    assert groups.group_warnings(senco_session, {"sessions_per_week": "2"}, group) == [
        "It is planned for 2 sessions a week, but its timetable has it meeting once a week "
        "(the library's Phonics catch-up group is 4 a week): change the sessions a week, or "
        "the times."]


def test_two_groups_in_one_place_or_one_adult_in_two_groups_at_once(senco_session):
    phonics = make_group(senco_session)
    maths = make_group(senco_session, name="Number sense", staff_name="Mr Jones")
    groups.add_slot(senco_session, maths, {**MONDAY, "place": "Room 4"})
    groups.add_slot(senco_session, phonics, {**MONDAY, "start_time": "09:15",
                                             "end_time": "09:45", "place": "Library"})
    assert groups.slot_warnings(senco_session, phonics, {
        "day": 1, "start_time": "09:20", "end_time": "09:40", "place": " room  4"}) == [
        "Number sense also meets Monday 09:00-09:30: both use Room 4."]
    assert groups.slot_warnings(senco_session, phonics, {
        "day": 1, "start_time": "09:30", "end_time": "09:40", "place": "Room 4"}) == []
    # Mr Jones takes over the phonics group: he would be in two groups at once.
    assert groups.group_warnings(senco_session, {"staff_name": "mr  jones"}, phonics) == [
        "Number sense also meets Monday 09:00-09:30: mr  jones runs both."]
    groups.update_group(senco_session, phonics, {"staff_name": "Mr Jones"})      # not refused
    assert groups.group_warnings(senco_session, {"name": "Phonics"}, phonics) == []
    # A group that does not run then (it ended before) clashes with nothing.
    later = make_group(senco_session, name="Spring group", staff_name="Mr Jones",
                       start_date="04/01/2027", end_date="")
    assert groups.slot_warnings(senco_session, later, {**MONDAY, "place": "Room 4"}) == []
