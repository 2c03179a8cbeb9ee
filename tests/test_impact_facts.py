"""The impact facts (records/impact_facts.py) stay exactly what the history says after every
kind of edit, a review held however late still counts, and the day numbers worked out in SQL
for the migration agree with Python's."""

from __future__ import annotations

import datetime as dt

from tests import impact_reference
from tests.apdr_support import assess, plan, review, sen_support_pupil
from tests.impact_support import (
    OUTCOME,
    PRECISION,
    group_from_library,
    library_item,
    measure,
    pupil_on_item,
)
from tests.schema_before import old_school as make_old_school
from tests.schema_before import upgraded
from tests.store_tools import write_by_hand

from sendesk.models.measures import MeasureKind
from sendesk.records import (
    apdr,
    governors_report,
    impact,
    impact_facts,
    measures,
    pathway_plans,
    provision_groups,
    provision_map,
)
from sendesk.services import verify
from sendesk.store.day_numbers import day_number, day_number_sql

D = dt.date


def _same(session) -> None:
    held, expected = impact_facts.held(session.db), impact_facts.from_scratch(session.db)
    for table in expected:
        assert held[table] == expected[table], table


def _pupil_with_plan(session, surname: str, library: int, plan_date: D, review_date: D,
                     lines: int = 1) -> tuple[int, int]:
    pupil = sen_support_pupil(session, surname=surname, since=plan_date - dt.timedelta(days=6))
    apdr.open_pathway(session, pupil, plan_date - dt.timedelta(days=6))
    cycle = apdr.current_pathway(session, pupil).current_cycle.id
    assess(session, cycle, plan_date - dt.timedelta(days=5))
    plan(session, cycle, plan_date, review_date, outcomes=OUTCOME,
         items=[dict(PRECISION, library_id=library)] * lines)
    return pupil, cycle


def test_the_facts_equal_a_recount_from_scratch_after_every_kind_of_edit(senco_session, request):
    session = senco_session
    library = library_item(session, "Precision teaching")
    _same(session)
    first, cycle = _pupil_with_plan(session, "Facts", library, D(2026, 9, 7), D(2026, 11, 20),
                                    lines=2)
    _same(session)                                              # a plan agreed
    second, other = _pupil_with_plan(session, "Others", library, D(2026, 9, 8), D(2026, 11, 19))
    items = apdr.get_cycle(session, cycle).plan.items
    apdr.end_provision(session, items[1].id, D(2026, 10, 1), "Met the target early.")
    _same(session)                                              # a line ended early
    measure(session, first, item_id=items[0].id, entry=80, exit=88)
    _same(session)                                              # a measure taken on a line
    measure(session, first, item_id=items[1].id, name="YARC", kind="reading_age", entry=84)
    _same(session)                                              # an entry with no exit yet
    [yarc] = [r["id"] for r in session.db.query(
        "SELECT id FROM provision_measures WHERE name = 'YARC'")]
    measures.update_measure(session, yarc, {"exit_value": 90, "exit_date": D(2026, 9, 30)})
    _same(session)                                              # its exit recorded
    assert len(impact_facts.held(session.db)["impact_line_measures"]) == 2
    measures.update_measure(session, yarc, {"exit_date": D(2026, 9, 25)})
    _same(session)                                              # its exit date corrected
    measures.remove_measure(session, yarc, "Entered on the wrong line.")
    _same(session)                                              # removed: no longer counted
    assert len(impact_facts.held(session.db)["impact_line_measures"]) == 1
    review(session, cycle, D(2026, 11, 20), "continue_targeted", progress="achieved")
    _same(session)                                              # a review held, a new cycle
    new_cycle = apdr.current_pathway(session, first).current_cycle.id
    assert new_cycle != cycle
    assess(session, new_cycle, D(2026, 11, 23))
    plan(session, new_cycle, D(2026, 11, 23), D(2027, 2, 12), outcomes=OUTCOME,
         items=[dict(PRECISION, library_id=library)])
    _same(session)                                              # the next plan agreed
    review(session, other, D(2026, 11, 19), "back_to_ordinary", progress="achieved")
    _same(session)                                              # a pathway closed at review
    group = group_from_library(session, library, [first, second])
    _same(session)
    measures.record_group_measure(session, group, second, {
        "kind": "standardised", "name": "Sandwell", "entry_value": 75, "entry_date": D(2026, 9, 8),
        "exit_value": 81, "exit_date": D(2026, 11, 2)})
    _same(session)                                              # a group's (read with its group)
    facts = impact_facts.held(session.db)
    assert len(facts["impact_lines"]) == 4 and len(facts["plan_reviews"]) == 3
    assert len(facts["impact_reviews"]) == 2                    # the two reviews held
    # Each library line of a reviewed plan with its review (first's two, the other's one), and
    # the one complete measure on a line (the group's is not a line's).
    assert len(facts["impact_line_outcomes"]) == 3 and len(facts["impact_line_measures"]) == 1
    # Emptied by hand, the rule's own rebuild fills them the same again.
    for table in facts:
        write_by_hand(request, session, f"DELETE FROM {table}")
    impact_facts.rebuild(session.db)
    assert impact_facts.held(session.db) == facts


