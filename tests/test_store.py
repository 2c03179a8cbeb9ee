"""The encrypted store as a SENCO and an administrator meet it: creating, signing in, the
recovery key, passwords, users, roles and schema versions, all on real encrypted files."""

from __future__ import annotations

import json

import pytest

from conftest import SCHOOL_NAME, SENCO, SENCO_NAME, SENCO_PASSWORD, STAFF, STAFF_NAME, STAFF_PASSWORD
from sendesk.crypto import keys
from sendesk.errors import (
    NewerVersionError,
    PermissionDenied,
    StorageError,
    ValidationError,
    WeakPassword,
    WrongPassword,
)
from sendesk.models.roles import Role
from sendesk.services import backup, lifecycle, users
from sendesk.store import migrations
from sendesk.store.database import Database
from sendesk.store.keyfile import KeyFile, keyfile_path
from store_tools import (
    add_filler,
    assert_user_message,
    copy_school,
    digest,
    folder_state,
    make_school,
    pages,
    raw_connection,
)

pytestmark = pytest.mark.sqlcipher_only(reason=(
    "the encrypted file, its key file and recovery key, and the file's migrations; server "
    "sign-in, logins and migrations: test_server_store"))


@pytest.fixture(scope="module")
def school_template(tmp_path_factory):
    return make_school(tmp_path_factory.mktemp("template"))


@pytest.fixture
def school(school_template, db_path):
    """conftest's school, copied from one made per module: every test still gets its own files."""
    return copy_school(school_template, db_path)


NEW_PASSWORD = "orchid-tumble-riverbank-55"
OTHER_PASSWORD = "copper-pylon-saffron-21"


def slots(db_path) -> dict[str, dict]:
    return {slot["id"]: slot for slot in json.loads(keyfile_path(db_path).read_text())["slots"]}


def data_key_of(db_path, username=SENCO, password=SENCO_PASSWORD) -> bytes:
    session = lifecycle.open_school(db_path, username, password)
    try:
        return bytes(session.data_key)
    finally:
        session.close()


# --- creating and signing in ------------------------------------------------------------------

def test_create_makes_database_and_key_file_that_open_for_each_user(school, clock):
    db_path, recovery = school
    assert db_path.exists() and keyfile_path(db_path).exists()
    assert keys.parse_recovery_key(recovery) is not None
    senco = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD, clock)
    try:
        assert senco.user.full_name == SENCO_NAME
        assert senco.user.roles == {Role.SENCO, Role.ADMIN}
        assert senco.school.name == SCHOOL_NAME
        assert senco.school.urn == "123456"
    finally:
        senco.close()
    staff = lifecycle.open_school(db_path, STAFF, STAFF_PASSWORD, clock)
    try:
        assert staff.user.full_name == STAFF_NAME and staff.user.roles == {Role.STAFF}
    finally:
        staff.close()


def test_username_is_not_case_or_space_sensitive_at_sign_in(school):
    session = lifecycle.open_school(school[0], f"  {SENCO.upper()} ", SENCO_PASSWORD)
    assert session.user.username == SENCO
    session.close()


def test_closed_session_holds_no_key(senco_session):
    senco_session.close()
    assert not senco_session.is_open
    with pytest.raises(Exception) as caught:
        _ = senco_session.data_key
    assert_user_message(caught.value)


def test_create_refuses_to_overwrite_an_existing_database(school, clock):
    db_path, _ = school
    before = folder_state(db_path.parent)
    with pytest.raises(StorageError) as caught:
        lifecycle.create(db_path, school_name="Another School", school_reference="654321",
                         username="jjones", full_name="Jo Jones", password=OTHER_PASSWORD, clock=clock)
    assert_user_message(caught.value)
    assert folder_state(db_path.parent) == before
    # The original school is untouched and still opens.
    lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD).close()


def test_create_refuses_when_only_the_key_file_is_left_behind(tmp_path, clock):
    db_path = tmp_path / "school.sendesk"
    keyfile_path(db_path).write_text("left over")
    with pytest.raises(StorageError):
        lifecycle.create(db_path, school_name=SCHOOL_NAME, school_reference="123456",
                         username=SENCO, full_name=SENCO_NAME, password=SENCO_PASSWORD, clock=clock)
    assert not db_path.exists()
    assert keyfile_path(db_path).read_text() == "left over"


