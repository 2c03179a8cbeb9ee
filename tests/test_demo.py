"""The demo school: clearly labelled, invented pupils with valid UPNs and varied names, spread
across statuses, needs, years and registers, and consistent with its own history."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import SENCO, SENCO_NAME, SENCO_PASSWORD

from sendesk import demo
from sendesk.clock import FixedClock
from sendesk.errors import ValidationError
from sendesk.models.flags import Flag
from sendesk.models.upn import clean_upn
from sendesk.records import census, dashboard, pupil_list, summary
from sendesk.services import lifecycle
from sendesk.store import audit


@pytest.fixture(scope="module")
def demo_school(tmp_path_factory):
    clock = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
    path = tmp_path_factory.mktemp("demo") / "demo.sendesk"
    session, recovery = demo.create_demo_school(path, SENCO, SENCO_NAME, SENCO_PASSWORD,
                                                pupils=800, clock=clock, seed=7)
    yield session
    session.close()


def test_it_is_labelled_as_a_demo(demo_school):
    assert "Demo school" in demo_school.school.name
    assert demo_school.school.la_code == "940"
    assert "created the demo school" in [r["action"] for r in demo_school.db.query(
        "SELECT action FROM audit_log ORDER BY id")]
    assert audit.verify(demo_school.db).intact


def test_every_upn_is_valid_and_unique(demo_school):
    upns = [row[0] for row in demo_school.db.query("SELECT upn FROM pupils")]
    assert len(upns) == len(set(upns)) == 800
    assert all(clean_upn(value) == value for value in upns)


def test_names_are_varied(demo_school):
    rows = demo_school.db.query("SELECT legal_surname, legal_forename FROM pupils")
    assert len({row[0] for row in rows}) > 150
    assert len({row[1] for row in rows}) > 200
    assert any(not (row[0] + row[1]).isascii() for row in rows)


def test_statuses_needs_years_and_registers_are_spread(demo_school):
    board = dashboard.dashboard(demo_school)
    assert all(board.by_status[status] > 0 for status in "EKN")
    assert sum(1 for count in board.by_need.values() if count) >= 8
    assert all(count > 0 for count in board.by_area.values())
    years = {row[0] for row in demo_school.db.query("SELECT DISTINCT year_group FROM pupils")}
    assert {"N1", "N2", "R", "1", "6", "7", "11", "13"} <= years
    flags = 0
    for (bits,) in demo_school.db.query("SELECT flags FROM pupils"):
        flags |= bits
    assert all(flags & flag for flag in Flag)
    assert board.notifications_due and board.reviews_overdue and board.reviews_this_half_term
    assert board.monitoring
    assert demo_school.db.scalar("SELECT count(*) FROM pupils WHERE archived_at IS NOT NULL") > 0


def test_looked_after_pupils_have_protected_addresses(demo_school):
    rows = demo_school.db.query(
        "SELECT p.flags, r.protected_address FROM register_entries r JOIN pupils p"
        " ON p.id = r.pupil_id WHERE r.register = 'looked_after'")
    assert rows
    assert all(row["protected_address"] and row["flags"] & Flag.PROTECTED_ADDRESS for row in rows)
    assert demo_school.db.scalar("SELECT count(*) FROM contacts WHERE relationship ="
                                 " 'Foster carer' AND do_not_disclose_address = 1") == len(rows)


def test_the_summary_matches_the_history(demo_school):
    before = [tuple(row) for row in demo_school.db.query(
        "SELECT id, sen_status, sen_since, primary_need, next_review, flags FROM pupils ORDER BY id")]
    with demo_school.db.transaction():
        summary.refresh(demo_school.db)
    after = [tuple(row) for row in demo_school.db.query(
        "SELECT id, sen_status, sen_since, primary_need, next_review, flags FROM pupils ORDER BY id")]
    assert before == after


def test_the_census_check_has_no_problems(demo_school):
    check = census.census_check(demo_school)
    assert check.rows and not check.problems


def test_contacts_cannot_reach_real_people(demo_school):
    for row in demo_school.db.query("SELECT phone, email, address FROM contacts"):
        assert row["phone"].startswith("07700 900")
        assert row["email"] is None or row["email"].endswith("@example.org")


def test_it_opens_with_its_password_and_lists_pupils(demo_school, clock):
    session = lifecycle.open_school(demo_school.path, SENCO, SENCO_PASSWORD, clock)
    try:
        assert len(pupil_list.search_ids(session)) > 700
    finally:
        session.close()


def test_the_same_seed_makes_the_same_school(tmp_path, clock):
    names = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        session, _ = demo.create_demo_school(tmp_path / folder / "demo.sendesk", SENCO, SENCO_NAME,
                                             SENCO_PASSWORD, pupils=30, clock=clock, seed=3)
        names.append([tuple(r) for r in session.db.query(
            "SELECT upn, legal_surname, legal_forename, dob FROM pupils ORDER BY id")])
        session.close()
    assert names[0] == names[1]


@pytest.mark.parametrize(("day", "pupils"), [
    # A transition year's plan went to a pupil with NSA, which no plan may carry.
    (dt.date(2026, 12, 4), 120),
    # On a Sunday a review due after today was held "today", not a school day.
    (dt.date(2026, 12, 13), 120),
    # The pupil made ready for a request had £150 of provision: the £4,560 added beside it
    # left it under 80 % of the threshold, so the request needed a reason it did not give.
    (dt.date(2026, 12, 14), 300),
    # Spring term's first Monday was after today, and the groups' entry scores were taken on it.
    (dt.date(2027, 1, 6), 120)])
def test_a_demo_made_on_any_day_is_made(tmp_path, day, pupils):
    """The demo is made from today (the command line's, the window's, the tests'): each of
    these days once failed to make one. (A scan of every day for a year found them.)"""
    clock = FixedClock(dt.datetime.combine(day, dt.time(9, 30), tzinfo=dt.UTC))
    session, _ = demo.create_demo_school(tmp_path / "demo.sendesk", SENCO, SENCO_NAME,
                                         SENCO_PASSWORD, pupils=pupils, clock=clock)
    try:
        assert not session.db.scalar(
            "SELECT count(*) FROM pupils WHERE sen_status = 'E' AND primary_need = 'NSA'")
        assert session.db.scalar("SELECT count(*) FROM ehcna_requests") >= 1
    finally:
        session.close()


def test_a_silly_size_is_refused(tmp_path, clock):
    with pytest.raises(ValidationError, match="between 1 and 100,000"):
        demo.create_demo_school(tmp_path / "demo.sendesk", SENCO, SENCO_NAME, SENCO_PASSWORD,
                                pupils=0, clock=clock)
    assert not (tmp_path / "demo.sendesk").exists()


def test_pupils_with_status_e_have_their_ehc_plans_and_transition_years_show(demo_school):
    from sendesk.records import ehc
    e_pupils = {row["id"]: row["year_group"] for row in demo_school.db.query(
        "SELECT id, year_group FROM pupils WHERE sen_status = 'E' AND archived_at IS NULL")}
    with_plans = {row["pupil_id"] for row in demo_school.db.query(
        "SELECT pupil_id FROM ehc_plans WHERE ceased_on IS NULL")}
    assert with_plans == set(e_pupils)
    assert {"6", "9", "11"} <= set(e_pupils.values())
    year6 = next(pid for pid, year in e_pupils.items() if year == "6")
    [plan] = ehc.plans_of(demo_school, year6)
    schedule = ehc.review_schedule(demo_school, plan)
    assert schedule.meeting_by <= dt.date(2026, 12, 31) and plan.outcomes[0].steps


def test_one_pupil_is_ready_with_a_request_in_progress_and_others_are_not(demo_school):
    from sendesk.records import ehc, ehcna
    requests = [r for row in demo_school.db.query("SELECT DISTINCT pupil_id FROM ehcna_requests")
                for r in ehc.requests_of(demo_school, row["pupil_id"])]
    [request] = [r for r in requests if not r.stage.finished]
    assert request.stage.value == "submitted"
    # The rest are the requests behind the pupils' plans, each ended by its plan.
    finished = [r for r in requests if r is not request]
    assert finished and all(r.stage.value == "plan_issued" for r in finished)
    assert {r.id for r in finished} <= {row[0] for row in demo_school.db.query(
        "SELECT request_id FROM ehc_plans")}
    assert ehcna.assess_readiness(demo_school, request.pupil_id).ready
    others = [row["pupil_id"] for row in demo_school.db.query(
        "SELECT DISTINCT pupil_id FROM ehcna_checklist WHERE pupil_id != ?", (request.pupil_id,))]
    assert others and not any(ehcna.assess_readiness(demo_school, p).ready for p in others)


def test_the_demo_has_its_own_package_and_the_scale_school_is_not_shipped():
    """The demo school ships (sendesk --demo) in sendesk.demo, out of the repositories; the
    benchmarks' 60,000-pupil school stays in benchmarks/, which nothing shipped imports and
    neither the wheel (packages found under src/) nor the PyInstaller spec (sendesk's own
    submodules) takes."""
    import ast
    from pathlib import Path

    import sendesk

    package = Path(sendesk.__file__).resolve().parent
    root = package.parent.parent
    assert not list((package / "records").glob("demo*.py"))
    assert {"school", "people", "pathways", "ehc", "catalogue"} <= {
        p.stem for p in (package / "demo").glob("*.py")}
    importing_benchmarks = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            if any(name.split(".")[0] == "benchmarks" for name in names):
                importing_benchmarks.append(str(path.relative_to(root)))
    assert importing_benchmarks == []
    assert 'where = ["src"]' in (root / "pyproject.toml").read_text(encoding="utf-8")
    assert 'collect_submodules("sendesk")' in (root / "installer" / "sendesk.spec").read_text(
        encoding="utf-8")


def test_demo_plans_name_a_responsible_teacher_and_key_worker(demo_school):
    """The handover pack and the letters name whom to talk to; the demo gives them names."""
    rows = demo_school.db.query("SELECT responsible_teacher, key_worker FROM apdr_plans")
    assert rows and all(r["responsible_teacher"] and r["key_worker"] for r in rows)
    assert len({r["responsible_teacher"] for r in rows}) > 1


def test_the_demo_shows_which_provision_worked_by_its_outcomes(demo_school):
    """Met outcomes % shows real figures for several provisions at once (enough reviews with
    every outcome achieved), and outcomes name the measure they are judged by."""
    from sendesk.models import periods
    from sendesk.records import impact, school_calendar
    named = demo_school.db.scalar(
        "SELECT count(*) FROM apdr_outcomes WHERE measure_name IS NOT NULL AND measure_name <> ''")
    assert named >= 20
    calendar = school_calendar.load(demo_school)
    span = periods.span(periods.Period.LAST_THREE_YEARS, calendar, demo_school.clock.today())
    found = impact.impact_table(demo_school, span.start, span.end)
    shown = {r["provision"] for r in impact.shown_rows(found)
             if r["met_outcomes_pct"].isdigit() and r["measure"]}
    assert len(shown) >= 3, shown


def test_the_demos_groups_agree_with_themselves_and_show_their_impact_this_year(demo_school):
    """A newcomer's first look: no demo group contradicts its own timetable (the group form
    would warn), a group that ran this term has its members' entry and exit scores on the
    impact table for this school year, and the whole-school map is within its budget."""
    from sendesk.models.provision_groups import sessions_mismatch
    from sendesk.records import impact, provision_groups, provision_map
    groups = provision_groups.list_groups(demo_school, include_ended=True, audit=False)
    assert len(groups) == 3
    for group in groups:
        assert sessions_mismatch(group.sessions_per_week, len(group.slots)) is None, group.name
        assert len(group.members) >= 5
    rows = {r["provision"]: r for r in impact.shown_rows(impact.impact_table(demo_school))}
    measured = [r for name, r in rows.items()
                if name.startswith("Group: ") and r["pupils_measured"].isdigit()]
    assert measured, sorted(rows)
    assert any(r["unit"] == "months" for r in measured), measured
    spend = provision_map.spend(demo_school)
    assert spend.budget_pence is not None
    assert spend.sen_support_pence + spend.ehc_school_pence <= spend.budget_pence
