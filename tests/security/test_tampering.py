"""Tampering, swept across whole files rather than at a few chosen offsets.

tests/test_attacks.py aims at named places (the salt, a page MAC, each key-file field); this
file flips one bit in every page of the database, at offsets spread over the whole key file and
backup, brings back an old key file, takes down the audit log's safeguards, and rewrites the
audit log the one way the hash chain alone cannot see (cut short and re-chained by someone who
holds the data key), which a backup's audit anchor then catches. Each must be refused or
reported with one of sendesk's own messages; none may be silently accepted.
"""

from __future__ import annotations

import io
import json

import pytest

from conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from sendesk.cli.main import main as cli_main
from sendesk.errors import DamagedDatabase, KeyFileError, NotASendeskDatabase, SendeskError, WrongPassword
from sendesk.services import backup, lifecycle, users
from sendesk.services import verify as verify_mod
from sendesk.store import audit
from sendesk.store.keyfile import keyfile_path
from store_tools import (
    PAGE_SIZE,
    add_filler,
    assert_user_message,
    copy_school,
    flip_byte,
    folder_state,
    make_school,
    raw_connection,
)

pytestmark = pytest.mark.sqlcipher_only(reason=(
    "flipped bits in the encrypted pages, key file and backups, and SQLite's own audit "
    "triggers; the server's safeguards: test_server_store and test_server_security"))

NEW_PASSWORD = "orchid-tumble-riverbank-55"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_school(tmp_path_factory.mktemp("template"))


@pytest.fixture
def school(template, db_path):
    return copy_school(template, db_path)


def data_key_of(db_path) -> bytes:
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    try:
        return bytes(session.data_key)
    finally:
        session.close()


def run_cli(argv, stdin_lines, capsys):
    code = cli_main([str(a) for a in argv],
                    stdin=io.StringIO("".join(line + "\n" for line in stdin_lines)))
    out, err = capsys.readouterr()
    return code, out, err


def caught(db_path) -> str:
    """Sign-in refuses the file untouched, or the full check reports it: how it was caught."""
    before = folder_state(db_path.parent)
    try:
        session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    except BaseException as exc:  # noqa: BLE001 - the point is to see what escapes
        assert_user_message(exc, DamagedDatabase, NotASendeskDatabase)
        assert folder_state(db_path.parent) == before
        return "refused"
    try:
        report = verify_mod.verify(session)
    finally:
        session.close()
    assert not report.ok, "a flipped bit was silently accepted"
    return "reported"


# --- the database: one flipped bit in every page ----------------------------------------------------

def test_a_flipped_bit_in_any_page_of_the_database_is_caught(school, tmp_path):
    db_path, _ = school
    add_filler(db_path, data_key_of(db_path), rows=3)
    pristine = db_path.read_bytes()
    pages = len(pristine) // PAGE_SIZE
    how = {}
    for page in range(pages):
        for offset in (page * PAGE_SIZE + 100 + (page * 37) % 3800,):
            db_path.write_bytes(pristine)
            flip_byte(db_path, offset)
            how[page + 1] = caught(db_path)
    assert len(how) == pages > 10
    assert set(how.values()) == {"refused", "reported"}  # both paths were really exercised


# --- the key file and the backup: offsets spread over the whole file ----------------------------------