def test_create_in_a_missing_folder_is_refused(tmp_path, clock):
    with pytest.raises(StorageError) as caught:
        lifecycle.create(tmp_path / "nowhere" / "school.sendesk", school_name=SCHOOL_NAME,
                         school_reference="123456", username=SENCO, full_name=SENCO_NAME,
                         password=SENCO_PASSWORD, clock=clock)
    assert_user_message(caught.value)
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("username, password", [
    (SENCO, "not-the-right-password-12"),
    ("nobody", SENCO_PASSWORD),
    ("nobody", "not-the-right-password-12"),
    (SENCO, ""),
    ("", SENCO_PASSWORD),
])
def test_wrong_password_and_unknown_user_get_the_same_message(school, username, password):
    db_path, _ = school
    before = folder_state(db_path.parent)
    with pytest.raises(WrongPassword) as caught:
        lifecycle.open_school(db_path, username, password)
    assert_user_message(caught.value)
    # Nothing tells an attacker whether the username exists.
    assert str(caught.value) == "Wrong username or password."
    assert folder_state(db_path.parent) == before


def test_one_users_password_does_not_open_another_users_account(school):
    with pytest.raises(WrongPassword):
        lifecycle.open_school(school[0], SENCO, STAFF_PASSWORD)


# --- the recovery key ---------------------------------------------------------------------------

def test_recovery_key_sets_a_new_password_and_the_old_one_stops_working(school, clock):
    db_path, recovery = school
    session = lifecycle.recover(db_path, recovery, SENCO, NEW_PASSWORD, clock)
    assert session.user.username == SENCO
    session.close()
    lifecycle.open_school(db_path, SENCO, NEW_PASSWORD).close()
    with pytest.raises(WrongPassword):
        lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    # Other users keep their own passwords.
    lifecycle.open_school(db_path, STAFF, STAFF_PASSWORD).close()


@pytest.mark.parametrize("mangle", [
    str.lower,
    lambda key: key.replace("-", " "),
    lambda key: "  " + key.lower().replace("-", "") + "\n",
    lambda key: key.replace("-", " - "),
])
def test_recovery_key_is_accepted_however_it_is_typed(school, mangle):
    db_path, recovery = school
    lifecycle.recover(db_path, mangle(recovery), STAFF, NEW_PASSWORD).close()
    lifecycle.open_school(db_path, STAFF, NEW_PASSWORD).close()


@pytest.mark.parametrize("typed", [
    keys.new_recovery_key(),          # well formed, but another database's key
    "AAAA-BBBB-CCCC",                 # too short
    "not a recovery key at all",
    "",
], ids=["another school's key", "too short", "not a key", "empty"])
def test_wrong_recovery_key_is_refused_and_nothing_changes(school, typed):
    db_path, _ = school
    before = folder_state(db_path.parent)
    with pytest.raises(WrongPassword) as caught:
        lifecycle.recover(db_path, typed, SENCO, NEW_PASSWORD)
    assert_user_message(caught.value)
    assert folder_state(db_path.parent) == before
    lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD).close()


def test_recovery_for_unknown_user_is_refused_and_nothing_changes(school):
    db_path, recovery = school
    before = folder_state(db_path.parent)
    with pytest.raises(WrongPassword):
        lifecycle.recover(db_path, recovery, "nobody", NEW_PASSWORD)
    assert folder_state(db_path.parent) == before


def test_recovery_refuses_a_weak_new_password_and_keeps_the_old(school):
    db_path, recovery = school
    key_before = digest(keyfile_path(db_path))
    with pytest.raises(WeakPassword):
        lifecycle.recover(db_path, recovery, SENCO, "password1")
    assert digest(keyfile_path(db_path)) == key_before
    lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD).close()


# --- passwords -----------------------------------------------------------------------------------