def test_a_review_held_long_after_its_date_still_counts_the_provision(senco_session):
    """The line runs until the review that closed its cycle: one held seven months late is
    in the impact table for those months (it was once looked for only 180 days back)."""
    session = senco_session
    library = library_item(session, "Precision teaching")
    _, cycle = _pupil_with_plan(session, "Late", library, D(2025, 9, 8), D(2025, 11, 20))
    review(session, cycle, D(2026, 6, 15), "continue_targeted", progress="achieved")
    found = impact.impact_table(session, "01/06/2026", "30/06/2026", audit=False)
    [row] = [r for r in found.lines if r.provision == "Precision teaching"]
    # £513 a year for the 15 days of June it still ran, and the outcome achieved at review.
    assert (row.pupils, row.cost_pence, row.pupils_reviewed, row.pupils_met) == (
        1, round(51_300 * 15 / 365), 1, 1)


def test_a_deleted_pupils_facts_go_and_the_others_stay(senco_session, clock):
    """A record deleted after retention takes its facts with it (the rule looks the saved
    pupils up by id); a save of anyone else, and the whole-school sweep, leave the rest."""
    from sendesk.records import pupils as pupil_records
    session = senco_session
    library = library_item(session, "Precision teaching")
    gone, _ = _pupil_with_plan(session, "Leaver", library, D(2026, 9, 7), D(2026, 11, 20))
    kept, _ = _pupil_with_plan(session, "Stayer", library, D(2026, 9, 8), D(2026, 11, 19))
    pupil_records.archive_leaver(session, gone, clock.today(), "Moved away")
    clock.advance(dt.timedelta(days=366 * 32))

    def owners() -> dict[str, set[int]]:
        return {table: {row[1] if table != "impact_reviews" else row[3] for row in rows}
                for table, rows in impact_facts.held(session.db).items()}

    assert owners()["impact_lines"] == {gone, kept}
    pupil_records.delete_after_retention(session, gone)
    _same(session)
    assert owners()["impact_lines"] == {kept} and owners()["plan_reviews"] == {kept}
    impact_facts.forget_deleted(session.db, [kept])
    impact_facts.forget_deleted(session.db)
    assert owners()["impact_lines"] == {kept} and owners()["plan_reviews"] == {kept}


def test_the_governors_spend_is_the_maps_total(senco_session):
    session = senco_session
    library = library_item(session, "Precision teaching")
    first, _ = _pupil_with_plan(session, "Spend", library, D(2026, 9, 7), D(2026, 11, 20), 2)
    second, _ = _pupil_with_plan(session, "Spent", library, D(2026, 9, 8), D(2026, 11, 19))
    group_from_library(session, library, [first, second])
    found = provision_map.build(session, audit=False)
    spent = provision_map.spend(session)
    assert found.total_pence > 0
    assert (spent.sen_support_pence, spent.ehc_school_pence, spent.ehc_topup_pence,
            spent.budget_pence) == (found.total_pence, found.ehc_school_pence,
                                    found.ehc_topup_pence, found.budget_pence)
    figures = governors_report.figures(session, "2026/27", audit=False)
    assert figures.spend.sen_support_pence == found.total_pence


def test_day_numbers_in_sql_are_pythons(senco_session):
    """Days spread over four centuries, and the leap-year rules' edges, on this engine."""
    days = [D(1896, 1, 1) + dt.timedelta(days=n) for n in range(0, 400 * 366, 97)]
    days += [D(2000, 2, 28), D(2000, 2, 29), D(2000, 3, 1), D(2100, 2, 28), D(2100, 3, 1),
             D(2024, 2, 29), D(2026, 12, 31), D(2027, 1, 1)]
    sql = "SELECT " + day_number_sql("CAST(? AS TEXT)")
    uses = sql.count("?")       # the date is a parameter, given for each place it is named
    got = [int(senco_session.db.scalar(sql, [d.isoformat()] * uses)) for d in days]
    assert got == [day_number(d) for d in days]


