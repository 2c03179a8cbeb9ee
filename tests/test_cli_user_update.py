"""`sendesk-cli user update`: an administrator changes a user's full name or roles from a
script, under the CLI's contract (one plain line on stderr on failure, never a traceback)."""

from __future__ import annotations

import io

import pytest

from conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from sendesk.cli import main as cli_module
from sendesk.models.roles import Role
from sendesk.services import lifecycle, users
from test_cli import Run, check_contract


@pytest.fixture
def cli(capsys):
    def run(*argv, stdin: list[str] = ()) -> Run:
        code = cli_module.main([str(a) for a in argv],
                               stdin=io.StringIO("".join(line + "\n" for line in stdin)))
        out, err = capsys.readouterr()
        check_contract(code, out, err)
        return Run(code, out, err)
    return run


def staff_user(path):
    session = lifecycle.open_school(path, STAFF, STAFF_PASSWORD)
    try:
        return session.user
    finally:
        session.close()


def test_an_administrator_changes_a_name_and_roles(cli, school):
    run = cli("user", "update", school[0], STAFF, "--full-name", "Owen Hart", "--roles",
              "staff,senco", "--user", SENCO, stdin=[SENCO_PASSWORD])
    assert run.code == 0, run.err
    assert "Owen Hart" in run.out and "next time they sign in" in run.out
    user = staff_user(school[0])
    assert user.full_name == "Owen Hart" and user.roles == {Role.STAFF, Role.SENCO}
    listed = cli("user", "list", school[0], "--user", STAFF, stdin=[STAFF_PASSWORD])
    assert f"{STAFF},Owen Hart,\"senco,staff\"" in listed.out


def test_roles_alone_keep_the_name(cli, school):
    run = cli("user", "update", school[0], STAFF, "--roles", "senco", "--user", SENCO,
              stdin=[SENCO_PASSWORD])
    assert run.code == 0, run.err
    user = staff_user(school[0])
    assert user.full_name == "Owen Williams" and user.roles == {Role.SENCO}


@pytest.mark.parametrize("args, says", [
    ([STAFF], "--full-name, --roles"),
    ([STAFF, "--roles", "teacher"], "not a role"),
    ([SENCO, "--roles", "senco"], "your own administrator role"),
    (["nobody", "--full-name", "X Y"], "no user called nobody"),
])
def test_refusals_are_one_sentence_and_change_nothing(cli, school, args, says):
    run = cli("user", "update", school[0], *args, "--user", SENCO, stdin=[SENCO_PASSWORD])
    assert run.code != 0 and says in run.error
    user = staff_user(school[0])
    assert user.full_name == "Owen Williams" and user.roles == {Role.STAFF}


def test_staff_cannot_change_roles(cli, school):
    run = cli("user", "update", school[0], STAFF, "--roles", "admin", "--user", STAFF,
              stdin=[STAFF_PASSWORD])
    assert run.code != 0
    assert staff_user(school[0]).roles == {Role.STAFF}
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD)
    try:
        assert {u.username for u in users.list_users(session)} == {SENCO, STAFF}
    finally:
        session.close()
