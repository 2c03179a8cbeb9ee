"""The school server backend (store/server_database.py) against a real PostgreSQL server:
the migrations build the file's schema there, statements and rows behave as on the file,
TLS is required, failures read as sentences, a cut connection loses nothing, and the CLI
sets a school up on the server."""

from __future__ import annotations

import io

import pytest
import sqlcipher3

from conftest import SCHOOL_NAME, SENCO, SENCO_NAME, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from pg_server import SUPERUSER, SUPERUSER_PASSWORD
from records_fixtures import add_pupil, snapshot
from sendesk.cli import main as cli_main
from sendesk.errors import SendeskError, StorageError
from sendesk.services import lifecycle, server_school
from sendesk.services import verify as verify_mod
from sendesk.store import migrations, server_roles
from sendesk.store.database import Database, IntegrityError
from sendesk.store.server_address import NotOnServer, ServerConnectionError, parse
from sendesk.store.server_database import ServerDatabase
from sendesk.store.server_dialect import migration_statements, placeholders

pytestmark = pytest.mark.server_only


# --- the dialect, on its own ---------------------------------------------------------------

@pytest.mark.parametrize(("sql", "named", "expected"), [
    ("SELECT * FROM t WHERE a = ? AND b = ?", False, "SELECT * FROM t WHERE a = %s AND b = %s"),
    ("SELECT '?', \"a?\" FROM t WHERE x LIKE '%a' AND y = ?", False,
     "SELECT '?', \"a?\" FROM t WHERE x LIKE '%%a' AND y = %s"),
    ("SELECT 5 % 2, ? -- what?\n", False, "SELECT 5 %% 2, %s -- what?\n"),
    ("INSERT INTO t VALUES (:at, ':no', :b::text)", True,
     "INSERT INTO t VALUES (%(at)s, ':no', %(b)s::text)"),
    ("SELECT 'it''s ?' , ?", False, "SELECT 'it''s ?' , %s"),
])
def test_placeholders_change_only_outside_literals(sql, named, expected):
    assert placeholders(sql, named) == expected


def test_a_migration_outside_the_known_forms_is_refused_by_name():
    with pytest.raises(ValueError, match="DROP TABLE pupils"):
        migration_statements("DROP TABLE pupils")
    with pytest.raises(ValueError, match="one form"):
        migration_statements("CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE y SET a = 1; END;")


def test_the_first_administrator_password_reaches_the_server_only_as_a_scram_verifier():
    verifier = server_roles.scram_verifier("pencil", salt=b"0123456789abcdef")
    assert verifier.startswith("SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$")
    assert "pencil" not in verifier


# --- the schema -------------------------------------------------------------------------------

def _file_schema(tmp_path) -> Database:
    db = Database(tmp_path / "s.sendesk", bytes(32), create=True)
    db.migrate()
    return db


def test_the_migrations_build_the_files_schema_on_the_server(pg_server, engine, tmp_path):
    name = pg_server.new_database(migrated=False)
    server = ServerDatabase(parse(pg_server.url(name)), SUPERUSER, SUPERUSER_PASSWORD)
    file = _file_schema(tmp_path)
    try:
        assert server.schema_version() == 0
        assert server.migrate() == 0
        assert server.schema_version() == migrations.LATEST
        assert server.migrate() == migrations.LATEST      # nothing left to do
        assert server.table_names() == [t for t in file.table_names() if t != "sqlite_sequence"]
        for table in file.table_names():
            if table == "sqlite_sequence":
                continue
            # SQLite lets a TEXT primary key hold NULL unless told otherwise; PostgreSQL never.
            assert [{**c, "notnull": c["notnull"] or (bool(c["pk"]) and c["type"] == "TEXT")}
                    for c in file.columns(table)] \
                == server.columns(table), table
            key = lambda fk: (fk["from"], fk["table"])  # noqa: E731
            assert sorted(server.foreign_keys(table), key=key) == \
                sorted(file.foreign_keys(table), key=key), table
        assert server.triggers() == file.triggers()
    finally:
        server.close()
        file.close()
        pg_server.drop_database(name)