def _impact_is_the_long_count(session) -> None:
    """records/impact_sums.py's SQL gives every row, part and figure the Python count of the
    rules as first written gives (tests/impact_reference.py), for each breakdown."""
    for start, end in ((D(2026, 9, 1), D(2026, 11, 23)), (D(2026, 10, 1), D(2026, 10, 31)),
                       (D(2025, 9, 1), D(2026, 11, 23))):
        for by in impact.Breakdown:
            summed = impact._build(session, start, end, by)
            counted = impact_reference.build(session, start, end, by)
            assert summed.lines == counted.lines, (start, by)
            assert summed.parts == counted.parts, (start, by)


def test_the_impact_sums_equal_the_long_count_after_every_kind_of_edit(senco_session):
    session = senco_session
    library = library_item(session, "Precision teaching")
    named = [{"text": "Reads 100 words", "measure_name": " SANDWELL", "area": "CL"},
             {"text": "Spells his name", "area": "CL"}]
    first = sen_support_pupil(session, surname="Sums", since=D(2026, 9, 1))
    apdr.open_pathway(session, first, D(2026, 9, 1))
    cycle = apdr.current_pathway(session, first).current_cycle.id
    assess(session, cycle, D(2026, 9, 2))
    plan(session, cycle, D(2026, 9, 7), D(2026, 11, 20), outcomes=named,
         items=[dict(PRECISION, library_id=library)] * 2)
    lines = apdr.get_cycle(session, cycle).plan.items
    second, second_line = pupil_on_item(session, "Second", library, gender="M", year_group="5",
                                        achieved=True)
    group_only = sen_support_pupil(session, surname="Grouped", since=D(2026, 9, 1))
    _impact_is_the_long_count(session)
    measure(session, first, item_id=lines[0].id, name="Sandwell", entry=80, exit=88)
    measure(session, second, item_id=second_line, name="Sandwell", entry=91, exit=96)
    measure(session, first, item_id=lines[1].id, kind="reading_age", name="YARC", entry=84,
            entry_date=D(2026, 9, 7), exit=93, exit_date=D(2026, 11, 6))
    _impact_is_the_long_count(session)                         # measures added
    # Two exits on one day: the one entered later counts (a row as a second device wrote it).
    session.db.execute(
        "INSERT INTO provision_measures (pupil_id, item_id, kind, name, entry_value, entry_date,"
        " exit_value, exit_date, entered_at) VALUES (?, ?, 'standardised', 'Sandwell ', 82,"
        " '2026-09-07', 93, '2026-11-20', ?)", (first, lines[0].id, session.now_text()))
    apdr.end_provision(session, lines[1].id, D(2026, 10, 9), "Met the target early.")
    _impact_is_the_long_count(session)                         # a plan line changed
    # The outcome naming Sandwell achieved, the other not: met for Sandwell's row only.
    outcomes = apdr.get_cycle(session, cycle).plan.outcomes
    apdr.save_review(session, cycle, {
        "held_on": D(2026, 11, 20), "attendees": "Ms Patel (SENCO)", "child_views": "Easier.",
        "parent_views": "Pleased.", "staff_views": "Engaged.", "at_risk_of_exclusion": False,
        "decision": "continue_targeted", "decision_notes": "",
        "progress": {o.id: {"progress": "achieved" if o.measure_name else "partly",
                            "comment": ""} for o in outcomes}})
    apdr.complete_review(session, cycle)
    _impact_is_the_long_count(session)                         # reviewed, outcomes named
    group = group_from_library(session, library, [first, group_only])
    measure(session, group_only, group_id=group, name="Sandwell", entry=75, exit=81)
    measure(session, first, group_id=group, kind="reading_age", name="yarc", entry=80,
            entry_date=D(2026, 9, 8), exit=85, exit_date=D(2026, 11, 2))
    _impact_is_the_long_count(session)                         # a group, its measures
    [leaver] = [m.id for m in provision_groups.get_group(session, group).members
                if m.pupil_id == group_only]
    provision_groups.member_leaves(session, leaver, D(2026, 9, 30))
    _impact_is_the_long_count(session)                         # a member left the group
    found = impact._build(session, D(2026, 9, 1), D(2026, 11, 23), impact.Breakdown.NONE)
    rows = {(r.provision, r.measure, r.measure_kind): r for r in found.lines}
    sandwell = rows[("Precision teaching", "Sandwell", MeasureKind.STANDARDISED)]
    # First's later same-day exit (82 to 93), second's 91 to 96 and the grouped pupil's 75 to
    # 81: (11 + 5 + 6) / 3.
    assert (sandwell.pupils, sandwell.pupils_measured, sandwell.mean_gain) == (3, 3, 7.3)
    # Reviewed: first (her Sandwell outcome achieved, the other not) and second (achieved).
    assert (sandwell.pupils_reviewed, sandwell.pupils_met) == (2, 2)
    yarc = rows[("Precision teaching", "YARC", MeasureKind.READING_AGE)]
    assert (yarc.pupils_reviewed, yarc.pupils_met, yarc.mean_ratio_gain) == (2, 1, 4.6)


