"""For the upgrade tests: the code as it stood before a derived table existed, so a school
can be made at an older schema through the operations and then upgraded."""

from __future__ import annotations

import pytest

from sendesk import operations
from sendesk.models import server_grants
from sendesk.records import derived, impact_facts


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
    """Before migration 21: the impact facts were three tables (records/impact_facts.py kept
    no line outcomes or line measures), and no grants named the other two."""
    monkeypatch.setattr(impact_facts, "_TABLES", tuple(
        t for t in impact_facts._TABLES if t[0] not in LINE_FACTS))
    _no_grants_on(monkeypatch, LINE_FACTS)


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
    if stopped_at < 21:
        before_line_facts(monkeypatch)
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