def test_a_failed_migration_leaves_the_server_at_its_old_version(pg_server, engine):
    name = pg_server.new_database(migrated=False)
    server = ServerDatabase(parse(pg_server.url(name)), SUPERUSER, SUPERUSER_PASSWORD)

    def broken(conn):
        migrations.run_script(conn, "CREATE TABLE half (id INTEGER PRIMARY KEY);\n"
                                    "CREATE INDEX nowhere ON missing(x);")
    try:
        with pytest.raises(SendeskError):
            server.migrate({1: migrations.STEPS[1], 2: broken})
        assert server.schema_version() == 0
        assert server.table_names() == []
    finally:
        server.close()
        pg_server.drop_database(name)


def test_verify_on_the_server_sees_the_safeguards_and_a_removed_one(school, senco_session, pg_server,
                                                                   server_database):
    assert verify_mod.verify(senco_session).ok
    pg_server.spoil(server_database[1])
    with pg_server.admin(server_database[1]) as conn:
        conn.execute("DROP TRIGGER audit_log_no_delete ON audit_log")
        conn.execute("CREATE OR REPLACE FUNCTION apdr_plans_fixed_guard() RETURNS trigger "
                     "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$")
    problems = verify_mod.verify(senco_session).safeguard_problems
    assert problems == ["the safeguard apdr_plans_fixed has been changed",
                        "the safeguard audit_log_no_delete has been removed"]


# --- statements and rows ----------------------------------------------------------------------

def test_rows_read_by_name_and_position_and_ids_come_back(senco_session):
    db = senco_session.db
    pupil_id = add_pupil(senco_session)
    row = db.query_one("SELECT id, upn, archived_at IS NULL AS on_roll, "
                       "(SELECT sum(id) FROM pupils) AS total FROM pupils WHERE id = ?", (pupil_id,))
    assert row["id"] == row[0] == pupil_id
    assert row["on_roll"] == 1 and type(row["on_roll"]) is int
    assert row["total"] == pupil_id and type(row["total"]) is int
    assert dict(zip(row.keys(), row, strict=True))["upn"] == row[1]
    cursor = db.execute("INSERT INTO short_notes (pupil_id, event_date, author_id, concern, "
                        "entered_at) VALUES (?, '2026-11-01', ?, '50% better?', 'now')",
                        (pupil_id, senco_session.user.id))
    assert cursor.lastrowid == db.scalar("SELECT max(id) FROM short_notes")
    assert db.scalar("SELECT concern FROM short_notes") == "50% better?"
    assert db.id_list("SELECT id FROM pupils ORDER BY id DESC") == [pupil_id]


def test_nested_transactions_roll_back_their_own_part(senco_session):
    db = senco_session.db
    with db.transaction():
        db.set_meta("a", "1")
        with pytest.raises(IntegrityError):
            with db.transaction():
                db.set_meta("b", "2")
                db.execute("INSERT INTO meta (key, value) VALUES ('a', 'again')")
        db.set_meta("c", "3")
    values = {r["key"]: r["value"] for r in db.query("SELECT key, value FROM meta")}
    assert values["a"] == "1" and values["c"] == "3" and "b" not in values


def test_a_safeguard_raises_the_stores_integrity_error_with_its_message(school, pg_server,
                                                                       server_database):
    # Only the owner holds any privilege on the log (store/server_security.py); its
    # safeguards still refuse even the owner.
    owner = ServerDatabase(parse(pg_server.url(server_database[1])), SUPERUSER, SUPERUSER_PASSWORD)
    try:
        with pytest.raises(sqlcipher3.IntegrityError, match="the audit log cannot be changed"):
            owner.execute("DELETE FROM audit_log")
        with pytest.raises(IntegrityError, match="the audit log cannot be changed"):
            owner.execute("UPDATE audit_log SET action = 'nothing'")
    finally:
        owner.close()


# --- signing in -------------------------------------------------------------------------------