def _spread(size: int, count: int) -> list[int]:
    return sorted({(i * size) // count for i in range(count)} | {0, size - 1})


def test_a_flipped_bit_anywhere_in_the_key_file_is_refused(school):
    db_path, recovery = school
    key_path = keyfile_path(db_path)
    pristine = key_path.read_bytes()
    for offset in _spread(len(pristine), 60):
        key_path.write_bytes(pristine)
        flip_byte(key_path, offset)
        before = folder_state(db_path.parent)
        with pytest.raises(SendeskError) as refused:
            lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD).close()
        assert_user_message(refused.value, KeyFileError, WrongPassword, NotASendeskDatabase)
        assert folder_state(db_path.parent) == before, offset


def test_a_flipped_bit_anywhere_in_a_backup_stops_the_restore(senco_session, tmp_path):
    out = tmp_path / "friday.sendesk-backup"
    backup.backup(senco_session, out)
    pristine = out.read_bytes()
    for index, offset in enumerate(_spread(len(pristine), 40)):
        out.write_bytes(pristine)
        flip_byte(out, offset)
        target = tmp_path / f"restore-{index}" / "school.sendesk"
        target.parent.mkdir()
        with pytest.raises(SendeskError) as refused:
            backup.restore(out, target, SENCO_PASSWORD)
        assert_user_message(refused.value, DamagedDatabase, KeyFileError, WrongPassword)
        assert list(target.parent.iterdir()) == [], offset


# --- an old key file brought back ----------------------------------------------------------------------

def test_an_old_key_file_brought_back_does_not_let_a_removed_user_in(school, senco_session):
    """The old key file still holds the removed user's slot and a valid MAC, but removing the
    user re-encrypted the database under a key that old file never held (services/rekey.py)."""
    db_path, _ = school
    old = keyfile_path(db_path).read_bytes()
    users.remove_user(senco_session, STAFF)
    keyfile_path(db_path).write_bytes(old)
    with pytest.raises(NotASendeskDatabase, match="could not be decrypted"):
        lifecycle.open_school(db_path, STAFF, STAFF_PASSWORD)


# --- the audit log's safeguards --------------------------------------------------------------------

@pytest.mark.parametrize("trigger", ["audit_log_no_update", "audit_log_no_delete",
                                     "specialist_reports_fixed"])
def test_a_dropped_safeguard_is_reported_even_before_anything_is_changed(school, trigger, capsys):
    db_path, _ = school
    conn = raw_connection(db_path, data_key_of(db_path))
    conn.execute(f"DROP TRIGGER {trigger}")
    conn.close()
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    try:
        report = verify_mod.verify(session)
    finally:
        session.close()
    assert not report.ok and report.safeguard_problems == [f"the safeguard {trigger} has been removed"]
    assert report.audit_problems == []  # nothing was rewritten yet; the guard is what is missing
    code, out, err = run_cli(["verify", db_path, "--user", SENCO], [SENCO_PASSWORD], capsys)
    assert code != 0 and "REMOVED OR CHANGED" in out
    assert len(err.strip().splitlines()) == 1 and trigger in err


def test_a_weakened_safeguard_is_reported(school):
    db_path, _ = school
    conn = raw_connection(db_path, data_key_of(db_path))
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN 0"
                 " BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END")
    conn.close()
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    try:
        assert verify_mod.verify(session).safeguard_problems == [
            "the safeguard audit_log_no_delete has been changed"]
    finally:
        session.close()


# --- the audit log cut short and re-chained -----------------------------------------------------------

def _cut_and_rechain(db_path, key, keep: int) -> None:
    """What someone holding the data key can do: drop the guard, delete the tail, and make the
    head row agree, so the shorter chain is self-consistent."""
    conn = raw_connection(db_path, key)
    try:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log WHERE id > ?", (keep,))
        last = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (keep,)).fetchone()[0]
        conn.execute("UPDATE audit_head SET count = ?, last_hash = ?", (keep, last))
        conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'", (keep,))
        # and put the guard back, exactly as it was
        conn.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log\n"
                     "            BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END")
    finally:
        conn.close()


@pytest.fixture
def history(school, clock, tmp_path):
    """A school with a backup made part-way through its history."""
    db_path, _ = school
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD, clock)
    for pupil in range(3):
        session.audit_now("viewed a record", "pupil", pupil)
    stick = tmp_path / "stick"
    stick.mkdir()
    saved = stick / "monday.sendesk-backup"
    backup.backup(session, saved)
    at_backup = session.db.scalar("SELECT count FROM audit_head")
    for pupil in range(3, 6):
        session.audit_now("viewed a record", "pupil", pupil)
    key = bytes(session.data_key)
    session.close()
    return db_path, key, saved, at_backup


def _verify(db_path, anchors_from=()):
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    try:
        anchors = [backup.audit_anchor(session, path) for path in anchors_from]
        return verify_mod.verify(session, anchors)
    finally:
        session.close()


def test_a_clean_history_agrees_with_its_backups(history):
    db_path, _, saved, _ = history
    assert _verify(db_path, [saved]).ok


def test_history_cut_and_rechained_is_caught_by_an_earlier_backup(history, capsys):
    db_path, key, saved, at_backup = history
    _cut_and_rechain(db_path, key, keep=at_backup - 2)
    # The known limit: the chain on its own is consistent again...
    assert _verify(db_path).ok
    # ...but the backup on the stick remembers how long the log was.
    report = _verify(db_path, [saved])
    assert not report.ok
    assert any("no longer holds" in problem for problem in report.audit_problems)
    code, out, err = run_cli(["verify", db_path, "--user", SENCO, "--backup", saved],
                             [SENCO_PASSWORD], capsys)
    assert code != 0 and "TAMPERED" in out
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in out + err


