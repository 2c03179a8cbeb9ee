"""Moving a school between a database file and the school server (services/server_move.py),
against a real PostgreSQL server: `server import`, `server export` and `backup` on the server,
each checked the way the IT technician would check it afterwards (sign in, verify, count)."""

from __future__ import annotations

import io
import shlex
import subprocess

import pytest

from conftest import STAFF, STAFF_NAME, STAFF_PASSWORD
from pg_server import SUPERUSER, SUPERUSER_PASSWORD
from sendesk.cli import main as cli_main
from sendesk.errors import SendeskError, WrongPassword
from sendesk.records import pupils
from sendesk.services import lifecycle, school_copy, server_school, users
from sendesk.services import verify as verify_mod
from sendesk.store.keyfile import keyfile_path
from transfer_support import SENDER_PASSWORD, SENDER_USER, make_sender

pytestmark = pytest.mark.server_only
AUDIT = {"audit_log", "audit_head"}


def cli(*argv, stdin=()):
    """sendesk-cli in-process: (exit status, stdout, stderr)."""
    import contextlib
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main.main([str(a) for a in argv],
                             stdin=io.StringIO("".join(line + "\n" for line in stdin)))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def demo_file(tmp_path, clock):
    """The demo school in a file, with a second (staff) user."""
    path = tmp_path / "demo.sendesk"
    session = make_sender(path, clock)
    users.add_user(session, STAFF, STAFF_NAME, "staff", STAFF_PASSWORD)
    session.close()
    return path


@pytest.fixture
def empty_server(server_database):
    server, name = server_database
    return server, name, server.url(name, user=SUPERUSER), server.url(name)


@pytest.fixture
def bare_server(pg_server):
    """A database as IT makes it for a school (CREATE DATABASE, nothing in it yet)."""
    name = pg_server.new_database(migrated=False)
    yield pg_server, name, pg_server.url(name, user=SUPERUSER), pg_server.url(name)
    pg_server.drop_database(name)


def _tables(server, name):
    with server.admin(name) as conn:
        return conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                            ).fetchone()[0]


def _import(demo_file, owner_url):
    return cli("server", "import", demo_file, owner_url, "--user", SENDER_USER,
               stdin=[SENDER_PASSWORD, SUPERUSER_PASSWORD])


def _audit_rows_of(session):
    columns = school_copy.column_names(session.db, "audit_log")
    return [school_copy.row_hash(r) for r in school_copy.rows(session.db, "audit_log", columns)]


def _audit_rows(path, clock):
    session = lifecycle.open_school(path, SENDER_USER, SENDER_PASSWORD, clock)
    try:
        return _audit_rows_of(session)[:-1]   # leave out this sign-in
    finally:
        session.close()


def _checks(session, leave_out=()):
    tables = [t for t in school_copy.tables_in_order(session.db) if t not in leave_out]
    return school_copy.check(session.db, tables)


def test_import_copies_every_row_keeps_the_chain_and_lists_who_needs_a_password(
        demo_file, empty_server, clock):
    _, _, owner_url, url = empty_server
    source = lifecycle.open_school(demo_file, SENDER_USER, SENDER_PASSWORD, clock)
    before = _checks(source)
    source_pupil = pupils.get_pupil(source, source.db.scalar("SELECT max(id) FROM pupils"))
    source.close()

    code, out, err = _import(demo_file, owner_url)
    assert code == 0, err
    assert "checked row for row" in out
    assert (f"1 user needs a password set on the server: sendesk-cli user passwd '{url}' "
            f"{STAFF} --user {SENDER_USER}") in out

    moved = lifecycle.open_school(url, SENDER_USER, SENDER_PASSWORD, clock)
    try:
        after = _checks(moved)
        # Every record table came across value for value; the audit log has grown by the
        # sign-in and the move itself, on top of every entry the file had.
        assert {t: c for t, c in after.items() if t not in AUDIT} == \
               {t: c for t, c in before.items() if t not in AUDIT}
        # The file's whole audit log is the start of the server's, entry for entry.
        file_log = _audit_rows(demo_file, clock)
        assert _audit_rows_of(moved)[:len(file_log) - 1] == file_log[:-1]  # its last: the move
        assert len(file_log) > 100
        report = verify_mod.verify(moved)
        assert report.ok, report.lines()
        assert report.audit_entries == after["audit_log"].rows
        first = source_pupil
        assert pupils.get_pupil(moved, first.id) == first
        # New rows follow the copied ids rather than colliding with them.
        top = moved.db.scalar("SELECT max(id) FROM audit_log")
        moved.audit_now("looked")
        assert moved.db.scalar("SELECT max(id) FROM audit_log") == top + 1
    finally:
        moved.close()
    # The staff user's login exists but no password of theirs works until one is set.
    with pytest.raises(SendeskError, match="Wrong username or password"):
        lifecycle.open_school(url, STAFF, STAFF_PASSWORD, clock)


