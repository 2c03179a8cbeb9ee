"""The school server enforces the permission matrix itself (store/server_security.py): a member
of staff who signs in with the real psql, with their own password over TLS, is refused what the
app refuses them; the audit log is appended by the database under the session's own login and
nobody but the owner can change it; verify names any privilege granted by hand; and
``sendesk-cli user add/remove/passwd`` manage the logins on the server."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from conftest import SCHOOL_NAME, SENCO, SENCO_PASSWORD, STAFF, STAFF_NAME, STAFF_PASSWORD
from pg_server import SUPERUSER, SUPERUSER_PASSWORD, psql, refused
from records_fixtures import add_pupil, snapshot
from sendesk.cli import main as cli_main
from sendesk.errors import PermissionDenied, SendeskError, ValidationError, WrongPassword
from sendesk.models.roles import Role
from sendesk.records import audit_log, notes, pupil_record, pupils, sen_register
from sendesk.services import lifecycle, server_school, users
from sendesk.services import verify as verify_mod
from sendesk.store import audit, server_security
from sendesk.store.server_address import ServerConnectionError

pytestmark = pytest.mark.server_only

NOW = "2026-11-23T09:30:00+00:00"


@pytest.fixture
def on_status(senco_session):
    """A pupil on SEN support with a need, and a note the SENCO wrote."""
    pupil_id = add_pupil(senco_session)
    sen_register.change_status(senco_session, pupil_id, "K", "20/11/2026", "Needs", ["MLD"])
    note_id = notes.add_note(senco_session, pupil_id, {"event_date": "20/11/2026",
                                                       "concern": "Reading"})
    return pupil_id, note_id


def test_psql_connects_with_tls_and_the_staff_password(school, pg_server, server_database):
    result = psql(pg_server, server_database[1], STAFF, STAFF_PASSWORD,
                  "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "t"
    assert psql(pg_server, server_database[1], STAFF, "not-the-password-1", "SELECT 1").returncode


def test_staff_with_psql_cannot_change_a_sen_status(senco_session, on_status, pg_server,
                                                    server_database):
    pupil_id, _ = on_status
    before = snapshot(senco_session)
    history = senco_session.db.query("SELECT * FROM sen_status_history ORDER BY id")
    attacks = {
        "the summary column": f"UPDATE pupils SET sen_status = 'E' WHERE id = {pupil_id}",
        "the summary's since": f"UPDATE pupils SET sen_since = '2020-01-01' WHERE id = {pupil_id}",
        "the primary need": f"UPDATE pupils SET primary_need = 'ASD' WHERE id = {pupil_id}",
        "the history": "UPDATE sen_status_history SET status = 'E'",
        "a new period": f"INSERT INTO sen_status_history (pupil_id, status, start_date, "
                        f"changed_by, entered_at) VALUES ({pupil_id}, 'E', '2026-11-21', 1, 'x')",
        "ending it": "DELETE FROM sen_status_history",
        "the needs": "UPDATE sen_needs SET code = 'ASD'",
        "a pupil's name": f"UPDATE pupils SET legal_surname = 'Changed' WHERE id = {pupil_id}",
        "the triggers skipped": "SET session_replication_role = replica; "
                                f"UPDATE pupils SET sen_status = 'E' WHERE id = {pupil_id}",
        "the SENCO's group": f'SET ROLE "sendesk_{server_database[1]}_senco"; '
                             "UPDATE sen_status_history SET status = 'E'",
    }
    for what, sql in attacks.items():
        result = psql(pg_server, server_database[1], STAFF, STAFF_PASSWORD, sql)
        assert refused(result), (what, result.stdout, result.stderr)
    assert snapshot(senco_session) == before
    assert senco_session.db.query("SELECT * FROM sen_status_history ORDER BY id") == history
    assert senco_session.db.scalar("SELECT sen_status FROM pupils") == "K"


def test_staff_with_psql_cannot_export_read_the_log_or_manage_users(senco_session, on_status,
                                                                   pg_server, server_database):
    pupil_id, note_id = on_status
    staff_id = senco_session.db.scalar("SELECT id FROM users WHERE username = ?", (STAFF,))
    before = snapshot(senco_session)
    attacks = {
        "read the audit log": "SELECT * FROM audit_log",
        "mark an export": f"SELECT sendesk_audit_append('{NOW}', {staff_id}, '{STAFF}', "
                          f"'exported a document', 'pupil', '{pupil_id}', NULL)",
        "mark a CSV export": f"SELECT sendesk_audit_append('{NOW}', {staff_id}, '{STAFF}', "
                             "'exported the pupil list', NULL, NULL, NULL)",
        "send a transfer": f"INSERT INTO transfers (pupil_id) VALUES ({pupil_id})",
        "add a user": "INSERT INTO users (username, full_name, roles, created_at) "
                      "VALUES ('intruder', 'I', 'senco', 'x')",
        "promote oneself": f"UPDATE users SET roles = 'senco,admin' WHERE username = '{STAFF}'",
        "make a login": "SELECT sendesk_create_login('intruder', 'SCRAM-SHA-256$4096:x$y:z')",
        "join the SENCO group": f"SELECT sendesk_sync_login('{STAFF}')",
        "reset the SENCO's password": f"SELECT sendesk_set_password('{SENCO}', 'SCRAM-SHA-256$1:a$b:c')",
        "a table of one's own": "CREATE TABLE mine (x integer)",
        "a temporary table": "CREATE TEMP TABLE mine (x integer)",
        "move a sequence": "SELECT setval(pg_get_serial_sequence('pupils', 'id'), 9000)",
        "a function of one's own": "CREATE FUNCTION public.mine() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "the safeguard": "DROP TRIGGER audit_log_no_delete ON audit_log",
        "someone else's note": f"UPDATE short_notes SET concern = 'Changed' WHERE id = {note_id}",
        "a medical register entry": f"INSERT INTO register_entries (pupil_id, register, "
                                    f"start_date, entered_at) VALUES ({pupil_id}, 'medical', "
                                    "'2026-11-20', 'x')",
        "a note in the SENCO's name": f"INSERT INTO short_notes (pupil_id, author_id, event_date, "
                                      f"concern, entered_at) VALUES ({pupil_id}, 1, '2026-11-20', "
                                      "'x', 'x')",
    }
    for what, sql in attacks.items():
        result = psql(pg_server, server_database[1], STAFF, STAFF_PASSWORD, sql)
        # Row security answers "UPDATE 0" for rows it hides and refuses rows it would not allow.
        hidden = what == "someone else's note" and result.returncode == 0
        assert refused(result) or hidden, (what, result.stdout, result.stderr)
    # The school's transfer signing key is not among the settings staff may read.
    keys = psql(pg_server, server_database[1], STAFF, STAFF_PASSWORD, "SELECT key FROM meta")
    assert keys.returncode == 0 and "school_name" in keys.stdout
    assert "signing_private_key" not in keys.stdout
    assert snapshot(senco_session) == before
    assert senco_session.db.scalar("SELECT concern FROM short_notes") == "Reading"


def test_the_same_staff_member_through_the_app_still_does_what_the_app_allows(
        senco_session, on_status, staff_session):
    pupil_id, note_id = on_status
    note = notes.add_note(staff_session, pupil_id, {"event_date": "21/11/2026",
                                                    "concern": "Tired", "review_date": "01/12/2026"})
    notes.amend_note(staff_session, note, {"concern": "Tired in the mornings"})
    assert [p.status for p in sen_register.status_history(staff_session, pupil_id)] == ["K"]
    with pytest.raises(PermissionDenied):
        sen_register.change_status(staff_session, pupil_id, "E", "22/11/2026", "Plan", ["MLD"])
    with pytest.raises(PermissionDenied):
        audit_log.read_log(staff_session)
    entries = [e for e in audit_log.read_log(senco_session) if e.action == "added a short note"]
    assert [e.username for e in entries] == [SENCO, STAFF]
    assert senco_session.db.scalar("SELECT next_review FROM pupils") == "2026-12-01"
    assert verify_mod.verify(senco_session).ok


# --- the audit log ----------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["admin", "staff"])
def test_nobody_but_the_owner_can_change_the_audit_log(senco_session, on_status, pg_server,
                                                       server_database, who):
    user, password = (SENCO, SENCO_PASSWORD) if who == "admin" else (STAFF, STAFF_PASSWORD)
    before = snapshot(senco_session)
    for sql in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log",
                "TRUNCATE audit_log", "UPDATE audit_head SET count = 0",
                "INSERT INTO audit_log (at, username, action, prev_hash, hash) "
                "VALUES ('x', 'x', 'x', 'x', 'x')",
                "ALTER TABLE audit_log DISABLE TRIGGER ALL"):
        result = psql(pg_server, server_database[1], user, password, sql)
        assert refused(result), (sql, result.stderr)
    assert snapshot(senco_session) == before
    assert verify_mod.verify(senco_session).ok


def test_an_entry_forged_with_psql_cannot_break_reading_the_log(senco_session, on_status,
                                                                 pg_server, server_database):
    """Staff may append entries under their own name (the app does, for what they do), but
    not one that is undated or whose detail is not sendesk's JSON: such an entry would stop
    the log and a subject access request from being read, for good (it cannot be removed).
    One that got in anyway (written by the owner) is shown as its text, not an error."""
    pupil_id, _ = on_status
    base = "SELECT sendesk_audit_append(%s, %s, 'owilliams', 'signed in', NULL, NULL, %s)"
    staff_id = senco_session.db.scalar("SELECT id FROM users WHERE username = ?", (STAFF,))
    for at, detail in (("'not a date'", "NULL"), (f"'{NOW}'", "'not json'"),
                       (f"'{NOW}'", "'[1, 2]'"), ("'infinity'", "NULL"), ("'epoch'", "NULL"),
                       ("'today'", "NULL"), ("'Jan 8 1999'", "NULL"), ("'20260105'", "NULL"),
                       ("'2026-01-05 10:00:00 BC'", "NULL"), ("'2099-01-05T10:00:00'", "NULL")):
        result = psql(pg_server, server_database[1], STAFF, STAFF_PASSWORD,
                      base.replace("'owilliams'", f"'{STAFF}'") % (at, staff_id, detail))
        assert refused(result), (at, detail, result.stderr)
    fine = psql(pg_server, server_database[1], STAFF, STAFF_PASSWORD,
                base.replace("'owilliams'", f"'{STAFF}'") % (f"'{NOW}'", staff_id, "'{\"a\": 1}'"))
    assert fine.returncode == 0, fine.stderr
    owner = psql(pg_server, server_database[1], SUPERUSER, SUPERUSER_PASSWORD,
                 "SELECT sendesk_audit_append('whenever', 1, 'mpatel', 'changed a pupil', "
                 f"'pupil', '{pupil_id}', 'not json')")
    assert owner.returncode == 0, owner.stderr
    entries = audit_log.read_log(senco_session, "pupil", pupil_id)
    assert entries[-1].detail == {"text as stored": "not json"}
    assert verify_mod.verify(senco_session).ok


def test_an_administrator_cannot_rename_a_user_with_psql(senco_session, pg_server, server_database):
    """The audit log names people by username: it never changes, even for an administrator."""
    result = psql(pg_server, server_database[1], SENCO, SENCO_PASSWORD,
                  f"UPDATE users SET username = 'someone' WHERE username = '{STAFF}'")
    assert refused(result), result.stderr
    assert senco_session.db.scalar("SELECT count(*) FROM users WHERE username = ?", (STAFF,)) == 1


def test_a_staff_login_cannot_write_an_entry_as_the_senco(senco_session, staff_session, pg_server,
                                                          server_database):
    senco_id = senco_session.user.id
    staff_id = staff_session.user.id
    count = audit.head(senco_session.db)[0]
    forged = psql(pg_server, server_database[1], STAFF, STAFF_PASSWORD,
                  f"SELECT sendesk_audit_append('{NOW}', {senco_id}, '{SENCO}', "
                  "'added a short note', 'pupil', '1', NULL)")
    assert refused(forged, "only be written under your own name"), forged.stderr
    # Through the app's own call, claiming the SENCO's name: refused by the server, not the app.
    with pytest.raises(PermissionDenied):
        with staff_session.db.transaction():
            audit.append(staff_session.db, at=NOW, user_id=senco_id, username=SENCO,
                         action="viewed a pupil's record")
    honest = psql(pg_server, server_database[1], STAFF, STAFF_PASSWORD,
                  f"SELECT sendesk_audit_append('{NOW}', {staff_id}, '{STAFF}', "
                  "'viewed a pupil''s record', 'pupil', '1', NULL)")
    assert honest.returncode == 0, honest.stderr
    last = senco_session.db.query_one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert (last["username"], last["user_id"]) == (STAFF, staff_id)
    assert audit.head(senco_session.db)[0] == count + 1
    assert verify_mod.verify(senco_session).ok   # the server's entry chains as the client's


def test_the_servers_chain_is_the_files_chain_for_awkward_text(senco_session):
    detail = {"why": 'a "quote", a back\\slash, new\nline, tab\t, \x01, é, 🙂, \u2028'}
    senco_session.audit_now("verified the database", "pupil", 7, detail)
    row = senco_session.db.query_one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    fields = {key: row[key] for key in ("at", "user_id", "username", "action", "target_type",
                                         "target_id", "detail")}
    assert row["hash"] == audit._entry_hash(row["prev_hash"], fields)
    assert audit.verify(senco_session.db).intact


# --- verify compares the live grants with the matrix ------------------------------------------

def _cli(*argv, stdin=()):
    return cli_main.main([str(a) for a in argv], stdin=io.StringIO("".join(f"{s}\n" for s in stdin)))


def test_verify_names_a_privilege_granted_by_hand_and_upgrade_takes_it_back(
        school, senco_session, pg_server, server_database, capsys):
    name = server_database[1]
    assert verify_mod.verify(senco_session).grant_problems == []
    staff_group = server_security.group_role(name, Role.STAFF)
    with pg_server.admin(name) as conn:
        conn.execute(f'GRANT UPDATE ON audit_log TO "{staff_group}"')
        conn.execute(f'GRANT SELECT (hash) ON audit_log TO "{STAFF}"')
        conn.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
        conn.execute('ALTER POLICY staff_update ON short_notes USING (true)')
    problems = verify_mod.verify(senco_session).grant_problems
    assert f"extra privilege: UPDATE on audit_log for {staff_group}" in problems
    assert f"extra privilege: SELECT on audit_log.hash for {STAFF}" in problems
    assert "extra privilege: CREATE on schema public for PUBLIC" in problems
    assert any(p.startswith(f"extra privilege: policy staff_update on short_notes for "
                            f"{staff_group}: USING true") for p in problems), problems
    assert _cli("verify", school[0], "--user", SENCO, stdin=[SENCO_PASSWORD]) == 1
    out = capsys.readouterr().out
    assert "Server permissions (grants, row security, group members): DIFFERENT" in out
    assert f"UPDATE on audit_log for {staff_group}" in out
    assert _cli("server", "upgrade", pg_server.url(name, user=SUPERUSER),
                stdin=[SUPERUSER_PASSWORD]) == 0
    assert verify_mod.verify(senco_session).grant_problems == []
    result = psql(pg_server, name, STAFF, STAFF_PASSWORD, "UPDATE audit_log SET action = 'x'")
    assert refused(result)


def test_verify_sees_a_changed_row_policy(senco_session, pg_server, server_database):
    with pg_server.admin(server_database[1]) as conn:
        conn.execute("DROP POLICY staff_update ON short_notes")
        conn.execute(f'CREATE POLICY anything ON short_notes FOR ALL TO '
                     f'"{server_security.group_role(server_database[1], Role.STAFF)}" USING (true)')
    problems = verify_mod.verify(senco_session).grant_problems
    assert any("policy anything on short_notes" in p for p in problems)
    assert any(p.startswith("missing: policy staff_update on short_notes") for p in problems)
    assert not any("staff_insert" in p for p in problems)


# --- users on the server ----------------------------------------------------------------------

def test_user_add_remove_and_passwd_manage_the_logins(school, pg_server, server_database, capsys):
    url, name = school[0], server_database[1]
    new_password, other = "saffron-pylon-copper-62", "quartz-meadow-lantern-35"
    assert _cli("user", "add", url, "jbrown", "--full-name", "Jo Brown", "--role", "staff",
                "--user", SENCO, stdin=[SENCO_PASSWORD, "password", "password"]) == 1
    assert "password" in capsys.readouterr().err.lower()     # sendesk's rules apply
    assert _cli("user", "add", url, "jbrown", "--full-name", "Jo Brown", "--role", "staff",
                "--user", SENCO, stdin=[SENCO_PASSWORD, new_password, new_password]) == 0
    assert psql(pg_server, name, "jbrown", new_password, "SELECT 1").returncode == 0
    with pg_server.admin() as conn:
        assert conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'jbrown'"
                            ).fetchone()[0].startswith("SCRAM-SHA-256$4096:")
    # An administrator resets it; a weak one is refused; the old one stops working.
    assert _cli("user", "passwd", url, "jbrown", "--user", SENCO,
                stdin=[SENCO_PASSWORD, "jbrown123", "jbrown123"]) == 1
    capsys.readouterr()
    assert psql(pg_server, name, "jbrown", new_password, "SELECT 1").returncode == 0
    assert _cli("user", "passwd", url, "jbrown", "--user", SENCO,
                stdin=[SENCO_PASSWORD, other, other]) == 0
    assert psql(pg_server, name, "jbrown", new_password, "SELECT 1").returncode != 0
    assert psql(pg_server, name, "jbrown", other, "SELECT 1").returncode == 0
    # Their own change proves the current password first.
    assert _cli("user", "passwd", url, "--user", "jbrown",
                stdin=[other, new_password, new_password]) == 0
    assert psql(pg_server, name, "jbrown", new_password, "SELECT 1").returncode == 0
    capsys.readouterr()
    # Removed: no sign-in, no group, while their rows and audit entries still name them.
    assert _cli("user", "remove", url, "jbrown", "--user", SENCO, stdin=[SENCO_PASSWORD]) == 0
    out = capsys.readouterr().out
    assert "Removed jbrown" in out and "re-encrypted" not in out
    assert refused(psql(pg_server, name, "jbrown", new_password, "SELECT 1"), "not permitted to log in")
    with pytest.raises(ServerConnectionError):
        lifecycle.open_school(url, "jbrown", new_password)
    session = lifecycle.open_school(url, SENCO, SENCO_PASSWORD)
    try:
        assert tuple(session.db.query_one(
            "SELECT full_name, active FROM users WHERE username = 'jbrown'")) == ("Jo Brown", 0)
        assert session.db.scalar("SELECT count(*) FROM audit_log WHERE username = 'jbrown'") >= 1
        assert not session.db.scalar(
            "SELECT count(*) FROM pg_auth_members am JOIN pg_roles r ON r.oid = am.member "
            "WHERE r.rolname = 'jbrown'")
        assert verify_mod.verify(session).ok
    finally:
        session.close()


def test_a_removed_users_open_session_is_refused_by_the_server(senco_session, staff_session,
                                                              on_status):
    pupil_id, _ = on_status
    users.remove_user(senco_session, STAFF)
    # The app does not ask before each action on the server: the server refuses, and the
    # refusal is told as the removal it is, for a save as for a read.
    with pytest.raises(PermissionDenied, match="account has been removed"):
        notes.add_note(staff_session, pupil_id, {"event_date": "21/11/2026", "concern": "x"})
    with pytest.raises(PermissionDenied, match="account has been removed"):
        pupils.get_pupil(staff_session, pupil_id)
    with pytest.raises(PermissionDenied, match="account has been removed"):
        pupil_record.open_record(staff_session, pupil_id)
    with pytest.raises(PermissionDenied, match="account has been removed"):  # not even a read
        staff_session.db.query("SELECT * FROM pupils")
    # A refusal for a reason other than removal is not told as one.
    with pytest.raises(PermissionDenied) as refused:
        senco_session.db.execute("UPDATE audit_head SET count = 0")
    assert "removed" not in str(refused.value)


def test_a_new_role_moves_the_login_between_groups(senco_session, pg_server, server_database):
    users.update_user(senco_session, STAFF, roles="senco")
    groups = {r[0] for r in senco_session.db.query(
        "SELECT g.rolname FROM pg_auth_members am JOIN pg_roles m ON m.oid = am.member "
        "JOIN pg_roles g ON g.oid = am.roleid WHERE m.rolname = ?", (STAFF,))}
    assert groups == {server_security.group_role(server_database[1], Role.SENCO)}
    result = psql(pg_server, server_database[1], STAFF, STAFF_PASSWORD, "SELECT count(*) FROM audit_log")
    assert result.returncode == 0, result.stderr
    assert verify_mod.verify(senco_session).grant_problems == []


def test_own_password_change_on_the_server_needs_the_current_one(staff_session, school):
    with pytest.raises(WrongPassword, match="not your current password"):
        users.change_password(staff_session, STAFF, "quartz-meadow-lantern-35", "wrong-one-entirely-4")
    with pytest.raises(ValidationError):
        users.change_password(staff_session, STAFF, STAFF_NAME.lower(), STAFF_PASSWORD)
    users.change_password(staff_session, STAFF, "quartz-meadow-lantern-35", STAFF_PASSWORD)
    lifecycle.open_school(school[0], STAFF, "quartz-meadow-lantern-35").close()
    # A cut connection comes back with the new password.
    with pytest.raises(SendeskError, match="not answering"):
        staff_session.db.scalar("SELECT pg_terminate_backend(pg_backend_pid())")
    assert staff_session.db.scalar("SELECT count(*) FROM users") == 2


def test_two_schools_on_one_server_have_groups_of_their_own(school, pg_server, server_database):
    other = pg_server.acquire()
    try:
        session = server_school.create_on_server(
            pg_server.url(other, user=SUPERUSER), SUPERUSER_PASSWORD, school_name="Other School",
            school_reference="654321", username="hsingh", full_name="Harpreet Singh",
            password="orchid-tumble-riverbank-58")
        session.close()
        assert server_security.group_role(other, Role.STAFF) != server_security.group_role(
            server_database[1], Role.STAFF)
        # Brambleton's staff cannot even connect to the other school's database.
        assert refused(psql(pg_server, other, STAFF, STAFF_PASSWORD, "SELECT 1"),
                       "permission denied for database")
        # Nor can the other school's administrator manage Brambleton's logins.
        result = psql(pg_server, other, "hsingh", "orchid-tumble-riverbank-58",
                      f"SELECT sendesk_set_password('{STAFF}', 'SCRAM-SHA-256$4096:a$b:c')")
        assert refused(result, "not a login of this school"), result.stderr
    finally:
        pg_server.release(other)
    assert SCHOOL_NAME and dt   # the fixtures' school is untouched


def test_nobody_with_psql_can_hide_a_review_or_a_protected_address_from_the_list(
        senco_session, on_status, pg_server, server_database):
    """The next review and the list's flags are worked out from the record: a write of any
    other value is refused (the SENCO's own login too), so a review that is due or a protected
    address cannot be hidden from the list by hand; the app's own refresh still writes them."""
    from sendesk.models.flags import Flag
    from sendesk.records import registers
    pupil_id, _ = on_status
    notes.add_note(senco_session, pupil_id, {"event_date": "21/11/2026", "concern": "Tired",
                                             "review_date": "01/12/2026"})
    registers.add_entry(senco_session, pupil_id, "medical", {"start_date": "20/11/2026",
                                                             "details": "Asthma"})
    before = senco_session.db.query_one("SELECT next_review, flags FROM pupils WHERE id = ?",
                                        (pupil_id,))
    assert before["next_review"] == "2026-12-01" and before["flags"] & int(Flag.MEDICAL)
    attacks = {
        "the review pushed back": f"UPDATE pupils SET next_review = '2099-01-01' WHERE id = {pupil_id}",
        "the review taken off": f"UPDATE pupils SET next_review = NULL WHERE id = {pupil_id}",
        "the flags cleared": f"UPDATE pupils SET flags = 0 WHERE id = {pupil_id}",
        "a flag made up": f"UPDATE pupils SET flags = flags | {int(Flag.LOOKED_AFTER)} "
                          f"WHERE id = {pupil_id}",
    }
    for user, password in ((STAFF, STAFF_PASSWORD), (SENCO, SENCO_PASSWORD)):
        for what, sql in attacks.items():
            result = psql(pg_server, server_database[1], user, password, sql)
            assert refused(result), (user, what, result.stdout, result.stderr)
    after = senco_session.db.query_one("SELECT next_review, flags FROM pupils WHERE id = ?",
                                       (pupil_id,))
    assert dict(after) == dict(before)
    notes.add_note(senco_session, pupil_id, {"event_date": "21/11/2026", "concern": "Sooner",
                                             "review_date": "25/11/2026"})
    assert senco_session.db.scalar("SELECT next_review FROM pupils WHERE id = ?",
                                   (pupil_id,)) == "2026-11-25"


def test_verify_by_staff_says_the_log_was_not_checked_not_that_it_was_tampered(
        senco_session, on_status, staff_session):
    report = verify_mod.verify(staff_session)
    text = "\n".join(report.lines())
    assert "Audit log: not checked (your account may not read it" in text
    assert "TAMPERED" not in text and not report.ok
    assert "intact" in "\n".join(verify_mod.verify(senco_session).lines())


def test_verify_from_the_command_line_by_staff_says_what_was_not_checked(
        school, pg_server, server_database, capsys):
    code = _cli("verify", pg_server.url(server_database[1]), "--user", STAFF,
                stdin=[STAFF_PASSWORD])
    err = capsys.readouterr().err
    assert code == 1 and "was not fully checked: the audit log was not checked" in err
    assert "failed verification" not in err