def test_password_change_rewraps_the_key_and_does_not_rewrite_the_database(school):
    db_path, _ = school
    key = data_key_of(db_path)
    add_filler(db_path, key, rows=40)
    old_slots = slots(db_path)
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    before = db_path.read_bytes()
    users.change_password(session, SENCO, NEW_PASSWORD, SENCO_PASSWORD)
    assert bytes(session.data_key) == key
    session.close()
    after = db_path.read_bytes()

    # The data key is the same, so the database was not re-encrypted: only the pages holding
    # the audit entry for the change were written; every record page is byte-for-byte the same.
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(pages(before), pages(after), strict=True)) if a != b]
    assert len(changed) <= 6 < len(pages(before)) // 2, changed
    raw_connection(db_path, key).close()

    # In the key file only this user's slot changed.
    new_slots = slots(db_path)
    mine = KeyFile.load(keyfile_path(db_path)).user_slot_id(SENCO)
    assert new_slots.keys() == old_slots.keys()
    assert new_slots[mine] != old_slots[mine]
    assert {k: v for k, v in new_slots.items() if k != mine} == \
           {k: v for k, v in old_slots.items() if k != mine}

    lifecycle.open_school(db_path, SENCO, NEW_PASSWORD).close()
    with pytest.raises(WrongPassword):
        lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)


def test_changing_own_password_needs_the_current_one(senco_session, school):
    db_path, _ = school
    key_before = digest(keyfile_path(db_path))
    with pytest.raises(WrongPassword):
        users.change_password(senco_session, SENCO, NEW_PASSWORD, "not-my-password-at-all-9")
    with pytest.raises(WrongPassword):
        users.change_password(senco_session, SENCO, NEW_PASSWORD)
    assert digest(keyfile_path(db_path)) == key_before
    lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD).close()


def test_staff_change_their_own_password(staff_session, school):
    users.change_password(staff_session, STAFF, NEW_PASSWORD, STAFF_PASSWORD)
    lifecycle.open_school(school[0], STAFF, NEW_PASSWORD).close()


def test_admin_resets_another_users_password_without_knowing_it(senco_session, school):
    users.change_password(senco_session, STAFF, NEW_PASSWORD)
    lifecycle.open_school(school[0], STAFF, NEW_PASSWORD).close()
    with pytest.raises(WrongPassword):
        lifecycle.open_school(school[0], STAFF, STAFF_PASSWORD)


@pytest.mark.parametrize("weak", ["password1", "Summer2024!", "short", "", "brambleton primary school"])
def test_weak_passwords_are_refused_everywhere(school, senco_session, tmp_path, clock, weak):
    db_path, _ = school
    with pytest.raises(WeakPassword) as caught:
        lifecycle.create(tmp_path / "other.sendesk", school_name=SCHOOL_NAME,
                         school_reference="123456", username=SENCO, full_name=SENCO_NAME,
                         password=weak, clock=clock)
    assert_user_message(caught.value)
    assert caught.value.field == "password"
    assert not (tmp_path / "other.sendesk").exists()
    assert not keyfile_path(tmp_path / "other.sendesk").exists()

    before = folder_state(db_path.parent)
    with pytest.raises(WeakPassword):
        users.add_user(senco_session, "jbloggs", "Jo Bloggs", "staff", weak)
    with pytest.raises(WeakPassword):
        users.change_password(senco_session, SENCO, weak, SENCO_PASSWORD)
    with pytest.raises(WeakPassword):
        users.change_password(senco_session, STAFF, weak)
    assert folder_state(db_path.parent) == before
    assert [u.username for u in users.list_users(senco_session)] == [SENCO, STAFF]


# --- users -------------------------------------------------------------------------------------

def test_add_list_and_remove_users(senco_session, school):
    db_path, _ = school
    added = users.add_user(senco_session, "  JBloggs ", "Jo Bloggs", "senco,staff", OTHER_PASSWORD)
    assert added.username == "jbloggs" and added.roles == {Role.SENCO, Role.STAFF}
    listed = {u.username: u for u in users.list_users(senco_session)}
    assert sorted(listed) == ["jbloggs", SENCO, STAFF]
    assert listed["jbloggs"].full_name == "Jo Bloggs"
    assert KeyFile.load(keyfile_path(db_path)).has_user("jbloggs")

    jo = lifecycle.open_school(db_path, "jbloggs", OTHER_PASSWORD)
    assert jo.user.roles == {Role.SENCO, Role.STAFF}
    jo.close()

    users.remove_user(senco_session, "jbloggs")
    assert [u.username for u in users.list_users(senco_session)] == [SENCO, STAFF]
    assert not KeyFile.load(keyfile_path(db_path)).has_user("jbloggs")
    with pytest.raises(WrongPassword) as caught:
        lifecycle.open_school(db_path, "jbloggs", OTHER_PASSWORD)
    assert str(caught.value) == "Wrong username or password."


