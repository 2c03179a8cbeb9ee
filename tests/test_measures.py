"""Entry and exit measures on a pupil's provision: ages typed as years and months, values
bounded by kind, the exit never before the entry, the gain in the measure's own units, and for
reading and spelling ages the gain in months and the ratio gain."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from tests.apdr_support import assess, plan, sen_support_pupil

from sendesk.errors import FieldFaults, PermissionDenied, ValidationError
from sendesk.models import measures as m
from sendesk.models.measures import Measure, MeasureKind
from sendesk.records import apdr, measures

D = dt.date


@pytest.mark.parametrize("typed, months", [
    ("7y 4m", 88), ("7y4m", 88), ("7 years 4 months", 88), ("7:04", 88), ("7:4", 88),
    ("8y", 96), ("1y 0m", 12), ("20:00", 240), ("  10Y 11M ", 131)])
def test_ages_are_typed_in_years_and_months(typed, months):
    assert m.parse_age(typed, "Reading age") == months


@pytest.mark.parametrize("typed, says", [
    ("7.4", "years and months"), ("88", "years and months"), ("7y 12m", "0 to 11"),
    ("0y 11m", "from 1y 0m to 20y 0m"), ("20y 1m", "from 1y 0m"), ("", "years and months")])
def test_ages_that_cannot_be_read_are_refused(typed, says):
    with pytest.raises(ValidationError, match=says):
        m.parse_age(typed, "Reading age")


@pytest.mark.parametrize("kind, typed, value", [
    (MeasureKind.STANDARDISED, "85", 85.0), (MeasureKind.STANDARDISED, "40", 40.0),
    (MeasureKind.SCALED, "120", 120.0), (MeasureKind.SCHOOL_SCALE, "-3.5", -3.5),
    (MeasureKind.SPELLING_AGE, "9:02", 110.0)])
def test_values_are_typed_by_kind(kind, typed, value):
    assert m.parse_value(kind, typed, "Entry value") == value


@pytest.mark.parametrize("kind, typed, says", [
    (MeasureKind.STANDARDISED, "39", "outside 40 to 160"),
    (MeasureKind.STANDARDISED, "161", "outside 40 to 160"),
    (MeasureKind.SCALED, "79", "outside 80 to 120"),
    (MeasureKind.STANDARDISED, "ninety", "not a number"),
    (MeasureKind.SCHOOL_SCALE, "1e9", "not a number"),
    (MeasureKind.SCHOOL_SCALE, "", "required")])
def test_values_outside_their_kind_are_refused(kind, typed, says):
    with pytest.raises(ValidationError, match=says):
        m.parse_value(kind, typed, "Entry value")


def test_months_elapsed_are_days_over_the_average_month():
    assert m.months_elapsed(D(2026, 9, 7), D(2026, 12, 7)) == Decimal("3.0")   # 91 days
    assert m.months_elapsed(D(2026, 9, 7), D(2026, 12, 6)) == Decimal("3.0")   # 90 days
    assert m.months_elapsed(D(2026, 9, 1), D(2026, 9, 16)) == Decimal("0.5")
    assert m.months_elapsed(D(2026, 1, 31), D(2026, 1, 31)) == 0


def test_the_reviewers_two_months_are_not_counted_as_one():
    # 1 September to 31 October: 60 days, about two months; whole calendar months said one
    # and a ratio gain of 9.0.
    measure = Measure(1, 1, 1, MeasureKind.READING_AGE, "Salford reading age", 88, D(2026, 9, 1),
                      97, D(2026, 10, 31))
    assert measure.months_elapsed == Decimal("2.0")
    assert measure.ratio_gain == Decimal("4.6")
    assert measure.gain_text() == "+9 months in 2 months (ratio gain 4.6)"


def test_a_reading_age_gives_its_gain_in_months_and_its_ratio_gain():
    # 7y 4m to 8y 1m (9 months gained) between 7 September and 7 January (4 months).
    measure = Measure(1, 1, 1, MeasureKind.READING_AGE, "Salford reading age", 88, D(2026, 9, 7),
                      97, D(2027, 1, 7))
    assert measure.gain == 9 and measure.months_elapsed == 4
    assert measure.ratio_gain == Decimal("2.2")     # 122 days is 4.01 months
    assert measure.gain_text() == "+9 months in 4 months (ratio gain 2.2)"


def test_a_standardised_score_gives_its_gain_in_points_and_no_ratio():
    measure = Measure(1, 1, 1, MeasureKind.STANDARDISED, "Sandwell", 82, D(2026, 9, 7), 89,
                      D(2027, 1, 7))
    assert measure.gain == 7 and measure.ratio_gain is None
    assert measure.gain_text() == "+7 points"
    assert Measure(1, 1, 1, MeasureKind.STANDARDISED, "x", 82, D(2026, 9, 7), None,
                   None).gain_text() == ""


def test_no_ratio_gain_when_less_than_a_month_has_passed():
    measure = Measure(1, 1, 1, MeasureKind.SPELLING_AGE, "SWST", 88, D(2026, 9, 7), 90,
                      D(2026, 9, 30))
    assert measure.ratio_gain is None and measure.gain_text() == "+2 months in 3 weeks"


def _item(session):
    pupil = sen_support_pupil(session)
    apdr.open_pathway(session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(session, pupil).current_cycle.id
    assess(session, cycle, D(2026, 11, 23))
    plan(session, cycle, D(2026, 11, 23), D(2027, 2, 12))
    return pupil, apdr.get_cycle(session, cycle).plan.items[0].id


ENTRY = {"kind": "reading_age", "name": "Salford reading age", "entry_value": "7y 4m",
         "entry_date": "02/11/2026"}


def test_the_senco_records_an_entry_then_the_exit_and_sees_the_gain(senco_session):
    pupil, item = _item(senco_session)
    measure_id = measures.record_measure(senco_session, item, ENTRY)
    [shown] = measures.measures_for_item(senco_session, item)
    assert (shown.id, shown.pupil_id, shown.entry_value, shown.exit_value) == (
        measure_id, pupil, 88, None)
    changed = measures.update_measure(senco_session, measure_id, {"exit_value": "7:09",
                                                                  "exit_date": "23/11/2026"})
    assert changed == ["exit_value", "exit_date"]
    [shown] = measures.measures_for_pupil(senco_session, pupil)
    assert shown.gain == 5 and shown.gain_text() == "+5 months in 3 weeks"
    trail = senco_session.db.query("SELECT field, old_value, new_value FROM field_changes"
                                   " WHERE record_type = 'measure'")
    assert [(r["field"], r["old_value"]) for r in trail] == [("exit_value", None),
                                                             ("exit_date", None)]


@pytest.mark.parametrize("change, says", [
    ({"exit_value": "8y", "exit_date": "01/11/2026"}, "cannot be before the entry date"),
    ({"exit_value": "8y"}, "date the exit value was taken"),
    ({"exit_date": "20/11/2026"}, "exit value as well"),
    ({"entry_date": "24/11/2026"}, "cannot be after today"),
    ({"entry_value": "7.4"}, "years and months"),
    ({"kind": "iq"}, "kind of measure"),
    ({"name": ""}, "Name of the measure is required"),
])
def test_bad_entries_are_refused_and_nothing_is_stored(senco_session, change, says):
    _pupil, item = _item(senco_session)
    with pytest.raises(ValidationError, match=says):
        measures.record_measure(senco_session, item, {**ENTRY, **change})
    assert measures.measures_for_item(senco_session, item) == []


def test_a_date_typed_wrong_is_refused_among_the_other_faults_by_its_label(senco_session):
    """The form hands its dates over as typed: the core says an unreadable one together with
    every other fault of the Save, naming each date as the form labels it."""
    _pupil, item = _item(senco_session)
    with pytest.raises(FieldFaults) as refused:
        measures.record_measure(senco_session, item, {
            **ENTRY, "entry_value": "lots", "entry_date": "31/02/2026", "exit_value": "-",
            "exit_date": "99/99/9999"})
    assert [fault.field for fault in refused.value.faults] == [
        "Entry value", "Entry taken on", "Exit value", "Exit taken on"]
    assert str(refused.value.faults[1]).startswith("Entry taken on '31/02/2026' is not a real")
    assert measures.measures_for_item(senco_session, item) == []


def test_one_measure_of_a_name_per_line_and_a_mistake_is_removed(senco_session):
    _pupil, item = _item(senco_session)
    first = measures.record_measure(senco_session, item, ENTRY)
    with pytest.raises(ValidationError, match="already has a 'Salford reading age'"):
        measures.record_measure(senco_session, item, {**ENTRY, "name": "salford READING age"})
    measures.remove_measure(senco_session, first, "Entered on the wrong pupil")
    assert measures.measures_for_item(senco_session, item) == []
    measures.record_measure(senco_session, item, ENTRY)


def test_staff_read_measures_but_may_not_record_them(senco_session, staff_session):
    _pupil, item = _item(senco_session)
    measures.record_measure(senco_session, item, ENTRY)
    assert len(measures.measures_for_item(staff_session, item)) == 1
    with pytest.raises(PermissionDenied):
        measures.record_measure(staff_session, item, ENTRY)


def test_a_pupils_measures_go_when_the_pupil_is_deleted(senco_session):
    pupil, item = _item(senco_session)
    measures.record_measure(senco_session, item, ENTRY)
    with senco_session.db.transaction():
        senco_session.db.execute("DELETE FROM pupils WHERE id = ?", (pupil,))
    assert senco_session.db.scalar("SELECT count(*) FROM provision_measures") == 0


def test_a_transferred_record_carries_the_measures_but_not_the_schools_library_ids(
        senco_session):
    from sendesk.records import provision_library
    from sendesk.transfer.record import dump_record
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 23))
    mentoring = next(i for i in provision_library.list_items(senco_session)
                     if i.name == "Mentoring")
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12),
         items=[mentoring.provision_line()])
    item = apdr.get_cycle(senco_session, cycle).plan.items[0]
    assert item.library_id == mentoring.id
    measures.record_measure(senco_session, item.id, ENTRY)
    tables = dump_record(senco_session, pupil).record["tables"]
    assert [row["library_id"] for row in tables["apdr_provision_items"]] == [None]
    [sent] = tables["provision_measures"]
    assert (sent["item_id"], sent["entry_value"], sent["kind"]) == (item.id, 88, "reading_age")


# --- group members, and how early an entry may be -------------------------------------------
def _member(session):
    from tests.groups_support import make_group, pupils

    from sendesk.records import provision_groups
    group_id = make_group(session)
    pupil, = pupils(session, "Adeyemi")
    provision_groups.add_member(session, group_id, pupil, "02/11/2026")
    return group_id, pupil


def test_a_group_members_entry_and_exit_are_recorded_like_a_lines(senco_session):
    from tests.records_fixtures import audit_text
    group_id, pupil = _member(senco_session)
    measure_id = measures.record_group_measure(senco_session, group_id, pupil, ENTRY)
    row = senco_session.db.query_one("SELECT * FROM provision_measures WHERE id = ?",
                                     (measure_id,))
    assert (row["pupil_id"], row["group_id"], row["item_id"]) == (pupil, group_id, None)
    assert measures.update_measure(senco_session, measure_id, {
        "exit_value": "7:09", "exit_date": "23/11/2026"}) == ["exit_value", "exit_date"]
    [shown] = measures.measures_for_group(senco_session, group_id, pupil)
    assert (shown.group_id, shown.gain) == (group_id, 5)
    assert measures.measures_for_group(senco_session, group_id) == [shown]
    assert measures.measures_for_pupil(senco_session, pupil) == [shown]
    trail = senco_session.db.query("SELECT field FROM field_changes WHERE record_type = 'measure'"
                                   " AND record_id = ?", (measure_id,))
    assert [r["field"] for r in trail] == ["exit_value", "exit_date"]
    actions = [r["action"] for r in senco_session.db.query("SELECT action FROM audit_log ORDER BY id")]
    assert "recorded an entry measure" in actions
    assert "changed an entry or exit measure" in actions
    assert "Adeyemi" not in audit_text(senco_session)
    with pytest.raises(ValidationError, match="already has a 'Salford reading age'"):
        measures.record_group_measure(senco_session, group_id, pupil, ENTRY)


def test_a_group_measure_needs_a_member_and_the_senco(senco_session, staff_session):
    group_id, _pupil = _member(senco_session)
    stranger = sen_support_pupil(senco_session, surname="Brown")
    with pytest.raises(ValidationError, match="has not been in this group"):
        measures.record_group_measure(senco_session, group_id, stranger, ENTRY)
    with pytest.raises(PermissionDenied):
        measures.record_group_measure(staff_session, group_id, _pupil, ENTRY)
    assert senco_session.db.scalar("SELECT count(*) FROM provision_measures") == 0


@pytest.mark.parametrize("entry_date, says", [
    ("01/01/1900", "before the pupil's date of birth"),
    # The group starts on 02/11/2026: six weeks before is 21/09/2026.
    ("20/09/2026", "before 21/09/2026, six weeks before the group started (02/11/2026)")])
def test_an_entry_cannot_be_long_before_the_group_started(senco_session, entry_date, says):
    group_id, pupil = _member(senco_session)
    with pytest.raises(ValidationError, match=re.escape(says)):
        measures.record_group_measure(senco_session, group_id, pupil,
                                      {**ENTRY, "entry_date": entry_date})
    measures.record_group_measure(senco_session, group_id, pupil,
                                  {**ENTRY, "entry_date": "21/09/2026"})


def test_an_entry_cannot_be_long_before_the_line_started_nor_be_corrected_to_it(senco_session):
    _pupil, item = _item(senco_session)   # the line started on 23/11/2026
    with pytest.raises(ValidationError, match=re.escape(
            "cannot be before 12/10/2026, six weeks before the provision started (23/11/2026)")):
        measures.record_measure(senco_session, item, {**ENTRY, "entry_date": "11/10/2026"})
    measure_id = measures.record_measure(senco_session, item, ENTRY)
    with pytest.raises(ValidationError, match="date of birth"):
        measures.update_measure(senco_session, measure_id, {"entry_date": "01/01/1900"})
    [kept] = measures.measures_for_item(senco_session, item)
    assert kept.entry_date == D(2026, 11, 2)


def test_the_demo_measures_each_intervention_by_its_librarys_own_measure():
    """One intervention, one row: the demo's measure names are its library item's, and the
    kind the form would pick from the name is the kind the demo records."""
    from sendesk.demo.provision import EFFECTS
    from sendesk.models.measures import kind_of_name
    from sendesk.models.provision_library import load_suggested
    library = {item["name"]: item["measures"] for item in load_suggested()}
    for item, effect in EFFECTS.items():
        assert effect.name in library[item], (item, effect.name)
        assert kind_of_name(effect.name) is MeasureKind(effect.kind), effect.name
    every = [name for names in library.values() for name in names]
    assert [name for name in every if kind_of_name(name) is None] == []
    assert kind_of_name("Phonics screening check score") is MeasureKind.SCHOOL_SCALE
    assert kind_of_name("Sandwell numeracy standardised score") is MeasureKind.STANDARDISED
    assert kind_of_name("Salford reading age") is MeasureKind.READING_AGE
    assert kind_of_name("Single-word spelling age") is MeasureKind.SPELLING_AGE
    assert kind_of_name("BPVS-3") is None


def test_under_a_month_is_said_in_weeks_from_the_days():
    from sendesk.models.measures import elapsed_text
    start = D(2026, 9, 7)
    assert [elapsed_text(start, start + dt.timedelta(days=n)) for n in (0, 3, 10, 17, 23, 29,
                                                                        31, 46, 61)] == [
        "the same day", "under a week", "1 week", "2 weeks", "3 weeks", "4 weeks",
        "1 month", "1.5 months", "2 months"]
    same_day = Measure(1, 1, 1, MeasureKind.SPELLING_AGE, "SWST", 88, start, 90, start)
    assert same_day.gain_text() == "+2 months on the same day"
