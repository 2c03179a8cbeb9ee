"""sendesk-cli as IT staff and scripts use it: secrets on standard input, exit status 0 on
success, and on failure a non-zero status with exactly one plain line on stderr, never a
traceback."""

from __future__ import annotations

import io
import os
import subprocess

import pytest

from conftest import SCHOOL_NAME, SENCO, SENCO_NAME, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from impact_support import library_item, pupil_on_item
from sendesk import __version__
from sendesk.cli import main as cli_module
from sendesk.crypto import keys
from sendesk.errors import WrongPassword
from sendesk.services import lifecycle, users
from sendesk.store.keyfile import keyfile_path
from store_tools import cli_executable, copy_school, folder_state, make_school

NEW_PASSWORD = "orchid-tumble-riverbank-55"
JO_PASSWORD = "copper-pylon-saffron-21"


@pytest.fixture(scope="module")
def school_template(tmp_path_factory):
    return make_school(tmp_path_factory.mktemp("template"))


@pytest.fixture
def school(school_template, db_path):
    return copy_school(school_template, db_path)


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def error(self) -> str:
        return self.err.strip()


@pytest.fixture
def cli(capsys):
    """Run sendesk-cli in-process; every run is checked against the CLI's contract."""
    def run(*argv, stdin: list[str] = ()) -> Run:
        code = cli_module.main([str(a) for a in argv],
                               stdin=io.StringIO("".join(line + "\n" for line in stdin)))
        out, err = capsys.readouterr()
        check_contract(code, out, err)
        return Run(code, out, err)
    return run