def test_import_is_refused_onto_a_database_that_already_holds_a_school(demo_file, empty_server):
    _, _, owner_url, _ = empty_server
    assert _import(demo_file, owner_url)[0] == 0
    code, out, err = _import(demo_file, owner_url)
    assert code == 1 and "already holds a sendesk school" in err, err


def test_import_is_refused_when_a_login_name_is_taken_and_nothing_is_written(
        demo_file, bare_server):
    server, name, owner_url, _ = bare_server
    with server.admin() as conn:
        conn.execute(f'CREATE ROLE "{STAFF}" LOGIN')
    code, _, err = _import(demo_file, owner_url)
    assert code == 1 and f"already has a login called {STAFF}" in err, err
    assert "nothing was moved" in err
    assert _tables(server, name) == 0   # nothing built either: a second import just works
    with server.admin() as conn:
        conn.execute(f'DROP ROLE "{STAFF}"')
    assert _import(demo_file, owner_url)[0] == 0


def _tamper_file(path, clock, *statements):
    from store_tools import raw_connection
    session = lifecycle.open_school(path, SENDER_USER, SENDER_PASSWORD, clock)
    key = bytes(session.data_key)
    session.close()
    conn = raw_connection(path, key)
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'audit_log_no_update'"
                           ).fetchone()[0]
    for sql in statements:
        conn.execute(sql.replace("{trigger}", trigger))
    conn.close()


@pytest.mark.parametrize(("statements", "words"), [
    (("DROP TRIGGER audit_log_no_update",
      "UPDATE audit_log SET action = 'nothing happened' WHERE id = 3", "{trigger}"),
     "audit entry 3 has been altered or reordered"),
    (("DROP TRIGGER audit_log_no_update",), "the safeguard audit_log_no_update has been removed"),
])
def test_a_file_whose_audit_log_was_tampered_with_is_not_moved(demo_file, bare_server, clock,
                                                               statements, words):
    server, name, owner_url, _ = bare_server
    _tamper_file(demo_file, clock, *statements)
    code, _, err = _import(demo_file, owner_url)
    assert code == 1 and "does not pass verify" in err and words in err, err
    assert len(err.strip().splitlines()) == 1
    assert _tables(server, name) == 0


def test_only_an_administrator_of_the_file_may_move_it(demo_file, empty_server):
    _, _, owner_url, _ = empty_server
    code, _, err = cli("server", "import", demo_file, owner_url, "--user", STAFF,
                       stdin=[STAFF_PASSWORD, SUPERUSER_PASSWORD])
    assert code == 1 and "does not allow you to manage users" in err, err


def test_export_makes_a_file_that_opens_verifies_and_matches_the_server(
        demo_file, empty_server, tmp_path, clock):
    _, _, owner_url, url = empty_server
    assert _import(demo_file, owner_url)[0] == 0
    out_file = tmp_path / "laptop.sendesk"
    code, out, err = cli("server", "export", url, out_file, "--user", SENDER_USER,
                         stdin=[SENDER_PASSWORD])
    assert code == 0, err
    assert "Recovery key" in out and f"sendesk-cli user passwd {out_file} {STAFF}" in out
    on_server = lifecycle.open_school(url, SENDER_USER, SENDER_PASSWORD, clock)
    copy = lifecycle.open_school(out_file, SENDER_USER, SENDER_PASSWORD, clock)
    try:
        assert _checks(copy, AUDIT) == _checks(on_server, AUDIT)
        assert copy.database_id == on_server.database_id
        report = verify_mod.verify(copy)
        assert report.ok, report.lines()
        # An administrator lets the others into the file with a password of their own.
        users.reset_password(copy, STAFF, "meadow-cobalt-lantern-62")
    finally:
        copy.close()
        on_server.close()
    lifecycle.open_school(out_file, STAFF, "meadow-cobalt-lantern-62", clock).close()
    code, _, err = cli("server", "export", url, out_file, "--user", SENDER_USER,
                       stdin=[SENDER_PASSWORD])
    assert code == 1 and "already exists" in err


