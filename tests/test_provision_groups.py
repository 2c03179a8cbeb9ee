"""Provision groups: made from the library or from scratch, members joining and leaving, the
weekly times with their clash warnings, and the one cost shared among the members present."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.groups_support import PHONICS, make_group, pupils

from sendesk.errors import PermissionDenied, ValidationError
from sendesk.models import provision_groups as rules
from sendesk.models.provision_groups import Membership
from sendesk.records import provision_groups as groups

D = dt.date


# --- the sharing rule ---------------------------------------------------------------------
def test_each_school_days_cost_is_shared_among_the_members_present_that_day():
    """Two school weeks, 09/11 to 20/11/2026, costing £100 (£10 a school day): A is there
    throughout, B for the first week, C from the second. Week 1: £10 / 2 each to A and B;
    week 2: £10 / 2 to A and C. The weekend between carries nothing."""
    run = rules.run_of(D(2026, 11, 9), D(2026, 11, 20), 2, 10_000)
    assert run.days == 10
    members = [Membership(1, D(2026, 11, 9)), Membership(2, D(2026, 11, 9), D(2026, 11, 13)),
               Membership(3, D(2026, 11, 16))]
    assert rules.shares(run, members) == {1: 5_000, 2: 2_500, 3: 2_500}
    # Over the first three days only: £30, half each to A and B.
    assert rules.shares(run, members, D(2026, 11, 9), D(2026, 11, 11)) == {1: 1_500, 2: 1_500}
    assert rules.cost_in_period(run, members, D(2026, 11, 19), D(2026, 12, 1)) == 2_000


def test_joining_on_a_saturday_costs_the_same_as_joining_on_the_monday():
    run = rules.run_of(D(2026, 11, 9), D(2026, 11, 20), 2, 10_000)
    first = [Membership(1, D(2026, 11, 9))]
    on_saturday = rules.shares(run, [*first, Membership(2, D(2026, 11, 14))])
    on_monday = rules.shares(run, [*first, Membership(2, D(2026, 11, 16))])
    assert on_saturday == on_monday == {1: 7_500, 2: 2_500}


def test_holidays_bank_holidays_and_inset_days_carry_no_cost():
    from sendesk.models.calendar import SchoolCalendar
    # 19/10 to 06/11/2026 spans the autumn half-term: ten school days, not nineteen.
    run = rules.run_of(D(2026, 10, 19), D(2026, 11, 6), 3, 1_000)
    assert run.days == 10
    # A member only in the half-term holiday pays nothing.
    assert rules.shares(run, [Membership(1, D(2026, 10, 24), D(2026, 11, 1))]) == {1: 0}
    # The school's INSET day on Monday 02/11 is not a school day either.
    inset = rules.SchoolDays(SchoolCalendar(inset_days={2026: [D(2026, 11, 2)]}))
    assert rules.run_of(D(2026, 10, 19), D(2026, 11, 6), 3, 1_000, inset).days == 9


def test_days_with_no_member_are_charged_to_nobody_and_shares_round_once():
    run = rules.run_of(D(2026, 11, 10), D(2026, 11, 12), 1, 1_000)   # £3.333... a day
    assert rules.shares(run, [Membership(7, D(2026, 11, 11))]) == {7: 667}
    three = [Membership(p, D(2026, 11, 10)) for p in (1, 2, 3)]
    assert rules.shares(run, three) == {1: 333, 2: 333, 3: 333}


def test_a_group_with_no_end_date_is_costed_over_its_planned_school_weeks():
    # Two planned weeks from 19/10/2026: the half-term week holds no school day, so the run
    # is the week of 19/10 and the week of 02/11, to Sunday 08/11.
    run = rules.run_of(D(2026, 10, 19), None, 2, 1_400)
    assert (run.end, run.days) == (D(2026, 11, 8), 10)
    assert rules.shares(run, [Membership(1, D(2026, 11, 2))]) == {1: 700}
    # Joining after the planned weeks: no share of the cost (the page says why).
    assert rules.shares(run, [Membership(2, D(2026, 11, 9))]) == {}


def test_slot_times_are_checked():
    assert rules.clean_slot({"day": "tue", "start_time": "9.05", "end_time": "09:35"}) == {
        "day": 2, "start_time": "09:05", "end_time": "09:35", "place": ""}
    for raw, words in [({"day": "Saturday", "start_time": "9:00", "end_time": "9:30"}, "Monday"),
                       ({"day": 1, "start_time": "9:30", "end_time": "9:30"},
                        "^To must be later than From[.]$"),
                       ({"day": 1, "start_time": "25:00", "end_time": "9:30"},
                        "^From '25:00' is not a time")]:
        with pytest.raises(ValidationError, match=words):
            rules.clean_slot(raw)


# --- groups in the database -----------------------------------------------------------------
def test_a_group_from_scratch_with_members_and_their_shares(senco_session):
    a, b = pupils(senco_session, "Adeyemi", "Brown")
    group_id = make_group(senco_session)
    groups.add_member(senco_session, group_id, a, "02/11/2026")
    groups.add_member(senco_session, group_id, b, "16/11/2026")
    group = groups.get_group(senco_session, group_id)
    assert (group.name, group.staff_name, group.cost_total_pence, group.run.days) == (
        "Year 4 phonics group", "Mrs Khan", 40_000, 20)
    # 20 school days (02/11 to 27/11/2026) at £400, £20 each: A alone for the first 10,
    # then A and B for the last 10.
    assert group.shares() == {a: 30_000, b: 10_000}
    [mine] = groups.groups_of_pupil(senco_session, b)
    assert mine.group.id == group_id and mine.share_pence == 10_000


def test_joining_defaults_to_today_and_a_leaver_stops_sharing(senco_session, clock):
    a, b = pupils(senco_session, "Adeyemi", "Brown")
    group_id = make_group(senco_session)
    member_a = groups.add_member(senco_session, group_id, a).id
    groups.add_member(senco_session, group_id, b)
    group = groups.get_group(senco_session, group_id)
    assert {m.joined_on for m in group.members} == {clock.today()}   # 23/11/2026
    groups.member_leaves(senco_session, member_a, "24/11/2026")
    group = groups.get_group(senco_session, group_id)
    assert [m.pupil_id for m in group.present_on(D(2026, 11, 25))] == [b]
    shares = group.shares()
    assert shares[b] > shares[a] and len(groups.groups_of_pupil(senco_session, a)) == 1
    clock.advance(dt.timedelta(days=2))   # after their last day, it is in their past
    assert groups.groups_of_pupil(senco_session, a) == []
    assert len(groups.groups_of_pupil(senco_session, a, include_past=True)) == 1


def test_bad_dates_change_nothing(senco_session):
    a, = pupils(senco_session, "Adeyemi")
    group_id = make_group(senco_session)
    before = senco_session.db.scalar("SELECT count(*) FROM provision_group_members")
    with pytest.raises(ValidationError, match="starts on 02/11/2026"):
        groups.add_member(senco_session, group_id, a, "01/11/2026")
    member = groups.add_member(senco_session, group_id, a, "03/11/2026").id
    with pytest.raises(ValidationError, match="already in this group"):
        groups.add_member(senco_session, group_id, a, "10/11/2026")
    with pytest.raises(ValidationError, match="joined on 03/11/2026"):
        groups.member_leaves(senco_session, member, "02/11/2026")
    with pytest.raises(ValidationError, match="end date must be on or after"):
        groups.create_group(senco_session, {**PHONICS, "end_date": "01/11/2026"})
    with pytest.raises(ValidationError, match="Cost of the whole group"):
        groups.create_group(senco_session, {**PHONICS, "cost_total": "lots"})
    assert senco_session.db.scalar("SELECT count(*) FROM provision_group_members") == before + 1


def test_ending_a_group_closes_its_memberships(senco_session):
    a, = pupils(senco_session, "Adeyemi")
    group_id = make_group(senco_session, end_date="")
    groups.add_member(senco_session, group_id, a, "02/11/2026")
    with pytest.raises(ValidationError, match="before it started"):
        groups.end_group(senco_session, group_id, "01/10/2026")
    groups.end_group(senco_session, group_id, "20/11/2026")
    group = groups.get_group(senco_session, group_id)
    assert group.end_date == D(2026, 11, 20) and group.members[0].left_on == D(2026, 11, 20)
    assert groups.list_groups(senco_session) == []
    assert [g.id for g in groups.list_groups(senco_session, include_ended=True)] == [group_id]


def test_editing_a_group_keeps_members_inside_its_dates(senco_session):
    a, = pupils(senco_session, "Adeyemi")
    group_id = make_group(senco_session)
    groups.add_member(senco_session, group_id, a, "09/11/2026")
    assert groups.update_group(senco_session, group_id, {"cost_total": "£520.50",
                                                         "staff_name": "Mr Jones"}) == [
        "staff_name", "staff_key", "cost_total"]
    assert groups.get_group(senco_session, group_id).cost_total_pence == 52_050
    with pytest.raises(ValidationError, match="before that start date"):
        groups.update_group(senco_session, group_id, {"start_date": "10/11/2026"})
    assert groups.update_group(senco_session, group_id, {"name": "Year 4 phonics group"}) == []


def test_a_group_made_from_a_library_item_is_filled_from_it(senco_session):
    library_id = senco_session.db.scalar(
        "INSERT INTO provision_library (name, name_key, area, description, staff_role,"
        " group_size, sessions_per_week, minutes, weeks, hourly_cost, created_at)"
        " VALUES ('Talk Boost', 'talk boost', 'CI', 'Language group', 'Teaching assistant',"
        " 4, 3, 40, 10, 18.5, '2026-11-01') RETURNING id")
    filled = groups.library_defaults(senco_session, library_id)
    assert filled["cost_total"] == "370.00"      # 3 x 40 min x 10 weeks at £18.50
    group_id = groups.create_group(senco_session, {"library_id": library_id,
                                                   "staff_name": "Mrs Khan",
                                                   "start_date": "02/11/2026", "weeks": "12"})
    group = groups.get_group(senco_session, group_id)
    assert (group.name, group.area, group.library_id, group.staff_role, group.weeks,
            group.cost_total_pence) == ("Talk Boost", "CI", library_id, "Teaching assistant",
                                        12, 37_000)


def test_a_slot_clashing_for_a_pupil_or_the_staff_member_is_saved_with_a_warning(senco_session):
    a, b = pupils(senco_session, "Adeyemi", "Brown")
    phonics = make_group(senco_session)
    maths = make_group(senco_session, name="Number sense", staff_name="Mr Jones")
    reading = make_group(senco_session, name="Reading club", staff_name="  mrs KHAN ")
    groups.add_member(senco_session, phonics, a, "02/11/2026")
    groups.add_member(senco_session, maths, a, "02/11/2026")
    groups.add_member(senco_session, maths, b, "02/11/2026")
    groups.add_slot(senco_session, maths, {"day": "1", "start_time": "09:00",
                                           "end_time": "09:30", "place": "Library"})
    groups.add_slot(senco_session, reading, {"day": "1", "start_time": "09:20",
                                             "end_time": "09:40"})
    slot = {"day": "Monday", "start_time": "09:15", "end_time": "09:45", "place": "Room 4"}
    preview = groups.slot_clashes(senco_session, phonics, slot)
    saved = groups.add_slot(senco_session, phonics, slot)
    assert [c.text for c in saved.clashes] == [c.text for c in preview] == [
        "Number sense also meets Monday 09:00-09:30: Adeyemi, Amara is in both.",
        "Reading club also meets Monday 09:20-09:40: Mrs Khan runs both."]
    # Back to back is no clash; the same group twice at once is refused.
    assert groups.add_slot(senco_session, phonics, {"day": 1, "start_time": "09:45",
                                                    "end_time": "10:00"}).clashes == ()
    with pytest.raises(ValidationError, match="already meets Monday 09:15-09:45"):
        groups.add_slot(senco_session, phonics, {"day": 1, "start_time": "09:30",
                                                 "end_time": "09:50"})
    # A new member whose other group meets at the same time is warned about too.
    joined = groups.add_member(senco_session, phonics, b, "09/11/2026")
    assert [c.group_name for c in joined.clashes] == ["Number sense"]


def test_staff_may_read_groups_but_not_change_them(senco_session, staff_session):
    group_id = make_group(senco_session)
    assert [g.id for g in groups.list_groups(staff_session)] == [group_id]
    with pytest.raises(PermissionDenied):
        groups.add_slot(staff_session, group_id, {"day": 1, "start_time": "9:00",
                                                  "end_time": "9:30"})


def test_changes_are_audited_without_pupils_names(senco_session):
    from tests.records_fixtures import audit_text
    a, = pupils(senco_session, "Adeyemi")
    group_id = make_group(senco_session)
    groups.add_member(senco_session, group_id, a, "02/11/2026")
    actions = [r["action"] for r in senco_session.db.query("SELECT action FROM audit_log ORDER BY id")]
    assert "made a provision group" in actions and "added a pupil to a provision group" in actions
    assert "Adeyemi" not in audit_text(senco_session)


def test_a_member_can_be_deleted_after_retention_and_memberships_never_travel(senco_session,
                                                                                clock):
    from sendesk.records import pupils as pupil_records
    from sendesk.transfer.record import dump_record, owned_tables
    a, b = pupils(senco_session, "Adeyemi", "Brown")
    group_id = make_group(senco_session)
    groups.add_members(senco_session, group_id, [a, b], "02/11/2026")
    assert "provision_group_members" not in {t.name for t in owned_tables(senco_session.db)}
    assert "provision_group_members" not in str(dump_record(senco_session, b))
    pupil_records.archive_leaver(senco_session, a, clock.today(), "Moved away")
    clock.advance(dt.timedelta(days=366 * 32))
    pupil_records.delete_after_retention(senco_session, a)
    assert [m.pupil_id for m in groups.get_group(senco_session, group_id).members] == [b]


def test_reading_groups_is_audited_with_counts_and_changes_do_not_add_reads(senco_session):
    import json
    a, b = pupils(senco_session, "Adeyemi", "Brown")
    group_id = make_group(senco_session)
    groups.add_members(senco_session, group_id, [a, b], "02/11/2026")

    def reads():
        return [(r["action"], r["target_id"], json.loads(r["detail"] or "{}"))
                for r in senco_session.db.query("SELECT * FROM audit_log WHERE action LIKE"
                                                " 'viewed%' ORDER BY id")]
    assert reads() == []            # making the group and adding pupils read it unaudited
    groups.list_groups(senco_session)
    groups.get_group(senco_session, group_id)
    assert reads() == [("viewed the provision groups", None, {"groups": 1, "pupils": 2}),
                       ("viewed a provision group", str(group_id), {"pupils": 2})]
    groups.list_groups(senco_session, audit=False)     # the page reading again after a change
    assert len(reads()) == 2


def test_years_apart_asks_only_past_three_year_groups():
    from sendesk.models.provision_groups import years_apart
    assert years_apart(["3", "4"], [("Ali, Sam", "5")]) is None            # Years 3 to 5
    assert years_apart(["R"], [("Ali, Sam", "1")]) is None
    assert years_apart(["5"], [("Ali, Sam", "N1")]) == (
        "The group would have pupils from Nursery 1 to Year 5. Check these are the pupils you "
        "meant: Ali, Sam (Nursery 1).")
    assert years_apart([], [("Ali, Sam", "5")]) is None                    # nobody to compare
    many = years_apart(["4"], [(f"Pupil {n}", "10") for n in range(8)])
    assert many is not None and many.endswith("Pupil 4 (Year 10); and 3 more.")