def check_contract(code: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err
    if code == 0:
        assert err == ""
    else:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("sendesk-cli")


def run_installed(*argv, stdin: list[str] = ()) -> Run:
    result = subprocess.run([cli_executable(), *[str(a) for a in argv]],
                            input="".join(line + "\n" for line in stdin), capture_output=True,
                            text=True, timeout=120, env={**os.environ, "SENDESK_DEBUG": ""})
    check_contract(result.returncode, result.stdout, result.stderr)
    return Run(result.returncode, result.stdout, result.stderr)


def init_args(db_path, **overrides):
    args = {"--school": SCHOOL_NAME, "--urn": "123456", "--user": SENCO, "--full-name": SENCO_NAME}
    args.update(overrides)
    return ["init", db_path, *[item for pair in args.items() for item in pair]]


# --- version and usage ------------------------------------------------------------------------------

def test_version(cli):
    run = cli("--version")
    assert run.code == 0
    assert run.out.strip() == f"sendesk {__version__}"


def test_usage_errors_exit_2_without_a_traceback(cli):
    assert cli().code == 2
    assert cli("no-such-command").code == 2
    assert cli("init").code == 2  # missing arguments


# --- init ----------------------------------------------------------------------------------------

def test_init_creates_a_database_and_prints_the_recovery_key_once(cli, db_path):
    run = cli(*init_args(db_path), stdin=[SENCO_PASSWORD])
    assert run.code == 0
    assert db_path.exists() and keyfile_path(db_path).exists()
    recovery = run.out.strip().splitlines()[-1]
    assert keys.parse_recovery_key(recovery) is not None
    # The printed key really is the database's recovery key.
    lifecycle.recover(db_path, recovery, SENCO, NEW_PASSWORD).close()
    session = lifecycle.open_school(db_path, SENCO, NEW_PASSWORD)
    assert session.school.name == SCHOOL_NAME and session.user.full_name == SENCO_NAME
    session.close()


def test_init_with_la_establishment_number_and_roles(cli, db_path):
    run = cli(*init_args(db_path, **{"--urn": "937/4001", "--roles": "admin"}), stdin=[SENCO_PASSWORD])
    assert run.code == 0
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    assert session.school.reference == "937/4001"
    assert [r.value for r in session.user.roles] == ["admin"]
    session.close()


@pytest.mark.parametrize("overrides, password", [
    ({}, "password1"),
    ({}, ""),
    ({"--urn": "12"}, SENCO_PASSWORD),
    ({"--user": "1 bad name"}, SENCO_PASSWORD),
    ({"--roles": "headteacher"}, SENCO_PASSWORD),
    ({"--school": ""}, SENCO_PASSWORD),
])
def test_init_refusals_create_nothing(cli, db_path, overrides, password):
    run = cli(*init_args(db_path, **overrides), stdin=[password])
    assert run.code != 0
    assert list(db_path.parent.iterdir()) == []


def test_init_weak_password_says_why(cli, db_path):
    run = cli(*init_args(db_path), stdin=["password1"])
    assert run.code != 0 and "too weak" in run.error


def test_init_without_a_password_on_stdin_fails_cleanly(cli, db_path):
    run = cli(*init_args(db_path))
    assert run.code != 0 and "standard input" in run.error
    assert not db_path.exists()


def test_init_never_overwrites(cli, school):
    db_path, _ = school
    before = folder_state(db_path.parent)
    run = cli(*init_args(db_path), stdin=[SENCO_PASSWORD])
    assert run.code != 0 and "already exists" in run.error
    assert folder_state(db_path.parent) == before


# --- signing in -----------------------------------------------------------------------------------

def test_verify_passes_on_a_sound_database(cli, school):
    run = cli("verify", school[0], "--user", SENCO, stdin=[SENCO_PASSWORD])
    assert run.code == 0
    assert "Encryption check: passed" in run.out and "Database structure: passed" in run.out
    assert "intact" in run.out


def test_verify_names_a_derived_table_that_differs_from_a_recount(cli, school, clock):
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    try:
        pupil_on_item(session, "Facts", library_item(session, "Precision teaching"))
        session.db.execute("DELETE FROM impact_lines")    # as only the key's holder could
    finally:
        session.close()
    run = cli("verify", school[0], "--user", SENCO, stdin=[SENCO_PASSWORD])
    sentence = ("The derived table impact_lines does not match a recount from the records (1 row "
                "missing), so the impact of provision and the governors' spend may be wrong.")
    assert run.code == 1 and f"  - {sentence}" in run.out.splitlines()
    assert "Facts worked out from the records (impact, plan reviews, pathways' plans): " \
           "DIFFERENT FROM A RECOUNT" in run.out
    assert run.error == f"sendesk-cli: {school[0].name} failed verification: {sentence}"


@pytest.mark.parametrize("user, password", [(SENCO, "not-the-right-password-12"),
                                            ("nobody", SENCO_PASSWORD)])
def test_wrong_password_fails_with_one_line(cli, school, user, password):
    before = folder_state(school[0].parent)
    run = cli("verify", school[0], "--user", user, stdin=[password])
    assert run.code == 1
    assert run.error == "sendesk-cli: Wrong username or password."
    assert run.out == ""
    assert folder_state(school[0].parent) == before


def test_a_missing_database_fails_with_one_line(cli, tmp_path):
    for argv in (["verify", tmp_path / "missing.sendesk", "--user", SENCO],
                 ["backup", tmp_path / "missing.sendesk", tmp_path / "b", "--user", SENCO],
                 ["user", "list", tmp_path / "missing.sendesk", "--user", SENCO]):
        run = cli(*argv, stdin=[SENCO_PASSWORD])
        assert run.code == 1 and "cannot be found" in run.error
    assert list(tmp_path.iterdir()) == []


def test_a_missing_key_file_fails_with_one_line(cli, school):
    keyfile_path(school[0]).unlink()
    run = cli("verify", school[0], "--user", SENCO, stdin=[SENCO_PASSWORD])
    assert run.code == 1 and "key file" in run.error


# --- backup, restore, recover ---------------------------------------------------------------------

def test_backup_and_restore_round_trip(cli, school, tmp_path):
    db_path, _ = school
    out = tmp_path / "monday.sendesk-backup"
    run = cli("backup", db_path, out, "--user", SENCO, stdin=[SENCO_PASSWORD])
    assert run.code == 0 and out.exists()
    assert "Backup written" in run.out

    again = cli("backup", db_path, out, "--user", SENCO, stdin=[SENCO_PASSWORD])
    assert again.code != 0 and "already exists" in again.error

    restored = tmp_path / "restored" / "school.sendesk"
    restored.parent.mkdir()
    wrong = cli("restore", out, restored, stdin=["not-the-right-password-12"])
    assert wrong.code != 0 and list(restored.parent.iterdir()) == []

    # Only an administrator of the backup may restore it (issue 18, item 12).
    staff = cli("restore", out, restored, "--user", STAFF, stdin=[STAFF_PASSWORD])
    assert staff.code != 0 and "not an administrator in the backup" in staff.error
    assert list(restored.parent.iterdir()) == []

    run = cli("restore", out, restored, "--user", SENCO, stdin=[SENCO_PASSWORD])
    assert run.code == 0
    assert cli("verify", restored, "--user", SENCO, stdin=[SENCO_PASSWORD]).code == 0

    over = cli("restore", out, db_path, stdin=[SENCO_PASSWORD])
    assert over.code != 0 and "already exists" in over.error


def test_staff_cannot_back_up(cli, school, tmp_path):
    run = cli("backup", school[0], tmp_path / "b.sendesk-backup", "--user", STAFF, stdin=[STAFF_PASSWORD])
    assert run.code == 1 and "does not allow" in run.error
    assert not (tmp_path / "b.sendesk-backup").exists()


def test_recover_sets_a_new_password(cli, school):
    db_path, recovery = school
    run = cli("recover", db_path, "--user", SENCO, stdin=[recovery.lower(), NEW_PASSWORD])
    assert run.code == 0
    lifecycle.open_school(db_path, SENCO, NEW_PASSWORD).close()
    with pytest.raises(WrongPassword):
        lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)