def test_backup_on_the_server_is_an_encrypted_backup_that_restores_into_a_file(
        demo_file, empty_server, tmp_path, clock):
    _, _, owner_url, url = empty_server
    assert _import(demo_file, owner_url)[0] == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    backup_file = folder / "school.sendesk-backup"
    code, out, err = cli("backup", url, backup_file, "--user", SENDER_USER, stdin=[SENDER_PASSWORD])
    assert code == 0, err
    assert [p.name for p in folder.iterdir()] == [backup_file.name]   # no copy left behind
    on_server = lifecycle.open_school(url, SENDER_USER, SENDER_PASSWORD, clock)
    surname = str(on_server.db.scalar("SELECT legal_surname FROM pupils ORDER BY id LIMIT 1"))
    expected = _checks(on_server, AUDIT)
    on_server.close()
    assert surname.encode() not in backup_file.read_bytes()

    restored = tmp_path / "restored.sendesk"
    code, out, err = cli("restore", backup_file, restored, "--user", SENDER_USER,
                         stdin=[SENDER_PASSWORD])
    assert code == 0, err
    assert keyfile_path(restored).exists()
    # Only the person who sealed it has a key in the restored file: the others are named,
    # with the command that lets each in (they used to get "Wrong username or password.").
    assert (f"1 user needs a password set on the restored file: sendesk-cli user passwd "
            f"{restored} {STAFF} --user {SENDER_USER}") in out
    _run_advice(out, [SENDER_PASSWORD, "meadow-cobalt-lantern-62"])
    lifecycle.open_school(restored, STAFF, "meadow-cobalt-lantern-62", clock).close()
    session = lifecycle.open_school(restored, SENDER_USER, SENDER_PASSWORD, clock)
    try:
        assert _checks(session, AUDIT) == expected
        assert verify_mod.verify(session).ok
    finally:
        session.close()


def test_a_server_backup_needs_the_persons_own_password(demo_file, empty_server, tmp_path, clock):
    from sendesk.errors import PermissionDenied
    from sendesk.services import backup
    _, _, owner_url, url = empty_server
    assert _import(demo_file, owner_url)[0] == 0
    session = server_school.open_on_server(url, SENDER_USER, SENDER_PASSWORD, clock)
    try:
        with pytest.raises(PermissionDenied, match="own server password"):
            backup.backup(session, tmp_path / "b.sendesk-backup")
        with pytest.raises(WrongPassword):
            backup.backup(session, tmp_path / "b.sendesk-backup", password="not-the-password-1")
    finally:
        session.close()
    assert list(tmp_path.glob("*.sendesk-backup")) == []