def test_a_session_on_the_server_is_the_login_roles_user(school, clock):
    session = lifecycle.open_school(school[0], STAFF, STAFF_PASSWORD, clock)
    try:
        assert session.on_server and session.user.username == STAFF
        assert session.school.name == SCHOOL_NAME
        assert session.location.startswith("postgresql://127.0.0.1:")
        assert lifecycle.open_school(session.location, STAFF, STAFF_PASSWORD).close() is None
        assert len(session.database_id) == 16
        for what in (lambda: session.keyfile, lambda: session.data_key, lambda: session.path):
            with pytest.raises(NotOnServer, match="server"):
                what()
    finally:
        session.close()
    assert not session.is_open


def test_wrong_password_and_unknown_login_read_the_same(school):
    for user, password in ((SENCO, "not-the-password-at-all-9"), ("nobody", SENCO_PASSWORD)):
        with pytest.raises(ServerConnectionError, match="^Wrong username or password.$"):
            lifecycle.open_school(school[0], user, password)


def test_a_server_login_that_is_not_a_sendesk_user_is_told_so(school, pg_server, server_database):
    with pg_server.admin(server_database[1]) as conn:
        conn.execute("CREATE ROLE stranger LOGIN PASSWORD 'stranger-pass-1234'")
    with pytest.raises(SendeskError, match="not a sendesk user of this school"):
        lifecycle.open_school(school[0], "stranger", "stranger-pass-1234")


def test_file_only_ways_in_say_they_do_not_apply(school):
    with pytest.raises(NotOnServer, match="Quick unlock applies to a school database file"):
        lifecycle.open_with_data_key(school[0], bytes(32), SENCO)
    with pytest.raises(NotOnServer, match="recovery key applies to a school database file"):
        lifecycle.recover(school[0], "x", SENCO, "orchid-tumble-riverbank-55")


def test_staff_cannot_make_logins_on_the_server(staff_session):
    with pytest.raises(SendeskError):
        server_roles.create_login(staff_session.db, "intruder", "harbour-lantern-quietly-99")
    assert not server_roles.role_exists(staff_session.db, "intruder")


def test_logins_are_scram_roles(school, pg_server):
    with pg_server.admin() as conn:
        stored = dict(conn.execute("SELECT rolname, rolpassword FROM pg_authid WHERE rolname IN "
                                   "(%s, %s)", (SENCO, STAFF)).fetchall())
    assert set(stored) == {SENCO, STAFF}
    assert all(value.startswith("SCRAM-SHA-256$4096:") for value in stored.values())


# --- TLS and the address --------------------------------------------------------------------

def test_plain_or_unchecked_connections_are_refused_before_connecting(monkeypatch):
    monkeypatch.delenv("SENDESK_SERVER_CA", raising=False)
    with pytest.raises(ServerConnectionError, match="without encryption"):
        parse("postgresql://records.school.internal/sendesk?sslmode=disable")
    with pytest.raises(ServerConnectionError, match="does not check the server's certificate"):
        parse("postgresql://records.school.internal/sendesk?sslmode=require&sslrootcert=/ca")
    with pytest.raises(ServerConnectionError, match="does not check the server's name"):
        parse("postgresql://records.school.internal/sendesk?sslmode=verify-ca&sslrootcert=/ca")
    with pytest.raises(ServerConnectionError, match="No CA certificate") as no_ca:
        parse("postgresql://records.school.internal/sendesk")
    assert "sslrootcert=" in str(no_ca.value) and "SENDESK_SERVER_CA" in str(no_ca.value)
    with pytest.raises(ServerConnectionError, match="Leave the password out"):
        parse("postgresql://me:secret@records.school.internal/sendesk?sslmode=disable")
    assert parse("postgresql://127.0.0.1:5433/sendesk?sslmode=disable").on_this_machine
    assert parse("postgresql:///sendesk?host=/run/postgresql&sslmode=disable").on_this_machine


