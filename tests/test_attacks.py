"""Damaged, swapped, forged and truncated files, full disks and read-only folders.

For every attack the promise is the same: sendesk refuses with one of its own errors (a
sentence an administrator can act on, never a raw SQLite or JSON error), and leaves every file
exactly as it found it, so that nothing the attacker or the fault did is made worse.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import SENCO, SENCO_NAME, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from sendesk.cli.main import main as cli_main
from sendesk.errors import DamagedDatabase, KeyFileError, NotASendeskDatabase, SendeskError, StorageError, WrongPassword
from sendesk.services import backup, lifecycle, users
from sendesk.services import verify as verify_mod
from sendesk.store import audit
from sendesk.store.database import Database
from sendesk.store.files import atomic_write
from sendesk.store.keyfile import KeyFile, keyfile_path
from store_tools import (
    PAGE_SIZE,
    add_filler,
    assert_user_message,
    cli_executable,
    copy_school,
    digest,
    flip_byte,
    folder_state,
    make_school,
    raw_connection,
    require_permission_checks,
    run_child,
)


@pytest.fixture(scope="module")
def school_template(tmp_path_factory):
    return make_school(tmp_path_factory.mktemp("template"))


@pytest.fixture
def school(school_template, db_path):
    """conftest's school, copied from one made per module: every test still gets its own files."""
    return copy_school(school_template, db_path)


NEW_PASSWORD = "orchid-tumble-riverbank-55"


def data_key_of(db_path) -> bytes:
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    try:
        return bytes(session.data_key)
    finally:
        session.close()


def refused(action, *types):
    """Run an action that must fail; return the error after checking it is one of ours."""
    try:
        action()
    except BaseException as exc:  # noqa: BLE001 - the point is to see what escapes
        assert_user_message(exc, *types)
        assert lifecycle.describe_failure(exc) == str(exc)
        return exc
    pytest.fail("the damaged file was accepted")


def open_senco(db_path):
    return lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)


def run_cli(argv, stdin_lines, capsys):
    code = cli_main([str(a) for a in argv], stdin=io.StringIO("".join(ln + "\n" for ln in stdin_lines)))
    out, err = capsys.readouterr()
    return code, out, err


# --- the database file ---------------------------------------------------------------------------