def test_ids_the_servers_sequence_skipped_do_not_read_as_a_tampered_log(
        demo_file, empty_server, tmp_path, clock):
    """A crash loses the sequence values PostgreSQL had cached, and a rolled-back save uses one
    up: neither may look like entries removed, on the server or in its export and backup."""
    server, name, owner_url, url = empty_server
    assert _import(demo_file, owner_url)[0] == 0
    with server.admin(name) as conn:   # as after `pg_ctl stop -m immediate`: 32 values lost
        conn.execute("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), "
                     "(SELECT max(id) FROM audit_log) + 32)")
    session = lifecycle.open_school(url, SENDER_USER, SENDER_PASSWORD, clock)
    try:
        with pytest.raises(RuntimeError):
            with session.db.transaction():
                session.audit_now("looked")
                raise RuntimeError("the save failed after its audit entry")
        session.audit_now("looked again")
        ids = [r["id"] for r in session.db.query("SELECT id FROM audit_log ORDER BY id")]
        assert ids == list(range(1, len(ids) + 1))
        report = verify_mod.verify(session)
        assert report.ok, report.lines()
    finally:
        session.close()
    out_file = tmp_path / "laptop.sendesk"
    code, _, err = cli("server", "export", url, out_file, "--user", SENDER_USER,
                       stdin=[SENDER_PASSWORD])
    assert code == 0, err
    backup_file = tmp_path / "school.sendesk-backup"
    code, _, err = cli("backup", url, backup_file, "--user", SENDER_USER, stdin=[SENDER_PASSWORD])
    assert code == 0, err
    restored = tmp_path / "restored.sendesk"
    code, _, err = cli("restore", backup_file, restored, "--user", SENDER_USER,
                       stdin=[SENDER_PASSWORD])
    assert code == 0, err
    for path in (out_file, restored):
        copy = lifecycle.open_school(path, SENDER_USER, SENDER_PASSWORD, clock)
        try:
            report = verify_mod.verify(copy)
            assert report.ok, (path, report.lines())
        finally:
            copy.close()


def _run_advice(out: str, stdin: list[str]) -> None:
    """Run every `sendesk-cli user passwd` command the output lists, as pasted into a shell
    that refuses a glob matching nothing (zsh does, and a server's address holds '?')."""
    advice = out.split("a password set ", 1)[1].split(": ", 1)[1].splitlines()[0]
    for command in advice.split("; "):
        shell = subprocess.run(["bash", "-O", "failglob", "-c",
                                f"printf '%s\\n' {command.removeprefix('sendesk-cli ')}"],
                               capture_output=True, text=True, cwd="/", check=True)
        argv = shell.stdout.splitlines()
        assert argv == shlex.split(command)[1:]
        code, _, err = cli(*argv, stdin=stdin)
        assert code == 0, err


def test_the_passwd_command_import_prints_works_pasted_into_a_shell(demo_file, empty_server,
                                                                    clock):
    _, _, owner_url, url = empty_server
    code, out, err = _import(demo_file, owner_url)
    assert code == 0, err
    assert "?" in url
    _run_advice(out, [SENDER_PASSWORD, "meadow-cobalt-lantern-62"])
    lifecycle.open_school(url, STAFF, "meadow-cobalt-lantern-62", clock).close()


def test_a_backup_is_not_restored_onto_the_server_and_the_refusal_says_what_to_do(
        demo_file, empty_server, tmp_path):
    backup_file = tmp_path / "school.sendesk-backup"
    assert cli("backup", demo_file, backup_file, "--user", SENDER_USER,
               stdin=[SENDER_PASSWORD])[0] == 0
    server, name, _, url = empty_server
    code, out, err = cli("restore", backup_file, url, "--user", SENDER_USER,
                         stdin=[SENDER_PASSWORD])
    assert code == 1 and out == ""
    assert "does not exist" not in err
    assert "restore it to a file first" in err and "sendesk-cli server import" in err
    assert len(err.strip().splitlines()) == 1
    assert _tables(server, name) > 0   # the migrated, empty database is as it was
    with server.admin(name) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_server_init_takes_role_and_user_add_takes_roles_as_well(empty_server, clock):
    _, _, owner_url, url = empty_server
    code, _, err = cli("server", "init", owner_url, "--school", "Brambleton", "--urn", "123456",
                       "--user", SENDER_USER, "--full-name", "Meera Patel", "--role", "admin",
                       stdin=[SUPERUSER_PASSWORD, SENDER_PASSWORD])
    assert code == 0, err
    code, _, err = cli("user", "add", url, STAFF, "--full-name", STAFF_NAME, "--roles",
                       "staff,senco", "--user", SENDER_USER,
                       stdin=[SENDER_PASSWORD, STAFF_PASSWORD])
    assert code == 0, err
    first = lifecycle.open_school(url, SENDER_USER, SENDER_PASSWORD, clock)
    second = lifecycle.open_school(url, STAFF, STAFF_PASSWORD, clock)
    try:
        assert [r.value for r in first.user.roles] == ["admin"]
        assert sorted(r.value for r in second.user.roles) == ["senco", "staff"]
    finally:
        first.close()
        second.close()