def _sandwell(session, start: D, end: D) -> tuple[int, float | None]:
    """The Sandwell row's pupils measured and mean gain, after holding the whole table to the
    long count for the period."""
    summed = impact._build(session, start, end, impact.Breakdown.NONE)
    assert summed.lines == impact_reference.build(session, start, end,
                                                  impact.Breakdown.NONE).lines, (start, end)
    rows = [r for r in summed.lines if r.measure == "Sandwell"]
    return (rows[0].pupils_measured, rows[0].mean_gain) if rows else (0, None)


def test_the_latest_measure_kept_beside_each_is_the_long_counts_whatever_the_order(
        senco_session):
    """Each line measure's next one is kept beside it (migration 23) and the impact table takes
    a pupil's latest from that: it must be the long count's after measures entered out of date
    order, across three lines of one item (one ended before the period, its measure's exit
    after), two on one day, exit dates changed, a measure removed and a group's later one."""
    session = senco_session
    library = library_item(session, "Precision teaching")
    pupil, cycle = _pupil_with_plan(session, "Latest", library, D(2026, 9, 7), D(2026, 11, 20),
                                    lines=3)
    lines = [item.id for item in apdr.get_cycle(session, cycle).plan.items]
    apdr.end_provision(session, lines[0], D(2026, 10, 1), "Moved to the next group.")
    measure(session, pupil, item_id=lines[2], entry=81, exit=95, exit_date=D(2026, 11, 15))
    measure(session, pupil, item_id=lines[1], entry=80, exit=86, exit_date=D(2026, 10, 20))
    measure(session, pupil, item_id=lines[0], entry=82, exit=90, exit_date=D(2026, 11, 10))
    _same(session)
    # The whole autumn: the last exit (15/11, 81 to 95).
    assert _sandwell(session, D(2026, 9, 1), D(2026, 11, 23)) == (1, 14.0)
    # From 5/10 the first line had ended, so its exit on 10/11 does not count; the one after
    # it (15/11) does.
    assert _sandwell(session, D(2026, 10, 5), D(2026, 11, 23)) == (1, 14.0)
    # To 12/11 that one is after the period: the second line's 20/10 (80 to 86), not the
    # first line's 10/11 between them.
    assert _sandwell(session, D(2026, 10, 5), D(2026, 11, 12)) == (1, 6.0)
    # To 12/11 from the start of term the first line ran too: its 10/11 (82 to 90).
    assert _sandwell(session, D(2026, 9, 1), D(2026, 11, 12)) == (1, 8.0)
    [first, second, third] = [r["id"] for r in session.db.query(
        "SELECT id FROM provision_measures WHERE pupil_id = ? ORDER BY item_id", (pupil,))]
    measures.update_measure(session, third, {"exit_date": D(2026, 10, 20)})
    _same(session)          # now on one day with the second line's: the one entered later
    assert _sandwell(session, D(2026, 9, 1), D(2026, 11, 23)) == (1, 8.0)
    assert _sandwell(session, D(2026, 10, 5), D(2026, 11, 23)) == (1, 6.0)
    measures.remove_measure(session, second, "Entered on the wrong line.")
    _same(session)          # the third line's, on that day, is the latest from 5/10
    assert _sandwell(session, D(2026, 10, 5), D(2026, 11, 23)) == (1, 14.0)
    assert _sandwell(session, D(2026, 9, 1), D(2026, 11, 23)) == (1, 8.0)
    measures.update_measure(session, first, {"exit_date": D(2026, 10, 2)})
    _same(session)          # the first line's now before it
    assert _sandwell(session, D(2026, 9, 1), D(2026, 11, 23)) == (1, 14.0)
    assert _sandwell(session, D(2026, 9, 1), D(2026, 10, 19)) == (1, 8.0)
    # A group made from the item, with a later exit (11/11): the group's counts for the item.
    group = group_from_library(session, library, [pupil])
    measures.record_group_measure(session, group, pupil, {
        "kind": "standardised", "name": "Sandwell", "entry_value": 70, "entry_date": D(2026, 9, 8),
        "exit_value": 79, "exit_date": D(2026, 11, 11)})
    _same(session)
    assert _sandwell(session, D(2026, 9, 1), D(2026, 11, 23)) == (1, 9.0)
    # And a name written with a space after it on a line, later still: the same measure.
    session.db.execute(
        "INSERT INTO provision_measures (pupil_id, item_id, kind, name, entry_value, entry_date,"
        " exit_value, exit_date, entered_at) VALUES (?, ?, 'standardised', 'Sandwell ', 60,"
        " '2026-09-07', 72, '2026-11-12', ?)", (pupil, lines[1], session.now_text()))
    impact_facts.refresh(session.db, [pupil])
    _same(session)
    assert _sandwell(session, D(2026, 9, 1), D(2026, 11, 23)) == (1, 12.0)
    assert _sandwell(session, D(2026, 9, 1), D(2026, 11, 11)) == (1, 9.0)