def test_recover_refusals(cli, school):
    db_path, recovery = school
    before = folder_state(db_path.parent)
    assert cli("recover", db_path, stdin=[recovery, NEW_PASSWORD]).code != 0  # whose password?
    assert cli("recover", db_path, "--user", SENCO, stdin=[keys.new_recovery_key(), NEW_PASSWORD]).code != 0
    assert cli("recover", db_path, "--user", SENCO, stdin=[recovery]).code != 0
    assert folder_state(db_path.parent) == before
    # A weak new password is refused after the recovery key has opened the database (which
    # the audit log records); the key file, and so every password, stays as it was.
    assert cli("recover", db_path, "--user", SENCO, stdin=[recovery, "password1"]).code != 0
    key_name = keyfile_path(db_path).name
    assert folder_state(db_path.parent)[key_name] == before[key_name]
    lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD).close()


@pytest.mark.sqlcipher_only(reason="the recovery key belongs to a database file")
def test_recover_for_someone_not_in_the_school_says_so_and_not_wrong_password(cli, school):
    """No password was asked for, so "Wrong username or password." misled; the key is
    checked first, so only its holder (who could read every record) learns who is missing."""
    db_path, recovery = school
    before = folder_state(db_path.parent)
    run = cli("recover", db_path, "--user", "mpatell", stdin=[recovery, NEW_PASSWORD])
    assert run.code == 1 and "Wrong username or password" not in run.err
    assert "No one called mpatell can sign in to this school's database" in run.err
    assert "the recovery key was right" in run.err
    # With a wrong key nothing is said about the username at all.
    run = cli("recover", db_path, "--user", "mpatell", stdin=[keys.new_recovery_key(), NEW_PASSWORD])
    assert run.code == 1 and "mpatell" not in run.err
    key_name = keyfile_path(db_path).name
    assert folder_state(db_path.parent)[key_name] == before[key_name]