@pytest.mark.parametrize("tail", ["hostaddr=192.0.2.2", "hostaddr=127.0.0.1,192.0.2.2"])
def test_a_plain_connection_whose_hostaddr_is_on_the_network_is_refused(pg_server, server_database,
                                                                       tail):
    url = (f"postgresql://{SENCO}@localhost:{pg_server.port}/{server_database[1]}"
           f"?sslmode=disable&{tail}")
    with pytest.raises(ServerConnectionError, match="without encryption"):
        lifecycle.open_school(url, SENCO, SENCO_PASSWORD)
    with pytest.raises(ServerConnectionError, match="without encryption"):
        parse("postgresql:///sendesk?host=/run/postgresql,192.0.2.2&sslmode=disable")


def test_libpq_settings_outside_the_known_few_are_refused_by_name(pg_server, server_database):
    base = f"postgresql://localhost:{pg_server.port}/{server_database[1]}?sslmode=disable"
    for extra in ("options=-csearch_path%3Devil", "service=other", "gssencmode=prefer"):
        with pytest.raises(ServerConnectionError, match="does not accept " + extra.split("=")[0]):
            lifecycle.open_school(base + "&" + extra, SENCO, SENCO_PASSWORD)
    assert parse(base + "&connect_timeout=3&application_name=office").options == {
        "connect_timeout": "3", "application_name": "office"}


def test_verify_on_the_server_does_not_claim_an_encryption_check(school, capsys):
    assert _cli("verify", school[0], "--user", SENCO, stdin=[SENCO_PASSWORD]) == 0
    out = capsys.readouterr().out
    assert "Encryption at rest: the server's own (not checked by sendesk)" in out
    assert "Encryption check" not in out


def test_a_plain_connection_on_this_machine_works(school, pg_server, server_database):
    url = f"postgresql://127.0.0.1:{pg_server.port}/{server_database[1]}?sslmode=disable"
    session = lifecycle.open_school(url, SENCO, SENCO_PASSWORD)
    assert session.db.scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()") == 0
    session.close()


def test_the_connection_is_tls_checked_against_the_schools_ca(senco_session):
    assert senco_session.db.scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()") == 1


def test_a_server_with_a_certificate_from_another_ca_is_not_trusted(school, tmp_path):
    from pg_server import _write_certificates
    other_ca, _, _ = _write_certificates(tmp_path)
    url = school[0].split("?")[0] + f"?sslrootcert={other_ca}"
    with pytest.raises(ServerConnectionError, match="did not prove it is the school server"):
        lifecycle.open_school(url, SENCO, SENCO_PASSWORD)


def test_a_certificate_for_another_name_is_refused(school):
    url = school[0].replace("127.0.0.1", "records.example", 1) + "&hostaddr=127.0.0.1"
    with pytest.raises(ServerConnectionError, match="not made out to records.example"):
        lifecycle.open_school(url, SENCO, SENCO_PASSWORD)


def test_nobody_listening_reads_not_answering(pg_server):
    from pg_server import _free_port
    url = pg_server.url("school").replace(f":{pg_server.port}/", f":{_free_port()}/")
    with pytest.raises(ServerConnectionError, match="The school server is not answering at"):
        lifecycle.open_school(url, SENCO, SENCO_PASSWORD)


# --- faults -----------------------------------------------------------------------------------

def test_a_connection_cut_mid_save_writes_nothing_and_the_next_save_works(senco_session, pg_server,
                                                                          server_database):
    add_pupil(senco_session, 1)
    before = snapshot(senco_session)
    pid = senco_session.db.scalar("SELECT pg_backend_pid()")
    with pytest.raises(StorageError, match="The school server is not answering"):
        with senco_session.db.transaction():
            senco_session.db.execute("UPDATE pupils SET legal_surname = 'Half' WHERE id = 1")
            with pg_server.admin(server_database[1]) as conn:
                conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
            senco_session.db.execute("UPDATE pupils SET legal_forename = 'Done' WHERE id = 1")
    assert snapshot(senco_session) == before      # the first half went with the connection
    add_pupil(senco_session, 2)                   # the next piece of work reconnects
    assert senco_session.db.scalar("SELECT count(*) FROM pupils") == 2