def test_removed_user_cannot_come_back_through_the_recovery_key(senco_session, school):
    db_path, recovery = school
    users.remove_user(senco_session, STAFF)
    with pytest.raises(WrongPassword):
        lifecycle.recover(db_path, recovery, STAFF, NEW_PASSWORD)
    with pytest.raises(WrongPassword):
        lifecycle.open_school(db_path, STAFF, STAFF_PASSWORD)


def test_usernames_are_never_reused(senco_session):
    users.remove_user(senco_session, STAFF)
    with pytest.raises(ValidationError) as caught:
        users.add_user(senco_session, STAFF, "Someone Else", "staff", OTHER_PASSWORD)
    assert caught.value.field == "username"
    with pytest.raises(ValidationError):
        users.add_user(senco_session, SENCO, "Someone Else", "staff", OTHER_PASSWORD)


@pytest.mark.parametrize("username, full_name, roles", [
    ("x", "Jo Bloggs", "staff"),                     # too short
    ("1abc", "Jo Bloggs", "staff"),                  # starts with a digit
    ("jo bloggs", "Jo Bloggs", "staff"),             # space
    ("jbloggs", "", "staff"),                        # no name
    ("jbloggs", "Jo\u202eBloggs", "staff"),          # direction override
    ("jbloggs", "Jo Bloggs", "headteacher"),         # not a role
    ("jbloggs", "Jo Bloggs", ""),                    # no role
])
def test_invalid_user_details_are_refused_and_nothing_is_written(senco_session, school, username,
                                                                  full_name, roles):
    before = folder_state(school[0].parent)
    with pytest.raises(ValidationError) as caught:
        users.add_user(senco_session, username, full_name, roles, OTHER_PASSWORD)
    assert_user_message(caught.value)
    assert folder_state(school[0].parent) == before


def test_removing_an_unknown_user_is_refused(senco_session):
    with pytest.raises(ValidationError):
        users.remove_user(senco_session, "nobody")


def test_an_administrator_cannot_remove_themselves(senco_session):
    with pytest.raises(PermissionDenied):
        users.remove_user(senco_session, SENCO)
    assert SENCO in [u.username for u in users.list_users(senco_session)]


def test_the_last_administrator_cannot_be_removed(senco_session, school):
    db_path, _ = school
    users.add_user(senco_session, "itadmin", "Sam Okafor", "admin", OTHER_PASSWORD)
    second = lifecycle.open_school(db_path, "itadmin", OTHER_PASSWORD)
    try:
        # One administrator removes the other; the still signed-in session of the administrator
        # who has gone loses its rights at once, so it cannot remove the last one left.
        users.remove_user(senco_session, "itadmin")
        before = folder_state(db_path.parent)
        with pytest.raises(PermissionDenied) as caught:
            users.remove_user(second, SENCO)
        assert "has been removed" in str(caught.value)
        assert folder_state(db_path.parent) == before
    finally:
        second.close()
    lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD).close()


# --- roles are enforced by the core, not only hidden in the UI -------------------------------------