def test_a_school_from_before_migration_23_upgrades_with_the_same_latest_measures(
        engine, request, tmp_path, clock, monkeypatch):
    """A school at 22 (no next measure beside each line measure) upgrades on the file and on
    the server: the next ones are filled and equal a recount, and the impact table reads as
    the long count read it before."""
    from sendesk.store import migrations
    session, location, upgrade = make_old_school(engine, request, tmp_path, clock, monkeypatch, 22)
    start, end = D(2026, 10, 5), D(2026, 11, 23)
    try:
        assert session.db.schema_version() == 22
        library = library_item(session, "Precision teaching")
        pupil, cycle = _pupil_with_plan(session, "Upgraded", library, D(2026, 9, 7),
                                        D(2026, 11, 20), lines=3)
        lines = [item.id for item in apdr.get_cycle(session, cycle).plan.items]
        apdr.end_provision(session, lines[0], D(2026, 10, 1), "Moved to the next group.")
        measure(session, pupil, item_id=lines[2], entry=81, exit=95, exit_date=D(2026, 11, 15))
        measure(session, pupil, item_id=lines[1], entry=80, exit=86, exit_date=D(2026, 10, 20))
        measure(session, pupil, item_id=lines[0], entry=82, exit=90, exit_date=D(2026, 11, 10))
        before = impact_reference.build(session, start, end, impact.Breakdown.NONE)
    finally:
        session.close()
    session = upgraded(location, upgrade, monkeypatch, clock)
    try:
        assert session.db.schema_version() == migrations.LATEST >= 23
        _same(session)
        # In the order entered: the third line's (the last), the second's (next: the first
        # line's on 10/11, that line ended on 1/10) and the first's (next: the third's).
        assert [r[-3:] for r in impact_facts.held(session.db)["impact_line_measures"]] == [
            (None, None, None), ("2026-11-10", "2026-09-07", "2026-10-01"),
            ("2026-11-15", "2026-09-07", "2026-11-20")]
        after = impact._build(session, start, end, impact.Breakdown.NONE)
        assert after.lines == before.lines and _sandwell(session, start, end) == (1, 14.0)
        assert verify.verify(session).ok
    finally:
        session.close()