def test_the_server_stopped_reads_not_answering_and_work_carries_on_when_it_is_back(
        senco_session, pg_server):
    add_pupil(senco_session, 1)
    pg_server.stop()
    try:
        with pytest.raises(StorageError, match="The school server is not answering"):
            add_pupil(senco_session, 2)
    finally:
        pg_server.restart()
    add_pupil(senco_session, 3)
    assert senco_session.db.scalar("SELECT count(*) FROM pupils") == 2


# --- the CLI ----------------------------------------------------------------------------------

def _cli(*argv, stdin=()):
    return cli_main.main([str(a) for a in argv], stdin=io.StringIO("".join(f"{s}\n" for s in stdin)))


def test_server_init_sets_up_a_school_and_every_command_takes_the_url(pg_server, engine, capsys):
    name = pg_server.acquire()
    try:
        owner_url = pg_server.url(name, user=SUPERUSER)
        assert _cli("server", "init", owner_url, "--school", SCHOOL_NAME, "--urn", "123456",
                    "--user", SENCO, "--full-name", SENCO_NAME,
                    stdin=[SUPERUSER_PASSWORD, SENCO_PASSWORD, SENCO_PASSWORD]) == 0
        assert f"Set up {SCHOOL_NAME} on postgresql://127.0.0.1" in capsys.readouterr().out
        with pg_server.admin(name) as conn:   # the group roles the README names
            groups = {r for (r,) in conn.execute(
                "SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (f"sendesk\\_{name}\\_%",))}
        assert groups == {f"sendesk_{name}_{role}" for role in ("senco", "staff", "admin")}
        url = pg_server.url(name)
        assert _cli("user", "add", url, STAFF, "--full-name", "Owen Williams", "--role", "staff",
                    "--user", SENCO, stdin=[SENCO_PASSWORD, STAFF_PASSWORD, STAFF_PASSWORD]) == 0
        capsys.readouterr()
        assert _cli("user", "list", url, "--user", STAFF, stdin=[STAFF_PASSWORD]) == 0
        assert capsys.readouterr().out.splitlines()[1:] == [
            'mpatel,Meera Patel,"admin,senco"', "owilliams,Owen Williams,staff"]
        assert _cli("verify", url, "--user", SENCO, stdin=[SENCO_PASSWORD]) == 0
        assert "Audit log (" in capsys.readouterr().out
        assert _cli("server", "upgrade", owner_url, stdin=[SUPERUSER_PASSWORD]) == 0
        assert "already at version" in capsys.readouterr().out
        # A second init of the same database, and init of a file command with a URL, refuse.
        assert _cli("server", "init", owner_url, "--school", "X", "--urn", "123456", "--user",
                    "other", "--full-name", "O", stdin=[SUPERUSER_PASSWORD, SENCO_PASSWORD,
                                                         SENCO_PASSWORD]) == 1
        assert "already holds a sendesk school" in capsys.readouterr().err
        assert _cli("init", url, "--school", "X", "--urn", "123456", "--user", "other",
                    "--full-name", "O") == 1
        assert "server init" in capsys.readouterr().err
        # (backup on the server, import and export: tests/test_server_move.py)
    finally:
        pg_server.release(name)


def test_an_older_schema_on_the_server_is_refused_with_the_upgrade_command(school, pg_server,
                                                                          server_database):
    with pg_server.admin(server_database[1]) as conn:
        conn.execute("UPDATE sendesk_schema_version SET version = version - 1")
    with pytest.raises(SendeskError, match="sendesk-cli server upgrade") as refused:
        lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD)
    # The command can be pasted: the same address and CA, with OWNER for the owner's role.
    pasted = str(refused.value).split('"')[1]
    assert pasted == (f"postgresql://OWNER@127.0.0.1:{pg_server.port}/{server_database[1]}"
                      f"?sslrootcert={pg_server.ca}")
    with pg_server.admin(server_database[1]) as conn:
        conn.execute("UPDATE sendesk_schema_version SET version = version + 1")
    assert _cli("server", "upgrade", pasted.replace("OWNER", SUPERUSER),
                stdin=[SUPERUSER_PASSWORD]) == 0
    with pg_server.admin(server_database[1]) as conn:
        conn.execute("UPDATE sendesk_schema_version SET version = version + 1")
    with pytest.raises(SendeskError, match="newer version of sendesk"):
        lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD)