def test_staff_cannot_manage_users_or_make_backups(staff_session, school, tmp_path):
    db_path, _ = school
    before = folder_state(db_path.parent)
    attempts = [
        lambda: users.add_user(staff_session, "jbloggs", "Jo Bloggs", "admin", OTHER_PASSWORD),
        lambda: users.remove_user(staff_session, SENCO),
        lambda: users.change_password(staff_session, SENCO, NEW_PASSWORD),
        lambda: backup.backup(staff_session, tmp_path / "staff.sendesk-backup"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as caught:
            attempt()
        assert_user_message(caught.value)
        assert "Staff" in str(caught.value)
    assert folder_state(db_path.parent) == before
    assert not (tmp_path / "staff.sendesk-backup").exists()
    lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD).close()


def test_a_senco_without_admin_role_cannot_manage_users(senco_session, school, tmp_path):
    users.add_user(senco_session, "deputy", "Dee Puty", "senco", OTHER_PASSWORD)
    deputy = lifecycle.open_school(school[0], "deputy", OTHER_PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            users.add_user(deputy, "jbloggs", "Jo Bloggs", "staff", NEW_PASSWORD)
        with pytest.raises(PermissionDenied):
            backup.backup(deputy, tmp_path / "deputy.sendesk-backup")
    finally:
        deputy.close()


# --- schema versions ------------------------------------------------------------------------------

def test_database_from_a_newer_sendesk_is_refused_untouched(school):
    db_path, recovery = school
    key = data_key_of(db_path)
    conn = raw_connection(db_path, key)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    conn.close()
    before = folder_state(db_path.parent)
    for attempt in (lambda: lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD),
                    lambda: lifecycle.open_with_data_key(db_path, key, SENCO),
                    lambda: lifecycle.recover(db_path, recovery, SENCO, NEW_PASSWORD)):
        with pytest.raises(NewerVersionError) as caught:
            attempt()
        assert_user_message(caught.value)
        assert folder_state(db_path.parent) == before


def test_a_failing_migration_leaves_the_database_exactly_as_it_was(school):
    db_path, _ = school
    key = data_key_of(db_path)
    before = db_path.read_bytes()
    db = Database(db_path, key)
    try:
        start = db.schema_version()

        def add_table(conn):
            migrations.run_script(conn, """
                CREATE TABLE half_done (id INTEGER PRIMARY KEY, note TEXT);
                INSERT INTO half_done (note) VALUES ('should vanish');
                UPDATE users SET full_name = 'Overwritten';
            """)

        def fail(conn):
            raise RuntimeError("step failed")

        steps = {**migrations.STEPS, start + 1: add_table, start + 2: fail}
        with pytest.raises(RuntimeError):
            db.migrate(steps)
        assert db.schema_version() == start
        assert db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'") == 0
        assert db.scalar("SELECT full_name FROM users WHERE username = ?", (SENCO,)) == SENCO_NAME
    finally:
        db.close()
    assert db_path.read_bytes() == before
    lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD).close()


def test_pending_migrations_run_together_and_are_kept(school):
    db_path, _ = school
    key = data_key_of(db_path)
    db = Database(db_path, key)
    try:
        start = db.schema_version()
        steps = {**migrations.STEPS,
                 start + 1: lambda conn: conn.execute("CREATE TABLE later_one (id INTEGER)"),
                 start + 2: lambda conn: conn.execute("CREATE TABLE later_two (id INTEGER)")}
        assert db.migrate(steps) == start
        assert db.schema_version() == start + 2
        assert db.migrate(steps) == start + 2  # nothing left to do
    finally:
        db.close()
    conn = raw_connection(db_path, key)
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert {"later_one", "later_two"} <= names


def test_new_databases_are_at_the_latest_schema(senco_session):
    assert senco_session.db.schema_version() == migrations.LATEST


# --- the Database's own interface: the connection is private, the dialect stays inside ------

def test_the_connection_is_private_to_the_store(senco_session):
    assert not hasattr(senco_session.db, "conn")


def test_the_audit_entries_of_user_changes_keep_their_wording_and_targets(senco_session):
    users.add_user(senco_session, "newuser", "New User", "staff", "another horse battery 9")
    new_id = senco_session.db.scalar("SELECT id FROM users WHERE username = 'newuser'")
    users.change_password(senco_session, "newuser", "a different horse staple 8")
    users.remove_user(senco_session, "newuser")
    rows = senco_session.db.query(
        "SELECT action, target_type, target_id, detail FROM audit_log WHERE target_type = 'user'"
        " AND target_id = ? ORDER BY id", (str(new_id),))
    assert [(r["action"], json.loads(r["detail"]) if r["detail"] else None) for r in rows] == [
        ("added a user", {"username": "newuser", "roles": "staff"}),
        ("reset a password", None),
        ("removed a user", {"username": "newuser"})]


