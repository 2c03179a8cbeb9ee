"""The test server's own housekeeping (tests/pg_server.py): emptying one test's database for
the next test drops that database's roles only. Login roles are cluster-wide, so dropping
every one would sign out the school of any other test database on the same server (a test
with two schools, or another test process sharing the server)."""

from __future__ import annotations

import pytest

from conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from pg_server import SUPERUSER, SUPERUSER_PASSWORD, roles_of
from sendesk.errors import SendeskError
from sendesk.models.roles import Role
from sendesk.services import lifecycle, server_school, users
from sendesk.store.server_security import group_role

pytestmark = pytest.mark.server_only

OTHER_ADMIN, OTHER_STAFF = "jbloggs", "kchen"
OTHER_PASSWORD = "saffron-drumlin-oxbow-64"


def _other_school(server, name, clock) -> None:
    session = server_school.create_on_server(
        server.url(name, user=SUPERUSER), SUPERUSER_PASSWORD, school_name="Larkfield Academy",
        school_reference="654321", username=OTHER_ADMIN, full_name="Jo Bloggs",
        password=OTHER_PASSWORD, clock=clock)
    try:
        users.add_user(session, OTHER_STAFF, "Kai Chen", "staff", OTHER_PASSWORD)
    finally:
        session.close()


def _roles(server) -> set[str]:
    with server.admin() as conn:
        return {r[0] for r in conn.execute("SELECT rolname FROM pg_roles").fetchall()}


def test_releasing_one_schools_database_keeps_the_other_schools_logins(
        school, pg_server, server_database, clock):
    other = pg_server.acquire()
    try:
        _other_school(pg_server, other, clock)
        with pg_server.admin() as conn:
            assert set(roles_of(conn, other)) == {OTHER_ADMIN, OTHER_STAFF} | {
                group_role(other, role) for role in Role}
    finally:
        pg_server.release(other)
    left = _roles(pg_server)
    assert not {OTHER_ADMIN, OTHER_STAFF} & left
    assert not {group_role(other, role) for role in Role} & left
    # The first school's logins and groups are untouched and still sign in.
    assert {group_role(server_database[1], role) for role in Role} <= left
    for username, password in ((SENCO, SENCO_PASSWORD), (STAFF, STAFF_PASSWORD)):
        lifecycle.open_school(school[0], username, password, clock).close()
    # The other database is ready for another school with the same logins.
    again = pg_server.acquire()
    try:
        _other_school(pg_server, again, clock)
        lifecycle.open_school(pg_server.url(again), OTHER_STAFF, OTHER_PASSWORD, clock).close()
    finally:
        pg_server.release(again)


def test_dropping_a_database_drops_its_roles_only(school, pg_server, clock):
    other = pg_server.new_database()
    _other_school(pg_server, other, clock)
    pg_server.drop_database(other)
    assert not {OTHER_ADMIN, OTHER_STAFF} & _roles(pg_server)
    lifecycle.open_school(school[0], STAFF, STAFF_PASSWORD, clock).close()
    with pytest.raises(SendeskError):
        lifecycle.open_school(pg_server.url(other), OTHER_ADMIN, OTHER_PASSWORD, clock)