DAMAGE_POINTS = {
    "salt at the start of page 1": lambda size: 3,
    "inside page 1": lambda size: 600,
    "page 1 MAC": lambda size: PAGE_SIZE - 10,
    "middle page": lambda size: (size // PAGE_SIZE // 2) * PAGE_SIZE + 700,
    "last page": lambda size: size - PAGE_SIZE + 700,
    "very last byte": lambda size: size - 1,
}


def damage_is_caught(db_path: Path) -> None:
    """Either sign-in refuses the file (and leaves it alone), or, when the damage is in a page
    sign-in never reads, the full check reports it."""
    before = folder_state(db_path.parent)
    try:
        session = open_senco(db_path)
    except BaseException as exc:  # noqa: BLE001
        assert_user_message(exc, DamagedDatabase, NotASendeskDatabase)
        assert folder_state(db_path.parent) == before
        return
    try:
        report = verify_mod.verify(session)
    finally:
        session.close()
    assert not report.ok
    assert report.cipher_problems or report.structure_problems


@pytest.mark.parametrize("where", DAMAGE_POINTS)
def test_a_flipped_bit_in_the_database_is_caught(school, where):
    db_path, _ = school
    flip_byte(db_path, DAMAGE_POINTS[where](db_path.stat().st_size))
    damage_is_caught(db_path)


def test_damage_that_sign_in_never_reads_is_found_by_verify(school, tmp_path, capsys):
    """Pupil records are not read at sign-in, so a damaged records page only shows at verify
    time, through SQLCipher's per-page MACs; `sendesk-cli verify` must then fail."""
    db_path, _ = school
    add_filler(db_path, data_key_of(db_path), rows=40)
    size = db_path.stat().st_size
    offset = size - 3 * PAGE_SIZE + 1234
    flip_byte(db_path, offset)
    damaged_page = db_path.read_bytes()[offset // PAGE_SIZE * PAGE_SIZE:][:PAGE_SIZE]

    session = open_senco(db_path)
    try:
        report = verify_mod.verify(session)
    finally:
        session.close()
    assert not report.ok
    assert len(report.cipher_problems) == 1
    assert str(offset // PAGE_SIZE + 1) in report.cipher_problems[0]
    assert report.lines()[0].startswith("Encryption check: FAILED")

    code, out, err = run_cli(["verify", db_path, "--user", SENCO], [SENCO_PASSWORD], capsys)
    assert code != 0
    assert "Encryption check: FAILED" in out
    assert len(err.strip().splitlines()) == 1 and "failed verification" in err
    assert "Traceback" not in out + err

    result = subprocess.run([cli_executable(), "verify", str(db_path), "--user", SENCO],
                            input=SENCO_PASSWORD + "\n", capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stdout + result.stderr

    # The damage is reported, not papered over: the page still holds the flipped byte.
    assert db_path.read_bytes()[offset // PAGE_SIZE * PAGE_SIZE:][:PAGE_SIZE] == damaged_page


def test_an_undamaged_database_verifies_cleanly(school, capsys):
    db_path, _ = school
    code, out, err = run_cli(["verify", db_path, "--user", SENCO], [SENCO_PASSWORD], capsys)
    assert code == 0, err
    assert "Encryption check: passed" in out and "intact" in out and err == ""


@pytest.mark.parametrize("keep", [
    lambda size: size // 2,
    lambda size: PAGE_SIZE,
    lambda size: 100,
    lambda size: 10,
    lambda size: size - 1,
    lambda size: size - 100,
], ids=["half", "one page", "100 bytes", "10 bytes", "one byte short", "100 bytes short"])
def test_a_truncated_database_is_caught(school, keep):
    db_path, _ = school
    data = db_path.read_bytes()
    db_path.write_bytes(data[:keep(len(data))])
    damage_is_caught(db_path)
    assert db_path.stat().st_size == keep(len(data))  # not silently "repaired"


def test_a_database_replaced_by_random_bytes_is_refused_untouched(school):
    db_path, _ = school
    db_path.write_bytes(os.urandom(db_path.stat().st_size))
    before = folder_state(db_path.parent)
    refused(lambda: open_senco(db_path), NotASendeskDatabase)
    assert folder_state(db_path.parent) == before


def test_a_plain_unencrypted_sqlite_file_is_refused_untouched(school):
    db_path, _ = school
    db_path.unlink()
    conn = sqlite3.connect(db_path)
    conn.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
                       "INSERT INTO meta VALUES ('school_name', 'Impostor School');")
    conn.close()
    before = folder_state(db_path.parent)
    exc = refused(lambda: open_senco(db_path), NotASendeskDatabase)
    assert "unencrypted" in str(exc)
    assert folder_state(db_path.parent) == before


def test_an_empty_database_file_is_refused_untouched(school):
    db_path, _ = school
    db_path.write_bytes(b"")
    before = folder_state(db_path.parent)
    refused(lambda: open_senco(db_path), NotASendeskDatabase)
    assert folder_state(db_path.parent) == before
    assert db_path.read_bytes() == b""


def test_a_folder_where_the_database_should_be_is_refused(school):
    db_path, _ = school
    db_path.unlink()
    db_path.mkdir()
    (db_path / "inside.txt").write_text("keep me")
    before = folder_state(db_path.parent)
    refused(lambda: open_senco(db_path), NotASendeskDatabase)
    refused(lambda: Database(db_path, b"\0" * 32), NotASendeskDatabase)
    assert folder_state(db_path.parent) == before


def test_a_missing_database_is_reported_as_missing(school):
    db_path, recovery = school
    db_path.unlink()
    refused(lambda: open_senco(db_path), StorageError)
    refused(lambda: lifecycle.recover(db_path, recovery, SENCO, NEW_PASSWORD), StorageError)
    assert not db_path.exists()


def test_another_schools_database_beside_this_key_file_is_refused(school, tmp_path, clock):
    db_path, _ = school
    other = tmp_path / "other" / "school.sendesk"
    other.parent.mkdir()
    lifecycle.create(other, school_name="Other School", school_reference="654321", username=SENCO,
                     full_name=SENCO_NAME, password=SENCO_PASSWORD, clock=clock)[0].close()
    db_path.write_bytes(other.read_bytes())
    before = folder_state(db_path.parent)
    refused(lambda: open_senco(db_path), NotASendeskDatabase)
    assert folder_state(db_path.parent) == before


# --- the key file --------------------------------------------------------------------------------

def _flip_hex(text: str) -> str:
    return ("1" if text[0] != "1" else "2") + text[1:]


def _slot_of(doc: dict, db_path: Path, username: str | None) -> dict:
    key_file = KeyFile.load(keyfile_path(db_path))
    wanted = "recovery" if username is None else key_file.user_slot_id(username)
    return next(slot for slot in doc["slots"] if slot["id"] == wanted)


def _edit(field_path):
    def edit(doc, db_path):
        *parents, last = field_path(doc, db_path)
        target = parents[0]
        for step in parents[1:]:
            target = target[step]
        target[last] = _flip_hex(target[last])
    return edit


def _delete_slot(username):
    def edit(doc, db_path):
        doc["slots"].remove(_slot_of(doc, db_path, username))
    return edit


def _set(key, value):
    def edit(doc, db_path):
        doc[key] = value
    return edit


def _set_kdf(field, value):
    def edit(doc, db_path):
        _slot_of(doc, db_path, SENCO)["kdf"][field] = value
    return edit


def _add_slot(doc, db_path):
    copy = dict(_slot_of(doc, db_path, STAFF))
    copy["id"] = "f" * 32
    doc["slots"].append(copy)


JSON_EDITS = {
    # The signing-in user's own slot: AES-GCM cannot tell an altered slot from a wrong password.
    "own wrapped key flipped": (_edit(lambda d, p: (_slot_of(d, p, SENCO), "wrapped")), WrongPassword),
    "own slot deleted": (_delete_slot(SENCO), WrongPassword),
    # Anything else is caught by the key file's MAC once the data key is known.
    "other user's wrapped key flipped": (_edit(lambda d, p: (_slot_of(d, p, STAFF), "wrapped")), KeyFileError),
    "recovery sealed key flipped": (_edit(lambda d, p: (_slot_of(d, p, None), "sealed")), KeyFileError),
    "own sealed key flipped": (_edit(lambda d, p: (_slot_of(d, p, SENCO), "sealed")), WrongPassword),
    "own public key flipped": (_edit(lambda d, p: (_slot_of(d, p, SENCO), "public")), KeyFileError),
    "other user's sealed key flipped": (_edit(lambda d, p: (_slot_of(d, p, STAFF), "sealed")), KeyFileError),
    "other user's nonce flipped": (_edit(lambda d, p: (_slot_of(d, p, STAFF), "nonce")), KeyFileError),
    "other user's salt flipped": (_edit(lambda d, p: (_slot_of(d, p, STAFF), "kdf", "salt")), KeyFileError),
    "other user's slot deleted": (_delete_slot(STAFF), KeyFileError),
    "recovery slot deleted": (_delete_slot(None), KeyFileError),
    "slot added": (_add_slot, KeyFileError),
    "MAC altered": (_edit(lambda d, p: (d, "mac")), KeyFileError),
    "MAC removed": (lambda d, p: d.pop("mac"), KeyFileError),
    "MAC not hex": (_set("mac", "not hex"), KeyFileError),
    "database id altered": (_edit(lambda d, p: (d, "database_id")), (WrongPassword, KeyFileError)),
    "newer format version": (_set("version", 3), KeyFileError),
    "wrong format name": (_set("format", "something-else"), KeyFileError),
    "slots not a list": (_set("slots", "nonsense"), KeyFileError),
    "slots missing": (lambda d, p: d.pop("slots"), KeyFileError),
    "memory cost below the floor": (_set_kdf("memory_kib", 8), KeyFileError),
    "memory cost infinite": (_set_kdf("memory_kib", float("inf")), KeyFileError),
    "memory cost a string": (_set_kdf("memory_kib", "lots"), KeyFileError),
    "unknown key derivation": (_set_kdf("algorithm", "md5"), KeyFileError),
}


@pytest.mark.parametrize("attack", JSON_EDITS)
def test_an_altered_key_file_is_refused_and_left_alone(school, attack):
    db_path, recovery = school
    edit, expected = JSON_EDITS[attack]
    key_path = keyfile_path(db_path)
    doc = json.loads(key_path.read_text())
    edit(doc, db_path)
    key_path.write_text(json.dumps(doc, indent=1))
    before = folder_state(db_path.parent)
    expected = expected if isinstance(expected, tuple) else (expected,)
    refused(lambda: open_senco(db_path), *expected)
    assert folder_state(db_path.parent) == before


@pytest.mark.parametrize("attack", [a for a, (_, e) in JSON_EDITS.items()
                                    if e is KeyFileError and "recovery" not in a])
def test_the_recovery_key_does_not_get_round_an_altered_key_file(school, attack):
    db_path, recovery = school
    key_path = keyfile_path(db_path)
    doc = json.loads(key_path.read_text())
    JSON_EDITS[attack][0](doc, db_path)
    key_path.write_text(json.dumps(doc))
    before = folder_state(db_path.parent)
    refused(lambda: lifecycle.recover(db_path, recovery, SENCO, NEW_PASSWORD), KeyFileError)
    assert folder_state(db_path.parent) == before


def _json_text(db_path: Path) -> bytes:
    return keyfile_path(db_path).read_bytes()


RAW_KEY_FILES = {
    "empty": lambda good: b"",
    "random bytes": lambda good: os.urandom(2000),
    "truncated to half": lambda good: good[:len(good) // 2],
    "truncated by one byte": lambda good: good[:-1],
    "first byte only": lambda good: good[:1],
    "JSON null": lambda good: b"null",
    "JSON list": lambda good: b"[1, 2, 3]",
    "JSON string": lambda good: b'"sendesk-keys"',
    "not UTF-8": lambda good: good.replace(b"{", b"\xff", 1),
    "byte-order mark": lambda good: b"\xef\xbb\xbf" + good,
    "10 MB of spaces": lambda good: b" " * (10 * 1024 * 1024),
    "10 MB of valid JSON": lambda good: good[:-1] + b', "padding": "' + b"a" * (10 * 1024 * 1024) + b'"}',
    "deeply nested lists": lambda good: b"[" * 100_000 + b"]" * 100_000,
    "deeply nested objects": lambda good: b'{"a":' * 40_000 + b"1" + b"}" * 40_000,
    "nested inside a slot": lambda good: good.replace(b'"slots": [', b'"slots": [' + b"[" * 50_000
                                                       + b"]" * 50_000 + b",", 1),
}


@pytest.mark.parametrize("attack", RAW_KEY_FILES)
def test_a_garbled_key_file_is_refused_and_left_alone(school, attack):
    db_path, recovery = school
    key_path = keyfile_path(db_path)
    key_path.write_bytes(RAW_KEY_FILES[attack](key_path.read_bytes()))
    before = folder_state(db_path.parent)
    refused(lambda: open_senco(db_path), KeyFileError)
    refused(lambda: lifecycle.recover(db_path, recovery, SENCO, NEW_PASSWORD), KeyFileError)
    assert folder_state(db_path.parent) == before


def test_a_missing_key_file_is_named_and_nothing_is_created(school):
    db_path, recovery = school
    keyfile_path(db_path).unlink()
    before = folder_state(db_path.parent)
    exc = refused(lambda: open_senco(db_path), KeyFileError)
    assert "missing" in str(exc)
    refused(lambda: lifecycle.recover(db_path, recovery, SENCO, NEW_PASSWORD), KeyFileError)
    assert folder_state(db_path.parent) == before
    assert not keyfile_path(db_path).exists()


def test_a_folder_where_the_key_file_should_be_is_refused(school):
    db_path, _ = school
    keyfile_path(db_path).unlink()
    keyfile_path(db_path).mkdir()
    before = folder_state(db_path.parent)
    refused(lambda: open_senco(db_path), KeyFileError)
    assert folder_state(db_path.parent) == before


def test_key_files_swapped_between_two_databases_open_neither(school, tmp_path, clock):
    """Both schools even share a username and password, so the swapped key file unlocks, but
    with the other database's key."""
    db_a, _ = school
    db_b = tmp_path / "other" / "school.sendesk"
    db_b.parent.mkdir()
    lifecycle.create(db_b, school_name="Other School", school_reference="654321", username=SENCO,
                     full_name=SENCO_NAME, password=SENCO_PASSWORD, clock=clock)[0].close()
    key_a, key_b = keyfile_path(db_a).read_bytes(), keyfile_path(db_b).read_bytes()
    keyfile_path(db_a).write_bytes(key_b)
    keyfile_path(db_b).write_bytes(key_a)
    before_a, before_b = folder_state(db_a.parent), folder_state(db_b.parent)
    refused(lambda: open_senco(db_a), NotASendeskDatabase)
    refused(lambda: open_senco(db_b), NotASendeskDatabase)
    assert folder_state(db_a.parent) == before_a
    assert folder_state(db_b.parent) == before_b


def test_quick_unlock_with_a_key_that_does_not_match_is_refused(school):
    db_path, _ = school
    before = folder_state(db_path.parent)
    for key in (os.urandom(32), b"", b"\0" * 32, os.urandom(64)):
        refused(lambda key=key: lifecycle.open_with_data_key(db_path, key, SENCO), SendeskError)
    assert folder_state(db_path.parent) == before


# --- the audit log -------------------------------------------------------------------------------

@pytest.fixture
def busy_school(school, clock):
    """A school with some history: sign-ins, a user added, a few recorded actions."""
    db_path, _ = school
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD, clock)
    users.add_user(session, "jbloggs", "Jo Bloggs", "staff", "copper-pylon-saffron-21")
    for pupil in range(4):
        session.audit_now("viewed a record", "pupil", pupil)
    key = bytes(session.data_key)
    session.close()
    return db_path, key


def _audit_report(db_path, key):
    db = Database(db_path, key)
    try:
        return audit.verify(db)
    finally:
        db.close()


def _tamper(db_path, key, attack):
    conn = raw_connection(db_path, key)
    try:
        attack(conn)
    finally:
        conn.close()


def test_the_audit_log_starts_intact(busy_school):
    report = _audit_report(*busy_school)
    assert report.intact and report.entries >= 8


def test_the_audit_triggers_refuse_edits_even_with_the_key(busy_school):
    db_path, key = busy_school
    before = digest(db_path)
    conn = raw_connection(db_path, key)
    try:
        for sql in ("UPDATE audit_log SET username = 'someone' WHERE id = 2",
                    "DELETE FROM audit_log WHERE id = 2"):
            with pytest.raises(Exception, match="audit log cannot be changed"):
                conn.execute(sql)
    finally:
        conn.close()
    assert digest(db_path) == before


def _rehash_entry(conn, entry_id: int, action: str) -> None:
    """An attacker who knows the chain's rule edits an entry and recomputes its hash."""
    conn.execute("DROP TRIGGER audit_log_no_update")
    row = conn.execute("SELECT at, user_id, username, action, target_type, target_id, detail,"
                       " prev_hash FROM audit_log WHERE id = ?", (entry_id,)).fetchone()
    fields = dict(zip(("at", "user_id", "username", "action", "target_type", "target_id",
                       "detail"), row[:7], strict=False))
    fields["action"] = action
    conn.execute("UPDATE audit_log SET action = ?, hash = ? WHERE id = ?",
                 (action, audit._entry_hash(row[7], fields), entry_id))


TAMPERING = {
    "entry edited": lambda conn: (
        conn.execute("DROP TRIGGER audit_log_no_update"),
        conn.execute("UPDATE audit_log SET detail = '{\"username\": \"nobody\"}' WHERE id = 2")),
    "entry edited and its hash recomputed": lambda conn: _rehash_entry(conn, 3, "viewed nothing"),
    "middle entry deleted": lambda conn: (
        conn.execute("DROP TRIGGER audit_log_no_delete"),
        conn.execute("DELETE FROM audit_log WHERE id = 4")),
    "first entry deleted": lambda conn: (
        conn.execute("DROP TRIGGER audit_log_no_delete"),
        conn.execute("DELETE FROM audit_log WHERE id = 1")),
    "last entry deleted": lambda conn: (
        conn.execute("DROP TRIGGER audit_log_no_delete"),
        conn.execute("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")),
    "last entry deleted and its number reused": lambda conn: (
        conn.execute("DROP TRIGGER audit_log_no_delete"),
        conn.execute("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)"),
        conn.execute("UPDATE sqlite_sequence SET seq = seq - 1 WHERE name = 'audit_log'")),
    "two entries swapped": lambda conn: (
        conn.execute("DROP TRIGGER audit_log_no_update"),
        conn.execute("UPDATE audit_log SET id = -1 WHERE id = 5"),
        conn.execute("UPDATE audit_log SET id = 5 WHERE id = 6"),
        conn.execute("UPDATE audit_log SET id = 6 WHERE id = -1")),
    "whole log emptied": lambda conn: (
        conn.execute("DROP TRIGGER audit_log_no_delete"),
        conn.execute("DELETE FROM audit_log")),
}


@pytest.mark.parametrize("attack", TAMPERING)
def test_tampering_with_the_audit_log_is_reported(busy_school, attack, capsys):
    db_path, key = busy_school
    _tamper(db_path, key, TAMPERING[attack])

    # Reading the log as it now stands (no new entries) shows the break...
    assert not _audit_report(db_path, key).intact

    # ...and so does the full check, after a sign-in has added to the log,
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    try:
        report = verify_mod.verify(session)
    finally:
        session.close()
    assert not report.ok and report.audit_problems
    assert any("TAMPERED" in line for line in report.lines())
    assert not report.cipher_problems and not report.structure_problems

    # ...and the command IT staff run fails.
    code, out, err = run_cli(["verify", db_path, "--user", SENCO], [SENCO_PASSWORD], capsys)
    assert code != 0 and "TAMPERED" in out
    assert len(err.strip().splitlines()) == 1


# --- backups -------------------------------------------------------------------------------------

@pytest.fixture
def backup_file(senco_session, tmp_path):
    out = tmp_path / "backups" / "brambleton.sendesk-backup"
    out.parent.mkdir()
    backup.backup(senco_session, out)
    return out


@pytest.fixture
def restore_dir(tmp_path):
    folder = tmp_path / "restored"
    folder.mkdir()
    return folder


def _restore_refused(backup_path, restore_dir, password=SENCO_PASSWORD, username=None, *types):
    before = folder_state(restore_dir)
    backup_before = digest(backup_path) if backup_path.is_file() else None
    exc = refused(lambda: backup.restore(backup_path, restore_dir / "school.sendesk", password,
                                         username), *types)
    assert folder_state(restore_dir) == before, "something was written to the restore folder"
    if backup_before is not None:
        assert digest(backup_path) == backup_before
    return exc


def test_a_good_backup_restores_and_opens(backup_file, restore_dir):
    target = restore_dir / "school.sendesk"
    backup.restore(backup_file, target, SENCO_PASSWORD)  # an administrator of the backup
    assert sorted(folder_state(restore_dir)) == ["school.sendesk", "school.sendesk-keys"]
    session = lifecycle.open_school(target, SENCO, SENCO_PASSWORD)
    try:
        assert verify_mod.verify(session).ok
    finally:
        session.close()


def _backup_offsets(size):
    return {"magic": 2, "header length": 17, "header": 40, "key file inside": 300,
            "database inside": size // 2, "last database byte": size - 33, "MAC": size - 5}


@pytest.mark.parametrize("where", list(_backup_offsets(100_000)))
def test_a_flipped_bit_in_a_backup_stops_the_restore(backup_file, restore_dir, where):
    flip_byte(backup_file, _backup_offsets(backup_file.stat().st_size)[where])
    _restore_refused(backup_file, restore_dir, SENCO_PASSWORD, None,
                     DamagedDatabase, KeyFileError, WrongPassword)


@pytest.mark.parametrize("change", [
    lambda data: data[:-1],
    lambda data: data[:len(data) // 2],
    lambda data: data[:40],
    lambda data: data + b"\0",
    lambda data: data + data,
], ids=["one byte short", "half", "header only", "one byte extra", "doubled"])
def test_a_cut_short_or_extended_backup_is_refused(backup_file, restore_dir, change):
    backup_file.write_bytes(change(backup_file.read_bytes()))
    _restore_refused(backup_file, restore_dir, SENCO_PASSWORD, None, DamagedDatabase)


def test_a_backup_with_the_wrong_password_is_refused(backup_file, restore_dir):
    _restore_refused(backup_file, restore_dir, "not-the-right-password-12", None, WrongPassword)
    _restore_refused(backup_file, restore_dir, SENCO_PASSWORD, STAFF, WrongPassword)
    _restore_refused(backup_file, restore_dir, SENCO_PASSWORD, "nobody", WrongPassword)


@pytest.mark.parametrize("content", [
    lambda school_db: b"",
    lambda school_db: b"hello, this is a shopping list\n" * 50,
    lambda school_db: os.urandom(50_000),
    lambda school_db: school_db.read_bytes(),
    lambda school_db: keyfile_path(school_db).read_bytes(),
    lambda school_db: b"sendesk-backup\x00\x01" + b"\xff\xff\xff\xff" + b"\0" * 100,
    lambda school_db: _forged_header({"keyfile_bytes": float("inf"), "database_bytes": 1}),
    lambda school_db: _forged_header({"keyfile_bytes": -5, "database_bytes": 10}),
    lambda school_db: _forged_header([1, 2, 3]),
    lambda school_db: _forged_header_raw(b"[" * 30_000 + b"]" * 30_000),
    lambda school_db: _forged_header_raw(b"\xff\xfe not utf-8"),
], ids=["empty", "text", "random", "a database", "a key file", "huge header", "infinite sizes",
        "negative size", "header a list", "deep header", "header not UTF-8"])
def test_a_file_that_is_not_a_backup_is_refused(school, restore_dir, tmp_path, content):
    fake = tmp_path / "fake.sendesk-backup"
    fake.write_bytes(content(school[0]))
    _restore_refused(fake, restore_dir, SENCO_PASSWORD, None, DamagedDatabase)


def _forged_header(header) -> bytes:
    return _forged_header_raw(json.dumps(header).encode())


def _forged_header_raw(raw: bytes) -> bytes:
    return b"sendesk-backup\x00\x01" + len(raw).to_bytes(4, "big") + raw + b"\0" * 64


def test_restoring_a_folder_or_a_missing_file_is_refused(restore_dir, tmp_path):
    (tmp_path / "a folder").mkdir()
    _restore_refused(tmp_path / "a folder", restore_dir, SENCO_PASSWORD, None, StorageError)
    _restore_refused(tmp_path / "missing.sendesk-backup", restore_dir, SENCO_PASSWORD, None,
                     StorageError)


def test_restore_never_overwrites_an_existing_database(backup_file, school):
    db_path, _ = school
    before = folder_state(db_path.parent)
    exc = refused(lambda: backup.restore(backup_file, db_path, SENCO_PASSWORD), StorageError)
    assert "already exists" in str(exc)
    assert folder_state(db_path.parent) == before


def test_restore_never_overwrites_a_key_file_left_behind(backup_file, restore_dir):
    stray = keyfile_path(restore_dir / "school.sendesk")
    stray.write_text("an old key file someone kept")
    _restore_refused(backup_file, restore_dir, SENCO_PASSWORD, None, StorageError)
    assert stray.read_text() == "an old key file someone kept"


def test_restore_into_a_missing_folder_is_refused(backup_file, tmp_path):
    refused(lambda: backup.restore(backup_file, tmp_path / "nowhere" / "school.sendesk",
                                   SENCO_PASSWORD), StorageError)
    assert not (tmp_path / "nowhere").exists()


def test_backup_never_overwrites_an_existing_file(senco_session, tmp_path):
    precious = tmp_path / "precious.docx"
    precious.write_bytes(b"the head's letter")
    refused(lambda: backup.backup(senco_session, precious), StorageError)
    assert precious.read_bytes() == b"the head's letter"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["precious.docx", "school.sendesk", "school.sendesk-keys"])


# --- full disks and read-only folders --------------------------------------------------------------

BROKEN_DISK_ACTIONS = {
    # Each body breaks the disk just before the step under test; steps that need a signed-in
    # user sign in first and record the files as they then stand.
    "create": """
        from sendesk.services import lifecycle
        break_disk()
        attempt(lambda: lifecycle.create(Path(FOLDER) / "new.sendesk", school_name="New School",
                school_reference="123456", username="mpatel", full_name="Meera Patel",
                password=PASSWORD))
    """,
    "sign in": """
        from sendesk.services import lifecycle
        break_disk()
        attempt(lambda: lifecycle.open_school(Path(DB), "mpatel", PASSWORD).close())
    """,
    "recover": """
        from sendesk.services import lifecycle
        break_disk()
        attempt(lambda: lifecycle.recover(Path(DB), RECOVERY, "mpatel", NEW_PASSWORD).close())
    """,
    "add a user": """
        from sendesk.services import lifecycle, users
        s = lifecycle.open_school(Path(DB), "mpatel", PASSWORD)
        checkpoint(FOLDER)
        break_disk()
        attempt(lambda: users.add_user(s, "jbloggs", "Jo Bloggs", "staff", NEW_PASSWORD))
        s.close()
    """,
    "remove a user": """
        from sendesk.services import lifecycle, users
        s = lifecycle.open_school(Path(DB), "mpatel", PASSWORD)
        checkpoint(FOLDER)
        break_disk()
        attempt(lambda: users.remove_user(s, "owilliams"))
        s.close()
    """,
    "change a password": """
        from sendesk.services import lifecycle, users
        s = lifecycle.open_school(Path(DB), "mpatel", PASSWORD)
        checkpoint(FOLDER)
        break_disk()
        attempt(lambda: users.change_password(s, "mpatel", NEW_PASSWORD, PASSWORD))
        s.close()
    """,
    "back up": """
        from sendesk.services import backup, lifecycle
        s = lifecycle.open_school(Path(DB), "mpatel", PASSWORD)
        checkpoint(FOLDER)
        break_disk()
        attempt(lambda: backup.backup(s, Path(FOLDER) / "new.sendesk-backup"))
        s.close()
    """,
    "restore": """
        from sendesk.services import backup
        break_disk()
        attempt(lambda: backup.restore(Path(BACKUP), Path(FOLDER) / "restored.sendesk", PASSWORD))
    """,
}


def _child_body(action: str, db_path: Path, recovery: str, backup_path: Path) -> str:
    return (f"DB = {str(db_path)!r}\nFOLDER = {str(db_path.parent)!r}\n"
            f"PASSWORD = {SENCO_PASSWORD!r}\nNEW_PASSWORD = {NEW_PASSWORD!r}\n"
            f"RECOVERY = {recovery!r}\nBACKUP = {str(backup_path)!r}\n"
            + textwrap.dedent(BROKEN_DISK_ACTIONS[action]))


@pytest.fixture
def school_with_backup(school):
    db_path, recovery = school
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    backup_path = db_path.with_name("earlier.sendesk-backup")
    backup.backup(session, backup_path)
    session.close()
    return db_path, recovery, backup_path


def _assert_nothing_changed(db_path, before, outcome):
    assert outcome["outcome"] == "refused", outcome
    assert outcome["type"] == "StorageError", outcome
    assert "\n" not in outcome["message"] and "Traceback" not in outcome["message"]
    expected = outcome["checkpoint"] or before
    assert folder_state(db_path.parent) == expected, "files changed or were left behind"
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    try:
        assert [u.username for u in users.list_users(session)] == [SENCO, STAFF]
        assert verify_mod.verify(session).ok
    finally:
        session.close()
    lifecycle.open_school(db_path, STAFF, STAFF_PASSWORD).close()


@pytest.mark.skipif(os.name != "posix", reason="a full disk is simulated with RLIMIT_FSIZE")
@pytest.mark.parametrize("action", BROKEN_DISK_ACTIONS)
def test_a_full_disk_changes_nothing(school_with_backup, action):
    db_path, recovery, backup_path = school_with_backup
    before = folder_state(db_path.parent)
    outcome = run_child(_child_body(action, db_path, recovery, backup_path), full_disk=1024)
    _assert_nothing_changed(db_path, before, outcome)


@pytest.mark.parametrize("action", BROKEN_DISK_ACTIONS)
def test_a_read_only_folder_changes_nothing(school_with_backup, action):
    require_permission_checks()
    db_path, recovery, backup_path = school_with_backup
    before = folder_state(db_path.parent)
    try:
        outcome = run_child(_child_body(action, db_path, recovery, backup_path),
                            read_only=[db_path.parent])
    finally:
        os.chmod(db_path.parent, 0o755)
    _assert_nothing_changed(db_path, before, outcome)


def test_a_backup_to_a_read_only_stick_writes_nothing(school, tmp_path):
    require_permission_checks()
    db_path, _ = school
    stick = tmp_path / "usb"
    stick.mkdir()
    body = f"""
        from sendesk.services import backup, lifecycle
        s = lifecycle.open_school(Path({str(db_path)!r}), "mpatel", {SENCO_PASSWORD!r})
        break_disk()
        attempt(lambda: backup.backup(s, Path({str(stick)!r}) / "monday.sendesk-backup"))
        s.close()
    """
    try:
        outcome = run_child(body, read_only=[stick])
    finally:
        os.chmod(stick, 0o755)
    assert outcome["outcome"] == "refused" and outcome["type"] == "StorageError", outcome
    assert "may not write" in outcome["message"]
    assert list(stick.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="a full disk is simulated with RLIMIT_FSIZE")
def test_a_key_file_write_that_fails_part_way_leaves_the_old_key_file(school):
    """The new key file is bigger than the disk allows; the old one must survive whole."""
    db_path, _ = school
    key_path = keyfile_path(db_path)
    old_key_file = key_path.read_bytes()
    body = f"""
        from sendesk.store.keyfile import KeyFile
        from sendesk.services import lifecycle
        s = lifecycle.open_school(Path({str(db_path)!r}), "mpatel", {SENCO_PASSWORD!r})
        for name in ("jbloggs", "kbloggs", "lbloggs"):
            s.keyfile.set_password(name, {NEW_PASSWORD!r}, s.data_key)
        checkpoint({str(db_path.parent)!r})
        break_disk()
        attempt(lambda: s.keyfile.save(Path({str(key_path)!r}), s.data_key))
        s.close()
    """
    outcome = run_child(body, full_disk=len(old_key_file) + 200)
    assert outcome["outcome"] == "refused" and outcome["type"] == "StorageError", outcome
    assert "disk space" in outcome["message"]
    assert folder_state(db_path.parent) == outcome["checkpoint"]  # no partial file either
    assert key_path.read_bytes() == old_key_file
    assert not KeyFile.load(key_path).has_user("jbloggs")
    lifecycle.open_school(db_path, STAFF, STAFF_PASSWORD).close()


def test_a_failed_replace_leaves_the_old_file_and_no_partial_file(tmp_path):
    """A real failure at the last step of an atomic write: the target has become a folder."""
    target = tmp_path / "school.sendesk-keys"
    target.mkdir()
    (target / "inside").write_text("x")
    with pytest.raises(StorageError) as caught:
        atomic_write(target, b"new contents")
    assert_user_message(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["school.sendesk-keys"]
    assert (target / "inside").read_text() == "x"


def test_a_failed_key_file_save_rolls_back_the_user_that_needed_it(school, senco_session):
    """add_user writes the key file inside the database transaction: if the key file cannot be
    written, the new user row must not be committed either."""
    db_path, _ = school
    key_path = keyfile_path(db_path)
    saved = key_path.read_bytes()
    key_path.unlink()
    key_path.mkdir()  # the key file cannot be replaced
    try:
        with pytest.raises(StorageError):
            users.add_user(senco_session, "jbloggs", "Jo Bloggs", "staff", NEW_PASSWORD)
        assert [u.username for u in users.list_users(senco_session)] == [SENCO, STAFF]
        assert not senco_session.keyfile.has_user("jbloggs")
    finally:
        key_path.rmdir()
        key_path.write_bytes(saved)
    # The same username can be added once the disk is fixed: nothing half-done remains.
    users.add_user(senco_session, "jbloggs", "Jo Bloggs", "staff", NEW_PASSWORD)
    lifecycle.open_school(db_path, "jbloggs", NEW_PASSWORD).close()