def test_init_refuses_a_database_that_does_not_sort_like_sqlite(pg_server, engine,
                                                               monkeypatch):
    monkeypatch.setattr(server_school, "CODE_POINT_COLLATIONS", ("POSIX",))
    name = pg_server.acquire()
    try:
        with pytest.raises(SendeskError, match="needs the C collation.*createdb --locale=C"):
            server_school.create_on_server(
                pg_server.url(name, user=SUPERUSER), SUPERUSER_PASSWORD, school_name=SCHOOL_NAME,
                school_reference="123456", username="jsmith", full_name=SENCO_NAME,
                password=SENCO_PASSWORD)
    finally:
        pg_server.release(name)


def test_every_command_that_takes_a_db_accepts_a_server_url():
    """A command added later with `type=Path` for its DB would turn postgresql://host into
    postgresql:/host and look for a file: every DB argument goes through cli.io.database."""
    import argparse

    from sendesk.cli import io as cli_io
    from sendesk.cli.main import build_parser

    found = []

    def walk(parser: argparse.ArgumentParser, name: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, child in action.choices.items():
                    walk(child, f"{name} {sub}")
            elif action.dest in ("db", "database") and action.type is not cli_io.database:
                found.append(name)

    walk(build_parser(), "sendesk-cli")
    assert not found, found


def test_the_pupil_list_reads_its_ids_from_an_index_alone_on_the_server(senco_session):
    """SQLite's indexes carry the id; the server's list indexes include it (server_dialect's
    SERVER_INDEXES), in the list's order, so the first screen and each keystroke can be
    answered from an index alone. Checked on the indexes themselves: which plan PostgreSQL
    picks for a few rows depends on what earlier tests left in a reused test database (its
    row estimates and visibility map), and under worksteal that changed from run to run."""
    add_pupil(senco_session, 1)
    found = {row[0]: str(row[1]) for row in senco_session.db.query(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'pupils'")}
    listed, everyone = found.get("pupils_list_ids", ""), found.get("pupils_everyone_ids", "")
    assert "(sort_key, search_text," in listed and "INCLUDE (id)" in listed, found
    assert "WHERE (archived_at IS NULL)" in listed, listed
    assert "(sort_key, search_text) INCLUDE (id)" in everyone, found


def test_a_search_word_is_looked_up_in_the_trigram_index_and_a_short_one_is_not(
        senco_session, staff_session):
    """A word of three letters or more can be found through the trigram index
    (server_dialect's TRIGRAM_INDEX), by any login (an index needs no grant); a shorter one is
    written so that no plan can use it, not even one made once for every word (a prepared
    statement's generic plan), since for a word of one or two letters it would read the whole
    trigram index. (With three pupils a scan would win anyway: scans are turned off, and the
    query is the word's condition alone, so only an index that answers it can be used.)"""
    for serial in range(1, 4):
        add_pupil(senco_session, serial)
    db = staff_session.db
    word = ServerDatabase.contains("search_text", "okaf")
    short = ServerDatabase.contains("search_text", "ok")
    assert short == ("strpos(search_text, ?) <> 0", "ok")
    with db.transaction():
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            db.execute(f"SET LOCAL {setting} = off")
        db.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        for (clause, param), trigrams in ((word, True), (short, False)):
            db.execute("PREPARE find (text) AS SELECT id FROM pupils WHERE "
                       + clause.replace("?", "$1"))
            plan = " ".join(str(row[0]) for row in db.query(f"EXPLAIN EXECUTE find('{param}')"))
            db.execute("DEALLOCATE find")
            assert ("on pupils_search_trigrams" in plan) is trigrams, plan