def test_an_early_entry_rewritten_and_the_whole_chain_recomputed_is_caught(history):
    db_path, key, saved, _ = history
    conn = raw_connection(db_path, key)
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        rows = conn.execute("SELECT id, at, user_id, username, action, target_type, target_id,"
                            " detail FROM audit_log ORDER BY id").fetchall()
        prev = audit.GENESIS
        for row in rows:
            fields = dict(zip(("at", "user_id", "username", "action", "target_type", "target_id",
                               "detail"), row[1:], strict=False))
            if row[0] == 2:
                fields["action"] = "did nothing of note"
            entry = audit._entry_hash(prev, fields)
            conn.execute("UPDATE audit_log SET action = ?, prev_hash = ?, hash = ? WHERE id = ?",
                         (fields["action"], prev, entry, row[0]))
            prev = entry
        conn.execute("UPDATE audit_head SET last_hash = ?", (prev,))
        conn.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log\n"
                     "            BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END")
    finally:
        conn.close()
    assert _verify(db_path).ok  # self-consistent again
    assert not _verify(db_path, [saved]).ok


def test_a_tail_cut_after_the_backup_is_beyond_its_reach(history):
    """Written up in docs/security.md: entries made after the newest backup can still be cut
    by someone with the key; the backup anchors only what it saw."""
    db_path, key, saved, at_backup = history
    _cut_and_rechain(db_path, key, keep=at_backup + 1)
    assert _verify(db_path, [saved]).ok


@pytest.mark.parametrize("change", ["flip", "other school", "not a backup"])
def test_a_bad_anchor_backup_is_refused_with_a_message(history, tmp_path, clock, change, capsys):
    db_path, _, saved, _ = history
    if change == "flip":
        flip_byte(saved, saved.stat().st_size // 2)
    elif change == "other school":
        other = tmp_path / "other" / "school.sendesk"
        other.parent.mkdir()
        session, _ = lifecycle.create(other, school_name="Other School", school_reference="654321",
                                      username=SENCO, full_name="Meera Patel",
                                      password=SENCO_PASSWORD, clock=clock)
        saved = tmp_path / "other.sendesk-backup"
        backup.backup(session, saved)
        session.close()
    else:
        saved.write_bytes(json.dumps({"hello": "world"}).encode())
    code, out, err = run_cli(["verify", db_path, "--user", SENCO, "--backup", saved],
                             [SENCO_PASSWORD], capsys)
    assert code != 0 and len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err and saved.name in err



# --- what the command line shows for each ------------------------------------------------------------

def _garble_key_file(db_path, tmp_path, clock):
    keyfile_path(db_path).write_bytes(b'{"format": "sendesk-keys", "slots": [[[[')


def _flip_first_page(db_path, tmp_path, clock):
    flip_byte(db_path, 600)


def _swap_key_file(db_path, tmp_path, clock):
    other = tmp_path / "other" / "school.sendesk"
    other.parent.mkdir()
    lifecycle.create(other, school_name="Other School", school_reference="654321", username=SENCO,
                     full_name="Meera Patel", password=SENCO_PASSWORD, clock=clock)[0].close()
    keyfile_path(db_path).write_bytes(keyfile_path(other).read_bytes())


def _drop_guard(db_path, tmp_path, clock):
    conn = raw_connection(db_path, data_key_of(db_path))
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.close()


@pytest.mark.parametrize("attack", [_garble_key_file, _flip_first_page, _swap_key_file, _drop_guard],
                         ids=["garbled key file", "flipped bit on page 1", "swapped key file",
                              "dropped safeguard"])
@pytest.mark.parametrize("command", ["verify", "backup", "audit"])
def test_the_command_line_says_one_line_and_fails(school, tmp_path, clock, capsys, attack, command):
    db_path, _ = school
    attack(db_path, tmp_path, clock)
    argv = {"verify": ["verify", db_path, "--user", SENCO],
            "backup": ["backup", db_path, tmp_path / "b.sendesk-backup", "--user", SENCO],
            "audit": ["audit", db_path, "--user", SENCO]}[command]
    code = cli_main([str(a) for a in argv], stdin=io.StringIO(SENCO_PASSWORD + "\n"))
    out, err = capsys.readouterr()
    if attack is _drop_guard and command != "verify":
        assert code == 0  # the guard's absence is verify's to report; work goes on meanwhile
        return
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and err.startswith("sendesk-cli: ")
    assert "Traceback" not in out + err and "sqlcipher" not in err.lower()
    assert not (tmp_path / "b.sendesk-backup").exists()
