"""The impact facts (records/impact_facts.py) stay exactly what the history says after every
kind of edit, a review held however late still counts, and the day numbers worked out in SQL
for the migration agree with Python's."""

from __future__ import annotations

import datetime as dt

from tests.apdr_support import assess, plan, review, sen_support_pupil
from tests.impact_support import OUTCOME, PRECISION, group_from_library, library_item, measure

from sendesk.records import apdr, governors_report, impact, impact_facts, provision_map
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


def test_the_facts_equal_a_recount_from_scratch_after_every_kind_of_edit(senco_session):
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
    _same(session)                                              # a measure (no fact changes)
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
    group_from_library(session, library, [first, second])
    _same(session)
    facts = impact_facts.held(session.db)
    assert len(facts["impact_lines"]) == 4 and len(facts["plan_reviews"]) == 3
    assert len(facts["impact_reviews"]) == 2                    # the two reviews held
    # Emptied by hand, the rule's own rebuild fills them the same again.
    for table in facts:
        session.db.execute(f"DELETE FROM {table}")
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
