"""Killed mid-write: the records survive.

Each scenario runs real sendesk code in a child process that is killed with SIGKILL just before
its Nth disk operation (write, fsync, rename, unlink or truncate, counted by crashpoint.so,
whether Python or SQLite's C code makes the call), for points spread over the whole run and
either side of every step. After each kill the files are opened again as the user would:

- the database opens with the right password and `verify` passes (every page's MAC, SQLite's
  structure check, the audit chain);
- the database holds exactly what it held after some whole number of steps: each transaction
  is all there or not there at all;
- the key file is always there, whole and unaltered, and still opens the database.

SIGKILL keeps the operating system's cache, so these tests prove the order of writes, renames
and deletes; they cannot prove that the disk honours fsync on a power cut (see
docs/security.md).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from sendesk.errors import StorageError, WrongPassword
from sendesk.services import backup, lifecycle
from sendesk.services import verify as verify_mod
from sendesk.store import keyswap
from sendesk.store.database import Database
from sendesk.store.keyfile import KeyFile, keyfile_path
from store_tools import make_school

HERE = Path(__file__).parent
NEW_PASSWORD = "orchid-tumble-riverbank-55"
MAX_POINTS = 24

# slow: a child process crashed at each of many write points (./dev test -m "not slow" skips).
pytestmark = [pytest.mark.slow,
              pytest.mark.sqlcipher_only(reason=(
                  "SIGKILL before each disk write of the file, its key file and backups; "
                  "the server's own faults: test_server_store")),
              pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="crash points are injected with an LD_PRELOAD library")]


@pytest.fixture(scope="module")
def crashpoint(tmp_path_factory) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build crashpoint.so")
    library = tmp_path_factory.mktemp("crashpoint") / "crashpoint.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-O1", "-o", str(library),
                    str(HERE / "crashpoint.c"), "-ldl"], check=True, capture_output=True)
    return library


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The starting files every kill point begins from: a school, its recovery key, a backup."""
    folder = tmp_path_factory.mktemp("crash-base")
    db_path, recovery = make_school(folder)
    (folder / "recovery.txt").write_text(recovery)
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD)
    try:
        backup.backup(session, folder / "earlier.sendesk-backup")
    finally:
        session.close()
    return folder


@pytest.fixture(scope="module")
def data_key(base) -> bytes:
    return bytes(KeyFile.load(keyfile_path(base / "school.sendesk")).unlock_with_password(
        SENCO, SENCO_PASSWORD))


# Enough records that a backup copies many chunks and re-encrypting writes thousands of pages,
# so the evenly spread kill points land inside the copy, not only before and after it.
BIG_ROWS, BIG_ROW_BYTES = 6000, 3000


@pytest.fixture(scope="module")
def big_base(tmp_path_factory) -> Path:
    """A school of about 20 MB (random stand-ins for records, written in one transaction)."""
    folder = tmp_path_factory.mktemp("crash-big")
    db_path, recovery = make_school(folder)
    (folder / "recovery.txt").write_text(recovery)
    key = KeyFile.load(keyfile_path(db_path)).unlock_with_password(SENCO, SENCO_PASSWORD)
    db = Database(db_path, key)
    try:
        db.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        with db.transaction():
            db.executemany("INSERT INTO filler (body) VALUES (?)",
                           ((os.urandom(BIG_ROW_BYTES),) for _ in range(BIG_ROWS)))
    finally:
        db.close()
    assert db_path.stat().st_size > BIG_ROWS * BIG_ROW_BYTES
    return folder