def test_init_and_user_add_take_role_and_roles_alike(cli, db_path):
    assert cli(*init_args(db_path, **{"--role": "admin"}), stdin=[SENCO_PASSWORD]).code == 0
    run = cli("user", "add", db_path, "jbloggs", "--full-name", "Jo Bloggs", "--roles",
              "staff,senco", "--user", SENCO, stdin=[SENCO_PASSWORD, JO_PASSWORD])
    assert run.code == 0, run.err
    for username, password, roles in ((SENCO, SENCO_PASSWORD, ["admin"]),
                                      ("jbloggs", JO_PASSWORD, ["senco", "staff"])):
        session = lifecycle.open_school(db_path, username, password)
        assert sorted(r.value for r in session.user.roles) == roles
        session.close()


# --- users --------------------------------------------------------------------------------------

def test_user_add_list_remove(cli, school):
    db_path, _ = school
    run = cli("user", "add", db_path, "jbloggs", "--full-name", "Jo Bloggs", "--role", "staff",
              "--user", SENCO, stdin=[SENCO_PASSWORD, JO_PASSWORD])
    assert run.code == 0 and "jbloggs" in run.out
    lifecycle.open_school(db_path, "jbloggs", JO_PASSWORD).close()

    listed = cli("user", "list", db_path, "--user", STAFF, stdin=[STAFF_PASSWORD])
    assert listed.code == 0
    assert listed.out.splitlines() == ["username,full_name,roles", "jbloggs,Jo Bloggs,staff",
                                       f"{SENCO},{SENCO_NAME},\"admin,senco\"",
                                       f"{STAFF},Owen Williams,staff"]

    run = cli("user", "remove", db_path, "jbloggs", "--user", SENCO, stdin=[SENCO_PASSWORD])
    assert run.code == 0
    with pytest.raises(WrongPassword):
        lifecycle.open_school(db_path, "jbloggs", JO_PASSWORD)
    listed = cli("user", "list", db_path, "--user", SENCO, stdin=[SENCO_PASSWORD])
    assert "jbloggs" not in listed.out


def test_user_add_refusals_change_nothing(cli, school):
    db_path, _ = school
    before = folder_state(db_path.parent)
    staff = cli("user", "add", db_path, "jbloggs", "--full-name", "Jo Bloggs", "--role", "admin",
                "--user", STAFF, stdin=[STAFF_PASSWORD, JO_PASSWORD])
    assert staff.code == 1 and "does not allow" in staff.error
    weak = cli("user", "add", db_path, "jbloggs", "--full-name", "Jo Bloggs", "--role", "staff",
               "--user", SENCO, stdin=[SENCO_PASSWORD, "password1"])
    assert weak.code == 1 and "too weak" in weak.error
    duplicate = cli("user", "add", db_path, STAFF, "--full-name", "Jo Bloggs", "--role", "staff",
                    "--user", SENCO, stdin=[SENCO_PASSWORD, JO_PASSWORD])
    assert duplicate.code == 1
    bad_role = cli("user", "add", db_path, "jbloggs", "--full-name", "Jo Bloggs", "--role", "head",
                   "--user", SENCO, stdin=[SENCO_PASSWORD, JO_PASSWORD])
    assert bad_role.code == 1
    # Only sign-ins were recorded: the key file is untouched and nobody was added.
    after = folder_state(db_path.parent)
    assert after[keyfile_path(db_path).name] == before[keyfile_path(db_path).name]
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    assert [u.username for u in users.list_users(session)] == [SENCO, STAFF]
    session.close()


def test_user_remove_refusals(cli, school):
    db_path, _ = school
    assert cli("user", "remove", db_path, SENCO, "--user", STAFF, stdin=[STAFF_PASSWORD]).code == 1
    assert cli("user", "remove", db_path, SENCO, "--user", SENCO, stdin=[SENCO_PASSWORD]).code == 1
    assert cli("user", "remove", db_path, "nobody", "--user", SENCO, stdin=[SENCO_PASSWORD]).code == 1
    lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD).close()