def test_a_failed_audit_write_leaves_the_key_file_as_it_was(senco_session, school, monkeypatch):
    before = keyfile_path(school[0]).read_bytes()
    slots_before = dict(senco_session.keyfile.slots)

    def broken(*args, **kwargs):
        raise StorageError("The disk refused to save changes.")

    monkeypatch.setattr(senco_session, "audit", broken)
    with pytest.raises(StorageError):
        users.add_user(senco_session, "newuser", "New User", "staff", "another horse battery 9")
    with pytest.raises(StorageError):
        users.remove_user(senco_session, STAFF)
    with pytest.raises(StorageError):
        users.reset_password(senco_session, STAFF, "a different horse staple 8")
    assert keyfile_path(school[0]).read_bytes() == before
    assert senco_session.keyfile.slots == slots_before
    assert senco_session.db.scalar("SELECT count(*) FROM users WHERE username = 'newuser'") == 0


def test_the_schema_helpers_describe_the_live_database(senco_session):
    db = senco_session.db
    assert db.schema_version() == migrations.LATEST
    assert {"pupils", "users", "audit_log", "meta"} <= set(db.table_names())
    assert db.has_table("pupils") and not db.has_table("no_such_table")
    columns = {c["name"]: c for c in db.columns("pupils")}
    assert columns["id"]["pk"] and "legal_surname" in columns
    assert any(fk["table"] == "pupils" for fk in db.foreign_keys("contacts"))
    assert db.triggers() and all(isinstance(sql, str) for sql in db.triggers().values())
    with pytest.raises(ValueError):
        db.columns("pupils; DROP TABLE pupils")
    assert db.cipher_problems() == [] and db.structure_problems() == []
    assert db.foreign_key_problems() == []


def test_id_list_and_group_ids_keep_the_query_order(senco_session):
    db = senco_session.db
    ids = db.id_list("SELECT id FROM users ORDER BY username DESC")
    assert ids == [r["id"] for r in db.query("SELECT id FROM users ORDER BY username DESC")]
    assert db.id_list("SELECT id FROM users WHERE 0") == []
    joined = db.scalar(f"SELECT {db.group_ids('id')} FROM users")
    assert sorted(int(x) for x in joined.split(",")) == sorted(ids)


def test_bulk_load_puts_the_settings_back(senco_session):
    db = senco_session.db
    cache = db.scalar("PRAGMA cache_size")
    with db.bulk_load():
        assert db.scalar("PRAGMA foreign_keys") == 0
        assert db.in_transaction
    assert db.scalar("PRAGMA foreign_keys") == 1 and db.scalar("PRAGMA cache_size") == cache
    db.secure_delete()
    assert db.scalar("PRAGMA secure_delete") == 1


def test_a_backup_reports_as_it_copies_and_cancelling_leaves_nothing(senco_session, tmp_path):
    """The window's progress dialog offers Cancel on a backup: cancelled at any report, even
    the last one before the file is renamed into place, no backup and no partial file is left."""
    from sendesk.operations import Cancelled, Progress

    heard: list[tuple[int, int, str]] = []
    out = tmp_path / "full.sendesk-backup"
    size = backup.backup(senco_session, out, progress=Progress(lambda *r: heard.append(r)))
    assert size == out.stat().st_size and len(heard) >= 2
    assert heard[-1][0] == heard[-1][1] and "MB copied" in heard[-1][2]
    reports = len(heard)
    for stop_at in (1, reports):   # Cancel pressed before the first report, or the last
        progress = Progress()
        count = [0]

        def stop(*_report, progress=progress, count=count, stop_at=stop_at):
            count[0] += 1
            if count[0] == stop_at - 1:
                progress.cancel()   # the next report raises

        progress._on_report = stop
        if stop_at == 1:
            progress.cancel()
        folder = tmp_path / f"cancel{stop_at}"
        folder.mkdir()
        with pytest.raises(Cancelled):
            backup.backup(senco_session, folder / "stopped.sendesk-backup", progress=progress)
        assert list(folder.iterdir()) == []