def run_scenario(name: str, base: Path, crashpoint: Path, work: Path,
                 max_points: int = MAX_POINTS) -> dict:
    spec = work.parent / f"{name}.json"
    spec.write_text(json.dumps({"scenario": name, "base": str(base), "work": str(work),
                                "max_points": max_points}))
    tests_dir = str(HERE.parent)
    env = {**os.environ, "LD_PRELOAD": str(crashpoint),
           "PYTHONPATH": os.pathsep.join([tests_dir, str(HERE), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, str(HERE / "crash_runner.py"), str(spec)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(spec.with_suffix(".result").read_text())
    errors = sorted(work.glob("*.error"))
    assert not errors, errors[0].read_text()
    assert outcome["points"] and set(outcome["points"].values()) <= {"killed", "finished"}
    assert len(outcome["points"]) >= min(max_points, outcome["events"])
    return outcome


def point_folders(work: Path) -> list[Path]:
    return sorted(p for p in work.iterdir() if p.is_dir())


def logical_state_of(db_path: Path, key: bytes) -> str:
    from crash_runner import logical_state
    db = Database(db_path, key)  # opening rolls back a half-written transaction (hot journal)
    try:
        with db._lock:
            return logical_state(db._connection())
    finally:
        db.close()


def signs_in(db_path: Path, username: str, password: str) -> bool:
    try:
        session = lifecycle.open_school(db_path, username, password)
    except WrongPassword:
        return False
    session.close()
    return True


def assert_healthy(db_path: Path, username: str = SENCO, password: str = SENCO_PASSWORD) -> None:
    session = lifecycle.open_school(db_path, username, password)
    try:
        report = verify_mod.verify(session)
    finally:
        session.close()
    assert report.ok, report.lines()


def leftovers(folder: Path, expected: set[str]) -> set[str]:
    """Files other than the expected ones; only sendesk's hidden half-written temp files may
    be left by a kill (they are encrypted or name nobody), never a stray journal."""
    extra = {p.name for p in folder.iterdir()} - expected
    assert all(name.startswith(".") and name.endswith((".partial", ".partial-journal"))
               for name in extra), extra
    return extra


def test_a_crash_during_record_changes_loses_at_most_the_change_under_way(base, crashpoint,
                                                                          data_key, tmp_path):
    work = tmp_path / "records"
    outcome = run_scenario("records", base, crashpoint, work)
    allowed = [logical_state_of(_copy_of_base(base, tmp_path), data_key)] + outcome["states"]
    seen_steps = set()
    key_file = keyfile_path(base / "school.sendesk").read_bytes()
    for folder in point_folders(work):
        db_path = folder / "school.sendesk"
        state = logical_state_of(db_path, data_key)
        assert state in allowed, f"{folder.name}: the database holds part of a transaction"
        seen_steps.add(allowed.index(state))
        assert keyfile_path(db_path).read_bytes() == key_file
        assert_healthy(db_path)
        leftovers(folder, _base_names(base))
    # The kill points really did land in every step, not only before or after the run.
    assert len(seen_steps) >= len(allowed) - 1


def test_a_crash_during_user_changes_never_loses_the_key_file(base, crashpoint, data_key,
                                                              tmp_path):
    work = tmp_path / "users"
    outcome = run_scenario("users", base, crashpoint, work)
    allowed = [logical_state_of(_copy_of_base(base, tmp_path), data_key)] + outcome["states"]
    for folder in point_folders(work):
        db_path = folder / "school.sendesk"
        keyswap.finish_interrupted(db_path, keyfile_path(db_path))  # as every opening does first
        key_file = KeyFile.load(keyfile_path(db_path))  # there, whole and parseable
        # and unaltered: the SENCO's entry opens it and its MAC matches (under the old data key,
        # or the new one once removing a user has re-encrypted the database)
        key = _unlock_either(key_file, SENCO, (SENCO_PASSWORD, NEW_PASSWORD))
        assert logical_state_of(db_path, key) in allowed
        old, new = signs_in(db_path, SENCO, SENCO_PASSWORD), signs_in(db_path, SENCO, NEW_PASSWORD)
        assert old != new, f"{folder.name}: the SENCO's password is {'both' if old else 'neither'}"
        assert_healthy(db_path, SENCO, SENCO_PASSWORD if old else NEW_PASSWORD)
        active = _active_users(db_path, key)
        if "jbloggs" in active:
            assert signs_in(db_path, "jbloggs", NEW_PASSWORD), folder.name
        if STAFF not in active:
            assert not signs_in(db_path, STAFF, STAFF_PASSWORD), folder.name
        leftovers(folder, _base_names(base))


def test_a_crash_during_a_backup_leaves_the_database_and_no_false_backup(base, crashpoint,
                                                                        data_key, tmp_path):
    work = tmp_path / "backup"
    outcome = run_scenario("backup", base, crashpoint, work)
    allowed = [logical_state_of(_copy_of_base(base, tmp_path), data_key)] + outcome["states"]
    complete = 0
    for folder in point_folders(work):
        db_path = folder / "school.sendesk"
        assert logical_state_of(db_path, data_key) in allowed
        assert_healthy(db_path)
        out = folder / "out.sendesk-backup"
        if out.exists():  # a backup under its real name is always a whole one
            target = folder / "check" / "school.sendesk"
            target.parent.mkdir()
            backup.restore(out, target, SENCO_PASSWORD)
            assert_healthy(target)
            complete += 1
        leftovers(folder, _base_names(base) | {"out.sendesk-backup", "check"})
    assert complete >= 1


def test_a_crash_inside_a_long_backup_leaves_the_database_and_no_false_backup(
        big_base, crashpoint, tmp_path):
    """On a school big enough that the copy itself takes many writes, kill points land inside
    it: a part-written backup only ever sits under its hidden temporary name."""
    key = bytes(KeyFile.load(keyfile_path(big_base / "school.sendesk")).unlock_with_password(
        SENCO, SENCO_PASSWORD))
    work = tmp_path / "big-backup"
    outcome = run_scenario("backup", big_base, crashpoint, work)
    allowed = [logical_state_of(_copy_of_base(big_base, tmp_path), key)] + outcome["states"]
    inside = complete = 0
    size = (big_base / "school.sendesk").stat().st_size
    for folder in point_folders(work):
        db_path = folder / "school.sendesk"
        assert logical_state_of(db_path, key) in allowed
        assert_healthy(db_path)
        out = folder / "out.sendesk-backup"
        if out.exists():
            complete += 1
            if complete == 1:  # restoring each whole one would only repeat the same check
                target = folder / "check" / "school.sendesk"
                target.parent.mkdir()
                backup.restore(out, target, SENCO_PASSWORD)
                assert_healthy(target)
        extra = leftovers(folder, _base_names(big_base) | {"out.sendesk-backup", "check"})
        inside += any(0 < (folder / name).stat().st_size < size for name in extra)
    assert complete >= 1 and inside >= MAX_POINTS // 4, (complete, inside)


def test_a_crash_while_re_encrypting_leaves_the_old_pair_or_the_new_pair(big_base, crashpoint,
                                                                       tmp_path):
    """Removing a user re-encrypts the database (services/rekey.py). Killed at any point, the
    next opening finds either the old database with the old key file (the user still there,
    the old key still opening it) or the new pair (the user gone, the old key opening nothing),
    never one of each; and every page, the structure and the audit chain verify."""
    old_keys = KeyFile.load(keyfile_path(big_base / "school.sendesk"))
    old_key = bytes(old_keys.unlock_with_password(SENCO, SENCO_PASSWORD))
    work = tmp_path / "rekey"
    outcome = run_scenario("rekey", big_base, crashpoint, work)
    before = [logical_state_of(_copy_of_base(big_base, tmp_path), old_key), outcome["states"][0]]
    seen = {"old": 0, "new": 0}
    for folder in point_folders(work):
        db_path = folder / "school.sendesk"
        keyswap.finish_interrupted(db_path, keyfile_path(db_path))  # as every opening does first
        key = bytes(KeyFile.load(keyfile_path(db_path)).unlock_with_password(SENCO, SENCO_PASSWORD))
        state = logical_state_of(db_path, key)
        assert_healthy(db_path)
        if key == old_key:
            assert state in before, f"{folder.name}: the old key opens a changed database"
            assert signs_in(db_path, STAFF, STAFF_PASSWORD), folder.name
            seen["old"] += 1
        else:
            assert state == outcome["states"][1], f"{folder.name}: part of the removal"
            assert not signs_in(db_path, STAFF, STAFF_PASSWORD), folder.name
            with pytest.raises(WrongPassword):
                lifecycle.open_with_data_key(db_path, old_key, SENCO)
            seen["new"] += 1
        leftovers(folder, _base_names(big_base))
    # Kill points landed on both sides of the switch, most of them inside the long copy.
    assert seen["old"] >= MAX_POINTS // 2 and seen["new"] >= 1, seen


# A report large enough (incompressible) that the import writes a few thousand pages.
BIG_REPORT_BYTES = 3 * 1024 * 1024
# Fewer points are spread over the import than over the other scenarios (with the ones either
# side of its start, its end and each commit of the pupil); age's scrypt is paid once per
# process, not per run (crash_runner.decrypt_remembered), so every point's retry is made.
TRANSFER_POINTS = 12
PACKAGE_UPN_SQL = "SELECT upn FROM pupils WHERE id = ?"


@pytest.fixture(scope="module")
def transfer_base(big_base, tmp_path_factory) -> tuple[Path, str]:
    """The 20 MB school with, beside it, a real signed package for a new pupil (the sending
    demo school's richest record, plus a 3 MB specialist's report) and its passphrase; and the
    pupil's UPN."""
    from sendesk.clock import FixedClock
    from sendesk.records import specialists
    from sendesk.transfer import sending
    from transfer_support import consent_to_share, fake_pdf, make_sender, recipient, richest_pupil

    folder = tmp_path_factory.mktemp("crash-transfer")
    shutil.copytree(big_base, folder, dirs_exist_ok=True)
    sender_folder = tmp_path_factory.mktemp("crash-sender")
    clock = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
    sender = make_sender(sender_folder / "sender.sendesk", clock)
    try:
        pupil_id = richest_pupil(sender)
        involvement = sender.db.scalar("SELECT id FROM specialist_involvements WHERE pupil_id = ?"
                                       " ORDER BY id LIMIT 1", (pupil_id,))
        specialists.attach_report(sender, involvement, "assessment.pdf",
                                  b"%PDF-1.4\n" + os.urandom(BIG_REPORT_BYTES) + b"\n%%EOF\n",
                                  "Full assessment", clock.today())
        consent_to_share(sender, pupil_id)
        upn = sender.db.scalar(PACKAGE_UPN_SQL, (pupil_id,))
        sent = sending.send(sender, pupil_id, recipient(), folder / "pupil.sendesk-transfer",
                            fake_pdf, count_pages=lambda pdf: 3)
    finally:
        sender.close()
    (folder / "passphrase.txt").write_text(sent.passphrase + "\n")
    return folder, upn


def test_a_crash_inside_a_transfer_import_leaves_the_pupil_whole_or_not_there(
        transfer_base, crashpoint, tmp_path, capsys, monkeypatch):
    """`sendesk-cli transfer import` killed anywhere: the receiving school verifies and holds
    the arriving pupil completely or not at all; trying again imports them if nothing was
    committed, says "already imported" if it was, and a receipt the kill stopped being written
    can still be saved (`transfer receipt-save`)."""
    from crash_runner import decrypt_remembered

    from sendesk.transfer import age_worker

    base, upn = transfer_base
    monkeypatch.setattr(age_worker, "decrypt", decrypt_remembered(base))
    key = bytes(KeyFile.load(keyfile_path(base / "school.sendesk")).unlock_with_password(
        SENCO, SENCO_PASSWORD))
    before = _row_counts(_copy_of_base(base, tmp_path), key)
    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    assert _cli(capsys, *_import_args(reference, "receipt.sendesk-receipt"))[0] == 0
    after = _row_counts(reference / "school.sendesk", key)
    assert after["pupils"] == before["pupils"] + 1
    assert after["specialist_reports"] >= before["specialist_reports"] + 2   # the big one too

    work = tmp_path / "transfer"
    outcome = run_scenario("transfer_import", base, crashpoint, work, TRANSFER_POINTS)
    assert outcome["commit_edges"], "the dry run saw no commit of the arriving pupil"
    seen = {"absent": 0, "whole": 0, "receipt lost": 0}
    for folder in point_folders(work):
        db_path = folder / "school.sendesk"
        code, out, err = _cli(capsys, "verify", db_path, "--user", SENCO)
        assert code == 0, f"{folder.name}: {out}{err}"
        counts = _row_counts(db_path, key)
        receipt = folder / "receipt.sendesk-receipt"
        if counts == before:
            assert not _holds(db_path, key, upn) and not receipt.exists(), folder.name
            seen["absent"] += 1
            code, out, err = _cli(capsys, *_import_args(folder, "again.sendesk-receipt"))
            assert code == 0 and f"Imported UPN {upn}" in out, f"{folder.name}: {err}"
            assert _row_counts(db_path, key) == after, folder.name
        else:
            assert counts == after, f"{folder.name}: part of the pupil arrived"
            seen["whole"] += 1
            code, out, err = _cli(capsys, *_import_args(folder, "again.sendesk-receipt"))
            assert code == 1 and "already imported" in err, f"{folder.name}: {out}{err}"
            assert "unexpected" not in err and not (folder / "again.sendesk-receipt").exists()
            if not receipt.exists():
                seen["receipt lost"] += 1
                code, out, err = _cli(capsys, "transfer", "receipt-save", db_path, "--upn", upn,
                                      "--out", receipt, "--user", SENCO)
                assert code == 0, f"{folder.name}: {err}"
            assert receipt.read_bytes().startswith(b"{"), folder.name
            assert _row_counts(db_path, key) == after, folder.name
        leftovers(folder, _base_names(base) | {"receipt.sendesk-receipt",
                                               "again.sendesk-receipt"})
    # Kill points landed on both sides of the commit, and in the moment after it before the
    # receipt was written.
    assert seen["absent"] >= TRANSFER_POINTS // 2 and seen["whole"] >= 1, (seen, outcome["events"])


def test_a_crash_during_a_restore_leaves_nothing_usable_looking_or_a_whole_database(
        base, crashpoint, tmp_path):
    work = tmp_path / "restore"
    run_scenario("restore", base, crashpoint, work)
    for folder in point_folders(work):
        restored = folder / "restored.sendesk"
        if restored.exists():
            assert keyfile_path(restored).exists()
            assert_healthy(restored)
        else:
            # Nothing that looks like a database; and trying again simply works.
            backup.restore(folder / "earlier.sendesk-backup", restored, SENCO_PASSWORD)
            assert_healthy(restored)
        leftovers(folder, _base_names(base) | {"restored.sendesk", "restored.sendesk-keys"})


def test_a_crash_while_creating_a_school_never_leaves_a_database_without_its_key_file(
        base, crashpoint, tmp_path):
    work = tmp_path / "create"
    run_scenario("create", base, crashpoint, work)
    for folder in point_folders(work):
        new = folder / "new.sendesk"
        if new.exists():
            assert keyfile_path(new).exists(), f"{folder.name}: a database nobody can ever open"
        else:
            if keyfile_path(new).exists():
                # The one window (after the key file's rename, before the database's): trying
                # again says what happened and what to do.
                with pytest.raises(StorageError, match="interrupted"):
                    _create(new)
                keyfile_path(new).unlink()
            _create(new)
        assert_healthy(new)
        leftovers(folder, _base_names(base) | {"new.sendesk", "new.sendesk-keys"})


def test_a_crash_while_recovering_leaves_one_working_password(base, crashpoint, data_key,
                                                             tmp_path):
    work = tmp_path / "recover"
    run_scenario("recover", base, crashpoint, work)
    for folder in point_folders(work):
        db_path = folder / "school.sendesk"
        KeyFile.load(keyfile_path(db_path)).verify(data_key)
        old, new = signs_in(db_path, SENCO, SENCO_PASSWORD), signs_in(db_path, SENCO, NEW_PASSWORD)
        assert old != new, folder.name
        assert_healthy(db_path, SENCO, SENCO_PASSWORD if old else NEW_PASSWORD)
        leftovers(folder, _base_names(base))


def _create(path: Path) -> None:
    lifecycle.create(path, school_name="New School", school_reference="123456", username=SENCO,
                     full_name="Meera Patel", password=SENCO_PASSWORD)[0].close()


# --- helpers ---------------------------------------------------------------------------------------

def _base_names(base: Path) -> set[str]:
    return {p.name for p in base.iterdir()}


def _copy_of_base(base: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "pristine"
    if not folder.exists():
        shutil.copytree(base, folder)
    return folder / "school.sendesk"


def _unlock_either(key_file: KeyFile, username: str, passwords: tuple[str, ...]) -> bytes:
    for password in passwords:
        try:
            return bytes(key_file.unlock_with_password(username, password))
        except WrongPassword:
            continue
    raise AssertionError(f"none of the passwords opens {username}'s entry")


def _import_args(folder: Path, receipt: str) -> tuple:
    return ("transfer", "import", folder / "school.sendesk", folder / "pupil.sendesk-transfer",
            "--user", SENCO, "--passphrase-file", folder / "passphrase.txt",
            "--receipt-out", folder / receipt)


def _cli(capsys, *argv) -> tuple[int, str, str]:
    """sendesk-cli as the SENCO runs it (password on stdin); its exit code, stdout, stderr."""
    from sendesk.cli.main import main
    capsys.readouterr()
    code = main([str(arg) for arg in argv], stdin=io.StringIO(SENCO_PASSWORD + "\n"))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# The audit log grows with every sign-in (the checks' own included), so it is left out.
AUDIT_TABLES = {"audit_log", "audit_head"}


def _row_counts(db_path: Path, key: bytes) -> dict[str, int]:
    db = Database(db_path, key)
    try:
        return {table: db.scalar(f'SELECT count(*) FROM "{table}"')
                for table in db.table_names() if table not in AUDIT_TABLES}
    finally:
        db.close()


def _holds(db_path: Path, key: bytes, upn: str) -> bool:
    db = Database(db_path, key)
    try:
        return db.scalar("SELECT count(*) FROM pupils WHERE upn = ?", (upn,)) > 0
    finally:
        db.close()


def _active_users(db_path: Path, key: bytes) -> set[str]:
    db = Database(db_path, key)
    try:
        return {row[0] for row in db.query("SELECT username FROM users WHERE active = 1")}
    finally:
        db.close()


def test_a_restore_replaces_only_the_key_file_its_own_interrupted_run_left(base, tmp_path):
    """The one half-state a killed restore can leave is the backup's own key file with no
    database; trying again replaces it. A key file of any other database is never touched."""
    target = tmp_path / "school.sendesk"
    keyfile_path(target).write_bytes(keyfile_path(base / "school.sendesk").read_bytes())
    backup.restore(base / "earlier.sendesk-backup", target, SENCO_PASSWORD)
    assert_healthy(target)

    other = tmp_path / "other" / "school.sendesk"
    other.parent.mkdir()
    lifecycle.create(other, school_name="Other School", school_reference="654321",
                     username=SENCO, full_name="Meera Patel", password=SENCO_PASSWORD)[0].close()
    kept = keyfile_path(other).read_bytes()
    other.unlink()
    with pytest.raises(StorageError, match="already exists"):
        backup.restore(base / "earlier.sendesk-backup", other, SENCO_PASSWORD)
    assert keyfile_path(other).read_bytes() == kept
    assert sorted(p.name for p in other.parent.iterdir()) == ["school.sendesk-keys"]
