"""Each open pathway's latest cycle and plan (records/pathway_plans.py), which Reviews due, Home
and the list's "no current plan" filter read, stays exactly what the history says after every
kind of edit; and a school from before migration 19 upgrades with it filled, on the file and
on the server, showing the same Reviews due as the history did."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.apdr_support import assess, plan, review, sen_support_pupil
from tests.schema_before import old_school as make_old_school
from tests.schema_before import upgraded
from tests.store_tools import write_by_hand

from sendesk.models.reviews import ReviewState
from sendesk.records import apdr, dashboard, pathway_plans, pupil_list, pupils
from sendesk.records.pupil_list import PupilFilter
from sendesk.store import migrations

D = dt.date


def _same(session) -> None:
    assert pathway_plans.held(session.db) == pathway_plans.from_scratch(session.db)


def _states(session) -> dict[int, ReviewState]:
    return {d.pupil_id: d.state for d in apdr.reviews_due(session)}


def _no_plan(session) -> set[int]:
    listed = pupil_list.search_ids(session, PupilFilter(no_current_plan=True))
    home = dashboard.dashboard(session).no_current_plan
    assert set(listed) == set(home)
    return set(home)


def test_the_rows_equal_a_recount_after_every_kind_of_edit(senco_session, clock, request):
    session = senco_session
    _same(session)
    first = sen_support_pupil(session, surname="Okafor", since=D(2026, 9, 1))
    second = sen_support_pupil(session, surname="Begum", since=D(2026, 9, 1))
    assert _no_plan(session) == {first, second}          # at K, on no pathway yet
    apdr.open_pathway(session, first, D(2026, 9, 1))
    _same(session)                                       # a pathway opened: cycle 1, no plan
    cycle = apdr.current_pathway(session, first).current_cycle.id
    assess(session, cycle, D(2026, 9, 2))
    plan(session, cycle, D(2026, 9, 7), D(2026, 11, 20), agree=False)
    _same(session)                                       # a draft plan: no review date yet
    assert _states(session)[first] is ReviewState.NO_PLAN
    assert first in _no_plan(session)
    apdr.agree_plan(session, cycle)
    _same(session)                                       # agreed: review date, has a plan
    assert _states(session)[first] is ReviewState.OVERDUE   # 20 November, today the 23rd
    assert _no_plan(session) == {second}
    review(session, cycle, D(2026, 11, 20), "continue_targeted")
    _same(session)                                       # reviewed: the next cycle, no plan
    [row] = [r for r in pathway_plans.held(session.db) if r[1] == first]
    assert (row[5], row[7], row[8]) == (2, None, 1)      # cycle 2, no review date, had a plan
    assert _states(session)[first] is ReviewState.NO_PLAN
    assert first not in _no_plan(session)                # cycle 1's agreed plan still counts
    apdr.open_pathway(session, second, D(2026, 10, 1))
    other = apdr.current_pathway(session, second).current_cycle.id
    assess(session, other, D(2026, 10, 2))
    plan(session, other, D(2026, 10, 5), D(2026, 12, 11))
    _same(session)
    review(session, other, D(2026, 11, 19), "back_to_ordinary", progress="achieved")
    _same(session)                                       # a pathway closed at review: gone
    assert second not in {r[1] for r in pathway_plans.held(session.db)}
    pupils.archive_leaver(session, first, D(2026, 11, 23))
    _same(session)                                       # a leaver: kept, not listed
    assert first not in _states(session)
    third = sen_support_pupil(session, surname="Hughes")
    apdr.open_pathway(session, third, clock.today())
    _same(session)
    # Emptied by hand, the rule's own rebuild fills it the same again.
    held = pathway_plans.held(session.db)
    write_by_hand(request, session, "DELETE FROM pathway_plans")
    pathway_plans.rebuild(session.db)
    assert pathway_plans.held(session.db) == held and len(held) == 2
    clock.advance(dt.timedelta(days=366 * 40))
    pupils.delete_after_retention(session, first)
    _same(session)                                       # deleted: the rows with it
    assert [r[1] for r in pathway_plans.held(session.db)] == [third]


@pytest.fixture
def old_school(engine, request, tmp_path, clock, monkeypatch):
    """A school whose schema stopped at 18."""
    return make_old_school(engine, request, tmp_path, clock, monkeypatch, 18)


def test_a_school_from_before_migration_19_upgrades_with_the_rows_filled(
        old_school, clock, monkeypatch):
    session, location, upgrade = old_school
    try:
        assert session.db.schema_version() == 18
        agreed = sen_support_pupil(session, surname="Agreed", since=D(2026, 9, 1))
        draft = sen_support_pupil(session, surname="Draft", since=D(2026, 9, 1))
        unseen = sen_support_pupil(session, surname="Unseen", since=D(2026, 9, 1))
        for pupil, agree in ((agreed, True), (draft, False)):
            apdr.open_pathway(session, pupil, D(2026, 9, 1))
            cycle = apdr.current_pathway(session, pupil).current_cycle.id
            assess(session, cycle, D(2026, 9, 2))
            plan(session, cycle, D(2026, 9, 7), D(2026, 12, 4), agree=agree)
    finally:
        session.close()
    session = upgraded(location, upgrade, monkeypatch, clock)
    try:
        assert session.db.schema_version() == migrations.LATEST >= 19
        _same(session)
        assert len(pathway_plans.held(session.db)) == 2
        states = _states(session)
        assert (states[agreed], states[draft], states[unseen]) == (
            ReviewState.DUE, ReviewState.NO_PLAN, ReviewState.NO_PATHWAY)
        assert _no_plan(session) == {draft, unseen}
    finally:
        session.close()