def test_passwd_own_and_reset_another(cli, school):
    db_path, _ = school
    run = cli("user", "passwd", db_path, "--user", STAFF, stdin=[STAFF_PASSWORD, NEW_PASSWORD])
    assert run.code == 0
    lifecycle.open_school(db_path, STAFF, NEW_PASSWORD).close()

    run = cli("user", "passwd", db_path, STAFF, "--user", SENCO, stdin=[SENCO_PASSWORD, JO_PASSWORD])
    assert run.code == 0
    lifecycle.open_school(db_path, STAFF, JO_PASSWORD).close()


def test_passwd_refusals_change_nothing(cli, school):
    db_path, _ = school
    key_before = folder_state(db_path.parent)[keyfile_path(db_path).name]
    assert cli("user", "passwd", db_path, "--user", STAFF,
               stdin=["not-the-right-password-12", NEW_PASSWORD]).code == 1
    assert cli("user", "passwd", db_path, "--user", STAFF, stdin=[STAFF_PASSWORD, "short"]).code == 1
    assert cli("user", "passwd", db_path, SENCO, "--user", STAFF,
               stdin=[STAFF_PASSWORD, NEW_PASSWORD]).code == 1
    assert folder_state(db_path.parent)[keyfile_path(db_path).name] == key_before
    lifecycle.open_school(db_path, STAFF, STAFF_PASSWORD).close()
    lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD).close()


# --- the last line of defence ------------------------------------------------------------------

def test_an_unexpected_fault_is_one_line_without_a_traceback(cli, school, monkeypatch):
    """A bug in a command must reach the user as an apology, not a stack trace."""
    monkeypatch.delenv("SENDESK_DEBUG", raising=False)

    def broken(session):
        raise RuntimeError("internal detail that should not be shown")
    monkeypatch.setattr(cli_module.school.verify_mod, "verify", broken)
    run = cli("verify", school[0], "--user", SENCO, stdin=[SENCO_PASSWORD])
    assert run.code == 1
    assert "unexpected error" in run.error and "internal detail" not in run.error


# --- the installed command ------------------------------------------------------------------------

def test_installed_command_version():
    run = run_installed("--version")
    assert run.code == 0 and run.out.strip() == f"sendesk {__version__}"


def test_installed_command_end_to_end(tmp_path):
    db_path = tmp_path / "school.sendesk"
    run = run_installed(*init_args(db_path), stdin=[SENCO_PASSWORD])
    assert run.code == 0, run.err
    assert run_installed("verify", db_path, "--user", SENCO, stdin=[SENCO_PASSWORD]).code == 0

    wrong = run_installed("verify", db_path, "--user", SENCO, stdin=["not-the-right-password-12"])
    assert wrong.code == 1 and wrong.error == "sendesk-cli: Wrong username or password."

    added = run_installed("user", "add", db_path, STAFF, "--full-name", "Owen Williams", "--role",
                          "staff", "--user", SENCO, stdin=[SENCO_PASSWORD, STAFF_PASSWORD])
    assert added.code == 0, added.err
    before = folder_state(tmp_path)
    staff = run_installed("user", "add", db_path, "jbloggs", "--full-name", "Jo Bloggs", "--role",
                          "admin", "--user", STAFF, stdin=[STAFF_PASSWORD, JO_PASSWORD])
    assert staff.code == 1 and "does not allow" in staff.error
    # Only the staff member's sign-in was written; nobody was added.
    assert folder_state(tmp_path)[keyfile_path(db_path).name] == before[keyfile_path(db_path).name]

    missing = run_installed("verify", tmp_path / "nope.sendesk", "--user", SENCO, stdin=[SENCO_PASSWORD])
    assert missing.code == 1