def test_a_school_from_before_migrations_18_and_22_upgrades_with_the_same_impact(
        engine, request, tmp_path, clock, monkeypatch):
    """A school whose schema stopped at 17 (no index on impact_lines by plan, no line
    outcomes or line measures) upgrades on the file and on the server: 22's tables are filled
    and equal a recount, its index by library item is there (18's by plan, which 22 drops, is
    not), and the impact table reads as the long count read it before."""
    from sendesk.services import verify
    from sendesk.store import migrations
    session, location, upgrade = make_old_school(engine, request, tmp_path, clock, monkeypatch, 17)
    indexes = ("SELECT indexname FROM pg_indexes WHERE tablename = 'impact_lines'"
               if engine == "postgresql" else
               "SELECT name FROM sqlite_master WHERE tbl_name = 'impact_lines'")
    start, end = D(2026, 9, 1), D(2026, 11, 30)
    try:
        assert session.db.schema_version() == 17
        library = library_item(session, "Precision teaching")
        first, cycle = _pupil_with_plan(session, "Before", library, D(2026, 9, 7),
                                        D(2026, 11, 20), lines=2)
        items = apdr.get_cycle(session, cycle).plan.items
        measure(session, first, item_id=items[0].id, entry=80, exit=88)
        measure(session, first, item_id=items[1].id, kind="reading_age", name="YARC", entry=84,
                entry_date=D(2026, 9, 7), exit=93, exit_date=D(2026, 11, 6))
        review(session, cycle, D(2026, 11, 20), "continue_targeted", progress="achieved")
        pupil_on_item(session, "Second", library, gender="M", year_group="5", achieved=False)
        before = impact_reference.build(session, start, end, impact.Breakdown.NONE)
        assert {"impact_lines_plan", "impact_lines_library"}.isdisjoint(
            r[0] for r in session.db.query(indexes))
    finally:
        session.close()
    session = upgraded(location, upgrade, monkeypatch, clock)
    try:
        assert session.db.schema_version() == migrations.LATEST >= 22
        held = {r[0] for r in session.db.query(indexes)}
        assert "impact_lines_library" in held and "impact_lines_plan" not in held
        _same(session)
        filled = impact_facts.held(session.db)
        assert len(filled["impact_line_outcomes"]) == 3 and len(filled["impact_line_measures"]) == 2
        after = impact.impact_table(session, "01/09/2026", "30/11/2026", audit=False)
        assert after.lines == before.lines and before.lines
        assert verify.verify(session).ok
    finally:
        session.close()


def test_verify_names_each_derived_table_that_differs_from_a_recount(senco_session, request):
    """A row deleted, changed or made up by hand (by whoever can write the tables: the file's
    key holder, the server's owner) is named by verify, one sentence for each table, with what
    reads it; put right, verify passes again."""
    session = senco_session
    library = library_item(session, "Precision teaching")
    first, cycle = _pupil_with_plan(session, "Verify", library, D(2026, 9, 7), D(2026, 11, 20))
    review(session, cycle, D(2026, 11, 20), "continue_targeted", progress="achieved")
    assert verify.verify(session).derived_problems == []
    for sql in ("DELETE FROM impact_lines",
                "UPDATE impact_reviews SET achieved = 0",
                f"INSERT INTO plan_reviews VALUES (9001, {first}, 9001, 1, '2026-11-20', NULL, 1, 1)",
                "UPDATE impact_line_outcomes SET met = 0",
                f"INSERT INTO impact_line_measures VALUES (9001, {first}, {library}, 'YARC',"
                " 'reading_age', '2026-11-06', '2026-09-07', '2026-11-20', 84, 93, 60, NULL, NULL,"
                " NULL)",
                "UPDATE pathway_plans SET review_date = '2099-01-01'"):
        write_by_hand(request, session, sql)
    report = verify.verify(session)
    assert not report.ok
    assert report.derived_problems == [
        "The derived table impact_lines does not match a recount from the records (1 row "
        "missing), so the impact of provision and the governors' spend may be wrong.",
        "The derived table impact_reviews does not match a recount from the records (1 row "
        "missing and 1 row the records do not give), so the impact of provision's outcomes "
        "reviewed and met may be wrong.",
        "The derived table plan_reviews does not match a recount from the records (1 row the "
        "records do not give), so the governors' reviews held on time and the provision map's "
        "plans in force may be wrong.",
        "The derived table impact_line_outcomes does not match a recount from the records (1 "
        "row missing and 1 row the records do not give), so the impact of provision's "
        "outcomes met may be wrong.",
        "The derived table impact_line_measures does not match a recount from the records (1 "
        "row the records do not give), so the impact of provision's measures may be wrong.",
        "The derived table pathway_plans does not match a recount from the records (1 row "
        "missing and 1 row the records do not give), so Reviews due, Home and the pupil "
        "list's \"no current plan\" may be wrong."]
    lines = report.lines()
    assert ("Facts worked out from the records (impact, plan reviews, pathways' plans): "
            "DIFFERENT FROM A RECOUNT") in lines
    impact_facts.refresh(session.db, [first])
    pathway_plans.refresh(session.db, [first])
    assert verify.verify(session).ok
