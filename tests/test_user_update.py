"""Changing a user's full name and roles (issue 17): what the record then holds, who signs in
with which roles, and the rules that keep a school from locking itself out of its users."""

from __future__ import annotations

import pytest

from conftest import SENCO, SENCO_NAME, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from sendesk.errors import PermissionDenied, ValidationError
from sendesk.models.roles import Role
from sendesk.records import audit_log
from sendesk.services import lifecycle, users

ADMIN2 = "bjones"
ADMIN2_PASSWORD = "marble-compass-thistle-64"


def by_name(session) -> dict[str, object]:
    return {u.username: u for u in users.list_users(session)}


def test_a_new_name_and_roles_are_kept_and_take_effect_at_the_next_sign_in(school, senco_session, clock):
    staff_window = lifecycle.open_school(school[0], STAFF, STAFF_PASSWORD, clock)
    user = users.update_user(senco_session, STAFF, full_name="Owen Williams-Hart", roles="staff,senco")
    assert user.full_name == "Owen Williams-Hart" and user.roles == {Role.STAFF, Role.SENCO}
    kept = by_name(senco_session)[STAFF]
    assert kept.full_name == "Owen Williams-Hart" and kept.roles == {Role.STAFF, Role.SENCO}
    assert staff_window.user.roles == {Role.STAFF}, "a window already open keeps its roles"
    staff_window.close()
    again = lifecycle.open_school(school[0], STAFF, STAFF_PASSWORD, clock)
    try:
        assert again.user.roles == {Role.STAFF, Role.SENCO}
        assert again.user.full_name == "Owen Williams-Hart"
    finally:
        again.close()
    entry = [e for e in audit_log.read_log(senco_session) if e.action == "changed a user"][-1]
    assert "senco,staff" in str(entry.as_row())


def test_leaving_one_out_keeps_it(senco_session):
    users.update_user(senco_session, STAFF, roles="senco")
    assert by_name(senco_session)[STAFF].full_name == "Owen Williams"
    users.update_user(senco_session, STAFF, full_name="Owen W")
    assert by_name(senco_session)[STAFF].roles == {Role.SENCO}


@pytest.mark.parametrize("kwargs, error", [
    ({}, ValidationError),
    ({"roles": "teacher"}, ValidationError),
    ({"roles": " , "}, ValidationError),
    ({"full_name": "   "}, ValidationError),
])
def test_bad_input_says_so_and_changes_nothing(senco_session, kwargs, error):
    before = by_name(senco_session)[STAFF]
    with pytest.raises(error):
        users.update_user(senco_session, STAFF, **kwargs)
    assert by_name(senco_session)[STAFF] == before


def test_an_unknown_user_is_named(senco_session):
    with pytest.raises(ValidationError, match="no user called nobody"):
        users.update_user(senco_session, "nobody", full_name="No One")


def test_an_administrator_cannot_take_away_their_own_admin_role(senco_session):
    users.add_user(senco_session, ADMIN2, "Bea Jones", "admin", ADMIN2_PASSWORD)
    with pytest.raises(PermissionDenied, match="your own administrator role"):
        users.update_user(senco_session, SENCO, roles="senco")
    assert Role.ADMIN in by_name(senco_session)[SENCO].roles
    users.update_user(senco_session, SENCO, full_name="Meera Patel-Shah", roles="senco,admin")
    assert by_name(senco_session)[SENCO].full_name == "Meera Patel-Shah"


def test_the_last_administrator_keeps_their_admin_role(school, senco_session, clock):
    """An administrator demoted in another window still holds admin in the window they had open
    (roles are read at sign-in): from there they cannot demote the one administrator left."""
    users.add_user(senco_session, ADMIN2, "Bea Jones", "admin", ADMIN2_PASSWORD)
    other = lifecycle.open_school(school[0], ADMIN2, ADMIN2_PASSWORD, clock)
    try:
        users.update_user(other, SENCO, roles="senco")
    finally:
        other.close()
    with pytest.raises(PermissionDenied, match="last administrator"):
        users.update_user(senco_session, ADMIN2, roles="staff")
    assert by_name(senco_session)[ADMIN2].roles == {Role.ADMIN}
    assert by_name(senco_session)[SENCO].full_name == SENCO_NAME


def test_staff_cannot_change_anyone(staff_session):
    with pytest.raises(PermissionDenied):
        users.update_user(staff_session, STAFF, roles="senco,admin")


def test_the_key_file_still_opens_for_the_renamed_user(school, senco_session, clock):
    users.update_user(senco_session, SENCO, full_name="Meera Shah")
    lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock).close()
