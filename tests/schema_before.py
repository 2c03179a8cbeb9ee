"""For the upgrade tests: the code as it stood before a derived table existed, so a school
can be made at an older schema through the operations and then upgraded."""

from __future__ import annotations

import dataclasses

import pytest

from sendesk import operations
from sendesk.models import server_grants
from sendesk.records import derived, impact_facts
from sendesk.store import derived_facts


def _no_grants_on(monkeypatch: pytest.MonkeyPatch, tables: tuple[str, ...]) -> None:
    """The server's grants are installed for the tables the schema has."""
    monkeypatch.setattr(server_grants, "EVERY_TABLE", tuple(
        t for t in server_grants.EVERY_TABLE if t not in tables))
    monkeypatch.setattr(server_grants, "MATRIX", {
        permission: tuple(g for g in grants if g.table not in tables)
        for permission, grants in server_grants.MATRIX.items()})


def before_pathway_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before migration 19: no rule keeping records/pathway_plans.py's table, and no grants
    naming it."""
    monkeypatch.setattr(operations, "_RULES", [(kinds, rule) for kinds, rule in operations.rules()
                                               if rule is not derived.refresh_pathway_plans])
    _no_grants_on(monkeypatch, ("pathway_plans",))


LINE_FACTS = ("impact_line_outcomes", "impact_line_measures")


def before_line_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before migration 22: the impact facts were three tables (no line outcomes or line
    measures, so no server function or grant named them)."""
    _use_impact_facts(monkeypatch, derived_facts.Facts(derived_facts.IMPACT_FACTS.name, tuple(
        t for t in derived_facts.IMPACT_FACTS.tables if t.name not in LINE_FACTS)))
    _no_grants_on(monkeypatch, LINE_FACTS)


def _use_impact_facts(monkeypatch: pytest.MonkeyPatch, facts: derived_facts.Facts) -> None:
    """The impact facts' rule, verify and the server's functions keep these tables."""
    monkeypatch.setattr(derived_facts, "IMPACT_FACTS", facts)
    monkeypatch.setattr(derived_facts, "EVERY_FACTS", tuple(
        facts if f.name == facts.name else f for f in derived_facts.EVERY_FACTS))
    monkeypatch.setattr(impact_facts, "_FACTS", facts)


def before_later_measures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before migration 23: impact_line_measures kept no next measure beside each one."""
    tables = tuple(
        dataclasses.replace(t, columns=t.columns[:-len(derived_facts.LATER_COLUMNS)],
                            select=t.select.replace(derived_facts.LATER_MEASURE, ""))
        if t.name == "impact_line_measures" else t for t in derived_facts.IMPACT_FACTS.tables)
    _use_impact_facts(monkeypatch, derived_facts.Facts(derived_facts.IMPACT_FACTS.name, tables))


def before_measure_directions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before migration 20: a new school's suggested interventions marked no measure
    lower-is-better and every measure was read as better higher (there was no table to say
    it in), and no grants named the table."""
    from sendesk.records import measure_directions
    from sendesk.services import starter_library
    monkeypatch.setattr(starter_library, "_mark_lower", lambda *args: None)
    monkeypatch.setattr(measure_directions, "directions", lambda db: {})
    monkeypatch.setattr(server_grants, "EVERY_TABLE", tuple(
        t for t in server_grants.EVERY_TABLE if t != "measure_directions"))
    monkeypatch.setattr(server_grants, "MATRIX", {
        permission: tuple(g for g in grants if g.table != "measure_directions")
        for permission, grants in server_grants.MATRIX.items()})


def old_school(engine: str, request: pytest.FixtureRequest, tmp_path, clock,
               monkeypatch: pytest.MonkeyPatch, stopped_at: int):
    """(session, location, how to upgrade it): a new school whose schema stopped at migration
    ``stopped_at``, on the file or on the test server, made through the operations as the code
    of that time made it (no rule or grant for a derived table added later). Undo the monkeypatch
    before upgrading."""
    from conftest import SCHOOL_NAME, SENCO, SENCO_NAME, SENCO_PASSWORD
    from sendesk.services import lifecycle
    from sendesk.store import migrations
    monkeypatch.setattr(migrations, "STEPS",
                        {v: s for v, s in migrations.STEPS.items() if v <= stopped_at})
    monkeypatch.setattr(migrations, "LATEST", stopped_at)
    if stopped_at < 19:
        before_pathway_plans(monkeypatch)
    if stopped_at < 20:
        before_measure_directions(monkeypatch)
    if stopped_at < 22:
        before_line_facts(monkeypatch)
    elif stopped_at < 23:
        before_later_measures(monkeypatch)
    if engine == "postgresql":
        from pg_server import SUPERUSER, SUPERUSER_PASSWORD
        from sendesk.services import server_school
        server = request.getfixturevalue("pg_server")
        name = server.new_database(migrated=False)
        request.addfinalizer(lambda: server.drop_database(name))
        session = server_school.create_on_server(
            server.url(name, user=SUPERUSER), SUPERUSER_PASSWORD, school_name=SCHOOL_NAME,
            school_reference="123456", username=SENCO, full_name=SENCO_NAME,
            password=SENCO_PASSWORD, clock=clock)
        return session, server.url(name), lambda: server_school.upgrade_server(
            server.url(name, user=SUPERUSER), SUPERUSER_PASSWORD)
    path = tmp_path / "school.sendesk"
    session, _ = lifecycle.create(path, school_name=SCHOOL_NAME, school_reference="123456",
                                  username=SENCO, full_name=SENCO_NAME, password=SENCO_PASSWORD,
                                  clock=clock)
    return session, path, lambda: None


def upgraded(location, upgrade, monkeypatch: pytest.MonkeyPatch, clock):
    """The old school opened again with today's migrations: the monkeypatch that held them
    back undone, the server upgraded by its administrator (nothing to do for a file, which
    upgrades as it opens), and the SENCO signed in. Close the old session first."""
    from conftest import SENCO, SENCO_PASSWORD
    from sendesk.services import lifecycle
    monkeypatch.undo()
    upgrade()
    return lifecycle.open_school(location, SENCO, SENCO_PASSWORD, clock)
